package batch_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"cmesim/engine/batch"
	"cmesim/scenarios"
)

func decisionScenario(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	s, problems := scenarios.LoadFile("../../testdata/scenarios/e2e/decision.yaml")
	if problems.HasErrors() {
		tb.Fatal(problems)
	}
	return s
}

func choiceOf(t *testing.T, c *batch.Choices, decision, choice string) batch.ChoiceResult {
	t.Helper()
	for _, d := range c.Decisions {
		for _, cr := range d.Choices {
			if d.Decision == decision && cr.Choice == choice {
				return cr
			}
		}
	}
	t.Fatalf("no result for %s.%s in %+v", decision, choice, c)
	return batch.ChoiceResult{}
}

func objectiveOf(cr batch.ChoiceResult, id string) (batch.ChoiceObjective, bool) {
	for _, o := range cr.Objectives {
		if o.Objective == id {
			return o, true
		}
	}
	return batch.ChoiceObjective{}, false
}

// TestRunWithChoices counts the choices of a batch: every team decision is
// counted once, the shares follow the weights, each choice is rated on the
// objectives its own inject scores, and the result does not depend on the
// number of workers.
func TestRunWithChoices(t *testing.T) {
	s := decisionScenario(t)
	const runs = 300
	_, one, err := batch.RunWithChoices(context.Background(), s, batch.Options{Runs: runs, Workers: 1, FirstSeed: 5})
	if err != nil {
		t.Fatal(err)
	}
	_, two, err := batch.RunWithChoices(context.Background(), s, batch.Options{Runs: runs, Workers: 2, FirstSeed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, two) {
		t.Fatalf("1 worker: %+v\n2 workers: %+v", one, two)
	}
	if len(one.Decisions) != 2 || one.Decisions[0].Made != 2*runs || one.Decisions[1].Made != runs {
		t.Fatalf("decisions made: %+v, want D1 twice a run and D2 once", one.Decisions)
	}
	esc, wait := choiceOf(t, one, "D1", "escalate"), choiceOf(t, one, "D1", "wait")
	if esc.Taken+wait.Taken != 2*runs || esc.Share < 0.5 || esc.Share > 0.72 {
		t.Errorf("D1: escalate %+v, wait %+v", esc, wait)
	}
	if wait.Causes["default"] == 0 || wait.Causes["team"] == 0 {
		t.Errorf("wait causes %v: want both late (default) and chosen (team) ones", wait.Causes)
	}
	// Escalating releases I02 (publish, O2); waiting releases I03 (escalate, O1).
	if o, ok := objectiveOf(esc, "O2"); !ok || o.Exercised != esc.Taken {
		t.Errorf("escalate rated on O2: %+v %v, want every one of %d", o, ok, esc.Taken)
	}
	if o, ok := objectiveOf(wait, "O1"); !ok || o.Exercised != wait.Taken {
		t.Errorf("wait rated on O1: %+v %v, want every one of %d", o, ok, wait.Taken)
	}
}

// TestForcedChoiceAndAlternatives forces a choice and plays every
// alternative: a forced choice is taken by every team, and each
// alternative reports the objectives its own path scores.
func TestForcedChoiceAndAlternatives(t *testing.T) {
	s := decisionScenario(t)
	_, forced, err := batch.RunWithChoices(context.Background(), s, batch.Options{Runs: 50, Workers: 2, FirstSeed: 1, Choose: map[string]string{"D1": "wait"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := choiceOf(t, forced, "D1", "wait"); c.Taken != 100 || c.Share != 1 {
		t.Errorf("forced wait: %+v, want all 100 team decisions", c)
	}
	// A choice or a decision that does not exist is refused, naming what
	// the scenario offers instead.
	for choose, want := range map[string]string{
		"D1=maybe": `decision D1 has no choice "maybe" (choices: escalate, wait)`,
		"D9=wait":  `the scenario has no decision "D9" (decisions: D1, D2)`,
	} {
		id, choice, _ := strings.Cut(choose, "=")
		_, err := batch.Run(context.Background(), s, batch.Options{Runs: 1, Choose: map[string]string{id: choice}})
		if err == nil || err.Error() != want {
			t.Errorf("--choose %s: error %v, want %q", choose, err, want)
		}
	}
	alts, err := batch.Alternatives(context.Background(), s, 40, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range alts {
		names = append(names, a.Decision+"."+a.Choice)
		if a.Runs != 40 {
			t.Errorf("%s.%s: %d runs, want 40", a.Decision, a.Choice, a.Runs)
		}
	}
	if want := []string{"D1.escalate", "D1.wait", "D2.regional", "D2.alone"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("alternatives %v, want %v", names, want)
	}
	if o, ok := objectiveOf(batch.ChoiceResult{Objectives: alts[0].Objectives}, "O2"); !ok || o.Exercised != 80 {
		t.Errorf("D1.escalate alternative on O2: %+v, want 80 team decisions", o)
	}
	if o, ok := objectiveOf(batch.ChoiceResult{Objectives: alts[2].Objectives}, "O1"); !ok || o.Exercised != 40 {
		t.Errorf("D2.regional alternative on O1: %+v, want 40 team decisions", o)
	}
}
