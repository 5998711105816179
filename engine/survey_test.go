package engine_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

func surveyAnswer(by engine.Principal, answers map[string]string) engine.Command {
	return engine.Command{Type: engine.CmdSurveyAnswer, By: by, Answers: answers}
}

// TestClosingPhaseAndHotWash ends an exercise, then judges, notes and runs
// the hot wash survey after the end: the closing commands are accepted and
// stamped at the end time, every other command is refused as before, named
// answers replace earlier ones, and a replay reproduces it all.
func TestClosingPhaseAndHotWash(t *testing.T) {
	x, _ := escalated(t)
	if _, err := x.ApplyAt(80*time.Minute, engine.Command{Type: engine.CmdSurveyOpen, By: lead}); engine.Code(err) != engine.CodeConflict {
		t.Fatalf("survey_open before the end: %v, want conflict", err)
	}
	MustApply(t, x, 80*time.Minute, facilitator(engine.CmdEnd))
	end := x.Now()

	refused := []engine.Command{facilitator(engine.CmdPause), facilitator(engine.CmdResume), trainee("co-csirt", engine.CmdAcknowledge, "I01"),
		surveyAnswer(engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}, map[string]string{"structured": "4"})}
	for _, c := range refused {
		if _, err := x.ApplyAt(90*time.Minute, c); engine.Code(err) != engine.CodeConflict {
			t.Errorf("%s after the end: %v, want conflict", c.Type, err)
		}
	}

	var closing []engine.Event
	closing = append(closing, MustApply(t, x, 90*time.Minute, judge(eva, engine.RatingMet, 10, "after the end"))...)
	closing = append(closing, MustApply(t, x, 91*time.Minute, engine.Command{Type: engine.CmdNote, By: eva, Text: "Hot wash: good escalation"})...)
	closing = append(closing, MustApply(t, x, 92*time.Minute, engine.Command{Type: engine.CmdSurveyOpen, By: lead})...)
	if _, err := x.Apply(engine.Command{Type: engine.CmdSurveyOpen, By: lead}); engine.Code(err) != engine.CodeConflict {
		t.Errorf("opening the survey twice: %v, want conflict", err)
	}
	ana := engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	luis := engine.Principal{Role: engine.RoleTrainee, Team: "pe-csirt", Name: "luis"}
	closing = append(closing, MustApply(t, x, 93*time.Minute, surveyAnswer(ana, map[string]string{"structured": "2", "strengths": "teamwork"}))...)
	closing = append(closing, MustApply(t, x, 94*time.Minute, surveyAnswer(luis, map[string]string{"structured": "5", "realistic": "3", "change": ""}))...)
	closing = append(closing, MustApply(t, x, 95*time.Minute, surveyAnswer(ana, map[string]string{"structured": "4", "strengths": "  clear roles "}))...)
	for _, e := range closing {
		if e.At != end {
			t.Errorf("%s stamped at %v, want the end time %v", e.Type, e.At, end)
		}
	}
	if got := types(closing[:3]); got[0] != engine.EventExpectationJudged || got[1] != engine.EventExpectationScored || got[2] != engine.EventNote {
		t.Fatalf("closing judgement and note caused %v", got)
	}
	if team(x.Summarize(), "co-csirt").ToJudge != 0 {
		t.Error("the judgement after the end left the item provisional")
	}

	sv := x.State().Survey
	if !sv.Open || sv.Anonymous || len(sv.Responses) != 2 {
		t.Fatalf("survey = %+v, want open, named, two participants (ana's answer replaced)", sv)
	}
	res := sv.Results(engine.SurveyQuestions(judgedScenario(t)))
	byID := map[string]engine.QuestionResult{}
	for _, r := range res {
		byID[r.ID] = r
	}
	if r := byID["structured"]; r.Count != 2 || r.Average != 4.5 {
		t.Errorf("structured = %+v, want 2 answers averaging 4.5", r)
	}
	if r := byID["strengths"]; r.Count != 1 || len(r.Texts) != 1 || r.Texts[0] != "clear roles" {
		t.Errorf("strengths = %+v, want ana's latest, trimmed", r)
	}
	if r := byID["change"]; r.Count != 0 {
		t.Errorf("an empty answer counted: %+v", r)
	}

	again, err := engine.Rerun(judgedScenario(t), x.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := engine.MarshalLog(x.Events())
	b, _ := engine.MarshalLog(again.Events())
	if !bytes.Equal(a, b) {
		t.Fatal("the replay of the closing phase differs")
	}
	if again.State().Score["co-csirt"] != x.State().Score["co-csirt"] || len(again.State().Survey.Responses) != 2 {
		t.Fatal("the replay did not rebuild the closing phase's state")
	}
}

// TestAnonymousHotWash checks that an anonymous survey keeps no names and
// that its answers replace nothing.
func TestAnonymousHotWash(t *testing.T) {
	x, _ := escalated(t)
	MustApply(t, x, 80*time.Minute, facilitator(engine.CmdEnd))
	MustApply(t, x, 80*time.Minute, engine.Command{Type: engine.CmdSurveyOpen, By: lead, Anonymous: true})
	ana := engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	var evs []engine.Event
	evs = append(evs, MustApply(t, x, 0, surveyAnswer(ana, map[string]string{"prepared": "5"}))...)
	evs = append(evs, MustApply(t, x, 0, surveyAnswer(ana, map[string]string{"prepared": "3"}))...)
	for _, e := range evs {
		raw, _ := engine.MarshalLog([]engine.Event{e})
		if strings.Contains(string(raw), "ana") || e.Actor != "trainee:co-csirt" || !e.Data.Anonymous {
			t.Fatalf("anonymous answer recorded %s", raw)
		}
	}
	if n := len(x.State().Survey.Responses); n != 2 {
		t.Fatalf("%d responses, want 2: anonymous answers replace nothing", n)
	}
	if _, err := engine.Rerun(judgedScenario(t), x.Events(), nil); err != nil {
		t.Fatalf("replay of an anonymous survey: %v", err)
	}
}

// TestSurveyAnswerRefusals checks who may answer and what an answer holds.
func TestSurveyAnswerRefusals(t *testing.T) {
	x, _ := escalated(t)
	MustApply(t, x, 80*time.Minute, facilitator(engine.CmdEnd))
	MustApply(t, x, 80*time.Minute, engine.Command{Type: engine.CmdSurveyOpen, By: lead})
	ana := engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	cases := []struct {
		name string
		cmd  engine.Command
		code engine.ErrorCode
	}{
		{"facilitator", surveyAnswer(lead, map[string]string{"prepared": "5"}), engine.CodeForbidden},
		{"trainee opens", engine.Command{Type: engine.CmdSurveyOpen, By: ana}, engine.CodeForbidden},
		{"unknown question", surveyAnswer(ana, map[string]string{"nope": "5"}), engine.CodeInvalid},
		{"rating out of range", surveyAnswer(ana, map[string]string{"prepared": "6"}), engine.CodeInvalid},
		{"rating not a number", surveyAnswer(ana, map[string]string{"prepared": "good"}), engine.CodeInvalid},
		{"text too long", surveyAnswer(ana, map[string]string{"change": strings.Repeat("é", engine.MaxSurveyAnswerLen+1)}), engine.CodeInvalid},
		{"nothing answered", surveyAnswer(ana, map[string]string{"change": "  "}), engine.CodeInvalid},
	}
	n := len(x.Events())
	for _, c := range cases {
		if _, err := x.Apply(c.cmd); engine.Code(err) != c.code {
			t.Errorf("%s: got %v (%s), want %s", c.name, err, engine.Code(err), c.code)
		}
	}
	if len(x.Events()) != n {
		t.Fatal("a refused answer left events")
	}
	obs := engine.Principal{Role: engine.RoleObserver, Name: "Olga"}
	if _, err := x.Apply(surveyAnswer(obs, map[string]string{"realistic": "4"})); err != nil {
		t.Fatalf("an observer's answer: %v", err)
	}
}

// TestScenarioHotWash checks that a scenario's own hot wash questions
// replace the default ones.
func TestScenarioHotWash(t *testing.T) {
	s := judgedScenario(t)
	s.HotWash = []scenarios.HotWashQuestion{{ID: "useful", Kind: scenarios.QuestionRating, Text: "Useful?"}, {ID: "next", Kind: scenarios.QuestionText, Text: "Next time?"}}
	x, err := engine.New(s, engine.Options{Seed: 42, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	MustApply(t, x, time.Minute, facilitator(engine.CmdEnd))
	MustApply(t, x, 0, engine.Command{Type: engine.CmdSurveyOpen, By: lead})
	ana := engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	if _, err := x.Apply(surveyAnswer(ana, map[string]string{"structured": "4"})); engine.Code(err) != engine.CodeInvalid {
		t.Fatalf("a default question in a scenario with its own: %v, want invalid", err)
	}
	MustApply(t, x, 0, surveyAnswer(ana, map[string]string{"useful": "5", "next": "more injects"}))
	res := x.State().Survey.Results(engine.SurveyQuestions(s))
	if len(res) != 2 || res[0].ID != "useful" || res[0].Average != 5 || res[1].Texts[0] != "more injects" {
		t.Fatalf("results = %+v", res)
	}
}
