package report

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader is the header row of WriteCSV.
var CSVHeader = []string{"team", "inject", "expectation", "action", "objective", "capability",
	"delivered", "deadline", "answered", "latency", "outcome", "points", "max_points", "reason", "team_name"}

// WriteCSV writes one row per expectation instance (see CSVHeader), for
// spreadsheets, after a first row of one cell: the report's TLP marking
// ("TLP:AMBER"), so that the marking travels with the export. Times are T+H:MM:SS, latencies H:MM:SS; an expectation never
// answered has empty answered and latency cells.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{tlpMarking(r.TLP)}); err != nil {
		return err
	}
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
			strconv.FormatFloat(e.Points, 'f', -1, 64), strconv.Itoa(e.MaxPoints), csvSafe(e.Reason), csvSafe(r.Names[e.Team])}
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
