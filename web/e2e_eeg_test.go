package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/browser"
)

// eegYAML is the example scenario with a critical task under O1.
func eegYAML(tb testing.TB) string {
	tb.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		tb.Fatal(err)
	}
	const at = "      capability: detection\n"
	out := strings.Replace(string(src), at, at+"      critical_tasks:\n        - id: triage\n          text: Acknowledge and classify the report within the hour.\n          expectations: [I01.ack, I01.classify]\n", 1)
	if out == string(src) {
		tb.Fatal("the example scenario no longer has a detection objective")
	}
	return out
}

// TestE2EEvaluationGuide plays an exercise evaluation guide in Chromium:
// the evaluator sees objective O1's critical task with its expectation met,
// records an observation linked to the team's acknowledgement picked from
// the latest events, and rates O1 P; the facilitator, as lead evaluator,
// overrides it with S; the evaluator sees the final rating, and the report
// shows the guide with the observation linked to the log entry and S as
// O1's rating, given by the lead evaluator.
func TestE2EEvaluationGuide(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	rig := startClosingRig(t, eegYAML(t), "Fran")
	s, info, control, ana := rig.s, rig.info, rig.control, rig.ana
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "evaluator")
	fac, eva := people[0], people[1]
	shots := shotsDir(t)
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	eva.joinTyped(s.URL, info.Codes.Evaluator, "Eva")
	eva.waitLive("/observer.html")
	card := `#eeg-objectives [data-objective="O1"]`
	eva.waitJS("the guide of O1", `!document.querySelector('#eeg-panel').hidden && document.querySelector(`+js(card+` .eeg-task[data-task="triage"]`)+`) !== null`)

	steps.step("the team acknowledges")
	control.mustAck(t, cmd{"type": "start"})
	control.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})
	ack := ana.next(t, isEvent(engine.EventAction, "I01"))
	exp := card + ` .eeg-exps li[data-ref="I01.ack"]`
	eva.waitJS("the expectation met under its task", `document.querySelector(`+js(exp)+`)?.dataset.met === '1'`)
	link := fmt.Sprintf(`#eeg-links input[value="%d"]`, ack.Seq)
	eva.waitJS("the acknowledgement among the events to link", `document.querySelector(`+js(link)+`) !== null`)

	steps.step("the evaluator observes and rates")
	eva.choose("#eeg-objective", "O1")
	eva.choose("#eeg-task", "triage")
	eva.choose("#eeg-team", co)
	const seen = "Acknowledged within minutes of the report."
	eva.typeInto("#eeg-text", seen)
	eva.click(link)
	eva.waitJS("the box ticked", `document.querySelector(`+js(link)+`).checked`)

	steps.step("the list holds still under the evaluator, and keeps the ticks")
	// More events than the list shows arrive while the evaluator is in
	// it: notes from two facilitator connections (one may send 20 at once).
	second := dial(t, join(t, &testServer{Server: s.Server, URL: s.URL}, info.Codes.Facilitator, "Gus"), info.ID, 0)
	notes := 0
	sendNotes := func(n int) (last uint64) {
		for range n {
			notes++
			last = []*wsClient{control, second}[notes%2].mustAck(t, cmd{"type": "note", "text": fmt.Sprintf("Room note %d", notes)}).Seq
		}
		return last
	}
	linksNow := func() []string {
		return evalJS[[]string](eva, `[...document.querySelectorAll('#eeg-links li')].map((li) => li.dataset.seq)`)
	}
	listed := linksNow()
	last := sendNotes(36)
	eva.waitJS("the notes on the evaluator's timeline, and the list held", fmt.Sprintf(`!!document.querySelector('#timeline li[data-seq="%d"]') && !document.querySelector('.eeg-links-held').hidden`, last))
	if got := linksNow(); !slices.Equal(got, listed) {
		t.Errorf("the list moved under the evaluator's hand: %v, was %v", got, listed)
	}
	eva.checkAxe("the list held")
	eva.shootAt(shots, "eeg-links-held-390x844", ".eeg-links-held", phoneW, phoneH)
	// A click on another event's words ticks it: the list does not move
	// between the press and the click.
	other := listed[slices.IndexFunc(listed, func(seq string) bool { return seq != fmt.Sprint(ack.Seq) })]
	otherBox := `#eeg-links input[value="` + other + `"]`
	eva.click(`#eeg-links label[for="eeg-link-` + other + `"]`)
	eva.waitJS("the other event ticked by its label", `document.querySelector(`+js(otherBox)+`)?.checked === true`)
	// Leaving the list draws it: the newest events, and the ticked ones,
	// which the notes pushed out of the latest 30, still there and ticked.
	eva.click("#eeg-text")
	eva.waitJS("the list drawn after leaving it", fmt.Sprintf(`!!document.querySelector('#eeg-links li[data-seq="%d"]') && document.querySelector('.eeg-links-held').hidden`, last))
	if !evalJS[bool](eva, `document.querySelector(`+js(link)+`)?.checked === true && document.querySelector(`+js(otherBox)+`)?.checked === true`) {
		t.Fatalf("a ticked event (#%d, #%s) left the list or lost its tick: %v", ack.Seq, other, linksNow())
	}
	// Held again, the evaluator sends at once: the press on the button
	// does not move it before the click.
	newestBox := fmt.Sprintf(`#eeg-links input[value="%d"]`, last)
	eva.click(newestBox)
	held := sendNotes(3)
	eva.waitJS("the list held again", fmt.Sprintf(`!!document.querySelector('#timeline li[data-seq="%d"]') && !document.querySelector('.eeg-links-held').hidden`, held))
	eva.click("#eeg-observe")
	observed := card + ` .eeg-task[data-task="triage"] .eeg-task-observations li`
	eva.waitJS("the observation under its task", `document.querySelector(`+js(observed)+`)?.textContent.includes(`+js(seen)+`)`)
	for _, linked := range []string{fmt.Sprint(ack.Seq), other, fmt.Sprint(last)} {
		if got := eva.text(observed); !strings.Contains(got, "#"+linked) {
			t.Errorf("the observation reads %q, without its linked event #%s", got, linked)
		}
	}
	eva.click("#eeg-rate-O1-P")
	eva.typeInto("#eeg-rate-O1-reason", "Fast, complete triage.")
	eva.click("#eeg-rate-O1 .eeg-rate-submit")
	eva.waitJS("the evaluators' rating", `document.querySelector(`+js(card)+`).dataset.final === 'P' && document.querySelector(`+js(card)+`).dataset.source === 'evaluators'`)
	eva.checkAxe("a rated objective")
	eva.shoot(shots, "eeg-evaluator")
	eva.shootAt(shots, "eeg-card-evaluator-1440x900", card, deskW, deskH)
	eva.shootAt(shots, "eeg-card-evaluator-390x844", card, phoneW, phoneH)

	steps.step("the lead evaluator overrides")
	fac.waitJS("the rating on the facilitator console", `document.querySelector(`+js(card)+`)?.dataset.final === 'P'`)
	fac.click("#eeg-rate-O1-S")
	fac.typeInto("#eeg-rate-O1-reason", "Fast, but the classification needed a correction.")
	fac.click("#eeg-rate-O1 .eeg-rate-submit")
	for _, p := range []*person{fac, eva} {
		p.waitJS("the override", `document.querySelector(`+js(card)+`).dataset.final === 'S' && document.querySelector(`+js(card)+`).dataset.source === 'lead_evaluator'`)
	}
	fac.checkAxe("an overridden rating")
	fac.shoot(shots, "eeg-facilitator")
	fac.shootAt(shots, "eeg-card-facilitator-1440x900", "#eeg-panel", deskW, deskH)
	fac.shootAt(shots, "eeg-card-facilitator-390x844", card, phoneW, phoneH)

	steps.step("the rating in the report")
	rep := evalJS[fetched](fac, `(async () => { const r = await fetch(document.querySelector('#report-html').href);
		return {status: r.status, type: r.headers.get('content-type') || '', disposition: '', body: await r.text()}; })()`)
	if rep.Status != 200 {
		t.Fatalf("report: status %d: %.300s", rep.Status, rep.Body)
	}
	for _, want := range []string{`id="eeg-O1"`, seen, fmt.Sprintf(`<a href="#ev-%d">#%d</a>`, ack.Seq, ack.Seq), fmt.Sprintf(`<tr id="ev-%d">`, ack.Seq),
		`<span class="rated-by rated-lead_evaluator">by the lead evaluator (override)</span>`, "Fast, but the classification needed a correction.", `rated-by rated-lead_evaluator">lead evaluator`} {
		if !strings.Contains(rep.Body, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, []byte(rep.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	eva.navigate("file://" + file + "#eeg")
	eva.waitJS("the report's guide", `document.querySelector('#eeg-O1 .rated-by')?.textContent.includes('lead evaluator')`)
	eva.checkAxe("the report's evaluation guide")
	eva.shootAt(shots, "eeg-report-1440x900", "#eeg", deskW, deskH)
	eva.shootAt(shots, "eeg-report-390x844", "#eeg", phoneW, phoneH)
	fac.checkProblems()
}
