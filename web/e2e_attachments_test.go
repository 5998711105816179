package web_test

// A browser test of attached files in the team console: a trainee sees
// the files of an inject, the image's preview, opens the CSV and downloads
// the PDF.

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"cmesim/internal/browser"
	"cmesim/web"
)

// TestE2EAttachmentFiles plays telecom-supply-chain: T01 reaches
// Conecta Brasil's team (br-telecom) with indicators as text and three
// files (CSV, PNG, PDF).
func TestE2EAttachmentFiles(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	s := startE2E(t)
	info, err := s.CreateExercise(web.CreateRequest{Scenario: "telecom-supply-chain", Humans: []string{"br-telecom"}})
	if err != nil {
		t.Fatalf("CreateExercise: %v", err)
	}
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "br-telecom trainee")
	fac, bia := people[0], people[1]
	shots := shotsDir(t)
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	bia.joinTyped(s.URL, info.Codes.Teams["br-telecom"], "Beatriz Souza")
	bia.waitLive("/trainee.html")

	steps.step("T01 arrives with its files")
	fac.click("#btn-start")
	fac.waitJS("running", `document.body.dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.click("#btn-jump")
	bia.waitJS("T01 in the inbox", `document.querySelector('#inbox [data-inject="T01"]')`)
	bia.click(`#inbox [data-inject="T01"]`)
	bia.waitJS("three files", `document.querySelectorAll('#inject-detail .attachment-file').length === 3`)
	if got := bia.texts("#inject-detail .attachment-file .att-name"); strings.Join(got, ",") != "orbisnms-7.4.3-indicators.csv,nms-push-alert.png,sec-7781-advisory.pdf" {
		t.Errorf("file names = %q", got)
	}
	if got := bia.count("#inject-detail .attachment pre"); got != 1 {
		t.Errorf("%d text attachments shown, want the one", got)
	}
	bia.waitJS("the screenshot's preview loaded", `(() => { const img = document.querySelector('#inject-detail .att-preview img'); return img && img.complete && img.naturalWidth === 64; })()`)
	if got := bia.count("#inject-detail .att-open"); got != 1 {
		t.Errorf("%d open links, want one (the CSV; images preview, the PDF downloads)", got)
	}
	bia.checkAxe("an inject with attached files")
	bia.shoot(shots, "trainee-attachments")
	for _, size := range [][2]int64{{deskW, deskH}, {phoneW, phoneH}} {
		bia.shootAt(shots, fmt.Sprintf("trainee-attachments-files-%dx%d", size[0], size[1]), "#inject-detail .attachments", size[0], size[1])
	}

	steps.step("open the CSV, download the PDF")
	csv, _ := os.ReadFile("../scenarios/attachments/telecom/orbisnms-7.4.3-indicators.csv")
	opened := evalJS[string](bia, `(() => { const a = document.querySelector('#inject-detail .att-open');
	  return fetch(a.href).then((r) => r.headers.get('content-disposition').split(';')[0] + '|' + r.headers.get('content-type') + '|' + a.target + '|' + a.rel).then((h) => fetch(a.href).then((r) => r.text()).then((b) => h + '|' + b)); })()`)
	if want := "inline|text/csv; charset=utf-8|_blank|noopener noreferrer|" + string(csv); opened != want {
		t.Errorf("opening the CSV: %q, want %q", opened, want)
	}
	pdf := evalJS[string](bia, `(() => { const a = [...document.querySelectorAll('#inject-detail .att-download')].find((x) => x.download.endsWith('.pdf'));
	  return fetch(a.href).then((r) => r.text().then((b) => a.getAttribute('aria-label') + '|' + r.status + '|' + r.headers.get('content-disposition') + '|' + b.slice(0, 5))); })()`)
	if want := "Download sec-7781-advisory.pdf|200|attachment; filename=sec-7781-advisory.pdf|%PDF-"; pdf != want {
		t.Errorf("downloading the PDF: %q, want %q", pdf, want)
	}
	bia.checkProblems()

	steps.step("staff open the files from the MSEL")
	fac.click("#btn-msel")
	fac.waitJS("the MSEL dialog", `document.querySelector('#msel-dialog').open`)
	if got := fac.count(`#msel-table tr[data-msel="T01"] .attachment-file`); got != 3 {
		t.Errorf("%d files on T01's MSEL row, want 3", got)
	}
	fac.waitJS("the preview loaded", `(() => { const img = document.querySelector('#msel-table tr[data-msel="T01"] .att-preview img'); return img && img.complete && img.naturalWidth === 64; })()`)
	fac.checkAxe("the MSEL dialog with attached files")
	for _, size := range [][2]int64{{deskW, deskH}, {phoneW, phoneH}} {
		fac.shootAt(shots, fmt.Sprintf("facilitator-msel-files-%dx%d", size[0], size[1]), `#msel-table tr[data-msel="T01"]`, size[0], size[1])
	}
	fac.checkProblems()
}
