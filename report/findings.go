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
				Text: fmt.Sprintf("Objective %s (%s) was performed without challenges. %s", o.ID, capabilityLabel(o.Capability), o.Evidence)})
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
				"Timely "+actionNoun(b.actionOf(inject, exp)), recommendation(string(b.actionOf(inject, exp))))
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
			Text: fmt.Sprintf("Objective %s (%s) was rated %s, %s: %s", o.ID, capabilityLabel(o.Capability), o.Rating, strings.ToLower(o.Rating.Label()), o.Evidence)},
			fmt.Sprintf("Objective %s: %s", o.ID, capabilityLabel(o.Capability)),
			fmt.Sprintf("Review the procedures, staffing and training behind %s; re-test objective %s in the next exercise.", strings.ToLower(capabilityLabel(o.Capability)), o.ID))
	}
	for i := range r.Teams {
		b.teamImprovements(&r.Teams[i])
	}
	b.sortPlan()
}

func (b *builder) strength(f Finding) { b.r.Strengths = append(b.r.Strengths, f) }

// improve records an area for improvement and its plan item.
func (b *builder) improve(f Finding, area, rec string) {
	b.r.Improvements = append(b.r.Improvements, f)
	capability := f.Capability
	if capability == "" {
		capability = "coordination"
	}
	resp := slices.Clone(f.Teams)
	if len(resp) == 0 {
		resp = []string{"all teams"}
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
	b.r.Plan = append(b.r.Plan, PlanItem{Area: area, Recommendation: rec, Capability: capability, Responsible: resp, Priority: f.Priority})
}

// sortPlan puts the areas for improvement and the plan in priority order,
// keeping the order of the findings within a priority.
func (b *builder) sortPlan() {
	rank := map[Priority]int{PriorityHigh: 0, PriorityMedium: 1, PriorityLow: 2}
	slices.SortStableFunc(b.r.Plan, func(x, y PlanItem) int { return rank[x.Priority] - rank[y.Priority] })
	slices.SortStableFunc(b.r.Improvements, func(x, y Finding) int { return rank[x.Priority] - rank[y.Priority] })
}

func (b *builder) teamStrengths(t *TeamResult) {
	// Every inject answered, and fast.
	if t.Delivered > 0 && len(t.Unanswered) == 0 {
		var worst time.Duration
		for _, in := range b.r.Injects {
			for _, d := range in.Deliveries {
				if d.Team == t.ID {
					worst = max(worst, b.firstAction[teamInject{t.ID, in.ID}]-d.At.D())
				}
			}
		}
		if worst <= fastAck {
			mins := int((worst + time.Minute - 1) / time.Minute)
			b.strength(Finding{Kind: "fast_ack", Teams: []string{t.ID}, Capability: "detection",
				Text: fmt.Sprintf("%s acknowledged every inject it received (%d) within %s (slowest first response %s).", t.ID, t.Delivered, plural(max(1, mins), "minute"), Duration(worst).Clock())})
		}
	}
	// Every expected share on time and at the right TLP.
	shares, onTime := 0, 0
	for i := range b.r.Expectations {
		e := &b.r.Expectations[i]
		if e.Team == t.ID && e.Action == string(scenarios.ActionShare) {
			shares++
			if e.Outcome == OutcomeMet && e.Wrong == 0 {
				onTime++
			}
		}
	}
	if shares > 0 && onTime == shares {
		b.strength(Finding{Kind: "sharing", Teams: []string{t.ID}, Capability: "information_sharing",
			Text: fmt.Sprintf("%s shared everything it was expected to share on time, with the right peers and at the right TLP (%d of %d).", t.ID, onTime, shares)})
	}
	if t.Rating == RatingP {
		b.strength(Finding{Kind: "team_score", Teams: []string{t.ID},
			Text: fmt.Sprintf("%s earned %s of the points available to it (%s of %s): performed without challenges.", t.ID, pct(t.Fraction), fmtPoints(t.Points), fmtPoints(t.MaxPoints))})
	}
	for _, s := range t.Standing {
		if s.Better >= strongBaseline && (s.Metric == MetricScore || s.Metric.IsTime()) {
			b.strength(Finding{Kind: "baseline", Teams: []string{t.ID}, Text: fmt.Sprintf("%s %s than %.0f%% of %d simulated runs.", t.ID, metricPhrase(s.Metric), s.Better, s.Runs)})
		}
	}
}

func (b *builder) teamImprovements(t *TeamResult) {
	team := []string{t.ID}
	var tlp, peers []string
	for _, sh := range t.Given {
		if sh.TLPViolation {
			tlp = append(tlp, fmt.Sprintf("%s at TLP:%s although it is TLP:%s", sh.Inject, strings.ToUpper(sh.TLP), strings.ToUpper(sh.InjectTLP)))
		}
		for _, p := range sh.Problems {
			if strings.HasPrefix(p, "TLP violation") && !sh.TLPViolation {
				tlp = append(tlp, sh.Inject+" ("+p+")")
			}
			if strings.HasPrefix(p, "shared with ") {
				peers = append(peers, sh.Inject+" ("+strings.TrimPrefix(p, "shared with ")+")")
			}
		}
	}
	if len(tlp) > 0 {
		b.improve(Finding{Kind: "tlp_violation", Teams: team, Capability: "information_sharing", Priority: PriorityHigh,
			Text: fmt.Sprintf("%s shared information at a more open TLP than it allows: %s.", t.ID, strings.Join(tlp, "; "))},
			"TLP handling", recommendation("tlp"))
	}
	if len(peers) > 0 {
		b.improve(Finding{Kind: "wrong_peer", Teams: team, Capability: "information_sharing", Priority: PriorityMedium,
			Text: fmt.Sprintf("%s shared with peers that were not expected to receive the information: %s.", t.ID, strings.Join(peers, "; "))},
			"Sharing with the right peers", recommendation("wrong_peer"))
	}
	for _, a := range []scenarios.Action{scenarios.ActionClassify, scenarios.ActionEscalate} {
		var wrong []string
		capability := ""
		for i := range b.r.Expectations {
			e := &b.r.Expectations[i]
			if e.Team == t.ID && e.Action == string(a) && e.Wrong > 0 {
				reason := b.st.Expectation(e.Inject, e.Expectation, e.Team).LastWrong
				wrong = append(wrong, fmt.Sprintf("%s (%s)", e.Inject, reason))
				capability = e.Capability
			}
		}
		if len(wrong) == 0 {
			continue
		}
		kind, area, text := "classification", "Incident classification", fmt.Sprintf("%s misclassified %s: %s.", t.ID, plural(len(wrong), "inject"), strings.Join(wrong, "; "))
		if a == scenarios.ActionEscalate {
			kind, area, text = "escalation", "Escalation paths", fmt.Sprintf("%s escalated to the wrong party %s: %s.", t.ID, plural(len(wrong), "time"), strings.Join(wrong, "; "))
		}
		b.improve(Finding{Kind: kind, Teams: team, Capability: capability, Priority: PriorityMedium, Text: text}, area, recommendation(string(a)))
	}
	if len(t.Unanswered) > 0 {
		b.improve(Finding{Kind: "unanswered", Teams: team, Capability: "detection", Priority: PriorityMedium,
			Text: fmt.Sprintf("%s never acted on %d of the %s it received: %s.", t.ID, len(t.Unanswered), plural(t.Delivered, "inject"), strings.Join(t.Unanswered, ", "))},
			"Intake and acknowledgement", recommendation("unanswered"))
	}
	var lateParts []string
	lateTotal := 0
	for _, ts := range t.Times {
		var missed, late, total int
		capability := ""
		for i := range b.r.Expectations {
			e := &b.r.Expectations[i]
			if e.Team != t.ID || e.Action != ts.Action {
				continue
			}
			total++
			capability = e.Capability
			switch e.Outcome {
			case OutcomeMissed, OutcomeUnanswered:
				missed++
			case OutcomeLate:
				late++
			}
		}
		a := scenarios.Action(ts.Action)
		if missed >= 2 || (missed > 0 && missed == total) {
			prio := PriorityLow
			if a == scenarios.ActionShare || a == scenarios.ActionContain || a == scenarios.ActionEscalate {
				prio = PriorityMedium
			}
			b.improve(Finding{Kind: "missed", Teams: team, Capability: capability, Priority: prio,
				Text: fmt.Sprintf("%s missed the deadline of %d of its %s.", t.ID, missed, plural(total, actionNoun(a)+" expectation"))},
				"Meeting "+actionNoun(a)+" deadlines", recommendation(ts.Action))
		}
		if late > 0 {
			lateTotal += late
			lateParts = append(lateParts, fmt.Sprintf("%s %d of %d", actionNoun(a), late, total))
		}
	}
	if lateTotal >= 3 {
		b.improve(Finding{Kind: "late", Teams: team, Priority: PriorityLow,
			Text: fmt.Sprintf("%s answered %d expectations late: %s.", t.ID, lateTotal, strings.Join(lateParts, ", "))},
			"Timeliness", recommendation("late"))
	}
	if t.Rating == RatingM || t.Rating == RatingU {
		prio := PriorityMedium
		if t.Rating == RatingU {
			prio = PriorityHigh
		}
		b.improve(Finding{Kind: "team_score", Teams: team, Priority: prio,
			Text: fmt.Sprintf("%s earned only %s of the points available to it (%s of %s; %s).", t.ID, pct(t.Fraction), fmtPoints(t.Points), fmtPoints(t.MaxPoints), outcomeList(t.Outcomes))},
			"Overall performance", recommendation("team_score"))
	}
	for _, s := range t.Standing {
		if s.Better <= weakBaseline && (s.Metric == MetricScore || s.Metric.IsTime()) {
			b.improve(Finding{Kind: "baseline", Teams: team, Priority: PriorityLow,
				Text: fmt.Sprintf("%s %s than only %.0f%% of %d simulated runs.", t.ID, metricPhrase(s.Metric), s.Better, s.Runs)},
				"Performance against the simulated baseline", recommendation("baseline"))
		}
	}
}

// metricPhrase completes "co-csirt ___ than 80% of simulated runs".
func metricPhrase(m Metric) string {
	if m.IsTime() {
		return "answered " + actionNoun(scenarios.Action(strings.TrimPrefix(string(m), "time_to_"))) + " expectations faster"
	}
	return "scored better"
}

// actionNoun names an action as a noun: "containment", "information sharing".
func actionNoun(a scenarios.Action) string {
	switch a {
	case scenarios.ActionAcknowledge:
		return "acknowledgement"
	case scenarios.ActionClassify:
		return "classification"
	case scenarios.ActionContain:
		return "containment"
	case scenarios.ActionEscalate:
		return "escalation"
	case scenarios.ActionShare:
		return "information sharing"
	case scenarios.ActionRequestInfo:
		return "request for information"
	case scenarios.ActionPublish:
		return "public communication"
	case scenarios.ActionReport:
		return "situation reporting"
	}
	return "response"
}

func optClock(d *Duration) string {
	if d == nil {
		return "–"
	}
	return d.Clock()
}

// recommendations are the improvement plan's advice per kind of finding.
var recommendations = map[string]string{
	"share":        "Agree a \"share first\" rule for indicators of compromise: a duty officer pushes IoCs to the peers of the sharing network within the first 30 minutes, with pre-approved TLP markings.",
	"contain":      "Prepare containment playbooks (isolation, account disabling, blocking) with pre-authorised decisions, so containment can be recommended within the deadline.",
	"escalate":     "Document the escalation matrix (who, when, through which channel) for each incident type, keep the contacts current and rehearse it.",
	"classify":     "Adopt a common incident taxonomy and severity matrix (for example the Reference Incident Classification Taxonomy) and calibrate analysts with worked examples.",
	"acknowledge":  "Staff an intake rota that acknowledges every incoming report within the agreed time, including outside office hours.",
	"request_info": "Keep request-for-information templates ready and know which party holds which logs and evidence.",
	"publish":      "Pre-draft public advisories and holding statements and agree the approval steps with the authorities in advance.",
	"report":       "Use a situation-report template and a fixed reporting rhythm agreed with the national authority.",
	"tlp":          "Brief every analyst on FIRST TLP 2.0, add a TLP check to the sharing checklist and mark all shared material explicitly.",
	"wrong_peer":   "Keep the sharing network's membership and need-to-know at hand and confirm the recipients before sending.",
	"unanswered":   "Triage and acknowledge every incoming inject: assign an inbox duty officer and track open items on a shared board.",
	"late":         "Set internal time targets for each kind of response, well inside the deadlines, and track them on a shared board during incidents.",
	"team_score":   "Debrief the team on the expectations it missed, schedule targeted training and re-test in a follow-up exercise.",
	"baseline":     "Compare the team's procedures and staffing with the simulated profile and target the slowest steps.",
}

func recommendation(kind string) string {
	if r, ok := recommendations[kind]; ok {
		return r
	}
	return "Review the procedure behind this response and rehearse it."
}
