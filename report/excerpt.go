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
	// LaneKeyEvents is how many of a lane's key events the excerpt keeps
	// (the first ones): lifecycle events, deliveries, answers that met or
	// were wrong and the actions that gave them, misses, spreads and
	// evaluator notes.
	LaneKeyEvents = 200
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

// logLane keeps the excerpt of one lane: its first key events, and the
// first and last of its other events, with counts of the rest.
type logLane struct {
	key  []*engine.Event
	head []*engine.Event
	// tail holds the latest other events past head, oldest first.
	tail    []*engine.Event
	count   LaneCount
	dropped int
}

// add puts an event in the lane, dropping what the bounds leave out.
func (l *logLane) add(e *engine.Event, key bool) {
	l.count.Events++
	switch {
	case key && len(l.key) < LaneKeyEvents:
		l.key = append(l.key, e)
	case key:
		l.dropped++
	case len(l.head) < LaneHeadEvents:
		l.head = append(l.head, e)
	case len(l.tail) < LaneTailEvents:
		l.tail = append(l.tail, e)
	default:
		// Drop the oldest: reslicing forward and appending reuses the
		// array until it is full, so this is O(1) amortised.
		l.tail = append(l.tail[1:], e)
		l.dropped++
	}
}

// promote makes e, if it is the lane's latest other event, a key event:
// an action that turned out to be scored. Nothing changes when the key
// events are full.
func (l *logLane) promote(e *engine.Event) {
	if e == nil || len(l.key) >= LaneKeyEvents {
		return
	}
	switch {
	case len(l.tail) > 0:
		if l.tail[len(l.tail)-1] == e {
			l.key, l.tail = append(l.key, e), l.tail[:len(l.tail)-1]
		}
	case len(l.head) > 0:
		if l.head[len(l.head)-1] == e {
			l.key, l.head = append(l.key, e), l.head[:len(l.head)-1]
		}
	}
}

// events returns the events the lane kept.
func (l *logLane) events() []*engine.Event {
	out := make([]*engine.Event, 0, len(l.key)+len(l.head)+len(l.tail))
	out = append(out, l.key...)
	out = append(out, l.head...)
	return append(out, l.tail...)
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
		l = &logLane{count: LaneCount{Team: team}}
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
	case engine.EventExpectationMet, engine.EventExpectationWrong:
		// An answer that scored (or was judged wrong) makes the action
		// before it one that matters.
		l.promote(x.lastAction[e.Team])
	}
	l.add(e, isKeyEvent(e))
	if e.Type == engine.EventAction {
		x.lastAction[e.Team] = e
	}
}

// isKeyEvent reports whether an event is one a reader of the timeline needs
// whatever else happened.
func isKeyEvent(e *engine.Event) bool {
	switch e.Type {
	case engine.EventCreated, engine.EventStarted, engine.EventPaused, engine.EventResumed, engine.EventEnded,
		engine.EventSpeed, engine.EventTeamMode, engine.EventInjectDelivered, engine.EventExpectationMet,
		engine.EventExpectationWrong, engine.EventExpectationMissed, engine.EventIncidentSpread, engine.EventNote:
		return true
	}
	return false
}

// kept returns the events the excerpt keeps, in log order, and how many it
// left out.
func (x *excerpt) kept() ([]*engine.Event, int) {
	var out []*engine.Event
	dropped := 0
	for _, team := range x.order {
		l := x.lanes[team]
		out = append(out, l.events()...)
		dropped += l.dropped
		l.count.Omitted = l.dropped
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
