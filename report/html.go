package report

import (
	"cmesim/internal/i18n"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"cmesim/engine"
)

//go:embed templates/*.tmpl templates/*.css
var templateFS embed.FS

// Section is one section of the HTML report: its stable element id (a
// link target, #summary) and heading.
type Section struct {
	ID    string
	Title string
}

// Sections lists the sections of the HTML report in order. Every report has
// all of them, whatever its data; the Markdown report uses the same ids as
// anchors.
var Sections = []Section{
	{"summary", "Summary"},
	{"objectives", "Objective ratings"},
	{"scorecards", "Team scorecards"},
	{"baseline", "Baseline"},
	{"timeline", "Timeline"},
	{"sharing", "Information sharing"},
	{"communication", "Communication"},
	{"incidents", "Incident path"},
	{"expectations", "Expectations"},
	{"findings", "Strengths and improvements"},
	{"improvement-plan", "Improvement plan"},
	{"event-log", "Event log"},
}

// htmlTemplate is parsed once, on first use; each rendering binds the
// language functions to a clone (see execute).
var htmlTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("report.html.tmpl").Funcs(htmlFuncs).Funcs(newLoc(i18n.Default).funcs()).ParseFS(templateFS, "templates/report.html.tmpl", "templates/eeg.html.tmpl")
})

var htmlCSS = sync.OnceValue(func() template.CSS {
	b, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	return template.CSS(b)
})

// WriteHTML writes the report as one self-contained HTML file: inline CSS,
// inline SVG charts, no scripts and no external resources, so it can be
// e-mailed, opened offline and printed. Every text from the log (notes,
// action texts, names) is escaped by html/template. Headings and labels
// are in the report's language (Report.Lang), and so is <html lang>.
func (r *Report) WriteHTML(w io.Writer) error {
	t, err := htmlTemplate()
	if err != nil {
		return fmt.Errorf("report: html template: %w", err)
	}
	v := newView(r)
	t, err = t.Clone()
	if err != nil {
		return fmt.Errorf("report: html template: %w", err)
	}
	v.CSS, v.Timeline, v.Network, v.Talk = htmlCSS(), timeline(r), network(r), talkChart(r)
	return t.Funcs(v.loc.funcs()).Funcs(v.nameFuncs()).Execute(w, v)
}

// view is what the HTML and Markdown templates read.
type view struct {
	loc
	R    *Report
	CSS  template.CSS
	Lang string
	Date string
	// RunDate says when the exercise really ran ("Run on 3 December
	// 2026"), or that it is not known.
	RunDate string
	// TLP is the report's marking in capitals ("TLP:AMBER").
	TLP      string
	LastSeed uint64
	Sections []Section
	Timeline *timelineChart
	Network  *networkChart
	// Talk is who talked to whom (the communication section's chart).
	Talk *networkChart
	// Lanes summarise the timeline for Markdown.
	Lanes []laneSummary
}

func newView(r *Report) *view {
	l := newLoc(r.Lang)
	v := &view{loc: l, R: r, Lang: l.lang.BCP47()}
	for _, s := range Sections {
		v.Sections = append(v.Sections, Section{ID: s.ID, Title: l.t("report.section." + s.ID)})
	}
	if r.Exercise.StartTime != "" {
		if t, err := time.Parse(time.RFC3339, r.Exercise.StartTime); err == nil {
			v.Date = l.date(t)
		}
	}
	v.RunDate = l.runDate(r.Exercise.RunStart, r.Exercise.RunEnd)
	v.TLP = tlpMarking(r.TLP)
	if b := r.Baseline; b != nil && b.Runs > 0 {
		v.LastSeed = b.FirstSeed + uint64(b.Runs) - 1
	}
	return v
}

// ContentLang returns the BCP 47 tag of the scenario's language when the
// scenario's texts are in it rather than in the report's, for the lang
// attribute of scenario text; else "". The texts are in the report's
// language when the scenario is written in it or promises it
// (exercise.languages), by its exact code: translations are looked up so,
// and a scenario in Haitian Creole is not in French. A promised text left
// untranslated, which validation warns about, is the exception.
func (v *view) ContentLang() string {
	if slices.Contains(v.R.Exercise.Languages, string(v.lang)) {
		return ""
	}
	return v.SourceLang()
}

// SourceLang returns the BCP 47 tag of the language the scenario is
// written in, for the lang attribute of a text known to be untranslated,
// or "" when that is the report's language.
func (v *view) SourceLang() string {
	src := v.R.Exercise.Language
	if langs := v.R.Exercise.Languages; len(langs) > 0 {
		src = langs[0] // the scenario's own, English when it names none
	}
	if src == "" || src == string(v.lang) {
		return ""
	}
	if l, err := i18n.Parse(src); err == nil && string(l) == src {
		return l.BCP47()
	}
	return src
}

// AsWrittenNote says, when the scenario's texts are not in the report's
// language (ContentLang), which language they are in; else "".
func (v *view) AsWrittenNote() string {
	tag := v.ContentLang()
	if tag == "" {
		return ""
	}
	return v.t("report.as_written", "language", v.languageName(tag))
}

// TeamRating returns a team's rating of an objective, or nil.
func (v *view) TeamRating(o ObjectiveResult, team string) *TeamRating {
	for i := range o.Teams {
		if o.Teams[i].Team == team {
			return &o.Teams[i]
		}
	}
	return nil
}

// htmlFuncs are the template functions shared by the HTML and Markdown
// templates that do not depend on the language (see loc.funcs for those
// that do).
var htmlFuncs = template.FuncMap{
	"upper":      strings.ToUpper,
	"tlpClass":   tlpClass,
	"tlpPageCSS": tlpPageCSS,
	"optClock":   optClock,
	"optTPlus":   optTPlus,
	"tlpLevels":  func() []string { return []string{"clear", "green", "amber", "amber+strict", "red"} },
	"tlpClasses": func() []string { return []string{"clear", "green", "amber", "amber-strict", "red", "none"} },
	"phases":     func() []engine.Phase { return engine.Phases },
	"phaseAt":    phaseAt,
	"bySender":   bySender,
	"maxText":    func() int { return MaxTextRunes },
	"maxShares":  func() int { return MaxSharesPerTeam },
	"maxNotes":   func() int { return MaxNotes },
	"isLink":     isLink,
	// name and names are bound to the report's names when it is rendered
	// (see view.nameFuncs).
	"name":  func(id string) string { return id },
	"names": func(ids []string) []string { return ids },
	"barWidth": func(f float64) template.CSS {
		return template.CSS(fmt.Sprintf("%.0f%%", math.Max(0, math.Min(100, 100*f))))
	},
}

// funcs are the template functions that write in the report's language.
func (l loc) funcs() template.FuncMap {
	return template.FuncMap{
		"t":           l.t,
		"count":       l.count,
		"pct":         l.pct,
		"percent":     l.percent,
		"pts":         l.points,
		"joinList":    l.join,
		"capLabel":    l.capability,
		"country":     l.country,
		"sector":      l.sector,
		"ratingLabel": l.ratingLabel,
		"outcome":     l.outcome,
		"priority":    func(p Priority) string { return l.priority(p) },
		"action":      l.actionName,
		"phase":       l.phase,
		"phaseTitle":  func(p engine.Phase) string { return l.t("report.col.phase." + string(p)) },
		"metricLabel": l.metricLabel,
		"metricValue": l.metricValue,
		"peerList":    l.peerList,
		"person":      l.person,
	}
}

func optTPlus(d *Duration) string {
	if d == nil {
		return "–"
	}
	return d.TPlus()
}

// phaseAt returns when a team reached a phase, or "–".
func phaseAt(p PhaseState, phase engine.Phase) string {
	for _, s := range p.Steps {
		if s.Phase == string(phase) {
			return s.At.TPlus()
		}
	}
	return "–"
}

// senderShares groups the shares a team received from one sender.
type senderShares struct {
	From        string
	Count       int
	First, Last Duration
	Injects     string
	TLPs        []TLPCount
}

// bySender groups received shares by sender, in order of first share, so a
// scorecard stays short when a team receives many shares.
func bySender(shares []Share) []senderShares {
	var out []senderShares
	idx := map[string]int{}
	injects := map[string][]string{}
	for _, sh := range shares {
		i, ok := idx[sh.From]
		if !ok {
			i = len(out)
			idx[sh.From] = i
			out = append(out, senderShares{From: sh.From, First: sh.At})
		}
		g := &out[i]
		g.Count++
		g.Last = sh.At
		if !slices.Contains(injects[sh.From], sh.Inject) {
			injects[sh.From] = append(injects[sh.From], sh.Inject)
		}
		j := slices.IndexFunc(g.TLPs, func(c TLPCount) bool { return c.TLP == sh.TLP })
		if j < 0 {
			g.TLPs = append(g.TLPs, TLPCount{TLP: sh.TLP})
			j = len(g.TLPs) - 1
		}
		g.TLPs[j].Count++
	}
	for i := range out {
		out[i].Injects = strings.Join(injects[out[i].From], ", ")
	}
	return out
}

// isLink reports whether where the appendix is (LogExcerpt.Appendix) is a
// link rather than a command.
func isLink(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// tlpMarking writes a TLP level as a marking: "TLP:AMBER+STRICT". A report
// saved before reports had a marking is TLP:CLEAR.
func tlpMarking(t string) string {
	if t == "" {
		t = "clear"
	}
	return "TLP:" + strings.ToUpper(t)
}

// nameFuncs are the template functions that show a team's or actor's
// name for its id.
func (v *view) nameFuncs() map[string]any {
	name := func(id string) string {
		if n, ok := v.R.Names[id]; ok && n != "" {
			return n
		}
		return id
	}
	return map[string]any{
		"name": name,
		"names": func(ids []string) []string {
			out := make([]string, len(ids))
			for i, id := range ids {
				out[i] = name(id)
			}
			return out
		},
	}
}
