package report

import (
	"cmesim/engine"
	"cmesim/engine/batch"
	"cmesim/scenarios"
)

// Decision points in the report (scenarios/decision.go): the path each
// team took (who chose what, when, how the team voted) and, when the
// caller passes them (Options.Alternatives, from batch.Alternatives), what
// each choice led to over simulated runs in which every team took it.

// DecisionPath is one team's decision.
type DecisionPath struct {
	Decision string `json:"decision"`
	Inject   string `json:"inject"`
	Team     string `json:"team"`
	// Prompt is the question in the report's language when translated.
	Prompt   string   `json:"prompt"`
	By       string   `json:"by"`
	Opened   Duration `json:"opened"`
	Deadline Duration `json:"deadline"`
	// Made is false when the exercise ended before the team decided.
	Made   bool   `json:"made"`
	Choice string `json:"choice,omitempty"`
	// Label is the choice's label in the report's language.
	Label string   `json:"label,omitempty"`
	Cause string   `json:"cause,omitempty"`
	At    Duration `json:"at,omitempty"`
	// MadeBy is the actor of the decision: a trainee, the facilitator,
	// sim:TEAM or system (a vote or the default).
	MadeBy string `json:"made_by,omitempty"`
	// Votes are the final votes per choice of a vote, in the scenario's
	// order of choices.
	Votes []ChoiceCount `json:"votes,omitempty"`
}

// ChoiceCount is the number of votes for one choice.
type ChoiceCount struct {
	Choice string `json:"choice"`
	Label  string `json:"label"`
	Votes  int    `json:"votes"`
}

// DecisionAlternatives is what every choice of one decision led to.
type DecisionAlternatives struct {
	Decision string              `json:"decision"`
	Prompt   string              `json:"prompt"`
	Choices  []AlternativeResult `json:"choices"`
}

// AlternativeResult is what one choice led to over simulated runs.
type AlternativeResult struct {
	Choice string `json:"choice"`
	Label  string `json:"label"`
	Runs   int    `json:"runs"`
	// Taken lists the teams that took this choice in the exercise.
	Taken []string `json:"taken,omitempty"`
	// Objectives are the share of the teams that took the choice, in the
	// simulated runs, that achieved each objective (rated P or S).
	Objectives []batch.ChoiceObjective `json:"objectives,omitempty"`
}

// decisions builds the decision section from the state and alternatives.
func (b *builder) decisions(alts []batch.Alternative) {
	lang := string(b.lang)
	for _, ds := range b.st.Decisions {
		_, d, ok := b.s.Decision(ds.ID)
		if !ok {
			continue
		}
		p := DecisionPath{Decision: ds.ID, Inject: ds.Inject, Team: ds.Team, Prompt: d.PromptIn(lang), By: ds.By,
			Opened: Duration(ds.Opened), Deadline: Duration(ds.Deadline), Made: ds.Made}
		if ds.Made {
			p.Choice, p.Cause, p.At, p.MadeBy = ds.Choice, ds.Cause, Duration(ds.MadeAt), ds.MadeBy
			p.Label = choiceLabel(d, ds.Choice, lang)
		}
		votes := ds.Tally
		if votes == nil && len(ds.Votes) > 0 {
			_, votes = engine.TallyVotes(d, ds.Votes)
		}
		for _, v := range votes {
			p.Votes = append(p.Votes, ChoiceCount{Choice: v.Choice, Label: choiceLabel(d, v.Choice, lang), Votes: v.Votes})
		}
		b.r.Decisions = append(b.r.Decisions, p)
	}
	if len(alts) == 0 {
		return
	}
	for _, d := range b.s.Decisions() {
		da := DecisionAlternatives{Decision: d.ID, Prompt: d.PromptIn(lang)}
		for _, c := range d.Choices {
			ar := AlternativeResult{Choice: c.ID, Label: c.LabelIn(lang)}
			for _, a := range alts {
				if a.Decision == d.ID && a.Choice == c.ID {
					ar.Runs, ar.Objectives = a.Runs, a.Objectives
				}
			}
			for _, p := range b.r.Decisions {
				if p.Decision == d.ID && p.Made && p.Choice == c.ID {
					ar.Taken = append(ar.Taken, p.Team)
				}
			}
			da.Choices = append(da.Choices, ar)
		}
		b.r.Alternatives = append(b.r.Alternatives, da)
	}
}

// choiceLabel is a choice's label in lang, or its id when unknown.
func choiceLabel(d *scenarios.Decision, id, lang string) string {
	if c, ok := d.Choice(id); ok {
		return c.LabelIn(lang)
	}
	return id
}
