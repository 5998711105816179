package web_test

// Browser test of a language change with text not yet sent: a console
// reloads in the new language, so it asks first and says which fields
// would lose their text.

import (
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

// TestE2ELanguageChangeKeepsUnsentText: the facilitator has typed a note
// and not added it; picking Spanish asks first, naming the note's field.
// Cancelled, the console stays in English with the note; confirmed, it
// reloads in Spanish. With nothing typed the change asks nothing.
func TestE2ELanguageChangeKeepsUnsentText(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	shots := shotsDir(t)
	s := startE2E(t)
	info := s.createExercise(t)
	fac := newPeople(t, browser.New(t), "facilitator")[0]
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")

	steps.step("a note typed, not added; Spanish picked: the console asks")
	const note = "Room B has no projector; ask the venue."
	fac.typeInto("#note-text", note)
	field := evalJS[string](fac, `document.querySelector('label[for="note-text"]').textContent.trim()`)
	fac.choose("#language-picker", "es")
	fac.waitJS("the question, the keyboard on Cancel", `document.querySelector('#confirm-dialog')?.open && document.activeElement.id === 'confirm-cancel'`)
	got := evalJS[map[string]any](fac, `(() => ({
		title: document.querySelector('#confirm-title').textContent,
		items: [...document.querySelectorAll('#confirm-list li')].map((li) => li.textContent),
		ok: document.querySelector('#confirm-ok').textContent }))()`)
	if got["title"] != "Change the language?" || got["ok"] != "Change and lose the text" {
		t.Errorf("the question reads %v", got)
	}
	if items, _ := got["items"].([]any); len(items) != 1 || items[0] != field {
		t.Errorf("the question names the fields %v, want [%s]", got["items"], field)
	}
	fac.checkAxe("asked before a language change would lose a note")
	fac.shootSection(shots, "facilitator-language-unsent", "#confirm-dialog")
	// On a narrow phone the long OK label wraps; nothing leaves the dialog.
	fac.do(chromedp.EmulateViewport(320, 640))
	if out := evalJS[[]string](fac, `(() => { const d = document.querySelector('#confirm-dialog').getBoundingClientRect();
		return [...document.querySelectorAll('#confirm-dialog .btn')].filter((b) => { const r = b.getBoundingClientRect(); return r.left < d.left || r.right > d.right; }).map((b) => b.textContent); })()`); len(out) > 0 {
		t.Errorf("at 320 px the buttons %q stick out of the dialog", out)
	}
	fac.do(chromedp.EmulateViewport(deskW, deskH))

	steps.step("cancelled: still English, the note kept")
	fac.click("#confirm-cancel")
	fac.waitJS("the question gone", `!document.querySelector('#confirm-dialog').open`)
	fac.waitJS("the picker enabled again", `!document.querySelector('#language-picker').disabled`)
	if got := evalJS[map[string]any](fac, `({ lang: document.documentElement.lang, picker: document.querySelector('#language-picker').value, note: document.querySelector('#note-text').value, focus: document.activeElement.id })`); got["lang"] != "en" || got["picker"] != "en" || got["note"] != note || got["focus"] != "language-picker" {
		t.Errorf("after cancelling: %v, want English, the note and the keyboard back on the picker", got)
	}

	steps.step("confirmed: the console reloads in Spanish")
	fac.choose("#language-picker", "es")
	fac.waitJS("the question again", `document.querySelector('#confirm-dialog')?.open`)
	fac.click("#confirm-ok")
	fac.waitJS("the console in Spanish", `document.documentElement.lang === 'es' && document.querySelector('#language-picker')?.value === 'es' && document.querySelector('#note-text')`)

	steps.step("nothing typed: back to English without a question")
	fac.choose("#language-picker", "en")
	fac.waitJS("the console in English", `document.documentElement.lang === 'en' && document.querySelector('#note-text')`)
	if evalJS[bool](fac, `!!document.querySelector('#confirm-dialog')?.open`) {
		t.Error("the console asked with nothing typed")
	}
	fac.checkProblems()
}
