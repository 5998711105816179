package engine

import (
	"bytes"
	"fmt"

	"cmesim/scenarios"
)

// LogVersion is the version of the event log this engine writes. It goes
// up whenever the events a replay produces change for commands an older
// engine already took (a field added to existing events, say), so that a
// restore knows which rules the stored events were written by:
//
//   - 1: every log written before the version existed. Such a log may come
//     from any earlier build, so the fields events gained over that time
//     (see laterFields) are compared only where the stored event has them.
//   - 2: the first versioned log: misses, wrong answers and ends carry
//     reason codes, and events may carry evaluation guide, scheduled start
//     and decision point details.
//   - 3: a start a facilitator sent carries the real time the server
//     received it (Command.ReceivedAt). Older logs' commands lack it, so
//     their replay is unchanged; an older cmesim would not reproduce a
//     new log's starts, and refuses it by its version.
//
// A replay reads every version up to LogVersion and refuses a newer one
// (ErrNewerLog).
const LogVersion = 3

// ErrNewerLog is the error of replaying a log written by a newer cmesim
// than this one: its events may hold what this engine cannot reproduce, so
// it is refused and left as it is. Test with errors.Is.
var ErrNewerLog = &Error{Code: CodeConflict, Message: "the exercise's log was written by a newer version of cmesim"}

// CheckLogVersion returns nil if this engine can replay a log written with
// version, and otherwise an error wrapping ErrNewerLog (or saying the
// version is not valid) that tells what to do.
func CheckLogVersion(version int) error {
	switch {
	case version > LogVersion:
		return fmt.Errorf("%w (log version %d; this server reads up to %d): run this exercise on an up-to-date server; its log is left as it is", ErrNewerLog, version, LogVersion)
	case version < 1:
		return Errorf(CodeInvalid, "log version %d is not valid (versions start at 1)", version)
	}
	return nil
}

// RerunLog is Rerun for a log whose oldest events were written by a cmesim
// of log version version (see LogVersion): it refuses a log from a newer
// version, and compares the events of an older one on what that version
// recorded, ignoring the fields added since that a stored event lacks.
// The rebuilt exercise then holds the stored events as they are, so that
// its log is the stored one; the events it produces from then on are of
// the current version.
func RerunLog(s *scenarios.Scenario, events []Event, version int, onEvent func(Event)) (*Exercise, error) {
	if err := CheckLogVersion(version); err != nil {
		return nil, err
	}
	return rerun(s, events, version, onEvent)
}

// laterField is a field that events gained after a log version: a log of
// that version or an older one never recorded it.
type laterField struct {
	// after is the last log version that did not record the field.
	after int
	// forget clears the field in a replayed event when the stored one
	// lacks it.
	forget func(replayed, stored *Details)
}

// laterFields lists the fields events gained after each version, oldest
// first. Add to it whenever LogVersion goes up for a new field.
var laterFields = []laterField{
	{after: 1, forget: func(r, s *Details) {
		if s.ReasonCode == "" {
			r.ReasonCode = ""
		}
	}},
	{after: 1, forget: func(r, s *Details) {
		if s.ReasonArgs == nil {
			r.ReasonArgs = nil
		}
	}},
	{after: 1, forget: func(r, s *Details) {
		if s.EEG == nil {
			r.EEG = nil
		}
	}},
	{after: 1, forget: func(r, s *Details) {
		if s.StartAt == nil {
			r.StartAt = nil
		}
	}},
	{after: 1, forget: func(r, s *Details) {
		if s.DecisionPoint == nil {
			r.DecisionPoint = nil
		}
	}},
}

// asRecorded returns the replayed event as a log of version would have
// recorded it, given the stored event: without the fields added after
// version that the stored event lacks.
func asRecorded(replayed, stored *Event, version int) Event {
	e := *replayed
	for _, f := range laterFields {
		if version <= f.after {
			f.forget(&e.Data, &stored.Data)
		}
	}
	return e
}

// reproduces returns "" if the replayed events reproduce the stored ones,
// a log written by version, and otherwise where they first differ. Events
// of the current version must match byte for byte; those of an older one
// are compared as that version recorded them (asRecorded).
func reproduces(replayed, stored []Event, version int) string {
	got, _ := MarshalLog(replayed)
	want, _ := MarshalLog(stored)
	if bytes.Equal(got, want) {
		return ""
	}
	for i := range stored {
		a, _ := MarshalLog(replayed[i : i+1])
		b, _ := MarshalLog(stored[i : i+1])
		if bytes.Equal(a, b) {
			continue
		}
		if version < LogVersion {
			old := []Event{asRecorded(&replayed[i], &stored[i], version)}
			if a, _ = MarshalLog(old); bytes.Equal(a, b) {
				continue
			}
		}
		return fmt.Sprintf("event %d: got %s want %s", i+1, bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	return ""
}
