package engine

import (
	"bytes"
	"fmt"

	"cmesim/scenarios"
)

// Commands extracts the command log from an event log: every command a
// person sent, with the virtual time it was applied. Commands of simulated
// teams are left out because a replay regenerates them.
func Commands(events []Event) []TimedCommand {
	var out []TimedCommand
	for _, e := range events {
		if c := e.Data.Command; c != nil && c.By.Role != RoleSimulated {
			out = append(out, TimedCommand{At: e.At, Command: *c})
		}
	}
	return out
}

// Fold rebuilds the state of an exercise from its event log alone.
func Fold(s *scenarios.Scenario, events []Event) (*State, error) {
	if len(events) == 0 || events[0].Type != EventCreated {
		return nil, Errorf(CodeInvalid, "the log does not start with %s", EventCreated)
	}
	st := NewState(s, events[0].Data.Humans)
	for i := range events {
		if events[i].Seq != uint64(i)+1 {
			return nil, Errorf(CodeInvalid, "event %d has sequence number %d: the log has a gap or a duplicate", i+1, events[i].Seq)
		}
		st.Apply(&events[i])
	}
	return st, nil
}

// Rerun runs the exercise again from the seed, the initial teams and the
// command log recorded in events, and checks that it reproduces the log
// exactly. It is how a store rebuilds a live exercise after a restart.
func Rerun(s *scenarios.Scenario, events []Event, onEvent func(Event)) (*Exercise, error) {
	if len(events) == 0 || events[0].Type != EventCreated {
		return nil, Errorf(CodeInvalid, "the log does not start with %s", EventCreated)
	}
	created := events[0].Data
	x, err := New(s, Options{Seed: created.Seed, Humans: created.Humans})
	if err != nil {
		return nil, err
	}
	for _, c := range Commands(events) {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			return nil, Errorf(CodeInternal, "replaying %s at %v: %v", c.Command.Type, c.At, err)
		}
	}
	last := events[len(events)-1].At
	x.AdvanceTo(last)
	if len(x.log) < len(events) {
		return nil, Errorf(CodeInternal, "replay produced %d events, the log has %d", len(x.log), len(events))
	}
	want, _ := MarshalLog(events)
	got, _ := MarshalLog(x.log[:len(events)])
	if !bytes.Equal(got, want) {
		return nil, Errorf(CodeInternal, "replay diverges from the log: %s", firstDifference(x.log, events))
	}
	x.opts.OnEvent = onEvent
	return x, nil
}

func firstDifference(got, want []Event) string {
	for i := range want {
		a, _ := MarshalLog(got[i : i+1])
		b, _ := MarshalLog(want[i : i+1])
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("event %d: got %s want %s", i+1, bytes.TrimSpace(a), bytes.TrimSpace(b))
		}
	}
	return "none"
}
