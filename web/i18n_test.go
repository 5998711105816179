package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"cmesim/internal/i18n"
)

func TestCatalogRoute(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	anon := newClient(t, srv)
	for _, l := range i18n.Langs {
		r := anon.get(t, "/i18n/"+string(l)+".json", nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", l, r.StatusCode)
		}
		if !bytes.Equal(r.body, i18n.File(l)) {
			t.Errorf("%s: the served catalog is not the embedded one", l)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", l, ct)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") {
			t.Errorf("%s: Cache-Control %q: a catalog must be revalidated", l, cc)
		}
		if r.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no security headers", l)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", l)
		}
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/i18n/"+string(l)+".json", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("If-None-Match", etag)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation answered %d, want 304", l, resp.StatusCode)
		}
	}
	etags := map[string]bool{}
	for _, l := range i18n.Langs {
		etags[anon.get(t, "/i18n/"+string(l)+".json", nil).Header.Get("ETag")] = true
	}
	if len(etags) != len(i18n.Langs) {
		t.Error("two catalogs share an ETag")
	}
	for _, bad := range []string{"de.json", "es", "..%2fen.json", "en.json.bak"} {
		r := anon.get(t, "/i18n/"+bad, nil)
		if r.StatusCode != http.StatusNotFound || r.apiError(t).Error.Code != "not_found" {
			t.Errorf("%s: status %d %s, want 404 not_found", bad, r.StatusCode, r.body)
		}
	}
}

// TestReportLanguage downloads the report in the language the request asks
// for: ?lang= first, then Accept-Language, else English.
func TestReportLanguage(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv)
	fac := join(t, srv, ex.Codes.Facilitator, "")
	path := "/api/exercises/" + ex.ID + "/report?format=md"
	for _, tc := range []struct {
		query, accept, want string
	}{
		{"", "", "# After-Action Report / Improvement Plan"},
		{"&lang=es", "", "# Informe posterior a la acción / Plan de mejora"},
		{"", "pt-BR,pt;q=0.9,en;q=0.5", "# Relatório pós-ação / Plano de melhoria"},
		{"&lang=fr", "es-CO", "# Rapport de retour d’expérience / Plan d’amélioration"},
		{"&lang=xx", "es-CO", "# Informe posterior a la acción / Plan de mejora"},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path+tc.query, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.accept != "" {
			req.Header.Set("Accept-Language", tc.accept)
		}
		resp, err := fac.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		// The Markdown starts with the TLP marking, then the title.
		_, title, _ := strings.Cut(body.String(), "\n\n")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body.String(), "**TLP:") || !strings.HasPrefix(title, tc.want) {
			t.Errorf("lang %q, Accept-Language %q: status %d, report starts %.80q; want the marking, then %q", tc.query, tc.accept, resp.StatusCode, body.String(), tc.want)
		}
	}
}
