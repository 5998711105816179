package web

import (
	"mime"
	"net/http"

	"cmesim/engine"
)

// sameOrigin guards every state-changing request (any method but GET,
// HEAD and OPTIONS) against cross-site request forgery:
//
//   - its body must be declared JSON (Content-Type: application/json),
//     which a cross-site form or a "simple" fetch cannot send without a
//     CORS preflight, which this server never grants;
//   - a browser's request must come from the server's own origin: an
//     Origin header, when present, must be this server's or one of
//     Config.AllowedOrigins, or else the browser must say
//     Sec-Fetch-Site: same-origin.
//
// A request with neither Origin nor Sec-Fetch-Site does not come from a
// browser (curl, scripts, the servers forwarding commands to each other)
// and is accepted: it still needs a valid session cookie or key, which a
// forging page cannot read.
func (s *Server) sameOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if !s.sameOriginRequest(r) {
			s.security.record(secOriginRejected, s.clientIP(r), r.Method+" "+r.URL.Path+" from origin "+truncate(r.Header.Get("Origin"), 100)+" (Sec-Fetch-Site "+truncate(r.Header.Get("Sec-Fetch-Site"), 20)+")")
			writeError(w, s.log, engine.Errorf(engine.CodeForbidden, "cross-origin request refused"))
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			s.security.record(secOriginRejected, s.clientIP(r), r.Method+" "+r.URL.Path+" with Content-Type "+truncate(r.Header.Get("Content-Type"), 60))
			writeError(w, s.log, engine.Errorf(codeUnsupported, "send JSON (Content-Type: application/json)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOriginRequest reports whether a state-changing request comes from
// this server's own pages, an allowed origin, or no browser at all.
func (s *Server) sameOriginRequest(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin != "" && origin != "null" && s.originAllowed(r, origin) {
		return true
	}
	site := r.Header.Get("Sec-Fetch-Site")
	if site == "same-origin" {
		return true
	}
	return origin == "" && site == ""
}
