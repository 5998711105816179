package report

import (
	"fmt"
	"strings"

	"cmesim/engine"
)

// log fills Report.Log from the excerpt, saying what it left out when it
// left out anything.
func (b *builder) log() {
	kept, omitted := b.excerpt.kept()
	b.r.Log = make([]LogEntry, len(kept))
	for i, e := range kept {
		b.r.Log[i] = b.logEntry(e)
		b.r.Log[i].Summary = cutText(b.r.Log[i].Summary)
	}
	if omitted == 0 {
		return
	}
	x := &LogExcerpt{Events: b.excerpt.total, Shown: len(kept), Omitted: omitted, Appendix: b.appendix}
	for _, t := range b.s.Teams {
		if l := b.excerpt.lanes[t.ID]; l != nil {
			x.Lanes = append(x.Lanes, l.count)
		} else {
			x.Lanes = append(x.Lanes, LaneCount{Team: t.ID})
		}
	}
	b.r.LogExcerpt = x
}

// logEntry is one event's line of the log, with a summary in words.
func (l loc) logEntry(e *engine.Event) LogEntry {
	return LogEntry{Seq: e.Seq, At: Duration(e.At), Type: string(e.Type), Actor: e.Actor, Team: e.Team,
		Inject: e.Data.Inject, Action: string(e.Data.Action), TLP: e.Data.TLP, Summary: l.summarize(e)}
}

// summarize says what an event records, in a line.
func (l loc) summarize(e *engine.Event) string {
	d := &e.Data
	switch e.Type {
	case engine.EventCreated:
		c := d.Creation()
		s := l.t("report.log.created", "scenario", c.Scenario, "seed", fmt.Sprint(c.Seed))
		if len(c.Humans) > 0 {
			s = l.t("report.log.created_humans", "text", s, "teams", l.join(c.Humans))
		}
		return s
	case engine.EventStarted:
		return l.t("report.log.started")
	case engine.EventPaused:
		return strings.TrimSpace(l.t("report.log.paused") + " " + l.pauseText(d.Text))
	case engine.EventResumed:
		return l.t("report.log.resumed")
	case engine.EventSpeed:
		return l.t("report.log.speed", "speed", fmt.Sprintf("%g", d.Control().Speed))
	case engine.EventEnded:
		return l.t("report.log.ended", "reason", l.why(d.Why))
	case engine.EventTeamMode:
		return l.t("report.log.mode", "team", e.Team, "mode", l.mode(d.Control().Mode))
	case engine.EventInjectDelivered:
		s := l.t("report.log.delivered", "inject", d.Inject)
		if d.TLP != "" {
			s += " (TLP:" + strings.ToUpper(d.TLP) + ", " + l.severity(d.Severity) + ")"
		}
		s += "; " + l.t("report.log.cause", "cause", l.cause(d.Cause))
		if n := len(d.Expectations); n > 0 {
			s += "; " + l.count("report.count.expectations", n)
		}
		return s
	case engine.EventInjectReleased:
		if spread := d.IncidentDetail().Spread; spread != "" {
			return l.t("report.log.released_spread", "spread", spread)
		}
		return l.t("report.log.released", "inject", d.Inject)
	case engine.EventInjectSkipped:
		return strings.TrimSpace(l.t("report.log.skipped", "inject", d.Inject) + " " + d.Text)
	case engine.EventInjectDelayed:
		return l.t("report.log.delayed", "inject", d.Inject, "delay", Duration(d.Control().Delay).Clock())
	case engine.EventInjectSent:
		if d.AdHoc != nil {
			return l.t("report.log.sent_titled", "inject", d.Inject, "title", d.AdHoc.Title)
		}
		return l.t("report.log.sent", "inject", d.Inject)
	case engine.EventAction:
		s := l.actionName(string(d.Action)) + " " + d.Inject
		switch {
		case d.Category != "" || d.Severity != "":
			s = l.t("report.log.action_classified", "text", s, "category", l.category(d.Category), "severity", l.severity(d.Severity))
		case d.Target != "":
			s = l.t("report.log.action_target", "text", s, "target", l.party(d.Target))
		case len(d.Peers) > 0:
			s = l.t("report.log.action_peers", "text", s, "peers", l.join(l.parties(d.Peers)), "tlp", strings.ToUpper(d.TLP))
		}
		if d.Text != "" {
			s += ": " + d.Text
		}
		return s
	case engine.EventNote:
		if d.Objective != "" {
			return l.t("report.log.note_objective", "objective", d.Objective, "text", d.Text)
		}
		return l.t("report.log.note", "text", d.Text)
	case engine.EventExpectationMet:
		key := "report.log.met"
		if d.Late {
			key = "report.log.met_late"
		}
		s := l.t(key, "expectation", d.Inject+"."+d.Expectation, "points", l.points(d.Points), "max", d.MaxPoints, "latency", Duration(d.Latency).Clock())
		if d.Provisional {
			s += " (" + l.t("judge.provisional") + ")"
		}
		return s
	case engine.EventExpectationJudged, engine.EventExpectationScored:
		return l.judgementLine(e)
	case engine.EventAAREdited:
		return l.aarLine(e)
	case engine.EventObserved, engine.EventObjectiveRated, engine.EventRatingOverridden:
		return l.eegLine(e)
	case engine.EventSurveyOpened:
		return l.t("report.hotwash.log_opened")
	case engine.EventSurveyAnswered:
		return l.t("report.hotwash.log_answered", "count", len(d.Answers))
	case engine.EventExpectationWrong:
		return l.t("report.log.wrong", "expectation", d.Inject+"."+d.Expectation, "reason", l.why(d.Why))
	case engine.EventExpectationMissed:
		return l.t("report.log.missed", "expectation", d.Inject+"."+d.Expectation, "reason", l.why(d.Why))
	case engine.EventIncidentPhase:
		return d.Incident + " " + l.phase(string(d.IncidentDetail().Phase))
	case engine.EventIncidentSpread:
		return l.t("report.log.spread", "incident", d.Incident, "team", e.Team, "spread", d.IncidentDetail().Spread, "cause", d.Cause)
	}
	if d.Text != "" {
		return d.Text
	}
	return string(e.Type)
}
