package scenarios

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The hot wash: the participant feedback survey the facilitator opens
// after the end. A scenario may replace the default questions (after the
// HSEEP participant feedback form, in the consoles' catalogs) with its own
// under hot_wash.

// HotWashQuestion is one question of the scenario's own hot wash survey.
type HotWashQuestion struct {
	ID string `yaml:"id"`
	// Kind is how it is answered: "rating" (1 to 5) or "text".
	Kind string `yaml:"kind"`
	// Text is the question in the scenario's language.
	Text string `yaml:"text"`
	// Translations holds the question in other languages.
	Translations map[string]QuestionTranslation `yaml:"translations"`
	Pos          Pos                            `yaml:"-"`
}

// QuestionTranslation is a hot wash question in another language.
type QuestionTranslation struct {
	Text string `yaml:"text"`
	Pos  Pos    `yaml:"-"`
}

// The kinds of hot wash question.
const (
	QuestionRating = "rating"
	QuestionText   = "text"
)

// Limits of a scenario's hot wash survey.
const (
	MaxHotWashQuestions   = 20
	MaxHotWashQuestionLen = 300
)

// QuestionText returns the question in lang, or in the scenario's language
// when it is not translated into lang.
func (q *HotWashQuestion) QuestionText(lang string) string {
	return firstNonBlank(q.Translations[lang].Text, q.Text)
}

// hotWash checks the scenario's own hot wash questions.
func (v *validator) hotWash() {
	qs := v.s.HotWash
	if len(qs) > MaxHotWashQuestions {
		v.errorf(qs[MaxHotWashQuestions].Pos, "hot_wash has %d questions; at most %d are allowed", len(qs), MaxHotWashQuestions)
	}
	seen := map[string]Pos{}
	for i := range qs {
		q := &qs[i]
		what := "hot_wash question"
		if q.ID != "" {
			what += " " + q.ID
		}
		if v.requireID(q.Pos, "id", q.ID, "hot_wash question") {
			if prev, dup := seen[q.ID]; dup {
				v.errorf(q.Pos.Field("id"), "duplicate hot_wash question id %q (first defined at %s)", q.ID, prev)
			} else {
				seen[q.ID] = q.Pos.Field("id")
			}
		}
		if q.Kind != QuestionRating && q.Kind != QuestionText {
			v.errorf(q.Pos.Field("kind"), "%s: kind must be %q or %q, not %q", what, QuestionRating, QuestionText, q.Kind)
		}
		v.questionText(q.Pos.Field("text"), q.Text, what)
		langs := v.s.ContentLanguages()
		for _, lang := range sortedKeys(q.Translations) {
			tr := q.Translations[lang]
			switch {
			case !langPattern.MatchString(lang):
				v.errorf(q.Pos.Field("translations"), "%s: translation key %q must be a two-letter language code", what, lang)
			case len(v.s.Exercise.Languages) > 0 && !slices.Contains(langs, lang):
				v.warnf(q.Pos.Field("translations"), "%s: translation %q is not among the exercise's languages (%s)", what, lang, strings.Join(langs, ", "))
			}
			v.questionText(tr.Pos.Field("text"), tr.Text, what+" ("+lang+")")
		}
	}
}

// questionText checks one hot wash question's text.
func (v *validator) questionText(p Pos, text, what string) {
	switch {
	case strings.TrimSpace(text) == "":
		v.errorf(p, "%s needs a text", what)
	case utf8.RuneCountInString(text) > MaxHotWashQuestionLen:
		v.errorf(p, "%s: the text is longer than %d characters", what, MaxHotWashQuestionLen)
	}
}

// init documents the hot wash in the JSON schema.
func init() {
	fieldDocs["Scenario.hot_wash"] = "The scenario's own hot wash survey questions, replacing the default ones (after the HSEEP participant feedback form)."
	typeDocs["HotWashQuestion"] = "A question of the hot wash survey that participants answer after the end."
	fieldDocs["HotWashQuestion.id"] = "Unique id of the question."
	fieldDocs["HotWashQuestion.kind"] = `How it is answered: "rating" (1 = strongly disagree to 5 = strongly agree) or "text".`
	fieldDocs["HotWashQuestion.text"] = "The question, in the scenario's language."
	fieldDocs["HotWashQuestion.translations"] = "The question in other languages, keyed by two-letter language code."
	fieldRules["HotWashQuestion.id"] = ruleID
	fieldRules["HotWashQuestion.kind"] = fieldRule{required: true, enum: []string{QuestionRating, QuestionText}}
	fieldRules["HotWashQuestion.text"] = ruleRequired
	fieldRules["HotWashQuestion.translations"] = fieldRule{keys: langPatternSrc}
	typeDocs["QuestionTranslation"] = "A hot wash question in another language."
	fieldDocs["QuestionTranslation.text"] = "Translated question."
	fieldRules["QuestionTranslation.text"] = ruleRequired
}
