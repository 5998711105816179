package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/report"
)

// TestHTMLInBrowser renders a library report in headless Chromium: the page
// loads with no console errors or exceptions, every section is present and
// visible, nothing scrolls sideways on a phone, and screenshots at desktop
// and phone widths are written to testdata/report/screenshots (ignored by
// git) for a person to look at.
func TestHTMLInBrowser(t *testing.T) {
	ctx := browser.New(t)
	_, url := WriteHTMLFile(t, LibraryReport(t, "grid-ransomware"))
	problems := browser.Problems(ctx)

	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "Apagón Andino") {
		t.Fatalf("title=%q", title)
	}
	desktop, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range report.Sections {
		js := `(() => { const el = document.getElementById('` + sec.ID + `'); return !!el && el.getBoundingClientRect().height > 0; })()`
		visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatal(err)
		}
		if !visible {
			t.Errorf("section #%s is missing or empty", sec.ID)
		}
	}
	svgs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg').length`))
	if err != nil {
		t.Fatal(err)
	}
	if svgs < 2 {
		t.Errorf("%d inline SVG charts, want the timeline and the sharing network", svgs)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	phone, err := chromedp.Run(ctx, chromedp.FullScreenshot(70))
	if err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("the page scrolls sideways on a phone; wide tables must scroll inside their own box")
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("browser reported problems: %v", p)
	}
	dir := filepath.Join("..", "testdata", "report", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		os.WriteFile(filepath.Join(dir, "grid-ransomware-desktop.jpg"), desktop, 0o644)
		os.WriteFile(filepath.Join(dir, "grid-ransomware-phone.jpg"), phone, 0o644)
	}
}
