package web

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"cmesim/engine"
)

// A facilitator (or the admin who creates an exercise) may schedule its
// start at a real time. The schedule is an engine command, so it is in the
// log: a restart or another server taking the exercise over reads it back
// and arms its own timer. When the time comes, the server that runs the
// exercise sends a start command naming the scheduled time; the engine
// refuses it if the schedule changed meanwhile. The start is thus logged
// like a facilitator's, and a replay needs no clock.

// scheduleActor is the name the scheduled start is logged under
// ("facilitator:schedule").
const scheduleActor = "schedule"

// scheduler arms the timers of scheduled starts and starts exercises when
// their time comes.
type scheduler struct {
	log zerolog.Logger
	// ctx ends when the server closes.
	ctx context.Context
	// now and afterFunc are the wall clock and its timers (Config.Now and
	// Config.AfterFunc).
	now       func() time.Time
	afterFunc func(d time.Duration, f func()) (stop func() bool)
}

// startTimer holds the timer of an exercise's scheduled start.
type startTimer struct {
	mu   sync.Mutex
	stop func() bool
	// after and fire are set by Server.prepareStart.
	now   func() time.Time
	after func(time.Duration, func()) func() bool
	fire  func(at time.Time)
}

// arm replaces the timer by one for at; nil only cancels it.
func (t *startTimer) arm(at *time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
	if at == nil || t.after == nil {
		return
	}
	when := *at
	t.stop = t.after(when.Sub(t.now()), func() { go t.fire(when) })
}

// disarm cancels the timer, if any.
func (t *startTimer) disarm() { t.arm(nil) }

// prepareStart connects le's start timer to the server's clock.
func (sc *scheduler) prepareStart(le *liveExercise) {
	le.start.now = sc.now
	le.start.after = sc.afterFunc
	if le.start.after == nil {
		le.start.after = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	le.start.fire = func(at time.Time) { sc.startScheduled(le, at) }
}

// startScheduled starts le at its scheduled time at.
func (sc *scheduler) startScheduled(le *liveExercise, at time.Time) {
	cmd := engine.Command{Type: engine.CmdStart, By: engine.Principal{Role: engine.RoleFacilitator, Name: scheduleActor}, StartAt: &at}
	cmd = stamp(cmd, time.Now()) // later than at when the server was down then
	evs, err := le.runner.Do(sc.ctx, cmd)
	if err != nil {
		if engine.Code(err) != engine.CodeConflict { // a changed schedule or a start by hand is no news
			sc.log.Warn().Err(err).Str("exercise", le.id).Msg("scheduled start failed")
		}
		return
	}
	if len(evs) > 0 {
		if err := le.persist.wait(sc.ctx, evs[len(evs)-1].Seq); err != nil {
			return
		}
	}
	le.pushStatus(sc.ctx)
	sc.log.Info().Str("exercise", le.id).Time("scheduled", at).Msg("exercise started at its scheduled time")
}

// checkSchedule refuses a schedule_start for a time already past, or too
// far ahead; the engine cannot check it, as it does not read the clock.
func (s *Server) checkSchedule(msg *clientMessage) error {
	if msg.Type != "command" || msg.Command.Type != engine.CmdScheduleStart || msg.Command.StartAt == nil {
		return nil
	}
	return s.schedule.checkStartAt(*msg.Command.StartAt)
}

// checkStartAt refuses a scheduled start in the past or more than
// engine.MaxScheduleAhead ahead.
func (sc *scheduler) checkStartAt(at time.Time) error {
	now := sc.now()
	switch {
	case !at.After(now):
		return engine.Errorf(engine.CodeInvalid, "the scheduled start %s is not in the future", at.Format(time.RFC3339))
	case at.Sub(now) > engine.MaxScheduleAhead:
		return engine.Errorf(engine.CodeInvalid, "the scheduled start %s is more than a year ahead", at.Format(time.RFC3339))
	}
	return nil
}

// scheduleOnCreate records the start time an admin gave when creating
// le (owner, before the exercise is registered).
func (sc *scheduler) scheduleOnCreate(le *liveExercise, at *time.Time) error {
	if at == nil {
		return nil
	}
	cmd := engine.Command{Type: engine.CmdScheduleStart, By: engine.Principal{Role: engine.RoleFacilitator, Name: "setup"}, StartAt: at}
	_, err := le.runner.Do(sc.ctx, cmd)
	return err
}
