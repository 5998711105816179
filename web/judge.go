package web

import "cmesim/scenarios"

// judgedIDs lists the ids of an inject's judged expectations, for the
// staff MSEL: the consoles show the evaluators' queue only when there is
// something to judge.
func judgedIDs(in *scenarios.Inject) []string {
	var out []string
	for _, e := range in.Expectations {
		if e.Judged {
			out = append(out, e.ID)
		}
	}
	return out
}
