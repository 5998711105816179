package web

import (
	"cmesim/engine"
	"cmesim/scenarios"
)

// hotWashQuestionView is one hot wash question as the consoles show it: a
// scenario's own carries its text in the scenario's language and its
// translations by language; a default one has no text (the consoles read
// the catalog message "hotwash.q.ID").
type hotWashQuestionView struct {
	ID           string            `json:"id"`
	Kind         string            `json:"kind"`
	Text         string            `json:"text"`
	Translations map[string]string `json:"translations,omitempty"`
}

// hotWashView lists the questions of scn's hot wash survey: its own, or
// the engine's default ones, so that the consoles keep no list of their own.
func hotWashView(scn *scenarios.Scenario) []hotWashQuestionView {
	if len(scn.HotWash) == 0 {
		return defaultHotWashView()
	}
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

// defaultHotWashView lists the engine's default hot wash questions, without
// text.
func defaultHotWashView() []hotWashQuestionView {
	out := make([]hotWashQuestionView, len(engine.HotWashQuestions))
	for i, q := range engine.HotWashQuestions {
		out[i] = hotWashQuestionView{ID: q.ID, Kind: string(q.Kind)}
	}
	return out
}
