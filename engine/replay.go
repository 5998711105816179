package engine

import (
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
	st := NewState(s, events[0].Data.Creation().Humans)
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
	return rerun(s, events, LogVersion, onEvent)
}

// rerun is Rerun for a log written by version (see RerunLog).
func rerun(s *scenarios.Scenario, events []Event, version int, onEvent func(Event)) (*Exercise, error) {
	if len(events) == 0 || events[0].Type != EventCreated {
		return nil, Errorf(CodeInvalid, "the log does not start with %s", EventCreated)
	}
	created := events[0].Data.Creation()
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
	if diff := reproduces(x.log[:len(events)], events, version); diff != "" {
		return nil, Errorf(CodeInternal, "replay diverges from the log: %s", diff)
	}
	if version < LogVersion {
		copy(x.log, events) // the log is the stored one, as it was recorded
		x.logVersion = version
	}
	x.opts.OnEvent = onEvent
	return x, nil
}

// Follow extends an exercise rebuilt by Rerun with the events that continue
// its log, as another server writes them: it applies their commands at
// their times, plays the clock up to the last one, and checks that the
// result reproduces them exactly. events must continue the log already
// followed (the first has the Seq after the last event given to Rerun or
// Follow) and be consecutive. Events of an exercise rebuilt from an older
// log (RerunLog) are compared as that log's version recorded them. The exercise may already hold some of them:
// Rerun and Follow play everything due at the instant the log stops, so
// events the owner had not yet written at that instant are produced ahead.
// OnEvent is called for every event produced. A follower must not apply
// commands of its own or advance the clock itself.
func (x *Exercise) Follow(events []Event) error {
	if len(events) == 0 {
		return nil
	}
	for i := range events {
		if events[i].Seq != events[0].Seq+uint64(i) {
			return Errorf(CodeInvalid, "the events to follow are not consecutive at seq %d", events[i].Seq)
		}
	}
	first := events[0].Seq
	if first == 0 || first > uint64(len(x.log))+1 {
		return Errorf(CodeInvalid, "the events to follow start at seq %d, after a gap (the exercise has %d)", first, len(x.log))
	}
	for _, c := range Commands(events) {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			return Errorf(CodeInternal, "following %s at %v: %v", c.Command.Type, c.At, err)
		}
	}
	last := events[len(events)-1]
	x.AdvanceTo(last.At)
	if uint64(len(x.log)) < last.Seq {
		return Errorf(CodeInternal, "following produced %d events, the log has %d", len(x.log), last.Seq)
	}
	version := x.logVersion
	if version == 0 {
		version = LogVersion
	}
	if diff := reproduces(x.log[first-1:last.Seq], events, version); diff != "" {
		return Errorf(CodeInternal, "the log diverges from this server's replay: %s", diff)
	}
	if version < LogVersion {
		copy(x.log[first-1:], events) // as they were recorded
	}
	return nil
}
