package web

import (
	"bytes"
	"html"
	"io/fs"
	"net/http"
	"regexp"
	"time"

	"cmesim/internal/i18n"
)

// The UI's HTML pages are served in their reader's language from the first
// paint: the server writes <html lang> and the <title> (from the page's
// data-i18n-title key) in the language of the langCookie the consoles set
// when a reader picks a language, else of Accept-Language. The rest of the
// page is translated by js/i18n.js, which may still switch to a
// participant's own saved choice.

// langCookie holds the language a reader of this browser last picked; it
// is a preference, not a credential.
const langCookie = "cmesim_lang"

var (
	htmlLangAttr = regexp.MustCompile(`<html lang="[^"]*"`)
	titleKeyAttr = regexp.MustCompile(`<html[^>]*\sdata-i18n-title="([^"]+)"`)
	titleElement = regexp.MustCompile(`<title>[^<]*</title>`)
)

// localizedPages holds every page of the UI with a title key, by URL path
// ("/" for index.html), in each language.
type localizedPages map[string]map[i18n.Lang][]byte

// newLocalizedPages prepares the pages of ui in every language.
func newLocalizedPages(ui fs.FS) (localizedPages, error) {
	names, err := fs.Glob(ui, "*.html")
	if err != nil {
		return nil, err
	}
	out := localizedPages{}
	for _, name := range names {
		src, err := fs.ReadFile(ui, name)
		if err != nil {
			return nil, err
		}
		m := titleKeyAttr.FindSubmatch(src)
		if m == nil {
			continue
		}
		path := "/" + name
		if name == "index.html" {
			path = "/"
		}
		out[path] = map[i18n.Lang][]byte{}
		for _, l := range i18n.Langs {
			out[path][l] = localizePage(src, l, string(m[1]))
		}
	}
	return out, nil
}

// localizePage returns page with its <html lang> and <title> in lang.
func localizePage(page []byte, l i18n.Lang, titleKey string) []byte {
	title := "<title>" + html.EscapeString(i18n.T(l, titleKey)) + " — cmesim</title>"
	page = htmlLangAttr.ReplaceAll(page, []byte(`<html lang="`+l.BCP47()+`"`))
	return titleElement.ReplaceAllLiteral(page, []byte(title))
}

// pageLang picks the language a page is served in: the langCookie when it
// names a supported language, else the best match for Accept-Language.
func pageLang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, err := i18n.Parse(c.Value); err == nil {
			return l
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// serve writes the page for r's path in the reader's language, or reports
// false when the path is not one of the pages.
func (p localizedPages) serve(w http.ResponseWriter, r *http.Request) bool {
	byLang, ok := p[r.URL.Path]
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Language, Cookie")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(byLang[pageLang(r)]))
	return true
}
