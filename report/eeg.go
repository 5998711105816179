package report

import (
	"cmesim/engine"
)

// Exercise evaluation guides in the report: under each objective that has
// critical tasks or evaluators' work, the tasks with the state of their
// linked expectations, the observations (linked to the log events the
// evaluators saw), every rating and override, and the rating that stands.
// The final rating is the objective's Rating wherever the report rates
// objectives; Mechanical keeps the one the points give.

// Who gave an objective's final rating (ObjectiveEEG.RatedBy).
const (
	// RatedMechanical: the points, as without evaluation guides.
	RatedMechanical = "mechanical"
	// RatedEvaluators: the evaluators' reconciled rating.
	RatedEvaluators = "evaluators"
	// RatedLead: the lead evaluator's override.
	RatedLead = "lead_evaluator"
)

// ObjectiveEEG is an objective's exercise evaluation guide, filled in.
type ObjectiveEEG struct {
	// Tasks are the objective's critical tasks, in scenario order.
	Tasks []CriticalTaskResult `json:"critical_tasks,omitempty"`
	// Observations are those on the objective as a whole, in log order.
	Observations []Observation `json:"observations,omitempty"`
	// Ratings are the evaluators' ratings and the lead's overrides, in
	// log order.
	Ratings []EvaluatorRating `json:"ratings,omitempty"`
	// Reconciled is the evaluators' rating by engine.ReconcileGrades, over
	// Raters evaluators; Disagreement flags ratings more than a step apart.
	Reconciled   Rating `json:"reconciled,omitempty"`
	Raters       int    `json:"raters,omitempty"`
	Disagreement bool   `json:"disagreement,omitempty"`
	// Override is the lead evaluator's override that stands, if any.
	Override *EvaluatorRating `json:"override,omitempty"`
	// Mechanical is the rating the points give; Final the one that stands
	// (the objective's Rating), given by RatedBy.
	Mechanical Rating `json:"mechanical"`
	Final      Rating `json:"final"`
	RatedBy    string `json:"rated_by"`
}

// CriticalTaskResult is one critical task with what the log says of it.
type CriticalTaskResult struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Expectations are the linked expectations (INJECT.EXPECTATION); Points,
	// MaxPoints and Outcomes total their instances across teams.
	Expectations []string      `json:"expectations,omitempty"`
	Points       float64       `json:"points"`
	MaxPoints    float64       `json:"max_points"`
	Outcomes     Outcomes      `json:"outcomes"`
	Observations []Observation `json:"observations,omitempty"`
}

// Observation is an evaluator's observation on a critical task or an
// objective.
type Observation struct {
	Seq  uint64   `json:"seq"`
	At   Duration `json:"at"`
	By   string   `json:"by"`
	Team string   `json:"team,omitempty"`
	Text string   `json:"text"`
	// Events are the log events the evaluator linked, by seq; InLog says
	// which of them the report's log (or its excerpt) shows, the others
	// being in the appendix.
	Events []EventRef `json:"events,omitempty"`
}

// EventRef is a link from an observation to a log event.
type EventRef struct {
	Seq   uint64 `json:"seq"`
	InLog bool   `json:"in_log,omitempty"`
}

// EvaluatorRating is an evaluator's rating of an objective, or the lead
// evaluator's override.
type EvaluatorRating struct {
	Seq      uint64   `json:"seq"`
	At       Duration `json:"at"`
	By       string   `json:"by"`
	Rating   Rating   `json:"rating"`
	Reason   string   `json:"reason"`
	Override bool     `json:"override,omitempty"`
}

// evaluationGuides fills each objective's EEG from the log's observations
// and ratings, and makes the final rating the objective's Rating. It runs
// after objectives and before findings, which read the final rating.
func (b *builder) evaluationGuides() {
	observations := b.st.Observations()
	for i := range b.r.Objectives {
		res := &b.r.Objectives[i]
		o, ok := b.s.Objective(res.ID)
		if !ok {
			continue
		}
		ratings := b.st.ObjectiveRatings(o.ID)
		g := &ObjectiveEEG{Mechanical: res.Rating}
		for _, t := range o.CriticalTasks {
			g.Tasks = append(g.Tasks, b.criticalTask(t.ID, t.TextIn(string(b.lang)), t.Expectations))
		}
		for _, ob := range observations {
			if ob.Objective != o.ID {
				continue
			}
			obs := Observation{Seq: ob.Seq, At: Duration(ob.At), By: ob.By, Team: ob.Team, Text: cutText(ob.Text)}
			for _, seq := range ob.Events {
				obs.Events = append(obs.Events, EventRef{Seq: seq})
			}
			if t := taskIndex(g.Tasks, ob.Task); t >= 0 {
				g.Tasks[t].Observations = append(g.Tasks[t].Observations, obs)
			} else {
				g.Observations = append(g.Observations, obs)
			}
		}
		if len(g.Tasks) == 0 && len(g.Observations) == 0 && len(ratings) == 0 {
			continue
		}
		for _, r := range ratings {
			g.Ratings = append(g.Ratings, evaluatorRating(r))
		}
		rec := engine.ReconcileGrades(ratings)
		g.Reconciled, g.Raters, g.Disagreement = Rating(rec.Reconciled), rec.Raters, rec.Disagreement
		if rec.Override != nil {
			ov := evaluatorRating(*rec.Override)
			g.Override = &ov
		}
		final, byEvaluators := rec.Final(engine.Grade(res.Rating))
		g.Final, g.RatedBy = Rating(final), RatedMechanical
		switch {
		case rec.Override != nil:
			g.RatedBy = RatedLead
		case byEvaluators:
			g.RatedBy = RatedEvaluators
		}
		if g.RatedBy != RatedMechanical {
			res.Rating = g.Final
			res.Evidence += " " + b.t("eeg.report.evidence_rated", "rating", string(g.Final), "mechanical", g.Mechanical.Letter())
		}
		res.EEG = g
	}
}

// evaluatorRating converts an engine rating for the report.
func evaluatorRating(r engine.ObjectiveRating) EvaluatorRating {
	return EvaluatorRating{Seq: r.Seq, At: Duration(r.At), By: r.By, Rating: Rating(r.Grade), Reason: cutText(r.Reason), Override: r.Override}
}

// criticalTask totals the instances of a task's linked expectations.
func (b *builder) criticalTask(id, text string, refs []string) CriticalTaskResult {
	res := CriticalTaskResult{ID: id, Text: text, Expectations: refs}
	var tl tally
	for i := range b.r.Expectations {
		e := &b.r.Expectations[i]
		for _, ref := range refs {
			if ref == e.Inject+"."+e.Expectation {
				tl.add(e)
			}
		}
	}
	res.Points, res.MaxPoints, res.Outcomes = round2(tl.points), round2(tl.max), tl.outcomes
	return res
}

func taskIndex(tasks []CriticalTaskResult, id string) int {
	if id == "" {
		return -1
	}
	for i := range tasks {
		if tasks[i].ID == id {
			return i
		}
	}
	return -1
}

// linkObservedEvents marks the observations' linked events that the
// report's log shows. It runs after the log is chosen.
func (b *builder) linkObservedEvents() {
	inLog := map[uint64]bool{}
	for _, l := range b.r.Log {
		inLog[l.Seq] = true
	}
	mark := func(obs []Observation) {
		for i := range obs {
			for j := range obs[i].Events {
				obs[i].Events[j].InLog = inLog[obs[i].Events[j].Seq]
			}
		}
	}
	for _, o := range b.r.Objectives {
		if o.EEG == nil {
			continue
		}
		mark(o.EEG.Observations)
		for _, t := range o.EEG.Tasks {
			mark(t.Observations)
		}
	}
}

// withoutEEGNotes strips an objective's EEG of what only readers of notes
// see: the observations and the ratings' reasons. The ratings themselves
// and the rating that stands remain.
func withoutEEGNotes(g *ObjectiveEEG) *ObjectiveEEG {
	if g == nil {
		return nil
	}
	c := *g
	c.Observations = nil
	c.Tasks = make([]CriticalTaskResult, len(g.Tasks))
	for i, t := range g.Tasks {
		t.Observations = nil
		c.Tasks[i] = t
	}
	c.Ratings = make([]EvaluatorRating, len(g.Ratings))
	for i, r := range g.Ratings {
		r.Reason = ""
		c.Ratings[i] = r
	}
	if g.Override != nil {
		ov := *g.Override
		ov.Reason = ""
		c.Override = &ov
	}
	return &c
}

// isEEGEvent reports whether an event type is one of the evaluation
// guides'.
func isEEGEvent(t string) bool {
	return t == string(engine.EventObserved) || t == string(engine.EventObjectiveRated) || t == string(engine.EventRatingOverridden)
}

// eegLine says what an evaluation guide's event records, in a line of the
// log.
func (l loc) eegLine(e *engine.Event) string {
	d := &e.Data
	if d.EEG == nil {
		return d.Text
	}
	switch e.Type {
	case engine.EventObserved:
		about := d.Objective
		if d.EEG.Task != "" {
			about += "." + d.EEG.Task
		}
		return l.t("eeg.report.log_observed", "about", about, "count", len(d.EEG.Events), "text", d.Text)
	case engine.EventRatingOverridden:
		return l.t("eeg.report.log_overridden", "objective", d.Objective, "rating", string(d.EEG.Grade), "text", d.Text)
	}
	return l.t("eeg.report.log_rated", "objective", d.Objective, "rating", string(d.EEG.Grade), "text", d.Text)
}

// HasEEG reports whether any objective of the report has an evaluation
// guide, for the templates.
func (v *view) HasEEG() bool {
	for i := range v.R.Objectives {
		if v.R.Objectives[i].EEG != nil {
			return true
		}
	}
	return false
}

// RatedBy says who gave an objective's rating (RatedMechanical without an
// evaluation guide), for the templates.
func (v *view) RatedBy(o ObjectiveResult) string {
	if o.EEG == nil {
		return RatedMechanical
	}
	return o.EEG.RatedBy
}

// objectiveRow pairs the view with one objective, for the "rated-by"
// template.
type objectiveRow struct {
	V *view
	O ObjectiveResult
}

// ObjectiveRow pairs the view with one objective, for the "rated-by"
// template.
func (v *view) ObjectiveRow(o ObjectiveResult) objectiveRow { return objectiveRow{v, o} }
