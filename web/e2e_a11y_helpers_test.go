package web_test

// Accessibility and layout helpers of the browser tests: axe-core, run in
// the page, and screenshots at desktop and phone sizes.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeFile is axe-core's browser build, installed by `npm ci --prefix
// web/ui/_test` (scripts/test.sh runs it).
const axeFile = "ui/_test/node_modules/axe-core/axe.min.js"

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

// axeScript returns axe-core's source, or fails the test when it is not
// installed: a missing checker must not pass as a clean page.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(axeFile)
		axeSrc = string(b)
	})
	if axeErr != nil {
		t.Fatalf("axe-core is not installed (%v): run `npm ci --prefix web/ui/_test` (scripts/test.sh does)", axeErr)
	}
	return axeSrc
}

// axeViolation is one failed axe rule with the nodes it failed on.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe-core on p's page, with the label-in-name rule (WCAG
// 2.5.3) switched on, and returns its serious and critical violations.
// The script is evaluated over the DevTools protocol, which the page's CSP
// does not govern, as a <script src> would be.
const axeRun = `axe.run(document, {resultTypes: ['violations'], rules: {'label-content-name-mismatch': {enabled: true}}})
  .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
  })))`

// checkAxe fails the test for every serious or critical accessibility
// problem axe-core finds in p's page as it is now (state names it).
func (p *person) checkAxe(state string) {
	p.t.Helper()
	if !evalJS[bool](p, `typeof window.axe === 'object'`) {
		evalJS[bool](p, axeScript(p.t)+"\n;true")
	}
	for _, v := range evalJS[[]axeViolation](p, axeRun) {
		p.t.Errorf("%s, %s: axe %s (%s): %s\n\t%s", p.name, state, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// Screen sizes of the screenshots and layout checks.
const (
	deskW, deskH   = 1440, 900
	phoneW, phoneH = 390, 844
)

// shoot saves screenshots of p's page at desktop and phone size as
// NAME-1440x900.png and NAME-390x844.png, and fails if the page scrolls
// sideways at either size.
func (p *person) shoot(dir, name string) {
	p.t.Helper()
	for _, size := range [][2]int64{{deskW, deskH}, {phoneW, phoneH}} {
		p.screenshot(dir, fmt.Sprintf("%s-%dx%d", name, size[0], size[1]), size[0], size[1])
		if evalJS[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			p.t.Errorf("%s: %s scrolls sideways at %d×%d (scrollWidth %d); wider than the window: %v", p.name, name, size[0], size[1],
				evalJS[int](p, `document.documentElement.scrollWidth`), evalJS[[]string](p, tooWide))
		}
	}
	p.do(chromedp.EmulateViewport(deskW, deskH))
}

// tooWide names the outermost elements that reach past the window's right
// edge (also inside scrollers, which an absolutely placed child can escape),
// for a failure message.
const tooWide = `[...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
  .filter((el, _, all) => !all.includes(el.parentElement)).slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right))`

// scenarioWithExtras is the example scenario with three more injects: I09
// for both teams on the facilitator's release, and I10 and I11 for
// colCERT at fixed times (so the scheduled list has several rows).
func scenarioWithExtras(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	return string(src) + `
  - id: I09
    title: Regional alert from the network coordinator
    trigger:
      release: facilitator
    channel: email
    from: mintic
    to: [group:andean]
    body: The coordinator asks every team for a status update.
  - id: I10
    title: Press enquiry
    at: "01:30"
    channel: phone
    from: mintic
    to: [co-csirt]
    body: A journalist asks about the phishing wave.
  - id: I11
    title: Second press enquiry
    at: "01:40"
    channel: phone
    from: mintic
    to: [co-csirt]
    body: Another journalist calls.
`
}

// shotsDir is where the screenshots of the console tests go:
// $CMESIM_SCREENSHOTS, or a temporary directory.
func shotsDir(t *testing.T) string {
	t.Helper()
	dir := screenshotDir(t)
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
