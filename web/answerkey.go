package web

import (
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/scenarios/taxonomy"
)

// What trainees must not read: the evaluators' criteria, the controller
// notes, the expected answers that a wrong or missed answer would reveal,
// and, as exercise.player_view says, prompts and points. Every event is
// encoded once for staff and, when trainees may read it and their copy
// differs, once more for trainees (eventVariant).

// eventVariant is what the fan-out keeps of an event beside its staff
// encoding.
type eventVariant struct {
	// trainee is the encoding trainees receive, when it differs from the
	// staff one.
	trainee []byte
	// hidden keeps the event from trainees whatever its audience.
	hidden bool
	// note marks an evaluator's note, which observers read only when the
	// scenario allows it.
	note bool
	// recordOf is the team whose own activity the event records (see
	// isRecord), or "": its members may receive it a little later.
	recordOf string
}

// variantOf prepares the trainee side of an event message (owner).
func (le *liveExercise) variantOf(msg eventMessage) eventVariant {
	e := msg.Event
	v := eventVariant{note: e.Type == engine.EventNote || isEEGEvent(e.Type)}
	if isRecord(e.Type) {
		v.recordOf = e.Team
	}
	if len(e.Audience) == 0 {
		return v // staff only: nothing to prepare
	}
	view := le.scn.Exercise.PlayerView
	ev := *e
	switch e.Type {
	case engine.EventInjectDelivered:
		ev.Data.Expectations = traineeExpectations(e.Data.Expectations, view)
		if msg.Inject != nil {
			in := *msg.Inject
			in.ControllerNotes = ""
			in.Expectations = traineeExpectationViews(in.Expectations, view)
			msg.Inject = &in
		}
	case engine.EventExpectationMet, engine.EventExpectationMissed, engine.EventExpectationWrong, engine.EventExpectationScored:
		if !view.Shows(scenarios.PlayerViewAction) {
			return eventVariant{hidden: true}
		}
		hidePoints := !view.Shows(scenarios.PlayerViewPoints)
		if hidePoints {
			ev.Data.Points, ev.Data.MaxPoints = 0, 0
		}
		if j := ev.Data.JudgementFields; j != nil { // a copy: the log's event stays as it is
			judged := *j
			if hidePoints {
				judged.Content = 0
			}
			judged.Disagreement = false // how evaluators weigh an answer is staff business
			ev.Data.JudgementFields = &judged
		}
		// A reason may name the expected answer ("expected ..."): trainees
		// get its code and the sentence up to the colon, not its arguments.
		if r, _, cut := strings.Cut(ev.Data.Reason, ":"); cut {
			ev.Data.Reason = r
		}
		ev.Data.ReasonArgs = nil
	default:
		return v
	}
	msg.Event = &ev
	v.trainee = encode(msg)
	return v
}

// traineeExpectations narrows what is expected of a team to what the
// player view shows.
func traineeExpectations(xs []engine.OpenExpectation, view scenarios.PlayerView) []engine.OpenExpectation {
	if !view.Shows(scenarios.PlayerViewAction) || xs == nil {
		return nil
	}
	out := make([]engine.OpenExpectation, len(xs))
	for i, x := range xs {
		out[i] = engine.OpenExpectation{ID: x.ID, Action: x.Action, Deadline: x.Deadline}
		if view.Shows(scenarios.PlayerViewPrompt) {
			out[i].Text, out[i].Objective = x.Text, x.Objective
		}
		if view.Shows(scenarios.PlayerViewPoints) {
			out[i].Points = x.Points
		}
	}
	return out
}

// traineeExpectationViews narrows a delivered inject's expectations to
// what the player view shows, without their criteria.
func traineeExpectationViews(xs []expectationView, view scenarios.PlayerView) []expectationView {
	if !view.Shows(scenarios.PlayerViewAction) || xs == nil {
		return nil
	}
	out := make([]expectationView, len(xs))
	for i, x := range xs {
		out[i] = expectationView{ID: x.ID, Action: x.Action, Deadline: x.Deadline}
		if view.Shows(scenarios.PlayerViewPrompt) {
			out[i].Text, out[i].Objective, out[i].Translations = x.Text, x.Objective, x.Translations
		}
		if view.Shows(scenarios.PlayerViewPoints) {
			out[i].Points = x.Points
		}
	}
	return out
}

// expectationView is an expectation of a delivered inject on the wire:
// staff receive it whole, trainees what the player view shows.
type expectationView struct {
	ID        string           `json:"id"`
	Action    scenarios.Action `json:"action"`
	Deadline  time.Duration    `json:"deadline"`
	Points    int              `json:"points,omitempty"`
	Objective string           `json:"objective,omitempty"`
	// Text is the player-facing prompt, and Translations the prompt in
	// other languages.
	Text         string            `json:"text,omitempty"`
	Translations map[string]string `json:"translations,omitempty"`
	// Criteria are the evaluators' criteria: staff only.
	Criteria string `json:"criteria,omitempty"`
	// Judged says evaluators judge the answer (staff only).
	Judged bool `json:"judged,omitempty"`
}

// expectationViews renders the expectations opened by a delivery for one
// team, in full (staff view).
func (le *liveExercise) expectationViews(in *scenarios.Inject, team string, open []engine.OpenExpectation) []expectationView {
	var out []expectationView
	for _, x := range open {
		v := expectationView{ID: x.ID, Action: x.Action, Deadline: x.Deadline, Points: x.Points, Objective: x.Objective, Text: x.Text}
		for i := range in.Expectations {
			e := &in.Expectations[i]
			if e.ID != x.ID {
				continue
			}
			v.Criteria = strings.TrimSpace(e.Criteria + "\n" + e.Description)
			v.Judged = e.Judged
			for _, lang := range le.scn.TranslationLanguages() {
				if _, ok := e.Translations[lang]; !ok {
					continue
				}
				if v.Translations == nil {
					v.Translations = map[string]string{}
				}
				v.Translations[lang] = le.scn.RenderPrompt(in, e, team, lang)
			}
		}
		out = append(out, v)
	}
	return out
}

// narrowTeamStatus hides from a trainee's status what the player view does
// not show: the score, and with view none the open expectations.
func narrowTeamStatus(t teamStatus, view scenarios.PlayerView) teamStatus {
	if !view.Shows(scenarios.PlayerViewPoints) {
		t.Score, t.MaxScore, t.Provisional = 0, 0, 0
	}
	if !view.Shows(scenarios.PlayerViewAction) {
		t.Met, t.Late, t.Missed, t.Open = 0, 0, 0, []openExpectation{}
	}
	return t
}

// mayReadNotes reports whether a staff member may read the evaluators'
// notes: observers only when the scenario allows it.
func mayReadNotes(sess *Session, s *scenarios.Scenario) bool {
	return sess.Role != engine.RoleObserver || s.Exercise.ObserversReadNotes
}

// taxonomyView is the exercise's incident taxonomy as consoles offer it.
type taxonomyView struct {
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	Categories []taxonomy.Category `json:"categories"`
}

func newTaxonomyView(s *scenarios.Scenario) *taxonomyView {
	t := s.Taxonomy()
	if t == nil {
		return nil
	}
	return &taxonomyView{ID: t.ID, Name: t.Name, Categories: t.Categories()}
}
