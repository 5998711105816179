package report

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"cmesim/engine"
	"cmesim/engine/batch"
	"cmesim/internal/i18n"
	"cmesim/scenarios"
	"cmesim/scenarios/taxonomy"
)

// Options are the choices of BuildWith beyond the scenario and the log.
type Options struct {
	// Baseline, when given, must be a baseline of the same scenario; each
	// team is then placed against it.
	Baseline *Baseline
	// Lang is the language of every text the report generates (summary,
	// evidence, findings, plan, reasons, log lines) and of its headings
	// when rendered; "" means English. Scenario content (titles, objective
	// texts, team names) stays as the scenario wrote it, except inject
	// titles the scenario translates into Lang.
	Lang i18n.Lang
	// Appendix says where the whole event log can be had when the report
	// inlines only an excerpt of it (see LogExcerpt): a link, or a
	// command to run. "" says only that the excerpt is one.
	Appendix string
	// RunStart and RunEnd are the wall-clock times the exercise ran (from
	// the store's exercise record, say); zero when unknown. The report
	// shows them beside the scenario's fictional date. A start the log
	// records the wall-clock time of (one the server sent at its
	// scheduled time) takes precedence over RunStart: the log's other
	// commands carry no wall-clock time.
	RunStart, RunEnd time.Time
	// Team, when set, scopes the report to one team (see aar.go's
	// scopeToTeam): what its trainees may read after the end.
	Team string
	// Draft keeps the AAR/IP the report drafts from the data even when
	// the lead evaluator has edited it (the editor starts from it).
	Draft bool
	// Alternatives are what each choice of each decision point led to
	// over simulated runs (batch.Alternatives, which plays
	// batch.AlternativeRuns runs per choice by default); none leaves the
	// report's alternatives out.
	Alternatives []batch.Alternative
}

// loc writes the report's words in one language. Every generated text goes
// through it, so a report never mixes languages.
type loc struct {
	lang i18n.Lang
	// names are the display names of teams and actors by id (party), once
	// the builder knows them.
	names map[string]string
	// tax is the scenario's incident taxonomy, once the builder knows it;
	// nil means the default one.
	tax *taxonomy.Taxonomy
}

// languageName names a language (a BCP 47 tag) in the reader's language
// (CLDR names from golang.org/x/text), or returns the tag.
func (l loc) languageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Languages(l.lang.Tag()).Name(t); n != "" {
		return n
	}
	return tag
}

// useScenario names teams and actors and labels categories by s: its
// names in the reader's language and its incident taxonomy.
func (l *loc) useScenario(s *scenarios.Scenario) {
	n := make(map[string]string, len(s.Teams)+len(s.Actors))
	for _, t := range s.Teams {
		n[t.ID] = s.PartyName(t.ID, string(l.lang))
	}
	for _, a := range s.Actors {
		n[a.ID] = s.PartyName(a.ID, string(l.lang))
	}
	l.names, l.tax = n, s.Taxonomy()
}

// newLoc returns the writer for lang, English when lang is unsupported or
// empty (a report saved before reports had a language).
func newLoc(lang i18n.Lang) loc {
	if !lang.Supported() {
		lang = i18n.Default
	}
	return loc{lang: lang}
}

// t returns a catalog message with its placeholders filled.
func (l loc) t(key string, args ...any) string { return i18n.T(l.lang, key, args...) }

// count writes a counted noun, "3 injects", from a plural message.
func (l loc) count(key string, n int) string { return l.t(key, "count", n) }

// pct formats a fraction as a whole percentage: "75%", "75 %".
func (l loc) pct(f float64) string { return l.percent(100 * f) }

// percent formats a value already in percent, rounded to a whole number.
func (l loc) percent(v float64) string {
	return l.t("report.format.percent", "value", fmt.Sprintf("%.0f", v))
}

// points formats points without trailing zeros, with the language's
// decimal separator.
func (l loc) points(f float64) string {
	if l.lang == i18n.English {
		return fmtPoints(f)
	}
	return i18n.Format(l.lang, round2(f))
}

// join writes a list with the language's separator: "a, b".
func (l loc) join(items []string) string { return strings.Join(items, l.t("report.format.list_sep")) }

// ratingLabel returns a rating's HSEEP meaning ("Performed without
// challenges"), or "Not exercised".
func (l loc) ratingLabel(r Rating) string {
	if r == RatingNone {
		return l.t("rating.none")
	}
	return l.t("rating." + string(r))
}

// capability names a capability: "Information sharing".
func (l loc) capability(c string) string {
	if c == "" {
		return l.t("report.capability.none")
	}
	if k := "capability." + c; i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return capabilityLabel(c)
}

// actionName names an action as the consoles' buttons do ("contain").
func (l loc) actionName(a string) string {
	if k := "report.action.name." + a; a != "" && i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return a
}

// actionNoun names an action as a noun: "containment".
func (l loc) actionNoun(a scenarios.Action) string { return l.actionForm("noun", a, 1) }

// actionVerb is the bare verb phrase of an action: "share", "request
// information on".
func (l loc) actionVerb(a scenarios.Action) string { return l.actionForm("verb", a, 1) }

// actionNot is the negated past of an action: "did not share".
func (l loc) actionNot(a scenarios.Action) string { return l.actionForm("not", a, 1) }

// actionPast is the past tense of an action, agreeing with n subjects:
// "shared".
func (l loc) actionPast(a scenarios.Action, n int) string { return l.actionForm("past", a, n) }

// actionForm looks up one grammatical form of an action; an action the
// catalog does not know reads as a generic answer.
func (l loc) actionForm(form string, a scenarios.Action, n int) string {
	k := "report.action." + form + "." + string(a)
	if a == "" || !i18n.Has(l.lang, k) {
		k = "report.action." + form + ".other"
	}
	return l.t(k, "count", n)
}

// outcome names an expectation outcome: "met", "late", ….
func (l loc) outcome(o Outcome) string {
	if o == OutcomeNotDue {
		return l.t("report.aar.not_due")
	}
	if k := "outcome." + string(o); i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return string(o)
}

// priority names a priority: "high".
func (l loc) priority(p Priority) string {
	if k := "priority." + string(p); i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return string(p)
}

// phase names an incident phase: "contained".
func (l loc) phase(p string) string {
	if k := "phase." + p; p != "" && i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return p
}

// cause says what released an inject: the facilitator's delay in the
// reader's language; the other causes name injects, teams and actions by
// their ids, as the log has them.
func (l loc) cause(c string) string {
	if c == engine.CauseDelayed {
		return l.t("ui.cause.delayed")
	}
	return c
}

// serverPauses maps the texts of the pauses a server makes on its own to
// their catalog keys.
var serverPauses = map[string]string{
	engine.PauseServerRestarted: "ui.event.pause_server_restarted",
	engine.PauseServerStopped:   "ui.event.pause_server_stopped",
}

// pauseText says the text of a pause: a server's own in the reader's
// language, a facilitator's as written.
func (l loc) pauseText(text string) string {
	if k, ok := serverPauses[text]; ok {
		return l.t(k)
	}
	return text
}

// person names who an actor label ("evaluator:Eva") is: by the name they
// joined with, or by their role when they gave none ("facilitator:facilitator").
func (l loc) person(actor string) string {
	role, name, ok := strings.Cut(actor, ":")
	if !ok {
		return actor
	}
	if role == "trainee" { // trainee:TEAM:NAME, the name may hold colons
		_, name, _ = strings.Cut(name, ":")
	}
	if name != "" && name != role {
		return name
	}
	if k := "ui.role." + role; i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return actor
}

// category names a category of the scenario's taxonomy by its type's
// label: in the reader's language where the catalog has it ("Sistema
// infectado"), else as the taxonomy labels it, else as the value.
func (l loc) category(value string) string {
	id := taxonomy.Default
	if l.tax != nil {
		id = l.tax.ID
	}
	class, typ, ok := strings.Cut(value, taxonomy.Separator)
	if k := taxonomy.LabelKey(id, class, typ); ok && i18n.Has(l.lang, k) {
		return l.t(k)
	}
	if l.tax != nil {
		for _, c := range l.tax.Categories() {
			if c.Value == value {
				return c.Label
			}
		}
	}
	return value
}

// sector names a sector the catalog knows ("government"), or returns it.
func (l loc) sector(s string) string {
	if k := "sector." + s; s != "" && i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return s
}

// severity names a severity the catalog knows ("high"), or returns it.
func (l loc) severity(s string) string {
	if k := "severity." + s; s != "" && i18n.Has(l.lang, k) {
		return l.t(k)
	}
	return s
}

// country returns the name of an ISO 3166-1 alpha-2 code in the report's
// language (CLDR names from golang.org/x/text), or the code.
func (l loc) country(code string) string {
	if l.lang == i18n.English {
		return countryName(code)
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(l.lang.Tag()).Name(r); n != "" {
		return n
	}
	return code
}

// mode names who played a team.
func (l loc) mode(m engine.Mode) string {
	if m == engine.ModeHuman {
		return l.t("report.log.mode.human")
	}
	return l.t("report.log.mode.simulated")
}

// date formats the calendar time of T+0: "Monday 2 January 2006, 15:04
// (UTC-07:00)", in the report's language.
func (l loc) date(t time.Time) string {
	return l.t("report.format.date",
		"weekday", l.t(fmt.Sprintf("date.weekday.%d", int(t.Weekday()))),
		"day", t.Format("2"),
		"month", l.t(fmt.Sprintf("date.month.%d", int(t.Month()))),
		"year", t.Format("2006"),
		"time", t.Format("15:04"),
		"offset", t.Format("-07:00"))
}

// runDate says when the exercise really ran, from RFC 3339 start and end
// times: one day, a span of days, or that the date is not known.
func (l loc) runDate(start, end string) string {
	from, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return l.t("report.aar.run_unknown")
	}
	to, err := time.Parse(time.RFC3339, end)
	if err != nil || to.Format(time.DateOnly) == from.Format(time.DateOnly) {
		return l.t("report.aar.run_on", "date", l.day(from))
	}
	return l.t("report.aar.run_span", "from", l.day(from), "to", l.day(to))
}

// day writes a calendar day: "3 December 2026".
func (l loc) day(t time.Time) string {
	return l.t("report.aar.day", "day", t.Format("2"),
		"month", l.t(fmt.Sprintf("date.month.%d", int(t.Month()))), "year", t.Format("2006"))
}

// outcomes writes the non-zero outcome counts in words: "4 expectations —
// 3 met on time, 1 late".
func (l loc) outcomes(o Outcomes) string {
	var parts []string
	for _, p := range []struct {
		n   int
		key string
	}{{o.Met, "met_on_time"}, {o.Late, "late"}, {o.Wrong, "wrong"}, {o.Missed, "missed"}, {o.Unanswered, "unanswered"}, {o.Open, "open"}} {
		if p.n > 0 {
			parts = append(parts, l.t("report.outcomes."+p.key, "count", p.n))
		}
	}
	if o.NotDue > 0 {
		parts = append(parts, l.t("report.aar.not_due_count", "count", o.NotDue))
	}
	if len(parts) == 0 {
		return l.t("report.outcomes.none")
	}
	return l.t("report.outcomes.list", "expectations", l.count("report.count.expectations", o.Total()), "list", l.join(parts))
}

// metricLabel names a baseline metric: "Score", "Time to contain".
func (l loc) metricLabel(m Metric) string {
	switch m {
	case MetricScore:
		return l.t("report.metric.score")
	case MetricScorePercent:
		return l.t("report.metric.score_percent")
	}
	return l.t("report.metric.time_to", "action", l.actionNoun(scenarios.Action(strings.TrimPrefix(string(m), "time_to_"))))
}

// metricValue formats a metric value in its unit.
func (l loc) metricValue(unit string, v float64) string {
	switch unit {
	case "seconds":
		return clock(time.Duration(v * float64(time.Second)))
	case "percent":
		return l.percent(v)
	}
	return l.points(v)
}

// peerList writes a list of peers, shortened past eight names.
func (l loc) peerList(peers []string) string {
	if len(peers) <= 8 {
		return l.join(peers)
	}
	return l.t("report.format.more", "list", l.join(peers[:6]), "count", len(peers)-6)
}

// injectRef names an inject for prose: `G03 “IoC list”`.
func (l loc) injectRef(id, title string) string {
	if title != "" && title != id {
		return l.t("report.format.inject_ref", "id", id, "title", title)
	}
	return id
}

// party returns a team's or actor's display name for its id, or the id
// when it has none.
func (l loc) party(id string) string {
	if n := l.names[id]; n != "" {
		return n
	}
	return id
}

// parties returns the display names of ids.
func (l loc) parties(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = l.party(id)
	}
	return out
}

// partyList names the parties of a list of ids joined by ", " (as the
// engine's reasons write them).
func (l loc) partyList(ids string) string {
	return l.join(l.parties(strings.Split(ids, ", ")))
}
