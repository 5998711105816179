package engine_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// startRunner runs the example scenario live at the given speed inside a
// synctest bubble, with co-csirt played by humans.
func startRunner(t *testing.T, speed float64) (*engine.Runner, context.CancelFunc, chan error) {
	t.Helper()
	x, err := engine.New(MustLoad(t, exampleFile), engine.Options{Seed: 1, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.NewRunner(x, engine.NewPacer(engine.RealClock(), speed))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return r, cancel, done
}

func delivered(t *testing.T, r *engine.Runner, team, inject string) bool {
	t.Helper()
	var ok bool
	if err := r.Inspect(context.Background(), func(x *engine.Exercise) { _, ok = x.State().Delivered(team, inject) }); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestRunner(t *testing.T) {
	t.Run("PacedDelivery", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, cancel, done := startRunner(t, 60) // one virtual minute per second
			defer cancel()
			if _, err := r.Do(context.Background(), facilitator(engine.CmdStart)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(9 * time.Second) // T+0:09
			if delivered(t, r, "co-csirt", "I01") {
				t.Fatal("I01 (due at T+0:10) delivered at T+0:09")
			}
			time.Sleep(2 * time.Second) // T+0:11
			if !delivered(t, r, "co-csirt", "I01") {
				t.Fatal("I01 not delivered by T+0:11")
			}
			evs, err := r.Do(context.Background(), trainee("co-csirt", engine.CmdAcknowledge, "I01"))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := evs[0].At, 11*time.Minute; got != want {
				t.Fatalf("acknowledged at %v, want %v", got, want)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("Run returned %v, want context.Canceled", err)
			}
		})
	})
	t.Run("PauseStopsTheClock", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, cancel, done := startRunner(t, 60)
			defer cancel()
			ctx := context.Background()
			r.Do(ctx, facilitator(engine.CmdStart))
			time.Sleep(5 * time.Second)
			if _, err := r.Do(ctx, facilitator(engine.CmdPause)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Hour)
			if delivered(t, r, "co-csirt", "I01") {
				t.Fatal("an inject was delivered while paused")
			}
			_, err := r.Do(ctx, trainee("co-csirt", engine.CmdAcknowledge, "I01"))
			if engine.Code(err) == "" {
				t.Fatal("a trainee command succeeded while paused")
			}
			r.Do(ctx, facilitator(engine.CmdResume))
			time.Sleep(6 * time.Second)
			if !delivered(t, r, "co-csirt", "I01") {
				t.Fatal("I01 not delivered 6s after resuming at T+0:05")
			}
			cancel()
			<-done
		})
	})
	t.Run("HoldFreezesTheClockWithoutAnEvent", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, cancel, done := startRunner(t, 60)
			defer cancel()
			ctx := context.Background()
			r.Do(ctx, facilitator(engine.CmdStart))
			time.Sleep(5 * time.Second) // T+0:05
			var before int
			r.Inspect(ctx, func(x *engine.Exercise) { before = len(x.Events()) })
			if err := r.Hold(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Hour)
			var now time.Duration
			var status engine.Status
			var after int
			r.Inspect(ctx, func(x *engine.Exercise) { now, status, after = x.Now(), x.State().Status, len(x.Events()) })
			if now != 5*time.Minute || status != engine.StatusRunning || after != before {
				t.Fatalf("held for an hour: clock %v, status %s, %d events (was %d); want T+0:05, running, no new event", now, status, after, before)
			}
			if _, err := r.JumpToNext(ctx); engine.Code(err) != engine.CodeConflict {
				t.Fatalf("jump while held: %v, want conflict", err)
			}
			// A resume while held (of a pause made meanwhile) does not start
			// the clock either.
			r.Do(ctx, facilitator(engine.CmdPause))
			r.Do(ctx, facilitator(engine.CmdResume))
			time.Sleep(time.Hour)
			if delivered(t, r, "co-csirt", "I01") {
				t.Fatal("I01 (due at T+0:10) delivered while the clock was held")
			}
			if err := r.Release(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(6 * time.Second)
			if !delivered(t, r, "co-csirt", "I01") {
				t.Fatal("I01 not delivered 6s after the release at T+0:05")
			}
			cancel()
			<-done
		})
	})
	t.Run("ReleaseKeepsAPausedExercisePaused", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, cancel, done := startRunner(t, 60)
			defer cancel()
			ctx := context.Background()
			r.Do(ctx, facilitator(engine.CmdStart))
			r.Do(ctx, facilitator(engine.CmdPause))
			r.Hold(ctx)
			r.Release(ctx)
			time.Sleep(time.Hour)
			if delivered(t, r, "co-csirt", "I01") {
				t.Fatal("a release started the clock of a paused exercise")
			}
			cancel()
			<-done
		})
	})
	t.Run("RunsToTheEnd", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, _, done := startRunner(t, 3600) // an hour a second: 2h in 2s
			r.Do(context.Background(), facilitator(engine.CmdStart))
			time.Sleep(3 * time.Second)
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run returned %v, want nil at the end", err)
				}
			default:
				t.Fatal("Run still running after the planned duration")
			}
			if _, err := r.Do(context.Background(), facilitator(engine.CmdPause)); engine.Code(err) != engine.CodeConflict {
				t.Fatalf("command after the end: %v, want conflict", err)
			}
		})
	})
	t.Run("JumpToNext", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, cancel, done := startRunner(t, 1)
			defer cancel()
			if _, err := r.JumpToNext(context.Background()); engine.Code(err) != engine.CodeConflict {
				t.Fatalf("jump before start: %v, want conflict", err)
			}
			r.Do(context.Background(), facilitator(engine.CmdStart))
			seq, err := r.JumpToNext(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var now time.Duration
			var last uint64
			r.Inspect(context.Background(), func(x *engine.Exercise) { now, last = x.Now(), x.State().Seq })
			if now != 10*time.Minute {
				t.Fatalf("jumped to %v, want %v (I01)", now, 10*time.Minute)
			}
			if seq != last || seq < 3 {
				t.Fatalf("jump returned seq %d, the log ends at %d", seq, last)
			}
			if !delivered(t, r, "co-csirt", "I01") {
				t.Fatal("I01 not delivered after the jump")
			}
			cancel()
			<-done
		})
	})
	t.Run("MaxSpeed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r, _, done := startRunner(t, 0)
			r.Do(context.Background(), facilitator(engine.CmdStart))
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestRunnerWithdrawn shows that a request whose sender gives up while it
// waits for the runner is never run: the function of an Inspect given up
// never touches the exercise, and the command of a Do given up is not
// applied.
func TestRunnerWithdrawn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, cancel, _ := startRunner(t, 1)
		defer cancel()
		// Keep the runner busy so that the next requests wait in its queue.
		busy, release := make(chan struct{}), make(chan struct{})
		go r.Inspect(context.Background(), func(*engine.Exercise) { close(busy); <-release })
		<-busy
		gone, giveUp := context.WithCancel(context.Background())
		ran := false
		errs := make(chan error, 2)
		go func() { errs <- r.Inspect(gone, func(*engine.Exercise) { ran = true }) }()
		go func() { _, err := r.Do(gone, facilitator(engine.CmdStart)); errs <- err }()
		synctest.Wait() // both are queued behind the busy one
		giveUp()
		for range 2 {
			if err := <-errs; !errors.Is(err, context.Canceled) {
				t.Fatalf("a request given up returned %v, want context.Canceled", err)
			}
		}
		close(release)
		var status engine.Status
		if err := r.Inspect(context.Background(), func(x *engine.Exercise) { status = x.State().Status }); err != nil {
			t.Fatal(err)
		}
		if ran {
			t.Error("the function of an Inspect given up ran")
		}
		if status != engine.StatusReady {
			t.Errorf("status %s after a start given up, want %s", status, engine.StatusReady)
		}
		if err := r.Inspect(gone, func(*engine.Exercise) {}); !errors.Is(err, context.Canceled) {
			t.Errorf("Inspect with a context already done: %v", err)
		}
	})
}

// TestRunnerInspectWhenStopping queues an Inspect on a runner that then
// stops without serving it: Inspect must fail, not return nil as if fn had
// run.
func TestRunnerInspectWhenStopping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x, err := engine.New(MustLoad(t, exampleFile), engine.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		r := engine.NewRunner(x, engine.NewPacer(engine.RealClock(), 1))
		ran := false
		result := make(chan error, 1)
		go func() { result <- r.Inspect(context.Background(), func(*engine.Exercise) { ran = true }) }()
		synctest.Wait() // the request is queued; nobody serves it yet
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r.Run(ctx) // stops at once, failing what is queued
		if err := <-result; err == nil || ran {
			t.Fatalf("Inspect on a runner that stopped first: err %v, fn ran %v; want an error and fn not run", err, ran)
		}
	})
}

// TestRunnerOnSettled: the runner calls its OnSettled function only
// between steps — never between two events of one command — once after
// each command, and once more when it stops, so that a writer of the log
// that waits for it writes a step's events together.
func TestRunnerOnSettled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x, err := engine.New(MustLoad(t, exampleFile), engine.Options{Seed: 1, Humans: []string{"co-csirt", "pe-csirt"}})
		if err != nil {
			t.Fatal(err)
		}
		// Both are touched only on the runner's goroutine until Run returns.
		var last uint64
		var settled []uint64
		x.SetOnEvent(func(e engine.Event) { last = e.Seq })
		r := engine.NewRunner(x, engine.NewPacer(engine.RealClock(), 60))
		r.OnSettled(func() { settled = append(settled, last) })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()

		var steps [][]engine.Event
		for _, c := range []engine.Command{facilitator(engine.CmdStart), adHocToAll()} {
			evs, err := r.Do(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			steps = append(steps, evs)
		}
		if n := len(steps[1]); n < 3 {
			t.Fatalf("an ad-hoc inject to both teams made %d events, want at least 3", n)
		}
		cancel()
		<-done
		stopped := last
		for _, evs := range steps {
			first, end := evs[0].Seq, evs[len(evs)-1].Seq
			for _, s := range settled {
				if s >= first && s < end {
					t.Errorf("settled after event %d, in the middle of a step's events %d–%d (settled at %v)", s, first, end, settled)
				}
			}
			if !slices.Contains(settled, end) {
				t.Errorf("never settled after the step that ended with event %d (settled at %v)", end, settled)
			}
		}
		if settled[len(settled)-1] != stopped {
			t.Errorf("the last call came after event %d, want one when the runner stopped, after %d", settled[len(settled)-1], stopped)
		}
	})
}

// adHocToAll is an ad-hoc inject from the facilitator to every team.
func adHocToAll() engine.Command {
	c := facilitator(engine.CmdSendInject)
	c.AdHoc = &engine.AdHocInject{Title: "Regulator calls", Body: "Any data of citizens?", Channel: "phone", To: []string{scenarios.ToAll}}
	return c
}
