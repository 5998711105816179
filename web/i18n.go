package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// errorKeys maps every error code the server sends (engine.Error codes in
// HTTP error bodies and WebSocket error replies, and the HTTP layer's own)
// to the catalog key of its message, so a console shows an error in its
// reader's language. The catalogs' "error.CODE" keys follow the codes.
var errorKeys = map[string]string{
	string(engine.CodeInvalid):   "error.invalid",
	string(engine.CodeNotFound):  "error.not_found",
	string(engine.CodeForbidden): "error.forbidden",
	string(engine.CodeConflict):  "error.conflict",
	string(engine.CodeInternal):  "error.internal",
	codeUnauthorized:             "error.unauthorized",
	codeTooMany:                  "error.too_many_requests",
	codeQuota:                    "error.quota_exceeded",
	codeUnsupported:              "error.unsupported_media_type",
	codeUnavailable:              "error.unavailable",
	codeNotStored:                "error.not_stored",
}

// ErrorKey returns the catalog key of an error code's message, or
// "error.unknown" for a code the table does not know.
func ErrorKey(code string) string {
	if k, ok := errorKeys[code]; ok {
		return k
	}
	return "error.unknown"
}

// catalogFile is one language's catalog as served: its bytes and their
// entity tag.
type catalogFile struct {
	body []byte
	etag string
}

// catalogFiles are the catalogs the browser reads, by file name
// ("es.json"), with their ETags computed once.
var catalogFiles = func() map[string]catalogFile {
	out := make(map[string]catalogFile, len(i18n.Langs))
	for _, l := range i18n.Langs {
		b := i18n.File(l)
		sum := sha256.Sum256(b)
		out[string(l)+".json"] = catalogFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}()

// handleCatalog serves GET /i18n/{lang}.json: the message catalog the Go
// side uses, as it is embedded, for js/i18n.js. A catalog changes only with
// the binary, so browsers keep it and revalidate it by ETag (a 304 when
// unchanged); the UI's modules are not versioned either, so a long max-age
// could pair new code with an old catalog.
func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	f, ok := catalogFiles[r.PathValue("file")]
	if !ok {
		writeError(w, s.log, engine.Errorf(engine.CodeNotFound, "no catalog %q: the languages are %s", r.PathValue("file"), strings.Join(langCodes(), ", ")))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, no-cache")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// langCodes lists the supported language codes.
func langCodes() []string {
	out := make([]string, len(i18n.Langs))
	for i, l := range i18n.Langs {
		out[i] = string(l)
	}
	return out
}

// requestLang picks the language of a response for a request: a "lang"
// query parameter when it names a supported language, else the best match
// for Accept-Language, else English.
func requestLang(r *http.Request) i18n.Lang {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, err := i18n.Parse(q); err == nil {
			return l
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// titleIn returns a scenario's title in lang where the scenario translates
// it, else as written, and the language the title is in.
func titleIn(scn *scenarios.Scenario, lang string) (title, in string) {
	if tr := scn.Exercise.Translations[lang].Title; strings.TrimSpace(tr) != "" {
		return tr, lang
	}
	return scn.Exercise.Title, scn.ContentLanguages()[0]
}
