package web

import (
	"cmesim/engine"
	"cmesim/scenarios"
)

// Exercise evaluation guides in the consoles: staff receive every
// objective's critical tasks (in every language the scenario translates
// them into), and the EEG events are evaluators' notes as far as observers
// are concerned (they read them only when the scenario lets them read
// notes).

// criticalTaskView is a critical task as the staff consoles show it.
type criticalTaskView struct {
	ID           string            `json:"id"`
	Text         string            `json:"text"`
	Expectations []string          `json:"expectations,omitempty"`
	Translations map[string]string `json:"translations,omitempty"`
}

// criticalTasksView returns the critical tasks of every objective that
// has some, by objective id, for staff; trainees get nothing.
func criticalTasksView(scn *scenarios.Scenario, staff bool) map[string][]criticalTaskView {
	if !staff {
		return nil
	}
	var out map[string][]criticalTaskView
	for _, o := range scn.Exercise.Objectives {
		for i := range o.CriticalTasks {
			t := &o.CriticalTasks[i]
			v := criticalTaskView{ID: t.ID, Text: t.Text, Expectations: t.Expectations}
			for lang, tr := range t.Translations {
				if v.Translations == nil {
					v.Translations = map[string]string{}
				}
				v.Translations[lang] = tr.Text
			}
			if out == nil {
				out = map[string][]criticalTaskView{}
			}
			out[o.ID] = append(out[o.ID], v)
		}
	}
	return out
}

// isEEGEvent reports whether t is one of the evaluation guides' events.
func isEEGEvent(t engine.EventType) bool {
	return t == engine.EventObserved || t == engine.EventObjectiveRated || t == engine.EventRatingOverridden
}
