package web_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/browser"
	"cmesim/scenarios"
	"cmesim/web"
)

// TestE2ENoAnswerKeyOnTraineePage plays the grid-ransomware scenario (whose
// players see prompts) with a trainee in Chromium: every inject the team
// receives, including the facilitator-released G17 with its controller
// notes, is opened, and the page text never holds an evaluator's criteria
// or a controller note, while it shows the prompts; the classification form
// offers exactly the scenario's taxonomy in a select.
func TestE2ENoAnswerKeyOnTraineePage(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("start server, exercise and browser")
	s := startE2E(t)
	scn, _ := scenarios.LoadLibrary("grid-ransomware")
	var teams []string
	for _, tm := range scn.Teams {
		teams = append(teams, tm.ID)
	}
	info, err := s.CreateExercise(web.CreateRequest{Scenario: "grid-ransomware", Humans: teams})
	if err != nil {
		t.Fatal(err)
	}
	api := &testServer{Server: s.Server, URL: s.URL}
	fac := dial(t, join(t, api, info.Codes.Facilitator, "Fran"), info.ID, 0)
	root := browser.New(t)
	ana := newPeople(t, root, "co-csirt trainee")[0]
	ana.navigate(s.URL + "/?code=" + info.Codes.Teams["co-csirt"])
	ana.waitJS("the name field", `document.querySelector('#join-name')`)
	ana.expectProblem("the server responded with a status of 400 (Bad Request)") // a team code needs a name
	ana.typeInto("#join-name", "Ana")
	ana.click("#join-submit")
	ana.waitLive("/trainee.html")

	steps.step("play until the team has its injects, G17 among them")
	fac.mustAck(t, cmd{"type": "start"})
	fac.mustAck(t, cmd{"type": "release_inject", "inject": "G17"})
	for range 12 {
		fac.jump(t)
	}
	want := 0
	for _, m := range fac.all {
		if m.isEvent(engine.EventInjectDelivered) && m.Event.Team == "co-csirt" {
			want++
		}
	}
	if want < 5 {
		t.Fatalf("only %d injects reached co-csirt", want)
	}
	ana.waitJS("every delivered inject in the inbox", `document.querySelectorAll('#inbox .inbox-item').length === `+js(strings.Repeat("x", want))+`.length`)

	steps.step("open every inject and read the page")
	var needles []string
	for _, text := range scn.StaffOnlyText() {
		for _, line := range strings.Split(text, "\n") {
			if line = strings.TrimSpace(line); len(line) >= 12 {
				needles = append(needles, line)
			}
		}
	}
	ids := evalJS[[]string](ana, `[...document.querySelectorAll('#inbox .inbox-item')].map((b) => b.dataset.inject)`)
	if !slices.Contains(ids, "G17") {
		t.Fatalf("G17 is not in the inbox: %v", ids)
	}
	prompts := 0
	for _, id := range ids {
		ana.click(`#inbox .inbox-item[data-inject="` + id + `"]`)
		ana.waitJS("inject "+id+" shown", `document.querySelector('#inject-detail').dataset.selectedInject === `+js(id))
		page := evalJS[string](ana, `document.body.innerText + document.title`)
		for _, n := range needles {
			if strings.Contains(page, n) {
				t.Fatalf("the trainee page shows staff-only text %q with %s open", n, id)
			}
		}
		if strings.Contains(page, "Facilitator") {
			t.Errorf("the trainee page mentions the facilitator with %s open", id)
		}
		prompts += ana.count(`#detail-expectations .exp-text`)
	}
	if prompts == 0 {
		t.Error("no prompt was shown, though the scenario shows players prompts")
	}

	steps.step("the classification offers the taxonomy")
	ana.click(`#inbox .inbox-item[data-inject="G01"]`)
	ana.waitJS("G01 shown", `document.querySelector('#inject-detail').dataset.selectedInject === 'G01'`)
	ana.click(`#inject-detail [data-action="classify"]`)
	ana.waitJS("the classify form", `!document.querySelector('#classify-form').hidden`)
	if tag := evalJS[string](ana, `document.querySelector('#classify-category').tagName`); tag != "SELECT" {
		t.Fatalf("the category is a %s, want a select", tag)
	}
	got := evalJS[[]string](ana, `[...document.querySelectorAll('#classify-category option')].map((o) => o.value).filter(Boolean)`)
	if w := scn.Taxonomy().Values(); !slices.Equal(got, w) {
		b, _ := json.Marshal(got)
		t.Fatalf("category options %s, want the rsit taxonomy %v", b, w)
	}
	ana.choose("#classify-category", "information-content-security/unauthorised-information-modification")
	ana.choose("#classify-severity", "critical")
	ana.click("#classify-submit")
	ana.waitJS("the classification acked", `document.querySelector('#classify-submit').dataset.state === 'done'`)
	a := fac.next(t, func(m message) bool {
		return m.isEvent(engine.EventAction) && m.Event.Team == "co-csirt" && m.Event.Data.Action == scenarios.ActionClassify
	})
	if a.Event.Data.Category != "information-content-security/unauthorised-information-modification" {
		t.Errorf("the classification recorded %q", a.Event.Data.Category)
	}
	ana.checkProblems()
}
