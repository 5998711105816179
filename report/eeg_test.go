package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

// eegExample is the example scenario with two critical tasks under O1.
func eegExample(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	s := MustLoad(tb, exampleFile)
	s.Exercise.Objectives[0].CriticalTasks = []scenarios.CriticalTask{
		{ID: "triage", Text: "Acknowledge and classify the report.", Expectations: []string{"I01.ack", "I01.classify"}},
		{ID: "escalate", Text: "Escalate to the ministry.", Expectations: []string{"I02.escalate"}},
	}
	return s
}

func eegCmd(t engine.CommandType, name, objective, text string, d engine.EEGDetails) engine.Command {
	role := engine.RoleEvaluator
	if t == engine.CmdOverrideRating {
		role = engine.RoleFacilitator
	}
	return engine.Command{Type: t, By: engine.Principal{Role: role, Name: name}, Objective: objective, Text: text, EEG: &d}
}

// TestReport_EvaluationGuides checks the EEG section: critical tasks with
// their expectations' results, observations linked to log events, ratings
// reconciled with a disagreement, the override that stands, the final
// rating used as the objective's rating and marked as such, in JSON, HTML
// and Markdown, and what readers without the notes see.
func TestReport_EvaluationGuides(t *testing.T) {
	s := eegExample(t)
	observe := eegCmd(engine.CmdObserve, "Eva", "O1", "Acknowledged at once, classified well", engine.EEGDetails{Task: "triage", Events: []uint64{2}})
	observe.Team = "co-csirt"
	events := Play(t, s,
		At(12*minute, Trainee("co-csirt", engine.CmdAcknowledge, "I01")),
		At(13*minute, observe),
		At(14*minute, eegCmd(engine.CmdObserve, "Bob", "O1", "Good coordination", engine.EEGDetails{})),
		At(20*minute, eegCmd(engine.CmdRateObjective, "Eva", "O1", "Fast triage", engine.EEGDetails{Grade: engine.GradeP})),
		At(21*minute, eegCmd(engine.CmdRateObjective, "Bob", "O1", "Classification came late", engine.EEGDetails{Grade: engine.GradeM})),
		At(22*minute, eegCmd(engine.CmdOverrideRating, "Maria", "O1", "Fast, one correction", engine.EEGDetails{Grade: engine.GradeS})),
		At(23*minute, eegCmd(engine.CmdRateObjective, "Eva", "O2", "Shared, but late", engine.EEGDetails{Grade: engine.GradeM})))
	r := MustBuild(t, s, events, nil)

	o1, o2 := FindObjective(t, r, "O1"), FindObjective(t, r, "O2")
	g := o1.EEG
	if g == nil || len(g.Tasks) != 2 || g.Tasks[0].ID != "triage" || len(g.Tasks[0].Observations) != 1 || len(g.Observations) != 1 {
		t.Fatalf("O1 EEG = %+v", g)
	}
	obs := g.Tasks[0].Observations[0]
	if obs.By != "evaluator:Eva" || obs.Team != "co-csirt" || len(obs.Events) != 1 || obs.Events[0] != (report.EventRef{Seq: 2, InLog: true}) {
		t.Errorf("triage observation = %+v, want Eva's about co-csirt linking event 2, in the log", obs)
	}
	if g.Tasks[0].Outcomes.Total() == 0 || g.Tasks[0].MaxPoints == 0 {
		t.Errorf("triage has no expectation results: %+v", g.Tasks[0])
	}
	if g.Reconciled != report.RatingM || g.Raters != 2 || !g.Disagreement || g.Override == nil || g.Override.Reason != "Fast, one correction" {
		t.Errorf("O1 reconciliation = %+v", g)
	}
	if g.Final != report.RatingS || g.RatedBy != report.RatedLead || o1.Rating != report.RatingS || len(g.Ratings) != 3 {
		t.Errorf("O1 final %s by %s, objective rating %s, %d ratings; want S by the lead, 3 ratings", g.Final, g.RatedBy, o1.Rating, len(g.Ratings))
	}
	if o2.EEG == nil || o2.EEG.RatedBy != report.RatedEvaluators || o2.Rating != report.RatingM || o2.EEG.Mechanical == report.RatingM {
		t.Errorf("O2 = rating %s, EEG %+v; want M by the evaluators over another mechanical rating", o2.Rating, o2.EEG)
	}
	if !strings.Contains(o2.Evidence, "Final rating M given by evaluators (mechanical rating: "+o2.EEG.Mechanical.Letter()+")") {
		t.Errorf("O2 evidence = %q", o2.Evidence)
	}

	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Objectives[0].EEG.Final != report.RatingS || back.Objectives[0].EEG.Override.By != "facilitator:Maria" {
		t.Fatalf("the JSON report does not keep the EEG: %v", err)
	}
	html := string(RenderHTML(t, r))
	for _, want := range []string{`id="eeg-O1"`, `<a href="#ev-2">#2</a>`, `<tr id="ev-2">`, `<span class="rated-by rated-lead_evaluator">by the lead evaluator (override)</span>`,
		"Evaluators&#39; reconciled rating: M (from 2)", "evaluators disagree", "Classification came late", `rated-by rated-lead_evaluator">lead evaluator`,
		`rated-by rated-evaluators">evaluator-rated`} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Exercise evaluation guides", "[#2](#ev-2)", `<a id="ev-2"></a>2 |`, "(lead evaluator)", "**S** Performed with some challenges, by the lead evaluator (override)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}

	// Linked events outside the report's log point to the appendix.
	r.Objectives[0].EEG.Tasks[0].Observations[0].Events[0].InLog = false
	if html := string(RenderHTML(t, r)); !strings.Contains(html, "#2 (appendix)") {
		t.Error("an event outside the log is not referred to the appendix")
	}

	c := r.WithoutNotes()
	cg := c.Objectives[0].EEG
	if len(cg.Observations) != 0 || len(cg.Tasks[0].Observations) != 0 || cg.Ratings[0].Reason != "" || cg.Override.Reason != "" || cg.Final != report.RatingS {
		t.Errorf("without notes, O1 EEG = %+v", cg)
	}
	if r.Objectives[0].EEG.Ratings[0].Reason == "" {
		t.Error("WithoutNotes changed the original report")
	}
	for _, l := range c.Log {
		if strings.HasPrefix(l.Type, "eeg.") {
			t.Errorf("without notes, the log keeps %s", l.Type)
		}
	}
}
