package web

import (
	"time"

	"cmesim/scenarios"
)

// decisionView is an inject's decision point as its receiving team reads
// it (scenarios/decision.go): the prompt, who decides, the deadline and
// the choices' labels, with their translations. The choices' weights for
// simulated teams are not sent.
type decisionView struct {
	ID      string        `json:"id"`
	Prompt  string        `json:"prompt"`
	By      string        `json:"by"`
	Within  time.Duration `json:"within"`
	Default string        `json:"default"`
	Choices []choiceView  `json:"choices"`
	// Translations holds the prompt by language, for the languages the
	// scenario declares.
	Translations map[string]string `json:"translations,omitempty"`
}

// choiceView is one choice of a decision.
type choiceView struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Translations holds the label by language.
	Translations map[string]string `json:"translations,omitempty"`
}

// decisionViewOf renders in's decision, or nil when it has none.
func decisionViewOf(s *scenarios.Scenario, in *scenarios.Inject) *decisionView {
	d := in.Decision
	if d == nil {
		return nil
	}
	v := &decisionView{ID: d.ID, Prompt: d.Prompt, By: d.By, Within: d.Within.D(), Default: d.Default}
	langs := s.TranslationLanguages()
	for _, lang := range langs {
		if tr, ok := d.Translations[lang]; ok && tr.Prompt != "" {
			if v.Translations == nil {
				v.Translations = map[string]string{}
			}
			v.Translations[lang] = tr.Prompt
		}
	}
	for i := range d.Choices {
		c := &d.Choices[i]
		cv := choiceView{ID: c.ID, Label: c.Label}
		for _, lang := range langs {
			if tr, ok := c.Translations[lang]; ok && tr.Label != "" {
				if cv.Translations == nil {
					cv.Translations = map[string]string{}
				}
				cv.Translations[lang] = tr.Label
			}
		}
		v.Choices = append(v.Choices, cv)
	}
	return v
}
