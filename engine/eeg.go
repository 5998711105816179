package engine

import (
	"slices"
	"strings"
	"time"
)

// Exercise evaluation guides (EEGs): evaluators observe the scenario's
// critical tasks and rate each objective P, S, M or U. Three logged
// commands carry their work, accepted while the exercise runs and in its
// closing phase: observe (an observation on an objective or one of its
// critical tasks, linked to the log events the evaluator saw), rate_objective
// (an evaluator's rating with a reason) and override_rating (the lead
// evaluator's final rating, with a reason). The events are staff only. The
// ratings of an objective are reconciled by ReconcileGrades; a replay of
// the log reproduces every observation, rating and override.

// The EEG commands.
const (
	// CmdObserve records an evaluator's observation.
	CmdObserve CommandType = "observe"
	// CmdRateObjective records an evaluator's P/S/M/U rating of an objective.
	CmdRateObjective CommandType = "rate_objective"
	// CmdOverrideRating is the lead evaluator's (a facilitator's) final
	// rating of an objective, replacing the reconciled or mechanical one.
	CmdOverrideRating CommandType = "override_rating"
)

// The EEG events (staff only).
const (
	EventObserved         EventType = "eeg.observed"
	EventObjectiveRated   EventType = "eeg.rated"
	EventRatingOverridden EventType = "eeg.overridden"
)

// Grade is an HSEEP rating of an objective.
type Grade string

// The grades, from worst to best: unable to be performed, performed with
// major challenges, with some challenges, without challenges.
const (
	GradeU Grade = "U"
	GradeM Grade = "M"
	GradeS Grade = "S"
	GradeP Grade = "P"
)

// Grades lists the grades from worst to best.
var Grades = []Grade{GradeU, GradeM, GradeS, GradeP}

// Rank returns the position of g in Grades, or -1 for an unknown grade.
func (g Grade) Rank() int { return slices.Index(Grades, g) }

// MaxObservedEvents bounds how many log events one observation links.
const MaxObservedEvents = 50

// EEGDetails is the payload of the EEG commands and events: the critical
// task an observation is about (none: the objective as a whole), the log
// events it links, and a rating's grade. The objective is Objective, the
// observation or the reason is Text, of the command or the event.
type EEGDetails struct {
	Task   string   `json:"task,omitempty"`
	Events []uint64 `json:"events,omitempty"`
	Grade  Grade    `json:"grade,omitempty"`
}

// Observation is one evaluator's observation.
type Observation struct {
	Seq       uint64        `json:"seq"`
	At        time.Duration `json:"at"`
	By        string        `json:"by"`
	Objective string        `json:"objective"`
	Task      string        `json:"task,omitempty"`
	Team      string        `json:"team,omitempty"`
	Text      string        `json:"text"`
	Events    []uint64      `json:"events,omitempty"`
}

// ObjectiveRating is an evaluator's rating of an objective, or the lead
// evaluator's override.
type ObjectiveRating struct {
	Seq      uint64        `json:"seq"`
	At       time.Duration `json:"at"`
	By       string        `json:"by"`
	Grade    Grade         `json:"grade"`
	Reason   string        `json:"reason"`
	Override bool          `json:"override,omitempty"`
}

// GradeResult is what the ratings of one objective come to.
type GradeResult struct {
	// Reconciled is the evaluators' grade ("" when none rated).
	Reconciled Grade `json:"reconciled,omitempty"`
	// Raters counts the evaluators whose latest rating counts.
	Raters int `json:"raters,omitempty"`
	// Disagreement says the evaluators' latest ratings span more than one
	// step of the scale.
	Disagreement bool `json:"disagreement,omitempty"`
	// Override is the latest override, if any: it wins.
	Override *ObjectiveRating `json:"override,omitempty"`
}

// Final returns the grade that stands: the override, else the reconciled
// grade, else mechanical; and whether evaluators (not the engine) gave it.
func (r GradeResult) Final(mechanical Grade) (Grade, bool) {
	switch {
	case r.Override != nil:
		return r.Override.Grade, true
	case r.Reconciled != "":
		return r.Reconciled, true
	}
	return mechanical, false
}

// ReconcileGrades applies the documented rule to an objective's ratings,
// in log order: the latest rating of each evaluator counts; the reconciled
// grade is their median on the scale U < M < S < P (the lower middle one,
// the more cautious, for an even count); they disagree when they span more
// than one step (P and M, S and U); the latest override wins over both
// the reconciled and the mechanical grade.
func ReconcileGrades(rs []ObjectiveRating) GradeResult {
	var r GradeResult
	latest := map[string]Grade{}
	for i := range rs {
		if rs[i].Override {
			r.Override = &rs[i]
			continue
		}
		latest[rs[i].By] = rs[i].Grade
	}
	ranks := make([]int, 0, len(latest))
	for _, g := range latest {
		ranks = append(ranks, g.Rank())
	}
	slices.Sort(ranks)
	if n := len(ranks); n > 0 {
		r.Raters = n
		r.Reconciled = Grades[ranks[(n-1)/2]]
		r.Disagreement = ranks[n-1]-ranks[0] > 1
	}
	return r
}

// eegState holds the observations and ratings of the log so far.
type eegState struct {
	observations []Observation
	ratings      map[string][]ObjectiveRating
}

// applyEEG folds an EEG event into the state.
func (st *State) applyEEG(e *Event) {
	d := &e.Data
	if d.EEG == nil {
		return
	}
	switch e.Type {
	case EventObserved:
		st.eeg.observations = append(st.eeg.observations, Observation{Seq: e.Seq, At: e.At, By: e.Actor,
			Objective: d.Objective, Task: d.EEG.Task, Team: e.Team, Text: d.Text, Events: d.EEG.Events})
	case EventObjectiveRated, EventRatingOverridden:
		if st.eeg.ratings == nil {
			st.eeg.ratings = map[string][]ObjectiveRating{}
		}
		st.eeg.ratings[d.Objective] = append(st.eeg.ratings[d.Objective], ObjectiveRating{Seq: e.Seq, At: e.At, By: e.Actor,
			Grade: d.EEG.Grade, Reason: d.Text, Override: e.Type == EventRatingOverridden})
	}
}

// Observations returns the evaluators' observations, in log order.
func (st *State) Observations() []Observation { return st.eeg.observations }

// ObjectiveRatings returns the ratings and overrides of an objective, in
// log order.
func (st *State) ObjectiveRatings(objective string) []ObjectiveRating {
	return st.eeg.ratings[objective]
}

// isEEGCommand reports whether t is one of the EEG commands.
func isEEGCommand(t CommandType) bool {
	return t == CmdObserve || t == CmdRateObjective || t == CmdOverrideRating
}

// authorizeEEG checks the sender's role for an EEG command.
func authorizeEEG(cmd Command) error {
	p := cmd.By
	if cmd.Type == CmdOverrideRating {
		if p.Role != RoleFacilitator {
			return Errorf(CodeForbidden, "only the lead evaluator (a facilitator) can override a rating")
		}
		return nil
	}
	if p.Role != RoleEvaluator && p.Role != RoleFacilitator {
		return Errorf(CodeForbidden, "only evaluators and facilitators can observe and rate objectives")
	}
	return nil
}

// evaluate validates and records an EEG command.
func (x *Exercise) evaluate(cmd Command) error {
	if _, ok := x.scn.Objective(cmd.Objective); !ok {
		return Errorf(CodeNotFound, "unknown objective %q", cmd.Objective)
	}
	if strings.TrimSpace(cmd.Text) == "" {
		if cmd.Type == CmdObserve {
			return Errorf(CodeInvalid, "an observation needs text")
		}
		return Errorf(CodeInvalid, "a rating needs a reason")
	}
	var d *EEGDetails
	var err error
	if cmd.Type == CmdObserve {
		d, err = x.checkObservation(cmd)
	} else {
		d, err = checkGrade(cmd)
	}
	if err != nil {
		return err
	}
	x.emit(cmdEvent(eegEvent(cmd.Type), cmd, cmd.Team, nil, Details{Objective: cmd.Objective, Text: cmd.Text, EEG: d}))
	return nil
}

// eegEvent is the event type that records an EEG command.
func eegEvent(t CommandType) EventType {
	switch t {
	case CmdObserve:
		return EventObserved
	case CmdOverrideRating:
		return EventRatingOverridden
	}
	return EventObjectiveRated
}

// checkObservation validates an observation's team, critical task and
// linked events: each must be an earlier event of the log, named once.
func (x *Exercise) checkObservation(cmd Command) (*EEGDetails, error) {
	if cmd.Team != "" && x.scn.TeamIndex(cmd.Team) < 0 {
		return nil, Errorf(CodeNotFound, "unknown team %q", cmd.Team)
	}
	d := &EEGDetails{}
	if cmd.EEG != nil {
		d.Task, d.Events = cmd.EEG.Task, slices.Clone(cmd.EEG.Events)
	}
	if d.Task != "" {
		o, _ := x.scn.Objective(cmd.Objective)
		if _, ok := o.CriticalTask(d.Task); !ok {
			return nil, Errorf(CodeNotFound, "objective %s has no critical task %q", cmd.Objective, d.Task)
		}
	}
	if len(d.Events) > MaxObservedEvents {
		return nil, Errorf(CodeInvalid, "an observation links at most %d events", MaxObservedEvents)
	}
	for i, seq := range d.Events {
		if seq == 0 || seq > x.st.Seq {
			return nil, Errorf(CodeNotFound, "event %d is not in the log yet", seq)
		}
		if slices.Contains(d.Events[:i], seq) {
			return nil, Errorf(CodeInvalid, "event %d is linked twice", seq)
		}
	}
	return d, nil
}

// checkGrade validates a rating's or an override's grade.
func checkGrade(cmd Command) (*EEGDetails, error) {
	if cmd.EEG == nil || cmd.EEG.Grade.Rank() < 0 {
		return nil, Errorf(CodeInvalid, "the grade must be P, S, M or U")
	}
	if cmd.EEG.Task != "" || len(cmd.EEG.Events) > 0 {
		return nil, Errorf(CodeInvalid, "a rating names no critical task and links no events")
	}
	return &EEGDetails{Grade: cmd.EEG.Grade}, nil
}
