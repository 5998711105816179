package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	neturl "net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"cmesim/store/postgres/pgtest"
	"cmesim/web"
)

// logBuffer collects a server's JSON log, safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// securityLine is one logged security event.
type securityLine struct {
	Level   string `json:"level"`
	Event   string `json:"event"`
	Client  string `json:"client"`
	Count   int    `json:"count"`
	Message string `json:"message"`
}

// security returns the security events logged so far.
func (l *logBuffer) security(tb testing.TB) []securityLine {
	tb.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []securityLine
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var line securityLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			tb.Fatalf("a log line that is not JSON: %s", sc.Bytes())
		}
		if line.Event != "" {
			out = append(out, line)
		}
	}
	return out
}

// tally sums the counts of the lines of each event and counts the lines.
func tally(lines []securityLine) (counts, nlines map[string]int) {
	counts, nlines = map[string]int{}, map[string]int{}
	for _, l := range lines {
		counts[l.Event] += l.Count
		nlines[l.Event]++
	}
	return counts, nlines
}

// TestSecurityLog: failed sign-ins, wrong admin keys, rate-limit hits and
// cross-origin requests are logged as structured warnings naming the
// event and the client, once at first and then as one summary line with
// the count: a flood does not flood the log.
func TestSecurityLog(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	s, err := web.New(web.Config{AdminKey: adminKey, Log: zerolog.New(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	srv := &testServer{Server: s, URL: ts.URL}
	c := newClient(t, srv)
	const wrongCodes, foreign, wrongKeys = 40, 5, 3
	for range wrongCodes {
		c.postJSON(t, "/api/join", map[string]string{"code": "2222-3333-4444"}, nil)
	}
	for range foreign {
		expectStatus(t, c.doWith(t, http.MethodPost, "/api/logout", "application/json", "{}", map[string]string{"Origin": "https://evil.example"}), http.StatusForbidden, "forbidden")
	}
	for range wrongKeys {
		expectStatus(t, c.postJSON(t, "/api/admin/login", map[string]string{"key": "not-the-admin-key-0123"}, nil), http.StatusUnauthorized, "unauthorized")
	}

	// During the flood: one line per kind of event, with count 1.
	lines := logs.security(t)
	for _, l := range lines {
		if l.Level != "warn" || l.Client != "127.0.0.1" || l.Count != 1 || l.Message == "" {
			t.Errorf("security event %+v: want a warning naming the client, count 1, and what happened", l)
		}
	}
	_, nlines := tally(lines)
	for _, event := range []string{"signin_failed", "rate_limited", "origin_rejected", "admin_key_wrong"} {
		if nlines[event] != 1 {
			t.Errorf("%d lines of %s during the flood, want 1", nlines[event], event)
		}
	}
	if len(lines) != 4 {
		t.Errorf("%d security lines during the flood, want 4: %+v", len(lines), lines)
	}

	// At the end of the period (here, the server stopping): a summary
	// line per kind with the number of repeats.
	ts.Close()
	s.Close()
	counts, nlines := tally(logs.security(t))
	for event, n := range nlines {
		if n > 2 {
			t.Errorf("%d lines of %s, want the first and one summary", n, event)
		}
	}
	if counts["origin_rejected"] != foreign || counts["admin_key_wrong"] != wrongKeys {
		t.Errorf("counts %v: want origin_rejected %d and admin_key_wrong %d", counts, foreign, wrongKeys)
	}
	// Every wrong code is a failed sign-in, a refusal, or both.
	if counts["signin_failed"] < 10 || counts["rate_limited"] < 1 || counts["signin_failed"]+counts["rate_limited"] < wrongCodes {
		t.Errorf("counts %v: want every one of %d wrong codes counted", counts, wrongCodes)
	}
}

// TestClusterSessionLookups: with several servers, made-up cookies from
// one client address use up that address's budget of database lookups,
// not everyone's; the same made-up cookie again is answered from a
// negative cache without a lookup; real sessions cost their address
// nothing, however many come from it; a real trainee signed in on another
// server still gets in; and signing out on one server closes the
// session's socket on the other.
func TestClusterSessionLookups(t *testing.T) {
	url := pgtest.NewDatabase(t)
	proxies := web.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}} // X-Forwarded-For names the client
	a, _ := clusteredServerConfig(t, url, proxies)
	var logs logBuffer
	proxies.Log = zerolog.New(&logs)
	b, _ := clusteredServerConfig(t, url, proxies)
	ex := mustCreate(t, a, co)
	ana := join(t, a, ex.Codes.Teams[co], "Ana")

	cookieGet := func(cookie, from string) int {
		req, _ := http.NewRequest(http.MethodGet, b.URL+"/api/session", nil)
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
		if from != "" {
			req.Header.Set("X-Forwarded-For", from)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// An attacker at one address: 300 made-up cookies, from 4 workers.
	var n, accepted atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for k := n.Add(1); k <= 300; k = n.Add(1) {
				if cookieGet(fmt.Sprintf("made-up-cookie-%040d", k), "198.51.100.66") != http.StatusUnauthorized {
					accepted.Add(1)
				}
			}
		})
	}
	// Another: one made-up cookie, 300 times.
	for range 300 {
		if cookieGet("made-up-cookie-the-same-every-time", "198.51.100.77") != http.StatusUnauthorized {
			accepted.Add(1)
		}
	}
	wg.Wait()
	if accepted.Load() != 0 {
		t.Fatalf("%d made-up cookies were accepted", accepted.Load())
	}
	limited := map[string]bool{}
	for _, l := range logs.security(t) {
		if l.Event == "session_lookup_limit" {
			limited[l.Client] = true
		}
	}
	if !limited["198.51.100.66"] || limited["198.51.100.77"] || limited["127.0.0.1"] || len(limited) != 1 {
		t.Errorf("lookups limited for %v, want only the address sending 300 different made-up cookies", limited)
	}
	// Many real trainees behind one address (a delegation behind one NAT,
	// or a server forwarding its trainees' commands to the exercise's
	// owner): more lookups than the address's burst, and every one finds
	// its session, since only lookups that find none are charged.
	var tokens []string
	for i := range 250 {
		trainee := join(t, a, ex.Codes.Teams[co], fmt.Sprintf("Trainee %03d", i))
		u, _ := neturl.Parse(a.URL)
		for _, c := range trainee.jar.Cookies(u) {
			if c.Name == web.SessionCookie {
				tokens = append(tokens, c.Value)
			}
		}
	}
	if len(tokens) != 250 {
		t.Fatalf("%d session cookies for 250 trainees", len(tokens))
	}
	for i, token := range tokens {
		if code := cookieGet(token, "198.51.100.88"); code != http.StatusOK {
			t.Fatalf("trainee %d of 250 behind one address: %d on the other server, want 200", i, code)
		}
	}
	for _, l := range logs.security(t) {
		if l.Event == "session_lookup_limit" && l.Client == "198.51.100.88" {
			t.Fatalf("real sessions behind one address were limited: %+v", l)
		}
	}
	// The real trainee, signed in on a, is known on b.
	anaB := ana.on(b)
	expectStatus(t, anaB.get(t, "/api/session", nil), http.StatusOK, "")
	ws := dialRaw(t, anaB, ex.ID)
	// Signing out on a closes the socket on b.
	expectStatus(t, ana.postJSON(t, "/api/logout", struct{}{}, nil), http.StatusOK, "")
	if code := closeCode(t, ws); code != web.CloseSessionEnded {
		t.Fatalf("the socket on the other server closed with %d, want %d", code, web.CloseSessionEnded)
	}
}
