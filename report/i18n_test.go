package report_test

import (
	"bytes"
	"html"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"cmesim/internal/i18n"
	"cmesim/report"
	"cmesim/scenarios"
)

// i18nScenario is the scenario of the localized goldens: it has spreads,
// prevented spreads, misses and wrong answers, so most generated texts
// appear.
const i18nScenario = "grid-ransomware"

// LocalizedReport is the report of a library scenario, seed 1, every team
// simulated, in language l.
func LocalizedReport(tb testing.TB, name string, l i18n.Lang) (*report.Report, *scenarios.Scenario) {
	tb.Helper()
	s := MustLibrary(tb, name)
	r, err := report.BuildWith(s, MustRun(tb, s, 1), report.Options{Lang: l})
	if err != nil {
		tb.Fatal(err)
	}
	return r, s
}

// TestGolden_Languages compares the HTML and Markdown reports of one
// scenario in every language with testdata/report/i18n/NAME.LANG.{html,md}.
// Run `go test ./report -run TestGolden_Languages -update` after an
// intended change.
func TestGolden_Languages(t *testing.T) {
	for _, l := range i18n.Langs {
		t.Run(string(l), func(t *testing.T) {
			r, _ := LocalizedReport(t, i18nScenario, l)
			base := filepath.Join("..", "testdata", "report", "i18n", i18nScenario+"."+string(l))
			checkGolden(t, base+".html", RenderHTML(t, r))
			var md bytes.Buffer
			if err := r.WriteMarkdown(&md); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, base+".md", md.Bytes())
		})
	}
}

// TestLocalized_NoEnglishLeft renders the Spanish, Portuguese and French
// HTML reports of every library scenario and looks for the text of every
// English catalog message that the language says differently. Scenario
// content (written in English) and identifiers are removed first.
func TestLocalized_NoEnglishLeft(t *testing.T) {
	en := i18n.CatalogOf(i18n.English)
	for _, name := range scenarios.Library() {
		for _, l := range i18n.Langs[1:] {
			t.Run(name+"/"+string(l), func(t *testing.T) {
				r, s := LocalizedReport(t, name, l)
				page := visibleText(string(RenderHTML(t, r)), s)
				cat := i18n.CatalogOf(l)
				var all []string
				for _, m := range cat {
					all = append(all, m.Texts()...)
				}
				// Words the language's own catalog uses (names such as the
				// Reference Incident Classification Taxonomy) are not English
				// left behind.
				ours := strings.Join(all, "\x00")
				for key, m := range en {
					if strings.HasPrefix(key, "error.") || strings.HasPrefix(key, "ui.") {
						continue // not report text
					}
					if strings.HasPrefix(key, "sim.") || strings.HasPrefix(key, "msg.") {
						continue // what simulated teams write: player content in the scenario's language
					}
					theirs := strings.Join(cat[key].Texts(), "\x00")
					for _, text := range m.Texts() {
						for _, frag := range fragments(text) {
							if strings.Contains(theirs, frag) || strings.Contains(ours, frag) {
								continue // the language uses the same words
							}
							if at := wordIndex(page, frag); at >= 0 {
								t.Errorf("English %q (from %s) in the %s report: …%s…", frag, key, l, around(page, at, len(frag)))
							}
						}
					}
				}
			})
		}
	}
}

// fragments returns the literal parts of a message between placeholders
// that are long enough to be English prose rather than a symbol or a
// word shared by the languages.
func fragments(text string) []string {
	var out []string
	for _, part := range regexp.MustCompile(`\{[a-z_]+\}`).Split(text, -1) {
		part = strings.Trim(part, " .,;:()—–-/“”\"«»")
		if len([]rune(part)) >= 6 && strings.ContainsFunc(part, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
			out = append(out, part)
		}
	}
	return out
}

// wordIndex returns where frag occurs in page as whole words (not inside
// a longer word), or -1. It scans with strings.Index rather than a regular
// expression per fragment: the test looks for thousands of fragments.
func wordIndex(page, frag string) int {
	for from := 0; from < len(page); {
		i := strings.Index(page[from:], frag)
		if i < 0 {
			return -1
		}
		at := from + i
		before, _ := utf8.DecodeLastRuneInString(page[:at])
		after, _ := utf8.DecodeRuneInString(page[at+len(frag):])
		if !unicode.IsLetter(before) && !unicode.IsLetter(after) {
			return at
		}
		from = at + 1
	}
	return -1
}

// visibleText strips what is not report prose from an HTML report: the
// style sheet, tags, the event-type and id cells, and the scenario's own
// texts (written in English).
func visibleText(page string, s *scenarios.Scenario) string {
	page = regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(page, " ")
	page = regexp.MustCompile(`(?s)<td class="mono">.*?</td>`).ReplaceAllString(page, " ")
	// Identifier cells: team, inject and expectation ids, times.
	page = regexp.MustCompile(`(?s)<(td|span) class="t">[^<]*</(td|span)>`).ReplaceAllString(page, " ")
	page = html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "))
	// Causes from the log ("action:pe-csirt:publish:G12", "spread:to-peru")
	// are identifiers.
	page = regexp.MustCompile(`\b[a-z_]+:[^\s;]+`).ReplaceAllString(page, " ")
	// What a simulated team writes with an action is player content, as a
	// human player's text is: it stays in the language it was written in.
	page = regexp.MustCompile(`Simulated [a-z ]+ of [^ ]* ?about [^ ]+\.`).ReplaceAllString(page, " ")
	// So are INJECT.EXPECTATION references ("G18.escalate").
	page = regexp.MustCompile(`[\pL\d_-]+\.[\pL\d_-]+`).ReplaceAllString(page, " ")
	var scn []string
	scn = append(scn, report.Format, s.Exercise.ID, s.Exercise.Title, strings.TrimSpace(s.Exercise.Description))
	for _, o := range s.Exercise.Objectives {
		scn = append(scn, o.Text)
		for _, task := range o.CriticalTasks {
			scn = append(scn, task.Text) // shown as written, like the objective
		}
	}
	for _, inc := range s.Incidents {
		scn = append(scn, inc.Title, inc.Origin)
	}
	for _, tm := range s.Teams {
		scn = append(scn, tm.Name)
	}
	for _, a := range s.Actors {
		scn = append(scn, a.Name)
	}
	for _, in := range s.Injects {
		scn = append(scn, in.Title)
	}
	// Labels may wrap (a chart splits a long name over lines): compare
	// with runs of white space collapsed.
	page = strings.Join(strings.Fields(page), " ")
	// What a simulated team writes is in the scenario's language, whatever
	// the report's: "Acción simulada de … sobre …: …." up to the full stop.
	for _, l := range i18n.Langs {
		text := i18n.T(l, "sim.action_text")
		prefix, _, _ := strings.Cut(text, "{")
		page = regexp.MustCompile(regexp.QuoteMeta(prefix)+`[^.]*\.`).ReplaceAllString(page, " ")
	}
	for _, x := range scn {
		if x = strings.Join(strings.Fields(x), " "); x != "" {
			page = strings.ReplaceAll(page, x, " ")
		}
	}
	return page
}

// around shows where a pattern matched.
func around(page string, at, n int) string {
	from, to := max(0, at-40), min(len(page), at+n+40)
	return strings.Join(strings.Fields(page[from:to]), " ")
}

func TestLocalized_LangAttributes(t *testing.T) {
	for l, want := range map[i18n.Lang]string{i18n.English: `<html lang="en">`, i18n.Spanish: `<html lang="es">`,
		i18n.Portuguese: `<html lang="pt-BR">`, i18n.French: `<html lang="fr">`} {
		r, s := LocalizedReport(t, i18nScenario, l)
		page := string(RenderHTML(t, r))
		if !strings.Contains(page, want) {
			t.Errorf("%s: no %s", l, want)
		}
		// The scenario is written in English and translated into Spanish
		// and Portuguese: a report in those shows the translated title,
		// unmarked; a French report shows it as written, marked lang="en".
		promised := slices.Contains(s.ContentLanguages(), string(l))
		title := html.EscapeString(s.ExerciseIn(string(l)).Title)
		if promised == (title == html.EscapeString(s.Exercise.Title)) && l != i18n.English {
			t.Fatalf("%s: the scenario's title translation does not match its promise", l)
		}
		h1 := `<h1>` + title + `</h1>`
		if !promised {
			h1 = `<h1 lang="en">` + title + `</h1>`
		}
		if !strings.Contains(page, h1) {
			t.Errorf("%s: no %s", l, h1)
		}
	}
}

func TestLocalized_JSONAndCSV(t *testing.T) {
	r, _ := LocalizedReport(t, i18nScenario, i18n.Portuguese)
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"lang": "pt"`) || !strings.Contains(js.String(), `"areas_for_improvement"`) {
		t.Fatal("the JSON report lacks its language or its English keys")
	}
	back, err := report.ReadJSON(&js)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(RenderHTML(t, back), RenderHTML(t, r)) {
		t.Error("a report read back from JSON renders differently: the language was lost")
	}
	if !strings.Contains(r.Summary.Text, "equipes jogaram") {
		t.Errorf("summary not in Portuguese: %s", r.Summary.Text)
	}
	var csv bytes.Buffer
	if err := r.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "prazo esgotado") || strings.Contains(csv.String(), "deadline passed") {
		t.Error("the CSV reasons are not in Portuguese")
	}
	if !strings.HasPrefix(csv.String(), strings.Join(report.CSVHeader, ",")+"\n") {
		t.Error("the CSV does not start with its header (the header is not translated)")
	}
}

func TestLocalized_Ratings(t *testing.T) {
	// The HSEEP meanings, word for word in English and in each language.
	want := map[i18n.Lang][]string{
		i18n.English:    {"Performed without challenges", "Performed with some challenges", "Performed with major challenges", "Unable to be performed"},
		i18n.Spanish:    {"Realizado sin dificultades", "Realizado con algunas dificultades", "Realizado con dificultades importantes", "No se pudo realizar"},
		i18n.Portuguese: {"Realizado sem dificuldades", "Realizado com algumas dificuldades", "Realizado com grandes dificuldades", "Não foi possível realizar"},
		i18n.French:     {"Réalisé sans difficulté", "Réalisé avec quelques difficultés", "Réalisé avec des difficultés majeures", "Impossible à réaliser"},
	}
	for l, labels := range want {
		for i, r := range []string{"P", "S", "M", "U"} {
			if got := i18n.T(l, "rating."+r); got != labels[i] {
				t.Errorf("%s rating %s = %q, want %q", l, r, got, labels[i])
			}
		}
	}
	for i, r := range []report.Rating{report.RatingP, report.RatingS, report.RatingM, report.RatingU} {
		if r.Label() != want[i18n.English][i] {
			t.Errorf("Rating(%s).Label() = %q, the catalog says %q", r, r.Label(), want[i18n.English][i])
		}
	}
}

// TestLocalized_DecisionLang checks that a decision's prompt, written in
// Spanish and translated into English, is marked with its language in a
// French report and shown translated, unmarked, in an English one.
func TestLocalized_DecisionLang(t *testing.T) {
	const name = "oas-ministerial-roundtable"
	for _, c := range []struct {
		lang i18n.Lang
		mark string
	}{{i18n.French, ` lang="es"`}, {i18n.English, ""}} {
		r, s := LocalizedReport(t, name, c.lang)
		d := s.Decisions()[0]
		prompt := html.EscapeString(d.PromptIn(string(c.lang)))
		if want := `<span class="small"` + c.mark + ">" + prompt + "</span>"; !strings.Contains(string(RenderHTML(t, r)), want) {
			t.Errorf("%s: no %s", c.lang, want)
		}
	}
}
