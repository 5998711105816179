package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// outcome maps the engine's outcome of an expectation to the report's: an
// expectation still open at the end of the exercise is "unanswered" (or
// "wrong" when only wrong answers came, "not_due" when the exercise ended
// early, at virtual time early (0: not early), before its deadline), and
// stays "open" in an interim report.
func outcome(x *engine.ExpectationState, ended bool, early time.Duration) Outcome {
	switch x.Outcome() {
	case engine.OutcomeMet:
		return OutcomeMet
	case engine.OutcomeLate:
		return OutcomeLate
	case engine.OutcomeWrong:
		return OutcomeWrong
	case engine.OutcomeMissed:
		return OutcomeMissed
	}
	switch {
	case !ended:
		return OutcomeOpen
	case x.Wrong > 0:
		return OutcomeWrong
	case early > 0 && x.Deadline > early:
		return OutcomeNotDue
	}
	return OutcomeUnanswered
}

// expectations fills Report.Expectations from the folded state. Points come
// from the expectation.met events (as folded by engine.State): nothing is
// recomputed.
func (b *builder) expectations() {
	ended := b.r.Exercise.Ended
	for i := range b.st.Expectations {
		x := &b.st.Expectations[i]
		obj, capability := b.objective(x.Inject, x.Expectation)
		row := ExpectationResult{
			Team: x.Team, Inject: x.Inject, Expectation: x.Expectation, Action: string(x.Action),
			Objective: obj, Capability: capability,
			Delivered: Duration(x.Opened), Deadline: Duration(x.Deadline),
			Outcome: outcome(x, ended, b.earlyEnd()), Points: x.Points, MaxPoints: x.MaxPoints, Wrong: x.Wrong,
			Consequences: b.conseq[x.Key()],
		}
		in := b.inst[x.Key()]
		judgedRow(&row, in)
		if in != nil {
			row.Answered = in.answered
			row.Latency = in.latency
			if row.Latency == nil && in.answered != nil {
				row.Latency = durPtr(in.answered.D() - x.Opened)
			}
		}
		switch row.Outcome {
		case OutcomeWrong:
			row.Reason = b.why(x.LastWrong)
		case OutcomeMissed:
			if in != nil {
				row.Reason = b.why(in.missReason)
			}
		case OutcomeLate, OutcomeMet:
			if x.Wrong > 0 {
				row.Reason = b.t("report.reason.met_after_wrong", "wrong", b.count("report.count.wrong_answers", x.Wrong), "reason", b.why(x.LastWrong))
			}
		case OutcomeUnanswered:
			row.Reason = b.t("report.reason.unanswered", "at", Duration(x.Deadline).TPlus())
		case OutcomeNotDue:
			row.Reason = b.t("report.aar.reason_not_due", "at", Duration(x.Deadline).TPlus())
		}
		b.r.Expectations = append(b.r.Expectations, row)
	}
}

// earlyEnd returns when the exercise ended, if it ended before its planned
// duration, else 0. Only then are expectations not yet due left out of the
// score: at a normal end they count as unanswered, as in the batch runs the
// baseline samples.
func (b *builder) earlyEnd() time.Duration {
	ex := &b.r.Exercise
	if !ex.Ended || ex.Planned <= 0 || ex.End >= ex.Planned {
		return 0
	}
	return ex.End.D()
}

// injectsAnswered counts, per inject, the receiving teams that acted on it.
func (b *builder) injectsAnswered() {
	for i := range b.r.Injects {
		in := &b.r.Injects[i]
		for _, d := range in.Deliveries {
			if b.acted[teamInject{d.Team, in.ID}] {
				in.Answered++
			}
		}
	}
}

// tally accumulates points and outcomes.
type tally struct {
	points, max float64
	outcomes    Outcomes
}

func (t *tally) add(e *ExpectationResult) {
	t.points += e.Points
	if e.Outcome != OutcomeNotDue {
		t.max += float64(e.MaxPoints)
	}
	t.outcomes.add(e.Outcome)
}

func (t *tally) fraction() float64 {
	if t.max <= 0 {
		return 0
	}
	return round4(t.points / t.max)
}

func (t *tally) line(id, label, capability string, th scenarios.RatingThresholds) ScoreLine {
	return ScoreLine{ID: id, Label: label, Capability: capability, Points: round2(t.points), MaxPoints: round2(t.max),
		Fraction: t.fraction(), Rating: Rate(t.points, t.max, th), Outcomes: t.outcomes}
}

// teamRows indexes, per team, the rows of the report that concern it, so
// that each team's scorecard and findings read only its own rows.
type teamRows struct {
	expectations []int // in Report.Expectations
	deliveries   []teamDelivery
}

// teamDelivery is one inject delivered to a team.
type teamDelivery struct {
	inject string
	at     Duration
}

// indexTeams fills b.rows from the expectations and deliveries.
func (b *builder) indexTeams() {
	b.rows = make(map[string]*teamRows, len(b.s.Teams))
	row := func(team string) *teamRows {
		r := b.rows[team]
		if r == nil {
			r = &teamRows{}
			b.rows[team] = r
		}
		return r
	}
	for i := range b.r.Expectations {
		r := row(b.r.Expectations[i].Team)
		r.expectations = append(r.expectations, i)
	}
	for _, in := range b.r.Injects {
		for _, d := range in.Deliveries {
			r := row(d.Team)
			r.deliveries = append(r.deliveries, teamDelivery{in.ID, d.At})
		}
	}
}

// teamExpectations calls fn for each expectation row of a team, in order.
func (b *builder) teamExpectations(team string, fn func(e *ExpectationResult)) {
	if r := b.rows[team]; r != nil {
		for _, i := range r.expectations {
			fn(&b.r.Expectations[i])
		}
	}
}

// teamDeliveries returns the injects delivered to a team.
func (b *builder) teamDeliveries(team string) []teamDelivery {
	if r := b.rows[team]; r != nil {
		return r.deliveries
	}
	return nil
}

// teams builds each team's scorecard.
func (b *builder) teams() {
	b.indexTeams()
	exerciseTh := b.s.RatingFor(nil)
	given, received := map[string][]Share{}, map[string][]Share{}
	for _, sh := range b.r.Shares {
		given[sh.From] = append(given[sh.From], sh)
		for j, to := range sh.To {
			if !slices.Contains(sh.To[:j], to) {
				received[to] = append(received[to], sh)
			}
		}
	}
	notes := map[string][]Note{}
	for _, n := range b.r.Notes {
		notes[n.Team] = append(notes[n.Team], n)
	}
	phases := map[string][]PhaseState{}
	for _, p := range b.phaseList {
		q := p
		q.Team = ""
		phases[p.Team] = append(phases[p.Team], q)
	}
	for _, t := range b.s.Teams {
		tr := TeamResult{ID: t.ID, Name: b.s.PartyName(t.ID, string(b.lang)), Country: t.Country, Sector: t.Sector,
			Mode: string(b.st.Modes[t.ID]), Human: b.human[t.ID], Actions: b.st.Actions[t.ID]}
		var all tally
		byObj := map[string]*tally{}
		byCap := map[string]*tally{}
		times := map[string][]time.Duration{}
		notMet := map[string]int{}
		b.teamExpectations(t.ID, func(e *ExpectationResult) {
			all.add(e)
			countProvisional(&tr, e)
			get(byObj, e.Objective).add(e)
			get(byCap, e.Capability).add(e)
			if (e.Outcome == OutcomeMet || e.Outcome == OutcomeLate) && e.Latency != nil {
				times[e.Action] = append(times[e.Action], e.Latency.D())
			} else {
				notMet[e.Action]++
			}
		})
		tr.Points, tr.MaxPoints, tr.Fraction = round2(all.points), round2(all.max), all.fraction()
		tr.Rating, tr.Outcomes = Rate(all.points, all.max, exerciseTh), all.outcomes
		for _, o := range b.s.Exercise.Objectives {
			if tl := byObj[o.ID]; tl != nil {
				tr.Objectives = append(tr.Objectives, tl.line(o.ID, o.TextIn(string(b.lang)), string(o.Capability), b.s.RatingFor(&o)))
			}
		}
		for _, c := range scenarios.Capabilities.Values() {
			if tl := byCap[c]; tl != nil {
				tr.Capabilities = append(tr.Capabilities, tl.line(c, b.capability(c), "", b.capabilityRating(c, byObj)))
			}
		}
		tr.Times = timeStats(times, notMet)
		for _, d := range b.teamDeliveries(t.ID) {
			tr.Delivered++
			if !b.acted[teamInject{t.ID, d.inject}] {
				tr.Unanswered = append(tr.Unanswered, d.inject)
			}
		}
		tr.Given, tr.Received = given[t.ID], received[t.ID]
		tr.Incidents, tr.Notes = phases[t.ID], notes[t.ID]
		if b.human[t.ID] {
			b.r.Exercise.Humans = append(b.r.Exercise.Humans, t.ID)
		}
		b.r.Teams = append(b.r.Teams, tr)
	}
}

// timedActions are the actions whose response times a scorecard shows, in
// the order of incident handling.
var timedActions = []scenarios.Action{
	scenarios.ActionAcknowledge, scenarios.ActionClassify, scenarios.ActionContain,
	scenarios.ActionEscalate, scenarios.ActionShare,
}

func timeStats(times map[string][]time.Duration, notMet map[string]int) []TimeStat {
	actions := slices.Clone(timedActions)
	var extra []scenarios.Action
	for a := range times {
		if !slices.Contains(actions, scenarios.Action(a)) {
			extra = append(extra, scenarios.Action(a))
		}
	}
	for a := range notMet {
		if !slices.Contains(actions, scenarios.Action(a)) && !slices.Contains(extra, scenarios.Action(a)) {
			extra = append(extra, scenarios.Action(a))
		}
	}
	slices.Sort(extra)
	var out []TimeStat
	for _, a := range append(actions, extra...) {
		ts := times[string(a)]
		if len(ts) == 0 && notMet[string(a)] == 0 {
			continue
		}
		st := TimeStat{Action: string(a), Met: len(ts), NotMet: notMet[string(a)]}
		if len(ts) > 0 {
			slices.Sort(ts)
			st.Median, st.Worst = durPtr(upperMedian(ts)), durPtr(ts[len(ts)-1])
		}
		out = append(out, st)
	}
	return out
}

// upperMedian returns the middle of sorted values, the upper middle for an
// even count: the definition the batch baseline uses.
func upperMedian(sorted []time.Duration) time.Duration { return sorted[len(sorted)/2] }

// objectives rates each objective, across teams and per team.
func (b *builder) objectives() {
	for _, o := range b.s.Exercise.Objectives {
		th := b.s.RatingFor(&o)
		var all tally
		perTeam := map[string]*tally{}
		for i := range b.r.Expectations {
			e := &b.r.Expectations[i]
			if e.Objective != o.ID {
				continue
			}
			all.add(e)
			get(perTeam, e.Team).add(e)
		}
		res := ObjectiveResult{
			ScoreLine:  all.line(o.ID, o.TextIn(string(b.lang)), string(o.Capability), th),
			Thresholds: Thresholds{P: th.P, S: th.S, M: th.M},
		}
		for _, t := range b.s.Teams {
			tl := perTeam[t.ID]
			if tl == nil {
				continue
			}
			res.Teams = append(res.Teams, TeamRating{Team: t.ID, Points: round2(tl.points), MaxPoints: round2(tl.max),
				Fraction: tl.fraction(), Rating: Rate(tl.points, tl.max, th), Outcomes: tl.outcomes})
		}
		short := slices.Clone(res.Teams)
		short = slices.DeleteFunc(short, func(tr TeamRating) bool { return tr.Rating == RatingP || tr.Rating == RatingNone })
		slices.SortStableFunc(short, func(a, c TeamRating) int { return cmp.Compare(a.Fraction, c.Fraction) })
		for _, tr := range short {
			res.FellShort = append(res.FellShort, tr.Team)
		}
		res.Evidence = b.objectiveEvidence(&res, short)
		for _, n := range b.r.Notes {
			if n.Objective == o.ID {
				res.Notes = append(res.Notes, n)
			}
		}
		b.r.Objectives = append(b.r.Objectives, res)
	}
}

// objectiveEvidence says in a sentence or two what produced an objective's
// rating.
func (l loc) objectiveEvidence(o *ObjectiveResult, short []TeamRating) string {
	if o.MaxPoints == 0 {
		return l.t("report.evidence.none")
	}
	s := l.t("report.evidence.points", "points", l.points(o.Points), "max", l.points(o.MaxPoints), "percent", l.pct(o.Fraction), "outcomes", l.outcomes(o.Outcomes))
	if len(short) == 0 {
		return s + " " + l.t("report.evidence.all_performed")
	}
	var parts []string
	for _, t := range short {
		parts = append(parts, l.t("report.evidence.short_item", "team", l.party(t.Team), "percent", l.pct(t.Fraction), "rating", string(t.Rating)))
	}
	return s + " " + l.t("report.evidence.fell_short", "list", l.join(parts))
}

// capabilities totals points by capability over the whole exercise.
func (b *builder) capabilities() {
	byCap, byObj := map[string]*tally{}, map[string]*tally{}
	for i := range b.r.Expectations {
		get(byCap, b.r.Expectations[i].Capability).add(&b.r.Expectations[i])
		get(byObj, b.r.Expectations[i].Objective).add(&b.r.Expectations[i])
	}
	for _, c := range scenarios.Capabilities.Values() {
		if tl := byCap[c]; tl != nil {
			b.r.Capabilities = append(b.r.Capabilities, tl.line(c, b.capability(c), "", b.capabilityRating(c, byObj)))
		}
	}
}

// capabilityRating returns the thresholds that rate a capability: those
// of its objectives that scored (byObj, by objective id) when they all rate
// alike, so that a capability scored by one objective (or several sharing
// thresholds) is rated as they are and the report never gives the same
// points two ratings; else the exercise's.
func (b *builder) capabilityRating(c string, byObj map[string]*tally) scenarios.RatingThresholds {
	var th *scenarios.RatingThresholds
	for i := range b.s.Exercise.Objectives {
		o := &b.s.Exercise.Objectives[i]
		if string(o.Capability) != c || byObj[o.ID] == nil {
			continue
		}
		if r := b.s.RatingFor(o); th == nil {
			th = &r
		} else if th.P != r.P || th.S != r.S || th.M != r.M {
			return b.s.RatingFor(nil)
		}
	}
	if th == nil {
		return b.s.RatingFor(nil)
	}
	return *th
}

// summary fills the exercise-wide results.
func (b *builder) summary() {
	var all tally
	for i := range b.r.Expectations {
		all.add(&b.r.Expectations[i])
	}
	sm := &b.r.Summary
	sm.Points, sm.MaxPoints, sm.Fraction = round2(all.points), round2(all.max), all.fraction()
	sm.Rating, sm.Outcomes = Rate(all.points, all.max, b.s.RatingFor(nil)), all.outcomes
	sm.Teams, sm.Injects, sm.Actions = len(b.s.Teams), len(b.r.Injects), b.actions
	for _, in := range b.r.Injects {
		sm.Deliveries += len(in.Deliveries)
	}
	sm.Spreads, sm.Notes, sm.TLPViolations = len(b.spreads), b.notes, b.tlpViolations
	for _, n := range b.shares {
		sm.Shares += n
	}
	b.r.SharesOmitted, b.r.NotesOmitted = b.sharesOmitted, b.notes-len(b.r.Notes)
	sm.Text = b.summaryText()
}

func get(m map[string]*tally, k string) *tally {
	t := m[k]
	if t == nil {
		t = &tally{}
		m[k] = t
	}
	return t
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// fmtPoints formats points without trailing zeros.
func fmtPoints(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// capabilityLabel turns "information_sharing" into "Information sharing".
func capabilityLabel(c string) string {
	if c == "" {
		return "(none)"
	}
	s := strings.ReplaceAll(c, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// summaryText is the summary's one-paragraph narrative.
func (b *builder) summaryText() string {
	sm, x := &b.r.Summary, &b.r.Exercise
	var parts []string
	key := "report.summary.played"
	if len(x.Humans) > 0 {
		key = "report.summary.played_humans"
	}
	played := b.t(key, "count", sm.Teams, "title", x.Title, "humans", b.join(x.Humans), "played", x.End.Clock(), "planned", x.Planned.Clock())
	if !x.Ended {
		played = b.t("report.summary.interim", "text", played)
	}
	parts = append(parts, played+".")
	parts = append(parts, b.t("report.summary.activity", "injects", b.count("report.count.injects", sm.Injects),
		"deliveries", b.count("report.count.deliveries", sm.Deliveries), "actions", b.count("report.count.actions", sm.Actions), "shares", sm.Shares))
	if sm.MaxPoints > 0 {
		parts = append(parts, b.t("report.summary.points", "points", b.points(sm.Points), "max", b.points(sm.MaxPoints), "percent", b.pct(sm.Fraction),
			"rating", string(sm.Rating), "meaning", strings.ToLower(b.ratingLabel(sm.Rating)), "outcomes", b.outcomes(sm.Outcomes)))
	}
	if sm.Spreads == 0 {
		parts = append(parts, b.t("report.summary.no_spread"))
	} else {
		parts = append(parts, b.t("report.summary.spreads", "times", b.count("report.count.times", sm.Spreads)))
	}
	if sm.TLPViolations > 0 {
		parts = append(parts, b.t("report.summary.tlp_violations", "shares", b.count("report.count.shares", sm.TLPViolations)))
	}
	return strings.Join(parts, " ")
}
