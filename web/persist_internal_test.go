package web

import (
	"context"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/store"
)

// TestPersisterWritesBySteps: a persister whose exercise tells it when a
// step is over (bySteps) leaves its writer asleep while the step's events
// are added and wakes it once, at the end; otherwise every add wakes it.
// A step that added nothing wakes no one.
func TestPersisterWritesBySteps(t *testing.T) {
	for _, bySteps := range []bool{false, true} {
		// The writer is not started: the store is never called.
		p := newPersister(struct{ store.Store }{}, "x", 0, zerolog.Nop())
		p.bySteps = bySteps
		p.add(engine.Event{Seq: 1})
		p.add(engine.Event{Seq: 2})
		if woken := len(p.wake) == 1; woken == bySteps {
			t.Errorf("bySteps %v: writer woken by the adds: %v", bySteps, woken)
		}
		p.settled()
		if len(p.wake) != 1 {
			t.Errorf("bySteps %v: the end of the step did not wake the writer", bySteps)
		}
		if got := len(p.queue); got != 2 {
			t.Errorf("bySteps %v: %d events queued, want 2", bySteps, got)
		}
		<-p.wake
		p.settled() // a step that added nothing
		if len(p.wake) != 0 {
			t.Errorf("bySteps %v: a step without events woke the writer", bySteps)
		}
	}
}

// appendRecorder is a store that records what it is asked to append.
type appendRecorder struct {
	store.Store
	batches [][]uint64
}

func (a *appendRecorder) Append(_ context.Context, _ string, events []engine.Event) error {
	var seqs []uint64
	for _, e := range events {
		seqs = append(seqs, e.Seq)
	}
	a.batches = append(a.batches, seqs)
	return nil
}

// TestPersisterWritesWholeSteps: a writer already awake when a step's
// first events arrive writes only the steps that are over, and the rest
// once the step ends.
func TestPersisterWritesWholeSteps(t *testing.T) {
	st := &appendRecorder{}
	p := newPersister(st, "x", 0, zerolog.Nop())
	p.bySteps = true
	p.add(engine.Event{Seq: 1})
	p.add(engine.Event{Seq: 2})
	p.settled()
	p.add(engine.Event{Seq: 3}) // a step under way
	p.flush(context.Background())
	if want := [][]uint64{{1, 2}}; !slices.EqualFunc(st.batches, want, slices.Equal) {
		t.Fatalf("wrote %v, want %v", st.batches, want)
	}
	if p.durable != 2 {
		t.Errorf("durable up to %d, want 2", p.durable)
	}
	p.add(engine.Event{Seq: 4})
	p.settled()
	p.flush(context.Background())
	if want := [][]uint64{{1, 2}, {3, 4}}; !slices.EqualFunc(st.batches, want, slices.Equal) {
		t.Fatalf("wrote %v, want %v", st.batches, want)
	}
}
