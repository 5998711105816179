package engine_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// eegScenario is the example scenario with critical tasks under O1.
func eegScenario(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	s := MustLoad(tb, exampleFile)
	s.Exercise.Objectives[0].CriticalTasks = []scenarios.CriticalTask{
		{ID: "triage", Text: "Acknowledge and classify the report.", Expectations: []string{"I01.ack", "I01.classify"}},
	}
	return s
}

func observe(by engine.Principal, objective, task, text string, events ...uint64) engine.Command {
	return engine.Command{Type: engine.CmdObserve, By: by, Objective: objective, Text: text,
		EEG: &engine.EEGDetails{Task: task, Events: events}}
}

func rate(t engine.CommandType, by engine.Principal, objective string, g engine.Grade, reason string) engine.Command {
	return engine.Command{Type: t, By: by, Objective: objective, Text: reason, EEG: &engine.EEGDetails{Grade: g}}
}

// TestEvaluationGuide records observations linked to events, two
// evaluators' ratings that disagree and the lead's override, while the
// exercise runs and after its end, and checks that a replay and a fold of
// the log reproduce them.
func TestEvaluationGuide(t *testing.T) {
	x, err := engine.New(eegScenario(t), engine.Options{Seed: 42, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	ack := MustApply(t, x, 15*time.Minute, trainee("co-csirt", engine.CmdAcknowledge, "I01"))
	seen := ack[0].Seq
	obs := observe(eva, "O1", "triage", "Acknowledged within five minutes", seen)
	obs.Team = "co-csirt"
	evs := MustApply(t, x, 16*time.Minute, obs)
	if len(evs) != 1 || evs[0].Type != engine.EventObserved || len(evs[0].Audience) != 0 || evs[0].Team != "co-csirt" {
		t.Fatalf("observe caused %+v, want one staff-only eeg.observed about co-csirt", evs)
	}
	if d := evs[0].Data; d.Objective != "O1" || d.EEG == nil || d.EEG.Task != "triage" || !reflect.DeepEqual(d.EEG.Events, []uint64{seen}) {
		t.Fatalf("observation = %+v", d)
	}
	MustApply(t, x, 20*time.Minute, rate(engine.CmdRateObjective, eva, "O1", engine.GradeP, "Fast triage"))
	MustApply(t, x, 21*time.Minute, rate(engine.CmdRateObjective, bob, "O1", engine.GradeM, "Classification was wrong at first"))
	r := engine.ReconcileGrades(x.State().ObjectiveRatings("O1"))
	if r.Reconciled != engine.GradeM || r.Raters != 2 || !r.Disagreement || r.Override != nil {
		t.Fatalf("after two ratings: %+v, want the lower middle M and a disagreement", r)
	}
	MustApply(t, x, 22*time.Minute, facilitator(engine.CmdEnd))
	// The closing phase accepts the EEG commands; the override wins.
	MustApply(t, x, 22*time.Minute, observe(bob, "O1", "", "Good coordination overall"))
	MustApply(t, x, 22*time.Minute, rate(engine.CmdOverrideRating, lead, "O1", engine.GradeS, "Fast, one correction"))
	r = engine.ReconcileGrades(x.State().ObjectiveRatings("O1"))
	if g, byEvaluators := r.Final(engine.GradeU); g != engine.GradeS || !byEvaluators || r.Override.By != "facilitator:Maria" || r.Override.Reason != "Fast, one correction" {
		t.Fatalf("after the override: %+v (final %s)", r, g)
	}
	if g, byEvaluators := engine.ReconcileGrades(x.State().ObjectiveRatings("O2")).Final(engine.GradeM); g != engine.GradeM || byEvaluators {
		t.Fatalf("an unrated objective's final grade is %s (evaluators %v), want the mechanical M", g, byEvaluators)
	}
	if o := x.State().Observations(); len(o) != 2 || o[0].By != "evaluator:Eva" || o[1].Task != "" || o[1].Events != nil {
		t.Fatalf("observations = %+v", o)
	}

	again, err := engine.Rerun(eegScenario(t), x.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := engine.MarshalLog(x.Events())
	b, _ := engine.MarshalLog(again.Events()[:len(x.Events())])
	if !bytes.Equal(a, b) {
		t.Fatal("the replay differs")
	}
	folded, err := engine.Fold(eegScenario(t), x.Events())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(folded.Observations(), x.State().Observations()) ||
		!reflect.DeepEqual(folded.ObjectiveRatings("O1"), x.State().ObjectiveRatings("O1")) {
		t.Fatal("a fold of the log does not reproduce the observations and ratings")
	}
}

// TestEvaluationGuideRefusals checks who may observe, rate and override,
// and what an observation may link.
func TestEvaluationGuideRefusals(t *testing.T) {
	x, err := engine.New(eegScenario(t), engine.Options{Seed: 42, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Apply(observe(eva, "O1", "", "too early")); engine.Code(err) != engine.CodeConflict {
		t.Fatalf("an observation before the start: %v, want conflict", err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	now := x.State().Seq
	withTeam := func(c engine.Command, team string) engine.Command { c.Team = team; return c }
	tr := observe(eva, "O1", "", "x")
	tr.By = engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	obs := rate(engine.CmdRateObjective, engine.Principal{Role: engine.RoleObserver, Name: "Olga"}, "O1", engine.GradeP, "x")
	cases := []struct {
		name string
		cmd  engine.Command
		code engine.ErrorCode
	}{
		{"trainee observes", tr, engine.CodeForbidden},
		{"observer rates", obs, engine.CodeForbidden},
		{"evaluator overrides", rate(engine.CmdOverrideRating, eva, "O1", engine.GradeP, "x"), engine.CodeForbidden},
		{"unknown objective", observe(eva, "O9", "", "x"), engine.CodeNotFound},
		{"unknown task", observe(eva, "O1", "nope", "x"), engine.CodeNotFound},
		{"task of another objective", observe(eva, "O2", "triage", "x"), engine.CodeNotFound},
		{"unknown team", withTeam(observe(eva, "O1", "", "x"), "nope"), engine.CodeNotFound},
		{"no text", observe(eva, "O1", "", " "), engine.CodeInvalid},
		{"future event", observe(eva, "O1", "", "x", now+1), engine.CodeNotFound},
		{"event zero", observe(eva, "O1", "", "x", 0), engine.CodeNotFound},
		{"event twice", observe(eva, "O1", "", "x", 1, 1), engine.CodeInvalid},
		{"too many events", observe(eva, "O1", "", "x", make([]uint64, engine.MaxObservedEvents+1)...), engine.CodeInvalid},
		{"unknown grade", rate(engine.CmdRateObjective, eva, "O1", "A", "x"), engine.CodeInvalid},
		{"no grade", engine.Command{Type: engine.CmdRateObjective, By: eva, Objective: "O1", Text: "x"}, engine.CodeInvalid},
		{"no reason", rate(engine.CmdRateObjective, eva, "O1", engine.GradeP, ""), engine.CodeInvalid},
		{"rating with events", func() engine.Command {
			c := rate(engine.CmdRateObjective, eva, "O1", engine.GradeP, "x")
			c.EEG.Events = []uint64{1}
			return c
		}(), engine.CodeInvalid},
	}
	n := len(x.Events())
	for _, c := range cases {
		if _, err := x.Apply(c.cmd); engine.Code(err) != c.code {
			t.Errorf("%s: got %v (%s), want %s", c.name, err, engine.Code(err), c.code)
		}
	}
	if len(x.Events()) != n {
		t.Fatal("a refused command left events")
	}
}

// TestReconcileGrades checks the reconciliation rule of objective ratings.
func TestReconcileGrades(t *testing.T) {
	r := func(by string, g engine.Grade) engine.ObjectiveRating {
		return engine.ObjectiveRating{By: by, Grade: g}
	}
	override := engine.ObjectiveRating{By: "facilitator:m", Grade: engine.GradeU, Override: true}
	cases := []struct {
		name         string
		rs           []engine.ObjectiveRating
		reconciled   engine.Grade
		raters       int
		disagreement bool
		final        engine.Grade
	}{
		{"none: mechanical", nil, "", 0, false, engine.GradeS},
		{"one", []engine.ObjectiveRating{r("a", engine.GradeP)}, engine.GradeP, 1, false, engine.GradeP},
		{"latest of each counts", []engine.ObjectiveRating{r("a", engine.GradeU), r("a", engine.GradeP)}, engine.GradeP, 1, false, engine.GradeP},
		{"three: median", []engine.ObjectiveRating{r("a", engine.GradeP), r("b", engine.GradeS), r("c", engine.GradeU)}, engine.GradeS, 3, true, engine.GradeS},
		{"one step apart: agree", []engine.ObjectiveRating{r("a", engine.GradeP), r("b", engine.GradeS)}, engine.GradeS, 2, false, engine.GradeS},
		{"two steps apart: disagree", []engine.ObjectiveRating{r("a", engine.GradeS), r("b", engine.GradeU)}, engine.GradeU, 2, true, engine.GradeU},
		{"override wins", []engine.ObjectiveRating{r("a", engine.GradeP), override, r("b", engine.GradeP)}, engine.GradeP, 2, false, engine.GradeU},
	}
	for _, c := range cases {
		got := engine.ReconcileGrades(c.rs)
		final, _ := got.Final(engine.GradeS)
		if got.Reconciled != c.reconciled || got.Raters != c.raters || got.Disagreement != c.disagreement || final != c.final {
			t.Errorf("%s: got %+v (final %s), want %s by %d, disagreement %v, final %s", c.name, got, final, c.reconciled, c.raters, c.disagreement, c.final)
		}
	}
}
