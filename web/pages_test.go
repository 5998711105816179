package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPagesInTheReadersLanguage checks that every page arrives with its
// <html lang> and <title> in the reader's language: the language cookie
// the consoles set when a reader picks one, else Accept-Language, else
// English; the rest of the page is the same file.
func TestPagesInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	for _, c := range []struct {
		path, accept, cookie, lang, title string
	}{
		{"/", "es-CO,es;q=0.9,en;q=0.5", "", "es", "Unirse a un ejercicio — cmesim"},
		{"/trainee.html", "es-419", "", "es", "Consola del equipo — cmesim"},
		{"/trainee.html", "es", "pt", "pt-BR", "Console da equipe — cmesim"},
		{"/facilitator.html", "fr-HT,fr", "", "fr", "Animateur — cmesim"},
		{"/observer.html", "pt-BR", "", "pt-BR", "Observador — cmesim"},
		{"/admin.html", "", "es", "es", "Administración — cmesim"},
		{"/trainee.html", "de", "", "en", "Team console — cmesim"},
		{"/observer.html", "", "xx", "en", "Observer — cmesim"},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "cmesim_lang", Value: c.cookie})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		name := c.path + " " + c.accept + " cookie=" + c.cookie
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Language") || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: headers %v", name, resp.Header)
		}
		if m := regexp.MustCompile(`<html lang="([^"]*)"`).FindStringSubmatch(page); m == nil || m[1] != c.lang {
			t.Errorf("%s: <html lang> %v, want %s", name, m, c.lang)
		}
		if m := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(page); m == nil || m[1] != c.title {
			t.Errorf("%s: <title> %v, want %q", name, m, c.title)
		}
		if !strings.Contains(page, `<script type="module"`) {
			t.Errorf("%s: the page lost its script: %.300s", name, page)
		}
	}
}
