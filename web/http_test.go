package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
	"cmesim/web"
)

// expectStatus fails unless r has the HTTP status want and, for errors, a
// JSON error body with the matching code.
func expectStatus(tb testing.TB, r *response, want int, code string) {
	tb.Helper()
	if r.StatusCode != want {
		tb.Fatalf("%s %s: status %d, want %d: %.300s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.body)
	}
	if code != "" {
		if got := r.apiError(tb).Error.Code; got != code {
			tb.Fatalf("%s %s: error code %q, want %q", r.Request.Method, r.Request.URL.Path, got, code)
		}
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	c := newClient(t, srv)
	for _, path := range []string{"/healthz", "/readyz"} {
		r := c.get(t, path, nil)
		if r.StatusCode != http.StatusOK || strings.TrimSpace(string(r.body)) != "ok" {
			t.Errorf("GET %s: %d %q, want 200 ok", path, r.StatusCode, r.body)
		}
	}
	srv.Close()
	if r := c.get(t, "/readyz", nil); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz after Close: %d, want 503", r.StatusCode)
	}
	if r := c.get(t, "/healthz", nil); r.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz after Close: %d, want 200", r.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	before := srv.metrics(t)
	for _, name := range []string{"cmesim_events_total", "cmesim_commands_total", "cmesim_rejected_total",
		"cmesim_websocket_connections", "cmesim_joins_total", "cmesim_join_failures_total", "cmesim_exercises"} {
		if v, ok := before[name]; !ok || v != 0 {
			t.Errorf("%s = %v (present %v), want 0 on a new server", name, v, ok)
		}
	}
	ex := mustCreate(t, srv, co)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, ""), ex.ID, 0)
	ana := dial(t, join(t, srv, ex.Codes.Teams[co], "Ana"), ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	ack := fac.mustAck(t, cmd{"type": "note", "text": "metrics"})
	ana.mustReject(t, "forbidden", cmd{"type": "pause"})
	ana.send(t, `{"type":"bogus"}`)
	expectError(t, ana.next(t, isType("error")), "invalid")
	ana.sendFrame(t, websocket.BinaryMessage, []byte(`{"type":"jump"}`))
	expectError(t, ana.next(t, isType("error")), "invalid")
	expectError(t, ana.jump(t), "forbidden")
	newClient(t, srv).postJSON(t, "/api/join", map[string]string{"code": "2222-2222-2222", "name": "x"}, nil)

	after := srv.metrics(t)
	for name, want := range map[string]float64{
		"cmesim_exercises":             1,
		"cmesim_events_total":          float64(ack.Seq), // one exercise: its log length
		"cmesim_commands_total":        3,                // start, note, pause
		"cmesim_rejected_total":        4,                // pause, bogus, binary, jump
		"cmesim_websocket_connections": 2,
		"cmesim_joins_total":           2,
		"cmesim_join_failures_total":   1,
	} {
		if got := after[name]; got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if after["cmesim_websocket_messages_received_total"] < 6 || after["cmesim_websocket_messages_sent_total"] < 8 {
		t.Errorf("message counters did not move: %v", after)
	}
	r := newClient(t, srv).get(t, "/metrics", nil)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !bytes.Contains(r.body, []byte("# TYPE cmesim_events_total counter")) {
		t.Errorf("/metrics is %q:\n%s", ct, r.body)
	}
}

func TestAdmin(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)

	t.Run("NoSession", func(t *testing.T) {
		anon := newClient(t, srv)
		// The admin's pages say to sign in with the admin key, the others with a join code.
		r := anon.get(t, "/api/library", nil)
		expectStatus(t, r, http.StatusUnauthorized, "unauthorized")
		if msg := r.apiError(t).Error.Message; !strings.Contains(msg, "admin key") {
			t.Errorf("the library without a session says %q", msg)
		}
		if msg := anon.get(t, "/api/session", nil).apiError(t).Error.Message; !strings.Contains(msg, "join code") {
			t.Errorf("the session without one says %q", msg)
		}
		expectStatus(t, anon.get(t, "/api/exercises", nil), http.StatusUnauthorized, "unauthorized")
		expectStatus(t, anon.postJSON(t, "/api/exercises", map[string]string{"scenario": "grid-ransomware"}, nil), http.StatusUnauthorized, "unauthorized")
		expectStatus(t, anon.get(t, "/api/session", nil), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("NotAdmin", func(t *testing.T) {
		fac := join(t, srv, ex.Codes.Facilitator, "")
		expectStatus(t, fac.get(t, "/api/library", nil), http.StatusUnauthorized, "unauthorized")
		expectStatus(t, fac.get(t, "/api/exercises", nil), http.StatusUnauthorized, "unauthorized")
		expectStatus(t, fac.postJSON(t, "/api/exercises", map[string]string{"scenario": "grid-ransomware"}, nil), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("WrongKey", func(t *testing.T) {
		c := newClient(t, srv)
		r := c.postJSON(t, "/api/admin/login", map[string]string{"key": adminKey + "x"}, nil)
		expectStatus(t, r, http.StatusUnauthorized, "unauthorized")
		if len(r.Cookies()) != 0 {
			t.Errorf("a wrong key set cookies %v", r.Cookies())
		}
		expectStatus(t, c.get(t, "/api/library", nil), http.StatusUnauthorized, "unauthorized")
	})

	admin := mustAdmin(t, srv)
	t.Run("Library", func(t *testing.T) {
		var lib []struct {
			Name     string   `json:"name"`
			Title    string   `json:"title"`
			Teams    []string `json:"teams"`
			Injects  int      `json:"injects"`
			Duration string   `json:"duration"`
		}
		expectStatus(t, admin.get(t, "/api/library", &lib), http.StatusOK, "")
		found := false
		for _, e := range lib {
			if e.Name == "grid-ransomware" {
				found = e.Title != "" && len(e.Teams) > 0 && e.Injects > 0 && e.Duration != ""
			}
		}
		if !found {
			t.Fatalf("library %+v should describe grid-ransomware", lib)
		}
	})
	t.Run("CreateFromLibrary", func(t *testing.T) {
		var out created
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]any{"scenario": "grid-ransomware", "seed": 7, "speed": 60}, &out), http.StatusCreated, "")
		if out.ID == "" || out.Title == "" || out.Codes.Facilitator == "" || len(out.Codes.Teams) == 0 {
			t.Errorf("created %+v", out)
		}
	})
	t.Run("List", func(t *testing.T) {
		var list []struct {
			ID     string `json:"id"`
			Title  string `json:"title"`
			Status string `json:"status"`
			// TeamNames names the teams of the join codes.
			TeamNames map[string]string `json:"team_names"`
		}
		expectStatus(t, admin.get(t, "/api/exercises", &list), http.StatusOK, "")
		if len(list) != 2 || list[0].ID != ex.ID || list[0].Status != "ready" || list[0].Title != ex.Title {
			t.Errorf("list %+v, want the example first, ready, then the library exercise", list)
		}
		if len(list) > 0 && !maps.Equal(list[0].TeamNames, map[string]string{co: "colCERT", pe: "PeCERT"}) {
			t.Errorf("the example's team names %v", list[0].TeamNames)
		}
	})
	t.Run("InvalidYAML", func(t *testing.T) {
		src, err := os.ReadFile("../testdata/scenarios/invalid/many-problems.yaml")
		if err != nil {
			t.Fatal(err)
		}
		r := admin.postJSON(t, "/api/exercises", map[string]string{"yaml": string(src)}, nil)
		expectStatus(t, r, http.StatusBadRequest, "invalid")
		problems := r.apiError(t).Error.Problems
		if len(problems) < 2 {
			t.Fatalf("problems %q, want several", problems)
		}
		pos := regexp.MustCompile(`^upload\.yaml:\d+:\d+: error: .+`)
		for _, p := range problems {
			if !pos.MatchString(p) {
				t.Errorf("problem %q is not file:line:col: error: message", p)
			}
		}
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]string{"yaml": "exercise: [unclosed"}, nil), http.StatusBadRequest, "invalid")
	})
	t.Run("BadRequests", func(t *testing.T) {
		src, _ := os.ReadFile(exampleYAML)
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]string{"scenario": "no-such-scenario"}, nil), http.StatusNotFound, "not_found")
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]string{}, nil), http.StatusBadRequest, "invalid")
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]string{"scenario": "grid-ransomware", "yaml": string(src)}, nil), http.StatusBadRequest, "invalid")
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]any{"yaml": string(src), "speed": 20000}, nil), http.StatusBadRequest, "invalid")
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]any{"yaml": string(src), "humans": []string{"xx-csirt"}}, nil), http.StatusNotFound, "not_found")
	})
}

func TestJoin(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)

	t.Run("WrongCode", func(t *testing.T) {
		before := srv.metrics(t)["cmesim_join_failures_total"]
		r := newClient(t, srv).postJSON(t, "/api/join", map[string]string{"code": "2222-3333-4444", "name": "Ana"}, nil)
		expectStatus(t, r, http.StatusNotFound, "not_found")
		if got := srv.metrics(t)["cmesim_join_failures_total"]; got != before+1 {
			t.Errorf("cmesim_join_failures_total = %v, want %v", got, before+1)
		}
	})
	t.Run("BadName", func(t *testing.T) {
		for _, name := range []string{"", "   ", strings.Repeat("n", 81), "Ana\nAdmin"} {
			r := newClient(t, srv).postJSON(t, "/api/join", map[string]string{"code": ex.Codes.Teams[co], "name": name}, nil)
			expectStatus(t, r, http.StatusBadRequest, "invalid")
		}
	})
	t.Run("Trainee", func(t *testing.T) {
		// Codes are typed in any case, with or without dashes.
		code := strings.ToLower(strings.ReplaceAll(ex.Codes.Teams[co], "-", ""))
		c := join(t, srv, code, " Ana ")
		if want := (joinAnswer{Exercise: ex.ID, Role: "trainee", Team: co, Name: "Ana", Page: "/trainee.html"}); c.who != want {
			t.Errorf("join answered %+v, want %+v", c.who, want)
		}
		var who joinAnswer
		expectStatus(t, c.get(t, "/api/session", &who), http.StatusOK, "")
		if who != c.who {
			t.Errorf("session %+v, want %+v", who, c.who)
		}
		expectStatus(t, c.postJSON(t, "/api/logout", struct{}{}, nil), http.StatusOK, "")
		expectStatus(t, c.get(t, "/api/session", nil), http.StatusUnauthorized, "unauthorized")
		expectStatus(t, c.get(t, "/api/exercises/"+ex.ID, nil), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("Staff", func(t *testing.T) {
		for code, want := range map[string]joinAnswer{
			ex.Codes.Facilitator: {Exercise: ex.ID, Role: "facilitator", Name: "facilitator", Page: "/facilitator.html"},
			ex.Codes.Observer:    {Exercise: ex.ID, Role: "observer", Name: "observer", Page: "/observer.html"},
		} {
			if c := join(t, srv, code, ""); c.who != want {
				t.Errorf("join answered %+v, want %+v", c.who, want)
			}
		}
	})
}

// TestJoinRateLimit: wrong codes from one address are limited (10, then
// 429 with Retry-After, and a fast stream of attempts is refused without
// being checked), while the right code and the admin key, which has a
// budget of its own, still get in from that address.
func TestJoinRateLimit(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	c := newClient(t, srv)
	const burst = 10
	for range burst {
		r := c.postJSON(t, "/api/join", map[string]string{"code": "2222-3333-4444"}, nil)
		expectStatus(t, r, http.StatusNotFound, "not_found")
	}
	r := c.postJSON(t, "/api/join", map[string]string{"code": "2222-3333-4444"}, nil)
	expectStatus(t, r, http.StatusTooManyRequests, "too_many_requests")
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After = %q, want whole seconds", r.Header.Get("Retry-After"))
	}
	// The right code still gets in from the same address, and so does the
	// admin key: its budget is its own.
	expectStatus(t, c.postJSON(t, "/api/join", map[string]string{"code": ex.Codes.Teams[co], "name": "Ana"}, nil), http.StatusOK, "")
	expectStatus(t, c.postJSON(t, "/api/admin/login", map[string]string{"key": adminKey}, nil), http.StatusOK, "")
	// Hammering: past its failures, an address gets at most a few attempts
	// a second checked; the rest are refused unchecked, right code or not.
	// (A wrong code each round keeps the address past its failures.)
	refused := false
	for range 50 {
		c.postJSON(t, "/api/join", map[string]string{"code": "2222-3333-4444"}, nil)
		r := c.postJSON(t, "/api/join", map[string]string{"code": ex.Codes.Teams[co], "name": "Ana"}, nil)
		if r.StatusCode == http.StatusTooManyRequests {
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("a 429 without Retry-After")
			}
			refused = true
			break
		}
		expectStatus(t, r, http.StatusOK, "")
	}
	if !refused {
		t.Error("50 rounds of attempts at once from an address past its failures were all checked")
	}
}

// exerciseView is the answer to GET /api/exercises/{id}.
type exerciseView struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	You   joinAnswer `json:"you"`
	Teams []struct {
		ID string `json:"id"`
	} `json:"teams"`
	Peers []struct {
		Team string   `json:"team"`
		Name string   `json:"name"`
		TLP  []string `json:"tlp"`
	} `json:"peers"`
	MSEL []struct {
		ID      string       `json:"id"`
		At      *int64       `json:"at"`
		Trigger *mselTrigger `json:"trigger"`
		// Expectations name an inject's expectations by action.
		Expectations []struct {
			ID     string `json:"id"`
			Action string `json:"action"`
		} `json:"expectations"`
		To []string `json:"to"`
	} `json:"msel"`
}

// mselTrigger is what the MSEL says releases an inject without a time.
type mselTrigger struct {
	Kind   string        `json:"kind"`
	Inject string        `json:"inject"`
	Delay  time.Duration `json:"delay"`
}

func TestExerciseView(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)

	t.Run("Trainee", func(t *testing.T) {
		var v exerciseView
		r := join(t, srv, ex.Codes.Teams[co], "Ana").get(t, "/api/exercises/"+ex.ID, &v)
		expectStatus(t, r, http.StatusOK, "")
		if v.ID != ex.ID || v.You.Role != "trainee" || v.You.Team != co || len(v.Teams) != 2 {
			t.Errorf("view %+v", v)
		}
		if len(v.Peers) != 1 || v.Peers[0].Team != pe || v.Peers[0].Name != "PeCERT" || !slices.Equal(v.Peers[0].TLP, []string{"clear", "green", "amber"}) {
			t.Errorf("peers %+v, want pe-csirt with clear, green, amber", v.Peers)
		}
		var raw map[string]json.RawMessage
		json.Unmarshal(r.body, &raw)
		if _, ok := raw["msel"]; ok {
			t.Errorf("a trainee sees the MSEL: %s", raw["msel"])
		}
	})
	for _, who := range []struct{ role, code string }{
		{"facilitator", ex.Codes.Facilitator}, {"evaluator", ex.Codes.Evaluator}, {"observer", ex.Codes.Observer},
	} {
		t.Run(who.role, func(t *testing.T) {
			var v exerciseView
			expectStatus(t, join(t, srv, who.code, "").get(t, "/api/exercises/"+ex.ID, &v), http.StatusOK, "")
			if len(v.MSEL) != 3 || len(v.Peers) != 0 || v.You.Role != who.role {
				t.Fatalf("view %+v, want the 3-inject MSEL and no peers", v)
			}
			if m := v.MSEL[0]; m.ID != "I01" || m.At == nil || *m.At != 600e9 || !slices.Equal(m.To, []string{co}) {
				t.Errorf("msel[0] = %+v, want I01 at 10m to co-csirt", m)
			}
			if m := v.MSEL[0]; len(m.Expectations) != 3 || m.Expectations[0].ID != "ack" || m.Expectations[0].Action != "acknowledge" || m.Expectations[2].Action != "share" {
				t.Errorf("msel[0]'s expectations %+v, want ack (acknowledge), classify, share", m.Expectations)
			}
			if m := v.MSEL[1]; m.ID != "I02" || m.At != nil || m.Trigger == nil || *m.Trigger != (mselTrigger{Kind: "after", Inject: "I01", Delay: 20 * time.Minute}) {
				t.Errorf("msel[1] = %+v, want I02 triggered after I01", m)
			}
		})
	}
}

func TestCrossExercise(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	a := mustCreate(t, srv, co)
	b := mustCreate(t, srv, co)
	fac := join(t, srv, a.Codes.Facilitator, "")
	ana := join(t, srv, a.Codes.Teams[co], "Ana")
	for _, c := range []*client{fac, ana} {
		expectStatus(t, c.get(t, "/api/exercises/"+a.ID, nil), http.StatusOK, "")
		expectStatus(t, c.get(t, "/api/exercises/"+b.ID, nil), http.StatusForbidden, "forbidden")
		expectStatus(t, c.get(t, "/api/exercises/"+b.ID+"/report", nil), http.StatusForbidden, "forbidden")
		expectStatus(t, c.get(t, "/api/exercises/"+b.ID+"/ws", nil), http.StatusForbidden, "forbidden")
		expectStatus(t, c.get(t, "/api/exercises/no-such-exercise", nil), http.StatusNotFound, "not_found")
		d := websocket.Dialer{Jar: c.jar, HandshakeTimeout: waitTimeout}
		ws, resp, err := d.Dial(srv.wsURL(b.ID, 0), nil)
		if err == nil {
			ws.Close()
			t.Fatalf("%s opened a WebSocket on another exercise", c.who.Role)
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s dialling another exercise: %v, want 403", c.who.Role, err)
		}
	}
	// The admin session belongs to no exercise.
	expectStatus(t, mustAdmin(t, srv).get(t, "/api/exercises/"+a.ID, nil), http.StatusForbidden, "forbidden")
}

func TestReport(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	facC := join(t, srv, ex.Codes.Facilitator, "")
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	fac := dial(t, facC, ex.ID, 0)
	ana := dial(t, anaC, ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	const action = "Sinkholed nomina-minfin for the ministry"
	ack := ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01", "text": action})
	fac.event(t, ack.Seq)

	path := "/api/exercises/" + ex.ID + "/report"
	expectStatus(t, anaC.get(t, path, nil), http.StatusForbidden, "forbidden")
	expectStatus(t, facC.get(t, path+"?format=pdf", nil), http.StatusBadRequest, "invalid")

	for _, tc := range []struct {
		format, ctype, want string
	}{
		{"", "text/html", action},
		{"html", "text/html", action},
		{"md", "text/markdown", action},
		{"json", "application/json", action},
		{"csv", "text/csv", "co-csirt,I01,ack,acknowledge"},
	} {
		t.Run("format="+tc.format, func(t *testing.T) {
			r := facC.get(t, path+"?format="+tc.format, nil)
			expectStatus(t, r, http.StatusOK, "")
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tc.ctype)
			}
			if !strings.Contains(string(r.body), tc.want) {
				t.Errorf("the report does not contain %q:\n%.500s", tc.want, r.body)
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
				t.Errorf("Content-Disposition %q", cd)
			}
			switch tc.format {
			case "json":
				if !json.Valid(r.body) {
					t.Error("the JSON report is not valid JSON")
				}
			case "csv":
				rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
				if err != nil || len(rows) < 2 || rows[0][0] != "team" {
					t.Errorf("CSV report: %v, %d rows", err, len(rows))
				}
			}
		})
	}
	for _, code := range []string{ex.Codes.Evaluator, ex.Codes.Observer} {
		expectStatus(t, join(t, srv, code, "").get(t, path+"?format=md", nil), http.StatusOK, "")
	}
}

// csp parses a Content-Security-Policy into directive → sources.
func csp(h string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(h, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	fac := join(t, srv, ex.Codes.Facilitator, "")
	anon := newClient(t, srv)
	for _, r := range []*response{
		anon.get(t, "/", nil),
		anon.get(t, "/healthz", nil),
		anon.get(t, "/api/session", nil),
		fac.get(t, "/api/exercises/"+ex.ID, nil),
		fac.get(t, "/api/exercises/"+ex.ID+"/report", nil),
		fac.get(t, "/api/exercises/"+ex.ID+"/report?format=json", nil),
	} {
		h := r.Header
		name := r.Request.URL.String()
		policy := h.Get("Content-Security-Policy")
		d := csp(policy)
		scripts, ok := d["script-src"]
		if !ok {
			scripts, ok = d["default-src"]
		}
		if !ok || slices.Contains(scripts, "'unsafe-inline'") || slices.Contains(scripts, "'unsafe-eval'") || slices.Contains(scripts, "*") {
			t.Errorf("%s: CSP %q lets scripts run inline or from anywhere", name, policy)
		}
		if !slices.Equal(d["frame-ancestors"], []string{"'none'"}) {
			t.Errorf("%s: CSP %q should say frame-ancestors 'none'", name, policy)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, got)
		}
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q", name, got)
		}
		if got := h.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", name, got)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	for _, tc := range []struct {
		path string
		body any
	}{
		{"/api/join", map[string]string{"code": ex.Codes.Teams[co], "name": "Ana"}},
		{"/api/admin/login", map[string]string{"key": adminKey}},
	} {
		r := newClient(t, srv).postJSON(t, tc.path, tc.body, nil)
		expectStatus(t, r, http.StatusOK, "")
		i := slices.IndexFunc(r.Cookies(), func(c *http.Cookie) bool { return c.Name == web.SessionCookie })
		if i < 0 {
			t.Fatalf("%s set no session cookie", tc.path)
		}
		c := r.Cookies()[i]
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || len(c.Value) < 40 {
			t.Errorf("%s: cookie %q, want HttpOnly, SameSite=Strict, Path=/ and a long random value", tc.path, r.Header.Get("Set-Cookie"))
		}
	}
}

func TestStrictBodies(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	admin := mustAdmin(t, srv)
	anon := newClient(t, srv)

	t.Run("UnknownFields", func(t *testing.T) {
		// A forged role or team in a join must not be ignored silently.
		r := anon.postJSON(t, "/api/join", map[string]string{"code": ex.Codes.Teams[co], "name": "Ana", "role": "facilitator"}, nil)
		expectStatus(t, r, http.StatusBadRequest, "invalid")
		expectStatus(t, anon.postJSON(t, "/api/admin/login", map[string]string{"key": adminKey, "role": "admin"}, nil), http.StatusBadRequest, "invalid")
		expectStatus(t, admin.postJSON(t, "/api/exercises", map[string]string{"scenario": "grid-ransomware", "owner": "me"}, nil), http.StatusBadRequest, "invalid")
	})
	t.Run("Malformed", func(t *testing.T) {
		expectStatus(t, anon.do(t, http.MethodPost, "/api/join", "application/json", strings.NewReader(`{"code":`)), http.StatusBadRequest, "invalid")
		expectStatus(t, anon.do(t, http.MethodPost, "/api/join", "application/json", strings.NewReader(`{"code":"x"} {"code":"y"}`)), http.StatusBadRequest, "invalid")
		expectStatus(t, anon.do(t, http.MethodPost, "/api/join", "application/json", strings.NewReader(`{"code":7}`)), http.StatusBadRequest, "invalid")
		expectStatus(t, anon.do(t, http.MethodPost, "/api/join", "text/plain", strings.NewReader(`{"code":"x"}`)), http.StatusUnsupportedMediaType, "unsupported_media_type")
	})
	t.Run("TooLarge", func(t *testing.T) {
		big := strings.Repeat("A", 64<<10)
		expectStatus(t, anon.postJSON(t, "/api/join", map[string]string{"code": big}, nil), http.StatusBadRequest, "invalid")
		huge := "# " + strings.Repeat("x", web.MaxScenarioUpload+(64<<10))
		r := admin.postJSON(t, "/api/exercises", map[string]string{"yaml": huge}, nil)
		expectStatus(t, r, http.StatusBadRequest, "invalid")
		if msg := r.apiError(t).Error.Message; !strings.Contains(msg, "larger than") {
			t.Errorf("message %q should say the body is too large", msg)
		}
		// Just over the scenario limit but within the body limit.
		r = admin.postJSON(t, "/api/exercises", map[string]string{"yaml": huge[:web.MaxScenarioUpload+1]}, nil)
		expectStatus(t, r, http.StatusBadRequest, "invalid")
	})
}

func TestWebSocketHandshake(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	fac := join(t, srv, ex.Codes.Facilitator, "")
	dialWith := func(c *client, url string, h http.Header) (*http.Response, error) {
		d := websocket.Dialer{Jar: c.jar, HandshakeTimeout: waitTimeout}
		ws, resp, err := d.Dial(url, h)
		if err == nil {
			ws.Close()
		}
		return resp, err
	}

	for _, tc := range []struct {
		name   string
		origin string
		ok     bool
	}{
		{"ForeignOrigin", "https://evil.example", false},
		{"LookalikeOrigin", srv.URL + ".evil.example", false},
		{"NullOrigin", "null", false},
		{"OwnOrigin", srv.URL, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := dialWith(fac, srv.wsURL(ex.ID, 0), http.Header{"Origin": {tc.origin}})
			switch {
			case tc.ok && err != nil:
				t.Fatalf("Origin %s refused: %v", tc.origin, err)
			case !tc.ok && (resp == nil || resp.StatusCode != http.StatusForbidden):
				t.Fatalf("Origin %s: %v, want 403", tc.origin, err)
			}
		})
	}
	t.Run("NoSession", func(t *testing.T) {
		resp, err := dialWith(newClient(t, srv), srv.wsURL(ex.ID, 0), nil)
		if resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no session: %v, want 401", err)
		}
	})
	t.Run("BadSince", func(t *testing.T) {
		expectStatus(t, fac.get(t, "/api/exercises/"+ex.ID+"/ws?since=-1", nil), http.StatusBadRequest, "invalid")
	})
}
