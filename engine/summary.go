package engine

import (
	"time"

	"cmesim/scenarios"
)

// Summary is the short account of a run that `cmesim run` prints: per team,
// how many injects arrived and how the expectations went.
type Summary struct {
	Now       string        `json:"now"`
	Status    Status        `json:"status"`
	Events    int           `json:"events"`
	Delivered int           `json:"injects_delivered"`
	Spreads   []string      `json:"spreads,omitempty"`
	Teams     []TeamSummary `json:"teams"`
}

// TeamSummary counts one team's outcomes.
type TeamSummary struct {
	Team      string  `json:"team"`
	Name      string  `json:"name"`
	Mode      Mode    `json:"mode"`
	Delivered int     `json:"injects_delivered"`
	Met       int     `json:"met"`
	Late      int     `json:"late"`
	Wrong     int     `json:"wrong"`
	Missed    int     `json:"missed"`
	Open      int     `json:"open"`
	Score     float64 `json:"score"`
	MaxScore  int     `json:"max_score"`
	// RFIs counts the requests for information the team received, Answered
	// those it replied to, and AnswerTime is their mean time to first reply.
	RFIs       int    `json:"rfis,omitempty"`
	Answered   int    `json:"rfis_answered,omitempty"`
	AnswerTime string `json:"rfi_answer_time,omitempty"`
	// ToJudge counts the judged expectations met but not yet judged, and
	// Provisional the points they hold meanwhile (part of Score); Judged
	// counts those evaluators have judged.
	ToJudge     int     `json:"to_judge,omitempty"`
	Provisional float64 `json:"provisional_points,omitempty"`
	Judged      int     `json:"judged,omitempty"`
}

// Summarize counts the exercise's outcomes so far.
func (x *Exercise) Summarize() Summary {
	st := x.st
	sum := Summary{Now: scenarios.FormatOffset(st.Now), Status: st.Status, Events: len(x.log), Spreads: st.Spreads}
	index := map[string]int{}
	for i, t := range x.scn.Teams {
		index[t.ID] = i
		sum.Teams = append(sum.Teams, TeamSummary{Team: t.ID, Name: t.Name, Mode: st.Modes[t.ID], Score: round2(st.Score[t.ID])})
	}
	for k := range st.delivered {
		sum.Teams[index[k.team]].Delivered++
		sum.Delivered++
	}
	for i := range st.Expectations {
		e := &st.Expectations[i]
		t := &sum.Teams[index[e.Team]]
		t.MaxScore += e.MaxPoints
		t.countJudgement(e)
		switch e.Outcome() {
		case OutcomeMet:
			t.Met++
		case OutcomeLate:
			t.Late++
		case OutcomeWrong:
			t.Wrong++
		case OutcomeMissed:
			t.Missed++
		default:
			t.Open++
		}
	}
	var waited = map[string]time.Duration{}
	for _, r := range st.RFIs {
		i, ok := index[r.To]
		if !ok {
			continue
		}
		t := &sum.Teams[i]
		t.RFIs++
		if r.Answered {
			t.Answered++
			waited[r.To] += r.Latency()
		}
	}
	for i := range sum.Teams {
		if t := &sum.Teams[i]; t.Answered > 0 {
			t.AnswerTime = scenarios.FormatOffset(waited[t.Team] / time.Duration(t.Answered))
		}
	}
	return sum
}

// countJudgement counts a judged expectation's standing in the summary.
func (t *TeamSummary) countJudgement(e *ExpectationState) {
	switch {
	case e.Provisional:
		t.ToJudge++
		t.Provisional = round2(t.Provisional + e.Points)
	case e.Rating != "":
		t.Judged++
	}
}
