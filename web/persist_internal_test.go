package web

import (
	"testing"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/store"
)

// TestPersisterWritesBySteps: a persister whose exercise tells it when a
// step is over (bySteps) leaves its writer asleep while the step's events
// are added and wakes it once, at the end; otherwise every add wakes it.
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
	}
}
