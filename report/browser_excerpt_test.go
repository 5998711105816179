package report_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/engine"
	"cmesim/internal/browser"
	"cmesim/report"
)

// axeFile is axe-core's browser build, installed by `npm ci --prefix
// web/ui/_test` (scripts/test.sh runs it).
const axeFile = "../web/ui/_test/node_modules/axe-core/axe.min.js"

// TestFloodedHTMLInBrowser opens the report of a flooded log in headless
// Chromium: its event-log section says what it shows and links the
// appendix, nothing scrolls sideways at desktop or phone width (the cut
// texts have no spaces to wrap at), axe-core finds no serious or critical
// problem, and screenshots of the section go to testdata/report/screenshots.
func TestFloodedHTMLInBrowser(t *testing.T) {
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `npm ci --prefix web/ui/_test` (scripts/test.sh does)", err)
	}
	s := MustLoad(t, exampleFile)
	var events []engine.Event
	if err := exampleFlood(3_000).Each(MustRun(t, s, 1), func(e *engine.Event) error { events = append(events, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	r, err := report.BuildWith(s, events, report.Options{Appendix: "/api/exercises/x/report/appendix?lang=en"})
	if err != nil {
		t.Fatal(err)
	}
	_, url := WriteHTMLFile(t, r)
	ctx := browser.New(t)
	problems := browser.Problems(ctx)
	dir := filepath.Join("..", "testdata", "report", "screenshots")
	os.MkdirAll(dir, 0o755)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"1440x900", 1440, 900}, {"390x844", 390, 844}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('event-log').innerText`))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"of the log's", "appendix", "/api/exercises/x/report/appendix"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the event-log section does not say %q", size.name, want)
			}
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](tooWide))
			t.Errorf("%s: the page scrolls sideways; wider than the window: %v", size.name, wide)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('event-log').scrollIntoView(); true`)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "flooded-event-log-"+size.name+".png"), shot, 0o644)
	}
	// axe at both widths: at phone width the wide tables scroll in boxes,
	// which take keyboard focus.
	for _, w := range []int64{1440, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+"\n;true")); err != nil {
			t.Fatal(err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`axe.run(document, {resultTypes: ['violations']})
  .then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.help))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		var violations []string
		if err := json.Unmarshal(found, &violations); err != nil {
			t.Fatal(err)
		}
		for _, v := range violations {
			t.Errorf("axe at %d px: %s", w, v)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser reported problems: %v", p)
	}
}

// tooWide names the outermost elements that reach past the window's right
// edge, for a failure message.
const tooWide = `[...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
  .filter((el, _, all) => !all.includes(el.parentElement)).slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right))`
