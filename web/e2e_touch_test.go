package web_test

// Browser test of a tap on a list that changes under the finger: a touch
// has no hover, and its click comes after the finger lifts (after
// pointerup and pointerleave, as a later input event), so a list that
// caught up at the lift would move another row under the click.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"cmesim/engine"
	"cmesim/internal/browser"
)

// TestE2EJudgeTap: Eva judges on a phone. Her finger is on "Partly" of
// PeCERT's answer, below colCERT's, when Vic's judgement of colCERT's
// arrives; colCERT's answer stays until her tap has landed, so her tap
// rates PeCERT's answer (not colCERT's, which would have moved up under
// her finger), and then it moves to the judged ones.
func TestE2EJudgeTap(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	shots := shotsDir(t)
	// I01, whose publish is judged, to PeCERT as well as colCERT.
	yaml := strings.Replace(judgedYAML(t), "\n    to: [co-csirt]\n", "\n    to: [co-csirt, pe-csirt]\n", 1)
	if !strings.Contains(yaml, "to: [co-csirt, pe-csirt]") {
		t.Fatal("the example scenario's I01 is no longer for colCERT alone")
	}
	rig := startClosingRig(t, yaml, "Fran")
	s, info, control, ana := rig.s, rig.info, rig.control, rig.ana
	api := &testServer{Server: s.Server, URL: s.URL}
	pia := dial(t, join(t, api, info.Codes.Teams[pe], "Pia"), info.ID, 0)
	vic := dial(t, join(t, api, info.Codes.Evaluator, "Vic"), info.ID, 0)
	eva := newPeople(t, browser.New(t), "evaluator")[0]
	eva.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	eva.joinTyped(s.URL, info.Codes.Evaluator, "Eva")
	eva.waitLive("/observer.html")

	steps.step("two teams publish")
	control.mustAck(t, cmd{"type": "start"})
	control.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	pia.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Do not open e-mails from nomina-minfin[.]com."})
	pia.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Bloqueen el dominio nomina-minfin[.]com."})
	coItem := `#judge-queue li.judge-item[data-key="I01.publish@co-csirt"]`
	peItem := `#judge-queue li.judge-item[data-key="I01.publish@pe-csirt"]`
	peLabel := peItem + ` label.judge-rating-partly`
	eva.waitJS("both answers in the queue, colCERT's first", `(() => {
		const items = [...document.querySelectorAll('#judge-queue li.judge-item')].map((li) => li.dataset.key);
		return items.length === 2 && items[0] === 'I01.publish@co-csirt';
	})()`)

	steps.step("Eva's finger on PeCERT's Partly; Vic judges colCERT's answer")
	evalJS[bool](eva, `(document.querySelector(`+js(peLabel)+`).scrollIntoView({ block: 'center' }), true)`)
	at := evalJS[map[string]float64](eva, `(() => { const r = document.querySelector(`+js(peLabel)+`).getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`)
	touch(eva, input.DispatchTouchEventTypeTouchStart, at["x"], at["y"])
	vic.mustAck(t, cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "met"})
	eva.waitJS("Vic's judgement shown", `document.querySelector('li.judge-item[data-key="I01.publish@co-csirt"]')?.dataset.state === 'judged'`)
	if !evalJS[bool](eva, `!!document.querySelector('#judge-queue').contains(document.querySelector(`+js(coItem)+`))`) {
		t.Fatal("colCERT's answer left the queue during the press: PeCERT's moved up from under the finger")
	}

	steps.step("the finger lifts: the tap rates PeCERT's answer, then colCERT's moves")
	touch(eva, input.DispatchTouchEventTypeTouchEnd, 0, 0)
	eva.waitJS("colCERT's answer among the judged", `document.querySelector('#judge-done li.judge-item[data-key="I01.publish@co-csirt"]')`)
	got := evalJS[map[string]any](eva, `(() => {
		const checked = [...document.querySelectorAll('li.judge-item input[type=radio]:checked')];
		return { checked: checked.map((i) => i.closest('li.judge-item').dataset.key + ':' + i.value).join(' ') };
	})()`)
	if got["checked"] != "I01.publish@pe-csirt:partly" {
		t.Errorf("after the tap the ratings chosen are %q, want PeCERT's Partly alone", got["checked"])
	}
	eva.checkAxe("the judging queue on a phone after a tap")
	eva.shootSection(shots, "evaluator-judge-tap", peItem)
	eva.checkProblems()
}

// touch dispatches a touch event to p's page: a finger down at (x, y), or
// (TouchEnd) lifted.
func touch(p *person, kind input.DispatchTouchEventType, x, y float64) {
	p.t.Helper()
	params := input.DispatchTouchEventParams{Type: kind, TouchPoints: []*input.TouchPoint{}}
	if kind != input.DispatchTouchEventTypeTouchEnd {
		params.TouchPoints = []*input.TouchPoint{{X: x, Y: y}}
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, input.DispatchTouchEvent, params); err != nil {
		p.t.Fatalf("%s: %s: %v\n%s", p.name, kind, err, p.diag())
	}
}
