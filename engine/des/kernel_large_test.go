package des_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"cmesim/engine/des"
)

// seqEvent is an event as the large tests expect it: seq is its scheduling
// order, which breaks ties of time and priority.
type seqEvent struct {
	id   des.EventID
	at   time.Duration
	prio int32
	seq  int
}

// sortBySchedule sorts events in the order the kernel must dispatch them.
func sortBySchedule(evs []seqEvent) {
	slices.SortFunc(evs, func(a, b seqEvent) int {
		switch {
		case a.at != b.at:
			return int(a.at - b.at)
		case a.prio != b.prio:
			return int(a.prio - b.prio)
		default:
			return a.seq - b.seq
		}
	})
}

// checkDrain steps k until it is empty and checks the events against want.
func checkDrain(t *testing.T, k *des.Kernel[int], want []seqEvent) {
	t.Helper()
	for i, w := range want {
		got, ok := k.Step()
		if !ok {
			t.Fatalf("event %d of %d: kernel is empty", i, len(want))
		}
		if got.ID != w.id || got.At != w.at || got.Priority != w.prio || got.Payload != w.seq {
			t.Fatalf("event %d: got %+v, want %+v", i, got, w)
		}
	}
	if ev, ok := k.Step(); ok {
		t.Fatalf("extra event %+v after %d", ev, len(want))
	}
}

// TestKernel_TieOrderLarge checks, with 20,000 events on 16 times and 3
// priorities (so that siblings in the heap often share a time), that
// events with the same time and priority fire in scheduling order, also
// for events scheduled after half of the first ones have fired.
func TestKernel_TieOrderLarge(t *testing.T) {
	const n = 20000
	r := rand.New(rand.NewPCG(3, 4))
	k := des.New[int]()
	var want []seqEvent
	seq := 0
	schedule := func(base time.Duration) {
		for range n {
			seq++
			e := seqEvent{at: base + time.Duration(r.IntN(16))*time.Millisecond, prio: int32(r.IntN(3)), seq: seq}
			e.id = k.Schedule(e.at, e.prio, e.seq)
			want = append(want, e)
		}
	}
	schedule(0)
	sortBySchedule(want)
	for i, w := range want[:n/2] {
		got, _ := k.Step()
		if got.ID != w.id || got.Payload != w.seq {
			t.Fatalf("event %d: got %+v, want %+v", i, got, w)
		}
	}
	want = want[n/2:]
	schedule(k.Now())
	if got, want := k.Pending(), len(want); got != want {
		t.Fatalf("Pending()=%d, want %d", got, want)
	}
	sortBySchedule(want)
	checkDrain(t, k, want)
}

// TestKernel_CancelAfterReorderingLarge runs the hold model on 10,000
// events (some sharing a time) long enough to move every event in the heap
// many times, then cancels a third of the pending events and a few that
// have fired, and checks what Cancel reports and the order of the rest.
func TestKernel_CancelAfterReorderingLarge(t *testing.T) {
	const n = 10000
	r := rand.New(rand.NewPCG(5, 6))
	k := des.New[int]()
	pending := make(map[des.EventID]seqEvent)
	var fired []des.EventID
	seq := 0
	schedule := func(at time.Duration) {
		seq++
		e := seqEvent{at: max(at, k.Now()), prio: int32(r.IntN(4)), seq: seq}
		e.id = k.Schedule(at, e.prio, e.seq)
		pending[e.id] = e
	}
	for range n {
		schedule(time.Duration(r.IntN(5000)) * time.Microsecond)
	}
	for range 10 * n {
		ev, _ := k.Step()
		if _, ok := pending[ev.ID]; !ok {
			t.Fatalf("event %+v fired but is not pending", ev)
		}
		delete(pending, ev.ID)
		fired = append(fired, ev.ID)
		schedule(k.Now() + time.Duration(r.IntN(1000))*time.Microsecond)
	}
	ids := make([]des.EventID, 0, len(pending))
	for id := range pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for i, id := range ids {
		if i%3 != 0 {
			continue
		}
		if !k.Cancel(id) {
			t.Fatalf("Cancel(%d) of a pending event=false", id)
		}
		if k.Cancel(id) {
			t.Fatalf("second Cancel(%d)=true", id)
		}
		delete(pending, id)
	}
	for _, id := range fired[:100] {
		if k.Cancel(id) {
			t.Fatalf("Cancel(%d) of a fired event=true", id)
		}
	}
	if got, want := k.Pending(), len(pending); got != want {
		t.Fatalf("Pending()=%d, want %d", got, want)
	}
	want := make([]seqEvent, 0, len(pending))
	for _, e := range pending {
		want = append(want, e)
	}
	sortBySchedule(want)
	checkDrain(t, k, want)
}
