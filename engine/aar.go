package engine

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cmesim/scenarios"
)

// The after-action report and improvement plan (AAR/IP), as the lead
// evaluator edits it. Once the exercise has ended, a facilitator (the lead
// evaluator) sends aar_edit with the whole edited document: strengths,
// areas for improvement and corrective actions. Each edit replaces the
// previous one; the log keeps every version, so a replay, an archive and
// every server reproduce the latest. The report shows the latest edited
// document instead of the one it drafts from the data.

// CmdAAREdit replaces the exercise's AAR/IP with the document it carries
// (facilitator, after End).
const CmdAAREdit CommandType = "aar_edit"

// EventAAREdited records an edited AAR/IP (staff only); its command holds
// the document.
const EventAAREdited EventType = "aar.edited"

// The status of a corrective action.
const (
	AARNotStarted = "not_started"
	AARInProgress = "in_progress"
	AARCompleted  = "completed"
	AARCancelled  = "cancelled"
)

// AARStatuses lists the statuses of a corrective action, in order.
var AARStatuses = []string{AARNotStarted, AARInProgress, AARCompleted, AARCancelled}

// AARPriorities lists the priorities of an area for improvement.
var AARPriorities = []string{"high", "medium", "low"}

// Limits on an AAR/IP document, so one edit cannot bloat the log.
const (
	MaxAARFindings = 60   // strengths, and areas for improvement, each
	MaxAARActions  = 60   // corrective actions
	MaxAARText     = 1000 // a finding's text or an action, in characters
	MaxAARContact  = 200  // a point of contact, in characters
	MaxAARID       = 24   // an entry's id, in characters
)

// AARDocument is an edited AAR/IP: what aar_edit carries.
type AARDocument struct {
	// Edited is the calendar date of the edit (YYYY-MM-DD), which the
	// server stamps when it receives the command.
	Edited       string             `json:"edited,omitempty"`
	Strengths    []AARFinding       `json:"strengths"`
	Improvements []AARFinding       `json:"improvements"`
	Plan         []CorrectiveAction `json:"plan"`
}

// AARFinding is a strength or an area for improvement.
type AARFinding struct {
	// ID identifies the entry in the document ("S1", "A2"); a corrective
	// action names the area for improvement it answers by this id.
	ID   string `json:"id"`
	Text string `json:"text"`
	// Capability is an objective id or a core capability (optional).
	Capability string `json:"capability,omitempty"`
	// Priority is high, medium or low (areas for improvement).
	Priority string `json:"priority,omitempty"`
	// Teams are the teams the finding concerns (none: the exercise as a
	// whole); the team-scoped report shows a team the findings about it.
	Teams []string `json:"teams,omitempty"`
}

// CorrectiveAction is one row of the improvement plan.
type CorrectiveAction struct {
	ID string `json:"id"`
	// Capability is an objective id or a core capability.
	Capability string `json:"capability"`
	// Area is the id of the area for improvement the action answers.
	Area   string `json:"area"`
	Action string `json:"action"`
	// Organisation is the responsible organisation: a team people played
	// or one of the scenario's actors (simulated teams are no real
	// organisation).
	Organisation string `json:"organisation"`
	Contact      string `json:"contact,omitempty"`
	// Start and Completion are calendar dates (YYYY-MM-DD).
	Start      string `json:"start"`
	Completion string `json:"completion"`
	Status     string `json:"status"`
}

// AARState is the latest edited AAR/IP as the log has it.
type AARState struct {
	// AAR is the latest edited document, nil before the first edit.
	AAR *AARDocument
	// AARBy is who edited it (the actor label); AARSeq the event.
	AARBy  string
	AARSeq uint64
	// everHuman holds the teams people played at any time: the real
	// organisations a corrective action may name.
	everHuman map[string]bool
}

// newAARState starts the AAR state with the teams people play at the
// outset.
func newAARState(humans []string) AARState {
	a := AARState{everHuman: map[string]bool{}}
	for _, h := range humans {
		a.everHuman[h] = true
	}
	return a
}

// applyAAR folds the events the AAR state reads.
func (a *AARState) applyAAR(e *Event) {
	switch e.Type {
	case EventTeamMode:
		if e.Data.Control().Mode == ModeHuman {
			a.everHuman[e.Team] = true
		}
	case EventAAREdited:
		if c := e.Data.Command; c != nil && c.AAR != nil {
			a.AAR, a.AARBy, a.AARSeq = c.AAR, e.Actor, e.Seq
		}
	}
}

// PlayedByPeople reports whether people played team at any time.
func (a *AARState) PlayedByPeople(team string) bool { return a.everHuman[team] }

// Organisations lists the real organisations of an exercise a corrective
// action may name: the teams people played at any time, then the
// scenario's actors, in scenario order.
func (a *AARState) Organisations(s *scenarios.Scenario) []string {
	var out []string
	for _, t := range s.Teams {
		if a.everHuman[t.ID] {
			out = append(out, t.ID)
		}
	}
	for _, ac := range s.Actors {
		out = append(out, ac.ID)
	}
	return out
}

// editAAR validates and records an edited AAR/IP.
func (x *Exercise) editAAR(cmd Command) error {
	if cmd.AAR == nil {
		return Errorf(CodeInvalid, "aar_edit needs the edited document (aar)")
	}
	if err := checkAAR(x.scn, &x.st.AARState, cmd.AAR); err != nil {
		return err
	}
	x.emit(cmdEvent(EventAAREdited, cmd, "", nil, Details{}))
	return nil
}

var aarIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// checkAAR validates an AAR/IP document against the scenario and the
// exercise's real organisations.
func checkAAR(s *scenarios.Scenario, st *AARState, d *AARDocument) error {
	if d.Edited != "" {
		if _, err := time.Parse(time.DateOnly, d.Edited); err != nil {
			return Errorf(CodeInvalid, "the edit date %q is not a date (YYYY-MM-DD)", aarQuote(d.Edited))
		}
	}
	if len(d.Strengths) > MaxAARFindings || len(d.Improvements) > MaxAARFindings {
		return Errorf(CodeInvalid, "the AAR has more than %d strengths or areas for improvement", MaxAARFindings)
	}
	if len(d.Plan) > MaxAARActions {
		return Errorf(CodeInvalid, "the improvement plan has more than %d corrective actions", MaxAARActions)
	}
	ids := map[string]bool{}
	for i := range d.Strengths {
		if err := checkFinding(s, ids, "strength", &d.Strengths[i], false); err != nil {
			return err
		}
	}
	areas := map[string]bool{}
	for i := range d.Improvements {
		f := &d.Improvements[i]
		if err := checkFinding(s, ids, "area for improvement", f, true); err != nil {
			return err
		}
		areas[f.ID] = true
	}
	orgs := st.Organisations(s)
	for i := range d.Plan {
		if err := checkAction(s, ids, areas, orgs, &d.Plan[i]); err != nil {
			return err
		}
	}
	return nil
}

// checkID validates an entry's id and that no other entry has it.
func checkID(ids map[string]bool, what, id string) error {
	if id == "" || len(id) > MaxAARID || !aarIDPattern.MatchString(id) {
		return Errorf(CodeInvalid, "%s id %q must be 1 to %d letters, digits, dots, dashes or underscores", what, aarQuote(id), MaxAARID)
	}
	if ids[id] {
		return Errorf(CodeInvalid, "two entries of the AAR have the id %q", id)
	}
	ids[id] = true
	return nil
}

// checkText validates a required free text of at most max characters.
func checkText(what, id, text string, max int) error {
	if strings.TrimSpace(text) == "" {
		return Errorf(CodeInvalid, "%s %s needs a text", what, id)
	}
	if utf8.RuneCountInString(text) > max {
		return Errorf(CodeInvalid, "the text of %s %s is longer than %d characters", what, id, max)
	}
	return nil
}

// checkCapability validates an objective id or a core capability.
func checkCapability(s *scenarios.Scenario, what, id, c string) error {
	if _, ok := s.Objective(c); ok {
		return nil
	}
	if slices.Contains(scenarios.Capabilities.Values(), c) {
		return nil
	}
	return Errorf(CodeInvalid, "%s %s: %q is neither an objective of the scenario nor a core capability", what, id, aarQuote(c))
}

func checkFinding(s *scenarios.Scenario, ids map[string]bool, what string, f *AARFinding, area bool) error {
	if err := checkID(ids, what, f.ID); err != nil {
		return err
	}
	if err := checkText(what, f.ID, f.Text, MaxAARText); err != nil {
		return err
	}
	if f.Capability != "" {
		if err := checkCapability(s, what, f.ID, f.Capability); err != nil {
			return err
		}
	}
	if f.Priority != "" && (!area || !slices.Contains(AARPriorities, f.Priority)) {
		return Errorf(CodeInvalid, "%s %s: priority must be high, medium or low (areas for improvement only)", what, f.ID)
	}
	if len(f.Teams) > MaxPeers {
		return Errorf(CodeInvalid, "%s %s names more than %d teams", what, f.ID, MaxPeers)
	}
	for _, t := range f.Teams {
		if s.TeamIndex(t) < 0 {
			return Errorf(CodeInvalid, "%s %s names unknown team %q", what, f.ID, aarQuote(t))
		}
	}
	return nil
}

func checkAction(s *scenarios.Scenario, ids, areas map[string]bool, orgs []string, a *CorrectiveAction) error {
	const what = "corrective action"
	if err := checkID(ids, what, a.ID); err != nil {
		return err
	}
	if err := checkText(what, a.ID, a.Action, MaxAARText); err != nil {
		return err
	}
	if err := checkCapability(s, what, a.ID, a.Capability); err != nil {
		return err
	}
	if !areas[a.Area] {
		return Errorf(CodeInvalid, "corrective action %s answers %q, which is not an area for improvement of the AAR", a.ID, aarQuote(a.Area))
	}
	if !slices.Contains(orgs, a.Organisation) {
		return Errorf(CodeInvalid, "corrective action %s: %q is not a real organisation of this exercise (a team people played or one of the scenario's actors)", a.ID, aarQuote(a.Organisation))
	}
	if utf8.RuneCountInString(a.Contact) > MaxAARContact {
		return Errorf(CodeInvalid, "the point of contact of corrective action %s is longer than %d characters", a.ID, MaxAARContact)
	}
	start, err := time.Parse(time.DateOnly, a.Start)
	if err != nil {
		return Errorf(CodeInvalid, "corrective action %s: the start date %q is not a date (YYYY-MM-DD)", a.ID, aarQuote(a.Start))
	}
	end, err := time.Parse(time.DateOnly, a.Completion)
	if err != nil {
		return Errorf(CodeInvalid, "corrective action %s: the completion date %q is not a date (YYYY-MM-DD)", a.ID, aarQuote(a.Completion))
	}
	if end.Before(start) {
		return Errorf(CodeInvalid, "corrective action %s: the completion date comes before the start date", a.ID)
	}
	if !slices.Contains(AARStatuses, a.Status) {
		return Errorf(CodeInvalid, "corrective action %s: status must be not_started, in_progress, completed or cancelled", a.ID)
	}
	return nil
}

// aarQuote shortens a client's value quoted in an error message.
func aarQuote(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
