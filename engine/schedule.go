package engine

import "time"

// CmdScheduleStart sets (StartAt) or cancels (no StartAt) the real time at
// which the server starts an exercise that has not started. The schedule
// is only recorded here: the server that runs the exercise sends the
// start command when the time comes, so the start is in the log as any
// other and a replay needs no clock.
const CmdScheduleStart CommandType = "schedule_start"

// EventStartScheduled records a facilitator's schedule of the start, or
// its cancellation (no StartAt).
const EventStartScheduled EventType = "exercise.start_scheduled"

// MaxScheduleAhead is how far ahead a start may be scheduled.
const MaxScheduleAhead = 366 * 24 * time.Hour

// scheduleStart validates and records a schedule_start command. The
// engine does not read the wall clock (a replay must not depend on it), so
// whether the time is in the future is the server's check.
func (x *Exercise) scheduleStart(cmd Command) error {
	if cmd.StartAt == nil && x.st.ScheduledStart == nil {
		return Errorf(CodeConflict, "no start is scheduled")
	}
	d := Details{}
	if cmd.StartAt != nil {
		at := cmd.StartAt.UTC().Truncate(time.Second)
		if at.Year() < 2000 || at.Year() > 2200 {
			return Errorf(CodeInvalid, "the scheduled start %s is not a plausible date", cmd.StartAt.Format(time.RFC3339))
		}
		d.StartAt = &at
		cmd.StartAt = &at // the log keeps the time as the engine reads it
	}
	x.emit(cmdEvent(EventStartScheduled, cmd, "", []string{Everyone}, d))
	return nil
}

// checkScheduledStart refuses a start that names the scheduled time
// (StartAt, as the server's timer sends it) when the schedule has since
// changed or been cancelled: a timer that fired late must not start an
// exercise the facilitator rescheduled.
func (x *Exercise) checkScheduledStart(cmd Command) error {
	if cmd.StartAt == nil {
		return nil
	}
	if x.st.ScheduledStart == nil || !x.st.ScheduledStart.Equal(*cmd.StartAt) {
		return Errorf(CodeConflict, "the scheduled start changed")
	}
	return nil
}

// ScheduledStart returns the start a log leaves scheduled: the time of its
// last schedule_start, unless that was a cancellation or the exercise has
// started since; nil otherwise.
func ScheduledStart(events []Event) *time.Time {
	var at *time.Time
	for i := range events {
		switch events[i].Type {
		case EventStartScheduled:
			at = events[i].Data.StartAt
		case EventStarted:
			at = nil
		}
	}
	return at
}
