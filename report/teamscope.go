package report

import (
	"slices"
)

// The team-scoped report: what one team's trainees may read after the
// end. It is the report built from the whole log (the same builder, so
// the same scores), then cut down to the team: its scorecard, its
// expectations (judged, provisional or mechanical), its objectives'
// ratings, the injects it received, the shares and messages it sent or
// received, where incidents stood for it, and the log's events it could
// see (see Builder.Add and Options.Team). Nothing of other teams' results
// stays, and nothing staff-only: no evaluators' notes or judgements, no
// hot wash answers, no evaluation guides, no objective evidence about other teams, and no
// reason for a wrong answer (it would give the answer key away). Its
// AAR/IP keeps the findings about the team alone and the plan items the
// team is responsible for.

// scopeToTeam cuts the report down to team.
func (b *builder) scopeToTeam(team string) {
	r := b.r
	r.Team = team
	r.Exercise.Humans = slices.DeleteFunc(r.Exercise.Humans, func(h string) bool { return h != team })
	r.Notes, r.NotesOmitted, r.Judgements, r.HotWash = []Note{}, 0, nil, nil
	r.Teams = slices.DeleteFunc(r.Teams, func(t TeamResult) bool { return t.ID != team })
	for i := range r.Teams {
		r.Teams[i].Notes = nil
	}
	r.Expectations = slices.DeleteFunc(r.Expectations, func(e ExpectationResult) bool { return e.Team != team })
	for i := range r.Expectations {
		e := &r.Expectations[i]
		if e.Outcome != OutcomeMissed && e.Outcome != OutcomeUnanswered && e.Outcome != OutcomeNotDue {
			e.Reason = ""
		}
		e.Consequences = slices.DeleteFunc(e.Consequences, func(c Consequence) bool { return c.Team != team })
	}
	b.scopeObjectives(team)
	b.scopeSummary(team)
	b.scopeInjects(team)
	b.scopeNothingReceived(team)
	b.scopeSharing(team)
	b.scopeIncidents(team)
	b.scopeAAR(team)
	if x := r.LogExcerpt; x != nil {
		x.Lanes = slices.DeleteFunc(x.Lanes, func(l LaneCount) bool { return l.Team != team })
	}
}

// scopeObjectives rates each objective by the team's own points.
func (b *builder) scopeObjectives(team string) {
	r := b.r
	for i := range r.Objectives {
		o := &r.Objectives[i]
		o.Notes, o.FellShort, o.Evidence = nil, nil, ""
		o.EEG = nil // the evaluation guide rates the whole exercise, with staff notes
		o.Teams = slices.DeleteFunc(o.Teams, func(t TeamRating) bool { return t.Team != team })
		line := ScoreLine{ID: o.ID, Label: o.Label, Capability: o.Capability}
		if len(o.Teams) == 1 {
			t := o.Teams[0]
			line.Points, line.MaxPoints, line.Fraction, line.Rating, line.Outcomes = t.Points, t.MaxPoints, t.Fraction, t.Rating, t.Outcomes
		}
		o.ScoreLine = line
		o.Evidence = b.objectiveEvidence(o, nil)
	}
	if len(r.Teams) == 1 {
		r.Capabilities = r.Teams[0].Capabilities
	}
}

// scopeSummary makes the summary the team's.
func (b *builder) scopeSummary(team string) {
	r := b.r
	sm := Summary{Teams: 1}
	if len(r.Teams) == 1 {
		t := &r.Teams[0]
		sm.Points, sm.MaxPoints, sm.Fraction, sm.Rating, sm.Outcomes = t.Points, t.MaxPoints, t.Fraction, t.Rating, t.Outcomes
		sm.Actions, sm.Deliveries, sm.Shares = t.Actions, t.Delivered, len(t.Given)
		for _, sh := range t.Given {
			if sh.TLPViolation {
				sm.TLPViolations++
			}
		}
		sm.Text = b.t("aar.team.summary", "team", b.party(team), "points", b.points(t.Points), "max", b.points(t.MaxPoints), "percent", b.pct(t.Fraction))
	}
	r.Summary = sm
}

// scopeInjects keeps the injects delivered to the team.
func (b *builder) scopeInjects(team string) {
	r := b.r
	var kept []InjectInfo
	for _, in := range r.Injects {
		in.Deliveries = slices.DeleteFunc(slices.Clone(in.Deliveries), func(d Delivery) bool { return d.Team != team })
		if len(in.Deliveries) == 0 {
			continue
		}
		in.Answered = 0
		if b.acted[teamInject{team, in.ID}] {
			in.Answered = 1
		}
		kept = append(kept, in)
	}
	r.Injects = kept
	r.Summary.Injects = len(kept)
}

// scopeNothingReceived says plainly in the summary that the team received
// no injects, or no expectations, in this exercise, when that is so: its
// report is otherwise a row of zeros and empty tables.
func (b *builder) scopeNothingReceived(team string) {
	r := b.r
	switch {
	case len(r.Injects) == 0:
		r.Summary.Text = b.t("report.team_empty.no_injects", "team", b.party(team))
	case len(r.Expectations) == 0:
		r.Summary.Text = b.t("report.team_empty.no_expectations", "team", b.party(team))
	}
}

// scopeSharing keeps the shares, links and messages the team sent or
// received.
func (b *builder) scopeSharing(team string) {
	r := b.r
	r.Shares = slices.DeleteFunc(r.Shares, func(s Share) bool { return s.From != team && !slices.Contains(s.To, team) })
	r.SharesOmitted = 0
	r.Network = slices.DeleteFunc(r.Network, func(l Link) bool { return l.From != team && l.To != team })
	c := &r.Communication
	c.Links = slices.DeleteFunc(c.Links, func(l TalkLink) bool { return l.From != team && l.To != team })
	c.RFIs = slices.DeleteFunc(c.RFIs, func(t RFITimes) bool { return t.Team != team })
	c.Violations = slices.DeleteFunc(c.Violations, func(t TeamCount) bool { return t.Team != team })
	c.UnansweredRFIs, c.UnansweredSimCell, c.SimCell = 0, 0, SimCellLoad{Bucket: c.SimCell.Bucket}
}

// scopeIncidents keeps where each incident stood for the team and the
// spreads that reached it.
func (b *builder) scopeIncidents(team string) {
	r := b.r
	var kept []IncidentPath
	for _, p := range r.Incidents {
		p.Teams = slices.DeleteFunc(slices.Clone(p.Teams), func(s PhaseState) bool { return s.Team != team })
		p.Spreads = slices.DeleteFunc(slices.Clone(p.Spreads), func(s SpreadResult) bool { return s.To != team })
		for i := range p.Spreads {
			p.Spreads[i].Failed = nil
		}
		p.Prevented = nil
		if len(p.Teams) > 0 || len(p.Spreads) > 0 {
			kept = append(kept, p)
		}
	}
	r.Incidents = kept
	r.Summary.Spreads = 0
	for _, p := range kept {
		r.Summary.Spreads += len(p.Spreads)
	}
}

// scopeAAR keeps the findings about the team alone and the plan items the
// team is responsible for.
func (b *builder) scopeAAR(team string) {
	r := b.r
	only := func(f Finding) bool { return len(f.Teams) != 1 || f.Teams[0] != team }
	r.Strengths = slices.DeleteFunc(r.Strengths, only)
	r.Improvements = slices.DeleteFunc(r.Improvements, only)
	r.Plan = slices.DeleteFunc(r.Plan, func(p PlanItem) bool {
		if p.Organisation != "" {
			return p.Organisation != team
		}
		return !slices.Contains(p.Responsible, team)
	})
	for i := range r.Plan {
		r.Plan[i].Responsible = []string{team}
	}
}
