package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cmesim/scenarios"
)

// Thresholds of the findings rules.
const (
	// fastAck is the slowest first response that still counts as fast.
	fastAck = 15 * time.Minute
	// strongBaseline and weakBaseline are the "better than" percentages
	// against the simulated baseline that make a strength or a weakness.
	strongBaseline = 75.0
	weakBaseline   = 25.0
)

// findings derives strengths, areas for improvement and the improvement
// plan from the computed report. Every rule reads only the report's data;
// each finding names its rule (Finding.Kind).
func (b *builder) findings() {
	r := b.r
	for _, o := range r.Objectives {
		if o.Rating == RatingP {
			b.strength(Finding{Kind: "objective", Objective: o.ID, Capability: o.Capability,
				Text: b.t("report.finding.objective_performed", "objective", o.ID, "capability", b.capability(o.Capability), "evidence", o.Evidence)})
		}
	}
	for _, inc := range r.Incidents {
		for _, p := range inc.Prevented {
			inject, exp, _ := strings.Cut(p.Guard, ".")
			_, capability := b.objective(inject, exp)
			b.strength(Finding{Kind: "prevented", Teams: p.By, Capability: capability, Text: p.Explanation})
		}
	}
	for i := range r.Teams {
		b.teamStrengths(&r.Teams[i])
	}

	for _, inc := range r.Incidents {
		for _, sp := range inc.Spreads {
			if sp.CauseKind != "miss" {
				continue
			}
			inject, exp, _ := strings.Cut(sp.Expectation, ".")
			obj, capability := b.objective(inject, exp)
			b.improve(Finding{Kind: "spread", Teams: sp.Failed, Objective: obj, Capability: capability, Priority: PriorityHigh, Text: sp.Explanation},
				b.t("report.plan.area.timely", "action", b.actionNoun(b.actionOf(inject, exp))), b.recommendation(string(b.actionOf(inject, exp))))
		}
	}
	for _, o := range r.Objectives {
		if o.Rating != RatingM && o.Rating != RatingU {
			continue
		}
		prio := PriorityMedium
		if o.Rating == RatingU {
			prio = PriorityHigh
		}
		b.improve(Finding{Kind: "objective", Objective: o.ID, Capability: o.Capability, Teams: o.FellShort, Priority: prio,
			Text: b.t("report.finding.objective_rated", "objective", o.ID, "capability", b.capability(o.Capability), "rating", string(o.Rating), "meaning", strings.ToLower(b.ratingLabel(o.Rating)), "evidence", o.Evidence)},
			b.t("report.plan.area.objective", "objective", o.ID, "capability", b.capability(o.Capability)),
			b.t("report.recommendation.objective", "capability", strings.ToLower(b.capability(o.Capability)), "objective", o.ID))
	}
	for i := range r.Teams {
		b.teamImprovements(&r.Teams[i])
	}
	b.sortPlan()
}

func (b *builder) strength(f Finding) { b.r.Strengths = append(b.r.Strengths, f) }

// improve records an area for improvement and its plan item.
func (b *builder) improve(f Finding, area, rec string) {
	f.ID = fmt.Sprintf("A%d", len(b.r.Improvements)+1)
	b.r.Improvements = append(b.r.Improvements, f)
	capability := f.Capability
	if capability == "" {
		capability = "coordination"
	}
	resp := slices.Clone(f.Teams)
	if len(resp) == 0 {
		resp = []string{b.t("report.plan.all_teams")}
	}
	for i := range b.r.Plan {
		p := &b.r.Plan[i]
		if p.Area == area && p.Recommendation == rec && p.Capability == capability && p.Priority == f.Priority {
			for _, t := range resp {
				if !slices.Contains(p.Responsible, t) {
					p.Responsible = append(p.Responsible, t)
				}
			}
			return
		}
	}
	b.r.Plan = append(b.r.Plan, PlanItem{AreaID: f.ID, Area: area, Recommendation: rec, Capability: capability, Responsible: resp, Priority: f.Priority})
}

// sortPlan puts the areas for improvement and the plan in priority order,
// keeping the order of the findings within a priority.
func (b *builder) sortPlan() {
	rank := map[Priority]int{PriorityHigh: 0, PriorityMedium: 1, PriorityLow: 2}
	slices.SortStableFunc(b.r.Plan, func(x, y PlanItem) int { return rank[x.Priority] - rank[y.Priority] })
	slices.SortStableFunc(b.r.Improvements, func(x, y Finding) int { return rank[x.Priority] - rank[y.Priority] })
	b.numberAAR()
}

func (b *builder) teamStrengths(t *TeamResult) {
	// Every inject answered, and fast.
	if t.Delivered > 0 && len(t.Unanswered) == 0 {
		var worst time.Duration
		for _, d := range b.teamDeliveries(t.ID) {
			worst = max(worst, b.firstAction[teamInject{t.ID, d.inject}]-d.at.D())
		}
		if worst <= fastAck {
			mins := int((worst + time.Minute - 1) / time.Minute)
			b.strength(Finding{Kind: "fast_ack", Teams: []string{t.ID}, Capability: "detection",
				Text: b.t("report.finding.fast_ack", "team", b.party(t.ID), "received", t.Delivered, "within", b.count("report.count.minutes", max(1, mins)), "slowest", Duration(worst).Clock())})
		}
	}
	// Every expected share on time and at the right TLP.
	shares, onTime := 0, 0
	b.teamExpectations(t.ID, func(e *ExpectationResult) {
		if e.Action == string(scenarios.ActionShare) {
			shares++
			if e.Outcome == OutcomeMet && e.Wrong == 0 {
				onTime++
			}
		}
	})
	if shares > 0 && onTime == shares {
		b.strength(Finding{Kind: "sharing", Teams: []string{t.ID}, Capability: "information_sharing",
			Text: b.t("report.finding.sharing", "team", b.party(t.ID), "met", onTime, "total", shares)})
	}
	if t.Rating == RatingP {
		b.strength(Finding{Kind: "team_score", Teams: []string{t.ID},
			Text: b.t("report.finding.team_score_strong", "team", b.party(t.ID), "percent", b.pct(t.Fraction), "points", b.points(t.Points), "max", b.points(t.MaxPoints))})
	}
	for _, s := range t.Standing {
		if s.Better >= strongBaseline && (s.Metric == MetricScore || s.Metric.IsTime()) {
			b.strength(Finding{Kind: "baseline", Teams: []string{t.ID}, Text: b.baselineText("strong", t.ID, s)})
		}
	}
}

func (b *builder) teamImprovements(t *TeamResult) {
	team := []string{t.ID}
	var tlp, peers []string
	for _, sh := range t.Given {
		if sh.TLPViolation {
			tlp = append(tlp, b.t("report.finding.tlp_item", "inject", sh.Inject, "tlp", strings.ToUpper(sh.TLP), "limit", strings.ToUpper(sh.InjectTLP)))
		}
		for _, p := range sh.Problems {
			if strings.HasPrefix(p, "TLP violation") && !sh.TLPViolation {
				tlp = append(tlp, sh.Inject+" ("+b.why(b.problemWhy(p))+")")
			}
			if peer, want, ok := wrongPeer(b.problemWhy(p)); ok {
				peers = append(peers, sh.Inject+" ("+b.t("report.finding.peer_item", "peer", b.party(peer), "expected", b.partyList(want))+")")
			}
		}
	}
	if len(tlp) > 0 {
		b.improve(Finding{Kind: "tlp_violation", Teams: team, Capability: "information_sharing", Priority: PriorityHigh,
			Text: b.t("report.finding.tlp_violation", "team", b.party(t.ID), "list", strings.Join(tlp, "; "))},
			b.t("report.plan.area.tlp"), b.recommendation("tlp"))
	}
	if len(peers) > 0 {
		b.improve(Finding{Kind: "wrong_peer", Teams: team, Capability: "information_sharing", Priority: PriorityMedium,
			Text: b.t("report.finding.wrong_peer", "team", b.party(t.ID), "list", strings.Join(peers, "; "))},
			b.t("report.plan.area.wrong_peer"), b.recommendation("wrong_peer"))
	}
	for _, a := range []scenarios.Action{scenarios.ActionClassify, scenarios.ActionEscalate} {
		var wrong []string
		capability := ""
		b.teamExpectations(t.ID, func(e *ExpectationResult) {
			if e.Action == string(a) && e.Wrong > 0 {
				reason := b.st.Expectation(e.Inject, e.Expectation, e.Team).LastWrong
				wrong = append(wrong, fmt.Sprintf("%s (%s)", e.Inject, b.why(reason)))
				capability = e.Capability
			}
		})
		if len(wrong) == 0 {
			continue
		}
		kind, area, text := "classification", b.t("report.plan.area.classification"), b.t("report.finding.classification", "team", b.party(t.ID), "injects", b.count("report.count.injects", len(wrong)), "list", strings.Join(wrong, "; "))
		if a == scenarios.ActionEscalate {
			kind, area, text = "escalation", b.t("report.plan.area.escalation"), b.t("report.finding.escalation", "team", b.party(t.ID), "times", b.count("report.count.times", len(wrong)), "list", strings.Join(wrong, "; "))
		}
		b.improve(Finding{Kind: kind, Teams: team, Capability: capability, Priority: PriorityMedium, Text: text}, area, b.recommendation(string(a)))
	}
	if len(t.Unanswered) > 0 {
		b.improve(Finding{Kind: "unanswered", Teams: team, Capability: "detection", Priority: PriorityMedium,
			Text: b.t("report.finding.unanswered", "team", b.party(t.ID), "count", len(t.Unanswered), "injects", b.count("report.count.injects", t.Delivered), "list", b.join(t.Unanswered))},
			b.t("report.plan.area.unanswered"), b.recommendation("unanswered"))
	}
	// Outcomes of the team's expectations by action, in one pass.
	type actionTally struct {
		missed, late, total int
		capability          string
	}
	byAction := map[string]*actionTally{}
	b.teamExpectations(t.ID, func(e *ExpectationResult) {
		at := byAction[e.Action]
		if at == nil {
			at = &actionTally{}
			byAction[e.Action] = at
		}
		at.total++
		at.capability = e.Capability
		switch e.Outcome {
		case OutcomeMissed, OutcomeUnanswered:
			at.missed++
		case OutcomeLate:
			at.late++
		}
	})
	var lateParts []string
	lateTotal := 0
	for _, ts := range t.Times {
		var missed, late, total int
		capability := ""
		if at := byAction[ts.Action]; at != nil {
			missed, late, total, capability = at.missed, at.late, at.total, at.capability
		}
		a := scenarios.Action(ts.Action)
		if missed >= 2 || (missed > 0 && missed == total) {
			prio := PriorityLow
			if a == scenarios.ActionShare || a == scenarios.ActionContain || a == scenarios.ActionEscalate {
				prio = PriorityMedium
			}
			b.improve(Finding{Kind: "missed", Teams: team, Capability: capability, Priority: prio,
				Text: b.t("report.finding.missed", "team", b.party(t.ID), "count", missed, "expectations", b.t("report.count.action_expectations", "count", total, "action", b.actionNoun(a)))},
				b.t("report.plan.area.deadlines", "action", b.actionNoun(a)), b.recommendation(ts.Action))
		}
		if late > 0 {
			lateTotal += late
			lateParts = append(lateParts, b.t("report.finding.late_item", "action", b.actionNoun(a), "late", late, "total", total))
		}
	}
	if lateTotal >= 3 {
		b.improve(Finding{Kind: "late", Teams: team, Priority: PriorityLow,
			Text: b.t("report.finding.late", "team", b.party(t.ID), "count", lateTotal, "list", b.join(lateParts))},
			b.t("report.plan.area.late"), b.recommendation("late"))
	}
	if t.Rating == RatingM || t.Rating == RatingU {
		prio := PriorityMedium
		if t.Rating == RatingU {
			prio = PriorityHigh
		}
		b.improve(Finding{Kind: "team_score", Teams: team, Priority: prio,
			Text: b.t("report.finding.team_score_weak", "team", b.party(t.ID), "percent", b.pct(t.Fraction), "points", b.points(t.Points), "max", b.points(t.MaxPoints), "outcomes", b.outcomes(t.Outcomes))},
			b.t("report.plan.area.team_score"), b.recommendation("team_score"))
	}
	for _, s := range t.Standing {
		if s.Better <= weakBaseline && (s.Metric == MetricScore || s.Metric.IsTime()) {
			b.improve(Finding{Kind: "baseline", Teams: team, Priority: PriorityLow,
				Text: b.baselineText("weak", t.ID, s)},
				b.t("report.plan.area.baseline"), b.recommendation("baseline"))
		}
	}
}

// baselineText says how a team compares with the simulated runs on one
// metric; strength is "strong" or "weak".
func (b *builder) baselineText(strength, team string, s Standing) string {
	key, action := "report.finding.baseline_score_"+strength, ""
	if s.Metric.IsTime() {
		key = "report.finding.baseline_time_" + strength
		action = b.actionNoun(scenarios.Action(strings.TrimPrefix(string(s.Metric), "time_to_")))
	}
	return b.t(key, "team", b.party(team), "action", action, "percent", b.percent(s.Better), "runs", s.Runs)
}

func optClock(d *Duration) string {
	if d == nil {
		return "–"
	}
	return d.Clock()
}

// recommendationKinds are the kinds of finding with their own advice in
// the improvement plan (catalog keys report.recommendation.KIND).
var recommendationKinds = []string{"share", "contain", "escalate", "classify", "acknowledge", "request_info",
	"publish", "report", "tlp", "wrong_peer", "unanswered", "late", "team_score", "baseline"}

// recommendation returns the improvement plan's advice for a kind of
// finding.
func (l loc) recommendation(kind string) string {
	if slices.Contains(recommendationKinds, kind) {
		return l.t("report.recommendation." + kind)
	}
	return l.t("report.recommendation.default")
}
