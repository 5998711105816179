package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cmesim/baseline"
	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

func TestRunCommand(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "events.jsonl")
		html := filepath.Join(dir, "report.html")
		r := cmesim(t, nil, "run", "grid-ransomware", "--seed", "3", "--out", out, "--report", html)
		r.wantCode(t, 0)
		for _, want := range []string{"TEAM", "MET", "SCORE", "ended at T+", "After-action report written"} {
			if !strings.Contains(r.stdout, want) {
				t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		events, err := engine.ReadLog(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) < 50 || events[len(events)-1].Type != "exercise.ended" {
			t.Fatalf("log has %d events, last %v", len(events), events[len(events)-1].Type)
		}
		page, err := os.ReadFile(html)
		if err != nil || !strings.Contains(string(page), "<html") {
			t.Fatalf("report not written: %v", err)
		}
		// The report says when the run was made.
		if !regexp.MustCompile(`<dt>Run</dt><dd>\d{1,2} \w+ \d{4}`).Match(page) {
			t.Error("the report of a run does not say when it ran")
		}
		again := cmesim(t, nil, "run", "grid-ransomware", "--seed", "3", "--out", filepath.Join(dir, "again.jsonl"))
		again.wantCode(t, 0)
		a, _ := os.ReadFile(out)
		b, _ := os.ReadFile(filepath.Join(dir, "again.jsonl"))
		if string(a) != string(b) {
			t.Fatal("two runs with the same seed wrote different logs")
		}
	})
	t.Run("Paced", func(t *testing.T) {
		r := cmesim(t, nil, "run", exampleFile, "--speed", "100000x")
		r.wantCode(t, 0)
		if !strings.Contains(r.stdout, "co-csirt") {
			t.Fatalf("summary lacks the teams:\n%s", r.stdout)
		}
	})
	t.Run("ErrBadSpeed", func(t *testing.T) {
		r := cmesim(t, nil, "run", exampleFile, "--speed", "fast")
		r.wantCode(t, 2)
		if !strings.Contains(r.stderr, "bad speed") {
			t.Fatalf("stderr=%s", r.stderr)
		}
	})
	t.Run("ErrInvalidScenario", func(t *testing.T) {
		bad := writeTemp(t, "bad.yaml", "format: cmesim/v1\nexercise: {id: x}\n")
		r := cmesim(t, nil, "run", bad)
		r.wantCode(t, 1)
		if !strings.Contains(r.stderr, "bad.yaml:") {
			t.Fatalf("stderr lacks the problems: %s", r.stderr)
		}
	})
	t.Run("ErrUnknownHumanTeam", func(t *testing.T) {
		r := cmesim(t, nil, "run", exampleFile, "--human", "nobody")
		r.wantCode(t, 2)
	})
}

func TestBatchCommand(t *testing.T) {
	t.Run("UnwritableOutFailsFirst", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "no-such-dir", "b.json")
		r := cmesim(t, nil, "batch", "election-ddos", "-n", "1000000", "--out", out)
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stderr, "no-such-dir") || strings.Contains(r.stderr, "batch finished") {
			t.Fatalf("an output that cannot be written did not stop the batch before its runs:\n%s", r.stderr)
		}
	})
	t.Run("OK", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "b.json")
		r := cmesim(t, nil, "batch", "election-ddos", "-n", "300", "--workers", "2", "--out", out)
		r.wantCode(t, 0)
		for _, want := range []string{"300 runs", "SCORE p10/p50/p90", "ACHIEVED", "Full result written"} {
			if !strings.Contains(r.stdout, want) {
				t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var res baseline.Baseline
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if res.Runs != 300 || len(res.Teams) == 0 {
			t.Fatalf("result runs=%d teams=%d", res.Runs, len(res.Teams))
		}
		f, _ := os.Open(out)
		defer f.Close()
		if _, err := report.ReadBaseline(f); err != nil {
			t.Fatalf("batch output is not a valid report baseline: %v", err)
		}
	})
	t.Run("ErrRuns", func(t *testing.T) {
		cmesim(t, nil, "batch", exampleFile, "-n", "0").wantCode(t, 2)
	})
}

// TestProgressLine checks that the progress line never shows the same line
// twice, on a terminal or not.
func TestProgressLine(t *testing.T) {
	running := engine.Summary{Now: "0:30:00", Status: engine.StatusRunning, Events: 10}
	ended := engine.Summary{Now: "2:00:00", Status: engine.StatusEnded, Events: 16}
	t.Run("NotATerminal", func(t *testing.T) {
		var b strings.Builder
		p := newProgressLine(&b, false)
		p.show(running, 2*time.Hour) // the first line is printed at once
		p.show(running, 2*time.Hour)
		p.show(ended, 2*time.Hour) // the end is always printed
		p.show(ended, 2*time.Hour)
		p.done()
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], "running") || !strings.Contains(lines[1], "ended") {
			t.Fatalf("got lines %q, want one running and one ended line", lines)
		}
	})
	t.Run("Terminal", func(t *testing.T) {
		var b strings.Builder
		p := newProgressLine(&b, true)
		p.show(ended, 2*time.Hour)
		p.show(ended, 2*time.Hour)
		p.done()
		if got := strings.Count(b.String(), "ended"); got != 1 {
			t.Fatalf("ended shown %d times: %q", got, b.String())
		}
		if !strings.HasSuffix(b.String(), "\n") {
			t.Fatalf("the line is not ended: %q", b.String())
		}
	})
}

// TestInspectSummaryAfterEnd checks that a summary is not read (and so not
// shown zeroed) once the runner has stopped.
func TestInspectSummaryAfterEnd(t *testing.T) {
	s, problems := scenarios.LoadFile(exampleFile)
	if s == nil {
		t.Fatal(problems)
	}
	x, err := engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.NewRunner(x, engine.NewPacer(engine.RealClock(), maxRunSpeed))
	done := make(chan error, 1)
	go func() { done <- r.Run(t.Context()) }()
	if _, err := r.Do(t.Context(), engine.Command{Type: engine.CmdStart, By: engine.Principal{Role: engine.RoleFacilitator, Name: "test"}}); err != nil {
		t.Fatal(err)
	}
	if sum, ok := inspectSummary(t.Context(), r); ok && sum.Status == "" {
		t.Fatalf("a summary read while running is zeroed: %+v", sum)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sum, ok := inspectSummary(t.Context(), r); ok {
		t.Fatalf("read a summary after the end: %+v", sum)
	}
}

// TestPacedRunOutput checks a paced run's progress output off a terminal:
// no zeroed line, and the final line once.
func TestPacedRunOutput(t *testing.T) {
	r := cmesim(t, nil, "run", exampleFile, "--speed", "100000x", "--log-level", "warn")
	r.wantCode(t, exitOK)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if got := strings.Count(r.stderr, " ended "); got != 1 {
		t.Fatalf("the final line appears %d times:\n%s", got, r.stderr)
	}
	for _, l := range lines {
		if strings.Contains(l, "events 0 ") {
			t.Errorf("zeroed progress line %q", l)
		}
	}
}
