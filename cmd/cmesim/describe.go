package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"cmesim/scenarios"
)

func (a *app) newDescribeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "describe FILE|NAME",
		Short: "Print a readable summary of a scenario",
		Long: `Describe prints a plain-text summary of one scenario (a file path or the
name of a bundled scenario): the exercise, objectives with the points each
can earn, teams, actors, groups, the sharing network, incidents, the inject
timeline with what triggers each inject, and every expectation.

An invalid scenario is not described: its problems are printed to stderr
and the exit status is 1.`,
		Example: `  cmesim describe grid-ransomware
  cmesim describe my-exercise.yaml | less`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			return a.describe(args[0])
		}),
	}
}

func (a *app) describe(target string) error {
	s, problems := openScenario(target)
	if s == nil {
		for _, p := range problems {
			fmt.Fprintln(a.stderr, formatProblem(p))
		}
		return fmt.Errorf("describe: %s is invalid (%s); see cmesim validate", scenarioName(target, s, problems), plural(len(problems.Errors()), "error"))
	}
	for _, p := range problems { // warnings only
		fmt.Fprintln(a.stderr, formatProblem(p))
	}
	return scenarios.Describe(a.stdout, s)
}
