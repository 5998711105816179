package engine

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Limits on the event logs ReadLog accepts, so that a corrupt or hostile
// file cannot exhaust memory.
const (
	// MaxLogLine is the longest line (one event) in bytes. The engine's
	// largest event, an ad-hoc inject at its size limits, is far smaller.
	MaxLogLine = 1 << 20
	// MaxLogEvents is the most events a log may hold.
	MaxLogEvents = 2_000_000
)

// LogError says where and why an event log stops being readable. Events
// before it are intact: ReadLogPrefix returns them.
type LogError struct {
	// Line is the 1-based line of the log that could not be read (0 when
	// the problem is the log as a whole, such as an empty one).
	Line int
	// LastGood is the seq of the last intact event before Line (0 if none).
	LastGood uint64
	// Problem says what is wrong, for a person.
	Problem string
}

// Error implements error.
func (e *LogError) Error() string {
	if e.Line == 0 {
		return "event log: " + e.Problem
	}
	return fmt.Sprintf("event log line %d: %s", e.Line, e.Problem)
}

// ReadLog reads an event log in the canonical form MarshalLog writes (JSON
// Lines, one event a line), all of it or nothing. Blank lines are skipped.
// The error, a *LogError, names the line: one that is not a JSON object,
// an event without a type, sequence numbers that do not run 1, 2, 3, …,
// time that goes back, a line longer than MaxLogLine, more than
// MaxLogEvents events, or a first event that is not EventCreated.
func ReadLog(r io.Reader) ([]Event, error) {
	events, err := ReadLogPrefix(r)
	if err != nil {
		return nil, err
	}
	return events, nil
}

// ReadLogPrefix reads an event log as far as it is intact: it returns the
// events before the first problem and, if there is one, a *LogError saying
// where the log stops. It salvages what a damaged log still holds.
func ReadLogPrefix(r io.Reader) ([]Event, error) {
	var events []Event
	_, err := ScanLog(r, func(e *Event) error {
		events = append(events, *e)
		return nil
	})
	return events, err
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

// preview returns the first bytes of a line, for an error message.
func preview(b []byte) string {
	if len(b) > 20 {
		b = b[:20]
	}
	return string(b)
}

// tPlus writes a virtual time as T+H:MM:SS.
func tPlus(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("T+%s%d:%02d:%02d", sign, s/3600, s/60%60, s%60)
}

// ScanLog reads an event log as ReadLogPrefix does, with the same checks
// and limits, but hands each event to fn as soon as it is read instead of
// keeping them all, so that reading a log of any length takes memory for
// one line. Each call gets an event of its own, which fn may keep.
//
// It returns the number of events fn accepted and stops at the first
// problem: fn's error, returned as it is, or a *LogError saying where the
// log stops being readable (the events before it were all handed to fn).
func ScanLog(r io.Reader, fn func(*Event) error) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLogLine)
	var (
		n       int
		lastSeq uint64
		lastAt  time.Duration
	)
	stop := func(line int, format string, args ...any) (int, error) {
		return n, &LogError{Line: line, LastGood: lastSeq, Problem: fmt.Sprintf(format, args...)}
	}
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if n >= MaxLogEvents {
			return stop(line, "more than %d events", MaxLogEvents)
		}
		if text[0] != '{' {
			return stop(line, "not a JSON object (starts with %q)", preview(text))
		}
		e := new(Event)
		if err := json.Unmarshal(text, e); err != nil {
			return stop(line, "%s", jsonProblem(err))
		}
		if e.Type == "" {
			return stop(line, "event has no type")
		}
		if want := uint64(n) + 1; e.Seq != want {
			return stop(line, "sequence number %d, expected %d (a gap, a duplicate or a reordered line)", e.Seq, want)
		}
		if n == 0 && e.Type != EventCreated {
			return stop(line, "the first event is %s, expected %s", e.Type, EventCreated)
		}
		if n > 0 && e.At < lastAt {
			return stop(line, "event %d at %s comes before the previous event (%s)", e.Seq, tPlus(e.At), tPlus(lastAt))
		}
		if err := fn(e); err != nil {
			return n, err
		}
		n, lastSeq, lastAt = n+1, e.Seq, e.At
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return stop(line+1, "longer than %d bytes", MaxLogLine)
		}
		return stop(line+1, "%v", err)
	}
	if n == 0 {
		return stop(0, "it is empty")
	}
	return n, nil
}
