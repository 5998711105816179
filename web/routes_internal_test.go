package web

import (
	"testing"
	"time"

	"cmesim/scenarios"
)

// TestDescribeTrigger: what the MSEL says releases an inject without a
// time, for every kind of trigger.
func TestDescribeTrigger(t *testing.T) {
	at := scenarios.Duration(10 * time.Minute)
	for _, tc := range []struct {
		name string
		in   scenarios.Inject
		want *triggerView
	}{
		{"timed", scenarios.Inject{At: &at}, nil},
		{"consequence", scenarios.Inject{}, &triggerView{Kind: "consequence"}},
		{"after", scenarios.Inject{Trigger: &scenarios.Trigger{After: "I01", Delay: scenarios.Duration(20 * time.Minute)}}, &triggerView{Kind: "after", Inject: "I01", Delay: 20 * time.Minute}},
		{"action", scenarios.Inject{Trigger: &scenarios.Trigger{OnAction: &scenarios.ActionMatch{Team: "group:andean", Action: "share", Inject: "I02"}}}, &triggerView{Kind: "action", Team: "group:andean", Action: "share", Inject: "I02"}},
		{"miss", scenarios.Inject{Trigger: &scenarios.Trigger{OnMiss: "I01.share"}}, &triggerView{Kind: "miss", Expectation: "I01.share"}},
		{"choice", scenarios.Inject{Trigger: &scenarios.Trigger{OnChoice: "D1.escalate", Delay: scenarios.Duration(time.Minute)}}, &triggerView{Kind: "choice", Choice: "D1.escalate", Delay: time.Minute}},
		{"facilitator", scenarios.Inject{Trigger: &scenarios.Trigger{Release: "facilitator"}}, &triggerView{Kind: "facilitator"}},
	} {
		got := describeTrigger(tc.in)
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestTranslatedExercise: the exercise's texts a scenario translates, and
// none it leaves as written (a console would mark the original as the
// reader's language).
func TestTranslatedExercise(t *testing.T) {
	scn, problems := scenarios.LoadFile("../testdata/scenarios/valid/example.yaml")
	if problems.HasErrors() {
		t.Fatal(problems)
	}
	es := scn.Exercise.Translations["es"]
	es.Description = " "
	scn.Exercise.Translations["es"] = es
	scn.Exercise.Objectives[1].Translations = nil
	got := translatedExercise(scn)["es"]
	if got.Title != "Ola de phishing contra dos ministerios" || got.Description != "" || got.Objectives["O1"] == "" {
		t.Errorf("es texts %+v: want the title and O1, no description", got)
	}
	if _, ok := got.Objectives["O2"]; ok {
		t.Errorf("O2, not translated, offered in Spanish as %q", got.Objectives["O2"])
	}
}
