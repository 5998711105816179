package report

import (
	"fmt"
	"strings"

	"cmesim/engine"
)

// log fills the appendix: one entry per event, with a summary in words.
func (b *builder) log() {
	b.r.Log = make([]LogEntry, len(b.events))
	for i := range b.events {
		e := &b.events[i]
		b.r.Log[i] = LogEntry{Seq: e.Seq, At: Duration(e.At), Type: string(e.Type), Actor: e.Actor, Team: e.Team,
			Inject: e.Data.Inject, Action: string(e.Data.Action), TLP: e.Data.TLP, Summary: summarize(e)}
	}
}

// summarize says what an event records, in a line.
func summarize(e *engine.Event) string {
	d := &e.Data
	switch e.Type {
	case engine.EventCreated:
		s := fmt.Sprintf("exercise %s created, seed %d", d.Scenario, d.Seed)
		if len(d.Humans) > 0 {
			s += "; humans play " + strings.Join(d.Humans, ", ")
		}
		return s
	case engine.EventStarted:
		return "exercise started"
	case engine.EventPaused:
		return strings.TrimSpace("exercise paused " + d.Text)
	case engine.EventResumed:
		return "exercise resumed"
	case engine.EventSpeed:
		return fmt.Sprintf("speed set to %g×", d.Speed)
	case engine.EventEnded:
		return "exercise ended: " + d.Reason
	case engine.EventTeamMode:
		return fmt.Sprintf("%s now played by %s", e.Team, map[engine.Mode]string{engine.ModeHuman: "humans", engine.ModeSimulated: "the simulation"}[d.Mode])
	case engine.EventInjectDelivered:
		s := fmt.Sprintf("%s delivered", d.Inject)
		if d.TLP != "" {
			s += " (TLP:" + strings.ToUpper(d.TLP) + ", " + d.Severity + ")"
		}
		s += "; cause " + d.Cause
		if n := len(d.Expectations); n > 0 {
			s += "; " + plural(n, "expectation")
		}
		return s
	case engine.EventInjectReleased:
		if d.Spread != "" {
			return "facilitator released spread " + d.Spread
		}
		return "facilitator released " + d.Inject
	case engine.EventInjectSkipped:
		return strings.TrimSpace("facilitator skipped " + d.Inject + " " + d.Text)
	case engine.EventInjectDelayed:
		return fmt.Sprintf("facilitator delayed %s by %s", d.Inject, Duration(d.Delay).Clock())
	case engine.EventInjectSent:
		title := ""
		if d.AdHoc != nil {
			title = " “" + d.AdHoc.Title + "”"
		}
		return "facilitator sent ad-hoc inject " + d.Inject + title
	case engine.EventAction:
		s := fmt.Sprintf("%s %s", d.Action, d.Inject)
		switch {
		case d.Category != "" || d.Severity != "":
			s += fmt.Sprintf(" as %s / %s", d.Category, d.Severity)
		case d.Target != "":
			s += " to " + d.Target
		case len(d.Peers) > 0:
			s += fmt.Sprintf(" with %s at TLP:%s", strings.Join(d.Peers, ", "), strings.ToUpper(d.TLP))
		}
		if d.Text != "" {
			s += ": " + d.Text
		}
		return s
	case engine.EventNote:
		if d.Objective != "" {
			return "note on " + d.Objective + ": " + d.Text
		}
		return "note: " + d.Text
	case engine.EventExpectationMet:
		s := fmt.Sprintf("%s.%s met: %s of %d points after %s", d.Inject, d.Expectation, fmtPoints(d.Points), d.MaxPoints, Duration(d.Latency).Clock())
		if d.Late {
			s += " (late)"
		}
		return s
	case engine.EventExpectationWrong:
		return fmt.Sprintf("%s.%s wrong: %s", d.Inject, d.Expectation, d.Reason)
	case engine.EventExpectationMissed:
		return fmt.Sprintf("%s.%s missed: %s", d.Inject, d.Expectation, d.Reason)
	case engine.EventIncidentPhase:
		return fmt.Sprintf("%s %s", d.Incident, d.Phase)
	case engine.EventIncidentSpread:
		return fmt.Sprintf("%s spread to %s (%s); cause %s", d.Incident, e.Team, d.Spread, d.Cause)
	}
	if d.Text != "" {
		return d.Text
	}
	return string(e.Type)
}
