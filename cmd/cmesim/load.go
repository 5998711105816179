package main

import (
	"fmt"

	"cmesim/scenarios"
)

// loadScenario opens a scenario file or bundled scenario for a command that
// needs a valid one; problems go to stderr, and an invalid scenario is an
// error naming the command.
func (a *app) loadScenario(command, target string) (*scenarios.Scenario, error) {
	s, problems := openScenario(target)
	for _, p := range problems {
		fmt.Fprintln(a.stderr, formatProblem(p))
	}
	if s == nil {
		return nil, fmt.Errorf("%s: %s is invalid (%s); see cmesim validate", command, scenarioName(target, s, problems), plural(len(problems.Errors()), "error"))
	}
	return s, nil
}
