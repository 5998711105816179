package web_test

// Browser test of the SimCell console on the facilitator page: a trainee
// escalates to an actor, the facilitator sees the item with its age,
// answers it from the actor's template, and only the team that escalated
// reads the answer in its Messages panel.

import (
	"os"
	"strings"
	"testing"

	"cmesim/internal/browser"
	"cmesim/web"
)

// simcellYAML has two teams played by people and a Ministry of Energy with
// reply templates.
const simcellYAML = "../testdata/scenarios/e2e/simcell.yaml"

func TestE2ESimCell(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	src, err := os.ReadFile(simcellYAML)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateExercise(web.CreateRequest{YAML: string(src), Humans: []string{"ar-csirt", "bo-csirt"}})
	if err != nil {
		t.Fatalf("CreateExercise: %v", err)
	}
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "ar-csirt trainee", "bo-csirt trainee")
	fac, ana, bea := people[0], people[1], people[2]
	controller := newPeopleIn(t, root, "es", "Spanish-speaking controller")[0]
	shots := shotsDir(t)

	fac.joinTyped(s.URL, info.Codes.Facilitator, "Fran")
	fac.waitLive("/facilitator.html")
	controller.joinTyped(s.URL, info.Codes.Facilitator, "Gabriela")
	controller.waitLive("/facilitator.html")
	ana.joinTyped(s.URL, info.Codes.Teams["ar-csirt"], "Ana Ruiz")
	ana.waitLive("/trainee.html")
	bea.joinTyped(s.URL, info.Codes.Teams["bo-csirt"], "Beatriz Mamani")
	bea.waitLive("/trainee.html")
	fac.waitJS("the empty SimCell", `document.querySelector('#simcell #simcell-empty') && !document.querySelector('#simcell-empty').hidden`)

	steps.step("start; I01; CERT.ar escalates to the ministry")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.click("#btn-jump")
	ana.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	ana.click(`#inbox [data-inject="I01"]`)
	ana.click(`#inject-detail [data-action="escalate"]`)
	ana.choose("#escalate-target", "minenergia")
	ana.typeInto("#escalate-text", "Ransomware on the grid operator's SCADA; we advise isolating the control centre.")
	ana.click("#escalate-submit")
	ana.waitJS("the escalation acked", `document.querySelector('#escalate-submit').dataset.state === 'done'`)

	steps.step("the facilitator sees it in the queue, with its age")
	fac.waitJS("the escalation in the SimCell", `document.querySelector('#simcell-queue li.simcell-item[data-kind="escalate"]') && document.querySelector('#simcell').dataset.open === '1'`)
	item := `#simcell-queue li.simcell-item[data-kind="escalate"]`
	if got := fac.text(item); !strings.Contains(got, "Escalation") || !strings.Contains(got, "to Ministry of Energy") ||
		!strings.Contains(got, "From CERT.ar (Ana Ruiz)") || !strings.Contains(got, "isolating the control centre") {
		t.Errorf("the queue's item reads %q", got)
	}
	fac.click("#btn-jump") // to I02 at T+0:20: the item has waited about 15 minutes
	bea.waitJS("I02 in the inbox", `document.querySelector('#inbox [data-inject="I02"]')`)
	fac.waitJS("the item's age on the virtual clock", `/^waiting 1[45] min$/.test(document.querySelector('`+item+` .simcell-age').textContent)`)
	controller.waitJS("the item, in Spanish", `/^esperando hace 1[45] min$/.test(document.querySelector('`+item+` .simcell-age')?.textContent || '')`)
	if got := controller.text(item); !strings.Contains(got, "Escalamiento") || !strings.Contains(got, "para Ministerio de Energía") || !strings.Contains(got, "Responder como") {
		t.Errorf("the Spanish queue's item reads %q", got)
	}
	fac.checkAxe("SimCell queue")
	fac.shoot(shots, "facilitator-simcell")
	fac.shootAt(shots, "facilitator-simcell-queue-390x844", "#simcell", phoneW, phoneH)
	controller.checkAxe("SimCell queue in Spanish")
	controller.shoot(shots, "facilitator-simcell-es")
	controller.shootAt(shots, "facilitator-simcell-queue-es-390x844", "#simcell", phoneW, phoneH)

	steps.step("the facilitator answers from the ministry's template")
	fac.click(item + " .simcell-answer-open")
	fac.waitJS("the form with the template filled in", `(() => {
		const f = document.querySelector('`+item+` form.simcell-form');
		const mode = f && f.querySelector('select[id^="simcell-mode-"]');
		const text = f && f.querySelector('textarea[id^="simcell-text-"]');
		return mode && mode.value === 'message' && text.value.startsWith('Ministry of Energy to CERT.ar: thank you for the update on “Outage at the grid operator”');
	})()`)
	fac.waitJS("the claim", `document.querySelector('`+item+`').dataset.claimedBy === 'Fran'`)
	controller.waitJS("the other controller sees who is answering", `document.querySelector('`+item+`')?.dataset.claimedBy === 'Fran' && document.querySelector('`+item+` .simcell-claim').textContent.startsWith('Fran está respondiendo')`)
	fac.checkAxe("SimCell answer form")
	fac.shoot(shots, "facilitator-simcell-answer")
	fac.shootAt(shots, "facilitator-simcell-answer-form-390x844", "#simcell", phoneW, phoneH)
	controller.shootAt(shots, "facilitator-simcell-claimed-es-390x844", "#simcell", phoneW, phoneH)
	fac.click(item + " .simcell-send")
	fac.waitJS("answered: the queue is empty, the answer listed", `document.querySelector('#simcell').dataset.open === '0' && document.querySelectorAll('#simcell-answered li').length === 1`)
	if got := fac.text("#simcell-answered li"); !strings.Contains(got, "answered by Fran in 1") {
		t.Errorf("the answered line reads %q", got)
	}

	steps.step("CERT.ar reads the answer in a thread from the ministry; Bolivia gets nothing")
	ana.waitJS("a thread from the ministry, unread", `document.querySelector('#msg-threads .thread-item[data-unread="1"]')`)
	ana.click("#msg-threads .thread-item")
	ana.waitJS("the answer", `document.querySelector('#msg-thread-messages li.msg[data-from="minenergia"][data-kind="reply"]')`)
	if got := ana.text(`#msg-thread-messages li.msg[data-from="minenergia"]`); !strings.Contains(got, "Ministry of Energy") ||
		!strings.Contains(got, "the minister expects your next report within the hour") {
		t.Errorf("the answer in CERT.ar's panel = %q", got)
	}
	ana.checkAxe("thread with the ministry's answer")
	ana.shoot(shots, "trainee-simcell-answer")
	fac.barrier()
	bea.waitJS("the resume after the answer", `document.querySelector('#timeline li[data-type="exercise.resumed"]')`)
	if n := bea.count("#msg-threads .thread-item"); n != 0 {
		t.Errorf("Bolivia's panel shows %d threads, want none", n)
	}
	for _, ev := range bea.frames.events(t) {
		if ev.Event.Type == "message.sent" {
			t.Errorf("Bolivia received a message: %+v", ev.Event)
		}
	}
	for _, p := range append(people, controller) {
		p.checkProblems()
	}
}
