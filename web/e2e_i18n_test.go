package web_test

// The consoles in each of the four languages: a trainee and a facilitator
// play join → inject → respond → end → debrief, and no page shows a
// console text of another language.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/internal/i18n"
	"cmesim/scenarios/taxonomy"
	"cmesim/web"
)

// i18nLangs are the consoles' languages with the BCP 47 tag of <html lang>.
var i18nLangs = []struct{ code, tag string }{{"en", "en"}, {"es", "es"}, {"pt", "pt-BR"}, {"fr", "fr"}}

// translatedI01 is the title of I01 in each language of the test scenario.
var translatedI01 = map[string]string{
	"en": i01Title,
	"es": "Correos sospechosos reportados por el ministerio",
	"pt": "E-mails suspeitos relatados pelo ministério",
	"fr": "Courriels suspects signalés par le ministère",
}

// i18nScenario is the example scenario with I01 also in Portuguese and
// French, and the four languages declared.
func i18nScenario(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(src), "languages: [en, es]", "languages: [en, es, pt, fr]", 1)
	s = strings.Replace(s, `        body: Estimado {{team.name}}, varios funcionarios recibieron un correo sospechoso.
`, `        body: Estimado {{team.name}}, varios funcionarios recibieron un correo sospechoso.
      pt:
        title: `+translatedI01["pt"]+`
        body: Prezado {{team.name}}, vários servidores receberam um e-mail suspeito.
      fr:
        title: `+translatedI01["fr"]+`
        body: Cher {{team.name}}, plusieurs agents ont reçu un courriel suspect.
`, 1)
	if !strings.Contains(s, translatedI01["fr"]) {
		t.Fatal("the example scenario changed: I01's translations are not where the test adds pt and fr")
	}
	return s
}

// foreignTexts lists the console texts (ui.* messages) of the other three
// languages that differ from lang's own: the literal parts of each message
// between placeholders, longer than three characters, leaving out any that
// also occur in lang's catalog (a word both languages share).
func foreignTexts(t *testing.T, lang string) []string {
	t.Helper()
	own := uiFragments(t, lang)
	ownText := strings.Join(own, "\n")
	seen := map[string]bool{}
	for _, other := range i18nLangs {
		if other.code == lang {
			continue
		}
		for _, f := range uiFragments(t, other.code) {
			if len([]rune(f)) > 3 && !strings.Contains(ownText, f) {
				seen[f] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

var placeholderRE = regexp.MustCompile(`\{[a-z][a-z0-9_]*\}`)

// uiFragments returns the literal parts of every ui.* message of lang
// (each plural form too), trimmed of spaces and punctuation at the ends.
func uiFragments(t *testing.T, lang string) []string {
	t.Helper()
	var cat map[string]json.RawMessage
	if err := json.Unmarshal(i18n.File(i18n.Lang(lang)), &cat); err != nil {
		t.Fatalf("catalog %s: %v", lang, err)
	}
	var out []string
	for key, raw := range cat {
		if !strings.HasPrefix(key, "ui.") {
			continue
		}
		var texts []string
		var one string
		if json.Unmarshal(raw, &one) == nil {
			texts = []string{one}
		} else {
			var forms map[string]string
			if err := json.Unmarshal(raw, &forms); err != nil {
				t.Fatalf("catalog %s: %s: %v", lang, key, err)
			}
			for _, f := range forms {
				texts = append(texts, f)
			}
		}
		for _, text := range texts {
			for _, part := range placeholderRE.Split(text, -1) {
				if part = strings.Trim(part, " \u00a0.,:;()—–-…✓✗+×/«»“”\"'"); part != "" {
					out = append(out, part)
				}
			}
		}
	}
	return out
}

// pageTexts is every text of the page a person reads or hears, but what
// carries a lang attribute of another language than the page (scenario
// content shown in its original language): the body's innerText and the
// aria-label, title, placeholder and alt attributes.
const pageTexts = `(() => {
  const page = document.documentElement.lang;
  const foreign = [...document.body.querySelectorAll('[lang]')].filter((el) => el.lang !== page && !el.closest('#language-picker'));
  let text = document.body.innerText;
  for (const el of foreign) if (el.innerText) text = text.split(el.innerText).join('\n');
  const attrs = [];
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (foreign.some((f) => f.contains(el))) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (el.getAttribute(a)) attrs.push(el.getAttribute(a));
  }
  return [text, ...attrs];
})()`

// acceptLanguage makes p's browser ask for tag (Accept-Language and
// navigator.languages), as a browser set up in that language does.
func (p *person) acceptLanguage(tag string) {
	p.t.Helper()
	ua := evalJS[string](p, `navigator.userAgent`)
	if _, err := chromedp.Call(p.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: tag}); err != nil {
		p.t.Fatalf("%s: setting the browser language: %v", p.name, err)
	}
}

// servedTitle returns the <title> of the page at path as the server sends
// it to p's browser, with its cookies or without (the browser's language
// alone decides).
func (p *person) servedTitle(path string, cookies bool) string {
	p.t.Helper()
	credentials := map[bool]string{true: "same-origin", false: "omit"}[cookies]
	return evalJS[string](p, fmt.Sprintf(`fetch(%s, { credentials: %s }).then((r) => r.text()).then((h) => {
		const t = new DOMParser().parseFromString(h, 'text/html').title; return t; })`, js(path), js(credentials)))
}

// checkTitles checks that the page at path reaches p's browser titled in
// lang by the server (before any script runs), both for the browser's
// language alone and with the cookie of the reader's choice, and that the
// page p shows has a title in lang too.
func (p *person) checkTitles(lang, path, key string) {
	p.t.Helper()
	want := i18n.T(i18n.Lang(lang), key) + " — cmesim"
	for _, cookies := range []bool{false, true} {
		if got := p.servedTitle(path, cookies); got != want {
			p.t.Errorf("%s: %s arrives titled %q (cookies %v), want %q", p.name, path, got, cookies, want)
		}
	}
	if lang != "en" && strings.Contains(evalJS[string](p, `document.title`), i18n.T(i18n.English, key)) {
		p.t.Errorf("%s: %s shows the English title %q", p.name, path, evalJS[string](p, `document.title`))
	}
}

// checkNoForeignText fails for every console text of another language in
// p's page (as a whole word or phrase).
func (p *person) checkNoForeignText(state string, foreign []string) {
	p.t.Helper()
	texts := evalJS[[]string](p, pageTexts)
	all := strings.Join(texts, "\n")
	var found []string
	for _, f := range foreign {
		if containsPhrase(all, f) {
			found = append(found, f)
		}
	}
	if len(found) > 0 {
		p.t.Errorf("%s, %s (page in %s): texts of another language: %q\n\tpage: %.2000s", p.name, state, p.lang, found, all)
	}
}

// containsPhrase reports whether phrase occurs in text with no letter or
// digit right before or after it.
func containsPhrase(text, phrase string) bool {
	re := regexp.MustCompile(`(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(phrase) + `($|[^\p{L}\p{N}])`)
	return re.MatchString(text)
}

// TestE2EI18n walks a trainee and a facilitator through the exercise in
// each language: join, an inject in the page's language (and in its
// original with one click), a response, the end and the debrief. Every
// page is in the language chosen (its <html lang>, no console text of
// another language), accessible (axe), and the report links ask for the
// report in that language.
func TestE2EI18n(t *testing.T) {
	s := startE2E(t)
	yaml := i18nScenario(t)
	for _, l := range i18nLangs {
		t.Run(l.code, func(t *testing.T) {
			root := browser.New(t) // one browser per language, each with its own lifetime
			info, err := s.CreateExercise(web.CreateRequest{YAML: yaml, Humans: []string{"co-csirt", "pe-csirt"}})
			if err != nil {
				t.Fatalf("CreateExercise: %v", err)
			}
			walkInLanguage(t, s, root, info, l.code, l.tag)
		})
	}
}

// walkInLanguage is TestE2EI18n in one language. In the languages other
// than English it saves screenshots of both consoles at desktop and phone
// size (in $CMESIM_SCREENSHOTS) and fails if a longer text makes a page
// scroll sideways.
func walkInLanguage(t *testing.T, s *e2eServer, root context.Context, info *web.ExerciseInfo, lang, tag string) {
	foreign := foreignTexts(t, lang)
	shots := shotsDir(t)
	people := newPeopleIn(t, root, lang, "facilitator", "co-csirt trainee", "observer")
	fac, ana, obs := people[0], people[1], people[2]
	isLang := fmt.Sprintf(`document.documentElement.lang === %s`, js(tag))

	// The admin page, before and after the login.
	fac.expectProblem("the server responded with a status of 401 (Unauthorized)") // the admin page asks before the login
	fac.navigate(s.URL + "/admin.html")
	fac.waitJS("the admin login in "+lang, isLang+` && !document.querySelector('#login').hidden`)
	fac.checkNoForeignText("admin login", foreign)
	fac.typeInto("#admin-key", adminKey)
	fac.click("#admin-login")
	fac.waitJS("the admin app", `!document.querySelector('#admin-app').hidden && document.querySelectorAll('#exercises-table tr[data-exercise]').length > 0`)
	fac.checkNoForeignText("admin", foreign)

	// Join: the join page is in the language too, its title from the
	// server's first byte for a browser that asks for the language.
	ana.acceptLanguage(tag)
	ana.navigate(s.URL + "/")
	ana.waitJS("the join page in "+lang, isLang+` && document.querySelector('#language-picker')?.value === `+js(lang))
	ana.checkTitles(lang, "/", "ui.join.title")
	ana.checkNoForeignText("join page", foreign)
	ana.checkAxe("join page")
	ana.typeInto("#join-code", info.Codes.Teams["co-csirt"])
	ana.typeInto("#join-name", anaName)
	ana.click("#join-submit")
	ana.waitLive("/trainee.html")
	ana.checkTitles(lang, "/trainee.html", "ui.trainee.page_title")
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	obs.joinTyped(s.URL, info.Codes.Observer, "")
	obs.waitLive("/observer.html")
	for _, p := range people {
		p.waitJS("the console in "+lang, isLang)
	}
	if href := evalJS[string](fac, `document.querySelector('#report-html').getAttribute('href')`); !strings.Contains(href, "lang="+lang) {
		t.Errorf("report link %q does not ask for the report in %s", href, lang)
	}

	// Start, jump to I01: the trainee reads it in the page's language.
	fac.click("#btn-start")
	fac.waitJS("status running", `document.querySelector('#status').dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.click("#btn-jump")
	ana.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	ana.click(`#inbox [data-inject="I01"]`)
	ana.waitJS("I01 in "+lang, `document.querySelector('#inject-detail').dataset.selectedInject === 'I01' && document.querySelector('#detail-title').textContent === `+js(translatedI01[lang]))
	if lang == "en" {
		if n := ana.count("#content-lang-toggle"); n != 0 {
			t.Errorf("the English page offers %d switches to the original, which it already shows", n)
		}
	} else {
		if got := evalJS[string](ana, `document.querySelector('#detail-title').getAttribute('lang') || ''`); got != "" {
			t.Errorf("the translated title carries lang=%q, want none (the page's language)", got)
		}
		// One click shows the original, marked as English; one more goes back.
		ana.click("#content-lang-toggle")
		ana.waitJS("I01 in English", `document.querySelector('#detail-title').textContent === `+js(i01Title)+
			` && document.querySelector('#detail-title').lang === 'en' && document.querySelector('#detail-body').lang === 'en' && document.querySelector('#content-lang-toggle').getAttribute('aria-pressed') === 'true'`)
		ana.checkNoForeignText("I01 in its original", foreign)
		ana.click("#content-lang-toggle")
		ana.waitJS("I01 in "+lang+" again", `document.querySelector('#detail-title').textContent === `+js(translatedI01[lang]))
	}
	ana.checkNoForeignText("I01", foreign)
	ana.checkAxe("I01")
	if lang != "en" {
		ana.shoot(shots, "i18n-"+lang+"-trainee")
	}

	// Respond: acknowledge; the facilitator sees it.
	ana.click(`#inject-detail [data-action="acknowledge"]`)
	ana.waitJS("ack expectation met", `document.querySelector('#detail-expectations li[data-expectation="ack"]').dataset.state === 'met'`)
	fac.waitJS("the acknowledgement in the timeline", `document.querySelector('#timeline li[data-type="team.action"]')`)
	fac.checkNoForeignText("running", foreign)
	fac.checkAxe("running")
	obs.waitJS("the acknowledgement in the observer's timeline", `document.querySelector('#timeline li[data-type="team.action"]')`)
	obs.checkNoForeignText("running", foreign)
	if lang != "en" {
		fac.shoot(shots, "i18n-"+lang+"-facilitator")
	}

	// End, with the confirmation in the language.
	fac.click("#btn-end")
	fac.waitJS("the end confirmation", `document.querySelector('#confirm-dialog').open`)
	fac.checkNoForeignText("end confirmation", foreign)
	fac.click("#confirm-ok")
	fac.waitJS("status ended", `document.querySelector('#status').dataset.status === 'ended' && document.querySelector('#ended-notice')`)
	fac.checkNoForeignText("ended", foreign)

	// Debrief: the trainee's results in the page's language.
	ana.waitJS("the debrief", `document.querySelector('#debrief-table tr[data-expectation="ack"]')?.dataset.outcome === 'met'`)
	ana.checkNoForeignText("debrief", foreign)
	ana.checkAxe("debrief")
	if lang != "en" {
		ana.shoot(shots, "i18n-"+lang+"-debrief")
	}

	// The picker switches the trainee's console to another language, which
	// stays the trainee's choice (the page's start language is set anew on
	// every load, as a join page choice would be).
	other := map[string]string{"en": "fr", "es": "pt", "pt": "es", "fr": "en"}[lang]
	otherTag := map[string]string{"en": "en", "es": "es", "pt": "pt-BR", "fr": "fr"}[other]
	ana.choose("#language-picker", other)
	ana.waitJS("the console in "+other, fmt.Sprintf(`document.documentElement.lang === %s && document.querySelector('#debrief-table tr[data-expectation="ack"]')`, js(otherTag)))
	ana.navigate(s.URL + "/trainee.html")
	ana.waitJS("the console still in "+other, fmt.Sprintf(`document.documentElement.lang === %s && document.querySelector('#language-picker')?.value === %s`, js(otherTag), js(other)))
	want := i18n.T(i18n.Lang(other), "ui.trainee.page_title") + " — cmesim"
	if got := ana.servedTitle("/trainee.html", true); got != want {
		t.Errorf("after picking %s the trainee page arrives titled %q, want %q", other, got, want)
	}

	// The report the facilitator downloads is in the language.
	reportLang := evalJS[string](fac, `fetch(document.querySelector('#report-html').href).then((r) => r.text()).then((h) => (/<html[^>]*\slang="([^"]+)"/.exec(h) || [])[1] || '')`)
	if !strings.HasPrefix(reportLang, lang) {
		t.Errorf("the report link gives a report in %q, want %s", reportLang, lang)
	}
	for _, p := range people {
		p.checkProblems()
	}
}

// TestE2EReasonsInLanguage plays a wrong classification and the miss that
// follows in Spanish: the trainee reads the miss's reason in Spanish on its
// expectation and in its timeline, without the expected answer, and the
// facilitator reads the wrong answer's reason, expected answer included,
// in Spanish. It saves screenshots of the trainee's console.
func TestE2EReasonsInLanguage(t *testing.T) {
	s := startE2E(t)
	info := s.createExercise(t)
	shots := shotsDir(t)
	people := openFirstInject(t, s.URL, info, "es")
	fac, ana := people[0], people[1]

	// A wrong classification (both parts), sent as the console sends commands.
	status := evalJS[int](ana, fmt.Sprintf(`fetch('/api/exercises/' + %s + '/commands', { method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ type: 'command', command: { type: 'classify', inject: 'I01', category: 'malicious-code/infected-system', severity: 'low' } }) }).then((r) => r.status)`, js(info.ID)))
	if status != 200 {
		t.Fatalf("the classification was refused: %d", status)
	}
	// Categories are said by their label in the scenario's taxonomy.
	category := func(class, typ string) string {
		return i18n.T(i18n.Spanish, taxonomy.LabelKey(taxonomy.Default, class, typ))
	}
	wrong := i18n.T(i18n.Spanish, "reason.wrong_classification", "category", category("malicious-code", "infected-system"), "expected_category", category("fraud", "phishing"),
		"severity", i18n.T(i18n.Spanish, "severity.low"), "expected_severity", i18n.T(i18n.Spanish, "severity.high"))
	fac.waitJS("the wrong answer's reason in Spanish", `[...document.querySelectorAll('#timeline li[data-type="expectation.wrong"]')].some((li) => li.textContent.includes(`+js(wrong)+`))`)

	// The facilitator jumps until the classification falls due; staff read
	// the miss with the wrong answer.
	reason := i18n.T(i18n.Spanish, "reason.deadline_after_wrong")
	staffMiss := `[...document.querySelectorAll('#timeline li[data-type="expectation.missed"]')].some((li) => li.textContent.includes(` +
		js(i18n.T(i18n.Spanish, "reason.deadline_after_wrong_detail", "reason", wrong)) + `))`
	for i := 0; !evalJS[bool](fac, staffMiss); i++ {
		if i == 10 {
			t.Fatal("the classification did not fall due after 10 jumps")
		}
		// The timeline draws the newest entries only: count by seq.
		newest := `Number(document.querySelector('#timeline li[data-seq]')?.dataset.seq || 0)`
		seen := evalJS[int](fac, newest)
		fac.waitJS("the jump button", `!document.querySelector('#btn-jump').disabled`)
		fac.click("#btn-jump")
		// A jump past a human team's deadline asks first.
		fac.waitJS("the jump or its confirmation", fmt.Sprintf(`%s > %d || document.querySelector('#confirm-dialog').open`, newest, seen))
		if evalJS[bool](fac, `document.querySelector('#confirm-dialog').open`) {
			fac.click("#confirm-ok")
		}
		fac.waitJS("the jump's events", fmt.Sprintf(`%s > %d`, newest, seen))
	}
	ana.waitJS("the miss's reason in Spanish", `document.querySelector('#detail-expectations li[data-expectation="classify"]')?.dataset.state === 'missed'`+
		` && document.querySelector('#detail-expectations li[data-expectation="classify"] .exp-reason')?.textContent.includes(`+js(reason)+`)`+
		` && [...document.querySelectorAll('#timeline li[data-type="expectation.missed"]')].some((li) => li.textContent.includes(`+js(reason)+`))`)
	page := evalJS[string](ana, `document.body.innerText`)
	for _, leak := range []string{"fraud/phishing", "se esperaba", "expected", "deadline passed"} {
		if strings.Contains(page, leak) {
			t.Errorf("the trainee's console shows %q:\n%.3000s", leak, page)
		}
	}
	ana.checkAxe("a missed expectation")
	ana.do(chromedp.EmulateViewport(deskW, deskH))
	ana.shootReason(shots, "reason-es-trainee", deskW, deskH)
	ana.shootReason(shots, "reason-es-trainee", phoneW, phoneH)
	for _, p := range people {
		p.checkProblems()
	}
}

// shootReason saves a screenshot of the trainee's console at width×height
// with the missed expectation in view.
func (p *person) shootReason(dir, name string, width, height int64) {
	p.t.Helper()
	p.do(chromedp.EmulateViewport(width, height))
	evalJS[bool](p, `new Promise((done) => { document.querySelector('#detail-expectations li[data-expectation="classify"]').scrollIntoView({ block: 'center' }); requestAnimationFrame(() => requestAnimationFrame(() => done(true))); })`)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%dx%d.png", name, width, height)), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	if evalJS[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
		p.t.Errorf("%s: %s scrolls sideways at %d×%d", p.name, name, width, height)
	}
	p.do(chromedp.EmulateViewport(deskW, deskH))
}
