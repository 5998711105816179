package web_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
	"cmesim/web"
)

// mustServerWith starts a server with cfg (the test admin key when it has
// none) behind a real HTTP listener, closed when the test ends.
func mustServerWith(tb testing.TB, cfg web.Config) *testServer {
	tb.Helper()
	if cfg.AdminKey == "" {
		cfg.AdminKey = adminKey
	}
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return &testServer{Server: srv, URL: ts.URL}
}

// doWith sends a request with a raw body and extra headers.
func (c *client) doWith(tb testing.TB, method, path, contentType, body string, headers map[string]string) *response {
	tb.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &response{Response: resp, body: b}
}

// dialRaw opens a client's WebSocket to an exercise and returns it as is.
func dialRaw(tb testing.TB, c *client, exercise string) *websocket.Conn {
	tb.Helper()
	d := websocket.Dialer{Jar: c.jar, HandshakeTimeout: waitTimeout}
	ws, _, err := d.Dial(c.srv.wsURL(exercise, 0), nil)
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

// closeCode reads from ws until the server closes it and returns the
// close code (0 if the connection broke without one).
func closeCode(tb testing.TB, ws *websocket.Conn) int {
	tb.Helper()
	ws.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			tb.Fatalf("the connection ended without a close code: %v", err)
		}
	}
}

// TestCrossSiteRequests: a page on another origin (another port of the
// same host) cannot make a signed-in facilitator's browser change
// anything: every state-changing endpoint refuses a foreign Origin, a
// cross-site Sec-Fetch-Site, and a body not declared JSON; the server's
// own pages, an allowed origin and non-browser clients still work.
func TestCrossSiteRequests(t *testing.T) {
	t.Parallel()
	srv := mustServerWith(t, web.Config{AllowedOrigins: []string{"https://cme.example.org"}})
	ex := mustCreate(t, srv, co)
	fac := join(t, srv, ex.Codes.Facilitator, "Fran")
	admin := mustAdmin(t, srv)
	commands := "/api/exercises/" + ex.ID + "/commands"
	start := `{"type":"command","command":{"type":"start"}}`
	evil := "http://127.0.0.1:1" // same host as the test server, another port

	for _, tt := range []struct {
		name    string
		c       *client
		path    string
		ctype   string
		body    string
		headers map[string]string
		status  int
		code    string
	}{
		{"CommandTextPlain", fac, commands, "text/plain", start, nil, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"CommandNoType", fac, commands, "", start, nil, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"CommandFormEncoded", fac, commands, "application/x-www-form-urlencoded", start, nil, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"CommandOtherPort", fac, commands, "text/plain", start, map[string]string{"Origin": evil}, http.StatusForbidden, "forbidden"},
		{"CommandOtherPortJSON", fac, commands, "application/json", start, map[string]string{"Origin": evil}, http.StatusForbidden, "forbidden"},
		{"CommandNullOrigin", fac, commands, "application/json", start, map[string]string{"Origin": "null"}, http.StatusForbidden, "forbidden"},
		{"CommandCrossSiteFetch", fac, commands, "application/json", start, map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden, "forbidden"},
		{"LogoutTextPlain", fac, "/api/logout", "text/plain", "", nil, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"LogoutOtherOrigin", fac, "/api/logout", "application/json", "{}", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden, "forbidden"},
		{"JoinOtherOrigin", fac, "/api/join", "application/json", `{"code":"` + ex.Codes.Teams[co] + `","name":"Mal"}`, map[string]string{"Origin": evil}, http.StatusForbidden, "forbidden"},
		{"AdminLoginOtherOrigin", fac, "/api/admin/login", "application/json", `{"key":"` + adminKey + `"}`, map[string]string{"Origin": evil}, http.StatusForbidden, "forbidden"},
		{"CreateTextPlain", admin, "/api/exercises", "text/plain", `{"scenario":"grid-ransomware"}`, nil, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"CreateOtherOrigin", admin, "/api/exercises", "application/json", `{"scenario":"grid-ransomware"}`, map[string]string{"Origin": evil, "Sec-Fetch-Site": "same-site"}, http.StatusForbidden, "forbidden"},
		// Allowed: an allowed origin (behind a proxy), and the browser's
		// own same-origin requests (the wrong code then answers 404).
		{"JoinAllowedOrigin", fac, "/api/join", "application/json", `{"code":"2222-3333-4444"}`, map[string]string{"Origin": "https://cme.example.org"}, http.StatusNotFound, "not_found"},
		{"JoinSameOriginFetch", fac, "/api/join", "application/json", `{"code":"2222-3333-4444"}`, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://proxy.example"}, http.StatusNotFound, "not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			expectStatus(t, tt.c.doWith(t, http.MethodPost, tt.path, tt.ctype, tt.body, tt.headers), tt.status, tt.code)
		})
	}
	expectStatus(t, admin.doWith(t, http.MethodDelete, "/api/exercises/"+ex.ID, "text/plain", "", nil), http.StatusUnsupportedMediaType, "unsupported_media_type")
	expectStatus(t, admin.doWith(t, http.MethodPut, "/api/exercises/"+ex.ID, "application/json", "{}", map[string]string{"Origin": evil}), http.StatusForbidden, "forbidden")
	// Nothing forged went through: the session is still signed in and the
	// exercise has not started, so the facilitator's own start (same
	// origin, JSON) succeeds, and a second one conflicts.
	expectStatus(t, fac.get(t, "/api/session", nil), http.StatusOK, "")
	expectStatus(t, fac.doWith(t, http.MethodPost, commands, "application/json", start, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}), http.StatusOK, "")
	expectStatus(t, fac.doWith(t, http.MethodPost, commands, "application/json; charset=utf-8", start, nil), http.StatusConflict, "conflict")
	// A script without Origin (not a browser) signs out with JSON.
	expectStatus(t, fac.doWith(t, http.MethodPost, "/api/logout", "application/json", "", nil), http.StatusOK, "")
	expectStatus(t, fac.get(t, "/api/session", nil), http.StatusUnauthorized, "unauthorized")
}

// TestSignOutClosesSockets: signing out closes the session's open
// WebSockets with close code 4001, and a command sent after the sign-out
// is not applied; the session's cookie no longer opens a socket.
func TestSignOutClosesSockets(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	ana := dial(t, anaC, ex.ID, 0)
	other := dialRaw(t, anaC, ex.ID) // a second tab
	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))

	expectStatus(t, anaC.postJSON(t, "/api/logout", struct{}{}, nil), http.StatusOK, "")
	// Sent after the sign-out: the socket may still be open, but the
	// session is gone.
	ana.ws.WriteJSON(map[string]any{"type": "command", "id": "late", "command": cmd{"type": "acknowledge", "inject": "I01"}})
	var ce *websocket.CloseError
	if err := ana.closeError(t); !errors.As(err, &ce) || ce.Code != web.CloseSessionEnded {
		t.Fatalf("after sign-out the socket closed with %v, want close code %d", err, web.CloseSessionEnded)
	}
	if code := closeCode(t, other); code != web.CloseSessionEnded {
		t.Fatalf("the second tab closed with %d, want %d", code, web.CloseSessionEnded)
	}
	for _, m := range ana.all {
		if m.ID == "late" {
			t.Fatalf("the command sent after sign-out was answered: %s", m)
		}
	}
	// The log has no acknowledgement by Ana: the facilitator's next
	// command comes right after what was there.
	ack := fac.mustAck(t, cmd{"type": "pause"})
	for _, m := range fac.all {
		if m.Event != nil && m.Event.Type == engine.EventAction {
			t.Fatalf("a command sent after sign-out reached the log: %s", m)
		}
	}
	if ack.Seq == 0 {
		t.Fatal("the pause was not logged")
	}
	d := websocket.Dialer{Jar: anaC.jar, HandshakeTimeout: waitTimeout}
	if ws, resp, err := d.Dial(srv.wsURL(ex.ID, 0), nil); err == nil {
		ws.Close()
		t.Fatal("a signed-out cookie opened a socket")
	} else if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a signed-out cookie's socket: %v, want 401", err)
	}
}

// TestSessionExpiryClosesSockets: a socket whose session expires while it
// is open is closed with 4001 at its next message, which is not applied.
func TestSessionExpiryClosesSockets(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	srv := mustServerWith(t, web.Config{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	ex := mustCreate(t, srv, co)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana := dial(t, join(t, srv, ex.Codes.Teams[co], "Ana"), ex.ID, 0)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	skew.Store(int64(25 * time.Hour)) // past every session's 24 h
	ana.send(t, map[string]any{"type": "command", "id": "expired", "command": cmd{"type": "acknowledge", "inject": "I01"}})
	var ce *websocket.CloseError
	if err := ana.closeError(t); !errors.As(err, &ce) || ce.Code != web.CloseSessionEnded {
		t.Fatalf("after expiry the socket closed with %v, want close code %d", err, web.CloseSessionEnded)
	}
	for _, m := range ana.all {
		if m.ID == "expired" || (m.Event != nil && m.Event.Type == engine.EventAction) {
			t.Fatalf("a command of an expired session was applied: %s", m)
		}
	}
}

// TestSocketCaps: one session opens at most 8 WebSockets and one address
// at most the configured number; extras are closed with 4029 and a freed
// place can be used again.
func TestSocketCaps(t *testing.T) {
	t.Parallel()
	srv := mustServerWith(t, web.Config{MaxSocketsPerIP: 10})
	ex := mustCreate(t, srv, co)
	ana := join(t, srv, ex.Codes.Teams[co], "Ana")
	var open []*wsClient
	for range web.DefaultMaxSocketsPerSession {
		open = append(open, dial(t, ana, ex.ID, 0))
	}
	if code := closeCode(t, dialRaw(t, ana, ex.ID)); code != web.CloseTooManySockets {
		t.Fatalf("the session's 9th socket closed with %d, want %d", code, web.CloseTooManySockets)
	}
	// Another session from the same address gets the address's last two.
	bea := join(t, srv, ex.Codes.Teams[co], "Bea")
	dial(t, bea, ex.ID, 0)
	dial(t, bea, ex.ID, 0)
	if code := closeCode(t, dialRaw(t, bea, ex.ID)); code != web.CloseTooManySockets {
		t.Fatalf("the address's 11th socket closed with %d, want %d", code, web.CloseTooManySockets)
	}
	// Closing one frees its place (once the server has seen it close).
	open[0].close(t)
	deadline := time.Now().Add(waitTimeout)
	for {
		ws := dialRaw(t, ana, ex.ID)
		ws.SetReadDeadline(time.Now().Add(waitTimeout))
		data, err := (&messageReader{ws: ws}).next()
		if err == nil && strings.Contains(string(data), `"welcome"`) {
			break
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != web.CloseTooManySockets || time.Now().After(deadline) {
			t.Fatalf("after closing a socket a new one got %v %s", err, data)
		}
	}
}

// TestQuotas: a session and a team get a number of commands and bytes of
// text a minute; past them commands are refused with quota_exceeded (over
// the WebSocket) or 429 and Retry-After (over HTTP) and change nothing,
// while other teams are not affected.
func TestQuotas(t *testing.T) {
	t.Parallel()
	srv := mustServerWith(t, web.Config{Quotas: web.Quotas{SessionCommands: 4, TeamCommands: 6, SessionText: 100, TeamText: 150}})
	ex := mustCreate(t, srv, co, pe)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	ana := dial(t, anaC, ex.ID, 0)
	bea := dial(t, join(t, srv, ex.Codes.Teams[co], "Bea"), ex.ID, 0)
	pia := dial(t, join(t, srv, ex.Codes.Teams[pe], "Pia"), ex.ID, 0)

	// Text: one message over the session's whole minute never passes.
	ana.mustReject(t, "quota_exceeded", cmd{"type": "report", "inject": "I01", "text": strings.Repeat("x", 101)})
	// Commands: a session's burst is half its minute (2); refused
	// commands (no such inject) count too.
	ana.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I99"})
	ana.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I99"})
	m := ana.mustReject(t, "quota_exceeded", cmd{"type": "acknowledge", "inject": "I99"})
	if !strings.Contains(m.Message, "your session") {
		t.Errorf("quota message %q should say whose quota", m.Message)
	}
	// The team's burst is 3: Bea gets one, then the team is out.
	bea.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I99"})
	m = bea.mustReject(t, "quota_exceeded", cmd{"type": "acknowledge", "inject": "I99"})
	if !strings.Contains(m.Message, "your team") {
		t.Errorf("quota message %q should say whose quota", m.Message)
	}
	// Over HTTP too, with Retry-After.
	r := anaC.postJSON(t, "/api/exercises/"+ex.ID+"/commands", map[string]any{"type": "command", "command": cmd{"type": "acknowledge", "inject": "I99"}}, nil)
	expectStatus(t, r, http.StatusTooManyRequests, "quota_exceeded")
	if r.Header.Get("Retry-After") == "" {
		t.Error("a quota refusal over HTTP without Retry-After")
	}
	// Another team is not affected.
	pia.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I99"})
	pia.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I99"})
}

// TestTrustedProxies: X-Forwarded-For names the client only when the peer
// is a trusted proxy; then each client behind the proxy has a budget of
// its own. From anyone else the header is ignored.
func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	spend := func(t *testing.T, srv *testServer, xff string) *response {
		t.Helper()
		c := newClient(t, srv)
		var r *response
		for range 11 {
			r = c.doWith(t, http.MethodPost, "/api/join", "application/json", `{"code":"2222-3333-4444"}`, map[string]string{"X-Forwarded-For": xff})
		}
		return r
	}
	t.Run("Trusted", func(t *testing.T) {
		srv := mustServerWith(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		expectStatus(t, spend(t, srv, "203.0.113.1"), http.StatusTooManyRequests, "too_many_requests")
		// Another client behind the same proxy has its own budget...
		c := newClient(t, srv)
		expectStatus(t, c.doWith(t, http.MethodPost, "/api/join", "application/json", `{"code":"2222-3333-4444"}`, map[string]string{"X-Forwarded-For": "203.0.113.2"}), http.StatusNotFound, "not_found")
		// ...and a forged hop in front of the client's address changes
		// nothing: the proxy appends the real one.
		expectStatus(t, c.doWith(t, http.MethodPost, "/api/join", "application/json", `{"code":"2222-3333-4444"}`, map[string]string{"X-Forwarded-For": "198.51.100.9, 203.0.113.1"}), http.StatusTooManyRequests, "too_many_requests")
	})
	t.Run("Untrusted", func(t *testing.T) {
		srv := mustServerWith(t, web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		expectStatus(t, spend(t, srv, "203.0.113.1"), http.StatusTooManyRequests, "too_many_requests")
		// A made-up X-Forwarded-For does not buy a fresh budget.
		expectStatus(t, newClient(t, srv).doWith(t, http.MethodPost, "/api/join", "application/json", `{"code":"2222-3333-4444"}`, map[string]string{"X-Forwarded-For": "203.0.113.3"}), http.StatusTooManyRequests, "too_many_requests")
	})
}

// TestNameLength: the display-name limit counts characters, not bytes.
func TestNameLength(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	long := strings.Repeat("é", engine.MaxNameLen) // twice as many bytes
	ana := dial(t, join(t, srv, ex.Codes.Teams[co], long), ex.ID, 0)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"}) // the engine agrees
	r := newClient(t, srv).postJSON(t, "/api/join", map[string]string{"code": ex.Codes.Teams[co], "name": long + "é"}, nil)
	expectStatus(t, r, http.StatusBadRequest, "invalid")
}

// TestNoStoreAndHSTS: reports and answers carrying codes or sessions are
// not cached; HSTS is sent over TLS only.
func TestNoStoreAndHSTS(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv)
	obs := join(t, srv, ex.Codes.Observer, "Olga")
	for _, path := range []string{"/api/exercises/" + ex.ID + "/report?format=html", "/api/exercises/" + ex.ID + "/report?format=json", "/api/session"} {
		r := obs.get(t, path, nil)
		expectStatus(t, r, http.StatusOK, "")
		if got := r.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, got)
		}
		if r.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
	}
	r := mustAdmin(t, srv).get(t, "/api/exercises", nil)
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("the exercise list with its codes: Cache-Control %q, want no-store", got)
	}

	s, err := web.New(web.Config{AdminKey: adminKey, SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(s)
	defer func() { ts.Close(); s.Close() }()
	resp, err := ts.Client().Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("over TLS: Strict-Transport-Security %q", got)
	}
}

// TestParallelReports: many reports of one exercise asked for at once are
// built once (or refused with 503 and Retry-After while others build),
// never piled up.
func TestParallelReports(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv)
	obs := join(t, srv, ex.Codes.Observer, "Olga")
	type result struct {
		status int
		retry  string
		body   string
	}
	results := make(chan result, 8)
	for range cap(results) {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/exercises/"+ex.ID+"/report?format=json", nil)
			resp, err := obs.http.Do(req)
			if err != nil {
				results <- result{}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			results <- result{resp.StatusCode, resp.Header.Get("Retry-After"), string(b)}
		}()
	}
	ok := 0
	for range cap(results) {
		r := <-results
		switch r.status {
		case http.StatusOK:
			ok++
			if !json.Valid([]byte(r.body)) {
				t.Errorf("a shared report is not whole JSON: %.100s", r.body)
			}
		case http.StatusServiceUnavailable:
			if r.retry == "" {
				t.Error("a 503 report without Retry-After")
			}
		default:
			t.Errorf("report: status %d: %.200s", r.status, r.body)
		}
	}
	if ok == 0 {
		t.Error("no report was built")
	}
}
