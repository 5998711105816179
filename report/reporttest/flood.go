// Package reporttest makes event logs for tests and benchmarks of reports:
// a real run's log with a flood of trainee actions in it, as long as
// asked, made one event at a time so that its length costs no memory.
package reporttest

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"time"

	"cmesim/engine"
)

// Flood describes the events a flooding trainee adds to a log.
type Flood struct {
	// Team is the flooding team; Inject an inject it received.
	Team, Inject string
	// Peer is the team the flood's shares go to.
	Peer string
	// Events is how many events the flood adds; TextBytes the length of
	// each action's text.
	Events    int
	TextBytes int
}

// Each calls fn with the events of base, a whole log, and the flood's
// events inserted before base's last event, renumbered so the log stays
// whole. Of every hundred flood events, five are evaluator notes about
// Team (the first five), ten are shares to Peer, one is a phase change and
// the rest are report actions. It stops at fn's first error and returns
// it. Each call of fn gets an event of its own.
func (f Flood) Each(base []engine.Event, fn func(*engine.Event) error) error {
	text := strings.Repeat("x", f.TextBytes)
	var seq uint64
	emit := func(e engine.Event) error {
		seq++
		e.Seq = seq
		return fn(&e)
	}
	last := len(base) - 1
	for i := range last {
		if err := emit(base[i]); err != nil {
			return err
		}
	}
	at := base[last].At
	for i := range f.Events {
		if err := emit(f.event(i, at, text)); err != nil {
			return err
		}
	}
	return emit(base[last])
}

// event is the flood's i-th event.
func (f Flood) event(i int, at time.Duration, text string) engine.Event {
	who := "trainee:" + f.Team
	switch k := i % 100; {
	case k == 15:
		return engine.Event{At: at, Type: engine.EventIncidentPhase, Actor: who, Team: f.Team, Audience: []string{f.Team},
			Data: engine.Details{Incident: "flood",
				IncidentFields: &engine.IncidentFields{Phase: engine.Phases[i%len(engine.Phases)]}}}
	case k < 5:
		return engine.Event{At: at, Type: engine.EventNote, Actor: "evaluator:eve", Team: f.Team,
			Data: engine.Details{Inject: f.Inject, Text: text}}
	case k < 15:
		return engine.Event{At: at, Type: engine.EventAction, Actor: who, Team: f.Team, Audience: []string{f.Team, f.Peer},
			Data: engine.Details{Inject: f.Inject, Action: "share", Peers: []string{f.Peer}, TLP: "clear", Text: text}}
	}
	return engine.Event{At: at, Type: engine.EventAction, Actor: who, Team: f.Team, Audience: []string{f.Team},
		Data: engine.Details{Inject: f.Inject, Action: "report", Text: text}}
}

// Notes returns how many evaluator notes the flood holds.
func (f Flood) Notes() int { return f.count(func(k int) bool { return k < 5 }) }

// Shares returns how many shares the flood holds.
func (f Flood) Shares() int { return f.count(func(k int) bool { return k >= 5 && k < 15 }) }

func (f Flood) count(kind func(k int) bool) int {
	n := 0
	for i := range f.Events {
		if kind(i % 100) {
			n++
		}
	}
	return n
}

// WriteJSONL writes base with the flood in it as a JSON Lines event log,
// the form engine.ReadLog reads.
func (f Flood) WriteJSONL(w io.Writer, base []engine.Event) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := f.Each(base, func(e *engine.Event) error { return enc.Encode(e) }); err != nil {
		return err
	}
	return bw.Flush()
}
