package web_test

// Browser test of the Messages panel as messages come: what the trainee
// is using stays under them.

import (
	"testing"

	"cmesim/internal/browser"
)

// TestE2EMessagesLive checks, in Chromium, that messages arriving while
// a trainee of CGII Bolivia uses the Messages panel leave the thread
// button the keyboard is on in the list, and, in an open thread, the
// Reply button the keyboard is on and the draft of a collapsed reply;
// the reply then answers the message that arrived.
func TestE2EMessagesLive(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info := s.createFrom(t, messagesYAML, "ar-csirt", "bo-csirt", "uy-csirt")
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "ar-csirt trainee", "bo-csirt trainee")
	fac, ana, bea := people[0], people[1], people[2]
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	ana.joinTyped(s.URL, info.Codes.Teams["ar-csirt"], "Ana Ruiz")
	ana.waitLive("/trainee.html")
	bea.joinTyped(s.URL, info.Codes.Teams["bo-csirt"], "Beatriz Mamani")
	bea.waitLive("/trainee.html")
	fac.click("#btn-start")
	for _, p := range people {
		p.waitJS("running", `document.body.dataset.status === 'running'`)
	}

	steps.step("a new thread leaves the thread Bolivia has the keyboard on")
	writeToBolivia(ana, "Did your banks get e-mails from bcra-soporte[.]com?")
	thread := evalJS[string](ana, `document.querySelector('#msg-threads .thread-item').dataset.thread`)
	bea.waitJS("the thread", `document.querySelectorAll('#msg-threads .thread-item').length === 1`)
	evalJS[bool](bea, `(() => { window.keptThread = document.querySelector('#msg-threads .thread-item'); window.keptThread.focus(); return true; })()`)
	writeToBolivia(ana, "And from bna-seguridad[.]com?")
	bea.waitJS("the second thread", `document.querySelectorAll('#msg-threads .thread-item').length === 2`)
	if !evalJS[bool](bea, `window.keptThread.isConnected && document.activeElement === window.keptThread`) {
		t.Errorf("the thread button Bolivia had the keyboard on was replaced or lost the keyboard")
	}

	steps.step("a reply in the open thread keeps Reply, its keyboard and the draft")
	bea.click(`#msg-threads .thread-item[data-thread="` + thread + `"]`)
	bea.waitJS("the thread open", `document.querySelector('#msg-thread-messages li.msg')`)
	bea.click("#msg-reply-open")
	bea.waitJS("the reply form", `!document.querySelector('#msg-reply-form').hidden`)
	bea.typeInto("#msg-reply-text", "Three banks since Monday.")
	bea.click("#msg-reply-open")
	bea.waitJS("the reply form collapsed", `document.querySelector('#msg-reply-form').hidden`)
	evalJS[bool](bea, `(() => { window.keptReply = document.querySelector('#msg-reply-open'); window.keptReply.focus(); return true; })()`)

	ana.click(`#msg-threads .thread-item[data-thread="` + thread + `"]`)
	ana.click("#msg-reply-open")
	ana.typeInto("#msg-reply-text", "Ours since Sunday.")
	ana.click("#msg-reply-submit")
	bea.waitJS("CERT.ar's second message in the thread", `document.querySelectorAll('#msg-thread-messages li.msg').length === 2`)
	if !evalJS[bool](bea, `window.keptReply.isConnected && document.activeElement === window.keptReply`) {
		t.Errorf("Reply was replaced or lost the keyboard when a message arrived")
	}
	if got := evalJS[string](bea, `document.querySelector('#msg-reply-text').value`); got != "Three banks since Monday." {
		t.Errorf("the reply's draft = %q, want it kept", got)
	}
	newest := evalJS[string](bea, `[...document.querySelectorAll('#msg-thread-messages li.msg')].at(-1).dataset.seq`)
	if got := evalJS[string](bea, `document.querySelector('#msg-reply-form').dataset.replyTo`); got != newest {
		t.Errorf("the reply answers message %s, want the newest, %s", got, newest)
	}

	steps.step("the reply is sent, answering the newest message")
	bea.click("#msg-reply-open")
	bea.click("#msg-reply-submit")
	bea.waitJS("the reply in the thread", `document.querySelectorAll('#msg-thread-messages li.msg').length === 3 && document.querySelector('#msg-thread-messages li.msg[data-from="bo-csirt"][data-kind="reply"]')`)
	ana.waitJS("Bolivia's reply", `document.querySelectorAll('#msg-thread-messages li.msg').length === 3`)

	for _, p := range people {
		p.checkProblems()
	}
}

// writeToBolivia has p write text to CGII Bolivia at TLP:GREEN from the
// list of threads and waits until it is back on the list.
func writeToBolivia(p *person, text string) {
	p.t.Helper()
	p.click("#msg-new")
	p.click(`#msg-compose input[name="msg-peer"][value="bo-csirt"]`)
	p.choose("#msg-tlp", "green")
	p.typeInto("#msg-text", text)
	p.click("#msg-send")
	p.waitJS("sent, back to the list", `document.querySelector('#messages').dataset.view === 'list'`)
}
