package web

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
)

// coalesceFixture is a fan-out with one trainee subscribed, whose queue
// the test reads instead of a writer.
func coalesceFixture(window time.Duration) (*fanout, *conn) {
	f := newFanout(nil, &metrics{}, window)
	c := queueOnly(&Session{Role: engine.RoleTrainee, Team: "a"}, sendQueueLen)
	f.addSub(c)
	return f, c
}

// message prepares a message named name.
func message(t *testing.T, name string) *outgoing {
	t.Helper()
	return newOutgoing([]byte(`{"type":"` + name + `"}`))
}

// queued returns the names of the messages waiting in c's queue, in
// order, and empties it.
func queued(c *conn) string {
	var names []string
	for {
		select {
		case m := <-c.send:
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(string(m.data), `{"type":"`), `"}`))
		default:
			return strings.Join(names, " ")
		}
	}
}

// send is fanout.send with f.mu held, as its callers hold it.
func send(f *fanout, c *conn, m *outgoing, hold bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.send(c, m, hold)
}

// TestCoalesceHoldsRecordsUntilAPrompt: records wait; the next message
// that is not a record goes at once, behind them, in the order sent.
func TestCoalesceHoldsRecordsUntilAPrompt(t *testing.T) {
	f, c := coalesceFixture(time.Hour)
	send(f, c, message(t, "action1"), true)
	send(f, c, message(t, "status"), true)
	if got := queued(c); got != "" {
		t.Fatalf("queued %q before the window ended, want nothing", got)
	}
	send(f, c, message(t, "inject"), false)
	if got, want := queued(c), "action1 status inject"; got != want {
		t.Fatalf("queued %q, want %q", got, want)
	}
	// An answer to the client's own command goes the same way.
	send(f, c, message(t, "action2"), true)
	ack := newOutgoing([]byte(`{"type":"ack"}`))
	f.mu.Lock()
	f.release(c, ack)
	f.mu.Unlock()
	if got, want := queued(c), "action2 ack"; got != want {
		t.Fatalf("queued %q, want %q", got, want)
	}
}

// TestCoalesceFlushesWhenTheWindowEnds: held records go by themselves,
// and never before their window (less the flush slack) has passed.
func TestCoalesceFlushesWhenTheWindowEnds(t *testing.T) {
	const window = 30 * time.Millisecond
	f, c := coalesceFixture(window)
	start := time.Now()
	send(f, c, message(t, "action1"), true)
	send(f, c, message(t, "action2"), true)
	var got []string
	for len(got) < 2 {
		select {
		case m := <-c.send:
			got = append(got, string(m.data))
		case <-time.After(time.Minute):
			t.Fatalf("the held records were not sent within a minute (got %d)", len(got))
		}
	}
	if waited := time.Since(start); waited < window-flushSlack {
		t.Errorf("the records went after %v, before their window of %v (less %v) ended", waited, window, flushSlack)
	}
	if got[0] != `{"type":"action1"}` || got[1] != `{"type":"action2"}` {
		t.Errorf("sent %q, want action1 then action2", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(c.held) != 0 || len(f.holding) != 0 {
		t.Errorf("after the flush: %d held, %d waiting for a flush; want none", len(c.held), len(f.holding))
	}
}

// TestCoalesceBounds: a connection holds at most maxHeld records and
// never more than a batch's bytes; a connection that leaves drops what it
// held and a later flush does not touch it.
func TestCoalesceBounds(t *testing.T) {
	f, c := coalesceFixture(time.Hour)
	for i := range maxHeld + 1 {
		send(f, c, message(t, fmt.Sprint("r", i)), true)
	}
	if got := len(strings.Fields(queued(c))); got != maxHeld {
		t.Errorf("after %d records, %d were queued, want %d", maxHeld+1, got, maxHeld)
	}
	big := strings.Repeat("x", MaxBatchSize/2)
	send(f, c, message(t, big), true)
	send(f, c, message(t, big), true)
	if got := strings.Fields(queued(c)); len(got) != 2 || got[0] != "r"+fmt.Sprint(maxHeld) || got[1] != big {
		t.Errorf("two records of half a batch each: queued %.40q, want the one held before and the first", got)
	}

	f.mu.Lock()
	f.unsubscribe(c)
	// Its window ends now: the flush finds it gone.
	for i := range f.holding {
		f.holding[i].until = time.Now().Add(-time.Second)
	}
	c.heldUntil = f.holding.peek().until
	f.mu.Unlock()
	if len(c.held) != 0 {
		t.Errorf("a connection that left still holds %d records", len(c.held))
	}
	f.flushHeld() // must neither send on the closed queue nor panic
	if n := len(f.holding); n != 0 {
		t.Errorf("after the flush, %d connections wait for one, want none", n)
	}
}

// TestCoalesceWindowsDiffer: connections' windows end at different times
// (conn.lag), so that a status sent to everyone is not written to all of
// them at once, and all within a quarter of the window.
func TestCoalesceWindowsDiffer(t *testing.T) {
	f := newFanout(nil, &metrics{}, time.Hour)
	status := message(t, "status")
	ends := map[time.Time]bool{}
	f.mu.Lock()
	defer f.mu.Unlock()
	for range 50 {
		c := queueOnly(&Session{Role: engine.RoleTrainee, Team: "a"}, 1)
		c.lag = coalesceLag()
		f.addSub(c)
		before := time.Now()
		f.send(c, status, true)
		if lag := c.heldUntil.Sub(before) - f.window; lag < 0 || lag > CoalesceWindow/4 {
			t.Fatalf("a window ends %v after the window's length, want within %v", lag, CoalesceWindow/4)
		}
		ends[c.heldUntil] = true
	}
	if len(ends) < 40 {
		t.Errorf("50 connections' windows end at %d different times, want nearly 50", len(ends))
	}
}

// TestCoalesceWhoHolds: a trainee holds the records of its own team's
// activity; what another team shares with it, and everything the staff
// receive, go at once.
func TestCoalesceWhoHolds(t *testing.T) {
	f, a1 := coalesceFixture(time.Hour)
	fac := queueOnly(&Session{Role: engine.RoleFacilitator}, sendQueueLen)
	b1 := queueOnly(&Session{Role: engine.RoleTrainee, Team: "b"}, sendQueueLen)
	f.addSub(fac)
	f.addSub(b1)
	publish := func(name, team string, audience ...string) {
		f.add([]byte(`{"type":"`+name+`"}`), audience, eventVariant{recordOf: team}) // two actions
	}
	publish("a-acts", "a", "a")
	publish("b-shares-with-a", "b", "b", "a")
	f.deliver(1)
	if got := queued(a1); got != "" {
		t.Errorf("team a's trainee was sent %q at once, want its team's action held", got)
	}
	if got := queued(fac); got != "a-acts" {
		t.Errorf("the facilitator was sent %q, want a-acts at once", got)
	}
	f.deliver(2)
	if got, want := queued(a1), "a-acts b-shares-with-a"; got != want {
		t.Errorf("team a's trainee was sent %q, want %q: b's share at once, behind what a1 held", got, want)
	}
	if got := queued(b1); got != "" {
		t.Errorf("team b's trainee was sent %q at once, want its own team's share held", got)
	}
	if got := queued(fac); got != "b-shares-with-a" {
		t.Errorf("the facilitator was sent %q, want b-shares-with-a", got)
	}
}

// TestHoldQueuePopsInWindowOrder: whatever the order of pushes and pops,
// pop returns the entry whose window ends first, and a queue that has
// grown to its size pushes and pops without allocating.
func TestHoldQueuePopsInWindowOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Unix(1_800_000_000, 0)
	var q holdQueue
	var model []time.Time // the same entries, kept sorted
	for step := range 5000 {
		if len(model) == 0 || rng.IntN(3) > 0 {
			until := base.Add(time.Duration(rng.IntN(300)) * time.Millisecond)
			q.push(heldEntry{until: until})
			i, _ := slices.BinarySearchFunc(model, until, time.Time.Compare)
			model = slices.Insert(model, i, until)
			continue
		}
		if got, want := q.peek().until, model[0]; !got.Equal(want) {
			t.Fatalf("step %d: peek gave %v, want %v", step, got.Sub(base), want.Sub(base))
		}
		if got, want := q.pop().until, model[0]; !got.Equal(want) {
			t.Fatalf("step %d: pop gave %v, want %v", step, got.Sub(base), want.Sub(base))
		}
		model = model[1:]
	}
	for len(model) > 0 {
		if got := q.pop().until; !got.Equal(model[0]) {
			t.Fatalf("draining: pop gave %v, want %v", got.Sub(base), model[0].Sub(base))
		}
		model = model[1:]
	}
	if len(q) != 0 {
		t.Fatalf("%d entries left after popping every one", len(q))
	}
	q = make(holdQueue, 0, 64)
	if allocs := testing.AllocsPerRun(100, func() {
		q.push(heldEntry{until: base.Add(time.Second)})
		q.push(heldEntry{until: base})
		q.pop()
		q.pop()
	}); allocs != 0 {
		t.Errorf("push and pop made %.1f allocations, want 0", allocs)
	}
}
