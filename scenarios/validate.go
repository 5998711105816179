package scenarios

import (
	"cmesim/countries"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones must resolve in minimal containers too
)

// idPattern is what every id in a scenario must look like: no dots (they
// separate "INJECT.EXPECTATION"), no spaces, no leading punctuation.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

var langPattern = regexp.MustCompile(`^[a-z]{2}$`)

// variablePattern finds {{ name }} variables in inject bodies.
var variablePattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Variables lists the names an inject body may use as {{name}}.
var Variables = []string{"team.id", "team.name", "team.country", "team.sector", "exercise.id", "exercise.title", "incident.id", "incident.title"}

// validator checks one decoded scenario. It reports every problem and never
// stops at the first.
type validator struct {
	s *Scenario
	*problemList
	parties    map[string]string // team, actor and group ids → kind
	injects    map[string]*Inject
	objectives map[string]*Objective
	spreads    map[string]*Spread
	scored     map[string]bool
	// usedAsConsequence marks injects that a consequence or spread delivers.
	usedAsConsequence map[string]bool
	usedSpreads       map[string]bool
}

func validate(s *Scenario, l *problemList) {
	v := &validator{
		s: s, problemList: l,
		parties: map[string]string{}, injects: map[string]*Inject{}, objectives: map[string]*Objective{},
		spreads: map[string]*Spread{}, scored: map[string]bool{}, usedAsConsequence: map[string]bool{},
		usedSpreads: map[string]bool{},
	}
	v.header()
	v.taxonomies()
	v.collectIDs()
	v.teams()
	v.replies()
	v.groupsAndNetwork()
	v.incidents()
	for i := range s.Injects {
		v.inject(&s.Injects[i])
	}
	v.consequenceTargets()
	v.criticalTasks()
	v.languages()
	v.timing()
	v.hotWash()
	v.tags()
	v.decisions()
	for _, o := range s.Exercise.Objectives {
		if o.ID != "" && !v.scored[o.ID] {
			v.warnf(o.Pos.Field("id"), "objective %q is never scored: no expectation names it", o.ID)
		}
	}
}

func (v *validator) header() {
	s := v.s
	switch {
	case !s.Pos.Has("format"):
		v.errorf(s.Pos, "missing \"format: %s\" at the top of the file", FormatV1)
	case s.Format != FormatV1:
		v.errorf(s.Pos.Field("format"), "unsupported format %q; this version reads %q", s.Format, FormatV1)
	}
	e := &s.Exercise
	if !s.Pos.Has("exercise") {
		v.errorf(s.Pos, "missing the exercise section")
		return
	}
	v.requireID(e.Pos, "id", e.ID, "exercise")
	if strings.TrimSpace(e.Title) == "" && !e.Pos.Has("title") {
		v.errorf(e.Pos.Field("title"), "exercise needs a title")
	}
	if e.Duration <= 0 && !v.reported(e.Pos.Field("duration")) {
		v.errorf(e.Pos.Field("duration"), "exercise needs a planned duration greater than zero, such as \"4h\"")
	} else if e.Duration.D() > 14*24*time.Hour {
		v.errorf(e.Pos.Field("duration"), "duration %s is longer than the 14-day limit", e.Duration)
	}
	if e.Language != "" && !langPattern.MatchString(e.Language) {
		v.errorf(e.Pos.Field("language"), "language %q must be a two-letter ISO 639-1 code such as en, es, pt or fr", e.Language)
	}
	for i, lang := range e.Languages {
		if !langPattern.MatchString(lang) {
			v.errorf(e.Pos.Item("languages", i), "language %q must be a two-letter ISO 639-1 code such as en, es, pt or fr", lang)
		}
	}
	if e.LateFactor() < 1 {
		v.errorf(e.Scoring.Pos.Field("late_factor"), "late_factor must be at least 1 (the multiple of the deadline at which late points reach zero)")
	}
	v.rating(e.Scoring.Rating)
	if len(e.Objectives) == 0 {
		v.warnf(e.Pos, "exercise has no objectives; the after-action report rates objectives")
	}
	for i := range e.Objectives {
		o := &e.Objectives[i]
		v.requireID(o.Pos, "id", o.ID, "objective")
		if prev, dup := v.objectives[o.ID]; dup && o.ID != "" {
			v.errorf(o.Pos.Field("id"), "duplicate objective id %q (first defined at %s)", o.ID, prev.Pos.Field("id"))
		} else {
			v.objectives[o.ID] = o
		}
		if strings.TrimSpace(o.Text) == "" {
			v.errorf(o.Pos.Field("text"), "objective %q needs a text", o.ID)
		}
		if o.Capability == "" {
			v.errorf(o.Pos, "objective %q needs a capability (one of %s)", o.ID, strings.Join(Capabilities.values, ", "))
		}
		v.rating(o.Rating)
	}
}

// LateFactor returns the configured late factor or the default.
func (e *Exercise) LateFactor() float64 {
	if e.Scoring.Pos.Has("late_factor") {
		return e.Scoring.LateFactor
	}
	return DefaultLateFactor
}

func (v *validator) rating(r *RatingThresholds) {
	if r == nil {
		return
	}
	for _, f := range []struct {
		name string
		val  float64
	}{{"p", r.P}, {"s", r.S}, {"m", r.M}} {
		if f.val < 0 || f.val > 1 {
			v.errorf(r.Pos.Field(f.name), "rating threshold %s must be between 0 and 1, got %g", f.name, f.val)
		}
	}
	eff := *r
	defaultRating(&eff, DefaultRating)
	if !(eff.P >= eff.S && eff.S >= eff.M) {
		v.errorf(r.Pos, "rating thresholds must satisfy p ≥ s ≥ m (got p=%g s=%g m=%g; unset ones take the defaults)", eff.P, eff.S, eff.M)
	}
}

// reported reports whether an error was already recorded at p (say, by the
// decoder), so a check does not repeat it in other words.
func (v *validator) reported(p Pos) bool {
	for _, q := range v.problems {
		if q.Level == LevelError && q.Pos.Line == p.Line && q.Pos.Col == p.Col && p.Line > 0 {
			return true
		}
	}
	return false
}

func (v *validator) requireID(p Pos, field, id, what string) bool {
	switch {
	case id == "":
		v.errorf(p, "%s needs an %s", what, field)
		return false
	case !idPattern.MatchString(id):
		v.errorf(p.Field(field), "%s id %q may hold only letters, digits, '_' and '-' (at most 64, starting with a letter or digit)", what, id)
		return false
	}
	return true
}

// collectIDs registers every team, actor, group, inject and spread id,
// reporting duplicates, so later checks can resolve references in any order.
func (v *validator) collectIDs() {
	first := map[string]Pos{}
	party := func(p Pos, id, kind string) {
		if !v.requireID(p, "id", id, kind) {
			return
		}
		if prev, dup := first[id]; dup {
			v.errorf(p.Field("id"), "duplicate id %q: already used by a %s at %s (teams, actors and groups share one namespace)", id, v.parties[id], prev)
			return
		}
		first[id] = p.Field("id")
		v.parties[id] = kind
	}
	for _, t := range v.s.Teams {
		party(t.Pos, t.ID, "team")
	}
	for _, a := range v.s.Actors {
		party(a.Pos, a.ID, "actor")
	}
	for _, g := range v.s.Groups {
		party(g.Pos, g.ID, "group")
	}
	for i := range v.s.Injects {
		in := &v.s.Injects[i]
		if !v.requireID(in.Pos, "id", in.ID, "inject") {
			continue
		}
		if prev, dup := v.injects[in.ID]; dup {
			v.errorf(in.Pos.Field("id"), "duplicate inject id %q (first defined at %s)", in.ID, prev.Pos.Field("id"))
			continue
		}
		v.injects[in.ID] = in
	}
	incidents := map[string]Pos{}
	for i := range v.s.Incidents {
		inc := &v.s.Incidents[i]
		if v.requireID(inc.Pos, "id", inc.ID, "incident") {
			if prev, dup := incidents[inc.ID]; dup {
				v.errorf(inc.Pos.Field("id"), "duplicate incident id %q (first defined at %s)", inc.ID, prev)
			}
			incidents[inc.ID] = inc.Pos.Field("id")
		}
		for j := range inc.Spread {
			sp := &inc.Spread[j]
			if !v.requireID(sp.Pos, "id", sp.ID, "spread") {
				continue
			}
			if prev, dup := v.spreads[sp.ID]; dup {
				v.errorf(sp.Pos.Field("id"), "duplicate spread id %q (first defined at %s)", sp.ID, prev.Pos.Field("id"))
				continue
			}
			v.spreads[sp.ID] = sp
		}
	}
	if len(v.s.Teams) == 0 {
		v.errorf(v.s.Pos, "scenario has no teams")
	}
	if len(v.s.Injects) == 0 {
		v.errorf(v.s.Pos, "scenario has no injects")
	}
}

func (v *validator) names(kinds ...string) []string {
	var out []string
	for id, k := range v.parties {
		if slices.Contains(kinds, k) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// refTeam checks that id names a team.
func (v *validator) refTeam(p Pos, id, what string) {
	if v.s.Pos.Has("teams") && len(v.s.Teams) == 0 {
		return // the teams section itself is broken and was reported
	}
	switch k := v.parties[id]; {
	case id == "":
		v.errorf(p, "%s needs a team", what)
	case k == "team":
	case k != "":
		v.errorf(p, "%s %q is a %s, not a team", what, id, k)
	default:
		v.errorf(p, "%s", didYouMean(fmt.Sprintf("%s names unknown team %q", what, id), id, v.names("team")))
	}
}

// refTeamOrGroup checks one entry of a list of teams ("ID" or "group:ID").
func (v *validator) refTeamOrGroup(p Pos, name, what string) {
	if g, ok := strings.CutPrefix(name, GroupPrefix); ok {
		if v.parties[g] != "group" {
			v.errorf(p, "%s", didYouMean(fmt.Sprintf("%s names unknown group %q", what, g), g, v.names("group")))
		}
		return
	}
	if v.parties[name] == "group" {
		v.errorf(p, "%s %q is a group; write \"group:%s\"", what, name, name)
		return
	}
	v.refTeam(p, name, what)
}

func (v *validator) teams() {
	for _, t := range v.s.Teams {
		if strings.TrimSpace(t.Name) == "" {
			v.errorf(t.Pos, "team %q needs a name", t.ID)
		}
		v.country(t.Pos.Field("country"), t.Country, "team "+t.ID, true)
		v.teamCountry(&t)
		switch {
		case t.TimeZone == "" && countries.IsMember(t.Country):
			// inherited from the country (see applyCountryDefaults)
		case t.TimeZone == "":
			v.errorf(t.Pos, "team %q needs a timezone (an IANA name such as America/Bogota)", t.ID)
		default:
			if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "Local" {
				v.errorf(t.Pos.Field("timezone"), "unknown time zone %q; use an IANA name such as America/Bogota", t.TimeZone)
			}
		}
		v.profile(&t.Profile, t.ID)
	}
	for _, a := range v.s.Actors {
		if strings.TrimSpace(a.Name) == "" {
			v.errorf(a.Pos, "actor %q needs a name", a.ID)
		}
		if a.Kind == "" {
			v.errorf(a.Pos, "actor %q needs a kind (one of %s)", a.ID, strings.Join(ActorKinds.values, ", "))
		}
		v.country(a.Pos.Field("country"), a.Country, "actor "+a.ID, false)
	}
}

func (v *validator) country(p Pos, code, what string, required bool) {
	switch {
	case code == "" && required:
		v.errorf(p, "%s needs a country (ISO 3166-1 alpha-2 code such as CO)", what)
	case code == "":
	case !isCountry(code):
		v.errorf(p, "%s: %q is not an ISO 3166-1 alpha-2 country code (such as CO, BR, US)", what, code)
	}
}

func (v *validator) profile(p *Profile, team string) {
	if p.Analysts < 0 || p.Analysts > 1000 {
		v.errorf(p.Pos.Field("analysts"), "team %q: analysts must be between 1 and 1000, got %d", team, p.Analysts)
	}
	if p.Skill < 0 || p.Skill > 1 {
		v.errorf(p.Pos.Field("skill"), "team %q: skill must be between 0 and 1, got %g", team, p.Skill)
	}
	seen := map[Action]bool{}
	for _, r := range p.Response {
		if r.Action == "" {
			v.errorf(r.Pos, "team %q: response timing needs an action", team)
		} else if seen[r.Action] {
			v.errorf(r.Pos.Field("action"), "team %q: response timing for %s is given twice", team, r.Action)
		}
		seen[r.Action] = true
		if r.Median <= 0 {
			v.errorf(r.Pos.Field("median"), "team %q: median response time for %s must be greater than zero", team, r.Action)
		}
		if r.Spread < 0 || r.Spread > 3 {
			v.errorf(r.Pos.Field("spread"), "team %q: spread must be between 0 and 3 (sigma of a log-normal), got %g", team, r.Spread)
		}
	}
	if w := p.WorkingHours; w != nil {
		if w.Start == w.End {
			v.errorf(w.Pos, "team %q: working hours start and end at the same time", team)
		}
		if w.Pos.Has("off_hours_factor") && w.OffHoursFactor < 1 {
			v.errorf(w.Pos.Field("off_hours_factor"), "team %q: off_hours_factor must be at least 1, got %g", team, w.OffHoursFactor)
		}
	}
}

func (v *validator) groupsAndNetwork() {
	for _, g := range v.s.Groups {
		if len(g.Members) == 0 {
			v.errorf(g.Pos, "group %q has no members", g.ID)
		}
		for i, m := range g.Members {
			v.refTeam(g.Pos.Item("members", i), m, "group "+g.ID+" member")
		}
	}
	for _, l := range v.s.Network.Links {
		for i, m := range l.Between {
			v.refTeamOrGroup(l.Pos.Item("between", i), m, "network link")
		}
		if len(v.s.Members(l.Between, "")) < 2 {
			v.errorf(l.Pos, "network link joins fewer than two teams")
		}
		if len(l.TLP) == 0 {
			v.errorf(l.Pos, "network link needs the tlp levels it allows")
		}
	}
}

func (v *validator) incidents() {
	for _, inc := range v.s.Incidents {
		if strings.TrimSpace(inc.Title) == "" {
			v.errorf(inc.Pos, "incident %q needs a title", inc.ID)
		}
		if inc.Origin != "" {
			v.refTeam(inc.Pos.Field("origin"), inc.Origin, "incident origin")
		}
		for _, sp := range inc.Spread {
			v.refTeam(sp.Pos.Field("to"), sp.To, "spread "+sp.ID)
			if sp.Inject != "" {
				v.refInject(sp.Pos.Field("inject"), sp.Inject, "spread "+sp.ID)
				v.usedAsConsequence[sp.Inject] = true
			}
			if sp.When != nil {
				v.trigger(sp.When, "spread "+sp.ID)
			}
		}
	}
}

func (v *validator) refInject(p Pos, id, what string) bool {
	if _, ok := v.injects[id]; ok {
		return true
	}
	ids := make([]string, 0, len(v.injects))
	for k := range v.injects {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	v.errorf(p, "%s", didYouMean(fmt.Sprintf("%s names unknown inject %q", what, id), id, ids))
	return false
}

// refExpectation checks an "INJECT.EXPECTATION" reference.
func (v *validator) refExpectation(p Pos, ref, what string) {
	injectID, expID, ok := strings.Cut(ref, ".")
	if !ok {
		v.errorf(p, "%s must name an expectation as INJECT.EXPECTATION, got %q", what, ref)
		return
	}
	if !v.refInject(p, injectID, what) {
		return
	}
	var ids []string
	for _, e := range v.injects[injectID].Expectations {
		if e.ID == expID {
			return
		}
		ids = append(ids, e.ID)
	}
	v.errorf(p, "%s", didYouMean(fmt.Sprintf("%s names unknown expectation %q of inject %s", what, expID, injectID), expID, ids))
}

func (v *validator) trigger(t *Trigger, what string) {
	kinds := 0
	if t.After != "" {
		kinds++
		v.refInject(t.Pos.Field("after"), t.After, what+" trigger")
	}
	if t.OnAction != nil {
		kinds++
		m := t.OnAction
		if m.Action == "" {
			v.errorf(m.Pos, "%s trigger on_action needs an action", what)
		}
		if m.Inject != "" {
			v.refInject(m.Pos.Field("inject"), m.Inject, what+" trigger")
		}
		if m.Team != "" {
			v.refTeamOrGroup(m.Pos.Field("team"), m.Team, what+" trigger")
		}
	}
	if t.OnMiss != "" {
		kinds++
		v.refExpectation(t.Pos.Field("on_miss"), t.OnMiss, what+" trigger")
	}
	if t.OnChoice != "" {
		kinds++
		v.refChoice(t.Pos.Field("on_choice"), t.OnChoice, what+" trigger")
	}
	if t.Release != "" {
		kinds++
		if t.Release != "facilitator" {
			v.errorf(t.Pos.Field("release"), "%s: release must be \"facilitator\", got %q", what, t.Release)
		}
	}
	if kinds != 1 {
		v.errorf(t.Pos, "%s trigger needs exactly one of after, on_action, on_miss, on_choice, release (found %d)", what, kinds)
	}
}

func (v *validator) inject(in *Inject) {
	what := "inject " + in.ID
	if strings.TrimSpace(in.Title) == "" {
		v.errorf(in.Pos, "%s needs a title", what)
	}
	if in.At != nil && in.Trigger != nil {
		v.errorf(in.Pos.Field("trigger"), "%s has both at and trigger; keep one", what)
	}
	if in.Trigger != nil {
		v.trigger(in.Trigger, what)
	}
	v.wallPost(in, what)
	if in.Incident != "" {
		if _, ok := v.s.Incident(in.Incident); !ok {
			v.errorf(in.Pos.Field("incident"), "%s names unknown incident %q", what, in.Incident)
		}
	}
	if in.Channel == "" && !in.Pos.Has("channel") {
		v.errorf(in.Pos, "%s needs a channel (one of %s)", what, strings.Join(Channels.values, ", "))
	}
	switch k := v.parties[in.From]; {
	case in.From == "":
		v.errorf(in.Pos, "%s needs a sender (from: an actor or team id)", what)
	case k == "team" || k == "actor":
	case k == "group":
		v.errorf(in.Pos.Field("from"), "%s: sender %q is a group; name an actor or a team", what, in.From)
	default:
		v.errorf(in.Pos.Field("from"), "%s", didYouMean(fmt.Sprintf("%s: unknown sender %q; declare it under actors", what, in.From), in.From, v.names("team", "actor")))
	}
	if len(in.To) == 0 {
		v.errorf(in.Pos, "%s needs recipients (to: team ids, group:ID, all or $team)", what)
	}
	for i, to := range in.To {
		switch to {
		case ToAll, ToTriggeringTeam:
		default:
			v.refTeamOrGroup(in.Pos.Item("to", i), to, what+" recipient")
		}
	}
	if strings.TrimSpace(in.Body) == "" {
		v.errorf(in.Pos, "%s needs a body", what)
	}
	v.variables(in.Pos.Field("body"), in.Body, what)
	langs := slices.Clone(v.s.Exercise.Languages)
	for _, lang := range slices.Sorted(maps.Keys(in.Translations)) {
		tr := in.Translations[lang]
		p := in.Pos.Field("translations")
		if !langPattern.MatchString(lang) {
			v.errorf(p, "%s: translation key %q must be a two-letter language code", what, lang)
		} else if len(langs) > 0 && !slices.Contains(langs, lang) {
			v.warnf(p, "%s: translation %q is not among the exercise's languages (%s)", what, lang, strings.Join(langs, ", "))
		}
		if strings.TrimSpace(tr.Body) == "" {
			v.errorf(tr.Pos, "%s: translation %q needs a body", what, lang)
		}
		v.variables(tr.Pos.Field("body"), tr.Body, what)
	}
	for _, a := range in.Attachments {
		if strings.TrimSpace(a.Name) == "" {
			v.errorf(a.Pos, "%s: attachment needs a name", what)
		}
		v.attachmentSource(a, what)
	}
	seen := map[string]Pos{}
	for i := range in.Expectations {
		e := &in.Expectations[i]
		if v.requireID(e.Pos, "id", e.ID, what+" expectation") {
			if prev, dup := seen[e.ID]; dup {
				v.errorf(e.Pos.Field("id"), "%s: duplicate expectation id %q (first at %s)", what, e.ID, prev)
			}
			seen[e.ID] = e.Pos.Field("id")
		}
		v.expectation(in, e)
	}
}

// variables checks {{...}} variables in a body; p is where the body starts.
func (v *validator) variables(p Pos, body, what string) {
	if onlyKnownVariables(body) {
		return
	}
	for _, m := range variablePattern.FindAllStringSubmatchIndex(body, -1) {
		name := body[m[2]:m[3]]
		if slices.Contains(Variables, name) {
			continue
		}
		// YAML strips the indentation of block scalars, so an offset within
		// a body line maps to the same offset from the text's first column.
		at := p
		lineStart := strings.LastIndexByte(body[:m[0]], '\n') + 1
		at.Line += strings.Count(body[:m[0]], "\n")
		at.Col += m[0] - lineStart
		v.errorf(at, "%s", didYouMean(fmt.Sprintf("%s: unknown variable {{%s}}", what, name), name, Variables)+knownVariablesHint(name))
	}
}

// onlyKnownVariables reports whether every "{{" in body starts a known
// variable written without spaces, "{{team.name}}": then variablePattern
// finds nothing to report, and the regular expression need not run.
func onlyKnownVariables(body string) bool {
	for rest := body; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return true
		}
		name, _, ok := strings.Cut(rest[i+2:], "}}")
		if !ok || !slices.Contains(Variables, name) {
			return false
		}
		rest = rest[i+1:]
	}
}

func knownVariablesHint(name string) string {
	if closest(name, Variables) != "" {
		return ""
	}
	return "; known variables: " + strings.Join(Variables, ", ")
}

func (v *validator) expectation(in *Inject, e *Expectation) {
	what := fmt.Sprintf("inject %s expectation %s", in.ID, e.ID)
	if e.Action == "" {
		v.errorf(e.Pos, "%s needs an action (one of %s)", what, strings.Join(Actions.values, ", "))
	}
	if e.Within <= 0 {
		v.errorf(e.Pos.Field("within"), "%s needs a deadline (within) greater than zero", what)
	} else if d := v.s.Exercise.Duration; d > 0 && e.Within > d {
		v.errorf(e.Pos.Field("within"), "%s: deadline %s is longer than the exercise (%s)", what, e.Within, d)
	}
	if e.Points < 0 {
		v.errorf(e.Pos.Field("points"), "%s: points must not be negative", what)
	}
	switch {
	case e.Objective == "":
		v.errorf(e.Pos, "%s needs an objective", what)
	case v.objectives[e.Objective] == nil:
		ids := slices.Sorted(maps.Keys(v.objectives))
		v.errorf(e.Pos.Field("objective"), "%s", didYouMean(fmt.Sprintf("%s names unknown objective %q", what, e.Objective), e.Objective, ids))
	default:
		v.scored[e.Objective] = true
	}
	switch e.Action {
	case ActionClassify:
		if e.Category == "" || e.Severity == "" {
			v.errorf(e.Pos, "%s: classify needs the expected category and severity", what)
		}
		v.classifyCategory(e, what)
	case ActionEscalate:
		switch k := v.parties[e.To]; {
		case e.To == "":
			v.errorf(e.Pos, "%s: escalate needs to (the actor to escalate to)", what)
		case k == "actor":
		default:
			v.errorf(e.Pos.Field("to"), "%s", didYouMean(fmt.Sprintf("%s: escalate to unknown actor %q", what, e.To), e.To, v.names("actor")))
		}
	case ActionShare:
		v.shareExpectation(in, e, what)
	case ActionReply:
		v.replyExpectation(in, e, what)
	}
	v.expectationTexts(in, e, what)
	v.judgedExpectation(e, what)
	if e.Action != ActionShare && (len(e.With) > 0 || e.TLP != "") {
		v.errorf(e.Pos.Field("with"), "%s: with and tlp apply to share expectations only", what)
	}
	if c := e.OnMiss; c != nil {
		if c.Inject == "" && c.Spread == "" {
			v.errorf(c.Pos, "%s: on_miss needs an inject or a spread", what)
		}
		if c.Inject != "" && v.refInject(c.Pos.Field("inject"), c.Inject, what+" on_miss") {
			v.usedAsConsequence[c.Inject] = true
		}
		if c.Spread != "" {
			if _, ok := v.spreads[c.Spread]; !ok {
				v.errorf(c.Pos.Field("spread"), "%s", didYouMean(fmt.Sprintf("%s: on_miss names unknown spread %q", what, c.Spread), c.Spread, slices.Sorted(maps.Keys(v.spreads))))
			}
			v.usedSpreads[c.Spread] = true
		}
	}
}

func (v *validator) shareExpectation(in *Inject, e *Expectation, what string) {
	if len(e.With) == 0 {
		v.errorf(e.Pos, "%s: share needs with (the peers to share with)", what)
	}
	if e.TLP == "" {
		v.errorf(e.Pos, "%s: share needs the tlp the information must carry", what)
	}
	for i, w := range e.With {
		v.refTeamOrGroup(e.Pos.Item("with", i), w, what+" peer")
	}
	if e.TLP == "" {
		return
	}
	injectTLP := in.TLP
	if injectTLP == "" {
		injectTLP = v.s.Exercise.TLPDefault
	}
	if injectTLP == "" {
		injectTLP = TLPAmber
	}
	if e.TLP.Rank() < injectTLP.Rank() {
		v.errorf(e.Pos.Field("tlp"), "%s: asks for a share at TLP:%s, more open than the inject's own TLP:%s; a team sharing so would commit a TLP violation", what, strings.ToUpper(string(e.TLP)), strings.ToUpper(string(injectTLP)))
		return
	}
	receivers := v.s.memberSet(in.To, "")
	if slices.Contains(in.To, ToTriggeringTeam) {
		receivers = v.s.memberSet([]string{ToAll}, "")
	}
	peers := v.s.memberSet(e.With, "")
	reach := newTeamSet(len(v.s.Teams))
	failed := false
	receivers.each(func(from int) {
		if failed {
			return
		}
		// One pass over the receiver's links, then one word operation per
		// 64 peers: the check costs O(teams) per receiver, not O(teams²).
		v.s.reachableAt(from, e.TLP, reach)
		if to := peers.firstNotIn(reach, from); to >= 0 {
			failed = true
			v.shareDenied(e, what, v.s.Teams[from].ID, v.s.Teams[to].ID)
		}
	})
}

// shareDenied reports why a share expectation asks team from to share with
// team to when the network does not allow it.
func (v *validator) shareDenied(e *Expectation, what, from, to string) {
	allowed := v.s.AllowedTLP(from, to)
	if len(allowed) == 0 {
		v.errorf(e.Pos.Field("with"), "%s: %s has no network link to %s, so it cannot share with it", what, from, to)
		return
	}
	v.errorf(e.Pos.Field("tlp"), "%s: the link %s–%s does not allow TLP:%s (allowed: %s)", what, from, to, strings.ToUpper(string(e.TLP)), tlpList(allowed))
}

func tlpList(ts []TLP) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = strings.ToUpper(string(t))
	}
	return strings.Join(out, ", ")
}

// consequenceTargets checks what depends on an inject being used as a
// consequence: injects without timing and spreads without a trigger.
func (v *validator) consequenceTargets() {
	for i := range v.s.Injects {
		in := &v.s.Injects[i]
		triggered := in.Trigger != nil && (in.Trigger.OnAction != nil || in.Trigger.OnMiss != "" || in.Trigger.OnChoice != "")
		if in.At == nil && in.Trigger == nil && !v.usedAsConsequence[in.ID] {
			v.errorf(in.Pos, "inject %s has no timing: set at, a trigger, or name it in an expectation's on_miss or a spread", in.ID)
		}
		if slices.Contains(in.To, ToTriggeringTeam) && !triggered && !v.usedAsConsequence[in.ID] {
			v.errorf(in.Pos.Item("to", slices.Index(in.To, ToTriggeringTeam)), "inject %s is sent to $team but nothing team-specific releases it (use an on_action or on_miss trigger, or a consequence)", in.ID)
		}
	}
	for _, inc := range v.s.Incidents {
		for _, sp := range inc.Spread {
			if sp.When == nil && !v.usedSpreads[sp.ID] {
				v.warnf(sp.Pos, "spread %s can never happen: give it a when trigger or name it in an expectation's on_miss", sp.ID)
			}
		}
	}
}
