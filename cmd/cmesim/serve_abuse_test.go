package main

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
)

// TestServeAbuseSettings: serve passes trusted_proxies and the quotas to
// the server, and refuses bad values as usage errors.
func TestServeAbuseSettings(t *testing.T) {
	base, out := serveInProcess(t, map[string]string{"CMESIM_SESSION_QUOTA": "1/1KiB"}, "--data", t.TempDir(), "--trusted-proxies", "127.0.0.0/8")
	post := func(c *http.Client, path, body string, headers ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	// The loopback peer is a trusted proxy: each forwarded client has a
	// budget of wrong codes of its own.
	for range 10 {
		post(http.DefaultClient, "/api/join", `{"code":"2222-3333-4444"}`, "X-Forwarded-For", "203.0.113.1")
	}
	if r := post(http.DefaultClient, "/api/join", `{"code":"2222-3333-4444"}`, "X-Forwarded-For", "203.0.113.1"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("11th wrong code from one forwarded client: %d, want 429", r.StatusCode)
	}
	if r := post(http.DefaultClient, "/api/join", `{"code":"2222-3333-4444"}`, "X-Forwarded-For", "203.0.113.2"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another forwarded client's wrong code: %d, want 404", r.StatusCode)
	}

	// A session gets one command a minute.
	code := regexp.MustCompile(`/\?code=(\S+)`).FindStringSubmatch(out.String())
	if code == nil {
		t.Fatalf("no facilitator link:\n%s", out.String())
	}
	jar, _ := cookiejar.New(nil)
	fac := &http.Client{Jar: jar}
	join, _ := json.Marshal(map[string]string{"code": code[1], "name": "Fran"})
	if r := post(fac, "/api/join", string(join), "X-Forwarded-For", "203.0.113.3"); r.StatusCode != http.StatusOK {
		t.Fatalf("facilitator join: %d", r.StatusCode)
	}
	var id struct {
		Exercise string `json:"exercise"`
	}
	resp, err := fac.Get(base + "/api/session")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&id)
	resp.Body.Close()
	cmd := `{"type":"command","command":{"type":"acknowledge","inject":"nope"}}`
	if r := post(fac, "/api/exercises/"+id.Exercise+"/commands", cmd); r.StatusCode != http.StatusForbidden {
		t.Fatalf("first command: %d, want 403 (a facilitator acknowledges nothing)", r.StatusCode)
	}
	if r := post(fac, "/api/exercises/"+id.Exercise+"/commands", cmd); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("second command: %d (Retry-After %q), want 429 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"))
	}

	for _, args := range [][]string{{"--trusted-proxies", "proxy.example"}, {"--team-quota", "lots"}, {"--max-sockets-per-ip", "-3"}} {
		r := cmesim(t, nil, append([]string{"serve"}, args...)...)
		r.wantCode(t, 2)
		if !strings.Contains(r.stderr, strings.TrimPrefix(args[0], "--")) {
			t.Errorf("%v: stderr=%s", args, r.stderr)
		}
	}
}
