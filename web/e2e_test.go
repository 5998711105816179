package web_test

// Browser end-to-end tests: the real server in-process, the real UI in
// headless Chromium, and a separate browser context (cookie jar) for each
// person. Run them with
//
//	go test -race -count=3 -run E2E ./web
//
// CMESIM_SCREENSHOTS=dir keeps the screenshots of TestE2EExercise in dir.

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

// Names of the people and texts of the example scenario the tests look for.
const (
	anaName  = "Ana Gómez"   // co-csirt trainee
	luisName = "Luis Quispe" // pe-csirt trainee

	i01Title = "Suspicious e-mails reported by the ministry"
	i01Body  = "Actualización de nómina"
	i02Title = "Ministry asks for guidance"
	i02Body  = "block the domain nationally"
)

// TestE2EExercise plays the example scenario through the UI: the
// facilitator creates the exercise on the admin page and starts it, two
// trainees of different teams join and act, the facilitator watches the
// grid and timeline live and downloads the report; team isolation holds in
// the pe-csirt trainee's page and on its socket; no page logs an error or
// breaks the CSP.
func TestE2EExercise(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("start server and browser")
	s := startE2E(t)
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "co-csirt trainee", "pe-csirt trainee", "observer")
	fac, ana, luis, obs := people[0], people[1], people[2], people[3]
	shots := screenshotDir(t)

	// The facilitator creates the exercise on the admin page.
	steps.step("admin: log in, upload the scenario, create")
	fac.expectProblem("the server responded with a status of 401 (Unauthorized)") // the admin page asks before the login
	fac.navigate(s.URL + "/admin.html")
	fac.waitJS("the login form", `!document.querySelector('#login').hidden`)
	fac.typeInto("#admin-key", adminKey)
	fac.click("#admin-login")
	fac.waitJS("the admin app", `document.querySelector('#login').hidden && !document.querySelector('#admin-app').hidden && document.querySelectorAll('#scenario-select option').length > 0`)
	scenario, err := filepath.Abs(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	fac.do(chromedp.SetUploadFiles(chromedp.CSS("#scenario-file"), []string{scenario}))
	fac.waitJS("the uploaded YAML in the text area", `document.querySelector('#scenario-yaml').value.includes('example-phishing') && document.querySelector('input[name=source][value=yaml]').checked`)
	fac.typeInto("#humans", "co-csirt, pe-csirt")
	fac.click("#create-exercise")
	fac.waitJS("the codes", `!document.querySelector('#created').hidden && document.querySelectorAll('#codes li[data-code-role]').length === 5`)
	codes := evalJS[map[string]string](fac, `Object.fromEntries([...document.querySelectorAll('#codes li[data-code-role]')].map((li) =>
		[li.dataset.codeTeam || li.dataset.codeRole, li.querySelector('.code-value').textContent]))`)
	links := evalJS[map[string]string](fac, `Object.fromEntries([...document.querySelectorAll('#codes li[data-code-team]')].map((li) =>
		[li.dataset.codeTeam, li.querySelector('.code-link').href]))`)
	codeRE := regexp.MustCompile(`^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$`)
	for _, who := range []string{"facilitator", "evaluator", "observer", "co-csirt", "pe-csirt"} {
		if !codeRE.MatchString(codes[who]) {
			t.Fatalf("code of %s = %q, want XXXX-XXXX-XXXX; all codes %v", who, codes[who], codes)
		}
	}
	if want := s.URL + "/?code=" + codes["pe-csirt"]; links["pe-csirt"] != want {
		t.Errorf("pe-csirt join link = %q, want %q", links["pe-csirt"], want)
	}
	fac.screenshot(shots, "admin-codes-1366x768", 1366, 768)

	steps.step("facilitator: open the console and start")
	fac.click("#open-facilitator")
	fac.waitLive("/facilitator.html")
	if got := fac.text("#status"); got != "ready" {
		t.Fatalf("status before start = %q, want ready", got)
	}
	fac.click("#btn-start")
	fac.waitJS("status running", `document.querySelector('#status').textContent === 'running' && document.querySelector('#btn-start').disabled && !document.querySelector('#btn-pause').disabled`)
	reportHref := evalJS[string](fac, `document.querySelector('#report-html').href`)

	// Two trainees of different teams join with their codes and names.
	steps.step("trainees join")
	ana.joinTyped(s.URL, strings.ToLower(codes["co-csirt"]), anaName) // case and dashes do not matter
	luis.joinLink(links["pe-csirt"], luisName)
	ana.waitLive("/trainee.html")
	luis.waitLive("/trainee.html")
	if got := ana.text("#team-name"); got != "colCERT" {
		t.Errorf("co-csirt trainee's team name = %q, want colCERT", got)
	}
	if got := luis.text("#team-name"); got != "PeCERT" {
		t.Errorf("pe-csirt trainee's team name = %q, want PeCERT", got)
	}
	// …and the facilitator sees them online.
	fac.waitJS("both trainees online in the team grid", `document.querySelector('#team-grid tr[data-team="co-csirt"] .online').textContent === `+js(anaName)+
		` && document.querySelector('#team-grid tr[data-team="pe-csirt"] .online').textContent === `+js(luisName))

	// Injects: the facilitator jumps the clock to I01 (T+10m, co-csirt only).
	steps.step("jump to I01")
	fac.click("#btn-jump")
	ana.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	ana.click(`#inbox [data-inject="I01"]`)
	ana.waitJS("I01 open", `document.querySelector('#inject-detail').dataset.selectedInject === 'I01' && document.querySelector('#detail-title').textContent === `+js(i01Title))
	if got := ana.text("#detail-body"); !strings.Contains(got, i01Body) || !strings.Contains(got, "colCERT") {
		t.Errorf("I01 body = %q, want the e-mail subject and the team name filled in", got)
	}
	if name, content := ana.text("#inject-detail .attachment .att-name"), ana.text("#inject-detail .attachment pre"); name != "iocs.txt" || !strings.Contains(content, "185.220.101.7") {
		t.Errorf("I01 attachment shows name %q, content %q; want iocs.txt with the IoCs", name, content)
	}
	if got := ana.text("#clock"); !strings.HasPrefix(got, "T+0:10:") {
		t.Errorf("trainee clock after the jump = %q, want T+0:10:xx", got)
	}
	fac.waitJS("co-csirt's open expectations", `document.querySelectorAll('#team-grid tr[data-team="co-csirt"] .open-exp[data-open-inject="I01"]').length === 3`)

	steps.step("acknowledge I01")
	ana.click(`#inject-detail [data-action="acknowledge"]`)
	ana.waitJS("the acknowledgement acked", `document.querySelector('#inject-detail [data-action="acknowledge"]').dataset.state === 'done'`)
	ana.waitJS("ack expectation met", `document.querySelector('#detail-expectations li[data-expectation="ack"]').dataset.state === 'met'`)
	fac.waitJS("co-csirt's score rises to 5", `document.querySelector('#team-grid tr[data-team="co-csirt"] .score').dataset.score === '5'`)

	steps.step("share I01 with pe-csirt at TLP:AMBER")
	// The text carries markup a hostile trainee might send: every console
	// must show it as text and run none of it.
	shareText := `IoCs: hxxps://nomina-minfin[.]com/login, 185.220.101.7 — block them <img src=x onerror="window.pwned=1"><script>window.pwned=1</script> **bold**`
	ana.click(`#inject-detail [data-action="share"]`)
	ana.waitJS("the share form", `!document.querySelector('#share-form').hidden`)
	if got := evalJS[[]string](ana, `[...document.querySelectorAll('#share-tlp option')].map((o) => o.value)`); !slices.Equal(got, []string{"clear", "green", "amber"}) {
		t.Errorf("share TLP choices = %q, want clear, green, amber (the link's levels)", got)
	}
	if !evalJS[bool](ana, `document.querySelector('#share-submit').disabled`) {
		t.Error("#share-submit is enabled before a peer is chosen")
	}
	ana.click(`#share-form input[name=peer][value="pe-csirt"]`)
	ana.choose("#share-tlp", "amber")
	ana.typeInto("#share-text", shareText)
	ana.click("#share-submit")
	ana.waitJS("the share acked", `document.querySelector('#share-submit').dataset.state === 'done' && document.querySelector('#share-form').hidden`)
	luis.waitJS("the share in 'Shared with us'", `document.querySelector('#shared-with-us li.shared-item[data-from="co-csirt"]')`)
	if got := luis.text(`#shared-with-us li.shared-item[data-from="co-csirt"]`); !strings.Contains(got, shareText) || !strings.Contains(got, "TLP:AMBER") || !strings.Contains(got, anaName) || !strings.Contains(got, "I01") {
		t.Errorf("what pe-csirt sees of the share = %q, want the text, TLP:AMBER, the sender's name and I01", got)
	}
	for _, p := range []*person{ana, luis, fac} {
		if pwned := evalJS[bool](p, `window.pwned === 1 || !!document.querySelector('#shared-with-us img, #timeline img, #timeline script')`); pwned {
			t.Errorf("markup in a share's text ran or was inserted as HTML in %s's console", p.name)
		}
	}

	steps.step("classify I01")
	ana.click(`#inject-detail [data-action="classify"]`)
	ana.choose("#classify-category", "fraud/phishing")
	ana.choose("#classify-severity", "high")
	ana.click("#classify-submit")
	ana.waitJS("the classification acked", `document.querySelector('#classify-submit').dataset.state === 'done'`)
	ana.waitJS("all three I01 expectations met", `[...document.querySelectorAll('#detail-expectations li[data-expectation]')].every((li) => li.dataset.state === 'met') && document.querySelectorAll('#detail-expectations li[data-expectation]').length === 3`)
	if got := ana.count("#detail-actions li[data-seq]"); got != 3 {
		t.Errorf("I01 shows %d team actions, want 3: %q", got, ana.texts("#detail-actions li"))
	}

	// The facilitator sees it live.
	steps.step("facilitator sees score and timeline")
	fac.waitJS("co-csirt's score at 30", `document.querySelector('#team-grid tr[data-team="co-csirt"] .score').dataset.score === '30' && document.querySelector('#team-grid tr[data-team="co-csirt"] .tally').dataset.met === '3'`)
	// The example scenario shows players actions and deadlines, not points.
	ana.waitJS("the trainee's score hidden", `document.querySelector('#team-score').hidden`)
	actions := fac.texts(`#timeline li[data-type="team.action"]`)
	for _, want := range []string{
		"colCERT (" + anaName + ") acknowledged I01",
		"colCERT (" + anaName + ") shared I01 with PeCERT at TLP:AMBER",
		"colCERT (" + anaName + ") classified I01 as Phishing / high",
	} {
		if n := countContaining(actions, want); n != 1 {
			t.Errorf("facilitator timeline has %d entries with %q, want 1; actions: %q", n, want, actions)
		}
	}
	if n := fac.count(`#timeline li[data-type="expectation.met"]`); n != 3 {
		t.Errorf("facilitator timeline has %d expectation.met entries, want 3", n)
	}

	// I02 goes to co-csirt only.
	steps.step("jump to I02")
	fac.click("#btn-jump")
	ana.waitJS("I02 in the inbox", `document.querySelector('#inbox [data-inject="I02"][data-unread="true"]')`)
	fac.waitJS("I02 in the facilitator timeline", `document.querySelector('#timeline li[data-type="inject.delivered"]:first-child')?.textContent.includes('I02')`)

	// Team isolation, in the page and on the wire.
	steps.step("isolation in the pe-csirt page and socket")
	// A socket gets events in log order. The facilitator pauses: once the
	// pause, an event for everyone after I02's delivery in the log, is in
	// the pe-csirt page and on its socket, so would anything of I02 the
	// server had leaked to it.
	fac.click("#btn-pause")
	luis.waitJS("the pause in the pe-csirt timeline", `document.querySelector('#timeline li[data-type="exercise.paused"]')`)
	luis.waitEvent("exercise.paused")
	if n := luis.count("#inbox .inbox-item"); n != 0 {
		t.Errorf("pe-csirt inbox has %d items, want none: %q", n, luis.texts("#inbox .inbox-item"))
	}
	if !evalJS[bool](luis, `!document.querySelector('#inbox-empty').hidden`) {
		t.Error("pe-csirt inbox does not say it is empty")
	}
	page := evalJS[string](luis, `document.body.innerText`)
	for _, secret := range []string{i01Title, i01Body, i02Title, i02Body} {
		if strings.Contains(page, secret) {
			t.Errorf("pe-csirt page shows co-csirt's private %q", secret)
		}
	}
	checkIsolationOnWire(t, luis, "pe-csirt", shareText)
	// The co-csirt trainee does not see pe-csirt's private events either:
	// every event on its socket is its team's or everyone's.
	for _, ev := range ana.frames.events(t) {
		if ev.Event.Team != "" && ev.Event.Team != "co-csirt" {
			t.Errorf("co-csirt socket got pe-csirt's event %+v", ev.Event)
		}
	}
	// Nor where things are in the scenario file.
	for _, f := range ana.frames.all() {
		if strings.Contains(f, `"Pos":`) || strings.Contains(f, "upload.yaml") {
			t.Errorf("co-csirt socket got scenario file positions: %.300s", f)
		}
	}

	fac.waitJS("status paused", `document.querySelector('#status').textContent === 'paused' && !document.querySelector('#btn-resume').disabled`)
	fac.click("#btn-resume")
	fac.waitJS("status running again", `document.querySelector('#status').textContent === 'running'`)

	// An observer joining now sees the same state, without controls.
	steps.step("observer")
	obs.joinTyped(s.URL, codes["observer"], "")
	obs.waitLive("/observer.html")
	obs.waitJS("the grid and timeline", `document.querySelector('#team-grid tr[data-team="co-csirt"] .score').dataset.score === '30' && document.querySelectorAll('#timeline li[data-type="team.action"]').length === 3`)
	if n := obs.count("#btn-start, #btn-pause, #btn-jump, #note-form"); n != 0 {
		t.Errorf("the observer page has %d controls", n)
	}

	// The report, from the facilitator's browser.
	steps.step("report download")
	rep := evalJS[fetched](fac, `(async () => { const r = await fetch(document.querySelector('#report-html').href);
		return {status: r.status, type: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '', body: await r.text()}; })()`)
	if rep.Status != 200 || !strings.HasPrefix(rep.Type, "text/html") || !strings.Contains(rep.Disposition, "example-phishing-report.html") {
		t.Fatalf("report: status %d, type %q, disposition %q: %.300s", rep.Status, rep.Type, rep.Disposition, rep.Body)
	}
	for _, want := range []string{
		"Phishing wave against two ministries",
		"trainee:co-csirt:" + anaName, // the actor of her actions
		"acknowledge", "classify", "share",
		"TLP:AMBER",
	} {
		if !strings.Contains(rep.Body, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if !strings.Contains(reportHref, "/report?format=html") {
		t.Errorf("#report-html href = %q", reportHref)
	}
	// The report is for staff: the trainee's browser is refused it.
	ana.expectProblem("the server responded with a status of 403 (Forbidden)")
	if got := evalJS[int](ana, `fetch(`+js(reportHref)+`).then((r) => r.status)`); got != 403 {
		t.Errorf("a trainee fetching the report got status %d, want 403", got)
	}

	// Screenshots with real data, for a person to look at.
	steps.step("screenshots")
	fac.screenshot(shots, "facilitator-1366x768", 1366, 768)
	ana.click(`#inbox [data-inject="I01"]`)
	ana.screenshot(shots, "trainee-co-csirt-1366x768", 1366, 768)
	ana.screenshot(shots, "trainee-co-csirt-1024x768", 1024, 768)
	luis.screenshot(shots, "trainee-pe-csirt-1366x768", 1366, 768)
	ana.noHorizontalScroll(1024, 768)
	fac.noHorizontalScroll(1024, 768)

	// No console errors, warnings, exceptions or CSP violations anywhere.
	steps.step("console problems")
	for _, p := range people {
		p.checkProblems()
	}
}

// fetched is what a page's fetch returned.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Body        string `json:"body"`
}

// checkIsolationOnWire checks every event p's socket received: nothing
// private to another team, no inject delivered to another team, and (as a
// control that the recording works) the share addressed to team.
func checkIsolationOnWire(t *testing.T, p *person, team, shareText string) {
	t.Helper()
	msgs := p.frames.all()
	if len(msgs) == 0 {
		t.Fatalf("%s: no WebSocket messages recorded", p.name)
	}
	for _, f := range msgs {
		for _, secret := range []string{i01Title, i01Body, i02Title, i02Body} {
			if strings.Contains(f, secret) {
				t.Errorf("%s: socket received another team's inject text %q: %.300s", p.name, secret, f)
			}
		}
	}
	sawShare := false
	for _, ev := range p.frames.events(t) {
		e := ev.Event
		if ev.Inject != nil {
			t.Errorf("%s: socket received inject content %s", p.name, ev.Inject.ID)
		}
		switch {
		case e.Team == "" || e.Team == team:
		case e.Type == "team.action" && e.Data.Action == "share" && slices.Contains(e.Data.Peers, team):
			sawShare = sawShare || e.Data.Text == shareText
		default:
			t.Errorf("%s: socket received another team's event seq %d: %s of %s (audience %v)", p.name, ev.Seq, e.Type, e.Team, e.Audience)
		}
		if e.Type == "inject.delivered" && e.Team != team {
			t.Errorf("%s: socket received the delivery of %s to %s", p.name, e.Data.Inject, e.Team)
		}
	}
	if !sawShare {
		t.Errorf("%s: the share addressed to %s is not among the %d messages its socket received", p.name, team, len(msgs))
	}
}

func countContaining(list []string, sub string) int {
	n := 0
	for _, s := range list {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// TestE2EPauseResume checks that Pause stops the clock on every console
// while the exercise runs at 60×, that trainees' actions are refused while
// paused, and that Resume starts the clock again from where it stopped.
func TestE2EPauseResume(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info := s.createExercise(t)
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "co-csirt trainee")
	fac, ana := people[0], people[1]
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	ana.joinTyped(s.URL, info.Codes.Teams["co-csirt"], anaName)
	ana.waitLive("/trainee.html")
	fac.click("#btn-start")
	fac.waitJS("status running", `document.querySelector('#status').textContent === 'running'`)
	fac.click("#btn-jump")
	ana.waitJS("I01 open", `document.querySelector('#inject-detail').dataset.selectedInject === 'I01'`)

	steps.step("speed 60×, clock runs")
	fac.choose("#speed", "60")
	// At 60× colCERT's open items on I01 fall due within minutes: the
	// console lists them and asks first.
	fac.waitJS("the speed-up confirmation", `document.querySelector('#confirm-dialog').open && [...document.querySelectorAll('#confirm-list li')].some((li) => li.textContent.includes('I01'))`)
	fac.click("#confirm-ok")
	fac.waitJS("speed 60× on the facilitator console", `document.querySelector('#speed-label').textContent === '60×'`)
	ana.waitJS("trainee clock past T+0:10:30", `document.querySelector('#clock').textContent > 'T+0:10:30'`)
	for _, p := range people {
		p.waitClockTicks(3)
	}

	steps.step("pause: clocks stand still")
	fac.click("#btn-pause")
	fac.waitJS("status paused", `document.querySelector('#status').textContent === 'paused' && !document.querySelector('#btn-resume').disabled && document.querySelector('#btn-pause').disabled`)
	ana.waitJS("status paused and the banner", `document.querySelector('#status').textContent === 'paused' && !document.querySelector('#paused-notice').hidden`)
	pausedAt := map[string]string{}
	for i, samples := range sampleText(people, "#clock", 2*time.Second) {
		if d := distinct(samples); len(d) != 1 {
			t.Errorf("%s: the clock moved while paused: %q", people[i].name, d)
		}
		pausedAt[people[i].name] = samples[len(samples)-1]
	}
	if pausedAt[fac.name] != pausedAt[ana.name] {
		t.Errorf("paused clocks differ: facilitator %s, trainee %s", pausedAt[fac.name], pausedAt[ana.name])
	}

	steps.step("paused: an action is refused")
	ana.click(`#inject-detail [data-action="acknowledge"]`)
	ana.waitJS("the refusal", `document.querySelector('#inject-detail [data-action="acknowledge"]').dataset.state === 'error' && !document.querySelector('#action-error').hidden`)
	if got := ana.text("#action-error"); !strings.Contains(got, "paused") {
		t.Errorf("the refusal says %q, want it to say the exercise is paused", got)
	}
	if got := ana.text("#clock"); got != pausedAt[ana.name] {
		t.Errorf("trainee clock moved while paused: %s, then %s", pausedAt[ana.name], got)
	}

	steps.step("resume: clocks run from where they stopped")
	resumeClicked := time.Now()
	fac.click("#btn-resume")
	ana.waitJS("status running", `document.querySelector('#status').textContent === 'running' && document.querySelector('#paused-notice').hidden`)
	resumed := ana.text("#clock")
	// The clock may have run 60× the time since Resume was clicked (and a
	// little for rounding), but not made up for the ≥2 s of the pause,
	// which at 60× would be ≥2 minutes.
	allowed := int(time.Since(resumeClicked).Seconds()*60) + 5
	if gap := clockSeconds(t, resumed) - clockSeconds(t, pausedAt[ana.name]); gap < 0 || gap > allowed {
		t.Errorf("trainee clock went from %s (paused) to %s (just resumed): %ds, want at most %ds", pausedAt[ana.name], resumed, gap, allowed)
	}
	for _, p := range people {
		p.waitClockTicks(3)
	}
	ana.click(`#inject-detail [data-action="acknowledge"]`)
	ana.waitJS("the acknowledgement acked", `document.querySelector('#inject-detail [data-action="acknowledge"]').dataset.state === 'done'`)
	fac.waitJS("pause and resume in the timeline", `document.querySelector('#timeline li[data-type="exercise.paused"]') && document.querySelector('#timeline li[data-type="exercise.resumed"]')`)

	steps.step("console problems")
	fac.checkProblems()
	ana.checkProblems()
}

// distinct returns the values of list without consecutive repeats.
func distinct(list []string) []string {
	return slices.Compact(slices.Clone(list))
}

// clockSeconds parses "T+H:MM:SS".
func clockSeconds(t *testing.T, s string) int {
	t.Helper()
	var h, m, sec int
	if _, err := fmt.Sscanf(s, "T+%d:%d:%d", &h, &m, &sec); err != nil {
		t.Fatalf("clock %q: %v", s, err)
	}
	return h*3600 + m*60 + sec
}

// TestE2EReconnect kills a trainee's WebSocket under the server, keeps it
// from reconnecting for a while, and checks that the page says it is
// offline, that an action taken meanwhile waits and is delivered once after
// the reconnection, and that what happened while the trainee was away
// reaches the page. Then it cuts the connection between a command's
// application and its ack, and checks the command is not applied twice.
func TestE2EReconnect(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info := s.createExercise(t)
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "co-csirt trainee")
	fac, ana := people[0], people[1]
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	ana.joinTyped(s.URL, info.Codes.Teams["co-csirt"], anaName)
	ana.waitLive("/trainee.html")
	fac.click("#btn-start")
	fac.waitJS("status running", `document.querySelector('#status').textContent === 'running'`)
	fac.click("#btn-jump")
	ana.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	fac.waitJS("the jump acked", `document.querySelector('#btn-jump').dataset.state === 'done'`)
	// The jump goes to the next thing on the engine's schedule, which is
	// I01's acknowledgement deadline (T+25m) unless the team acknowledges:
	// then it is I02 (T+30m).
	ana.click(`#inject-detail [data-action="acknowledge"]`)
	ana.waitJS("the acknowledgement acked", `document.querySelector('#inject-detail [data-action="acknowledge"]').dataset.state === 'done'`)
	fac.click("#btn-jump")
	ana.waitJS("I02 in the inbox", `document.querySelector('#inbox [data-inject="I02"]')`)
	ana.click(`#inbox [data-inject="I02"]`)
	ana.waitJS("I02 open", `document.querySelector('#inject-detail').dataset.selectedInject === 'I02'`)
	fac.waitJS("I02 in the facilitator timeline", `document.querySelector('#timeline li[data-type="inject.delivered"]:first-child')?.textContent.includes('I02')`)

	steps.step("kill the socket, hold reconnects")
	// Record every state #conn-state shows from now on.
	evalJS[chromedp.Void](ana, `(() => { const el = document.querySelector('#conn-state'); window.__connStates = [el.textContent];
		new MutationObserver(() => { const s = el.textContent; if (window.__connStates.at(-1) !== s) window.__connStates.push(s); })
			.observe(el, {childList: true, characterData: true, subtree: true}); })()`)
	token := ana.sessionToken()
	s.gate.hold(token)
	if n := s.gate.kill(token); n != 1 {
		t.Fatalf("killed %d WebSockets of the trainee, want 1", n)
	}
	ana.waitJS("the page to notice", `document.querySelector('#conn-state').textContent !== 'online'`)
	ana.waitJS("a reconnection attempt", `window.__connStates.includes('connecting')`)
	waitFor(t, "the reconnection attempt to reach the server", func() bool { return s.gate.heldAttempts(token) > 0 })
	if states := evalJS[[]string](ana, `window.__connStates`); !slices.Contains(states, "offline") {
		t.Errorf("#conn-state went %q, want it to show offline", states)
	}

	steps.step("act while offline")
	note := fmt.Sprintf("Escalated while offline %d", time.Now().UnixNano())
	ana.click(`#inject-detail [data-action="escalate"]`)
	ana.choose("#escalate-target", "mintic")
	ana.typeInto("#escalate-text", note)
	ana.click("#escalate-submit")
	ana.waitJS("the action queued", `document.querySelector('#escalate-submit').dataset.state === 'pending' && document.querySelector('#escalate-submit').textContent === 'Queued…'`)
	ana.waitJS("the header to say one action is queued", `document.querySelector('#conn-detail').textContent.includes('1 queued')`)
	// Meanwhile the exercise goes on: the facilitator pauses and resumes.
	fac.click("#btn-pause")
	fac.waitJS("status paused", `document.querySelector('#status').textContent === 'paused'`)
	fac.click("#btn-resume")
	fac.waitJS("status running", `document.querySelector('#status').textContent === 'running' && document.querySelector('#btn-resume').dataset.state === 'done'`)
	if n := countContaining(fac.texts(`#timeline li`), note); n != 0 {
		t.Fatalf("the escalation reached the server while its sender was offline (%d timeline entries)", n)
	}

	steps.step("reconnect: the action is delivered once")
	s.gate.release(token)
	ana.waitJS("back online", `document.querySelector('#conn-state').textContent === 'online'`)
	ana.waitJS("the action acked", `document.querySelector('#escalate-submit').dataset.state === 'done'`)
	fac.waitJS("the escalation in the facilitator timeline", `[...document.querySelectorAll('#timeline li[data-type="team.action"]')].some((li) => li.textContent.includes(`+js(note)+`))`)
	ana.waitJS("what happened while away", `document.querySelector('#timeline li[data-type="exercise.paused"]') && document.querySelector('#timeline li[data-type="exercise.resumed"]')`)
	fac.barrier()
	if n := countContaining(fac.texts(`#timeline li`), note); n != 1 {
		t.Errorf("the facilitator timeline shows the offline escalation %d times, want once", n)
	}
	if n := countContaining(ana.texts(`#detail-actions li`), "Escalate"); n != 1 {
		t.Errorf("I02 lists %d escalations, want 1: %q", n, ana.texts("#detail-actions li"))
	}
	fac.waitJS("co-csirt's escalate expectation met", `document.querySelector('#team-grid tr[data-team="co-csirt"] .tally').dataset.met === '2'`)
	// Reconnecting with since replays nothing twice.
	seqs := evalJS[[]string](ana, `[...document.querySelectorAll('#timeline li[data-seq]')].map((li) => li.dataset.seq)`)
	if len(distinctAll(seqs)) != len(seqs) {
		t.Errorf("the trainee timeline has repeated events: seqs %v", seqs)
	}
	if n := ana.count("#inbox .inbox-item"); n != 2 {
		t.Errorf("the trainee inbox has %d items after reconnecting, want 2 (I01, I02)", n)
	}
	if states := evalJS[[]string](ana, `window.__connStates`); states[len(states)-1] != "online" {
		t.Errorf("#conn-state went %q", states)
	}

	// The connection now dies after the server applied a command but before
	// its ack reached the page: after reconnecting, the page must find the
	// command in the replayed events and not send it again.
	steps.step("lose an ack: the action is not sent twice")
	sitrep := fmt.Sprintf("Situation report, ack lost %d", time.Now().UnixNano())
	s.gate.dropNextAck(token)
	ana.click(`#inject-detail [data-action="report"]`)
	ana.typeInto("#report-text", sitrep)
	ana.click("#report-submit")
	waitFor(t, "the ack to be dropped", func() bool { return s.gate.droppedAck(token) })
	ana.waitJS("the report settled after reconnecting", `document.querySelector('#report-submit').dataset.state === 'done' && document.querySelector('#conn-state').textContent === 'online'`)
	if states := evalJS[[]string](ana, `window.__connStates`); countContaining(states, "offline") < 2 {
		t.Errorf("#conn-state went %q, want offline twice", states)
	}
	fac.waitJS("the report in the facilitator timeline", `[...document.querySelectorAll('#timeline li[data-type="team.action"]')].some((li) => li.textContent.includes(`+js(sitrep)+`))`)
	fac.barrier()
	if n := countContaining(fac.texts(`#timeline li`), sitrep); n != 1 {
		t.Errorf("the facilitator timeline shows the report whose ack was lost %d times, want once", n)
	}
	if got := evalJS[int](ana, `document.querySelectorAll('#errors .alert').length`); got != 0 {
		t.Errorf("the trainee page shows errors: %q", ana.texts("#errors .alert-text"))
	}

	// The server log, through the JSON report, has each action once.
	steps.step("server log")
	rep := evalJS[fetched](fac, `(async () => { const r = await fetch(document.querySelector('#report-json').href); return {status: r.status, body: await r.text()}; })()`)
	var log struct {
		Log []struct {
			Type, Actor, Team, Inject, Action string
		} `json:"log"`
	}
	if err := json.Unmarshal([]byte(rep.Body), &log); rep.Status != 200 || err != nil {
		t.Fatalf("JSON report: status %d, %v: %.300s", rep.Status, err, rep.Body)
	}
	count := map[string]int{}
	for _, e := range log.Log {
		if e.Type == "team.action" {
			count[e.Action]++
			if e.Actor != "trainee:co-csirt:"+anaName {
				t.Errorf("action in the log by %q", e.Actor)
			}
		}
	}
	if count["escalate"] != 1 || count["report"] != 1 || count["acknowledge"] != 1 {
		t.Errorf("the server log has actions %v, want one acknowledge, one escalate (sent offline) and one report (ack lost)", count)
	}

	steps.step("console problems")
	fac.checkProblems()
	ana.checkProblems()
}

func distinctAll(list []string) []string {
	c := slices.Clone(list)
	slices.Sort(c)
	return slices.Compact(c)
}

// waitFor polls a Go condition for at most stepTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, stepTimeout)
		}
	}
}
