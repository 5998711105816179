package report

import "cmesim/engine"

// The hot wash in the report: the participants' answers to the feedback
// survey the facilitator opened after the end (engine/survey.go), next to
// the measured performance. The builder's state folds every
// survey.answered event as it applies the log, so a named participant's
// latest answer is the one that counts, as in the engine.

// HotWash is the report's hot wash section.
type HotWash struct {
	// Anonymous says the answers were recorded without names.
	Anonymous bool `json:"anonymous,omitempty"`
	// Respondents counts the answers that count (one per named participant).
	Respondents int `json:"respondents"`
	// Questions are the survey's questions with their results, in order:
	// the average and count of each rating question, the answers to each
	// text question.
	Questions []HotWashQuestion `json:"questions"`
}

// HotWashQuestion is one survey question and what its answers come to.
type HotWashQuestion struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Text is the question in the report's language: the scenario's own
	// question (translated where the scenario translates it) or the
	// default question's catalog text.
	Text string `json:"text"`
	// AsWritten says Text is the scenario's own question, not translated
	// into the report's language (the HTML marks its language).
	AsWritten bool     `json:"-"`
	Answers   int      `json:"answers"`
	Average   float64  `json:"average,omitempty"`
	Texts     []string `json:"texts,omitempty"`
}

// Rating says whether the question is answered with a rating.
func (q *HotWashQuestion) Rating() bool { return q.Kind == string(engine.QuestionRating) }

// hotWash sums the survey up once the log is applied; nil when no survey
// was opened.
func (b *builder) hotWash() *HotWash {
	sv := &b.st.Survey
	if !sv.Open {
		return nil
	}
	h := &HotWash{Anonymous: sv.Anonymous, Respondents: len(sv.Responses)}
	for i, r := range sv.Results(engine.SurveyQuestions(b.s)) {
		q := HotWashQuestion{ID: r.ID, Kind: string(r.Kind), Text: b.t("hotwash.q." + r.ID), Answers: r.Count, Average: r.Average, Texts: r.Texts}
		if len(b.s.HotWash) > 0 {
			own := &b.s.HotWash[i]
			q.Text = own.QuestionText(string(b.lang))
			q.AsWritten = q.Text == own.Text
		}
		h.Questions = append(h.Questions, q)
	}
	return h
}
