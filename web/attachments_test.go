package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"cmesim/engine"
)

// fileAttachment is an attachment file as a delivered inject carries it.
type fileAttachment struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	Type   string `json:"type"`
	Inline bool   `json:"inline"`
}

// TestAttachmentDownload plays telecom-supply-chain, whose first inject
// (T01, to br-telecom) attaches a CSV, a PNG and a PDF, and checks who may
// download them, when, and how they are served.
func TestAttachmentDownload(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	var ex created
	admin := mustAdmin(t, srv)
	if r := admin.postJSON(t, "/api/exercises", map[string]any{"scenario": "telecom-supply-chain", "humans": []string{"br-telecom", "ar-cert"}}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	fac := join(t, srv, ex.Codes.Facilitator, "")
	bia := join(t, srv, ex.Codes.Teams["br-telecom"], "Bia")
	ana := join(t, srv, ex.Codes.Teams["ar-cert"], "Ana")
	base := "/api/exercises/" + ex.ID + "/injects/T01/attachments/"
	csvURL, pngURL, pdfURL := base+"1", base+"2", base+"3"

	// Before delivery: the team learns nothing, staff may read it.
	expectStatus(t, bia.get(t, csvURL, nil), http.StatusNotFound, "not_found")
	expectStatus(t, fac.get(t, pdfURL, nil), http.StatusOK, "")

	// Staff find the files in the MSEL before delivery; trainees get no MSEL.
	var staffView, teamView struct {
		MSEL []struct {
			ID    string           `json:"id"`
			Files []fileAttachment `json:"files"`
		} `json:"msel"`
	}
	expectStatus(t, fac.get(t, "/api/exercises/"+ex.ID, &staffView), http.StatusOK, "")
	var files []fileAttachment
	for _, e := range staffView.MSEL {
		if e.ID == "T01" {
			files = e.Files
		}
	}
	if len(files) != 3 || files[0].URL != csvURL || files[1].URL != pngURL || files[2].URL != pdfURL || !files[1].Inline || files[2].Inline {
		t.Errorf("MSEL files of T01 = %+v, want the CSV, the PNG (inline) and the PDF at %s1..3", files, base)
	}
	expectStatus(t, bia.get(t, "/api/exercises/"+ex.ID, &teamView), http.StatusOK, "")
	if len(teamView.MSEL) != 0 {
		t.Errorf("a trainee received the MSEL: %d entries", len(teamView.MSEL))
	}

	facWS := dial(t, fac, ex.ID, 0)
	biaWS := dial(t, bia, ex.ID, 0)
	facWS.mustAck(t, cmd{"type": "start"})
	facWS.jump(t)
	m := biaWS.next(t, isEvent(engine.EventInjectDelivered, "T01"))
	var wire struct {
		Inject struct {
			Attachments  []fileAttachment `json:"attachments"`
			Translations map[string]struct {
				Attachments []fileAttachment `json:"attachments"`
			} `json:"translations"`
		} `json:"inject"`
	}
	if err := json.Unmarshal(m.raw, &wire); err != nil {
		t.Fatal(err)
	}
	atts := wire.Inject.Attachments
	if len(atts) != 4 || atts[0].URL != "" {
		t.Fatalf("attachments = %+v, want the text one and three files", atts)
	}
	csvBytes, _ := os.ReadFile("../scenarios/attachments/telecom/orbisnms-7.4.3-indicators.csv")
	if got := atts[1]; got.URL != csvURL || got.Type != "text/csv; charset=utf-8" || !got.Inline || got.Size != int64(len(csvBytes)) || got.Name != "orbisnms-7.4.3-indicators.csv" {
		t.Errorf("CSV attachment = %+v", got)
	}
	if got := atts[3]; got.URL != pdfURL || got.Type != "application/pdf" || got.Inline {
		t.Errorf("PDF attachment = %+v", got)
	}
	if got := wire.Inject.Translations["pt"].Attachments; len(got) != 4 || got[1].Name != "orbisnms-7.4.3-indicadores.csv" || got[1].URL != csvURL {
		t.Errorf("Portuguese attachments = %+v", got)
	}

	// The addressed team downloads it: bytes, type, download, no sniffing.
	r := bia.get(t, csvURL, nil)
	expectStatus(t, r, http.StatusOK, "")
	if string(r.body) != string(csvBytes) {
		t.Errorf("CSV body differs from the file")
	}
	for h, want := range map[string]string{
		"Content-Type":           "text/csv; charset=utf-8",
		"Content-Disposition":    `attachment; filename=orbisnms-7.4.3-indicators.csv`,
		"X-Content-Type-Options": "nosniff",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// In Portuguese, the translated name.
	r = bia.get(t, csvURL+"?lang=pt", nil)
	if got := r.Header.Get("Content-Disposition"); got != `attachment; filename=orbisnms-7.4.3-indicadores.csv` {
		t.Errorf("Portuguese Content-Disposition = %q", got)
	}

	// Inline: an image is, with a policy that runs nothing; a PDF is not.
	r = bia.get(t, pngURL+"?disposition=inline", nil)
	expectStatus(t, r, http.StatusOK, "")
	if cd, csp := r.Header.Get("Content-Disposition"), r.Header.Get("Content-Security-Policy"); !strings.HasPrefix(cd, "inline;") || r.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script-src") {
		t.Errorf("inline PNG: Content-Disposition %q, Content-Type %q, CSP %q", cd, r.Header.Get("Content-Type"), csp)
	}
	r = bia.get(t, pdfURL+"?disposition=inline", nil)
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.HasPrefix(string(r.body), "%PDF-") {
		t.Errorf("PDF asked inline: Content-Disposition %q", cd)
	}

	// Another team, which T01 did not reach, and bad references.
	expectStatus(t, ana.get(t, csvURL, nil), http.StatusNotFound, "not_found")
	expectStatus(t, bia.get(t, base+"0", nil), http.StatusNotFound, "not_found") // text, not a file
	expectStatus(t, bia.get(t, base+"9", nil), http.StatusNotFound, "not_found")
	expectStatus(t, bia.get(t, "/api/exercises/"+ex.ID+"/injects/NOPE/attachments/1", nil), http.StatusNotFound, "not_found")
	expectStatus(t, newClient(t, srv).get(t, csvURL, nil), http.StatusUnauthorized, "unauthorized")
}

// TestAttachmentAfterRestart checks that attached files live in the store:
// a server restarted on it serves them to the team they reached, though
// nothing but the store holds them.
func TestAttachmentAfterRestart(t *testing.T) {
	dir := t.TempDir()
	srv, stop := storedServer(t, dir)
	var ex created
	if r := mustAdmin(t, srv).postJSON(t, "/api/exercises", map[string]any{"scenario": "telecom-supply-chain", "humans": []string{"br-telecom"}}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	fac := join(t, srv, ex.Codes.Facilitator, "")
	bia := join(t, srv, ex.Codes.Teams["br-telecom"], "Bia")
	fw, bw := dial(t, fac, ex.ID, 0), dial(t, bia, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.jump(t)
	bw.next(t, isEvent(engine.EventInjectDelivered, "T01"))
	bw.close(t)
	fw.close(t)
	stop()

	srv2, _ := storedServer(t, dir)
	bia.srv = srv2
	r := bia.get(t, "/api/exercises/"+ex.ID+"/injects/T01/attachments/3", nil)
	expectStatus(t, r, http.StatusOK, "")
	want, _ := os.ReadFile("../scenarios/attachments/telecom/sec-7781-advisory.pdf")
	if string(r.body) != string(want) {
		t.Fatalf("after the restart the PDF is %d bytes, want the file's %d", len(r.body), len(want))
	}
}
