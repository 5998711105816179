package scenarios

import (
	"fmt"
	"strings"
)

// Exercise evaluation guides (EEGs): an objective may list the critical
// tasks evaluators observe to rate it, each linked to the expectations
// that measure it. Critical tasks are staff-only, like criteria.

// CriticalTask is a task a team must perform for an objective to be met,
// as an exercise evaluation guide lists it.
type CriticalTask struct {
	ID   string `yaml:"id"`
	Text string `yaml:"text"`
	// Expectations are the expectations (INJECT.EXPECTATION) that measure
	// the task; each must score the task's objective.
	Expectations []string `yaml:"expectations"`
	// Translations holds the text in other languages.
	Translations map[string]ObjectiveTranslation `yaml:"translations"`
	Pos          Pos                             `yaml:"-"`
}

// TextIn returns the critical task's text in lang, or as written.
func (t *CriticalTask) TextIn(lang string) string {
	return firstNonBlank(t.Translations[lang].Text, t.Text)
}

// CriticalTask returns the critical task of the objective with id.
func (o *Objective) CriticalTask(id string) (*CriticalTask, bool) {
	for i := range o.CriticalTasks {
		if o.CriticalTasks[i].ID == id {
			return &o.CriticalTasks[i], true
		}
	}
	return nil, false
}

// criticalTasks checks every objective's critical tasks: ids unique within
// the objective, a text, and linked expectations that exist and score the
// objective. It runs after the injects are checked.
func (v *validator) criticalTasks() {
	for i := range v.s.Exercise.Objectives {
		o := &v.s.Exercise.Objectives[i]
		seen := map[string]*CriticalTask{}
		for j := range o.CriticalTasks {
			t := &o.CriticalTasks[j]
			what := fmt.Sprintf("objective %s: critical task %q", o.ID, t.ID)
			v.requireID(t.Pos, "id", t.ID, "critical task")
			if prev, dup := seen[t.ID]; dup && t.ID != "" {
				v.errorf(t.Pos.Field("id"), "%s: duplicate critical task id (first defined at %s)", what, prev.Pos.Field("id"))
			} else {
				seen[t.ID] = t
			}
			if strings.TrimSpace(t.Text) == "" {
				v.errorf(t.Pos.Field("text"), "%s needs a text", what)
			}
			for k, ref := range t.Expectations {
				v.criticalTaskLink(o, ref, t.Pos.Item("expectations", k), what)
			}
		}
	}
}

// criticalTaskLink checks that ref names an expectation that scores o.
func (v *validator) criticalTaskLink(o *Objective, ref string, at Pos, what string) {
	inject, id, ok := strings.Cut(ref, ".")
	in := v.injects[inject]
	if !ok || in == nil {
		v.errorf(at, "%s links %q: write INJECT.EXPECTATION, naming an inject of the scenario", what, ref)
		return
	}
	for i := range in.Expectations {
		e := &in.Expectations[i]
		if e.ID != id {
			continue
		}
		if e.Objective != o.ID {
			v.errorf(at, "%s links %s, which scores objective %q, not %q", what, ref, e.Objective, o.ID)
		}
		return
	}
	v.errorf(at, "%s links %q: inject %s has no expectation %q", what, ref, inject, id)
}

// init adds critical tasks to the JSON schema's rules and descriptions.
func init() {
	fieldDocs["Objective.critical_tasks"] = "The critical tasks evaluators observe to rate the objective (its exercise evaluation guide); staff only."
	typeDocs["CriticalTask"] = "A task a team must perform for the objective to be met, linked to the expectations that measure it."
	fieldRules["CriticalTask.id"] = ruleID
	fieldRules["CriticalTask.text"] = ruleRequired
	fieldRules["CriticalTask.translations"] = fieldRule{keys: langPatternSrc}
	fieldDocs["CriticalTask.id"] = "Critical task id, unique within its objective; observations name it."
	fieldDocs["CriticalTask.text"] = "What the team must do, in one sentence."
	fieldDocs["CriticalTask.expectations"] = "The expectations (INJECT.EXPECTATION) that measure the task; each must score this objective."
	fieldDocs["CriticalTask.translations"] = "The text in other languages, keyed by two-letter language code."
}
