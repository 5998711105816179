package web

import "cmesim/scenarios"

// hotWashQuestionView is one of a scenario's own hot wash questions, as
// the consoles show it: its text in the scenario's language and its
// translations by language.
type hotWashQuestionView struct {
	ID           string            `json:"id"`
	Kind         string            `json:"kind"`
	Text         string            `json:"text"`
	Translations map[string]string `json:"translations,omitempty"`
}

// hotWashView lists scn's own hot wash questions, or none when it keeps
// the default ones.
func hotWashView(scn *scenarios.Scenario) []hotWashQuestionView {
	var out []hotWashQuestionView
	for _, q := range scn.HotWash {
		v := hotWashQuestionView{ID: q.ID, Kind: q.Kind, Text: q.Text}
		for lang, tr := range q.Translations {
			if v.Translations == nil {
				v.Translations = map[string]string{}
			}
			v.Translations[lang] = tr.Text
		}
		out = append(out, v)
	}
	return out
}
