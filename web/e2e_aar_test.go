package web_test

import (
	"fmt"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/browser"
)

// TestE2EAAR plays the end of an exercise in Chromium: the facilitator,
// as lead evaluator, edits the drafted AAR/IP (deletes a strength, adds an
// area for improvement and a corrective action for PeCERT) and the report
// then shows the edit; a PeCERT trainee reads the team report from the
// console and sees PeCERT's plan item and nothing of colCERT's answer.
func TestE2EAAR(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	rig := startClosingRig(t, judgedYAML(t), "Control")
	s, info, control, ana := rig.s, rig.info, rig.control, rig.ana
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "pe-csirt trainee")
	fac, luis := people[0], people[1]
	shots := shotsDir(t)
	fac.joinTyped(s.URL, info.Codes.Facilitator, "Fran")
	fac.waitLive("/facilitator.html")
	luis.joinTyped(s.URL, info.Codes.Teams[pe], "Luis")
	luis.waitLive("/trainee.html")

	steps.step("colCERT publishes, the exercise ends")
	control.mustAck(t, cmd{"type": "start"})
	control.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	const secret = "Do not open e-mails from nomina-minfin[.]com."
	ana.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": secret})
	if fac.count("#aar:not([hidden])") != 0 {
		t.Error("the AAR/IP panel shows during play")
	}
	control.mustAck(t, cmd{"type": "end"})

	steps.step("the lead evaluator edits the drafted AAR/IP")
	fac.waitJS("the AAR/IP editor", `!document.querySelector('#aar').hidden && !!document.querySelector('#aar-form')`)
	fac.checkAxe("AAR/IP draft")
	strengths := fac.count("#aar-strengths li.aar-entry")
	if strengths > 0 {
		fac.click("#aar-strengths li.aar-entry button")
		fac.waitJS("the strength deleted", fmt.Sprintf(`document.querySelectorAll('#aar-strengths li.aar-entry').length === %d`, strengths-1))
	}
	areas := fac.count("#aar-improvements li.aar-entry")
	fac.click("#aar-add-improvements")
	fac.waitJS("a new area", fmt.Sprintf(`!!document.querySelector('#aar-improvements-%d-text')`, areas))
	const area = "PeCERT received I01 but never acknowledged it."
	fac.typeInto(fmt.Sprintf("#aar-improvements-%d-text", areas), area)
	fac.choose(fmt.Sprintf("#aar-improvements-%d-prio", areas), "high")
	areaID := evalJS[string](fac, fmt.Sprintf(`document.querySelectorAll('#aar-improvements li.aar-entry')[%d].dataset.id`, areas))

	actions := fac.count("#aar-plan li.aar-item")
	fac.click("#aar-add-plan")
	p := fmt.Sprintf("#aar-plan-%d", actions)
	fac.waitJS("a new action", `!!document.querySelector(`+js(p+"-action")+`)`)
	const action = "Staff a 24/7 intake desk at PeCERT."
	fac.choose(p+"-capability", "detection")
	fac.choose(p+"-area", areaID)
	fac.typeInto(p+"-action", action)
	fac.choose(p+"-organisation", pe)
	if fac.count(p+`-organisation option[value="ec-csirt"]`) != 0 {
		t.Error("the organisations offer a simulated team")
	}
	fac.typeInto(p+"-contact", "Luis Rojas, PeCERT duty manager")
	setDate := func(sel, value string) {
		evalJS[bool](fac, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, js(sel), js(value)))
	}
	setDate(p+"-start", "2026-04-01")
	setDate(p+"-completion", "2026-07-31")
	fac.choose(p+"-status", "in_progress")
	fac.click("#aar-save")
	fac.waitJS("the AAR/IP saved", `document.querySelector('#aar-save').dataset.state === 'done'`)
	fac.checkAxe("AAR/IP edited")
	fac.shoot(shots, "aar-editor")

	steps.step("the report shows the edit")
	report := evalJS[string](fac, fmt.Sprintf(`fetch('/api/exercises/%s/report?format=html').then((r) => r.text())`, info.ID))
	for _, want := range []string{"Edited by the lead evaluator, Fran", action, area, "Luis Rojas, PeCERT duty manager", "2026-07-31", "In progress"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}

	steps.step("a PeCERT trainee reads the team report")
	luis.waitJS("the end", `document.querySelector('#status')?.dataset.status === 'ended'`)
	luis.click("#btn-debrief")
	luis.waitJS("the team report link", `!!document.querySelector('#team-report-link')`)
	luis.checkAxe("debrief with the team report link")
	href := evalJS[string](luis, `document.querySelector('#team-report-link').href`)
	luis.navigate(href)
	luis.waitJS("the team report", `document.body.textContent.includes('Team report: PeCERT')`)
	page := luis.text("body")
	if !strings.Contains(page, action) {
		t.Errorf("PeCERT's report lacks its corrective action")
	}
	for _, leak := range []string{secret, "nomina-minfin", "colCERT published"} {
		if strings.Contains(page, leak) {
			t.Errorf("PeCERT's report shows %q", leak)
		}
	}
	if n := luis.count(`#scorecards article.team`); n > 1 {
		t.Errorf("PeCERT's report has %d scorecards", n)
	}
	luis.checkAxe("team report")
	luis.shoot(shots, "team-report")
}
