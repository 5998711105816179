package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"cmesim/engine"
)

// Limits on the event logs ReadEventsJSONL accepts, so a corrupt or hostile
// file cannot exhaust memory.
const (
	// MaxLogLine is the longest line (one event) in bytes. The engine's
	// largest event, an ad-hoc inject at its size limits, is far smaller.
	MaxLogLine = 1 << 20
	// MaxLogEvents is the most events a log may hold.
	MaxLogEvents = 2_000_000
)

// ReadEventsJSONL reads an event log in its canonical form (engine.MarshalLog:
// JSON Lines, one event a line). Blank lines are skipped. Errors name the
// line: a line that is not a JSON object, an event without a type,
// sequence numbers that do not run 1, 2, 3, …, time that goes back, a line
// longer than MaxLogLine or more than MaxLogEvents events.
func ReadEventsJSONL(r io.Reader) ([]engine.Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLogLine)
	var events []engine.Event
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if len(events) >= MaxLogEvents {
			return nil, fmt.Errorf("event log line %d: more than %d events", line, MaxLogEvents)
		}
		if text[0] != '{' {
			return nil, fmt.Errorf("event log line %d: not a JSON object (starts with %q)", line, preview(text))
		}
		var e engine.Event
		if err := json.Unmarshal(text, &e); err != nil {
			return nil, fmt.Errorf("event log line %d: %s", line, jsonProblem(err))
		}
		if e.Type == "" {
			return nil, fmt.Errorf("event log line %d: event has no type", line)
		}
		want := uint64(len(events)) + 1
		if e.Seq != want {
			return nil, fmt.Errorf("event log line %d: sequence number %d, expected %d (a gap, a duplicate or a reordered line)", line, e.Seq, want)
		}
		if n := len(events); n > 0 && e.At < events[n-1].At {
			return nil, fmt.Errorf("event log line %d: event %d at %s comes before the previous event (%s)", line, e.Seq, Duration(e.At).TPlus(), Duration(events[n-1].At).TPlus())
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("event log line %d: longer than %d bytes", line+1, MaxLogLine)
		}
		return nil, fmt.Errorf("event log line %d: %w", line+1, err)
	}
	if len(events) == 0 {
		return nil, errors.New("event log is empty")
	}
	if events[0].Type != engine.EventCreated {
		return nil, fmt.Errorf("event log: the first event is %s, expected %s", events[0].Type, engine.EventCreated)
	}
	return events, nil
}

// jsonProblem describes a decoding error without Go type names where it can.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has a %s where the log format wants a %s", te.Field, te.Value, te.Type)
	}
	return "invalid event: " + err.Error()
}

func preview(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}
