package report

import "cmesim/engine"

// WithoutNotes returns a copy of the report without the evaluators' notes,
// for readers who may not see them (observers, unless the scenario lets
// them): the notes table, the notes under teams and objectives, their
// count and their lines in the log.
func (r *Report) WithoutNotes() *Report {
	c := *r
	c.Notes = []Note{}
	c.NotesOmitted = 0
	c.Judgements = nil // evaluators' comments are as private as their notes
	// The hot wash's aggregate stays; who answered what (the log's
	// survey.answered lines) is for staff only, like the events.
	c.Summary.Notes = 0
	c.Teams = make([]TeamResult, len(r.Teams))
	for i, t := range r.Teams {
		t.Notes = nil
		c.Teams[i] = t
	}
	c.Objectives = make([]ObjectiveResult, len(r.Objectives))
	for i, o := range r.Objectives {
		o.Notes, o.EEG = nil, withoutEEGNotes(o.EEG)
		c.Objectives[i] = o
	}
	c.Log = make([]LogEntry, 0, len(r.Log))
	for _, l := range r.Log {
		if l.Type != string(engine.EventNote) && l.Type != string(engine.EventExpectationJudged) && l.Type != string(engine.EventSurveyAnswered) && !isEEGEvent(l.Type) {
			c.Log = append(c.Log, l)
		}
	}
	if r.LogExcerpt != nil {
		x := *r.LogExcerpt
		x.Shown, x.Omitted = len(c.Log), x.Events-len(c.Log)
		c.LogExcerpt = &x
	}
	return &c
}
