package web

import (
	"context"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/store"
)

// TestPersisterWakesAtStepEnds: the writer stays asleep while a step's
// events are added and is woken once the step is over; a step that added
// nothing wakes no one.
func TestPersisterWakesAtStepEnds(t *testing.T) {
	// The writer is not started: the store is never called.
	p := newPersister(struct{ store.Store }{}, "x", 0, zerolog.Nop())
	p.add(engine.Event{Seq: 1})
	p.add(engine.Event{Seq: 2})
	if len(p.wake) != 0 {
		t.Error("the writer was woken before the step was over")
	}
	p.settled()
	if len(p.wake) != 1 {
		t.Error("the end of the step did not wake the writer")
	}
	if got := len(p.queue); got != 2 {
		t.Errorf("%d events queued, want 2", got)
	}
	<-p.wake
	p.settled() // a step that added nothing
	if len(p.wake) != 0 {
		t.Error("a step without events woke the writer")
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
