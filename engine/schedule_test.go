package engine_test

import (
	"testing"
	"time"

	"cmesim/engine"
)

func scheduleAt(at *time.Time) engine.Command {
	c := facilitator(engine.CmdScheduleStart)
	c.StartAt = at
	return c
}

// TestScheduleStart checks that a schedule is recorded, changed and
// cancelled, that only a facilitator may set it and only before the start,
// that the start clears it, and that a replay of the log gives the same.
func TestScheduleStart(t *testing.T) {
	s := MustLoad(t, exampleFile)
	x, err := engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 5, 12, 13, 30, 0, 0, time.UTC)
	evs := MustApply(t, x, 0, scheduleAt(&first))
	if len(evs) != 1 || evs[0].Type != engine.EventStartScheduled || !evs[0].Data.StartAt.Equal(first) {
		t.Fatalf("events %+v", evs)
	}
	if got := x.State().ScheduledStart; got == nil || !got.Equal(first) {
		t.Fatalf("ScheduledStart %v, want %v", got, first)
	}
	// A change replaces the time; a time with a zone is kept as the same
	// instant, in UTC, to the second.
	later := time.Date(2026, 5, 12, 9, 45, 0, 900, time.FixedZone("COT", -5*3600))
	MustApply(t, x, 0, scheduleAt(&later))
	if got := x.State().ScheduledStart; got == nil || !got.Equal(later.Truncate(time.Second)) || got.Location() != time.UTC {
		t.Fatalf("ScheduledStart %v after a change, want %v in UTC", got, later)
	}
	// Only a facilitator schedules.
	bad := scheduleAt(&first)
	bad.By = engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	if _, err := x.ApplyAt(0, bad); engine.Code(err) != engine.CodeForbidden {
		t.Errorf("a trainee's schedule: err %v, want forbidden", err)
	}
	// A cancel clears it; a second cancel has nothing to cancel.
	MustApply(t, x, 0, scheduleAt(nil))
	if x.State().ScheduledStart != nil {
		t.Fatal("cancel left a schedule")
	}
	if _, err := x.ApplyAt(0, scheduleAt(nil)); engine.Code(err) != engine.CodeConflict {
		t.Errorf("cancel without a schedule: err %v, want conflict", err)
	}
	// The start clears a schedule, and nothing can be scheduled after it.
	MustApply(t, x, 0, scheduleAt(&first))
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	if x.State().ScheduledStart != nil {
		t.Error("the start left a schedule")
	}
	if _, err := x.ApplyAt(time.Minute, scheduleAt(&first)); engine.Code(err) != engine.CodeConflict {
		t.Errorf("schedule after the start: err %v, want conflict", err)
	}
	y, err := engine.Rerun(s, x.Events(), nil)
	if err != nil {
		t.Fatalf("Rerun: %v", err)
	}
	if len(y.Events()) != len(x.Events()) || y.State().Status != engine.StatusRunning {
		t.Errorf("replay: %d events, status %s; want %d, running", len(y.Events()), y.State().Status, len(x.Events()))
	}
}

func TestScheduleStartRefusesImplausibleDates(t *testing.T) {
	x, err := engine.New(MustLoad(t, exampleFile), engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	zero := time.Time{}
	if _, err := x.ApplyAt(0, scheduleAt(&zero)); engine.Code(err) != engine.CodeInvalid {
		t.Errorf("year 1: err %v, want invalid", err)
	}
}
