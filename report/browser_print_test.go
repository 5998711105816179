package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

// pdfPage matches a page object of a PDF (not the /Pages tree node).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestPrintPDF prints a library report to PDF on A4 and on Letter paper as
// Chromium does for a person who prints it: the PDFs are written to
// testdata/report/screenshots (ignored by git) to look at, and each must
// stay within a page budget, which forced page breaks before every
// section (nearly empty pages) used to exceed. In print, the TLP marking
// is fixed, so Chromium repeats it on every page.
func TestPrintPDF(t *testing.T) {
	ctx := browser.New(t)
	_, url := WriteHTMLFile(t, LibraryReport(t, "grid-ransomware"))
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	for _, paper := range []struct {
		name          string
		width, height float64 // inches
		maxPages      int
	}{
		{"a4", 8.27, 11.69, 40},
		{"letter", 8.5, 11, 42},
	} {
		background := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{
			PaperWidth: paper.width, PaperHeight: paper.height, PrintBackground: &background})
		if err != nil {
			t.Fatalf("%s: %v", paper.name, err)
		}
		pdf := res.Data
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF (%d bytes)", paper.name, len(pdf))
		}
		pages := len(pdfPage.FindAll(pdf, -1))
		if pages < 2 || pages > paper.maxPages {
			t.Errorf("%s: %d pages, want 2 to %d", paper.name, pages, paper.maxPages)
		}
		t.Logf("%s: %d pages", paper.name, pages)
		dir := filepath.Join("..", "testdata", "report", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, "grid-ransomware-"+paper.name+".pdf"), pdf, 0o644)
		}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	// The marking is written in the margin boxes of every printed page
	// (the page's content box cannot carry it: a fixed bar covers the first
	// lines of every page after the first).
	margins, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r instanceof CSSMediaRule).flatMap(r => [...r.cssRules]).filter(r => r instanceof CSSPageRule).flatMap(r => [...r.cssRules]).filter(m => m.style.content).map(m => m.name + ' ' + m.style.content)`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`top-right "TLP:RED"`, `bottom-right "TLP:RED"`}; !slices.Equal(margins, want) {
		t.Errorf("printed margin markings=%q, want %q", margins, want)
	}
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll('.tlp-bar')].every(e => getComputedStyle(e).display === 'none')`))
	if err != nil || !hidden {
		t.Errorf("the screen's TLP bars are printed too (%v)", err)
	}
}
