package report

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader is the header row of WriteCSV.
var CSVHeader = []string{"team", "inject", "expectation", "action", "objective", "capability",
	"delivered", "deadline", "answered", "latency", "outcome", "points", "max_points", "reason", "team_name", "scoring", "tlp"}

// WriteCSV writes a header and one row per expectation instance (see
// CSVHeader), for spreadsheets and programs. Every row carries the
// report's TLP marking ("TLP:AMBER") in its last cell, so that the
// marking travels with any part of the export while the file stays a
// plain table. The scoring column says how the points were scored (see
// ExpectationResult.ScoringState). Times are T+H:MM:SS, latencies H:MM:SS; an expectation
// never answered has empty answered and latency cells.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	marking := tlpMarking(r.TLP)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range r.Expectations {
		e := &r.Expectations[i]
		answered, latency := "", ""
		if e.Answered != nil {
			answered = e.Answered.TPlus()
		}
		if e.Latency != nil {
			latency = e.Latency.Clock()
		}
		row := []string{e.Team, e.Inject, e.Expectation, e.Action, e.Objective, e.Capability,
			e.Delivered.TPlus(), e.Deadline.TPlus(), answered, latency, string(e.Outcome),
			strconv.FormatFloat(e.Points, 'f', -1, 64), strconv.Itoa(e.MaxPoints), csvSafe(e.Reason), csvSafe(r.Names[e.Team]), e.ScoringState(), marking}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading free text as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

// The scoring states of an expectation row in the CSV export.
const (
	StateMechanical  = "mechanical"
	StateProvisional = "provisional"
	StateJudged      = "judged"
	StateNotDue      = "not_due"
)

// ScoringState says how the row's points were scored: not_due (its
// deadline fell after an early end), provisional (awaiting judgement),
// judged (by the evaluators or the lead evaluator's decision) or
// mechanical (by the engine alone).
func (e *ExpectationResult) ScoringState() string {
	switch {
	case e.Outcome == OutcomeNotDue:
		return StateNotDue
	case e.Scoring == ScoringProvisional:
		return StateProvisional
	case e.Scoring == ScoringJudged || e.Scoring == ScoringDecided:
		return StateJudged
	}
	return StateMechanical
}
