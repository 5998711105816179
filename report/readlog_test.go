package report_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

func TestReadEventsJSONL(t *testing.T) {
	s := MustLoad(t, exampleFile)
	events := MustRun(t, s, 1)
	log, err := engine.MarshalLog(events)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := report.ReadEventsJSONL(bytes.NewReader(log))
		if err != nil {
			t.Fatal(err)
		}
		again, _ := engine.MarshalLog(got)
		if !bytes.Equal(again, log) {
			t.Fatal("the log does not survive a round trip")
		}
		if !reflect.DeepEqual(MustBuild(t, s, got, nil), MustBuild(t, s, events, nil)) {
			t.Fatal("a report from the read log differs")
		}
	})
	t.Run("BlankLines", func(t *testing.T) {
		withBlanks := bytes.ReplaceAll(log, []byte("\n"), []byte("\n\r\n"))
		got, err := report.ReadEventsJSONL(bytes.NewReader(withBlanks))
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
		{"ErrLineTooLong", lines[0] + "\n" + `{"seq":2,"type":"x","data":{"text":"` + strings.Repeat("a", report.MaxLogLine) + `"}}` + "\n", "line 2: longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ReadEventsJSONL(strings.NewReader(tt.log))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestBuild_Errors(t *testing.T) {
	s := MustLoad(t, exampleFile)
	events := MustRun(t, s, 1)
	other := MustLoad(t, scoringFile)
	gap := append(append([]engine.Event(nil), events[:3]...), events[4:]...)
	tests := []struct {
		name   string
		events []engine.Event
		s      *scenarios.Scenario
		want   string
	}{
		{"ErrEmpty", nil, s, "empty"},
		{"ErrNotCreated", events[1:], s, "a log starts with exercise.created"},
		{"ErrOtherScenario", events, other, `the log is of scenario "example-phishing", not "report-scoring"`},
		{"ErrGap", gap, s, "event 4 has sequence number 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.Build(tt.s, tt.events, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("Deterministic", func(t *testing.T) {
		var a, b bytes.Buffer
		if err := MustBuild(t, s, events, nil).WriteJSON(&a); err != nil {
			t.Fatal(err)
		}
		if err := MustBuild(t, s, events, nil).WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("two builds of one log differ")
		}
	})
	t.Run("JSONRoundTrip", func(t *testing.T) {
		r := LibraryReport(t, "grid-ransomware")
		var a, b bytes.Buffer
		if err := r.WriteJSON(&a); err != nil {
			t.Fatal(err)
		}
		back, err := report.ReadJSON(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := back.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("the JSON report does not survive a round trip")
		}
		if !bytes.Equal(RenderHTML(t, back), RenderHTML(t, r)) {
			t.Fatal("HTML rendered from the JSON report differs")
		}
	})
}
