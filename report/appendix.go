package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// AppendixHeader is the header row of the appendix (AppendixWriter).
var AppendixHeader = []string{"seq", "at", "type", "actor", "team", "inject", "action", "tlp", "summary"}

// AppendixWriter writes a report's appendix, the whole event log, as CSV:
// one row per event (see AppendixHeader), with its summary in words in the
// report's language and its texts whole. It writes each event as it is
// given, so the appendix of a log of any length is written in constant
// memory: feed it from engine.ScanLog or a stored log.
type AppendixWriter struct {
	cw  *csv.Writer
	loc loc
	row []string
}

// NewAppendixWriter writes the header row to w and returns the writer of
// the rows, whose summaries are in language lang ("" is English) and name
// teams, actors and categories as the report does by scenario s (nil: by
// their ids and the default taxonomy).
func NewAppendixWriter(w io.Writer, lang i18n.Lang, s *scenarios.Scenario) (*AppendixWriter, error) {
	a := &AppendixWriter{cw: csv.NewWriter(w), loc: newLoc(lang), row: make([]string, len(AppendixHeader))}
	if s != nil {
		a.loc.useScenario(s)
	}
	if err := a.cw.Write(AppendixHeader); err != nil {
		return nil, err
	}
	return a, nil
}

// Add writes one event's row.
func (a *AppendixWriter) Add(e *engine.Event) error {
	l := a.loc.logEntry(e)
	a.row[0], a.row[1], a.row[2] = strconv.FormatUint(l.Seq, 10), l.At.TPlus(), l.Type
	a.row[3], a.row[4], a.row[5] = csvSafe(l.Actor), l.Team, l.Inject
	a.row[6], a.row[7], a.row[8] = l.Action, l.TLP, csvSafe(l.Summary)
	return a.cw.Write(a.row)
}

// Flush writes out what is buffered and returns the first error of any
// write.
func (a *AppendixWriter) Flush() error {
	a.cw.Flush()
	return a.cw.Error()
}
