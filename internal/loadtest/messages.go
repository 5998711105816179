package loadtest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"cmesim/web"
)

// messageSent is the type of the events that carry a message between
// teams; messageMarker starts the text of the tool's messages, followed by
// the sender's team and the wall time of the send in Unix nanoseconds.
var (
	messageSent   = []byte(`message.sent`)
	messageMarker = []byte("lt-msg ")
)

// messageLoop sends a message every interval, starting after first, until
// stop closes.
func (c *wsClient) messageLoop(stop <-chan struct{}, first, every time.Duration) {
	defer c.r.actors.Done()
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		c.sendMessage()
		t.Reset(every)
	}
}

// sendMessage writes to 1–3 other teams, all linked to the sender in the
// generated scenario's network, at TLP:GREEN.
func (c *wsClient) sendMessage() {
	teams := c.r.cfg.Teams
	if teams < 2 {
		return
	}
	want := min(1+rand.N(3), teams-1)
	var peers []string
	for _, i := range rand.Perm(teams) {
		if id := TeamID(i); id != c.p.team {
			peers = append(peers, id)
			if len(peers) == want {
				break
			}
		}
	}
	text := string(messageMarker) + c.p.team + " " + strconv.FormatInt(time.Now().UnixNano(), 10)
	switch _, err := c.send(commandField{Type: "message", Peers: peers, TLP: "green", Text: text}, 0, false); {
	case err == nil:
		c.r.n.commands.Add(1)
		c.srv.n.commands.Add(1)
		c.r.n.messagesSent.Add(1)
	default:
		c.r.n.skippedOffline.Add(1)
	}
}

// messageReceived measures the delivery of one of the tool's messages to
// a trainee of an addressed team (its sender's own team also sees it, and
// is not counted).
func (c *wsClient) messageReceived(event []byte, now time.Time) {
	i := bytes.Index(event, messageMarker)
	if i < 0 {
		return
	}
	rest := event[i+len(messageMarker):]
	from, rest, ok := bytes.Cut(rest, []byte(" "))
	if !ok || string(from) == c.p.team {
		return
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	sent, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	if err != nil {
		return
	}
	c.r.messageDelivery.Add(now.Sub(time.Unix(0, sent)))
	c.r.n.messagesReceived.Add(1)
}

// durationOrEmpty writes a duration for the report's settings, or nothing
// when it is zero (the option was off).
func durationOrEmpty(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// eachMessage calls fn with each message a server frame carries: those of
// a batch, in order, or the frame itself (web.SplitBatch).
func eachMessage(frame []byte, fn func([]byte)) error {
	msgs, err := web.SplitBatch(frame)
	if err != nil {
		return fmt.Errorf("a batch frame that is not JSON: %w", err)
	}
	for _, m := range msgs {
		fn(m)
	}
	return nil
}
