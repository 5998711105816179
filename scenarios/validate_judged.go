package scenarios

import (
	"slices"
	"strings"
)

// judgedActions are the actions whose answer carries text for evaluators to
// judge.
var judgedActions = []Action{ActionPublish, ActionReport, ActionEscalate, ActionContain, ActionRequestInfo, ActionReply}

// judgedExpectation checks judged: only an answer with text can be judged,
// and evaluators need criteria to judge it by.
func (v *validator) judgedExpectation(e *Expectation, what string) {
	if !e.Judged {
		return
	}
	if e.Action != "" && !slices.Contains(judgedActions, e.Action) {
		names := make([]string, len(judgedActions))
		for i, a := range judgedActions {
			names[i] = string(a)
		}
		v.errorf(e.Pos.Field("judged"), "%s: a %s answer has no text to judge; judged applies to %s", what, e.Action, strings.Join(names, ", "))
		return
	}
	if strings.TrimSpace(e.Criteria) == "" && strings.TrimSpace(e.Description) == "" {
		v.warnf(e.Pos.Field("judged"), "%s is judged but has no criteria: write what a good answer is, so evaluators judge alike", what)
	}
}
