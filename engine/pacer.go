package engine

import (
	"context"
	"math"
	"strconv"
	"time"
)

// Clock is the wall clock a Pacer reads. It is the only way wall time enters
// the engine, so tests can substitute a fake, or run RealClock inside a
// testing/synctest bubble where package time is itself fake.
type Clock interface {
	// Now returns the current wall time.
	Now() time.Time
	// NewTimer returns a timer that sends on its channel once d has passed.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot wall-clock timer made by a Clock. Its owner must Stop
// it once it is no longer needed, whether or not it fired.
type Timer interface {
	// C returns the channel the timer sends on when it fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether that stopped
	// it (false: it had already fired or been stopped).
	Stop() bool
}

// RealClock returns a Clock backed by package time. Inside a
// testing/synctest bubble package time runs on the bubble's fake clock, so
// the same Clock serves production and deterministic tests.
func RealClock() Clock { return realClock{} }

// realClock is the Clock backed by package time.
type realClock struct{}

var _ Clock = realClock{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

// realTimer adapts *time.Timer to Timer.
type realTimer struct{ t *time.Timer }

var _ Timer = realTimer{}

func (t realTimer) C() <-chan time.Time { return t.t.C }

func (t realTimer) Stop() bool { return t.t.Stop() }

// maxDuration is the largest virtual time or wait the pacer computes;
// results that would overflow saturate to it.
const maxDuration = time.Duration(math.MaxInt64)

// maxDurationF is maxDuration as a float64 (exactly 2^63): a float product
// at or above it does not fit in a Duration.
const maxDurationF = float64(math.MaxInt64)

// Pacer maps wall time to virtual time for a live exercise: while running,
// virtual time follows the wall clock at a chosen speed; while paused it is
// frozen; the facilitator can change the speed or jump ahead to the next
// inject. At Max speed virtual time does not follow the wall clock at all: it
// moves only when the runner jumps it to the next event (see JumpTo and Wait),
// so a scenario plays as fast as the engine can process it.
//
// Virtual time is computed from an anchor, anchorVirtual +
// (clock.Now()-anchorWall)*speed, and re-anchored on every Pause, Resume,
// SetSpeed and JumpTo, so float error never accumulates across a run.
//
// A Pacer is not safe for concurrent use: the goroutine that owns the
// exercise owns its pacer.
type Pacer struct {
	clock  Clock
	speed  float64 // virtual seconds per wall second; unused when max
	max    bool
	paused bool

	// While running, virtual time is anchorVirtual at wall time anchorWall.
	// While paused (or at Max speed), virtual time is anchorVirtual.
	anchorWall    time.Time
	anchorVirtual time.Duration
}

// NewPacer returns a pacer reading clock c (RealClock if c is nil), paused at
// virtual time 0, so an exercise can be set up before its clock starts.
// Speed is virtual seconds per wall second: 1 is real time, 60 plays one
// virtual minute per wall second. A speed <= 0, NaN or +Inf selects Max
// speed ("as fast as possible").
func NewPacer(c Clock, speed float64) *Pacer {
	if c == nil {
		c = RealClock()
	}
	p := &Pacer{clock: c, paused: true}
	p.setSpeed(speed)
	return p
}

// Now returns the current virtual time: frozen while paused or at Max speed,
// otherwise following the wall clock at the pacer's speed.
func (p *Pacer) Now() time.Duration {
	if p.paused || p.max {
		return p.anchorVirtual
	}
	return p.at(p.clock.Now())
}

// Start begins following the wall clock from the current virtual time. It is
// Resume under the name a facilitator uses for the first time; it does
// nothing if the pacer is already running.
func (p *Pacer) Start() { p.Resume() }

// Resume continues following the wall clock from the virtual time at which
// the pacer was paused, so a pause never skips virtual time. It does nothing
// if the pacer is already running.
func (p *Pacer) Resume() {
	if !p.paused {
		return
	}
	p.paused = false
	p.anchorWall = p.clock.Now()
}

// Pause freezes virtual time at its current value until Resume. It does
// nothing if the pacer is already paused.
func (p *Pacer) Pause() {
	if p.paused {
		return
	}
	p.anchorVirtual = p.at(p.clock.Now())
	p.paused = true
}

// Paused reports whether virtual time is frozen. A new pacer is paused.
func (p *Pacer) Paused() bool { return p.paused }

// SetSpeed changes the speed (see NewPacer for its meaning and Max). Virtual
// time is continuous across the change: the pacer re-anchors at the current
// virtual time, and only time from now on runs at the new speed.
func (p *Pacer) SetSpeed(speed float64) {
	w := p.clock.Now()
	v := p.at(w)
	p.setSpeed(speed)
	p.anchorVirtual, p.anchorWall = v, w
}

// setSpeed records speed, mapping the values that mean Max.
func (p *Pacer) setSpeed(speed float64) {
	p.max = speed <= 0 || math.IsNaN(speed) || math.IsInf(speed, 1)
	if p.max {
		speed = math.Inf(1)
	}
	p.speed = speed
}

// Speed returns the speed in virtual seconds per wall second; +Inf at Max
// speed, whatever value selected it.
func (p *Pacer) Speed() float64 { return p.speed }

// Max reports whether the pacer runs as fast as possible rather than
// following the wall clock.
func (p *Pacer) Max() bool { return p.max }

// JumpTo moves virtual time forward to v, as when the facilitator skips the
// quiet time before the next inject. Virtual time never goes backwards: if v
// is not after Now, JumpTo does nothing. Jumping leaves the pacer paused or
// running as it was.
func (p *Pacer) JumpTo(v time.Duration) {
	w := p.clock.Now()
	if v <= p.at(w) {
		return
	}
	p.anchorVirtual, p.anchorWall = v, w
}

// WallUntil returns how long to wait on the wall clock until virtual time v
// is reached. It returns (0, true) if v has been reached, (0, false) if the
// pacer is paused (no wait can reach v), and (0, true) at Max speed, where
// the runner jumps to v rather than waiting. The wait is rounded up: it is
// the shortest one after which Now() >= v, so a loop that waits and then
// advances the exercise to Now() always makes progress and never spins. A
// wait too long for a Duration saturates at the largest Duration.
func (p *Pacer) WallUntil(v time.Duration) (time.Duration, bool) {
	w := p.clock.Now()
	if v <= p.at(w) {
		return 0, true
	}
	if p.paused {
		return 0, false
	}
	if p.max {
		return 0, true
	}
	// Running and v is ahead: v > at(w) >= anchorVirtual, so need > 0.
	need := v - p.anchorVirtual
	e := p.wallFor(need)
	elapsed := w.Sub(p.anchorWall)
	if elapsed < 0 {
		// The clock stepped back past the anchor: virtual time holds still
		// until the wall clock is back at the anchor, then runs for e.
		return addSat(e, -max(elapsed, -maxDuration)), true
	}
	return max(e-elapsed, 1), true
}

// at returns virtual time at wall time w.
func (p *Pacer) at(w time.Time) time.Duration {
	if p.paused || p.max {
		return p.anchorVirtual
	}
	return addSat(p.anchorVirtual, p.scale(w.Sub(p.anchorWall)))
}

// scale converts a wall duration since the anchor to virtual time since the
// anchor. It is monotonic in e, which wallFor relies on.
func (p *Pacer) scale(e time.Duration) time.Duration {
	if e <= 0 {
		return 0
	}
	f := float64(e) * p.speed
	if f >= maxDurationF {
		return maxDuration
	}
	return time.Duration(f)
}

// wallFor returns the smallest wall duration e since the anchor with
// scale(e) >= need (need > 0), or maxDuration if there is none. The float
// quotient need/speed is off by a few ulps at most; the exact answer is found
// by bisection, starting from a narrow bracket around the quotient.
func (p *Pacer) wallFor(need time.Duration) time.Duration {
	// Invariant: scale(lo) < need <= scale(hi). scale(0) = 0 < need.
	lo, hi := time.Duration(0), maxDuration
	if p.scale(hi) < need {
		return maxDuration
	}
	guess := maxDuration
	if q := math.Ceil(float64(need) / p.speed); q < maxDurationF {
		guess = time.Duration(max(q, 1))
	}
	slack := guess>>40 + 2
	if c := guess - slack; c > lo && p.scale(c) < need {
		lo = c
	}
	if c := addSat(guess, slack); c < hi && p.scale(c) >= need {
		hi = c
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if p.scale(mid) >= need {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// addSat returns a+b for b >= 0, saturating at maxDuration.
func addSat(a, b time.Duration) time.Duration {
	if a > maxDuration-b {
		return maxDuration
	}
	return a + b
}

// WaitResult says why Pacer.Wait returned.
type WaitResult int

// The reasons Pacer.Wait returns.
const (
	// WaitReached: virtual time has reached the target (Now() >= v).
	WaitReached WaitResult = iota + 1
	// WaitWoken: the wake channel received, e.g. a command arrived or the
	// speed changed, and the caller should handle it and wait again.
	WaitWoken
	// WaitCancelled: the context is done.
	WaitCancelled
)

// String returns the name of r, for logs and test failures.
func (r WaitResult) String() string {
	switch r {
	case WaitReached:
		return "reached"
	case WaitWoken:
		return "woken"
	case WaitCancelled:
		return "cancelled"
	}
	return "WaitResult(" + strconv.Itoa(int(r)) + ")"
}

// Wait blocks the live runner until virtual time v is reached, ctx is done,
// or wake receives (a command arrived, the speed changed, the pacer was
// paused or resumed), and says which. If hasNext is false (nothing is
// scheduled) or the pacer is paused, only wake or ctx can end the wait.
//
// A cancelled ctx is reported first, then a pending wake, then an
// already-reached target, so a runner at Max speed still serves commands
// between events. At Max speed, reaching v means jumping to it: Wait
// returns WaitReached with Now() == v at once. Wait creates at most one
// timer and stops it on every path; it starts no goroutines.
func (p *Pacer) Wait(ctx context.Context, v time.Duration, hasNext bool, wake <-chan struct{}) WaitResult {
	if ctx.Err() != nil {
		return WaitCancelled
	}
	select {
	case <-wake:
		return WaitWoken
	default:
	}
	var fired <-chan time.Time
	if hasNext {
		d, ok := p.WallUntil(v)
		if ok && d == 0 {
			if p.max {
				p.JumpTo(v)
			}
			return WaitReached
		}
		if ok {
			t := p.clock.NewTimer(d)
			defer t.Stop()
			fired = t.C()
		}
	}
	select {
	case <-ctx.Done():
		return WaitCancelled
	case <-wake:
		return WaitWoken
	case <-fired:
		return WaitReached
	}
}
