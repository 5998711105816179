package web_test

// Browser test of what the live status does to the controls people are
// using: the facilitator's keyboard stays on the controls as Pause and
// Resume turn each other off, a trainee who chose the briefing keeps it
// when an inject arrives, and a trainee typing a report when the exercise
// ends keeps the text, read-only, with a way to the results, which a
// reconnection does not take away.

import (
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

// caughtUpProbe counts, in window.__caughtUp, the caught_up messages of
// the WebSockets opened from now on, once the page has handled each (its
// own listener runs before the timeout).
const caughtUpProbe = `(() => {
  const Native = WebSocket;
  window.__caughtUp = 0;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (e) => { if (String(e.data).includes('"caught_up"')) setTimeout(() => { window.__caughtUp += 1; }); });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  return true;
})()`

// TestE2ELiveControls: the facilitator pauses and resumes from the
// keyboard without losing it, and releases I01 from the keyboard, its row
// staying under the keyboard until it leaves the list; Ana, who opened the briefing, is told of
// I01 instead of having it take the pane; she types a report, the
// facilitator ends the exercise, and her text stays to copy, her keyboard
// on the button to the results; a reconnection leaves the results shown.
func TestE2ELiveControls(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	shots := shotsDir(t)
	s := startE2E(t)
	info := s.createExercise(t)
	people := newPeople(t, browser.New(t), "facilitator", "co-csirt trainee")
	fac, ana := people[0], people[1]
	ana.joinTyped(s.URL, info.Codes.Teams["co-csirt"], anaName)
	ana.waitLive("/trainee.html")
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")

	steps.step("Ana opens the briefing herself")
	ana.click("#btn-briefing")
	ana.waitJS("the briefing", `document.querySelector('#inject-detail #briefing')`)

	steps.step("Pause and Resume from the keyboard: the keyboard stays on the controls")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-pause').disabled`)
	evalJS[bool](fac, `(document.querySelector('#btn-pause').focus(), document.activeElement.id === 'btn-pause')`)
	fac.do(chromedp.KeyEvent("\r"))
	fac.waitJS("paused, the pause acked", `document.body.dataset.status === 'paused' && document.querySelector('#btn-pause').dataset.state === 'done'`)
	if got := evalJS[string](fac, `document.activeElement.id || document.activeElement.tagName`); got != "btn-resume" {
		t.Errorf("after pausing from the keyboard the focus is on %q, want #btn-resume", got)
	}
	fac.do(chromedp.KeyEvent("\r"))
	fac.waitJS("running again, the resume acked", `document.body.dataset.status === 'running' && document.querySelector('#btn-resume').dataset.state === 'done'`)
	if got := evalJS[string](fac, `document.activeElement.id || document.activeElement.tagName`); got != "btn-pause" {
		t.Errorf("after resuming from the keyboard the focus is on %q, want #btn-pause", got)
	}

	steps.step("the keyboard releases I01 from the Injects panel; the list waits for it")
	rel := `#upcoming li[data-upcoming="I01"] [data-cmd="release"]`
	fac.waitJS("I01's Release on", `document.querySelector(`+js(rel)+`) && !document.querySelector(`+js(rel)+`).disabled`)
	if !evalJS[bool](fac, `(() => { const b = document.querySelector(`+js(rel)+`); b.focus(); return document.activeElement === b && b.matches(':focus-visible'); })()`) {
		t.Fatal("the keyboard is not on I01's Release (or does not show)")
	}
	fac.do(chromedp.KeyEvent("\r"))
	fac.waitJS("the release confirmation", `document.querySelector('#confirm-dialog').open && document.activeElement.id === 'confirm-ok'`)
	fac.do(chromedp.KeyEvent("\r"))
	fac.waitJS("the release acked", `document.querySelector(`+js(rel)+`)?.dataset.state === 'done'`)
	fac.waitJS("I01 delivered, its row kept under the keyboard", `document.querySelector('#upcoming li[data-upcoming="I01"]')?.classList.contains('gone') && !document.querySelector('#upcoming ~ .msel-held').hidden`)
	if got := evalJS[string](fac, `document.activeElement === document.querySelector(`+js(rel)+`) ? 'release' : (document.activeElement.id || document.activeElement.tagName)`); got != "release" {
		t.Errorf("after releasing I01 from the keyboard the focus is on %q, want I01's Release", got)
	}
	fac.checkAxe("the Injects panel held for the keyboard")
	fac.shootSection(shots, "facilitator-msel-held", "#upcoming")
	evalJS[bool](fac, `(document.querySelector('#btn-msel').focus(), true)`) // the keyboard leaves the list
	fac.waitJS("the list caught up", `!document.querySelector('#upcoming li[data-upcoming="I01"]') && document.querySelector('#upcoming ~ .msel-held').hidden`)

	steps.step("I01 arrives: Ana keeps the briefing she chose and is told")
	ana.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	ana.waitJS("I01 announced", `document.querySelector('#announce').textContent.includes('Suspicious e-mails')`)
	if !evalJS[bool](ana, `!!document.querySelector('#inject-detail #briefing') && !document.querySelector('#inject-detail').dataset.selectedInject`) {
		t.Error("I01 took the pane from the briefing Ana had opened")
	}

	steps.step("Ana types a report; the exercise ends under her")
	ana.click(`#inbox [data-inject="I01"]`)
	ana.waitJS("I01 open", `document.querySelector('#inject-detail').dataset.selectedInject === 'I01'`)
	ana.click(`#inject-detail [data-action="report"]`)
	const report = "Phishing wave: 14 staff clicked, credentials reset"
	ana.typeInto("#report-text", report)
	// The keyboard on a button that the end turns off.
	evalJS[bool](ana, `(document.querySelector('#inject-detail [data-action="acknowledge"]').focus(), true)`)
	fac.click("#btn-end")
	fac.waitJS("the end confirmation", `document.querySelector('#confirm-dialog').open`)
	fac.click("#confirm-ok")
	fac.waitJS("ended, the end acked", `document.body.dataset.status === 'ended' && document.querySelector('#btn-end').dataset.state === 'done'`)
	if !evalJS[bool](fac, `!!document.activeElement.closest('#reports')`) {
		t.Errorf("after the end the facilitator's focus is on %q, want the report links", evalJS[string](fac, `document.activeElement.id || document.activeElement.tagName`))
	}

	ana.waitJS("ended", `document.body.dataset.status === 'ended'`)
	ana.waitJS("the notice about the unsent text", `document.querySelector('#inject-detail #ended-unsent #ended-results')`)
	got := evalJS[map[string]any](ana, `(() => { const ta = document.querySelector('#report-text'); return {
		value: ta ? ta.value : null, readOnly: !!ta?.readOnly, disabled: !!ta?.disabled, visible: !!ta && ta.getClientRects().length > 0,
		debrief: !!document.querySelector('#debrief'), send: !!document.querySelector('#report-submit')?.disabled,
		focus: document.activeElement.id || document.activeElement.tagName }; })()`)
	if got["value"] != report || got["readOnly"] != true || got["disabled"] != false || got["visible"] != true {
		t.Errorf("Ana's report after the end: %v, want her text, visible and read-only (not disabled)", got)
	}
	if got["debrief"] != false || got["send"] != true {
		t.Errorf("after the end: %v, want no debrief over the text and nothing to send", got)
	}
	if got["focus"] != "ended-results" {
		t.Errorf("Ana's keyboard after the end is on %v, want the button to the results", got["focus"])
	}
	ana.checkAxe("the unsent text after the end")
	ana.shootSection(shots, "trainee-ended-unsent", "#ended-unsent")

	steps.step("Ana goes to the results; a reconnection leaves them")
	ana.click("#ended-results")
	ana.waitJS("the results", `document.querySelector('#debrief #debrief-score')`)
	evalJS[bool](ana, caughtUpProbe)
	token := ana.sessionToken()
	s.gate.hold(token)
	if n := s.gate.kill(token); n != 1 {
		t.Fatalf("killed %d WebSockets of Ana, want 1", n)
	}
	ana.waitJS("the page notices the cut", `document.querySelector('#conn-state')?.dataset.state !== 'online'`)
	waitFor(t, "the reconnection attempt to reach the server", func() bool { return s.gate.heldAttempts(token) > 0 })
	s.gate.release(token)
	ana.waitJS("caught up again", `window.__caughtUp > 0`)
	if !evalJS[bool](ana, `!!document.querySelector('#debrief #debrief-score') && !document.querySelector('#inject-detail').dataset.selectedInject`) {
		t.Error("the reconnection replaced the results with an inject")
	}

	for _, p := range people {
		p.checkProblems()
	}
}
