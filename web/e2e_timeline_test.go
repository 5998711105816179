package web_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cmesim/internal/browser"
	"cmesim/internal/scengen"
	"cmesim/web"
)

// TestE2ETimelinePages plays the network-scale scenario (29 simulated
// teams, about 2,600 events) to its end and checks that the facilitator's
// timeline draws only the newest 200 entries, draws 200 older ones on
// demand, filters over every event it keeps, not just the drawn ones, and
// holds still while the facilitator reads older entries and a note written
// in the notes form arrives.
func TestE2ETimelinePages(t *testing.T) {
	shots := screenshotDir(t)
	// Six virtual hours at 5,000× take about four seconds.
	fac := playToTheEnd(t, web.CreateRequest{Scenario: "csirtamericas-network", Speed: 5000})
	seqs := func() []int {
		var out []int
		for _, s := range evalJS[[]string](fac, `[...document.querySelectorAll('#timeline li[data-seq]')].map((li) => li.dataset.seq)`) {
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("an entry's seq %q: %v", s, err)
			}
			out = append(out, n)
		}
		return out
	}
	newest := seqs()[0]
	if newest < 1000 {
		t.Fatalf("the exercise ended after %d events; the test needs more than 1,000", newest)
	}
	// The newest 200 events, each once, newest first.
	want := func(n int) []int {
		var out []int
		for s := newest; s > newest-n; s-- {
			out = append(out, s)
		}
		return out
	}
	if got := seqs(); !slices.Equal(got, want(200)) {
		t.Fatalf("the timeline draws %d entries %v…, want the newest 200 (%d down to %d)", len(got), got[:min(5, len(got))], newest, newest-199)
	}
	if got := fac.text("#timeline + .tl-older"); got != "Show 200 older events" {
		t.Errorf("the older button reads %q", got)
	}
	fac.checkAxe("a long timeline")
	fac.shootSection(shots, "facilitator-timeline-older", ".timeline-panel")

	fac.click(".tl-older")
	fac.waitJS("200 older entries", `document.querySelectorAll('#timeline li[data-seq]').length === 400`)
	if got := seqs(); !slices.Equal(got, want(400)) {
		t.Errorf("after one click the timeline draws %v…, want the newest 400", got[:5])
	}

	// A filter searches everything kept: the injects among all the events.
	fac.choose("#tl-type", "inject")
	fac.waitJS("only injects", `document.querySelector('#timeline li[data-seq]')?.dataset.kind === 'inject'`)
	kinds := evalJS[[]string](fac, `[...document.querySelectorAll('#timeline li[data-seq]')].map((li) => li.dataset.kind)`)
	if len(kinds) != 200 || slices.ContainsFunc(kinds, func(k string) bool { return k != "inject" }) {
		t.Errorf("the inject filter draws %d entries of kinds %v, want 200 injects", len(kinds), distinctAll(kinds))
	}
	if fac.count(".tl-older:not([hidden])") != 1 {
		t.Error("no older button under the filtered timeline")
	}
	// One team's injects: every entry concerns it.
	fac.choose("#tl-team", "br-gov")
	fac.waitJS("br-gov's injects", `[...document.querySelectorAll('#timeline li[data-seq]')].every((li) => li.dataset.teams.split(' ').includes('br-gov'))`)
	if n := fac.count("#timeline li[data-seq]"); n == 0 || n > 200 {
		t.Errorf("br-gov's injects: %d entries", n)
	}
	// Nothing of a kind: the list says so and offers nothing older.
	fac.choose("#tl-type", "note")
	fac.waitJS("no notes", `document.querySelectorAll('#timeline li[data-seq]').length === 0 && document.querySelector('.tl-older').hidden`)
	if got := fac.text("#timeline .tl-empty"); got != "No event matches the filters yet." {
		t.Errorf("the empty filtered timeline reads %q", got)
	}
	// Back to everything: one page again.
	fac.choose("#tl-team", "")
	fac.choose("#tl-type", "")
	fac.waitJS("all events again", fmt.Sprintf(`document.querySelectorAll('#timeline li[data-seq]').length === 200 && document.querySelector('#timeline li[data-seq]').dataset.seq === '%d'`, newest))

	// Reading older entries, scrolled down: a new event does not move the
	// list; a button at the top says it came, and goes back to it.
	fac.click(".tl-older")
	fac.waitJS("200 older entries again", `document.querySelectorAll('#timeline li[data-seq]').length === 400`)
	evalJS[bool](fac, `(() => { document.querySelector('#timeline').scrollTop = 3000; return true; })()`)
	const note = "Read the older entries before the debrief."
	fac.typeInto("#note-text", note)
	fac.click("#note-submit")
	fac.waitJS("the newer button", `!document.querySelector('.tl-newer').hidden`)
	if got := fac.text(".tl-newer"); got != "Show 1 newer event" {
		t.Errorf("the newer button reads %q", got)
	}
	if got := seqs(); !slices.Equal(got, want(400)) {
		t.Errorf("the list moved under the reader: %v…", got[:5])
	}
	fac.shootSection(shots, "facilitator-timeline-newer", ".timeline-panel")
	fac.click(".tl-newer")
	fac.waitJS("the note at the top", `document.querySelector('#timeline li[data-seq]').textContent.includes(`+js(note)+`) && document.querySelector('#timeline').scrollTop === 0 && document.querySelector('.tl-newer').hidden`)
	if got := fac.text("#notes-list li"); !strings.Contains(got, note) {
		t.Errorf("the notes panel shows %q, not the note written in its form", got)
	}
	fac.checkAxe("back at the newest")
}

// TestE2ETimelineLoadsOlder plays a scenario of more than 5,000 events
// (four simulated teams, 400 injects to all of them) and checks that past
// the 5,000 events the facilitator's page keeps, "Show older events" loads
// the earlier ones from the server, with no gap and down to the first, and
// that a failed load says so and can be tried again.
func TestE2ETimelineLoadsOlder(t *testing.T) {
	shots := screenshotDir(t)
	// Five virtual hours at 5,000× take under four seconds.
	yaml := scengen.YAML(scengen.Spec{Teams: 4, Injects: 400, ToAll: true, Duration: 5 * time.Hour})
	fac := playToTheEnd(t, web.CreateRequest{YAML: string(yaml), Speed: 5000})
	seqs := func() []int {
		return evalJS[[]int](fac, `[...document.querySelectorAll('#timeline li[data-seq]')].map((li) => Number(li.dataset.seq))`)
	}
	newest := seqs()[0]
	if newest <= 5000 {
		t.Fatalf("the exercise made only %d events; the test needs more than 5,000", newest)
	}
	// Every kept event, a page at a time, down to the oldest kept.
	for i := 0; strings.HasPrefix(fac.text(".tl-older"), "Show 200 older"); i++ {
		if i == 30 {
			t.Fatal("the kept events take more than 30 pages")
		}
		n := fac.count("#timeline li[data-seq]")
		fac.click(".tl-older")
		fac.waitJS("a page older", fmt.Sprintf(`document.querySelectorAll('#timeline li[data-seq]').length > %d`, n))
	}
	contiguous := func(got []int, from, n int) bool {
		if len(got) != n {
			return false
		}
		for i, s := range got {
			if s != from-i {
				return false
			}
		}
		return true
	}
	if got := seqs(); !contiguous(got, newest, 5000) {
		t.Fatalf("the timeline draws %d entries, %d down to %d; want the newest 5,000", len(got), got[0], got[len(got)-1])
	}
	if got := fac.text(".tl-older"); got != "Show older events" || fac.count(".tl-forgotten:not([hidden])") != 0 {
		t.Errorf("past the kept events the button reads %q (want \"Show older events\") and %d lines say events are not here", got, fac.count(".tl-forgotten:not([hidden])"))
	}
	fac.checkAxe("past the kept events")
	fac.shootSection(shots, "facilitator-timeline-load-older", ".timeline-panel")

	// The server does not answer: the button says so, nothing is drawn.
	evalJS[bool](fac, `(() => { window.realFetch = window.fetch; window.fetch = (url, init) => String(url).includes('/events?') ? Promise.reject(new TypeError('offline')) : window.realFetch(url, init); return true; })()`)
	fac.click(".tl-older")
	fac.waitJS("the failed load, on the button and to screen readers", `document.querySelector('.tl-older').textContent === 'Older events could not be loaded: try again' && document.querySelector('#announce').textContent === 'Older events could not be loaded: try again'`)
	if n := fac.count("#timeline li[data-seq]"); n != 5000 {
		t.Errorf("a failed load left %d entries, want 5,000", n)
	}
	fac.shootSection(shots, "facilitator-timeline-load-failed", ".timeline-panel")

	// Again, with the server back: the next events below, no gap; the
	// page draws 5,000 entries at most, so the newest 200 go and the
	// newer button leads back to them.
	// The reader, at the bottom of the list, keeps their place on screen.
	evalJS[bool](fac, `(() => { window.fetch = window.realFetch; return true; })()`)
	read := fmt.Sprintf(`document.querySelector('#timeline li[data-seq="%d"]')`, newest-4990)
	before := evalJS[float64](fac, `(() => { const l = document.querySelector('#timeline'); l.scrollTop = l.scrollHeight; return `+read+`.getBoundingClientRect().top; })()`)
	evalJS[bool](fac, `(() => { document.querySelector('.tl-older').click(); return true; })()`)
	fac.waitJS("older events from the server", `Number(document.querySelector('#timeline li[data-seq]:last-child').dataset.seq) < `+strconv.Itoa(newest-4999))
	if after := evalJS[float64](fac, read+`.getBoundingClientRect().top`); math.Abs(after-before) > 1 {
		t.Errorf("the entry read moved from %.0f to %.0f px when the newest drawn went", before, after)
	}
	got := seqs()
	if !contiguous(got, newest-200, 5000) {
		t.Errorf("after loading, %d entries from %d down to %d; want 5,000 from %d, no gap", len(got), got[0], got[len(got)-1], newest-200)
	}
	if got := fac.text(".tl-newer"); got != "Show 200 newer events" {
		t.Errorf("the newer button reads %q", got)
	}
	fac.checkAxe("the newest 200 let go")
	fac.shootSection(shots, "facilitator-timeline-bounded", ".timeline-panel")
	// And down to the first event.
	n := evalJS[int](fac, `(async () => { const b = document.querySelector('.tl-older');
	  for (let i = 0; i < 200 && !b.hidden; i++) {
	    b.click();
	    while (b.getAttribute('aria-disabled') === 'true') await new Promise((r) => setTimeout(r, 20));
	  }
	  return document.querySelectorAll('#timeline li[data-seq]').length; })()`)
	if got := seqs(); n != 5000 || !contiguous(got, 5000, 5000) {
		t.Errorf("at the end the timeline draws %d entries, %d down to %d; want the oldest 5,000", len(got), got[0], got[len(got)-1])
	}
	if fac.count(".tl-older:not([hidden])")+fac.count(".tl-forgotten:not([hidden])") != 0 {
		t.Error("at the first event an older button or a line about forgotten events still shows")
	}

	// In French, whose failure text is the longest: the button wraps on a
	// phone instead of pushing the page sideways.
	fac.choose("#language-picker", "fr")
	fac.waitJS("the page in French", `document.documentElement.lang === 'fr' && document.querySelector('#timeline li[data-seq]')?.dataset.type === 'exercise.ended'`)
	evalJS[bool](fac, `(() => { const b = document.querySelector('.tl-older');
	  for (let i = 0; i < 40 && !b.hidden && document.querySelectorAll('#timeline li[data-seq]').length < 5000; i++) b.click();
	  window.realFetch = window.fetch;
	  window.fetch = (url, init) => String(url).includes('/events?') ? Promise.reject(new TypeError('offline')) : window.realFetch(url, init);
	  return true; })()`)
	fac.click(".tl-older")
	const failedFR = "Impossible de charger les événements précédents\u00a0: réessayez"
	fac.waitJS("the failed load in French", `document.querySelector('.tl-older').textContent === `+js(failedFR))
	fac.shootSection(shots, "facilitator-timeline-load-failed-fr", ".timeline-panel")
}

// playToTheEnd creates an exercise, opens its facilitator's page in a
// browser, starts it and waits until the timeline shows its end.
func playToTheEnd(t *testing.T, req web.CreateRequest) *person {
	t.Helper()
	srv := startE2E(t)
	info, err := srv.CreateExercise(req)
	if err != nil {
		t.Fatal(err)
	}
	fac := newPeople(t, browser.New(t), "facilitator")[0]
	fac.joinTyped(srv.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	fac.click("#btn-start")
	fac.waitJS("the end on the timeline", `document.querySelector('#timeline li[data-seq]')?.dataset.type === 'exercise.ended'`)
	return fac
}
