package engine_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"cmesim/engine"
)

// runExample plays the example scenario to its end with simulated teams.
func runExample(tb testing.TB) []engine.Event {
	tb.Helper()
	x, err := engine.New(MustLoad(tb, exampleFile), engine.Options{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		tb.Fatal(err)
	}
	return x.Events()
}

func TestReadLog(t *testing.T) {
	events := runExample(t)
	log, err := engine.MarshalLog(events)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := engine.ReadLog(bytes.NewReader(log))
		if err != nil {
			t.Fatal(err)
		}
		again, _ := engine.MarshalLog(got)
		if !bytes.Equal(again, log) {
			t.Fatal("the log does not survive a round trip")
		}
		if !reflect.DeepEqual(got, events) {
			t.Fatal("the read events differ from the written ones")
		}
	})
	t.Run("BlankLines", func(t *testing.T) {
		withBlanks := bytes.ReplaceAll(log, []byte("\n"), []byte("\n\r\n"))
		got, err := engine.ReadLog(bytes.NewReader(withBlanks))
		if err != nil || len(got) != len(events) {
			t.Fatalf("got %d events, err %v", len(got), err)
		}
	})
	lines := strings.Split(strings.TrimSuffix(string(log), "\n"), "\n")
	replace := func(i int, s string) string {
		c := append([]string(nil), lines...)
		c[i] = s
		return strings.Join(c, "\n") + "\n"
	}
	tests := []struct {
		name, log, want string
	}{
		{"ErrEmpty", "", "empty"},
		{"ErrMalformed", replace(2, `{"seq":3,"at":`), "line 3: invalid JSON"},
		{"ErrNotObject", replace(1, `[1,2]`), "line 2: not a JSON object"},
		{"ErrWrongType", replace(2, `{"seq":"three","type":"x"}`), `line 3: field "seq"`},
		{"ErrNoType", replace(2, `{"seq":3,"at":0}`), "line 3: event has no type"},
		{"ErrGap", strings.Join(append(lines[:2:2], lines[3:]...), "\n"), "line 3: sequence number 4, expected 3"},
		{"ErrTimeGoesBack", replace(3, strings.Replace(lines[3], `"at":`, `"at":-`, 1)), "line 4: event 4 at T+-"},
		{"ErrNotCreated", strings.Replace(lines[0], "exercise.created", "exercise.started", 1) + "\n", "first event is exercise.started"},
		{"ErrLineTooLong", lines[0] + "\n" + `{"seq":2,"type":"x","data":{"text":"` + strings.Repeat("a", engine.MaxLogLine) + `"}}` + "\n", "line 2: longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.ReadLog(strings.NewReader(tt.log))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestReadLogPrefix salvages the intact events before a damaged line and
// says where the log stops.
func TestReadLogPrefix(t *testing.T) {
	events := runExample(t)
	log, err := engine.MarshalLog(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(log), "\n")
	damaged := strings.Join(lines[:5], "") + `{"seq":6,"type":` + "\n" + strings.Join(lines[6:], "")
	got, err := engine.ReadLogPrefix(strings.NewReader(damaged))
	var le *engine.LogError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a *engine.LogError", err)
	}
	if le.Line != 6 || le.LastGood != 5 || len(got) != 5 || !reflect.DeepEqual(got, events[:5]) {
		t.Fatalf("stopped at line %d after seq %d with %d events, want line 6 after seq 5 with the first 5 events", le.Line, le.LastGood, len(got))
	}
	if all, err := engine.ReadLog(strings.NewReader(damaged)); err == nil || all != nil {
		t.Fatalf("ReadLog of a damaged log = %d events, %v; want none and an error", len(all), err)
	}
	whole, err := engine.ReadLogPrefix(bytes.NewReader(log))
	if err != nil || len(whole) != len(events) {
		t.Fatalf("an intact log: %d events, %v", len(whole), err)
	}
}
