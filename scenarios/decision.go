package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Decision points: an inject may offer its receiving teams a decision with
// a few choices. Each receiving team decides for itself, by the first
// answer of one of its trainees (by: team) or by a vote of its members
// (by: vote), before the deadline (within, counted from the delivery);
// when nobody decides, the default choice is taken. Injects (and spreads)
// whose trigger is on_choice: DECISION.CHOICE are released when a team
// takes that choice: the choice's consequences are those injects, with
// their own expectations (points), wall posts and spreads.

// Decision is a decision point an inject offers to each receiving team.
type Decision struct {
	// ID is unique across the scenario; triggers name a choice as ID.CHOICE.
	ID string `yaml:"id"`
	// Prompt is the question put to the team, in the scenario's language.
	Prompt string `yaml:"prompt"`
	// By says who decides: "team" (the first trainee answer decides) or
	// "vote" (the majority of the team's votes at the deadline).
	By string `yaml:"by"`
	// Within is the deadline, counted from the inject's delivery.
	Within Duration `yaml:"within"`
	// Default is the choice taken when nobody decides before the deadline.
	Default string   `yaml:"default"`
	Choices []Choice `yaml:"choices"`
	// Translations holds the prompt in other languages.
	Translations map[string]DecisionTranslation `yaml:"translations"`
	Pos          Pos                            `yaml:"-"`
}

// Choice is one option of a decision.
type Choice struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	// Weight is how likely a simulated team is to take this choice,
	// relative to the other choices' weights (default 1; 0 never).
	Weight float64 `yaml:"weight"`
	// Translations holds the label in other languages.
	Translations map[string]ChoiceTranslation `yaml:"translations"`
	Pos          Pos                          `yaml:"-"`
}

// DecisionTranslation is a decision's prompt in another language.
type DecisionTranslation struct {
	Prompt string `yaml:"prompt"`
	Pos    Pos    `yaml:"-"`
}

// ChoiceTranslation is a choice's label in another language.
type ChoiceTranslation struct {
	Label string `yaml:"label"`
	Pos   Pos    `yaml:"-"`
}

// Who decides a decision.
const (
	DecideByTeam = "team"
	DecideByVote = "vote"
)

// Limits of a decision.
const (
	MaxChoices        = 8
	MaxDecisionPrompt = 1000
	MaxChoiceLabel    = 200
)

// ChoiceWeight returns the choice's weight for simulated teams: 1 when the
// scenario gives none.
func (c *Choice) ChoiceWeight() float64 {
	if c.Pos.Has("weight") {
		return c.Weight
	}
	return 1
}

// PromptIn returns the decision's prompt in lang, or in the scenario's
// language when it is not translated into lang.
func (d *Decision) PromptIn(lang string) string {
	return firstNonBlank(d.Translations[lang].Prompt, d.Prompt)
}

// LabelIn returns the choice's label in lang, or in the scenario's
// language when it is not translated into lang.
func (c *Choice) LabelIn(lang string) string {
	return firstNonBlank(c.Translations[lang].Label, c.Label)
}

// Choice returns the choice with id, if the decision has one.
func (d *Decision) Choice(id string) (*Choice, bool) {
	for i := range d.Choices {
		if d.Choices[i].ID == id {
			return &d.Choices[i], true
		}
	}
	return nil, false
}

// ChoiceIDs returns the ids of the decision's choices, in order.
func (d *Decision) ChoiceIDs() []string {
	out := make([]string, len(d.Choices))
	for i := range d.Choices {
		out[i] = d.Choices[i].ID
	}
	return out
}

// Decisions returns the scenario's decisions in the order of their injects.
func (s *Scenario) Decisions() []*Decision {
	var out []*Decision
	for i := range s.Injects {
		if d := s.Injects[i].Decision; d != nil {
			out = append(out, d)
		}
	}
	return out
}

// Decision returns the decision with id and the inject that offers it.
func (s *Scenario) Decision(id string) (*Inject, *Decision, bool) {
	for i := range s.Injects {
		if d := s.Injects[i].Decision; d != nil && d.ID == id {
			return &s.Injects[i], d, true
		}
	}
	return nil, nil, false
}

// ChoiceRef returns the decision, and the choice, a "DECISION.CHOICE"
// reference names.
func (s *Scenario) ChoiceRef(ref string) (*Inject, *Decision, *Choice, bool) {
	did, cid, ok := strings.Cut(ref, ".")
	if !ok {
		return nil, nil, nil, false
	}
	in, d, ok := s.Decision(did)
	if !ok {
		return nil, nil, nil, false
	}
	c, ok := d.Choice(cid)
	return in, d, c, ok
}

// Releases returns the ids of the injects and spreads whose trigger is
// on_choice: ref ("DECISION.CHOICE"), injects first, in scenario order.
func (s *Scenario) Releases(ref string) (injects, spreads []string) {
	for i := range s.Injects {
		if t := s.Injects[i].Trigger; t != nil && t.OnChoice == ref {
			injects = append(injects, s.Injects[i].ID)
		}
	}
	for _, inc := range s.Incidents {
		for _, sp := range inc.Spread {
			if sp.When != nil && sp.When.OnChoice == ref {
				spreads = append(spreads, sp.ID)
			}
		}
	}
	return injects, spreads
}

// decisions checks every decision point and on_choice reference.
func (v *validator) decisions() {
	seen := map[string]Pos{}
	for i := range v.s.Injects {
		in := &v.s.Injects[i]
		d := in.Decision
		if d == nil {
			continue
		}
		what := "decision of inject " + in.ID
		if v.requireID(d.Pos, "id", d.ID, "decision") {
			what = "decision " + d.ID
			if prev, dup := seen[d.ID]; dup {
				v.errorf(d.Pos.Field("id"), "duplicate decision id %q (first defined at %s)", d.ID, prev)
			} else {
				seen[d.ID] = d.Pos.Field("id")
			}
		}
		v.decision(d, what)
	}
}

// decision checks one decision point.
func (v *validator) decision(d *Decision, what string) {
	v.decisionText(d.Pos.Field("prompt"), d.Prompt, what+" prompt", MaxDecisionPrompt)
	if d.By != DecideByTeam && d.By != DecideByVote {
		v.errorf(d.Pos.Field("by"), "%s: by must be %q or %q, not %q", what, DecideByTeam, DecideByVote, d.By)
	}
	switch end := v.s.Exercise.Duration.D(); {
	case d.Within <= 0 && !v.reported(d.Pos.Field("within")):
		v.errorf(d.Pos.Field("within"), "%s needs a deadline (within) greater than zero, such as \"20m\"", what)
	case end > 0 && d.Within.D() > end:
		v.errorf(d.Pos.Field("within"), "%s: within %s is longer than the exercise (%s)", what, d.Within, v.s.Exercise.Duration)
	}
	if len(d.Choices) < 2 {
		v.errorf(d.Pos.Field("choices"), "%s needs at least two choices", what)
	}
	if len(d.Choices) > MaxChoices {
		v.errorf(d.Choices[MaxChoices].Pos, "%s has %d choices; at most %d are allowed", what, len(d.Choices), MaxChoices)
	}
	ids := map[string]bool{}
	total := 0.0
	for i := range d.Choices {
		c := &d.Choices[i]
		if v.requireID(c.Pos, "id", c.ID, what+" choice") {
			if ids[c.ID] {
				v.errorf(c.Pos.Field("id"), "%s: duplicate choice id %q", what, c.ID)
			}
			ids[c.ID] = true
		}
		v.decisionText(c.Pos.Field("label"), c.Label, what+" choice "+c.ID+" label", MaxChoiceLabel)
		if w := c.ChoiceWeight(); w < 0 || w > 1000 {
			v.errorf(c.Pos.Field("weight"), "%s choice %s: weight must be between 0 and 1000", what, c.ID)
		} else {
			total += w
		}
	}
	if len(d.Choices) >= 2 && total <= 0 {
		v.errorf(d.Pos.Field("choices"), "%s: the choices' weights add up to zero; simulated teams could take none", what)
	}
	if d.Default == "" {
		v.errorf(d.Pos, "%s needs a default choice (default), taken when nobody decides in time", what)
	} else if !ids[d.Default] {
		v.errorf(d.Pos.Field("default"), "%s", didYouMean(fmt.Sprintf("%s: default names unknown choice %q", what, d.Default), d.Default, d.ChoiceIDs()))
	}
	v.decisionTranslations(d, what)
	for _, c := range d.Choices {
		if c.ID == "" {
			continue
		}
		injects, spreads := v.s.Releases(d.ID + "." + c.ID)
		if len(injects)+len(spreads) == 0 {
			v.warnf(c.Pos, "%s choice %s releases nothing: no inject or spread has the trigger on_choice: %s.%s", what, c.ID, d.ID, c.ID)
		}
	}
}

// decisionText checks a prompt or a label.
func (v *validator) decisionText(p Pos, text, what string, limit int) {
	switch {
	case strings.TrimSpace(text) == "":
		v.errorf(p, "%s is empty", what)
	case utf8.RuneCountInString(text) > limit:
		v.errorf(p, "%s is longer than %d characters", what, limit)
	}
}

// decisionTranslations checks the translation keys of a decision and warns
// about a language the exercise promises that a text lacks.
func (v *validator) decisionTranslations(d *Decision, what string) {
	langs := v.s.ContentLanguages()
	checkKeys := func(p Pos, keys []string) {
		for _, lang := range keys {
			switch {
			case !langPattern.MatchString(lang):
				v.errorf(p, "%s: translation key %q must be a two-letter language code", what, lang)
			case len(v.s.Exercise.Languages) > 0 && !slices.Contains(langs, lang):
				v.warnf(p, "%s: translation %q is not among the exercise's languages (%s)", what, lang, strings.Join(langs, ", "))
			}
		}
	}
	checkKeys(d.Pos.Field("translations"), sortedKeys(d.Translations))
	for _, c := range d.Choices {
		checkKeys(c.Pos.Field("translations"), sortedKeys(c.Translations))
	}
	for _, lang := range v.s.TranslationLanguages() {
		if !langPattern.MatchString(lang) {
			continue
		}
		if strings.TrimSpace(d.Translations[lang].Prompt) == "" {
			v.warnf(d.Pos.Field("prompt"), "missing %s translation of the prompt of %s (exercise.languages promises %s)", lang, what, lang)
		}
		for _, c := range d.Choices {
			if strings.TrimSpace(c.Translations[lang].Label) == "" {
				v.warnf(c.Pos.Field("label"), "missing %s translation of the label of %s choice %s (exercise.languages promises %s)", lang, what, c.ID, lang)
			}
		}
	}
}

// refChoice checks an on_choice "DECISION.CHOICE" reference.
func (v *validator) refChoice(p Pos, ref, what string) {
	did, cid, ok := strings.Cut(ref, ".")
	if !ok {
		v.errorf(p, "%s must name a choice as DECISION.CHOICE, got %q", what, ref)
		return
	}
	_, d, ok := v.s.Decision(did)
	if !ok {
		var ids []string
		for _, d := range v.s.Decisions() {
			ids = append(ids, d.ID)
		}
		v.errorf(p, "%s", didYouMean(fmt.Sprintf("%s names unknown decision %q", what, did), did, ids))
		return
	}
	if _, ok := d.Choice(cid); !ok {
		v.errorf(p, "%s", didYouMean(fmt.Sprintf("%s names unknown choice %q of decision %s", what, cid, did), cid, d.ChoiceIDs()))
	}
}

// init documents decision points in the JSON schema.
func init() {
	fieldDocs["Inject.decision"] = "A decision point the inject offers each receiving team: choices that release their own injects (triggers on_choice: DECISION.CHOICE)."
	fieldDocs["Trigger.on_choice"] = `Fires when a team takes a choice of a decision, named "DECISION.CHOICE"; $team is the team that chose.`
	fieldRules["Trigger.on_choice"] = fieldRule{pattern: expectationRef}
	typeDocs["Decision"] = "A decision point: each receiving team takes one of the choices, by its first trainee answer or by a vote, before the deadline; otherwise the default choice is taken."
	fieldDocs["Decision.id"] = "Decision id, unique across the scenario; triggers name a choice as ID.CHOICE."
	fieldDocs["Decision.prompt"] = "The question put to the team (Markdown), in the scenario's language."
	fieldDocs["Decision.by"] = `Who decides: "team" (the first trainee answer decides) or "vote" (the majority of the team's votes at the deadline; a tie goes to the default choice if tied, else to the tied choice listed first).`
	fieldDocs["Decision.within"] = "Deadline, counted from the inject's delivery."
	fieldDocs["Decision.default"] = "Id of the choice taken when nobody decides before the deadline."
	fieldDocs["Decision.choices"] = "The options, two to eight."
	fieldDocs["Decision.translations"] = "The prompt in other languages, keyed by two-letter language code."
	fieldRules["Decision.id"] = ruleID
	fieldRules["Decision.prompt"] = ruleRequired
	fieldRules["Decision.by"] = fieldRule{required: true, enum: []string{DecideByTeam, DecideByVote}}
	fieldRules["Decision.within"] = ruleRequired
	fieldRules["Decision.default"] = fieldRule{required: true, pattern: idPatternSource}
	fieldRules["Decision.choices"] = fieldRule{required: true, minItems: 2}
	fieldRules["Decision.translations"] = fieldRule{keys: langPatternSrc}
	typeDocs["Choice"] = "One option of a decision; the injects whose trigger is on_choice: DECISION.CHOICE are its consequences."
	fieldDocs["Choice.id"] = "Choice id, unique within the decision."
	fieldDocs["Choice.label"] = "What the choice says, in the scenario's language."
	fieldDocs["Choice.weight"] = "How likely a simulated team is to take this choice, relative to the others (default 1)."
	fieldDocs["Choice.translations"] = "The label in other languages, keyed by two-letter language code."
	fieldRules["Choice.id"] = ruleID
	fieldRules["Choice.label"] = ruleRequired
	fieldRules["Choice.weight"] = fieldRule{min: num(0), max: num(1000)}
	fieldRules["Choice.translations"] = fieldRule{keys: langPatternSrc}
	typeDocs["DecisionTranslation"] = "A decision's prompt in another language."
	fieldDocs["DecisionTranslation.prompt"] = "Translated prompt."
	fieldRules["DecisionTranslation.prompt"] = ruleRequired
	typeDocs["ChoiceTranslation"] = "A choice's label in another language."
	fieldDocs["ChoiceTranslation.label"] = "Translated label."
	fieldRules["ChoiceTranslation.label"] = ruleRequired
}
