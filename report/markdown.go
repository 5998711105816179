package report

import (
	"cmesim/internal/i18n"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/template"
)

// mdTemplate is parsed once, on first use.
var mdTemplate = sync.OnceValues(func() (*template.Template, error) {
	funcs := template.FuncMap{}
	for k, v := range htmlFuncs {
		funcs[k] = v
	}
	for k, v := range mdFuncs {
		funcs[k] = v
	}
	for k, v := range newLoc(i18n.Default).mdFuncs() {
		funcs[k] = v
	}
	return template.New("report.md.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/report.md.tmpl", "templates/eeg.md.tmpl")
})

var mdFuncs = template.FuncMap{
	"md":  mdEscape,
	"tlp": func(t string) string { return "TLP:" + strings.ToUpper(t) },
}

// mdFuncs are the Markdown template's functions that write in the report's
// language, with the HTML template's (loc.funcs).
func (l loc) mdFuncs() template.FuncMap {
	funcs := template.FuncMap{
		"rating":   func(r Rating) string { return fmt.Sprintf("**%s** %s", r.Letter(), l.ratingLabel(r)) },
		"outcomes": l.outcomes,
	}
	for k, v := range l.funcs() {
		funcs[k] = v
	}
	return funcs
}

// WriteMarkdown writes the report as Markdown for wikis: the same sections
// as the HTML report, anchored by the same ids, as tables and lists. There
// are no charts; the timeline becomes a per-team table of counts. Free text
// is escaped so it cannot break a table or inject HTML.
func (r *Report) WriteMarkdown(w io.Writer) error {
	t, err := mdTemplate()
	if err != nil {
		return fmt.Errorf("report: markdown template: %w", err)
	}
	v := newView(r)
	v.Lanes = laneSummaries(r)
	t, err = t.Clone()
	if err != nil {
		return fmt.Errorf("report: markdown template: %w", err)
	}
	return t.Funcs(v.loc.mdFuncs()).Funcs(v.nameFuncs()).Execute(w, v)
}

// laneSummary counts what happened in one team's lane of the timeline.
type laneSummary struct {
	Team                                        string
	Delivered, Actions, Shares, Missed, Spreads int
}

func laneSummaries(r *Report) []laneSummary {
	if x := r.LogExcerpt; x != nil {
		// Log is an excerpt: count from the whole log's counts.
		out := make([]laneSummary, len(x.Lanes))
		for i, c := range x.Lanes {
			out[i] = laneSummary{Team: c.Team, Delivered: c.Delivered, Actions: c.Actions, Shares: c.Shares, Missed: c.Missed, Spreads: c.Spreads}
		}
		return out
	}
	idx := map[string]int{}
	out := make([]laneSummary, len(r.Teams))
	for i, t := range r.Teams {
		idx[t.ID] = i
		out[i].Team = t.ID
	}
	for _, e := range r.Log {
		i, ok := idx[e.Team]
		if !ok {
			continue
		}
		switch e.Type {
		case "inject.delivered":
			out[i].Delivered++
		case "team.action":
			out[i].Actions++
			if e.Action == "share" {
				out[i].Shares++
			}
		case "expectation.missed":
			out[i].Missed++
		case "incident.spread":
			out[i].Spreads++
		}
	}
	return out
}

// mdEscaper neutralises the characters that would end a table cell, start
// HTML or open Markdown emphasis or links in free text.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
