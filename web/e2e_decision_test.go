package web_test

// Browser test of decision points: two trainees of colCERT vote on
// escalating to the presidency, the facilitator sees their votes live and
// forces PeCERT's choice, the vote closes at its deadline and the inject
// the chosen path releases reaches colCERT only.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

const decisionYAML = "../testdata/scenarios/e2e/decision.yaml"

// TestE2EDecision: Ana and Luis (colCERT) each vote to escalate; the
// facilitator sees two votes for escalate on colCERT's card and forces
// "wait" for PeCERT, whose trainee sees the facilitator's choice; at the
// deadline colCERT's vote escalates, and I02 (the escalation path) reaches
// colCERT, not PeCERT, which gets I03.
func TestE2EDecision(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info := s.createFrom(t, decisionYAML, "co-csirt", "pe-csirt")
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "co-csirt trainee Ana", "co-csirt trainee Luis", "pe-csirt trainee")
	fac, ana, luis, pedro := people[0], people[1], people[2], people[3]
	shots := shotsDir(t)
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	for _, p := range []struct {
		who  *person
		team string
		name string
	}{{ana, "co-csirt", "Ana Gómez"}, {luis, "co-csirt", "Luis Pardo"}, {pedro, "pe-csirt", "Pedro Quispe"}} {
		p.who.joinTyped(s.URL, info.Codes.Teams[p.team], p.name)
		p.who.waitLive("/trainee.html")
	}

	steps.step("start; the decision card reaches every trainee")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.jumpOn()
	const coCard = `#decisions article.decision-card[data-decision="D1"][data-team="co-csirt"]`
	const peCard = `#decisions article.decision-card[data-decision="D1"][data-team="pe-csirt"]`
	for _, p := range []*person{ana, luis} {
		p.waitJS("the open D1 card", `document.querySelector('`+coCard+`[data-state="open"]')`)
	}
	pedro.waitJS("PeCERT's open D1 card", `document.querySelector('`+peCard+`[data-state="open"]')`)
	if got := ana.text(coCard + ` .decision-prompt`); got != "Do you escalate the crisis to the President's office now?" {
		t.Errorf("the prompt = %q", got)
	}
	if n := ana.count(coCard + ` input.decision-choice`); n != 2 {
		t.Errorf("%d choices on the card, want 2", n)
	}

	steps.step("Ana and Luis vote to escalate; the facilitator sees the votes")
	ana.click(coCard + ` input.decision-choice[data-choice="wait"]`)
	ana.click(coCard + ` .decision-submit`)
	ana.waitJS("Ana's vote counted", `document.querySelector('`+coCard+` .decision-votes li[data-choice="wait"]')?.dataset.votes === '1'`)
	// Luis picks his choice before Ana changes her vote: her vote reaching
	// his page must not take the radio he is on from under him.
	luisEscalate := coCard + ` input.decision-choice[data-choice="escalate"]`
	luis.click(luisEscalate)
	luis.waitJS("Luis's pick", `document.querySelector('`+luisEscalate+`').checked`)
	ana.click(coCard + ` input.decision-choice[data-choice="escalate"]`)
	ana.click(coCard + ` .decision-submit`)
	luis.waitJS("Ana's changed vote on Luis's card", `document.querySelector('`+coCard+` .decision-votes li[data-choice="escalate"]')?.dataset.votes === '1' && document.querySelector('`+coCard+` .decision-votes li[data-choice="wait"]')?.dataset.votes === '0'`)
	if !evalJS[bool](luis, `document.activeElement === document.querySelector('`+luisEscalate+`') && document.activeElement.checked`) {
		t.Error("Ana's vote took Luis off the radio he had picked (focus or choice lost)")
	}
	luis.click(coCard + ` .decision-submit`)
	fac.waitJS("two votes for escalate on colCERT's card", `document.querySelector('`+coCard+` .decision-votes li[data-choice="escalate"]')?.dataset.votes === '2' && document.querySelector('`+coCard+` .decision-votes li[data-choice="wait"]')?.dataset.votes === '0'`)
	ana.waitJS("Ana sees both votes", `document.querySelector('`+coCard+` .decision-votes li[data-choice="escalate"]')?.dataset.votes === '2'`)
	ana.checkAxe("the decision card with votes")
	ana.shootSection(shots, "trainee-decision", "#decisions")
	fac.checkAxe("the facilitator's decisions")
	fac.shootSection(shots, "facilitator-decisions", "#decisions")
	voted := "Luis Pardo voted “Escalate to the President's office” on “Do you escalate the crisis to the President's office now?”"
	fac.waitJS("the vote on the timeline by its labels", `[...document.querySelectorAll('#timeline li')].some((li) => li.textContent.includes(`+js(voted)+`))`)
	fac.shootSection(shots, "facilitator-timeline-decisions", "#timeline")

	steps.step("the facilitator forces PeCERT's choice")
	fac.choose(peCard+` .decision-force select`, "wait")
	fac.click(peCard + ` .decision-force button`)
	pedro.waitJS("PeCERT's decision made by the facilitator", `document.querySelector('`+peCard+` .decision-result')?.dataset.cause === 'facilitator'`)
	if got := pedro.text(peCard + ` .decision-result`); !strings.Contains(got, "Handle it at agency level for now") {
		t.Errorf("PeCERT's result = %q", got)
	}

	steps.step("the vote closes at the deadline; I02 reaches colCERT")
	for i := 0; i < 6 && !evalJS[bool](ana, `!!document.querySelector('#inbox .inbox-item[data-inject="I02"]')`); i++ {
		fac.jumpOn()
	}
	ana.waitJS("colCERT's decision made by the vote", `document.querySelector('`+coCard+` .decision-result')?.dataset.cause === 'vote' && document.querySelector('`+coCard+` .decision-result').dataset.choice === 'escalate'`)
	ana.waitJS("I02 in colCERT's inbox", `document.querySelector('#inbox .inbox-item[data-inject="I02"]')`)
	fac.waitJS("the facilitator sees the result", `document.querySelector('`+coCard+` .decision-result')?.dataset.choice === 'escalate'`)
	fac.waitJS("I02 delivered on the facilitator's timeline", `[...document.querySelectorAll('#timeline li')].some((li) => li.textContent.includes('I02'))`)
	pedro.waitJS("I03 in PeCERT's inbox", `document.querySelector('#inbox .inbox-item[data-inject="I03"]')`)
	if pedro.count(`#inbox .inbox-item[data-inject="I02"]`) != 0 {
		t.Error("PeCERT got I02, the path it did not take")
	}
	ana.checkAxe("the decided card")
	ana.shootSection(shots, "trainee-decision-made", "#decisions")
	fac.shootSection(shots, "facilitator-decisions-made", "#decisions")

	for _, p := range people {
		p.checkProblems()
	}
}

// shootSection saves screenshots of p's page at desktop and phone size with
// the section sel scrolled into view, as NAME-1440x900.png and
// NAME-390x844.png, and fails if the page scrolls sideways.
func (p *person) shootSection(dir, name, sel string) {
	p.t.Helper()
	for _, size := range [][2]int64{{deskW, deskH}, {phoneW, phoneH}} {
		p.do(chromedp.EmulateViewport(size[0], size[1]))
		evalJS[bool](p, `new Promise((done) => { document.querySelector('`+sel+`').scrollIntoView({block: 'start'}); requestAnimationFrame(() => requestAnimationFrame(() => done(true))); })`)
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
