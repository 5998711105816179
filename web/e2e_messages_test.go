package web_test

// Browser tests of messages between teams in the team console's Messages
// panel: a thread between two human teams that a third team never sees,
// and a request for information that a simulated team answers.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/web"
)

// messagesYAML has three teams played by people (ar-csirt, bo-csirt,
// uy-csirt) and one simulated team (cl-csirt) that answers requests two
// virtual minutes after it gets them.
const messagesYAML = "../testdata/scenarios/e2e/messages.yaml"

// TestE2EMessages plays messages through the UI: CERT.ar writes to CGII
// Bolivia at TLP:GREEN, Bolivia reads and replies in the same thread,
// CERTuy (not addressed) receives nothing; then CERT.ar requests
// information about an inject from the simulated CSIRT de Gobierno, the
// facilitator moves the clock on, and the simulated answer arrives in
// CERT.ar's thread.
func TestE2EMessages(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	src, err := os.ReadFile(messagesYAML)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateExercise(web.CreateRequest{YAML: string(src), Humans: []string{"ar-csirt", "bo-csirt", "uy-csirt"}})
	if err != nil {
		t.Fatalf("CreateExercise: %v", err)
	}
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "ar-csirt trainee", "bo-csirt trainee", "uy-csirt trainee")
	fac, ana, bea, carl := people[0], people[1], people[2], people[3]
	shots := shotsDir(t)

	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	for _, p := range []struct {
		who  *person
		team string
		name string
	}{{ana, "ar-csirt", "Ana Ruiz"}, {bea, "bo-csirt", "Beatriz Mamani"}, {carl, "uy-csirt", "Carlos Pérez"}} {
		p.who.joinTyped(s.URL, info.Codes.Teams[p.team], p.name)
		p.who.waitLive("/trainee.html")
		p.who.waitJS("the empty Messages panel", `document.querySelector('#messages #msg-empty') && document.querySelector('#messages-h').textContent.startsWith('Messages')`)
	}

	steps.step("start, I01 for the three teams")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.click("#btn-jump")
	for _, p := range []*person{ana, bea, carl} {
		p.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	}

	steps.step("compose: the peers and levels the links allow, the TLP warning")
	ana.click("#msg-new")
	ana.waitJS("the compose form", `document.querySelector('#msg-compose[data-mode="message"]')`)
	if got := ana.texts(`#msg-compose input[name="msg-peer"]`); len(got) != 3 {
		t.Errorf("compose offers %d peers, want 3 (the other human teams and the simulated one)", len(got))
	}
	ana.choose("#msg-subject", "I01")
	ana.waitJS("the TLP follows the subject's marking", `document.querySelector('#msg-tlp').value === 'amber' && document.querySelector('#msg-tlp-warning').hidden`)
	ana.choose("#msg-tlp", "clear")
	ana.waitJS("the violation warning", `!document.querySelector('#msg-tlp-warning').hidden`)
	if got := ana.text("#msg-tlp-warning"); !strings.Contains(got, "TLP:AMBER") || !strings.Contains(got, "TLP:CLEAR") || !strings.Contains(got, "Violation") {
		t.Errorf("TLP warning = %q, want the inject's marking, the chosen level and the word Violation", got)
	}
	ana.checkAxe("compose with a TLP warning")
	if got := ana.text("#msg-compose"); strings.Contains(got, "null") || strings.Contains(got, "undefined") || strings.Contains(got, "ui.messages.") {
		t.Errorf("the compose form shows a placeholder or a missing text: %q", got)
	}
	ana.screenshot(shots, "trainee-messages-compose-1440x900", deskW, deskH)
	ana.shootPanel(shots, "trainee-messages-compose")
	ana.choose("#msg-subject", "")
	ana.waitJS("no warning without a subject", `document.querySelector('#msg-tlp-warning').hidden`)

	steps.step("(a) CERT.ar writes to Bolivia at TLP:GREEN")
	ana.click(`#msg-compose input[name="msg-peer"][value="bo-csirt"]`)
	ana.choose("#msg-tlp", "green")
	ana.typeInto("#msg-text", "Did your banks get e-mails from bcra-soporte[.]com?")
	ana.typeInto("#msg-indicators", "bcra-soporte[.]com")
	ana.click("#msg-send")
	ana.waitJS("sent, back to the list", `document.querySelectorAll('#msg-threads .thread-item').length === 1 && document.querySelector('#msg-threads .thread-item').dataset.unread === '0'`)
	thread := evalJS[string](ana, `document.querySelector('#msg-threads .thread-item').dataset.thread`)

	steps.step("(a) Bolivia reads it and replies")
	bea.waitJS("the new thread, unread", `document.querySelector('#messages').dataset.unread === '1' && document.querySelector('#msg-threads .thread-item[data-unread="1"]') && !document.querySelector('#messages-unread').hidden`)
	if got := evalJS[string](bea, `document.querySelector('#msg-threads .thread-item').dataset.thread`); got != thread {
		t.Errorf("Bolivia's thread is %s, CERT.ar's %s", got, thread)
	}
	bea.checkAxe("messages list with an unread thread")
	bea.click("#msg-threads .thread-item")
	bea.waitJS("the thread open", `document.querySelector('#msg-thread-messages li.msg[data-from="ar-csirt"]')`)
	if got := bea.text(`#msg-thread-messages li.msg[data-from="ar-csirt"]`); !strings.Contains(got, "bcra-soporte[.]com?") || !strings.Contains(got, "TLP:GREEN") || !strings.Contains(got, "CERT.ar") {
		t.Errorf("the message in Bolivia's panel = %q, want sender, TLP and text", got)
	}
	if got := bea.text(`#msg-thread-messages li.msg .msg-indicators code`); got != "bcra-soporte[.]com" {
		t.Errorf("indicator = %q", got)
	}
	bea.waitJS("read once open", `document.querySelector('#messages').dataset.unread === '0' && document.querySelector('#messages-unread').hidden`)
	bea.click("#msg-reply-open")
	bea.waitJS("the reply form at the message's TLP", `!document.querySelector('#msg-reply-form').hidden && document.querySelector('#msg-reply-tlp').value === 'green' && document.querySelector('#msg-reply-tlp-warning').hidden`)
	bea.typeInto("#msg-reply-text", "Yes, three banks since Monday; we blocked it.")
	bea.checkAxe("thread with the reply form")
	bea.click("#msg-reply-submit")
	bea.waitJS("the reply in the thread", `document.querySelectorAll('#msg-thread-messages li.msg').length === 2 && document.querySelector('#msg-thread-messages li.msg[data-from="bo-csirt"][data-kind="reply"]')`)

	steps.step("(a) CERT.ar sees the reply in the same thread")
	ana.waitJS("the reply, unread", `document.querySelector('#msg-threads .thread-item[data-thread="`+thread+`"][data-unread="1"]')`)
	if n := ana.count("#msg-threads .thread-item"); n != 1 {
		t.Errorf("CERT.ar has %d threads, want the reply in the first one", n)
	}
	ana.click(`#msg-threads .thread-item[data-thread="` + thread + `"]`)
	ana.waitJS("both messages", `document.querySelectorAll('#msg-thread-messages li.msg').length === 2`)
	if got := ana.text(`#msg-thread-messages li.msg[data-kind="reply"]`); !strings.Contains(got, "three banks since Monday") || !strings.Contains(got, "Beatriz Mamani") {
		t.Errorf("the reply in CERT.ar's panel = %q", got)
	}
	ana.shoot(shots, "trainee-messages-thread")
	ana.shootPanel(shots, "trainee-messages-thread-panel")

	steps.step("(a) CERTuy, not addressed, receives nothing")
	fac.barrier()
	carl.waitJS("the resume after the messages", `document.querySelector('#timeline li[data-type="exercise.resumed"]')`)
	if n := carl.count("#msg-threads .thread-item"); n != 0 {
		t.Errorf("CERTuy's panel shows %d threads, want none", n)
	}
	for _, ev := range carl.frames.events(t) {
		if ev.Event.Type == "message.sent" {
			t.Errorf("CERTuy received a message: %+v", ev.Event)
		}
	}
	if got := fac.texts(`#timeline li[data-type="message.sent"]`); len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "wrote to CGII Bolivia at TLP:GREEN") {
		t.Errorf("the facilitator's timeline lines for the messages = %q", got)
	}

	steps.step("(b) CERT.ar requests information on I01 from the simulated CSIRT de Gobierno")
	ana.click("#msg-back")
	ana.click("#msg-rfi")
	ana.waitJS("the request form about the inject open in the console", `document.querySelector('#msg-compose[data-mode="rfi"]') && document.querySelector('#msg-subject').value === 'I01' && document.querySelector('#msg-tlp').value === 'amber'`)
	ana.click(`#msg-compose input[name="msg-peer"][value="cl-csirt"]`)
	ana.typeInto("#msg-text", "Have you seen the sender domain bcra-soporte[.]com?")
	ana.click("#msg-send")
	ana.waitJS("the request thread", `document.querySelector('#msg-threads .thread-item[data-rfi="true"]')`)
	rfi := evalJS[string](ana, `document.querySelector('#msg-threads .thread-item[data-rfi="true"]').dataset.thread`)
	ana.shoot(shots, "trainee-messages-list")

	steps.step("(b) the clock moves on and the simulated team answers")
	fac.click("#btn-jump")
	ana.waitJS("the simulated answer, unread, in the request's thread", `document.querySelector('#msg-threads .thread-item[data-thread="`+rfi+`"][data-unread="1"]')`)
	if got := evalJS[string](ana, `document.querySelector('#msg-threads .thread-item').dataset.thread`); got != rfi {
		t.Errorf("the first thread is %s, want the request %s (newest activity first)", got, rfi)
	}
	ana.click(`#msg-threads .thread-item[data-thread="` + rfi + `"]`)
	ana.waitJS("the answer", `document.querySelector('#msg-thread-messages li.msg[data-from="cl-csirt"][data-kind="reply"]')`)
	if got := ana.text(`#msg-thread-messages li.msg[data-from="cl-csirt"]`); !strings.Contains(got, "CSIRT de Gobierno here: we saw the same sender domain") {
		t.Errorf("the simulated answer = %q, want the scenario's reply template", got)
	}
	ana.checkAxe("request thread with the simulated answer")
	ana.shoot(shots, "trainee-messages-rfi")
	ana.shootPanel(shots, "trainee-messages-rfi-panel")

	for _, p := range people {
		p.checkProblems()
	}
}

// shootPanel saves a phone-size screenshot of p's page scrolled to the
// Messages panel (below the inbox and the inject on a phone), as
// NAME-390x844.png in dir.
func (p *person) shootPanel(dir, name string) {
	p.t.Helper()
	p.do(chromedp.EmulateViewport(phoneW, phoneH))
	evalJS[bool](p, `new Promise((done) => { document.querySelector('#messages').scrollIntoView({block: 'start'}); requestAnimationFrame(() => requestAnimationFrame(() => done(true))); })`)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-390x844.png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.do(chromedp.EmulateViewport(deskW, deskH))
}
