package report

import (
	"slices"
	"strings"
	"unicode/utf8"

	"cmesim/engine"
)

// The bounds that keep a report's size, and the memory that builds it, from
// growing with the length of the log. The log inlined in a report (its
// timeline and event-log section) is an excerpt chosen per lane (a team,
// or the exercise as a whole); the whole log is the appendix, written apart
// (WriteAppendixCSV).
const (
	// LaneScoredEvents bounds a lane's scored events, which the scenario
	// bounds too (each happens once per inject, expectation or spread):
	// the exercise's creation, start and end, deliveries, answers that met
	// an expectation and the actions that gave them, misses and spreads.
	// The excerpt keeps the first ones and the last LaneScoredTail.
	LaneScoredEvents = 1000
	LaneScoredTail   = 100
	// LaneKeyEvents bounds a lane's other key events, which a participant
	// may repeat at will: wrong answers and the actions that gave them,
	// evaluator notes, pauses, resumptions, speed and mode changes. The
	// excerpt keeps the first ones and the last LaneKeyTail.
	LaneKeyEvents = 200
	LaneKeyTail   = 50
	// LaneHeadEvents and LaneTailEvents are how many of a lane's other
	// events (unscored actions, phase changes, messages) the excerpt keeps:
	// the first and the last ones.
	LaneHeadEvents = 100
	LaneTailEvents = 100
	// MaxSharesPerTeam is how many share actions of each team Report.Shares
	// keeps (the first ones); Summary.Shares, the network and the TLP
	// violation count cover them all.
	MaxSharesPerTeam = 200
	// MaxNotes is how many evaluator notes Report.Notes keeps (the first
	// ones); Summary.Notes counts them all.
	MaxNotes = 500
	// MaxPhaseSteps is how many phase changes a team's incident history
	// keeps (the first ones); its current phase is always the last one.
	MaxPhaseSteps = 50
	// MaxTextRunes is the longest free text (an event's summary, a note)
	// the report holds; longer texts are cut and end in TextEllipsis.
	MaxTextRunes = 500
)

// TextEllipsis ends a text the report cut at MaxTextRunes.
const TextEllipsis = "…"

// LogExcerpt says how a report's Log was cut from a longer log.
type LogExcerpt struct {
	// Events is the number of events in the log; Shown how many Log holds;
	// Omitted the difference.
	Events  int `json:"events"`
	Shown   int `json:"shown"`
	Omitted int `json:"omitted"`
	// Lanes count, per team, what the whole log holds, so that counts do
	// not depend on the excerpt.
	Lanes []LaneCount `json:"lanes"`
	// Appendix says where the whole log is: a link or a command.
	Appendix string `json:"appendix,omitempty"`
}

// LaneCount counts one team's events in the whole log.
type LaneCount struct {
	Team      string `json:"team"`
	Events    int    `json:"events"`
	Omitted   int    `json:"omitted"`
	Delivered int    `json:"delivered"`
	Actions   int    `json:"actions"`
	Shares    int    `json:"shares"`
	Missed    int    `json:"missed"`
	Spreads   int    `json:"spreads"`
}

// boundedEvents keeps the first and the last of a run of events, and
// counts the ones between that it drops.
type boundedEvents struct {
	headMax, tailMax int
	head             []*engine.Event
	// tail holds the latest events past head, oldest first.
	tail    []*engine.Event
	dropped int
}

// add keeps e, dropping the oldest of the tail when it is full.
func (b *boundedEvents) add(e *engine.Event) {
	switch {
	case len(b.head) < b.headMax:
		b.head = append(b.head, e)
	case len(b.tail) < b.tailMax:
		b.tail = append(b.tail, e)
	default:
		// Reslicing forward and appending reuses the array until it is
		// full, so dropping the oldest is O(1) amortised.
		b.tail = append(b.tail[1:], e)
		b.dropped++
	}
}

// takeLast removes e if it is the latest event kept, and says whether it
// was.
func (b *boundedEvents) takeLast(e *engine.Event) bool {
	switch {
	case len(b.tail) > 0:
		if b.tail[len(b.tail)-1] == e {
			b.tail = b.tail[:len(b.tail)-1]
			return true
		}
	case len(b.head) > 0:
		if b.head[len(b.head)-1] == e {
			b.head = b.head[:len(b.head)-1]
			return true
		}
	}
	return false
}

// eventClass ranks the events of a lane for the excerpt.
type eventClass int

const (
	classOther  eventClass = iota // the first and last LaneHeadEvents/LaneTailEvents
	classKey                      // LaneKeyEvents
	classScored                   // LaneScoredEvents
)

// logLane keeps the excerpt of one lane: the first and last of its events
// of each class, apart, so that no class crowds out another.
type logLane struct {
	scored, key, other boundedEvents
	count              LaneCount
}

func newLogLane(team string) *logLane {
	return &logLane{
		scored: boundedEvents{headMax: LaneScoredEvents - LaneScoredTail, tailMax: LaneScoredTail},
		key:    boundedEvents{headMax: LaneKeyEvents - LaneKeyTail, tailMax: LaneKeyTail},
		other:  boundedEvents{headMax: LaneHeadEvents, tailMax: LaneTailEvents},
		count:  LaneCount{Team: team},
	}
}

// add puts an event in the lane.
func (l *logLane) add(e *engine.Event, c eventClass) {
	l.count.Events++
	l.class(c).add(e)
}

func (l *logLane) class(c eventClass) *boundedEvents {
	switch c {
	case classScored:
		return &l.scored
	case classKey:
		return &l.key
	}
	return &l.other
}

// promote moves e, if it is the lane's latest other event, to class c: an
// action that turned out to be answered.
func (l *logLane) promote(e *engine.Event, c eventClass) {
	if e != nil && l.other.takeLast(e) {
		l.class(c).add(e)
	}
}

// dropped returns how many of the lane's events the excerpt left out.
func (l *logLane) dropped() int { return l.scored.dropped + l.key.dropped + l.other.dropped }

// events returns the events the lane kept.
func (l *logLane) events() []*engine.Event {
	return slices.Concat(l.scored.head, l.scored.tail, l.key.head, l.key.tail, l.other.head, l.other.tail)
}

// excerpt chooses the events a report inlines, lane by lane.
type excerpt struct {
	lanes map[string]*logLane
	// lastAction is each lane's latest action, which an answer that
	// follows it promotes.
	lastAction map[string]*engine.Event
	order      []string // lanes in order of first event
	total      int
}

func newExcerpt() *excerpt {
	return &excerpt{lanes: map[string]*logLane{}, lastAction: map[string]*engine.Event{}}
}

func (x *excerpt) lane(team string) *logLane {
	l := x.lanes[team]
	if l == nil {
		l = newLogLane(team)
		x.lanes[team] = l
		x.order = append(x.order, team)
	}
	return l
}

// add offers one event to its lane and counts it.
func (x *excerpt) add(e *engine.Event) {
	x.total++
	l := x.lane(e.Team)
	c := &l.count
	switch e.Type {
	case engine.EventInjectDelivered:
		c.Delivered++
	case engine.EventAction:
		c.Actions++
		if e.Data.Action == "share" {
			c.Shares++
		}
	case engine.EventExpectationMissed:
		c.Missed++
	case engine.EventIncidentSpread:
		c.Spreads++
	case engine.EventExpectationMet:
		// An answer that scored makes the action before it one that
		// matters, and one judged wrong too.
		l.promote(x.lastAction[e.Team], classScored)
	case engine.EventExpectationWrong:
		l.promote(x.lastAction[e.Team], classKey)
	}
	l.add(e, classOf(e))
	if e.Type == engine.EventAction {
		x.lastAction[e.Team] = e
	}
}

// classOf ranks an event for the excerpt.
func classOf(e *engine.Event) eventClass {
	switch e.Type {
	case engine.EventCreated, engine.EventStarted, engine.EventEnded, engine.EventInjectDelivered,
		engine.EventExpectationMet, engine.EventExpectationMissed, engine.EventIncidentSpread:
		return classScored
	case engine.EventPaused, engine.EventResumed, engine.EventSpeed, engine.EventTeamMode,
		engine.EventExpectationWrong, engine.EventNote, engine.EventObserved, engine.EventObjectiveRated, engine.EventRatingOverridden:
		return classKey
	}
	return classOther
}

// kept returns the events the excerpt keeps, in log order, and how many it
// left out.
func (x *excerpt) kept() ([]*engine.Event, int) {
	var out []*engine.Event
	dropped := 0
	for _, team := range x.order {
		l := x.lanes[team]
		out = append(out, l.events()...)
		dropped += l.dropped()
		l.count.Omitted = l.dropped()
	}
	slices.SortFunc(out, func(a, b *engine.Event) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return 0
	})
	return out, dropped
}

// cutText cuts s to MaxTextRunes characters, ending it in TextEllipsis
// when it was longer.
func cutText(s string) string {
	if len(s) <= MaxTextRunes || utf8.RuneCountInString(s) <= MaxTextRunes {
		return s
	}
	i, n := 0, 0
	for i = range s {
		if n == MaxTextRunes-1 {
			break
		}
		n++
	}
	return strings.TrimRightFunc(s[:i], func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) + TextEllipsis
}
