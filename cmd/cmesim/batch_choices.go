package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"cmesim/engine/batch"
	"cmesim/scenarios"
)

// parseChoose reads --choose DECISION=CHOICE flags.
func parseChoose(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, f := range flags {
		d, c, ok := strings.Cut(f, "=")
		if !ok || d == "" || c == "" {
			return nil, usageError(fmt.Errorf("batch: --choose %q must be DECISION=CHOICE", f))
		}
		out[d] = c
	}
	return out, nil
}

// printChoices prints, per decision point, how often each choice was taken
// and how often the teams that took it achieved each objective.
func printChoices(w io.Writer, s *scenarios.Scenario, c *batch.Choices) error {
	if c == nil || len(c.Decisions) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"DECISION", "CHOICE", "TAKEN", "DEFAULT"}
	for _, o := range s.Exercise.Objectives {
		head = append(head, o.ID)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, d := range c.Decisions {
		for _, cr := range d.Choices {
			row := []string{d.Decision, cr.Choice, fmt.Sprintf("%.0f%% (%d)", 100*cr.Share, cr.Taken), fmt.Sprintf("%d", cr.Causes["default"])}
			for _, o := range s.Exercise.Objectives {
				row = append(row, choiceAchievement(cr, o.ID))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	}
	return tw.Flush()
}

// choiceAchievement shows how often the teams that took a choice achieved
// an objective, or "—" when none of them was rated on it.
func choiceAchievement(cr batch.ChoiceResult, objective string) string {
	for _, o := range cr.Objectives {
		if o.Objective == objective {
			return fmt.Sprintf("%.0f%%", 100*o.Achieved)
		}
	}
	return "—"
}

// decisionAlternatives plays runs simulated runs per choice of each of s's
// decision points for the report (none when runs is 0 or s has no
// decision point). 200 runs per choice take about a second per choice for
// a library-sized scenario on one core.
func decisionAlternatives(s *scenarios.Scenario, runs int) ([]batch.Alternative, error) {
	if runs <= 0 || len(s.Decisions()) == 0 {
		return nil, nil
	}
	if runs > 100_000 {
		return nil, usageError(fmt.Errorf("report: --alternatives must be at most 100000, got %d", runs))
	}
	return batch.Alternatives(context.Background(), s, runs, 0, 1)
}
