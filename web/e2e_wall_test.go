package web_test

// Browser test of the news and social wall: a team misses the public
// statement a newspaper story asks for, and the pressure post appears on
// its wall; a team of another country never sees either; the facilitator
// posts live to one country.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/web"
)

// jumpOn moves the clock to the next scheduled item from the facilitator's
// console, confirming when the jump would expire human items.
func (p *person) jumpOn() {
	p.t.Helper()
	evalJS[bool](p, `(() => { document.querySelector('#btn-jump').dataset.state = ''; return true; })()`)
	p.click("#btn-jump")
	p.waitJS("the jump done or its confirmation", `document.querySelector('#confirm-dialog')?.open || document.querySelector('#btn-jump').dataset.state === 'done'`)
	if evalJS[bool](p, `!!document.querySelector('#confirm-dialog')?.open`) {
		p.click("#confirm-ok")
		p.waitJS("the confirmed jump done", `document.querySelector('#btn-jump').dataset.state === 'done'`)
	}
	p.waitJS("the jump button back", `!document.querySelector('#btn-jump').disabled`)
}

// TestE2EWall: colCERT (reading in Spanish) gets the newspaper story on
// its wall, in Spanish with the original one click away; it stays silent,
// the facilitator moves the clock past the deadline, and the
// #ApagónNacional post appears at the top of colCERT's wall with its
// figures. PeCERT sees only the Peruvian story; the facilitator sees every
// post with the teams it reached and posts live to Colombia.
func TestE2EWall(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	src, err := os.ReadFile(wallYAML)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateExercise(web.CreateRequest{YAML: string(src), Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		t.Fatalf("CreateExercise: %v", err)
	}
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "pe-csirt trainee")
	fac, pedro := people[0], people[1]
	ana := newPeopleIn(t, root, "es", "co-csirt trainee")[0]
	people = append(people, ana)
	shots := shotsDir(t)

	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	ana.joinTyped(s.URL, info.Codes.Teams["co-csirt"], "Ana Gómez")
	ana.waitLive("/trainee.html")
	pedro.joinTyped(s.URL, info.Codes.Teams["pe-csirt"], "Pedro Quispe")
	pedro.waitLive("/trainee.html")
	for _, p := range people {
		p.waitJS("the empty wall", `document.querySelector('#wall #wall-empty') && !document.querySelector('#wall-empty').hidden`)
	}

	steps.step("start; the newspaper story on colCERT's wall, in Spanish")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.jumpOn()
	ana.waitJS("W01 on the wall", `document.querySelector('#wall-list article[data-inject="W01"]')`)
	if got := ana.text(`#wall-list article[data-inject="W01"] .wall-title`); got != "Hackers paralizan al operador de la red" {
		t.Errorf("W01's headline on colCERT's wall = %q, want the Spanish translation", got)
	}
	if got := ana.text(`#wall-list article[data-inject="W01"] .wall-head`); !strings.Contains(got, "La Crónica Andina") || !strings.Contains(got, "Redacción Tecnología") || !strings.Contains(got, "T+0:05") {
		t.Errorf("W01's byline = %q, want outlet, author and time", got)
	}
	if got := ana.text(`#wall-list article[data-inject="W01"] .wall-reach`); !strings.Contains(got, "85") || !strings.Contains(got, "personas alcanzadas") {
		t.Errorf("W01's reach = %q, want 85 mil personas alcanzadas", got)
	}
	ana.click("#wall-lang-toggle")
	ana.waitJS("the original", `document.querySelector('#wall-list article[data-inject="W01"]').dataset.lang === 'en'`)
	if got := ana.text(`#wall-list article[data-inject="W01"] .wall-title`); got != "Hackers paralyse the grid operator" {
		t.Errorf("the original headline = %q", got)
	}
	ana.click("#wall-lang-toggle")
	ana.waitJS("Spanish again", `document.querySelector('#wall-list article[data-inject="W01"]').dataset.lang === 'es'`)

	steps.step("colCERT stays silent: the clock passes the deadline, the pressure post arrives")
	for i := 0; i < 8 && !evalJS[bool](ana, `!!document.querySelector('#wall-list article[data-inject="W02"]')`); i++ {
		fac.jumpOn()
	}
	ana.waitJS("W02 at the top of the wall", `document.querySelector('#wall-list article')?.dataset.inject === 'W02'`)
	if got := ana.text(`#wall-list article[data-inject="W02"]`); !strings.Contains(got, "#ApagónNacional es tendencia") || !strings.Contains(got, "@ApagonYa") || !strings.Contains(got, "Chirper") {
		t.Errorf("the pressure post = %q, want the Spanish headline, the handle and the platform", got)
	}
	if got := evalJS[string](ana, `document.querySelector('#wall-list article[data-inject="W02"] .wall-engagement').dataset.value`); got != "18400" {
		t.Errorf("engagement = %q, want 18400", got)
	}
	if ana.count(`#wall-list article[data-inject="W03"]`) != 0 {
		t.Error("colCERT got the calming story without publishing")
	}
	ana.checkAxe("wall with the pressure post")
	ana.shoot(shots, "trainee-wall")
	ana.shootWall(shots, "trainee-wall-panel")

	steps.step("the facilitator's wall: every post with the teams it reached")
	fac.waitJS("W02 on the facilitator's wall", `document.querySelector('#wall-list article[data-inject="W02"] .wall-teams')`)
	if got := fac.text(`#wall-list article[data-inject="W01"] .wall-teams`); !strings.Contains(got, "colCERT") || !strings.Contains(got, "CSIRT Energía") {
		t.Errorf("W01 reached %q on the facilitator's wall, want both Colombian teams", got)
	}

	steps.step("the facilitator posts live to Colombia")
	fac.click("#wall .wall-compose summary")
	fac.choose("#wall-to", "country:CO")
	fac.typeInto("#wall-outlet", "Radio Nacional")
	fac.typeInto("#wall-author", "@minenergia")
	fac.typeInto("#wall-title", "Minister: no blackout is planned")
	fac.typeInto("#wall-body", "The minister of energy rules out cuts.")
	fac.typeInto("#wall-reach", "120000")
	fac.checkAxe("wall with the post form")
	fac.click("#wall-submit")
	fac.waitJS("posted", `document.querySelector('#wall-submit').dataset.state === 'done' && document.querySelector('#wall-list article')?.dataset.inject === 'adhoc-1'`)
	ana.waitJS("the live post on colCERT's wall", `document.querySelector('#wall-list article')?.dataset.inject === 'adhoc-1'`)
	if got := ana.text(`#wall-list article[data-inject="adhoc-1"] .wall-head`); !strings.Contains(got, "Radio Nacional") || !strings.Contains(got, "@minenergia") {
		t.Errorf("the live post's byline = %q", got)
	}
	fac.shootWall(shots, "facilitator-wall")

	steps.step("PeCERT's wall has only the Peruvian story")
	fac.barrier()
	pedro.waitJS("the resume after the post", `document.querySelector('#timeline li[data-type="exercise.resumed"]')`)
	if got := evalJS[[]string](pedro, `[...document.querySelectorAll('#wall-list article')].map((a) => a.dataset.inject)`); strings.Join(got, ",") != "W04" {
		t.Errorf("PeCERT's wall = %v, want only W04", got)
	}
	pedro.checkAxe("wall of another country")

	for _, p := range people {
		p.checkProblems()
	}
}

// shootWall saves screenshots of p's page at desktop and phone size with
// the wall scrolled into view, as NAME-1440x900.png and NAME-390x844.png.
func (p *person) shootWall(dir, name string) {
	p.t.Helper()
	for _, size := range [][2]int64{{deskW, deskH}, {phoneW, phoneH}} {
		p.do(chromedp.EmulateViewport(size[0], size[1]))
		evalJS[bool](p, `new Promise((done) => { document.querySelector('#wall').scrollIntoView({block: 'start'}); requestAnimationFrame(() => requestAnimationFrame(() => done(true))); })`)
		ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%dx%d.png", name, size[0], size[1])), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
		if evalJS[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			p.t.Errorf("%s: %s scrolls sideways at %d×%d", p.name, name, size[0], size[1])
		}
	}
	p.do(chromedp.EmulateViewport(deskW, deskH))
}
