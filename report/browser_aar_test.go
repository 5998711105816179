package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

// TestPrintEditedAAR prints the report of the example with judgements, hot
// wash answers and the lead evaluator's edited plan to PDF on A4 and
// Letter, to look at (testdata/report/screenshots, ignored by git): the
// edited plan's wide table must fit the page and the report stay within a
// page budget.
func TestPrintEditedAAR(t *testing.T) {
	ctx := browser.New(t)
	_, url := WriteHTMLFile(t, MustBuild(t, judgedExample(t), aarEvents(t), nil))
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	for _, paper := range []struct {
		name          string
		width, height float64 // inches
	}{{"a4", 8.27, 11.69}, {"letter", 8.5, 11}} {
		background := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: paper.width, PaperHeight: paper.height, PrintBackground: &background})
		if err != nil {
			t.Fatalf("%s: %v", paper.name, err)
		}
		if !bytes.HasPrefix(res.Data, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF", paper.name)
		}
		pages := len(pdfPage.FindAll(res.Data, -1))
		if pages < 2 || pages > 12 {
			t.Errorf("%s: %d pages, want 2 to 12", paper.name, pages)
		}
		t.Logf("%s: %d pages", paper.name, pages)
		dir := filepath.Join("..", "testdata", "report", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, "aar-"+paper.name+".pdf"), res.Data, 0o644)
		}
	}
	// The edited plan's table stays within the page's width when printed
	// (A4's printable width is about 690 CSS pixels).
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(690, 1000)); err != nil {
		t.Fatal(err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const t = document.querySelector("table.aar-plan"); return !!t && t.getBoundingClientRect().right <= document.documentElement.clientWidth + 1; })()`))
	if err != nil || !wide {
		t.Errorf("the edited plan's table is wider than the page (%v)", err)
	}
}
