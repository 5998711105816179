package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/report"
)

// TestRunDateAndMarking checks the run date beside the scenario's date and
// the TLP marking on every rendering: a share of an AMBER inject makes the
// report AMBER; the run date is said in the report's language, or said to
// be unknown.
func TestRunDateAndMarking(t *testing.T) {
	s := MustLoad(t, scoringFile)
	events := Play(t, s, At(55*minute, share("amber", "pe-csirt")))
	run := time.Date(2026, time.December, 3, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		opts        report.Options
		runStart    string
		html, mdRun string
	}{
		{"known", report.Options{RunStart: run}, "2026-12-03T14:00:00Z", "<dt>Run</dt><dd>3 December 2026</dd>", "| Run | 3 December 2026 |"},
		{"span", report.Options{RunStart: run, RunEnd: run.Add(26 * time.Hour)}, "2026-12-03T14:00:00Z", "<dt>Run</dt><dd>3 December 2026 to 4 December 2026</dd>", "| Run | 3 December 2026 to 4 December 2026 |"},
		{"spanish", report.Options{RunStart: run, Lang: i18n.Lang("es")}, "2026-12-03T14:00:00Z", "<dt>Ejecución</dt><dd>3 de diciembre de 2026</dd>", "| Ejecución | 3 de diciembre de 2026 |"},
		{"unknown", report.Options{}, "", "<dt>Run</dt><dd>unknown</dd>", "| Run | unknown |"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := report.BuildWith(s, events, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Exercise.RunStart != tc.runStart || r.TLP != "amber" {
				t.Fatalf("run_start=%q tlp=%q, want %q and amber", r.Exercise.RunStart, r.TLP, tc.runStart)
			}
			html := string(RenderHTML(t, r))
			if !strings.Contains(html, tc.html) {
				t.Errorf("the HTML does not say %q", tc.html)
			}
			if n := strings.Count(html, `<span class="tlp-mark amber">TLP:AMBER</span>`); n != 2 {
				t.Errorf("the HTML shows the marking %d times, want at the top and at the bottom", n)
			}
			var md bytes.Buffer
			if err := r.WriteMarkdown(&md); err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(md.String(), "\n"); first != "**TLP:AMBER**" {
				t.Errorf("the Markdown starts with %q, want the marking", first)
			}
			if !strings.Contains(md.String(), tc.mdRun) || !strings.HasSuffix(md.String(), "**TLP:AMBER**\n") {
				t.Errorf("the Markdown lacks the run date %q or the closing marking", tc.mdRun)
			}
		})
	}
}

// TestRunDateFromScheduledStart checks that a start the server sent at
// its scheduled time dates the run by that wall-clock time, not by the day
// the exercise was created (the caller's RunStart), as does a
// facilitator's start by the time the server received it, and that a
// start without either keeps the caller's date.
func TestRunDateFromScheduledStart(t *testing.T) {
	s := MustLoad(t, exampleFile)
	created := time.Date(2026, time.November, 20, 9, 0, 0, 0, time.UTC)
	startAt := time.Date(2026, time.December, 3, 14, 0, 0, 0, time.UTC)
	fac := engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}
	x, err := engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []engine.TimedCommand{
		{Command: engine.Command{Type: engine.CmdScheduleStart, By: fac, StartAt: &startAt}},
		{Command: engine.Command{Type: engine.CmdStart, By: fac, StartAt: &startAt}}, // as the server's timer sends it
		{At: time.Minute, Command: engine.Command{Type: engine.CmdEnd, By: fac}},
	} {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			t.Fatalf("%s: %v", c.Command.Type, err)
		}
	}
	r, err := report.BuildWith(s, x.Events(), report.Options{RunStart: created})
	if err != nil {
		t.Fatal(err)
	}
	if r.Exercise.RunStart != "2026-12-03T14:00:00Z" {
		t.Errorf("run_start = %q, want the scheduled start 2026-12-03T14:00:00Z", r.Exercise.RunStart)
	}
	if html := string(RenderHTML(t, r)); !strings.Contains(html, "<dd>3 December 2026</dd>") {
		t.Error("the HTML does not date the run by its start")
	}

	// A facilitator's start, as the server stamps it on receipt.
	received := time.Date(2026, time.December, 4, 16, 30, 0, 0, time.UTC)
	x, err = engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []engine.TimedCommand{
		{Command: engine.Command{Type: engine.CmdStart, By: fac, ReceivedAt: &received}},
		{At: time.Minute, Command: engine.Command{Type: engine.CmdEnd, By: fac}},
	} {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			t.Fatalf("%s: %v", c.Command.Type, err)
		}
	}
	if r, err = report.BuildWith(s, x.Events(), report.Options{RunStart: created}); err != nil {
		t.Fatal(err)
	}
	if r.Exercise.RunStart != "2026-12-04T16:30:00Z" {
		t.Errorf("run_start = %q, want the start as the server received it, 2026-12-04T16:30:00Z", r.Exercise.RunStart)
	}

	manual := Play(t, s, At(time.Minute, Facilitator(engine.CmdEnd)))
	r, err = report.BuildWith(s, manual, report.Options{RunStart: created})
	if err != nil {
		t.Fatal(err)
	}
	if r.Exercise.RunStart != "2026-11-20T09:00:00Z" {
		t.Errorf("run_start = %q, want the caller's 2026-11-20T09:00:00Z for a start the log does not date", r.Exercise.RunStart)
	}
}

// TestNamesInsteadOfIDs checks that a reader sees team names where the
// report used to show ids, while the JSON keeps the ids.
func TestNamesInsteadOfIDs(t *testing.T) {
	s := MustLoad(t, scoringFile)
	r := MustBuild(t, s, Play(t, s, At(55*minute, share("amber", "pe-csirt"))), nil)
	if r.Names["co-csirt"] != "colCERT" || r.Shares[0].From != "co-csirt" {
		t.Fatalf("names=%v share from %q: want the id kept and its name beside it", r.Names, r.Shares[0].From)
	}
	html := string(RenderHTML(t, r))
	if strings.Contains(html, "<td>co-csirt</td>") || !strings.Contains(html, "<td>colCERT</td>") {
		t.Error("the HTML tables show the team id instead of its name")
	}
}
