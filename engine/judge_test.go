package engine_test

import (
	"bytes"
	"math"
	"strconv"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// judgedScenario is the example scenario with I02.escalate judged.
func judgedScenario(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	s := MustLoad(tb, exampleFile)
	for i := range s.Injects {
		for j := range s.Injects[i].Expectations {
			if e := &s.Injects[i].Expectations[j]; s.Injects[i].ID == "I02" && e.ID == "escalate" {
				e.Judged, e.Criteria = true, "Asks the ministry to block the domain and says why."
			}
		}
	}
	return s
}

func judge(by engine.Principal, rating engine.Rating, points float64, comment string) engine.Command {
	return engine.Command{Type: engine.CmdJudge, By: by, Team: "co-csirt", Inject: "I02", Expectation: "escalate",
		Rating: rating, Points: &points, Text: comment}
}

var (
	eva  = engine.Principal{Role: engine.RoleEvaluator, Name: "Eva"}
	bob  = engine.Principal{Role: engine.RoleEvaluator, Name: "Bob"}
	lead = engine.Principal{Role: engine.RoleFacilitator, Name: "Maria"}
)

// escalated plays the example with co-csirt human up to its escalation of
// I02 and returns the exercise and the escalation's expectation.met event.
func escalated(t *testing.T) (*engine.Exercise, engine.Event) {
	t.Helper()
	x, err := engine.New(judgedScenario(t), engine.Options{Seed: 42, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	esc := trainee("co-csirt", engine.CmdEscalate, "I02")
	esc.Target, esc.Text = "mintic", "Please block nomina-minfin[.]com nationally"
	evs := MustApply(t, x, 75*time.Minute, esc)
	if len(evs) < 2 || evs[1].Type != engine.EventExpectationMet {
		t.Fatalf("escalation caused %v, want an action and expectation.met", types(evs))
	}
	return x, evs[1]
}

// TestJudgedExpectation follows one judged item from its provisional score
// through two evaluators' judgements (a disagreement) to the lead's
// decision, and checks that a replay of the log reproduces it all.
func TestJudgedExpectation(t *testing.T) {
	x, met := escalated(t)
	if !met.Data.Provisional || met.Data.Cause != "action:"+strconv.FormatUint(met.Seq-1, 10) {
		t.Fatalf("met = %+v, want provisional and linked to action %d", met.Data, met.Seq-1)
	}
	timeliness := met.Data.Points / float64(met.Data.MaxPoints)
	if timeliness <= 0 || timeliness >= 1 {
		t.Fatalf("the escalation was late: provisional points %v of %d should be partial", met.Data.Points, met.Data.MaxPoints)
	}
	queue := x.State().ToJudge()
	if len(queue) != 1 || queue[0].Key() != "I02.escalate@co-csirt" || queue[0].ActionSeq != met.Seq-1 {
		t.Fatalf("to judge = %+v", queue)
	}
	if sum := team(x.Summarize(), "co-csirt"); sum.ToJudge != 1 || sum.Provisional != met.Data.Points {
		t.Fatalf("summary before judgement: %+v", sum)
	}

	score := func(evs []engine.Event) engine.Details {
		t.Helper()
		if len(evs) != 2 || evs[0].Type != engine.EventExpectationJudged || evs[1].Type != engine.EventExpectationScored {
			t.Fatalf("judge caused %v", types(evs))
		}
		if len(evs[0].Audience) != 0 || evs[1].Audience[0] != "co-csirt" {
			t.Fatalf("audiences: judgement %v (want staff only), score %v (want the team)", evs[0].Audience, evs[1].Audience)
		}
		return evs[1].Data
	}
	before := x.State().Score["co-csirt"]
	d := score(MustApply(t, x, 80*time.Minute, judge(eva, engine.RatingPartly, 5, "Asks to block but gives no reason")))
	if d.Judgement().Rating != engine.RatingPartly || d.Judgement().Content != 5 || !near(d.Points, 5*timeliness) || d.Judgement().Disagreement || d.Judgement().Decision {
		t.Fatalf("after Eva: %+v", d)
	}
	if got := x.State().Score["co-csirt"]; !near(got, before-met.Data.Points+d.Points) {
		t.Fatalf("team score %v, want %v", got, before-met.Data.Points+d.Points)
	}
	if len(x.State().ToJudge()) != 0 {
		t.Fatal("a judged item is still in the queue")
	}
	d = score(MustApply(t, x, 81*time.Minute, judge(bob, engine.RatingNotMet, 0, "No justification")))
	if d.Judgement().Rating != engine.RatingNotMet || d.Judgement().Content != 2.5 || !d.Judgement().Disagreement || d.Judgement().Decision {
		t.Fatalf("after Bob: %+v, want the lower median rating, mean points 2.5 and a disagreement", d)
	}
	d = score(MustApply(t, x, 82*time.Minute, judge(lead, engine.RatingMet, 8, "Clear request; reason given by phone")))
	if d.Judgement().Rating != engine.RatingMet || d.Judgement().Content != 8 || !d.Judgement().Decision || !near(d.Points, 8*timeliness) {
		t.Fatalf("after the decision: %+v", d)
	}
	// An evaluator changing their mind after the decision changes nothing.
	d = score(MustApply(t, x, 83*time.Minute, judge(eva, engine.RatingMet, 10, "")))
	if d.Judgement().Content != 8 || !d.Judgement().Decision {
		t.Fatalf("a judgement after the decision overrode it: %+v", d)
	}
	sum := team(x.Summarize(), "co-csirt")
	if sum.ToJudge != 0 || sum.Provisional != 0 || sum.Judged != 1 || !near(sum.Score, x.State().Score["co-csirt"]) {
		t.Fatalf("summary after judgement: %+v", sum)
	}
	if js := x.State().Judgements("I02", "escalate", "co-csirt"); len(js) != 4 || js[2].By != "facilitator:Maria" || !js[2].Decision {
		t.Fatalf("judgements = %+v", js)
	}

	again, err := engine.Rerun(judgedScenario(t), x.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := engine.MarshalLog(x.Events())
	b, _ := engine.MarshalLog(again.Events()[:len(x.Events())])
	if !bytes.Equal(a, b) {
		t.Fatal("the replay differs")
	}
	folded, err := engine.Fold(judgedScenario(t), x.Events())
	if err != nil {
		t.Fatal(err)
	}
	if folded.Score["co-csirt"] != x.State().Score["co-csirt"] {
		t.Fatalf("folded score %v, live %v", folded.Score["co-csirt"], x.State().Score["co-csirt"])
	}
}

// TestJudgeRefusals checks who may judge and what can be judged.
func TestJudgeRefusals(t *testing.T) {
	x, _ := escalated(t)
	tr := judge(eva, engine.RatingMet, 10, "")
	tr.By = engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	obs := judge(eva, engine.RatingMet, 10, "")
	obs.By = engine.Principal{Role: engine.RoleObserver, Name: "Olga"}
	notJudged := judge(eva, engine.RatingMet, 5, "")
	notJudged.Inject, notJudged.Expectation = "I01", "ack"
	unanswered := judge(eva, engine.RatingMet, 5, "")
	unanswered.Team = "pe-csirt"
	noPoints := judge(eva, engine.RatingPartly, 0, "")
	noPoints.Points = nil
	cases := []struct {
		name string
		cmd  engine.Command
		code engine.ErrorCode
	}{
		{"trainee", tr, engine.CodeForbidden},
		{"observer", obs, engine.CodeForbidden},
		{"mechanical expectation", notJudged, engine.CodeInvalid},
		{"not answered", unanswered, engine.CodeConflict},
		{"too many points", judge(eva, engine.RatingMet, 10.5, ""), engine.CodeInvalid},
		{"negative points", judge(eva, engine.RatingNotMet, -1, ""), engine.CodeInvalid},
		{"NaN points", judge(eva, engine.RatingMet, math.NaN(), ""), engine.CodeInvalid},
		{"unknown rating", judge(eva, "excellent", 10, ""), engine.CodeInvalid},
		{"unknown expectation", func() engine.Command { c := judge(eva, engine.RatingMet, 1, ""); c.Expectation = "nope"; return c }(), engine.CodeNotFound},
		{"unknown team", func() engine.Command { c := judge(eva, engine.RatingMet, 1, ""); c.Team = "nope"; return c }(), engine.CodeNotFound},
	}
	n := len(x.Events())
	for _, c := range cases {
		if _, err := x.Apply(c.cmd); engine.Code(err) != c.code {
			t.Errorf("%s: got %v (%s), want %s", c.name, err, engine.Code(err), c.code)
		}
	}
	if len(x.Events()) != n {
		t.Fatal("a refused judgement left events")
	}
	evs, err := x.Apply(noPoints)
	if err != nil || evs[0].Data.Judgement().Content != 5 {
		t.Fatalf("a partly rating without points: %v, %+v; want half the points", err, evs)
	}
}

// TestReconcile checks the reconciliation rule on its own.
func TestReconcile(t *testing.T) {
	j := func(by string, r engine.Rating, p float64) engine.Judgement {
		return engine.Judgement{By: by, Rating: r, Points: p}
	}
	cases := []struct {
		name string
		js   []engine.Judgement
		want engine.Reconciled
	}{
		{"none", nil, engine.Reconciled{}},
		{"one", []engine.Judgement{j("a", engine.RatingMet, 9)}, engine.Reconciled{Rating: engine.RatingMet, Content: 9, Judges: 1}},
		{"latest counts", []engine.Judgement{j("a", engine.RatingNotMet, 0), j("a", engine.RatingMet, 10)},
			engine.Reconciled{Rating: engine.RatingMet, Content: 10, Judges: 1}},
		{"three: median", []engine.Judgement{j("a", engine.RatingMet, 10), j("b", engine.RatingPartly, 6), j("c", engine.RatingPartly, 4)},
			engine.Reconciled{Rating: engine.RatingPartly, Content: 6, Judges: 3, Disagreement: true}},
		{"one step, close points: agree", []engine.Judgement{j("a", engine.RatingMet, 10), j("b", engine.RatingPartly, 8)},
			engine.Reconciled{Rating: engine.RatingPartly, Content: 9, Judges: 2}},
		{"two steps: disagree", []engine.Judgement{j("a", engine.RatingMet, 6), j("b", engine.RatingNotMet, 4)},
			engine.Reconciled{Rating: engine.RatingNotMet, Content: 5, Judges: 2, Disagreement: true}},
		{"decision overrides", []engine.Judgement{j("a", engine.RatingMet, 10), {By: "facilitator:m", Rating: engine.RatingPartly, Points: 3, Decision: true}, j("b", engine.RatingNotMet, 0)},
			engine.Reconciled{Rating: engine.RatingPartly, Content: 3, Judges: 2, Disagreement: true, Decided: true}},
	}
	for _, c := range cases {
		if got := engine.Reconcile(c.js, 10); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func team(s engine.Summary, id string) engine.TeamSummary {
	for _, t := range s.Teams {
		if t.Team == id {
			return t
		}
	}
	return engine.TeamSummary{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.011 }
