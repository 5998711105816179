package engine

import (
	"slices"
	"time"

	"cmesim/scenarios"
)

// Status is where an exercise stands.
type Status string

// The exercise statuses.
const (
	StatusReady   Status = "ready"
	StatusRunning Status = "running"
	StatusPaused  Status = "paused"
	StatusEnded   Status = "ended"
)

// Outcome is the result of one expectation for one team.
type Outcome string

// The expectation outcomes.
const (
	OutcomeOpen   Outcome = "open"   // not yet due and not yet met
	OutcomeMet    Outcome = "met"    // met on time
	OutcomeLate   Outcome = "late"   // met after the deadline
	OutcomeWrong  Outcome = "wrong"  // only wrong answers were given
	OutcomeMissed Outcome = "missed" // due and never answered
)

// ExpectationState is one expectation of one inject for one team.
type ExpectationState struct {
	Inject      string           `json:"inject"`
	Expectation string           `json:"expectation"`
	Team        string           `json:"team"`
	Action      scenarios.Action `json:"action"`
	Objective   string           `json:"objective,omitempty"`
	MaxPoints   int              `json:"max_points"`
	Opened      time.Duration    `json:"opened"`
	Deadline    time.Duration    `json:"deadline"`
	// Due is set once the deadline has passed without the expectation met.
	Due    bool          `json:"due,omitempty"`
	Met    bool          `json:"met,omitempty"`
	MetAt  time.Duration `json:"met_at,omitempty"`
	Late   bool          `json:"late,omitempty"`
	Points float64       `json:"points,omitempty"`
	// Wrong counts wrong answers; LastWrong says why the last one was wrong.
	Wrong     int `json:"wrong,omitempty"`
	LastWrong Why `json:"last_wrong,omitzero"`
	// Provisional says a judged expectation was met and awaits its first
	// judgement; Action is the seq of the action it scores. Rating,
	// Decided and Disagreement are the reconciled judgement (judge.go).
	Provisional  bool   `json:"provisional,omitempty"`
	ActionSeq    uint64 `json:"action_seq,omitempty"`
	Rating       Rating `json:"rating,omitempty"`
	Decided      bool   `json:"decided,omitempty"`
	Disagreement bool   `json:"disagreement,omitempty"`
}

// Outcome classifies the expectation as it stands.
func (e *ExpectationState) Outcome() Outcome {
	switch {
	case e.Met && e.Late:
		return OutcomeLate
	case e.Met:
		return OutcomeMet
	case e.Wrong > 0 && e.Due:
		return OutcomeWrong
	case e.Due:
		return OutcomeMissed
	}
	return OutcomeOpen
}

// Key identifies an expectation instance: INJECT.EXPECTATION@TEAM.
func (e *ExpectationState) Key() string { return e.Inject + "." + e.Expectation + "@" + e.Team }

// expectationKey identifies an expectation instance in the engine's maps;
// it is Key() without building a string.
type expectationKey struct{ inject, expectation, team string }

// key returns e's expectationKey.
func (e *ExpectationState) key() expectationKey {
	return expectationKey{e.Inject, e.Expectation, e.Team}
}

type teamInject struct{ team, inject string }

type teamIncident struct{ team, incident string }

// State is what an exercise looks like after a prefix of its log. It is a
// pure fold of events (Apply); the engine decides only from it, so replaying
// a log rebuilds exactly the state the live exercise had.
type State struct {
	Seq    uint64
	Now    time.Duration
	Status Status
	Speed  float64
	// Modes says who plays each team.
	Modes map[string]Mode
	// Delivered records when each (team, inject) was delivered.
	delivered map[teamInject]time.Duration
	// FirstDelivery is when each inject first reached any team.
	FirstDelivery map[string]time.Duration
	// Expectations in the order they were opened.
	Expectations []ExpectationState
	expIndex     map[expectationKey]int
	// expHint is the capacity Expectations starts with (runEstimate).
	expHint int
	// shared is the set of peers each team has shared each inject with.
	shared map[teamInject][]string
	phases map[teamIncident]Phase
	// Spreads lists the incident spreads that happened, in order.
	Spreads []string
	// Skipped injects will not be delivered.
	Skipped map[string]bool
	// AdHoc holds the facilitator's ad-hoc injects.
	AdHoc []AdHocInject
	// Score is the points each team has earned so far.
	Score map[string]float64
	// Actions counts accepted team actions per team.
	Actions map[string]int
	// Notes counts evaluator notes.
	Notes int
	// judgements holds the judgements of each item (judge.go).
	judgements map[string][]Judgement
	// Survey is the hot wash survey (survey.go).
	Survey Survey
	// AARState is the lead evaluator's edited AAR/IP (aar.go).
	AARState
	// eeg holds the evaluation guides' observations and ratings (eeg.go).
	eeg eegState
	// ScheduledStart is the real time the server is to start the
	// exercise, while one is scheduled (schedule.go).
	ScheduledStart *time.Time
	messageState
	simcellState
	decisionState
}

// NewState returns the state of an exercise before its first event.
func NewState(s *scenarios.Scenario, humans []string) *State {
	deliveries, expectations := runEstimate(s)
	st := &State{
		Status:        StatusReady,
		Speed:         1,
		Modes:         map[string]Mode{},
		delivered:     make(map[teamInject]time.Duration, deliveries),
		FirstDelivery: map[string]time.Duration{},
		expIndex:      make(map[expectationKey]int, expectations),
		shared:        map[teamInject][]string{},
		phases:        map[teamIncident]Phase{},
		Skipped:       map[string]bool{},
		Score:         map[string]float64{},
		Actions:       map[string]int{},
		expHint:       expectations,
		messageState:  newMessageState(),
		simcellState:  newSimCellState(s),
		AARState:      newAARState(humans),
	}
	for _, t := range s.Teams {
		st.Modes[t.ID] = ModeSimulated
		if slices.Contains(humans, t.ID) {
			st.Modes[t.ID] = ModeHuman
		}
	}
	return st
}

// Delivered reports whether inject reached team, and when.
func (st *State) Delivered(team, inject string) (time.Duration, bool) {
	at, ok := st.delivered[teamInject{team, inject}]
	return at, ok
}

// SharedWith returns the peers team has shared inject with so far.
func (st *State) SharedWith(team, inject string) []string {
	return st.shared[teamInject{team, inject}]
}

// Phase returns where incident stands for team ("" before it reached it).
func (st *State) Phase(team, incident string) Phase {
	return st.phases[teamIncident{team, incident}]
}

// Expectation returns the expectation instance with the given key.
func (st *State) Expectation(inject, expectation, team string) *ExpectationState {
	i, ok := st.expIndex[expectationKey{inject, expectation, team}]
	if !ok {
		return nil
	}
	return &st.Expectations[i]
}

// Apply folds one event into the state.
func (st *State) Apply(e *Event) {
	st.Seq = e.Seq
	st.Now = e.At
	d := &e.Data
	switch e.Type {
	case EventStarted, EventResumed:
		st.Status = StatusRunning
		st.ScheduledStart = nil
	case EventStartScheduled:
		st.ScheduledStart = d.StartAt
	case EventPaused:
		st.Status = StatusPaused
	case EventEnded:
		st.Status = StatusEnded
	case EventSurveyOpened:
		st.Survey.Open, st.Survey.Anonymous = true, d.Anonymous
	case EventSurveyAnswered:
		st.Survey.applySurveyAnswer(e)
	case EventSpeed:
		st.Speed = d.Control().Speed
	case EventTeamMode:
		st.Modes[e.Team] = d.Control().Mode
	case EventInjectSkipped:
		st.Skipped[d.Inject] = true
	case EventInjectSent:
		if d.AdHoc != nil {
			st.AdHoc = append(st.AdHoc, *d.AdHoc)
		}
	case EventInjectDelivered:
		st.delivered[teamInject{e.Team, d.Inject}] = e.At
		if _, ok := st.FirstDelivery[d.Inject]; !ok {
			st.FirstDelivery[d.Inject] = e.At
		}
		for _, x := range d.Expectations {
			st.openExpectation(e, x)
		}
	case EventAction:
		st.Actions[e.Team]++
		if d.Action == scenarios.ActionShare {
			k := teamInject{e.Team, d.Inject}
			peers := st.shared[k]
			if peers == nil {
				peers = make([]string, 0, len(d.Peers))
			}
			for _, p := range d.Peers {
				if !slices.Contains(peers, p) {
					peers = append(peers, p)
				}
			}
			st.shared[k] = peers
		}
	case EventNote:
		st.Notes++
	case EventMessage:
		st.applyMessage(e)
	case EventExpectationMet:
		if x := st.Expectation(d.Inject, d.Expectation, e.Team); x != nil {
			x.Met, x.MetAt, x.Late, x.Points = true, e.At, d.Late, d.Points
			x.Provisional, x.ActionSeq = d.Provisional, actionSeq(d.Cause)
			st.Score[e.Team] += d.Points
		}
	case EventExpectationJudged:
		st.applyJudgement(e)
	case EventExpectationScored:
		st.applyScore(e)
	case EventExpectationWrong:
		if x := st.Expectation(d.Inject, d.Expectation, e.Team); x != nil {
			x.Wrong++
			x.LastWrong = d.Why
		}
	case EventExpectationMissed:
		if x := st.Expectation(d.Inject, d.Expectation, e.Team); x != nil {
			x.Due = true
		}
	case EventIncidentPhase:
		st.phases[teamIncident{e.Team, d.Incident}] = d.IncidentDetail().Phase
	case EventIncidentSpread:
		st.Spreads = append(st.Spreads, d.IncidentDetail().Spread)
	}
	st.applySimCell(e)
	st.applyAAR(e)
	st.applyEEG(e)
	st.applyDecision(e)
}

func (st *State) openExpectation(e *Event, x OpenExpectation) {
	key := expectationKey{e.Data.Inject, x.ID, e.Team}
	if _, ok := st.expIndex[key]; ok {
		return
	}
	if st.Expectations == nil {
		st.Expectations = make([]ExpectationState, 0, st.expHint)
	}
	st.expIndex[key] = len(st.Expectations)
	st.Expectations = append(st.Expectations, ExpectationState{
		Inject:      e.Data.Inject,
		Expectation: x.ID,
		Team:        e.Team,
		Action:      x.Action,
		Objective:   x.Objective,
		MaxPoints:   x.Points,
		Opened:      e.At,
		Deadline:    x.Deadline,
	})
}

// Points is what an answer earns: full points up to the deadline (latency
// ≤ within), then falling linearly to zero at lateFactor × within.
func Points(max int, latency, within time.Duration, lateFactor float64) float64 {
	if latency <= within || within <= 0 {
		return float64(max)
	}
	zeroAt := time.Duration(float64(within) * lateFactor)
	if latency >= zeroAt || zeroAt <= within {
		return 0
	}
	frac := float64(zeroAt-latency) / float64(zeroAt-within)
	return float64(max) * frac
}
