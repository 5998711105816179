package batch

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"cmesim/baseline"
	"cmesim/engine"
	"cmesim/scenarios"
)

// Choices sums up, over a batch, the decisions simulated teams took at the
// scenario's decision points (scenarios/decision.go) and what each choice
// led to: for every team decision, the objectives of that team are rated
// from its own points in that run (P, S, M or U, with the scenario's
// thresholds), and a choice's achievement of an objective is the share of
// the team decisions that took it, and exercised the objective, in which
// the team's rating was P or S.
type Choices struct {
	Runs      int              `json:"runs"`
	Decisions []DecisionResult `json:"decisions"`
}

// DecisionResult is what the teams chose at one decision point.
type DecisionResult struct {
	Decision string `json:"decision"`
	Inject   string `json:"inject"`
	// Made counts the team decisions over all runs.
	Made    int            `json:"made"`
	Choices []ChoiceResult `json:"choices"`
}

// ChoiceResult is how often one choice was taken and what it led to.
type ChoiceResult struct {
	Choice string `json:"choice"`
	Label  string `json:"label,omitempty"`
	// Taken counts the team decisions that took the choice; Share is
	// Taken over the decision's Made.
	Taken int     `json:"taken"`
	Share float64 `json:"share"`
	// Causes counts them by cause (team, vote, default, facilitator).
	Causes     map[string]int    `json:"causes,omitempty"`
	Objectives []ChoiceObjective `json:"objectives,omitempty"`
}

// ChoiceObjective is one objective's achievement by the teams that took a
// choice.
type ChoiceObjective struct {
	Objective string `json:"objective"`
	// Exercised counts the team decisions after which the team had points
	// of the objective available; Achieved is the share of those rated P
	// or S.
	Exercised int     `json:"exercised"`
	Achieved  float64 `json:"achieved"`
}

// choiceSample is one team decision of one run and the team's outcome.
type choiceSample struct {
	decision, choice int
	cause            string
	// rated and achieved are per objective: exercised, and rated P or S.
	rated, achieved []bool
}

// sampleChoices reads the decisions of a finished run.
func sampleChoices(s *scenarios.Scenario, st *engine.State, decisions []*scenarios.Decision) []choiceSample {
	if len(st.Decisions) == 0 {
		return nil
	}
	type key struct{ team, objective string }
	points := map[key][2]float64{}
	for i := range st.Expectations {
		e := &st.Expectations[i]
		k := key{e.Team, e.Objective}
		p := points[k]
		points[k] = [2]float64{p[0] + e.Points, p[1] + float64(e.MaxPoints)}
	}
	var out []choiceSample
	for _, d := range st.Decisions {
		if !d.Made {
			continue
		}
		di := decisionIndex(decisions, d.ID)
		if di < 0 {
			continue
		}
		ci := choiceIndex(decisions[di], d.Choice)
		smp := choiceSample{decision: di, choice: ci, cause: d.Cause,
			rated: make([]bool, len(s.Exercise.Objectives)), achieved: make([]bool, len(s.Exercise.Objectives))}
		for oi := range s.Exercise.Objectives {
			o := &s.Exercise.Objectives[oi]
			p := points[key{d.Team, o.ID}]
			r := baseline.Rate(p[0], p[1], s.RatingFor(o))
			smp.rated[oi] = r != ""
			smp.achieved[oi] = r == "P" || r == "S"
		}
		out = append(out, smp)
	}
	return out
}

func decisionIndex(ds []*scenarios.Decision, id string) int {
	for i, d := range ds {
		if d.ID == id {
			return i
		}
	}
	return -1
}

func choiceIndex(d *scenarios.Decision, id string) int {
	for i := range d.Choices {
		if d.Choices[i].ID == id {
			return i
		}
	}
	return -1
}

// choiceCollector folds choice samples into counts.
type choiceCollector struct {
	s         *scenarios.Scenario
	decisions []*scenarios.Decision
	runs      int
	taken     [][]int            // [decision][choice]
	causes    [][]map[string]int // [decision][choice]
	rated     [][][]int          // [decision][choice][objective]
	achieved  [][][]int
}

func newChoiceCollector(s *scenarios.Scenario) *choiceCollector {
	c := &choiceCollector{s: s, decisions: s.Decisions()}
	for _, d := range c.decisions {
		n := len(d.Choices)
		c.taken = append(c.taken, make([]int, n))
		c.causes = append(c.causes, make([]map[string]int, n))
		rated, achieved := make([][]int, n), make([][]int, n)
		for i := range n {
			rated[i] = make([]int, len(s.Exercise.Objectives))
			achieved[i] = make([]int, len(s.Exercise.Objectives))
		}
		c.rated = append(c.rated, rated)
		c.achieved = append(c.achieved, achieved)
	}
	return c
}

func (c *choiceCollector) add(samples []choiceSample) {
	c.runs++
	for _, smp := range samples {
		if smp.choice < 0 {
			continue
		}
		c.taken[smp.decision][smp.choice]++
		m := c.causes[smp.decision][smp.choice]
		if m == nil {
			m = map[string]int{}
			c.causes[smp.decision][smp.choice] = m
		}
		m[smp.cause]++
		for oi := range smp.rated {
			if smp.rated[oi] {
				c.rated[smp.decision][smp.choice][oi]++
			}
			if smp.achieved[oi] {
				c.achieved[smp.decision][smp.choice][oi]++
			}
		}
	}
}

func (c *choiceCollector) result() *Choices {
	out := &Choices{Runs: c.runs, Decisions: []DecisionResult{}}
	for di, d := range c.decisions {
		in, _, _ := c.s.Decision(d.ID)
		dr := DecisionResult{Decision: d.ID, Inject: in.ID}
		for _, n := range c.taken[di] {
			dr.Made += n
		}
		for ci := range d.Choices {
			cr := ChoiceResult{Choice: d.Choices[ci].ID, Label: d.Choices[ci].Label, Taken: c.taken[di][ci], Causes: c.causes[di][ci]}
			if dr.Made > 0 {
				cr.Share = round3(float64(cr.Taken) / float64(dr.Made))
			}
			for oi, o := range c.s.Exercise.Objectives {
				n := c.rated[di][ci][oi]
				if n == 0 {
					continue
				}
				cr.Objectives = append(cr.Objectives, ChoiceObjective{Objective: o.ID, Exercised: n,
					Achieved: round3(float64(c.achieved[di][ci][oi]) / float64(n))})
			}
			dr.Choices = append(dr.Choices, cr)
		}
		out.Decisions = append(out.Decisions, dr)
	}
	return out
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// Alternative is what one choice of a decision leads to when every
// simulated team is made to take it (Options.Choose).
type Alternative struct {
	Decision string `json:"decision"`
	Choice   string `json:"choice"`
	Runs     int    `json:"runs"`
	// Objectives are the achievements of the teams that took the choice,
	// as in ChoiceResult.
	Objectives []ChoiceObjective `json:"objectives,omitempty"`
}

// AlternativeRuns is how many runs Alternatives plays per choice when
// asked for none: enough for a share to within about ±7 points (95%), few
// enough that a report with a few decisions builds in seconds.
const AlternativeRuns = 200

// Alternatives plays, for every choice of every decision of s, runs
// simulated runs in which every team takes that choice (seeds firstSeed,
// firstSeed+1, …; runs ≤ 0 means AlternativeRuns), and returns what each
// choice led to: the Monte Carlo over choices the after-action report
// shows beside the path taken.
func Alternatives(ctx context.Context, s *scenarios.Scenario, runs, workers int, firstSeed uint64) ([]Alternative, error) {
	if runs <= 0 {
		runs = AlternativeRuns
	}
	var out []Alternative
	for _, d := range s.Decisions() {
		for _, c := range d.Choices {
			_, ch, err := RunWithChoices(ctx, s, Options{Runs: runs, Workers: workers, FirstSeed: firstSeed, Choose: map[string]string{d.ID: c.ID}})
			if err != nil {
				return nil, err
			}
			alt := Alternative{Decision: d.ID, Choice: c.ID, Runs: runs}
			for _, dr := range ch.Decisions {
				if dr.Decision != d.ID {
					continue
				}
				for _, cr := range dr.Choices {
					if cr.Choice == c.ID {
						alt.Objectives = cr.Objectives
					}
				}
			}
			out = append(out, alt)
		}
	}
	return out, nil
}

// checkChoose checks that every forced choice exists; the error for one
// that does not lists what the scenario offers instead.
func checkChoose(s *scenarios.Scenario, choose map[string]string) error {
	for _, id := range slices.Sorted(maps.Keys(choose)) {
		_, d, ok := s.Decision(id)
		if !ok {
			var ids []string
			for _, d := range s.Decisions() {
				ids = append(ids, d.ID)
			}
			if len(ids) == 0 {
				return fmt.Errorf("the scenario has no decision %q: it has no decision points", id)
			}
			return fmt.Errorf("the scenario has no decision %q (decisions: %s)", id, strings.Join(ids, ", "))
		}
		if _, ok := d.Choice(choose[id]); !ok {
			return fmt.Errorf("decision %s has no choice %q (choices: %s)", id, choose[id], strings.Join(d.ChoiceIDs(), ", "))
		}
	}
	return nil
}
