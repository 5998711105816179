package web_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/web"
)

// TestE2ELibrary plays the admin's way to an exercise in Chromium: filter
// the library, preview a scenario, import an MSEL workbook, read its Monte
// Carlo preview and create the exercise from it.
func TestE2ELibrary(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	root := browser.New(t)
	admin := newPeople(t, root, "admin")[0]
	shots := shotsDir(t)
	plan := filepath.Join(t.TempDir(), "plan.xlsx")
	if err := os.WriteFile(plan, exampleXLSX(t, nil), 0o600); err != nil {
		t.Fatal(err)
	}

	steps.step("log in")
	admin.expectProblem("the server responded with a status of 401 (Unauthorized)") // the admin page asks before the login
	admin.navigate(s.URL + "/admin.html")
	admin.waitJS("the login form", `!document.querySelector('#login').hidden`)
	admin.typeInto("#admin-key", adminKey)
	admin.click("#admin-login")
	admin.waitJS("the library", `document.querySelectorAll('#library-table tbody tr').length >= 8`)

	steps.step("filter the library")
	admin.choose("#library-filter-sector", "health")
	admin.waitJS("only the health scenarios", `[...document.querySelectorAll('#library-table tbody tr')].every((tr) => tr.textContent.includes('Health')) && !!document.querySelector('#library-table tbody tr[data-scenario="hospital-ransomware"]')`)
	admin.choose("#library-filter-country", "jm")
	admin.waitJS("no scenario and a notice", `document.querySelectorAll('#library-table tbody tr').length === 0 && !document.querySelector('#library-empty').hidden`)
	admin.choose("#library-filter-sector", "")
	admin.waitJS("the Jamaican scenarios", `!!document.querySelector('#library-table tbody tr[data-scenario="caribbean-port-hurricane"]') && !document.querySelector('#library-table tbody tr[data-scenario="hospital-ransomware"]')`)
	admin.choose("#library-filter-country", "")
	admin.choose("#library-filter-language", "es")
	admin.waitJS("the Spanish scenarios", `!!document.querySelector('#library-table tbody tr[data-scenario="hospital-ransomware"]') && !document.querySelector('#library-table tbody tr[data-scenario="caribbean-port-hurricane"]')`)

	steps.step("preview a scenario")
	admin.click(`button[data-preview="hospital-ransomware"]`)
	admin.waitJS("the preview", `!document.querySelector('#library-preview').hidden && document.querySelectorAll('#library-preview .preview-timeline tbody tr').length === 26`)
	if got := admin.text(`#library-preview .preview-teams tr[data-team="gt-csirt"]`); !strings.Contains(got, "Guatemala") || !strings.Contains(got, "America/Guatemala") {
		t.Errorf("Guatemala's row in the preview reads %q", got)
	}
	admin.checkAxe("library filtered, scenario previewed")
	admin.shoot(shots, "admin-library-preview")

	steps.step("import a workbook and read the Monte Carlo preview")
	admin.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{plan}))
	admin.waitJS("the import preview", `!!document.querySelector('#import-preview .preview-timeline tbody tr')`)
	admin.waitJS("the Monte Carlo figures", `document.querySelectorAll('#montecarlo-table tbody tr').length > 0 && !!document.querySelector('#import-use')`)
	figures := evalJS[[]string](admin, `[...document.querySelectorAll('#montecarlo-table tbody tr')].map((tr) => tr.dataset.objective + ' ' + tr.querySelector('meter').value)`)
	for _, f := range figures {
		if !strings.HasPrefix(f, "O") {
			t.Errorf("Monte Carlo row %q", f)
		}
	}
	admin.checkAxe("workbook imported, Monte Carlo preview")
	admin.shootAt(shots, "admin-import-montecarlo-1440x900", "#import", deskW, deskH)
	admin.shootAt(shots, "admin-import-montecarlo-390x844", "#montecarlo", phoneW, phoneH)

	steps.step("create the exercise from it")
	admin.click("#import-use")
	admin.waitJS("the codes", `!document.querySelector('#created').hidden && document.querySelectorAll('#codes li[data-code-role]').length === 5`)
	if got := len(s.Exercises(t.Context())); got != 1 {
		t.Errorf("%d exercises after the import, want 1", got)
	}
	admin.checkProblems()
}

// TestE2EScheduledStart has a facilitator schedule the start in Chromium:
// the facilitator's and a trainee's consoles count down to it, and the
// server starts the exercise when the (test's) clock reaches it.
func TestE2EScheduledStart(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	clock := newFakeClock()
	cfg := clockConfig(clock)
	cfg.AdminKey = adminKey
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	info, err := srv.CreateExercise(web.CreateRequest{YAML: string(src), Humans: []string{co, pe}})
	if err != nil {
		t.Fatal(err)
	}
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "co-csirt trainee")
	fac, ana := people[0], people[1]
	shots := shotsDir(t)
	fac.joinTyped(ts.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	ana.joinTyped(ts.URL, info.Codes.Teams[co], "Ana")
	ana.waitLive("/trainee.html")

	steps.step("the facilitator schedules the start two hours ahead")
	fac.waitJS("the schedule form", `!document.querySelector('#schedule-form').hidden`)
	evalJS[bool](fac, `(() => { const d = new Date(Date.now() + 2 * 3600e3); const p = (n) => String(n).padStart(2, '0');
		document.querySelector('#schedule-at').value = d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); return true; })()`)
	fac.click("#schedule-set")
	fac.waitJS("the countdown", `!document.querySelector('#schedule-banner').hidden && /1:[0-5]\d:\d\d/.test(document.querySelector('#schedule-banner .schedule-left').textContent) && !document.querySelector('#schedule-cancel').hidden`)
	ana.waitJS("the trainee's countdown", `!document.querySelector('#schedule-banner').hidden && document.querySelector('#schedule-banner .schedule-when').textContent.includes('UTC−05:00')`)
	fac.checkAxe("start scheduled")
	ana.checkAxe("start scheduled")
	fac.shoot(shots, "facilitator-scheduled-start")
	ana.shoot(shots, "trainee-scheduled-start")

	steps.step("the time comes")
	deadline := time.Now().Add(stepTimeout)
	for len(clock.pending()) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the schedule armed no timer")
		}
		runtimeGosched()
	}
	clock.Advance(3 * time.Hour)
	fac.waitJS("the exercise running", `document.querySelector('#status')?.dataset.status === 'running' && document.querySelector('#schedule-banner').hidden && document.querySelector('#schedule-form').hidden`)
	ana.waitJS("the exercise running for the trainee", `document.querySelector('#status')?.dataset.status === 'running' && document.querySelector('#schedule-banner').hidden`)
	fac.checkProblems()
	ana.checkProblems()
}
