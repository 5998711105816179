package web

import (
	"math/rand/v2"
	"time"

	"cmesim/engine"
)

// CoalesceWindow is how long the fan-out may hold, for a trainee, a
// message that records what the trainee's own team did (a teammate's
// action, a vote, a score) or the team's status, to send it in one frame
// with those that follow. Anything else goes at once, with whatever is
// held for that connection before it, so the order of messages never
// changes: an inject, a decision, a change of the exercise's state, what
// another team shares or sends, the answer to the trainee's own command.
// Staff connections hold nothing: the control panel shows every action as
// it happens.
//
// With thousands of trainees most messages are records of teammates'
// actions, and the server's CPU goes to waking a connection's writer and
// to one write system call per frame; holding records for a quarter of a
// second divides both by about three (docs/performance.md).
const CoalesceWindow = 250 * time.Millisecond

// isRecord reports whether events of type t record what a team did, or
// how it was scored, rather than ask something of their readers: for the
// team's own members these may wait out the coalescing window.
func isRecord(t engine.EventType) bool {
	switch t {
	case engine.EventAction, engine.EventDecisionVoted,
		engine.EventExpectationMet, engine.EventExpectationWrong, engine.EventExpectationMissed,
		engine.EventExpectationJudged, engine.EventExpectationScored, engine.EventSurveyAnswered:
		return true
	}
	return false
}

// delivery is an event on its way to one connection, and whether it may
// be held there.
type delivery struct {
	m    *outgoing
	hold bool
}

// holdsRecordsOf reports whether c may hold the records of team's own
// activity: it is a trainee of that team.
func (c *conn) holdsRecordsOf(team string) bool {
	return team != "" && c.sess.Role == engine.RoleTrainee && c.sess.Team == team
}

// coalesceLag is how much longer than CoalesceWindow a new connection's
// windows last: a random part of a quarter of it.
func coalesceLag() time.Duration { return rand.N(CoalesceWindow / 4) }

// send hands m to subscriber c: held until c's window ends if hold says
// it may wait, else queued at once behind what c holds. The caller holds
// f.mu.
func (f *fanout) send(c *conn, m *outgoing, hold bool) {
	if !hold || f.window <= 0 {
		f.release(c, m)
		return
	}
	if len(c.held) >= maxHeld || len(c.held) > 0 && !batchFits(c.heldSize, len(m.data)) {
		f.release(c, nil)
		if _, ok := f.subs[c]; !ok {
			return // dropped for a full queue
		}
	}
	if len(c.held) == 0 {
		// The window starts now, and ends a little later for some
		// connections than for others (c.lag) so that a status sent to
		// all does not make them all write at the same moment.
		c.heldUntil = time.Now().Add(f.window + c.lag)
		f.holding.push(heldEntry{until: c.heldUntil, c: c})
		f.armFlush(c.heldUntil)
	}
	c.held = append(c.held, m)
	c.heldSize += 1 + len(m.data)
}

// release queues what c holds and then m, if not nil, one after the
// other: c's writer finds them waiting and sends them in one frame. The
// fan-out only queues, which costs little while it holds f.mu; building
// the frame is the writer's work, on a core of its own. The caller holds
// f.mu.
func (f *fanout) release(c *conn, m *outgoing) {
	held := c.held
	c.held, c.heldSize = held[:0], 0
	for _, h := range held {
		if _, ok := f.subs[c]; !ok {
			break // dropped for a full queue
		}
		f.queue(c, h)
	}
	clear(held)
	if m != nil {
		if _, ok := f.subs[c]; ok {
			f.queue(c, m)
		}
	}
}

// maxHeld is the most records a connection holds: far fewer than its
// queue takes (sendQueueLen), so that releasing them adds little to it.
const maxHeld = 32

// flushSlack is how close to the end of its window a connection's held
// records go with an earlier flush: it saves a wakeup for little delay.
const flushSlack = 10 * time.Millisecond

// armFlush makes sure a flush runs by until. The caller holds f.mu.
func (f *fanout) armFlush(until time.Time) {
	switch {
	case f.flushTimer == nil:
		f.flushTimer = time.AfterFunc(time.Until(until), f.flushHeld)
	case f.flushAt.IsZero() || until.Before(f.flushAt):
		f.flushTimer.Reset(time.Until(until))
	default:
		return
	}
	f.flushAt = until
}

// flushHeld sends every subscriber whose window has ended what it holds,
// and arms the next flush.
func (f *fanout) flushHeld() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushAt = time.Time{}
	now := time.Now().Add(flushSlack)
	for len(f.holding) > 0 {
		e := f.holding.peek()
		if e.until.After(now) {
			f.armFlush(e.until)
			return
		}
		f.holding.pop()
		if e.c.heldUntil.Equal(e.until) && len(e.c.held) > 0 {
			f.release(e.c, nil) // else released since, and maybe held anew
		}
	}
}

// heldEntry is a connection whose window ends at until, in holdQueue.
type heldEntry struct {
	until time.Time
	c     *conn
}

// holdQueue orders the connections that hold records by the end of their
// window: a binary min-heap on until, kept by push and pop. (Not
// container/heap, whose interface boxes every entry pushed and popped: a
// heap allocation per held window, thousands a second at 5,000 trainees.)
type holdQueue []heldEntry

// push adds e.
func (q *holdQueue) push(e heldEntry) {
	h := append(*q, e)
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h[i].until.Before(h[parent].until) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
	*q = h
}

// peek returns the entry whose window ends first; q must not be empty.
func (q holdQueue) peek() heldEntry { return q[0] }

// pop removes and returns the entry whose window ends first; q must not
// be empty.
func (q *holdQueue) pop() heldEntry {
	h := *q
	first, last := h[0], len(h)-1
	h[0] = h[last]
	h[last] = heldEntry{} // drop the connection for the collector
	h = h[:last]
	for i := 0; ; {
		least, left, right := i, 2*i+1, 2*i+2
		if left < len(h) && h[left].until.Before(h[least].until) {
			least = left
		}
		if right < len(h) && h[right].until.Before(h[least].until) {
			least = right
		}
		if least == i {
			break
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
	*q = h
	return first
}
