package report

import "cmesim/engine"

// Judged expectations in the report: every expectation row says how its
// points were scored (Scoring), team totals say how many of their points
// are still provisional, and the evaluators' judgements are listed with
// their comments. Everything comes from the log's expectation.met,
// expectation.judged and expectation.scored events, one at a time.

// How an expectation's points were scored.
const (
	// ScoringProvisional: a judged expectation met but not yet judged; the
	// points are the timeliness points alone.
	ScoringProvisional = "provisional"
	// ScoringJudged: the evaluators' reconciled judgement.
	ScoringJudged = "judged"
	// ScoringDecided: the lead evaluator's decision.
	ScoringDecided = "decided"
)

// Judgement is one evaluator's judgement of a team's answer.
type Judgement struct {
	Seq         uint64   `json:"seq"`
	At          Duration `json:"at"`
	By          string   `json:"by"`
	Team        string   `json:"team"`
	Inject      string   `json:"inject"`
	Expectation string   `json:"expectation"`
	Rating      string   `json:"rating"`
	Points      float64  `json:"points"`
	MaxPoints   int      `json:"max_points"`
	Comment     string   `json:"comment,omitempty"`
	// Decision marks the lead evaluator's decision.
	Decision bool `json:"decision,omitempty"`
}

// judgedScore is what the judgement events say of one expectation instance.
type judgedScore struct {
	scoring      string
	rating       engine.Rating
	disagreement bool
}

// judgement folds an expectation.met, expectation.judged or
// expectation.scored event.
func (b *builder) judgement(e *engine.Event) {
	d := &e.Data
	in := b.instance(d.Inject, d.Expectation, e.Team)
	switch e.Type {
	case engine.EventExpectationMet:
		if d.Provisional {
			in.judged.scoring = ScoringProvisional
		}
	case engine.EventExpectationJudged:
		j := d.Judgement()
		b.r.Judgements = append(b.r.Judgements, Judgement{Seq: e.Seq, At: Duration(e.At), By: e.Actor, Team: e.Team,
			Inject: d.Inject, Expectation: d.Expectation, Rating: string(j.Rating), Points: j.Content,
			MaxPoints: d.MaxPoints, Comment: d.Text, Decision: j.Decision})
	case engine.EventExpectationScored:
		j := d.Judgement()
		in.judged = judgedScore{scoring: ScoringJudged, rating: j.Rating, disagreement: j.Disagreement}
		if j.Decision {
			in.judged.scoring = ScoringDecided
		}
	}
}

// judgedRow fills an expectation row's scoring from its instance.
func judgedRow(row *ExpectationResult, in *instance) {
	if in == nil {
		return
	}
	row.Scoring, row.Rating, row.Disagreement = in.judged.scoring, string(in.judged.rating), in.judged.disagreement
}

// countProvisional adds a row's points to its team's provisional points
// when they await judgement.
func countProvisional(t *TeamResult, e *ExpectationResult) {
	if e.Scoring == ScoringProvisional {
		t.Provisional = round2(t.Provisional + e.Points)
		t.ToJudge++
	}
}

// judgementLine says what a judgement or a reconciled score records, in a
// line of the log appendix.
func (l loc) judgementLine(e *engine.Event) string {
	d, j := &e.Data, e.Data.Judgement()
	key, points := "judge.report.log_scored", d.Points
	if e.Type == engine.EventExpectationJudged {
		key, points = "judge.report.log_judged", j.Content
	}
	s := l.t(key, "expectation", d.Inject+"."+d.Expectation, "rating", l.t("judge.rating."+string(j.Rating)), "points", l.points(points), "max", d.MaxPoints)
	if d.Text != "" {
		s += ": " + d.Text
	}
	return s
}
