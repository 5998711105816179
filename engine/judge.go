package engine

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"cmesim/scenarios"
)

// Judged expectations: the engine measures when a team acted, evaluators
// judge what it wrote. A judged expectation met by an action scores
// provisionally (expectation.met with Provisional set and the points that
// timeliness alone gives). Each judge command records an evaluator's
// judgement (expectation.judged, staff only) and the engine then scores the
// item again from every judgement so far (expectation.scored), by the rule
// of Reconcile. The command log holds every judgement, so a replay and the
// report reproduce the scores exactly.

// CmdJudge is an evaluator's or facilitator's judgement of a team's answer
// to a judged expectation. A facilitator's judgement is the lead
// evaluator's decision.
const CmdJudge CommandType = "judge"

// The events of judgement.
const (
	// EventExpectationJudged records one judgement (staff only).
	EventExpectationJudged EventType = "expectation.judged"
	// EventExpectationScored is the reconciled score of a judged item after
	// a judgement, visible to its team.
	EventExpectationScored EventType = "expectation.scored"
)

// Rating is an evaluator's verdict on a team's answer.
type Rating string

// The ratings, from worst to best.
const (
	RatingNotMet Rating = "not_met"
	RatingPartly Rating = "partly"
	RatingMet    Rating = "met"
)

// Ratings lists the ratings from worst to best.
var Ratings = []Rating{RatingNotMet, RatingPartly, RatingMet}

// Rank returns the position of r in Ratings, or -1 for an unknown rating.
func (r Rating) Rank() int { return slices.Index(Ratings, r) }

// DefaultPoints is the content points a rating gives when the judge names
// none: all of them for met, half for partly, none for not met.
func (r Rating) DefaultPoints(max int) float64 {
	switch r {
	case RatingMet:
		return float64(max)
	case RatingPartly:
		return round2(float64(max) / 2)
	}
	return 0
}

// DisagreementShare is the share of an expectation's points by which two
// evaluators' points must differ for their judgements to disagree.
const DisagreementShare = 0.25

// Judgement is one evaluator's judgement of one team's answer.
type Judgement struct {
	Seq uint64        `json:"seq"`
	At  time.Duration `json:"at"`
	// By is the judge's actor label (evaluator:NAME or facilitator:NAME).
	By      string  `json:"by"`
	Rating  Rating  `json:"rating"`
	Points  float64 `json:"points"`
	Comment string  `json:"comment,omitempty"`
	// Decision marks the lead evaluator's (a facilitator's) decision.
	Decision bool `json:"decision,omitempty"`
}

// Reconciled is what the judgements of one item come to.
type Reconciled struct {
	Rating Rating
	// Content is the content points, before the timeliness factor.
	Content float64
	// Judges counts the evaluators whose latest judgement counts.
	Judges int
	// Disagreement says the evaluators' latest judgements are more than
	// one rating step or more than DisagreementShare of the points apart.
	Disagreement bool
	// Decided says a lead evaluator's decision settles the item.
	Decided bool
}

// Reconcile applies the documented rule to an item's judgements, in log
// order: the latest judgement of each evaluator counts; the rating is their
// median (the lower middle one for an even count) and the content points
// their median (the mean of the two middle ones); the latest decision, if
// any, overrides both. max is the expectation's points.
func Reconcile(js []Judgement, max int) Reconciled {
	latest := map[string]Judgement{}
	var r Reconciled
	var decision *Judgement
	for i := range js {
		if js[i].Decision {
			decision = &js[i]
			continue
		}
		latest[js[i].By] = js[i]
	}
	var ranks []int
	var points []float64
	for _, j := range latest {
		ranks = append(ranks, j.Rating.Rank())
		points = append(points, j.Points)
	}
	slices.Sort(ranks)
	slices.Sort(points)
	r.Judges = len(ranks)
	if n := len(ranks); n > 0 {
		r.Rating = Ratings[ranks[(n-1)/2]]
		r.Content = points[n/2]
		if n%2 == 0 {
			r.Content = round2((points[n/2-1] + points[n/2]) / 2)
		}
		r.Disagreement = ranks[n-1]-ranks[0] > 1 || points[n-1]-points[0] > DisagreementShare*float64(max)
	}
	if decision != nil {
		r.Rating, r.Content, r.Decided = decision.Rating, decision.Points, true
	}
	return r
}

// judgeAnswer validates and records a judgement, then scores the item again.
func (x *Exercise) judgeAnswer(cmd Command) error {
	if x.scn.TeamIndex(cmd.Team) < 0 {
		return Errorf(CodeNotFound, "unknown team %q", cmd.Team)
	}
	if _, ok := x.injectIx[cmd.Inject]; !ok {
		return Errorf(CodeNotFound, "unknown inject %q", cmd.Inject)
	}
	e := x.expectationOf(cmd.Inject, cmd.Expectation)
	if e == nil {
		return Errorf(CodeNotFound, "inject %s has no expectation %q", cmd.Inject, cmd.Expectation)
	}
	if !e.Judged {
		return Errorf(CodeInvalid, "expectation %s.%s is scored by the engine, not judged", cmd.Inject, e.ID)
	}
	st := x.st.Expectation(cmd.Inject, e.ID, cmd.Team)
	if st == nil || !st.Met {
		return Errorf(CodeConflict, "team %s has not answered %s.%s yet: there is nothing to judge", cmd.Team, cmd.Inject, e.ID)
	}
	if cmd.Rating.Rank() < 0 {
		return Errorf(CodeInvalid, "rating must be met, partly or not_met")
	}
	points := cmd.Rating.DefaultPoints(e.Points)
	if cmd.Points != nil {
		points = *cmd.Points
	}
	if math.IsNaN(points) || points < 0 || points > float64(e.Points) {
		return Errorf(CodeInvalid, "points must be between 0 and %d", e.Points)
	}
	d := Details{Inject: cmd.Inject, Expectation: e.ID, MaxPoints: e.Points, Text: cmd.Text,
		JudgementFields: &JudgementFields{Rating: cmd.Rating, Content: round2(points), Decision: cmd.By.Role == RoleFacilitator}}
	judged := x.emit(cmdEvent(EventExpectationJudged, cmd, cmd.Team, nil, d))
	r := Reconcile(x.st.Judgements(cmd.Inject, e.ID, cmd.Team), e.Points)
	timeliness := Points(1, st.MetAt-st.Opened, e.Within.D(), x.scn.LateFactor())
	x.emit(Event{Type: EventExpectationScored, Actor: "system", Team: cmd.Team, Audience: []string{cmd.Team},
		Data: Details{Inject: cmd.Inject, Expectation: e.ID, MaxPoints: e.Points,
			Points: round2(r.Content * timeliness), Cause: fmt.Sprintf("judge:%d", judged.Seq),
			JudgementFields: &JudgementFields{Rating: r.Rating, Content: r.Content, Decision: r.Decided, Disagreement: r.Disagreement}}})
	return nil
}

// applyJudgement folds an expectation.judged event into the state.
func (st *State) applyJudgement(e *Event) {
	d := &e.Data
	if st.judgements == nil {
		st.judgements = map[string][]Judgement{}
	}
	key := d.Inject + "." + d.Expectation + "@" + e.Team
	j := d.Judgement()
	st.judgements[key] = append(st.judgements[key], Judgement{Seq: e.Seq, At: e.At, By: e.Actor,
		Rating: j.Rating, Points: j.Content, Comment: d.Text, Decision: j.Decision})
}

// applyScore folds an expectation.scored event into the state.
func (st *State) applyScore(e *Event) {
	d := &e.Data
	x := st.Expectation(d.Inject, d.Expectation, e.Team)
	if x == nil {
		return
	}
	st.Score[e.Team] += d.Points - x.Points
	j := d.Judgement()
	x.Points, x.Provisional, x.Rating, x.Decided, x.Disagreement = d.Points, false, j.Rating, j.Decision, j.Disagreement
}

// Judgements returns the judgements of one team's answer, in log order.
func (st *State) Judgements(inject, expectation, team string) []Judgement {
	return st.judgements[inject+"."+expectation+"@"+team]
}

// ToJudge lists the items waiting for a judgement: judged expectations met
// provisionally, oldest answer first.
func (st *State) ToJudge() []ExpectationState {
	var out []ExpectationState
	for _, e := range st.Expectations {
		if e.Provisional {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b ExpectationState) int { return cmp.Compare(a.MetAt, b.MetAt) })
	return out
}

// actionSeq reads the seq of the action a cause "action:SEQ" names.
func actionSeq(cause string) uint64 {
	s, ok := strings.CutPrefix(cause, "action:")
	if !ok {
		return 0
	}
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// provisional marks the expectation.met of a judged expectation as
// provisional and links it to the action it scores.
func provisional(met Details, e *scenarios.Expectation, action uint64) Details {
	if e.Judged {
		met.Provisional, met.Cause = true, fmt.Sprintf("action:%d", action)
	}
	return met
}

// staffVerb phrases what a staff command does, for a refusal.
func staffVerb(t CommandType) string {
	if t == CmdJudge {
		return "judge answers"
	}
	return "take notes"
}
