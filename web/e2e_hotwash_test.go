package web_test

import (
	"slices"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/browser"
)

// TestE2EHotWash plays the closing phase in Chromium: after the end an
// evaluator still judges a team's publish and the facilitator sees the
// score change; the facilitator opens the hot wash, a trainee answers it in
// Spanish, and the facilitator sees the average and the text.
func TestE2EHotWash(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	rig := startClosingRig(t, judgedYAML(t), "Fran")
	s, info, control, ana := rig.s, rig.info, rig.control, rig.ana
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "evaluator")
	fac, eva := people[0], people[1]
	luz := newPeopleIn(t, root, "es", "co-csirt trainee")[0]
	shots := shotsDir(t)
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	eva.joinTyped(s.URL, info.Codes.Evaluator, "Eva")
	eva.waitLive("/observer.html")
	luz.joinTyped(s.URL, info.Codes.Teams[co], "Luz")
	luz.waitLive("/trainee.html")

	steps.step("the team publishes, the facilitator ends the exercise")
	control.mustAck(t, cmd{"type": "start"})
	control.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Do not open e-mails from nomina-minfin[.]com."})
	item := `#judge-queue li.judge-item[data-key="I01.publish@co-csirt"]`
	eva.waitJS("the answer in the queue", `!!document.querySelector(`+js(item+` .judge-text`)+`)`)
	control.mustAck(t, cmd{"type": "end"})
	fac.waitJS("the end", `document.querySelector('#status')?.dataset.status === 'ended'`)
	eva.waitJS("the end", `document.querySelector('#status')?.dataset.status === 'ended'`)

	steps.step("the evaluator judges after the end")
	score := `#team-grid tr[data-team="co-csirt"] .score`
	fac.waitJS("the provisional score", `document.querySelector(`+js(score)+`).dataset.provisional === '10'`)
	eva.click(item + ` input[value="partly"]`)
	eva.click(item + " .judge-submit")
	eva.waitJS("the item judged", `document.querySelector(`+js(`#judge-done li.judge-item[data-key="I01.publish@co-csirt"]`)+`)?.dataset.state === 'judged'`)
	fac.waitJS("the judged score", `document.querySelector(`+js(score)+`).dataset.provisional === '0' && document.querySelector(`+js(score)+`).dataset.score === '5'`)

	steps.step("the facilitator opens the hot wash")
	fac.waitJS("the open button", `!document.querySelector('#hotwash').hidden && !!document.querySelector('#btn-hotwash')`)
	fac.checkAxe("hot wash not open yet")
	fac.click("#btn-hotwash")
	fac.waitJS("the results panel", `!!document.querySelector('#hotwash-count')`)

	steps.step("a trainee answers in Spanish")
	luz.waitJS("the survey form", `!document.querySelector('#hotwash').hidden && !!document.querySelector('#hotwash-form')`)
	if got := luz.text(`#hotwash-form [data-question="structured"] legend`); got != "El ejercicio estuvo bien estructurado." {
		t.Errorf("the first question reads %q, want it in Spanish", got)
	}
	// The form asks the engine's questions, in its order, and no others.
	var want []string
	for _, q := range engine.HotWashQuestions {
		want = append(want, q.ID)
	}
	if got := evalJS[[]string](luz, `[...document.querySelectorAll('#hotwash-form [data-question]')].map((e) => e.dataset.question)`); !slices.Equal(got, want) {
		t.Errorf("the form asks %v, want the engine's questions %v", got, want)
	}
	luz.checkAxe("the hot wash form")
	luz.shoot(shots, "hotwash-trainee")
	luz.click(`#hotwash-form [data-question="structured"] input[value="4"] + label`)
	luz.click(`#hotwash-form [data-question="realistic"] input[value="3"] + label`)
	const strength = "La coordinación con el ministerio fue muy clara."
	luz.typeInto(`#hotwash-form [data-question="strengths"] textarea`, strength)
	luz.click("#hotwash-submit")
	luz.waitJS("the thanks", `!!document.querySelector('#hotwash-sent')`)

	steps.step("the facilitator sees the answer")
	structured := `#hotwash-ratings li[data-question="structured"]`
	fac.waitJS("the average", `document.querySelector(`+js(structured)+`)?.dataset.average === '4' && document.querySelector(`+js(structured)+`)?.dataset.count === '1'`)
	if got := fac.text(`.hw-texts[data-question="strengths"]`); !strings.Contains(got, strength) {
		t.Errorf("the facilitator reads the strengths as %q", got)
	}
	if got := fac.text("#hotwash-count"); !strings.Contains(got, "1") {
		t.Errorf("the answer count reads %q", got)
	}
	fac.checkAxe("hot wash results")
	fac.shoot(shots, "hotwash-facilitator")
	luz.checkAxe("hot wash answered")
}
