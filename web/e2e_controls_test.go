package web_test

// Browser tests of the facilitator's controls and of what each role sees,
// run as a facilitator runs an exercise: before the start, during play and
// after the end, with axe-core checking every console in every state and
// screenshots at desktop and phone size (CMESIM_SCREENSHOTS=dir keeps them).

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/web"
)

// TestE2EControls drives one exercise through every state and checks that
// the controls do what they say and that each role sees what it needs.
func TestE2EControls(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info, err := s.CreateExercise(web.CreateRequest{YAML: scenarioWithExtras(t), Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		t.Fatalf("CreateExercise: %v", err)
	}
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "co-csirt trainee", "pe-csirt trainee", "observer", "evaluator")
	fac, ana, luis, obs, eva := people[0], people[1], people[2], people[3], people[4]
	shots := shotsDir(t)
	for _, p := range people {
		p.do(chromedp.EmulateViewport(deskW, deskH))
	}

	// Before the start.
	steps.step("before start: facilitator")
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	fac.waitJS("the scheduled injects", `document.querySelector('#upcoming li[data-upcoming="I01"]') && document.querySelector('#upcoming li[data-upcoming="I10"]')`)
	if !evalJS[bool](fac, `document.querySelector('#upcoming').previousElementSibling.hidden`) {
		t.Error(`"No scheduled injects ahead" shows while injects are scheduled`)
	}
	if got := evalJS[map[string]bool](fac, `Object.fromEntries(['start', 'pause', 'resume', 'jump', 'end'].map((k) => [k, !document.querySelector('#btn-' + k).disabled]))`); !got["start"] || got["pause"] || got["resume"] || got["jump"] || got["end"] {
		t.Errorf("enabled controls before the start: %v, want only Start", got)
	}
	if !evalJS[bool](fac, `document.querySelector('#upcoming li[data-upcoming="I01"] [data-cmd="release"]').disabled`) {
		t.Error("Release now is enabled before the start (the server refuses it)")
	}
	// The join codes, open before the start, with a QR code per team.
	fac.waitJS("the join codes", `document.querySelector('#codes-wrap').open && document.querySelectorAll('#join-codes li[data-code-role]').length === 5`)
	if got := fac.text(`#join-codes li[data-code-team="pe-csirt"] .code-value`); got != info.Codes.Teams["pe-csirt"] {
		t.Errorf("pe-csirt code in the console = %q, want %q", got, info.Codes.Teams["pe-csirt"])
	}
	fac.click(`#join-codes li[data-code-team="pe-csirt"] .btn-qr`)
	fac.waitJS("the QR code drawn", `document.querySelector('#qr-dialog').open && document.querySelector('#qr-image').complete && document.querySelector('#qr-image').naturalWidth > 0`)
	if got := fac.text("#qr-link"); got != s.URL+"/?code="+info.Codes.Teams["pe-csirt"] {
		t.Errorf("QR dialog link = %q", got)
	}
	fac.checkAxe("QR dialog")
	fac.click("#qr-close")
	// The scenario's clock: 2026-03-10T09:00-05:00 at T+0.
	if got := evalJS[string](fac, `document.querySelector('#scenario-clock')?.dataset.iso`); got != "2026-03-10T14:00:00.000Z" {
		t.Errorf("scenario clock at T+0 = %q, want 2026-03-10T14:00:00.000Z", got)
	}
	if got := fac.text(`#team-grid tr[data-team="pe-csirt"] .local-time`); !strings.HasPrefix(got, "09:00") {
		t.Errorf("PeCERT's local time at T+0 = %q, want 09:00 (Lima)", got)
	}
	// The full MSEL in a view wide enough to read.
	fac.click("#btn-msel")
	fac.waitJS("the MSEL dialog", `document.querySelector('#msel-dialog').open`)
	if w := evalJS[int](fac, `document.querySelector('#msel-dialog').getBoundingClientRect().width`); w < 1000 {
		t.Errorf("the MSEL dialog is %d px wide at %d px, want at least 1000", w, deskW)
	}
	if n := fac.count("#msel-table tr[data-msel]"); n != 6 {
		t.Errorf("MSEL table has %d rows, want 6", n)
	}
	// An inject without a time says what releases it.
	for id, want := range map[string]string{"I02": "after I01 + 20 min", "I09": "released by the facilitator"} {
		if got := fac.text(`#msel-table tr[data-msel="` + id + `"] td:nth-child(2)`); got != want {
			t.Errorf("the MSEL says %s comes %q, want %q", id, got, want)
		}
	}
	fac.checkAxe("MSEL dialog")
	fac.screenshot(shots, "facilitator-msel-1440x900", deskW, deskH)
	// On a phone the rows stack, each cell after its column's name: the
	// table fits its scroller instead of scrolling sideways.
	fac.screenshot(shots, "facilitator-msel-390x844", phoneW, phoneH)
	fac.do(chromedp.EmulateViewport(phoneW, phoneH))
	if wide := evalJS[bool](fac, `(() => { const s = document.querySelector('#msel-dialog .table-scroll'); return s.scrollWidth > s.clientWidth + 1; })()`); wide {
		t.Error("the MSEL scrolls sideways on a phone")
	}
	if got := evalJS[string](fac, `getComputedStyle(document.querySelector('#msel-table tr[data-msel="I02"] td:nth-child(2)'), '::before').content`); got != `"When"` {
		t.Errorf("on a phone the MSEL's when cell is labelled %s, want \"When\"", got)
	}
	fac.checkAxe("MSEL dialog on a phone")
	fac.do(chromedp.EmulateViewport(deskW, deskH))
	fac.click("#msel-close")
	fac.checkAxe("ready")
	fac.shoot(shots, "facilitator-ready")

	steps.step("before start: trainee briefing")
	ana.joinTyped(s.URL, info.Codes.Teams["co-csirt"], anaName)
	ana.waitLive("/trainee.html")
	ana.waitJS("the briefing", `document.querySelector('#briefing #briefing-description') && document.querySelector('#briefing #briefing-conditions')`)
	if got := ana.text("#briefing"); !strings.Contains(got, "spear-phishing campaign") || !strings.Contains(got, "All teams online") {
		t.Errorf("briefing = %q, want the description and the start conditions", got)
	}
	if got := ana.text("#scenario-clock"); !strings.Contains(got, "09:00") {
		t.Errorf("trainee scenario clock = %q, want Bogotá's 09:00", got)
	}
	ana.checkAxe("briefing")
	ana.shoot(shots, "trainee-briefing")
	luis.joinTyped(s.URL, info.Codes.Teams["pe-csirt"], luisName)
	luis.waitLive("/trainee.html")

	// Play.
	steps.step("start, pause: controls follow the state")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled && !document.querySelector('#btn-end').disabled && document.querySelector('#btn-start').disabled`)
	fac.click("#btn-pause")
	fac.waitJS("paused: no jump", `document.body.dataset.status === 'paused' && document.querySelector('#btn-jump').disabled && !document.querySelector('#btn-resume').disabled && !document.querySelector('#btn-end').disabled`)
	fac.click("#btn-resume")
	fac.waitJS("running again", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)

	steps.step("jump to I01, acknowledge")
	fac.click("#btn-jump")
	ana.waitJS("I01 open", `document.querySelector('#inject-detail').dataset.selectedInject === 'I01'`)
	ana.click(`#inject-detail [data-action="acknowledge"]`)
	ana.waitJS("acknowledged", `document.querySelector('#inject-detail [data-action="acknowledge"]').dataset.state === 'done'`)
	if n := ana.count(`#inject-detail .attachment pre[tabindex="0"][aria-label]`); n != 1 {
		t.Errorf("the attachment is not a focusable, labelled scroll region (%d found)", n)
	}

	steps.step("share form: TLP violation labelled, the marking by default")
	ana.click(`#inject-detail [data-action="share"]`)
	ana.click(`#share-form input[name=peer][value="pe-csirt"]`)
	if got := evalJS[string](ana, `document.querySelector('#share-tlp').value`); got != "amber" {
		t.Errorf("default share TLP = %q, want amber (the inject's marking)", got)
	}
	labels := evalJS[map[string]string](ana, `Object.fromEntries([...document.querySelectorAll('#share-tlp option')].map((o) => [o.value, o.textContent]))`)
	for _, open := range []string{"clear", "green"} {
		if !strings.Contains(labels[open], "violation") {
			t.Errorf("option %s reads %q, want it to say it is a TLP violation", open, labels[open])
		}
	}
	if strings.Contains(labels["amber"], "violation") {
		t.Errorf("option amber reads %q", labels["amber"])
	}
	if !evalJS[bool](ana, `document.querySelector('#share-tlp-warning').hidden`) {
		t.Error("the violation warning shows for the inject's own marking")
	}
	ana.choose("#share-tlp", "green")
	ana.waitJS("the violation warning", `!document.querySelector('#share-tlp-warning').hidden && document.querySelector('#share-tlp-warning').textContent.includes('Violation')`)
	if evalJS[bool](ana, `document.querySelector('#share-submit').disabled`) {
		t.Error("sharing at a more open level is blocked: the trainee must keep the freedom to make the mistake")
	}
	ana.checkAxe("share form with the TLP warning")
	ana.choose("#share-tlp", "amber")
	ana.waitJS("no warning at amber", `document.querySelector('#share-tlp-warning').hidden`)
	ana.typeInto("#share-text", "IoCs: 185.220.101.7")
	ana.click("#share-submit")
	ana.waitJS("shared", `document.querySelector('#share-submit').dataset.state === 'done'`)

	steps.step("written actions need text")
	ana.click(`#inject-detail [data-action="report"]`)
	if got := ana.text(`label[for="report-text"]`); !strings.Contains(got, "required") {
		t.Errorf("report label = %q, want it to say the text is required", got)
	}
	ana.click("#report-submit")
	ana.waitJS("the report refused in the form", `!document.querySelector('#report-form .form-error').hidden`)
	if n := countContaining(fac.texts(`#timeline li[data-type="team.action"]`), "reported on"); n != 0 {
		t.Error("an empty report reached the server")
	}
	longReport := "Situation report: " + strings.Repeat("the campaign targets payroll staff with a fake login page; ", 3) + "END-OF-REPORT"
	ana.typeInto("#report-text", longReport)
	ana.click("#report-submit")
	ana.waitJS("reported", `document.querySelector('#report-submit').dataset.state === 'done'`)
	ana.checkAxe("inject I01 after acting")
	ana.click(`#inbox [data-inject="I01"]`)
	ana.shoot(shots, "trainee-inject")

	steps.step("staff read a team's full text")
	fac.waitJS("the report in the timeline", `[...document.querySelectorAll('#timeline li[data-type="team.action"]')].some((li) => li.textContent.includes('Situation report'))`)
	sel := `#timeline li[data-type="team.action"][data-seq="` + evalJS[string](fac, `[...document.querySelectorAll('#timeline li[data-type="team.action"]')].find((li) => li.textContent.includes('Situation report')).dataset.seq`) + `"]`
	if strings.Contains(fac.text(sel+" .tl-text"), "END-OF-REPORT") {
		t.Fatal("the timeline line is not clipped; the test needs a longer report")
	}
	fac.click(sel + " .tl-more")
	fac.waitJS("the full text", `!document.querySelector('`+sel+` .tl-detail').hidden && document.querySelector('`+sel+` .tl-more').getAttribute('aria-expanded') === 'true'`)
	if got := fac.text(sel + " .tl-detail"); got != longReport {
		t.Errorf("expanded text = %q, want the whole report", got)
	}

	steps.step("a jump that expires human items asks first")
	fac.click("#btn-jump")
	ana.waitJS("I02 in the inbox", `document.querySelector('#inbox [data-inject="I02"]')`)
	fac.waitJS("the jump acked", `document.querySelector('#btn-jump').dataset.state === 'done'`)
	// I01's classify (due T+40) is open and nothing is scheduled before it.
	fac.waitJS("I01 classify open in the grid", `document.querySelector('#team-grid tr[data-team="co-csirt"] .open-exp[data-open-inject="I01"][data-expectation="classify"]')`)
	before := fac.text("#clock")
	fac.click("#btn-jump")
	fac.waitJS("the jump confirmation", `document.querySelector('#confirm-dialog').open`)
	items := fac.texts("#confirm-list li")
	if countContaining(items, "colCERT: I01 Classify") != 1 {
		t.Errorf("the jump confirmation lists %q, want colCERT's I01 classification", items)
	}
	fac.checkAxe("jump confirmation")
	fac.click("#confirm-cancel")
	fac.waitJS("the dialog closed", `!document.querySelector('#confirm-dialog').open`)
	if after := fac.text("#clock"); clockSeconds(t, after)-clockSeconds(t, before) > 5 {
		t.Errorf("the clock jumped from %s to %s although the jump was cancelled", before, after)
	}

	steps.step("a speed-up that brings human deadlines close asks first")
	fac.choose("#speed", "120")
	fac.waitJS("the speed confirmation", `document.querySelector('#confirm-dialog').open && document.querySelectorAll('#confirm-list li').length > 0`)
	fac.click("#confirm-cancel")
	fac.waitJS("the speed back at 1×", `!document.querySelector('#confirm-dialog').open && document.querySelector('#speed').value === '1'`)
	if got := fac.text("#speed-label"); got != "1×" {
		t.Errorf("speed after a cancelled speed-up = %q", got)
	}

	steps.step("manual release goes to the team picked")
	fac.waitJS("I09 waits for a release", `document.querySelector('#releasable li[data-releasable="I09"]')`)
	fac.choose(`#releasable li[data-releasable="I09"] select`, "pe-csirt")
	fac.click(`#releasable li[data-releasable="I09"] [data-cmd="release"]`)
	luis.waitJS("I09 for PeCERT", `document.querySelector('#inbox [data-inject="I09"]')`)
	fac.waitJS("the release acked", `document.querySelector('#releasable li[data-releasable="I09"] [data-cmd="release"]')?.dataset.state === 'done'`)
	fac.waitJS("I09 still releasable for colCERT", `document.querySelector('#releasable li[data-releasable="I09"]')`)
	for _, ev := range ana.frames.events(t) {
		if ev.Event.Type == "inject.delivered" && ev.Event.Data.Inject == "I09" {
			t.Errorf("colCERT got I09, which was released to PeCERT only")
		}
	}
	for _, ev := range fac.frames.events(t) {
		if ev.Event.Type == "inject.delivered" && ev.Event.Data.Inject == "I09" && ev.Event.Team != "pe-csirt" {
			t.Errorf("I09 delivered to %s", ev.Event.Team)
		}
	}

	steps.step("Release now asks, and the list holds still under the pointer")
	first := `#upcoming li[data-upcoming="I10"] [data-cmd="release"]`
	fac.waitJS("I10 first in the scheduled list", `document.querySelector('#upcoming li:first-child')?.dataset.upcoming === 'I10' && document.querySelector('#upcoming li:nth-child(2)')?.dataset.upcoming === 'I11'`)
	fac.click(first)
	fac.waitJS("the release confirmation", `document.querySelector('#confirm-dialog').open && document.querySelector('#confirm-title').textContent.includes('I10')`)
	if n := countContaining(ana.texts("#inbox .inbox-item"), "Press enquiry"); n != 0 {
		t.Fatal("I10 was released before the confirmation")
	}
	pt := evalJS[[]float64](fac, `(() => { const r = document.querySelector(`+js(first)+`).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	evalJS[bool](fac, `document.querySelector('#confirm-ok').click(), true`) // the pointer stays where it clicked
	ana.waitJS("I10 delivered", `document.querySelector('#inbox [data-inject="I10"]')`)
	fac.waitJS("the release acked", `document.querySelector(`+js(first)+`)?.dataset.state === 'done'`)
	fac.waitJS("the status without I10", `(() => { const li = document.querySelector('#upcoming li[data-upcoming="I10"]'); return !li || li.classList.contains('gone'); })()`)
	under := evalJS[string](fac, `(() => { const el = document.elementFromPoint(`+jsNum(pt[0])+`, `+jsNum(pt[1])+`); const li = el && el.closest('li[data-upcoming]'); return li ? li.dataset.upcoming + (el.closest('button')?.disabled ? ':disabled' : ':enabled') : ''; })()`)
	if under != "I10:disabled" {
		t.Errorf("under the pointer after the release: %q, want I10's (disabled) button, not the next inject's", under)
	}
	fac.do(chromedp.MouseEvent(chromedp.MouseMoved, 5, 5)) // the pointer leaves: the list catches up
	fac.waitJS("I10 gone from the list", `!document.querySelector('#upcoming li[data-upcoming="I10"]') && document.querySelector('#upcoming li:first-child')?.dataset.upcoming === 'I11'`)

	steps.step("an ad-hoc inject is accepted or refused whole")
	fac.click(".composer-wrap summary")
	fac.typeInto("#adhoc-title", "Journalist on the phone")
	fac.typeInto("#adhoc-body", "A reporter asks whether citizens' data leaked.")
	fac.click(`#adhoc-form input[name=adhoc-to][value="pe-csirt"]`)
	fac.click("#adhoc-exp-on")
	fac.choose("#adhoc-exp-action", "publish")
	evalJS[bool](fac, `(() => { const el = document.querySelector('#adhoc-exp-points'); el.value = '5000'; return true; })()`)
	fac.click("#adhoc-submit")
	fac.waitJS("the refusal in the form", `document.querySelector('#adhoc-submit').dataset.state === 'error' && !document.querySelector('#adhoc-form .form-error').hidden`)
	if got := fac.text("#adhoc-submit"); strings.Contains(got, "Sent") {
		t.Errorf("the composer says %q after a refusal", got)
	}
	// The message above the page covers nothing and can be closed.
	fac.waitJS("the error message", `document.querySelector('#errors .alert')`)
	if !evalJS[bool](fac, `(() => { const b = document.querySelector('#adhoc-submit'); b.scrollIntoView({block: 'nearest'}); const r = b.getBoundingClientRect();
		return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; })()`) {
		t.Error("the error message covers the composer's Send button")
	}
	fac.checkAxe("composer refused")
	fac.click("#errors .alert .alert-close")
	fac.waitJS("the message closed", `!document.querySelector('#errors .alert')`)
	evalJS[bool](fac, `(() => { const el = document.querySelector('#adhoc-exp-points'); el.value = '5'; return true; })()`)
	fac.click("#adhoc-submit")
	fac.waitJS("sent", `document.querySelector('#adhoc-submit').dataset.state === 'done'`)
	luis.waitJS("the ad-hoc inject", `document.querySelector('#inbox [data-inject="adhoc-1"]')`)
	luis.click(`#inbox [data-inject="adhoc-1"]`)
	luis.waitJS("the ad-hoc expectation", `document.querySelector('#detail-expectations li[data-exp-action="publish"]')`)
	if n := countContaining(fac.texts(`#timeline li[data-type="inject.sent"]`), "Journalist on the phone"); n != 1 {
		t.Errorf("the timeline has %d ad-hoc injects sent, want 1 (the refused one is not sent)", n)
	}

	steps.step("observer and evaluator")
	obs.joinTyped(s.URL, info.Codes.Observer, "")
	obs.waitLive("/observer.html")
	eva.joinTyped(s.URL, info.Codes.Evaluator, "")
	eva.waitLive("/observer.html")
	obs.waitJS("the grid", `document.querySelector('#team-grid tr[data-team="co-csirt"] .score').dataset.score !== '0'`)
	obs.checkAxe("running")
	eva.checkAxe("running")
	fac.checkAxe("running")
	luis.checkAxe("running")
	obs.shoot(shots, "observer")
	eva.shoot(shots, "evaluator")
	// The facilitator's timeline is in view at 1440×900.
	fac.do(chromedp.EmulateViewport(deskW, deskH))
	if top, h := evalJS[float64](fac, `document.querySelector('#timeline').getBoundingClientRect().top`), evalJS[float64](fac, `document.querySelector('#timeline').getBoundingClientRect().height`); top > deskH-200 || h < 200 {
		t.Errorf("the facilitator's timeline starts at %.0f px and is %.0f px high at 1440×900, want it in view", top, h)
	}
	fac.shoot(shots, "facilitator-running")

	steps.step("phone: the trainee's response buttons are at hand")
	ana.do(chromedp.EmulateViewport(phoneW, phoneH))
	ana.click(`#inbox [data-inject="I01"]`)
	ana.waitJS("the title in view", `document.querySelector('#detail-title').getBoundingClientRect().top < innerHeight`)
	if !evalJS[bool](ana, `(() => { const r = document.querySelector('#inject-detail [data-action="acknowledge"]').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`) {
		t.Errorf("on a phone the Acknowledge button is off screen once the inject is open (at %v)", evalJS[any](ana, `document.querySelector('#inject-detail [data-action="acknowledge"]').getBoundingClientRect().top`))
	}
	ana.checkAxe("phone, inject open")
	ana.do(chromedp.EmulateViewport(deskW, deskH))

	// The end.
	steps.step("end with a reason")
	fac.click("#btn-end")
	fac.waitJS("the end confirmation", `document.querySelector('#confirm-dialog').open`)
	fac.typeInto("#confirm-reason", "Fire drill in the building")
	fac.click("#confirm-ok")
	fac.waitJS("ended: every control off", `document.body.dataset.status === 'ended' && ['start', 'pause', 'resume', 'jump', 'end'].every((k) => document.querySelector('#btn-' + k).disabled) && document.querySelector('#speed').disabled`)
	fac.waitJS("the reason on the page", `document.querySelector('#ended-notice')?.textContent.includes('Fire drill in the building')`)
	fac.waitJS("the reason in the timeline", `document.querySelector('#timeline li[data-type="exercise.ended"]')?.textContent.includes('Fire drill')`)
	if n := fac.count(".countdown:not(.stopped)"); n != 0 {
		t.Errorf("%d countdowns still run after the end", n)
	}
	if n := fac.count(".countdown.stopped"); n == 0 {
		t.Error("no stopped countdown after the end (the grid had open items)")
	}
	obs.waitJS("the observer sees the end", `document.querySelector('#ended-notice')?.textContent.includes('Fire drill')`)
	fac.checkAxe("ended")
	obs.checkAxe("ended")
	fac.shoot(shots, "facilitator-ended")

	steps.step("trainees get their own debrief")
	ana.waitJS("the debrief", `document.querySelector('#debrief #debrief-score') && document.querySelectorAll('#debrief-table tr[data-expectation]').length > 0`)
	if got := evalJS[string](ana, `document.querySelector('#debrief-score').dataset.score`); got != evalJS[string](fac, `document.querySelector('#team-grid tr[data-team="co-csirt"] .score').dataset.score`) {
		t.Errorf("debrief score %s differs from the facilitator's grid", got)
	}
	if evalJS[bool](ana, `[...document.querySelectorAll('#inject-detail .actions button')].some((b) => !b.disabled)`) {
		t.Error("response buttons are enabled after the end")
	}
	for _, ev := range ana.frames.all() {
		if strings.Contains(ev, `"team":"pe-csirt"`) && strings.Contains(ev, "expectation.") {
			t.Errorf("colCERT's socket got PeCERT's results: %.200s", ev)
		}
	}
	if got := ana.text("#debrief"); strings.Contains(got, "PeCERT") {
		t.Errorf("colCERT's debrief mentions PeCERT: %q", got)
	}
	luis.waitJS("PeCERT's debrief", `document.querySelector('#debrief #debrief-score')`)
	if got := luis.text("#debrief"); strings.Contains(got, "I01") {
		t.Errorf("PeCERT's debrief shows colCERT's inject I01: %q", got)
	}
	ana.checkAxe("debrief")
	ana.shoot(shots, "trainee-debrief")

	steps.step("console problems")
	for _, p := range people {
		p.checkProblems()
	}
}

// jsNum writes a float as a JavaScript number.
func jsNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// TestE2EAdminCodes checks the landing and admin pages: the exercise list
// shows each exercise's clock and, on demand, its codes, links and QR
// codes; both pages pass axe and fit a phone.
func TestE2EAdminCodes(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info := s.createExercise(t)
	root := browser.New(t)
	people := newPeople(t, root, "admin", "facilitator")
	admin, fac := people[0], people[1]
	shots := shotsDir(t)

	steps.step("landing page")
	admin.do(chromedp.EmulateViewport(deskW, deskH))
	admin.navigate(s.URL + "/")
	admin.checkAxe("join page")
	admin.shoot(shots, "join")

	steps.step("the clock moves in the exercise list")
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running'`)
	fac.click("#btn-jump")
	fac.waitJS("at I01", `document.querySelector('#clock').textContent >= 'T+0:10:00'`)

	steps.step("admin: exercise list with clock and codes")
	admin.expectProblem("the server responded with a status of 401 (Unauthorized)") // the page asks before the login
	admin.navigate(s.URL + "/admin.html")
	admin.waitJS("the login form", `!document.querySelector('#login').hidden`)
	admin.checkAxe("login")
	admin.typeInto("#admin-key", adminKey)
	admin.click("#admin-login")
	row := `#exercises-table tr[data-exercise="` + info.ID + `"]`
	admin.waitJS("the exercise in the list", `document.querySelector(`+js(row)+`)`)
	if got := admin.text(row + " .clock-cell"); !strings.HasPrefix(got, "T+0:10:") {
		t.Errorf("Clock column = %q, want T+0:10:xx", got)
	}
	admin.click(row + " .btn-codes")
	codes := `#exercises-table tr[data-codes-for="` + info.ID + `"]`
	admin.waitJS("the codes", `!document.querySelector(`+js(codes)+`).hidden && document.querySelectorAll(`+js(codes+" li[data-code-role]")+`).length === 5`)
	if got := admin.text(codes + ` li[data-code-team="co-csirt"] .code-value`); got != info.Codes.Teams["co-csirt"] {
		t.Errorf("co-csirt code on the admin page = %q", got)
	}
	if got := admin.text(codes + ` li[data-code-team="co-csirt"] .code-label`); got != "Team colCERT" {
		t.Errorf("co-csirt's code is labelled %q, want the team's name", got)
	}
	admin.click(codes + ` li[data-code-team="co-csirt"] .btn-qr`)
	admin.waitJS("the QR code", `document.querySelector('#qr-dialog').open && document.querySelector('#qr-image').complete && document.querySelector('#qr-image').naturalWidth > 0`)
	admin.checkAxe("QR dialog")
	admin.screenshot(shots, "admin-qr-390x844", phoneW, phoneH)
	admin.do(chromedp.EmulateViewport(deskW, deskH))
	admin.click("#qr-close")
	admin.checkAxe("exercise list with codes")
	admin.shoot(shots, "admin")

	steps.step("console problems")
	for _, p := range people {
		p.checkProblems()
	}
}
