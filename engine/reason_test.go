package engine_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// TestReasonCodes_InEveryCatalog checks that every reason code the engine
// can emit has a catalog message in all four languages, and that the
// English message is the engine's own sentence, so a console or report in
// English reads what the log says.
func TestReasonCodes_InEveryCatalog(t *testing.T) {
	codes := engine.ReasonCodes()
	if len(codes) < 10 {
		t.Fatalf("only %d reason codes: %v", len(codes), codes)
	}
	for _, c := range codes {
		key := "reason." + string(c)
		for _, l := range i18n.Langs {
			if !i18n.Has(l, key) {
				t.Errorf("%s: no message %q for reason code %s", l, key, c)
			}
		}
		if got, want := i18n.CatalogOf(i18n.English)[key].Text, engine.ReasonEnglish(c); got != want {
			t.Errorf("English %s = %q, the engine says %q", key, got, want)
		}
	}
	detail := "reason.deadline_after_wrong_detail"
	if got, want := i18n.CatalogOf(i18n.English)[detail].Text, engine.ReasonEnglish(engine.ReasonDeadlineAfterWrong)+": {reason}"; got != want {
		t.Errorf("English %s = %q, want %q", detail, got, want)
	}
}

// TestReasonCodes_OnEveryReason runs every library scenario and the
// example with recorded commands and checks that every event with a reason
// carries a known code whose arguments rebuild the English sentence.
func TestReasonCodes_OnEveryReason(t *testing.T) {
	seen := map[engine.ReasonCode]int{}
	check := func(t *testing.T, events []engine.Event) {
		for _, e := range events {
			w := e.Data.Why
			if w.Reason == "" && w.ReasonCode == "" {
				continue
			}
			seen[w.ReasonCode]++
			if engine.ReasonEnglish(w.ReasonCode) == "" {
				t.Fatalf("event %d (%s): unknown reason code %q for %q", e.Seq, e.Type, w.ReasonCode, w.Reason)
			}
			if got := englishOf(w.ReasonCode, w.ReasonArgs); got != w.Reason {
				t.Fatalf("event %d (%s): code %s with %v reads %q, the event says %q", e.Seq, e.Type, w.ReasonCode, w.ReasonArgs, got, w.Reason)
			}
		}
	}
	for _, name := range scenarios.Library() {
		s, _ := scenarios.LoadLibrary(name)
		x, err := engine.New(s, engine.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.RunToEnd(); err != nil {
			t.Fatal(err)
		}
		check(t, x.Events())
	}
	x := MustNew(t, "co-csirt", "pe-csirt")
	for _, c := range wrongAnswers() {
		MustApply(t, x, 15*time.Minute, c)
	}
	x.AdvanceTo(2 * time.Hour)
	check(t, x.Events())
	ended := MustNew(t)
	MustApply(t, ended, time.Minute, facilitator(engine.CmdEnd))
	check(t, ended.Events())
	for _, c := range []engine.ReasonCode{engine.ReasonDeadlinePassed, engine.ReasonDeadlineAfterWrong, engine.ReasonWrongClassification,
		engine.ReasonShareTLP, engine.ReasonDurationReached, engine.ReasonEndedByFacilitator} {
		if seen[c] == 0 {
			t.Errorf("no event gave the reason %s (seen: %v)", c, seen)
		}
	}
}

// wrongAnswers are co-csirt's wrong answers to I01 of the example: both
// parts of the classification, and a share more open than the inject.
func wrongAnswers() []engine.Command {
	c := trainee("co-csirt", engine.CmdClassify, "I01")
	c.Category, c.Severity = "malicious-code/infected-system", "low"
	s := trainee("co-csirt", engine.CmdShare, "I01")
	s.Peers, s.TLP = []string{"pe-csirt"}, "green"
	return []engine.Command{c, s}
}

// englishOf rebuilds the English sentence of a code from its arguments as
// a reader of the log would.
func englishOf(code engine.ReasonCode, args map[string]string) string {
	s := engine.ReasonEnglish(code)
	if code == engine.ReasonDeadlineAfterWrong && args[engine.ReasonArgWrong] != "" {
		return s + ": " + englishOf(engine.ReasonCode(args[engine.ReasonArgWrong]), args)
	}
	for k, v := range args {
		if k == "action" {
			v = strings.ReplaceAll(v, "_", " ")
		}
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// TestReasonArgs checks the arguments of each kind of wrong answer and of
// the miss that follows one: the values given and expected, by name.
func TestReasonArgs(t *testing.T) {
	x := MustNew(t, "co-csirt", "pe-csirt")
	for i, c := range wrongAnswers() {
		evs := MustApply(t, x, 15*time.Minute, c)
		wrong := find(evs, engine.EventExpectationWrong, "co-csirt")
		if wrong == nil {
			t.Fatalf("answer %d: no expectation.wrong in %v", i, types(evs))
		}
		want := []engine.Why{
			{ReasonCode: engine.ReasonWrongClassification, ReasonArgs: map[string]string{"category": "malicious-code/infected-system",
				"expected_category": "fraud/phishing", "severity": "low", "expected_severity": "high"}},
			{ReasonCode: engine.ReasonShareTLP, ReasonArgs: map[string]string{"tlp": "GREEN", "limit": "AMBER"}},
		}[i]
		if got := wrong.Data.Why; got.ReasonCode != want.ReasonCode || !maps.Equal(got.ReasonArgs, want.ReasonArgs) {
			t.Errorf("answer %d: %s %v, want %s %v", i, got.ReasonCode, got.ReasonArgs, want.ReasonCode, want.ReasonArgs)
		}
	}
	x.AdvanceTo(2 * time.Hour)
	var missed []engine.Why
	for _, e := range x.Events() {
		if e.Type == engine.EventExpectationMissed && e.Team == "co-csirt" && e.Data.Inject == "I01" {
			missed = append(missed, e.Data.Why)
		}
	}
	i := slices.IndexFunc(missed, func(w engine.Why) bool {
		return w.ReasonArgs[engine.ReasonArgWrong] == string(engine.ReasonWrongClassification)
	})
	if i < 0 {
		t.Fatalf("no miss of I01 names the wrong classification: %+v", missed)
	}
	if w := missed[i]; w.ReasonCode != engine.ReasonDeadlineAfterWrong || w.ReasonArgs["expected_category"] != "fraud/phishing" ||
		!strings.HasPrefix(w.Reason, "deadline passed after a wrong answer: category ") {
		t.Errorf("miss after a wrong classification: %+v", w)
	}
}
