package report

import (
	"slices"
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// incidents traces each incident of the scenario: the spreads that happened
// and why, the spreads timely answers prevented, and the phase it reached
// at each team.
func (b *builder) incidents() {
	for i := range b.s.Incidents {
		inc := &b.s.Incidents[i]
		p := IncidentPath{ID: inc.ID, Title: inc.TitleIn(string(b.lang)), Sector: inc.Sector, Origin: inc.Origin}
		fired := map[string]bool{}
		for _, e := range b.spreads {
			if e.Data.Incident != inc.ID {
				continue
			}
			fired[e.Data.IncidentDetail().Spread] = true
			p.Spreads = append(p.Spreads, b.spreadResult(&e))
		}
		for j := range inc.Spread {
			sp := &inc.Spread[j]
			if !fired[sp.ID] {
				if ps, ok := b.prevented(sp); ok {
					p.Prevented = append(p.Prevented, ps)
				}
			}
		}
		for _, t := range b.s.Teams {
			if k, ok := b.phases[teamIncident{t.ID, inc.ID}]; ok {
				q := b.phaseList[k]
				q.Incident = ""
				p.Teams = append(p.Teams, q)
			}
		}
		b.r.Incidents = append(b.r.Incidents, p)
	}
}

// spreadResult explains one incident.spread event.
func (b *builder) spreadResult(e *engine.Event) SpreadResult {
	d, spread := &e.Data, e.Data.IncidentDetail()
	sr := SpreadResult{ID: spread.Spread, At: Duration(e.At), To: e.Team, Sector: spread.Sector, Cause: d.Cause}
	kind, rest, _ := strings.Cut(d.Cause, ":")
	sr.CauseKind = kind
	where := b.teamPlace(e.Team, spread.Sector)
	switch kind {
	case "miss":
		ref, team, _ := missCause(d.Cause)
		sr.Expectation, sr.Team = ref, team
		phrase, failed := b.missPhrase(ref, team, e.At)
		sr.Failed = failed
		sr.Explanation = b.t("report.spread.miss", "missed", phrase, "incident", d.Incident, "place", where, "at", sr.At.TPlus())
	case "action":
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) == 3 {
			sr.Team = parts[0]
			sr.Explanation = b.t("report.spread.action", "incident", d.Incident, "place", where, "at", sr.At.TPlus(), "team", b.party(parts[0]), "action", b.actionName(parts[1]), "inject", parts[2])
		}
	case "after":
		sr.Explanation = b.t("report.spread.after", "incident", d.Incident, "place", where, "at", sr.At.TPlus(), "inject", rest)
	case "facilitator":
		sr.Explanation = b.t("report.spread.facilitator", "incident", d.Incident, "place", where, "at", sr.At.TPlus())
	}
	if sr.Explanation == "" {
		sr.Explanation = b.t("report.spread.other", "incident", d.Incident, "place", where, "at", sr.At.TPlus(), "cause", d.Cause)
	}
	return sr
}

// missPhrase says who failed to do what: "co-csirt did not share G03
// (“IoC list”) with ec-csirt, pe-csirt in time (due T+1:10:00)", or, when
// several teams had the expectation and none had met it by at, "none of the
// teams expected to share G03 (…) (a, b) did so in time". It also returns
// the teams that had failed it by then.
func (b *builder) missPhrase(ref, team string, at time.Duration) (string, []string) {
	inject, exp, _ := strings.Cut(ref, ".")
	var due Duration
	var failed []string
	all := true
	for i := range b.r.Expectations {
		x := &b.r.Expectations[i]
		if x.Inject != inject || x.Expectation != exp {
			continue
		}
		if x.Team == team {
			due = x.Deadline
		}
		metBefore := (x.Outcome == OutcomeMet || x.Outcome == OutcomeLate) && x.Answered != nil && x.Answered.D() <= at
		if metBefore {
			all = false
		} else {
			failed = append(failed, x.Team)
		}
	}
	action := b.actionOf(inject, exp)
	var s string
	if all && len(failed) > 1 {
		s = b.t("report.spread.missed_all", "verb", b.actionVerb(action), "inject", b.injectRef(inject), "teams", b.join(b.parties(failed)))
	} else {
		failed = []string{team}
		s = b.t("report.spread.missed_one", "team", b.party(team), "verb", b.actionNot(action), "inject", b.injectRef(inject))
		if _, e, ok := b.s.Expectation(ref); ok && e.Action == scenarios.ActionShare {
			peers := slices.DeleteFunc(b.s.Members(e.With, ""), func(p string) bool { return p == team })
			if len(peers) > 0 {
				s = b.t("report.spread.missed_one_with", "team", b.party(team), "verb", b.actionNot(action), "inject", b.injectRef(inject), "peers", b.join(b.parties(peers)))
			}
		}
	}
	if due > 0 {
		s = b.t("report.spread.due", "text", s, "at", due.TPlus())
	}
	return s, failed
}

// prevented reports a spread that would have fired on a miss, when every
// team that had the guarding expectation met it on time.
func (b *builder) prevented(sp *scenarios.Spread) (PreventedSpread, bool) {
	var guards []string
	if sp.When != nil && sp.When.OnMiss != "" {
		guards = append(guards, sp.When.OnMiss)
	}
	for _, in := range b.s.Injects {
		for _, e := range in.Expectations {
			if e.OnMiss != nil && e.OnMiss.Spread == sp.ID {
				guards = append(guards, in.ID+"."+e.ID)
			}
		}
	}
	for _, g := range guards {
		inject, exp, _ := strings.Cut(g, ".")
		var by []string
		clean := true
		for i := range b.r.Expectations {
			x := &b.r.Expectations[i]
			if x.Inject != inject || x.Expectation != exp {
				continue
			}
			if x.Outcome != OutcomeMet {
				clean = false
				break
			}
			by = append(by, x.Team)
		}
		if !clean || len(by) == 0 {
			continue
		}
		text := b.t("report.spread.prevented", "teams", b.join(b.parties(by)), "verb", b.actionPast(b.actionOf(inject, exp), len(by)),
			"inject", b.injectRef(inject), "place", b.teamPlace(sp.To, sp.Sector))
		return PreventedSpread{ID: sp.ID, To: sp.To, Guard: g, By: by, Explanation: text}, true
	}
	return PreventedSpread{}, false
}

// teamPlace describes a team for prose: "pe-csirt (Peru, government sector)".
func (b *builder) teamPlace(team, sector string) string {
	t, ok := b.s.Team(team)
	if !ok {
		return team
	}
	name := b.party(team)
	var parts []string
	if t.Country != "" {
		parts = append(parts, b.country(t.Country))
	}
	if sector != "" {
		parts = append(parts, b.t("report.place.sector", "sector", b.sector(sector)))
	}
	if len(parts) == 0 {
		return name
	}
	return name + " (" + b.join(parts) + ")"
}

// injectRef names an inject for prose: `G03 “IoC list”`.
func (b *builder) injectRef(id string) string {
	return b.loc.injectRef(id, b.injectTitle(id))
}

func (b *builder) actionOf(inject, exp string) scenarios.Action {
	if _, e, ok := b.s.Expectation(inject + "." + exp); ok {
		return e.Action
	}
	for i := range b.r.Expectations {
		if x := &b.r.Expectations[i]; x.Inject == inject && x.Expectation == exp {
			return scenarios.Action(x.Action)
		}
	}
	return ""
}
