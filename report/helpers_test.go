package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

const (
	scoringFile = "../testdata/report/scoring.yaml"
	exampleFile = "../testdata/scenarios/valid/example.yaml"
	minute      = time.Minute
)

// MustLoad loads a scenario file or fails the test, listing its problems.
func MustLoad(tb testing.TB, file string) *scenarios.Scenario {
	tb.Helper()
	s, problems := scenarios.LoadFile(file)
	if problems.HasErrors() {
		tb.Fatalf("load %s:\n%s", file, problems)
	}
	return s
}

// MustLibrary loads a bundled scenario or fails the test with its problems.
func MustLibrary(tb testing.TB, name string) *scenarios.Scenario {
	tb.Helper()
	s, problems := scenarios.LoadLibrary(name)
	if problems.HasErrors() {
		tb.Fatalf("library scenario %s does not load:\n%s", name, problems)
	}
	return s
}

// MustRun plays s to the end with every team simulated and returns the log.
func MustRun(tb testing.TB, s *scenarios.Scenario, seed uint64) []engine.Event {
	tb.Helper()
	x, err := engine.New(s, engine.Options{Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		tb.Fatal(err)
	}
	return x.Events()
}

// MustBuild builds the report of a log or fails the test.
func MustBuild(tb testing.TB, s *scenarios.Scenario, events []engine.Event, b *report.Baseline) *report.Report {
	tb.Helper()
	r, err := report.Build(s, events, b)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// SmallReport is the report of the example scenario, seed 1, every team
// simulated: a small, complete report for rendering tests.
func SmallReport(tb testing.TB) *report.Report {
	tb.Helper()
	s := MustLoad(tb, exampleFile)
	return MustBuild(tb, s, MustRun(tb, s, 1), nil)
}

// LibraryReport is the report of a library scenario, seed 1, every team
// simulated.
func LibraryReport(tb testing.TB, name string) *report.Report {
	tb.Helper()
	s := MustLibrary(tb, name)
	return MustBuild(tb, s, MustRun(tb, s, 1), nil)
}

// RenderHTML renders r as HTML or fails the test.
func RenderHTML(tb testing.TB, r *report.Report) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// WriteHTMLFile renders r into a file in a test's temporary directory and
// returns its path and a file:// URL: what a headless-browser screenshot
// test opens. The sections to capture are report.Sections (element ids).
func WriteHTMLFile(tb testing.TB, r *report.Report) (path, url string) {
	tb.Helper()
	path = filepath.Join(tb.TempDir(), "report.html")
	if err := os.WriteFile(path, RenderHTML(tb, r), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, "file://" + filepath.ToSlash(path)
}

// Trainee returns a team action by a trainee of team.
func Trainee(team string, t engine.CommandType, inject string) engine.Command {
	return engine.Command{Type: t, By: engine.Principal{Role: engine.RoleTrainee, Team: team, Name: "ana"}, Inject: inject}
}

// Facilitator returns a facilitator command.
func Facilitator(t engine.CommandType) engine.Command {
	return engine.Command{Type: t, By: engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}}
}

// Evaluator returns an evaluator's note.
func Evaluator(team, inject, text string) engine.Command {
	return engine.Command{Type: engine.CmdNote, By: engine.Principal{Role: engine.RoleEvaluator, Name: "eve"}, Team: team, Inject: inject, Text: text}
}

// Play starts an exercise of s with every team human, applies the timed
// commands, plays to the end and returns the log.
func Play(tb testing.TB, s *scenarios.Scenario, cmds ...engine.TimedCommand) []engine.Event {
	tb.Helper()
	var humans []string
	for _, t := range s.Teams {
		humans = append(humans, t.ID)
	}
	x, err := engine.New(s, engine.Options{Seed: 1, Humans: humans})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := x.Apply(Facilitator(engine.CmdStart)); err != nil {
		tb.Fatal(err)
	}
	for _, c := range cmds {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			tb.Fatalf("%s at %v: %v", c.Command.Type, c.At, err)
		}
	}
	if err := x.RunToEnd(); err != nil {
		tb.Fatal(err)
	}
	return x.Events()
}

// At stamps a command with a virtual time.
func At(at time.Duration, c engine.Command) engine.TimedCommand {
	return engine.TimedCommand{At: at, Command: c}
}

// FindExpectation returns the report row of one expectation instance.
func FindExpectation(tb testing.TB, r *report.Report, inject, exp, team string) *report.ExpectationResult {
	tb.Helper()
	for i := range r.Expectations {
		e := &r.Expectations[i]
		if e.Inject == inject && e.Expectation == exp && e.Team == team {
			return e
		}
	}
	tb.Fatalf("no expectation %s.%s@%s in the report", inject, exp, team)
	return nil
}

// FindTeam returns a team's scorecard.
func FindTeam(tb testing.TB, r *report.Report, id string) *report.TeamResult {
	tb.Helper()
	for i := range r.Teams {
		if r.Teams[i].ID == id {
			return &r.Teams[i]
		}
	}
	tb.Fatalf("no team %s in the report", id)
	return nil
}

// FindObjective returns an objective's rating.
func FindObjective(tb testing.TB, r *report.Report, id string) *report.ObjectiveResult {
	tb.Helper()
	for i := range r.Objectives {
		if r.Objectives[i].ID == id {
			return &r.Objectives[i]
		}
	}
	tb.Fatalf("no objective %s in the report", id)
	return nil
}

// HasFinding reports whether findings hold one of kind about team.
func HasFinding(fs []report.Finding, kind, team string) bool {
	for _, f := range fs {
		if f.Kind != kind {
			continue
		}
		if team == "" {
			return true
		}
		for _, t := range f.Teams {
			if t == team {
				return true
			}
		}
	}
	return false
}
