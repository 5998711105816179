package engine_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"cmesim/engine"
)

// pacerTest runs f in a synctest bubble, where time.Sleep advances a fake
// clock at once and engine.RealClock reads it. The bubble fails the test if
// any goroutine f started is still blocked when f returns.
func pacerTest(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, f)
}

// MustStartPacer returns a running pacer at speed on the bubble's clock.
func MustStartPacer(tb testing.TB, speed float64) *engine.Pacer {
	tb.Helper()
	p := engine.NewPacer(engine.RealClock(), speed)
	p.Start()
	return p
}

func TestPacer_Now(t *testing.T) {
	t.Run("StartsPaused", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := engine.NewPacer(engine.RealClock(), 1)
			if !p.Paused() {
				t.Fatal("new pacer is running, want paused")
			}
			time.Sleep(time.Hour)
			if got, want := p.Now(), time.Duration(0); got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("RealTime", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(90 * time.Second)
			if got, want := p.Now(), 90*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("Speed60", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 60)
			time.Sleep(time.Second)
			if got, want := p.Now(), time.Minute; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("StartTwice", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 2)
			time.Sleep(10 * time.Second)
			p.Start() // already running: must not re-anchor or skip
			time.Sleep(5 * time.Second)
			if got, want := p.Now(), 30*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("Max", func(t *testing.T) {
		for _, speed := range []float64{0, -1, math.Inf(1), math.NaN()} {
			t.Run(fmt.Sprint(speed), func(t *testing.T) {
				pacerTest(t, func(t *testing.T) {
					p := MustStartPacer(t, speed)
					if !p.Max() {
						t.Fatalf("Max()=false for speed %v", speed)
					}
					if got := p.Speed(); !math.IsInf(got, 1) {
						t.Fatalf("Speed()=%v, want +Inf", got)
					}
					time.Sleep(time.Hour)
					if got, want := p.Now(), time.Duration(0); got != want {
						t.Fatalf("Now()=%v, want %v (Max does not follow the wall clock)", got, want)
					}
				})
			})
		}
	})

	t.Run("NotMax", func(t *testing.T) {
		p := engine.NewPacer(engine.RealClock(), 0.5)
		if p.Max() {
			t.Fatal("Max()=true for speed 0.5")
		}
		if got, want := p.Speed(), 0.5; got != want {
			t.Fatalf("Speed()=%v, want %v", got, want)
		}
	})
}

func TestPacer_Pause(t *testing.T) {
	t.Run("Freezes", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(10 * time.Second)
			p.Pause()
			if !p.Paused() {
				t.Fatal("Paused()=false after Pause")
			}
			time.Sleep(time.Hour)
			if got, want := p.Now(), 10*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("ResumeContinues", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(10 * time.Second)
			p.Pause()
			time.Sleep(time.Hour)
			p.Resume()
			if p.Paused() {
				t.Fatal("Paused()=true after Resume")
			}
			if got, want := p.Now(), 10*time.Second; got != want {
				t.Fatalf("Now()=%v just after Resume, want %v", got, want)
			}
			time.Sleep(5 * time.Second)
			if got, want := p.Now(), 15*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("PauseTwice", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 3)
			time.Sleep(time.Second)
			p.Pause()
			time.Sleep(time.Second)
			p.Pause()
			p.Resume()
			time.Sleep(time.Second)
			if got, want := p.Now(), 6*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})
}

func TestPacer_SetSpeed(t *testing.T) {
	t.Run("Continuous", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(30 * time.Second)
			p.SetSpeed(60)
			if got, want := p.Now(), 30*time.Second; got != want {
				t.Fatalf("Now()=%v just after SetSpeed, want %v", got, want)
			}
			time.Sleep(time.Second)
			if got, want := p.Now(), 90*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
			p.SetSpeed(0.5)
			time.Sleep(4 * time.Second)
			if got, want := p.Now(), 92*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
			if got, want := p.Speed(), 0.5; got != want {
				t.Fatalf("Speed()=%v, want %v", got, want)
			}
		})
	})

	t.Run("WhilePaused", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(10 * time.Second)
			p.Pause()
			p.SetSpeed(10)
			time.Sleep(time.Hour)
			if got, want := p.Now(), 10*time.Second; got != want {
				t.Fatalf("Now()=%v while paused, want %v", got, want)
			}
			if !p.Paused() {
				t.Fatal("SetSpeed resumed a paused pacer")
			}
			p.Resume()
			time.Sleep(time.Second)
			if got, want := p.Now(), 20*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("ToMaxAndBack", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(10 * time.Second)
			p.SetSpeed(0)
			if !p.Max() {
				t.Fatal("Max()=false after SetSpeed(0)")
			}
			time.Sleep(time.Minute)
			if got, want := p.Now(), 10*time.Second; got != want {
				t.Fatalf("Now()=%v at Max, want %v", got, want)
			}
			p.JumpTo(time.Hour)
			p.SetSpeed(2)
			time.Sleep(time.Second)
			if got, want := p.Now(), time.Hour+2*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})
}

func TestPacer_JumpTo(t *testing.T) {
	t.Run("Forward", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(10 * time.Second)
			p.JumpTo(5 * time.Minute)
			if got, want := p.Now(), 5*time.Minute; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
			time.Sleep(time.Second)
			if got, want := p.Now(), 5*time.Minute+time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("NeverBackwards", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(10 * time.Second)
			p.JumpTo(time.Second)
			if got, want := p.Now(), 10*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
			p.JumpTo(10 * time.Second) // equal: no-op
			time.Sleep(time.Second)
			if got, want := p.Now(), 11*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("WhilePaused", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := engine.NewPacer(engine.RealClock(), 1)
			p.JumpTo(time.Hour)
			if !p.Paused() {
				t.Fatal("JumpTo resumed a paused pacer")
			}
			time.Sleep(time.Minute)
			if got, want := p.Now(), time.Hour; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
			p.Start()
			time.Sleep(time.Minute)
			if got, want := p.Now(), time.Hour+time.Minute; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})
}

func TestPacer_WallUntil(t *testing.T) {
	t.Run("TenTimes", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 10)
			time.Sleep(3 * time.Second)
			v := p.Now() + 10*time.Minute
			d, ok := p.WallUntil(v)
			if !ok {
				t.Fatal("WallUntil ok=false, want true")
			}
			if got, want := d, time.Minute; got != want {
				t.Fatalf("WallUntil=%v, want %v", got, want)
			}
			time.Sleep(d)
			if got, want := p.Now(), v; got != want {
				t.Fatalf("Now()=%v after waiting, want %v", got, want)
			}
		})
	})

	t.Run("Paused", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := engine.NewPacer(engine.RealClock(), 10)
			if d, ok := p.WallUntil(time.Minute); d != 0 || ok {
				t.Fatalf("WallUntil=(%v, %v), want (0, false)", d, ok)
			}
		})
	})

	t.Run("Past", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 10)
			time.Sleep(time.Minute)
			for _, v := range []time.Duration{0, time.Minute, 10 * time.Minute} {
				if d, ok := p.WallUntil(v); d != 0 || !ok {
					t.Fatalf("WallUntil(%v)=(%v, %v), want (0, true)", v, d, ok)
				}
			}
			p.Pause() // reached stays reached while paused
			if d, ok := p.WallUntil(time.Minute); d != 0 || !ok {
				t.Fatalf("paused WallUntil=(%v, %v), want (0, true)", d, ok)
			}
		})
	})

	t.Run("Max", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 0)
			if d, ok := p.WallUntil(time.Hour); d != 0 || !ok {
				t.Fatalf("WallUntil=(%v, %v), want (0, true)", d, ok)
			}
			p.Pause()
			if d, ok := p.WallUntil(time.Hour); d != 0 || ok {
				t.Fatalf("paused WallUntil=(%v, %v), want (0, false)", d, ok)
			}
		})
	})
}

func TestPacer_Wait(t *testing.T) {
	t.Run("Reached", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 10)
			start := time.Now()
			if got, want := p.Wait(t.Context(), 10*time.Minute, true, nil), engine.WaitReached; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := time.Since(start), time.Minute; got != want {
				t.Fatalf("waited %v, want %v", got, want)
			}
			if got, want := p.Now(), 10*time.Minute; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("AlreadyReached", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			time.Sleep(time.Minute)
			start := time.Now()
			if got, want := p.Wait(t.Context(), time.Second, true, nil), engine.WaitReached; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got := time.Since(start); got != 0 {
				t.Fatalf("waited %v, want 0", got)
			}
		})
	})

	t.Run("Woken", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 10)
			wake := make(chan struct{})
			go func() {
				time.Sleep(5 * time.Second)
				wake <- struct{}{}
			}()
			start := time.Now()
			if got, want := p.Wait(t.Context(), 10*time.Minute, true, wake), engine.WaitWoken; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := time.Since(start), 5*time.Second; got != want {
				t.Fatalf("waited %v, want %v", got, want)
			}
			if got, want := p.Now(), 50*time.Second; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("PendingWakeFirst", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 0) // Max: every target is reached at once
			wake := make(chan struct{}, 1)
			wake <- struct{}{}
			if got, want := p.Wait(t.Context(), time.Hour, true, wake), engine.WaitWoken; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := p.Now(), time.Duration(0); got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("Cancelled", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 10)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			go func() {
				time.Sleep(3 * time.Second)
				cancel()
			}()
			start := time.Now()
			if got, want := p.Wait(ctx, 10*time.Minute, true, make(chan struct{})), engine.WaitCancelled; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := time.Since(start), 3*time.Second; got != want {
				t.Fatalf("waited %v, want %v", got, want)
			}
		})
	})

	t.Run("AlreadyCancelled", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			wake := make(chan struct{}, 1)
			wake <- struct{}{}
			if got, want := p.Wait(ctx, 0, true, wake), engine.WaitCancelled; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
		})
	})

	t.Run("NoNext", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			wake := make(chan struct{})
			go func() {
				time.Sleep(time.Hour)
				wake <- struct{}{}
			}()
			start := time.Now()
			// v is in the past, but with nothing scheduled only wake ends the wait.
			if got, want := p.Wait(t.Context(), 0, false, wake), engine.WaitWoken; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := time.Since(start), time.Hour; got != want {
				t.Fatalf("waited %v, want %v", got, want)
			}
		})
	})

	t.Run("Paused", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := engine.NewPacer(engine.RealClock(), 10)
			wake := make(chan struct{})
			go func() {
				time.Sleep(2 * time.Hour)
				wake <- struct{}{}
			}()
			start := time.Now()
			if got, want := p.Wait(t.Context(), time.Minute, true, wake), engine.WaitWoken; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := time.Since(start), 2*time.Hour; got != want {
				t.Fatalf("waited %v, want %v", got, want)
			}
			if got, want := p.Now(), time.Duration(0); got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	t.Run("Max", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, math.Inf(1))
			start := time.Now()
			if got, want := p.Wait(t.Context(), time.Hour, true, nil), engine.WaitReached; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := p.Now(), time.Hour; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
			if got := time.Since(start); got != 0 {
				t.Fatalf("waited %v, want 0", got)
			}
		})
	})

	t.Run("MaxPaused", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := engine.NewPacer(engine.RealClock(), 0)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			if got, want := p.Wait(ctx, time.Hour, true, nil), engine.WaitCancelled; got != want {
				t.Fatalf("Wait=%v, want %v", got, want)
			}
			if got, want := p.Now(), time.Duration(0); got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		})
	})

	// A runner loop "wait for next, then advance to Now()" must reach every
	// target on its first wait at awkward speeds, never spinning.
	t.Run("LoopDoesNotSpin", func(t *testing.T) {
		for _, speed := range []float64{7.3, 0.37, 1.0 / 3} {
			t.Run(fmt.Sprint(speed), func(t *testing.T) {
				pacerTest(t, func(t *testing.T) {
					p := MustStartPacer(t, speed)
					for i := 1; i <= 200; i++ {
						next := time.Duration(i) * (time.Second + 7)
						if got, want := p.Wait(t.Context(), next, true, nil), engine.WaitReached; got != want {
							t.Fatalf("Wait(%v)=%v, want %v", next, got, want)
						}
						if now := p.Now(); now < next {
							t.Fatalf("Now()=%v after Wait(%v) returned reached", now, next)
						}
						if d, ok := p.WallUntil(next); d != 0 || !ok {
							t.Fatalf("WallUntil(%v)=(%v, %v) after reaching it, want (0, true)", next, d, ok)
						}
					}
				})
			})
		}
	})

	// Many interrupted waits leave nothing behind: the bubble fails the test
	// if a goroutine is still blocked when it ends.
	t.Run("NoLeak", func(t *testing.T) {
		pacerTest(t, func(t *testing.T) {
			p := MustStartPacer(t, 1)
			wake := make(chan struct{})
			for range 50 {
				go func() {
					time.Sleep(time.Second)
					wake <- struct{}{}
				}()
				if got, want := p.Wait(t.Context(), time.Hour, true, wake), engine.WaitWoken; got != want {
					t.Fatalf("Wait=%v, want %v", got, want)
				}
			}
			synctest.Wait()
		})
	})
}

func TestWaitResult_String(t *testing.T) {
	for r, want := range map[engine.WaitResult]string{
		engine.WaitReached:   "reached",
		engine.WaitWoken:     "woken",
		engine.WaitCancelled: "cancelled",
		engine.WaitResult(0): "WaitResult(0)",
	} {
		if got := r.String(); got != want {
			t.Errorf("String()=%q, want %q", got, want)
		}
	}
}

// fakeClock is a hand-driven Clock: time moves only on Advance.
type fakeClock struct {
	now    time.Time
	timers []*fakeTimer
	// onTimer, if set, runs when a timer is created, to drive Wait without
	// goroutines.
	onTimer func(*fakeTimer)
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)}
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

func (c *fakeClock) NewTimer(d time.Duration) engine.Timer {
	tm := &fakeTimer{clock: c, d: d, c: make(chan time.Time, 1)}
	c.timers = append(c.timers, tm)
	if c.onTimer != nil {
		c.onTimer(tm)
	}
	return tm
}

// fakeTimer is a timer of fakeClock; it fires only when Fire is called.
type fakeTimer struct {
	clock   *fakeClock
	d       time.Duration
	c       chan time.Time
	fired   bool
	stopped bool
}

// Fire advances the clock by the timer's duration and fires it.
func (tm *fakeTimer) Fire() {
	tm.clock.Advance(tm.d)
	tm.fired = true
	tm.c <- tm.clock.now
}

func (tm *fakeTimer) C() <-chan time.Time { return tm.c }

func (tm *fakeTimer) Stop() bool {
	active := !tm.fired && !tm.stopped
	tm.stopped = true
	return active
}

// A plain unit check, without synctest: after waiting WallUntil(v) on the
// wall clock, Now() >= v, and one nanosecond less would not do.
func TestPacer_WallUntil_Rounding(t *testing.T) {
	speeds := []float64{7.3, 0.37, 1.1, 1.0 / 3, 2.5e-3, 59.94, 1234.5, 1e9}
	offsets := []time.Duration{0, 1, 333_333_333, 17*time.Minute + 1}
	deltas := []time.Duration{1, 7, 999_999_999, 10*time.Minute + 3, 36*time.Hour + 123, 1000 * time.Hour}
	for _, speed := range speeds {
		t.Run(fmt.Sprint(speed), func(t *testing.T) {
			for _, off := range offsets {
				for _, delta := range deltas {
					c := newFakeClock()
					p := engine.NewPacer(c, 1)
					p.Start()
					c.Advance(off)
					p.SetSpeed(speed) // anchor at an awkward virtual time
					c.Advance(off)
					if p.Now() > math.MaxInt64-delta {
						continue // virtual time saturated (1e9 × 17m): no target beyond it
					}
					v := p.Now() + delta
					d, ok := p.WallUntil(v)
					if !ok || d <= 0 {
						t.Fatalf("off=%v delta=%v: WallUntil=(%v, %v), want a positive wait", off, delta, d, ok)
					}
					c.Advance(d - 1)
					if now := p.Now(); now >= v {
						t.Fatalf("off=%v delta=%v: Now()=%v >= %v one ns before the wait of %v ends: wait not the shortest", off, delta, now, v, d)
					}
					c.Advance(1)
					if now := p.Now(); now < v {
						t.Fatalf("off=%v delta=%v: Now()=%v < %v after waiting %v", off, delta, now, v, d)
					}
					if d, ok := p.WallUntil(v); d != 0 || !ok {
						t.Fatalf("off=%v delta=%v: WallUntil after the wait=(%v, %v), want (0, true)", off, delta, d, ok)
					}
				}
			}
		})
	}
}

func TestPacer_FakeClock(t *testing.T) {
	t.Run("NilClockIsReal", func(t *testing.T) {
		p := engine.NewPacer(nil, 1)
		p.Start()
		if now := p.Now(); now < 0 || now > time.Hour {
			t.Fatalf("Now()=%v, want about 0", now)
		}
	})

	t.Run("ClockStepsBack", func(t *testing.T) {
		c := newFakeClock()
		p := engine.NewPacer(c, 1)
		p.Start()
		c.Advance(-5 * time.Second)
		if got, want := p.Now(), time.Duration(0); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
		d, ok := p.WallUntil(time.Second)
		if got, want := d, 6*time.Second; !ok || got != want {
			t.Fatalf("WallUntil=(%v, %v), want (%v, true)", got, ok, want)
		}
		c.Advance(d)
		if got, want := p.Now(), time.Second; got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})

	t.Run("Saturates", func(t *testing.T) {
		c := newFakeClock()
		p := engine.NewPacer(c, 1e12)
		p.Start()
		c.Advance(1000 * time.Hour)
		if got, want := p.Now(), time.Duration(math.MaxInt64); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})

	// Wait stops its timer on every path; the fake drives each path without
	// goroutines.
	t.Run("WaitStopsTimer", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			want engine.WaitResult
			// on runs when Wait creates its timer.
			on func(tm *fakeTimer, wake chan struct{}, cancel context.CancelFunc)
		}{
			{"Reached", engine.WaitReached, func(tm *fakeTimer, _ chan struct{}, _ context.CancelFunc) { tm.Fire() }},
			{"Woken", engine.WaitWoken, func(_ *fakeTimer, wake chan struct{}, _ context.CancelFunc) { wake <- struct{}{} }},
			{"Cancelled", engine.WaitCancelled, func(_ *fakeTimer, _ chan struct{}, cancel context.CancelFunc) { cancel() }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c := newFakeClock()
				p := engine.NewPacer(c, 7.3)
				p.Start()
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				wake := make(chan struct{}, 1)
				c.onTimer = func(tm *fakeTimer) { tt.on(tm, wake, cancel) }
				v := 10*time.Minute + 1
				if got, want := p.Wait(ctx, v, true, wake), tt.want; got != want {
					t.Fatalf("Wait=%v, want %v", got, want)
				}
				if got, want := len(c.timers), 1; got != want {
					t.Fatalf("timers created=%d, want %d", got, want)
				}
				if !c.timers[0].stopped {
					t.Fatal("timer not stopped")
				}
				if tt.want == engine.WaitReached && p.Now() < v {
					t.Fatalf("Now()=%v < %v after reached", p.Now(), v)
				}
			})
		}
	})

	t.Run("WaitNoTimerWhenNotNeeded", func(t *testing.T) {
		c := newFakeClock()
		p := engine.NewPacer(c, 0) // Max
		p.Start()
		if got, want := p.Wait(t.Context(), time.Hour, true, nil), engine.WaitReached; got != want {
			t.Fatalf("Wait=%v, want %v", got, want)
		}
		if got := len(c.timers); got != 0 {
			t.Fatalf("timers created=%d, want 0", got)
		}
	})
}
