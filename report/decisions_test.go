package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/engine/batch"
	"cmesim/internal/i18n"
	"cmesim/report"
	"cmesim/scenarios"
)

// decisionRun plays the decision scenario with both teams human: two of
// colCERT's trainees vote to escalate, one to wait; PeCERT lets the
// deadline pass.
func decisionRun(tb testing.TB) (*scenarios.Scenario, []engine.Event) {
	tb.Helper()
	s, problems := scenarios.LoadFile("../testdata/scenarios/e2e/decision.yaml")
	if problems.HasErrors() {
		tb.Fatal(problems)
	}
	x, err := engine.New(s, engine.Options{Seed: 1, Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		tb.Fatal(err)
	}
	cmds := []engine.TimedCommand{
		{At: 0, Command: engine.Command{Type: engine.CmdStart, By: engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}}},
	}
	for i, v := range []struct{ name, choice string }{{"ana", "escalate"}, {"luis", "wait"}, {"maria", "escalate"}} {
		cmds = append(cmds, engine.TimedCommand{At: time.Duration(6+i) * time.Minute, Command: engine.Command{Type: engine.CmdVote,
			By: engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: v.name}, DecisionPoint: &engine.DecisionChoice{ID: "D1", Choice: v.choice}}})
	}
	for _, c := range cmds {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			tb.Fatal(err)
		}
	}
	x.AdvanceTo(50 * time.Minute) // before D2 opens at T+1:00
	return s, x.Events()
}

// TestReportDecisions checks the path taken (choice, cause, time, votes)
// and, given alternatives from a batch, what each choice led to, in the
// JSON and the Markdown report.
func TestReportDecisions(t *testing.T) {
	s, events := decisionRun(t)
	alts, err := batch.Alternatives(context.Background(), s, 20, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.BuildWith(s, events, report.Options{Lang: i18n.Lang("es"), Alternatives: alts})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Decisions) != 2 {
		t.Fatalf("decisions: %+v, want D1 for both teams", r.Decisions)
	}
	co, pe := r.Decisions[0], r.Decisions[1]
	if co.Team != "co-csirt" || co.Choice != "escalate" || co.Cause != engine.DecidedByVote || co.At != report.Duration(25*time.Minute) ||
		co.Label != "Escalar al despacho del Presidente" || len(co.Votes) != 2 || co.Votes[0].Votes != 2 || co.Votes[1].Votes != 1 {
		t.Errorf("colCERT's path: %+v", co)
	}
	if pe.Choice != "wait" || pe.Cause != engine.DecidedByDefault || pe.Votes != nil {
		t.Errorf("PeCERT's path: %+v", pe)
	}
	if len(r.Alternatives) != 2 || len(r.Alternatives[0].Choices) != 2 {
		t.Fatalf("alternatives: %+v", r.Alternatives)
	}
	esc := r.Alternatives[0].Choices[0]
	if esc.Runs != 20 || len(esc.Taken) != 1 || esc.Taken[0] != "co-csirt" || len(esc.Objectives) == 0 {
		t.Errorf("D1.escalate alternative: %+v", esc)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if html := string(RenderHTML(t, r)); !strings.Contains(html, `id="decisions"`) || !strings.Contains(html, "Corridas simuladas") {
		t.Error("the HTML report lacks the decision section")
	}
	for _, want := range []string{"## Puntos de decisión", "Escalar al despacho del Presidente", "Lo decidió la mayoría de los votos del equipo.", "Corridas simuladas"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}
}
