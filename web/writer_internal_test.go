package web

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
)

// writerFixture is a connection over a real socket pair, made as serveWS
// makes one, with its first writer started; the test plays the fan-out
// and reads what the client gets.
func writerFixture(t *testing.T) (*conn, *websocket.Conn) {
	t.Helper()
	srvWS, clientWS := socketPair(t)
	srv := &Server{sessions: newSessions(time.Now)}
	c := &conn{ws: srvWS, m: &metrics{}, srv: srv,
		sess:    srv.sessions.create("x", engine.RoleTrainee, "a", "Ana"),
		send:    make(chan *outgoing, sendQueueLen),
		replies: make(chan []byte, 16),
		done:    make(chan struct{})}
	c.wakes.Store(1)
	idle := make(chan struct{}, 1)
	c.onIdle = func() {
		select {
		case idle <- struct{}{}:
		default: // a signal is already waiting
		}
	}
	writerIdle[c] = idle
	t.Cleanup(func() { delete(writerIdle, c) })
	c.startWriter([][]byte{jsonOf("welcome", 50)})
	t.Cleanup(func() {
		select {
		case <-c.done: // the test stopped the reader itself
		default:
			close(c.done) // as the reader does when it stops
			c.wake()
		}
	})
	return c, clientWS
}

// TestWriterComesAndGoes: a connection has a writer goroutine only while
// there is something to write. Once the first messages are written no
// writer waits; a queued message starts one, which writes it and ends.
func TestWriterComesAndGoes(t *testing.T) {
	c, client := writerFixture(t)
	readLabel(t, client, "welcome")
	waitNoWriter(t, c)

	c.send <- newOutgoing(jsonOf("inject", 200))
	c.wake()
	readLabel(t, client, "inject")
	waitNoWriter(t, c)
}

// TestWriterOneAtATime: messages queued and replies sent from several
// goroutines at once, each followed by a wake, all reach the client once,
// each goroutine's in the order it queued them. Two writers at once would
// interleave frames on the socket (and the race detector would see them).
func TestWriterOneAtATime(t *testing.T) {
	c, client := writerFixture(t)
	readLabel(t, client, "welcome")

	const perSender = 300
	var senders sync.WaitGroup
	var queueMu sync.Mutex // the fan-out's lock, which queuing holds
	for s := range 3 {
		senders.Go(func() {
			for i := range perSender {
				queueMu.Lock()
				c.send <- newOutgoing(jsonOf(fmt.Sprintf("q%d-%d", s, i), 100))
				c.wake()
				queueMu.Unlock()
			}
		})
	}
	senders.Go(func() {
		for i := range perSender {
			c.replyBytes(jsonOf(fmt.Sprintf("r-%d", i), 60))
		}
	})

	next := map[string]int{} // each sender's next number
	for got := 0; got < 4*perSender; {
		_, frame, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", got, 4*perSender, err)
		}
		msgs, err := SplitBatch(frame)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			var sender string
			var n int
			label := labelOf(t, m)
			if _, err := fmt.Sscanf(strings.Replace(label, "-", " ", 1), "%s %d", &sender, &n); err != nil {
				t.Fatalf("message %q: %v", label, err)
			}
			if n != next[sender] {
				t.Fatalf("from %s got number %d, want %d: lost, repeated or out of order", sender, n, next[sender])
			}
			next[sender]++
			got++
		}
	}
	senders.Wait()
	waitNoWriter(t, c)
}

// TestWriterPings: when the ping timer fires the writer pings the client
// and sets the timer again; a connection whose session has ended is told
// so and closed instead.
func TestWriterPings(t *testing.T) {
	c, client := writerFixture(t)
	pings := make(chan struct{}, 4)
	client.SetPingHandler(func(string) error {
		pings <- struct{}{}
		return nil
	})
	go func() { // reads, which runs the ping handler, until the test closes
		for {
			if _, _, err := client.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for range 2 {
		c.ping.Reset(time.Millisecond) // as if pingPeriod had passed
		select {
		case <-pings:
		case <-time.After(10 * time.Second):
			t.Fatal("no ping reached the client after the ping timer fired")
		}
		waitNoWriter(t, c)
		if !c.ping.Stop() {
			t.Fatal("after a ping the timer is not set again: the client would get no more pings")
		}
	}
}

// TestWriterClosesForAnEndedSession: at the ping after its session ends,
// the connection is closed with CloseSessionEnded.
func TestWriterClosesForAnEndedSession(t *testing.T) {
	c, client := writerFixture(t)
	readLabel(t, client, "welcome")
	c.srv.sessions.delete(c.sess.Token)
	c.ping.Reset(time.Millisecond)
	_, _, err := client.ReadMessage()
	if !websocket.IsCloseError(err, CloseSessionEnded) {
		t.Fatalf("the client read %v, want close code %d", err, CloseSessionEnded)
	}
}

// TestWriterSaysGoodbyeWhenTheReaderStops: once the reader has stopped,
// the writer closes the connection normally, stops the pings and is gone;
// a wake after that starts nothing that writes.
func TestWriterSaysGoodbyeWhenTheReaderStops(t *testing.T) {
	c, client := writerFixture(t)
	readLabel(t, client, "welcome")

	close(c.done) // as the reader does when it stops
	c.wake()
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := client.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("the client read %v, want a normal close", err)
	}
	waitNoWriter(t, c)
	if c.ping.Stop() {
		t.Error("the ping timer was still set after the connection closed")
	}
	c.send <- newOutgoing(jsonOf("late", 50))
	c.wake()
	waitNoWriter(t, c)
	if len(c.send) != 1 {
		t.Errorf("a writer woken after the close took the queued message")
	}
}

// readLabel reads one message and checks its label.
func readLabel(t *testing.T, client *websocket.Conn, want string) {
	t.Helper()
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := client.ReadMessage()
	if err != nil {
		t.Fatalf("waiting for %q: %v", want, err)
	}
	if got := labelOf(t, b); got != want {
		t.Fatalf("the client got %q, want %q", got, want)
	}
}

// labelOf returns the label of a message made by jsonOf.
func labelOf(t *testing.T, b []byte) string {
	t.Helper()
	_, rest, ok := strings.Cut(string(b), `"label":"`)
	label, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 {
		t.Fatalf("no label in %.60q", b)
	}
	return label
}

// writerIdle holds, for each connection writerFixture made, the channel
// its writer signals when it ends with nothing left to do.
var writerIdle = map[*conn]chan struct{}{}

// waitNoWriter waits until c has no writer: one has ended with no wake
// unanswered, and none has been woken since.
func waitNoWriter(t *testing.T, c *conn) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for c.wakes.Load() != 0 {
		select {
		case <-writerIdle[c]:
		case <-timeout:
			t.Fatalf("the connection's writer is still running (%d wakes unanswered) with nothing to write", c.wakes.Load())
		}
	}
}
