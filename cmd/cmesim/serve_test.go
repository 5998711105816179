package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cmesim/store/postgres/pgtest"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveInProcess runs `cmesim serve` with args until the test ends and
// returns its base URL and output.
func serveInProcess(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs syncBuffer
	vars := map[string]string{"CMESIM_CONFIG": writeTemp(t, "cmesim.yaml", "# empty\n")}
	for k, v := range env {
		vars[k] = v
	}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), &out, &errs, func(k string) string { return vars[k] })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	link := regexp.MustCompile(`serving on (http://\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := link.FindStringSubmatch(out.String()); m != nil {
			return m[1], &out
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s\n%s", code, out.String(), errs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s\n%s", out.String(), errs.String())
	return "", nil
}

func TestServe(t *testing.T) {
	t.Run("SQLiteByDefault", func(t *testing.T) {
		data := t.TempDir()
		base, out := serveInProcess(t, nil, "--data", data)
		resp, err := http.Get(base + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("readyz: %v %v", err, resp)
		}
		resp.Body.Close()
		if !strings.Contains(out.String(), "Facilitator of") || !strings.Contains(out.String(), "/?code=") {
			t.Fatalf("no facilitator link printed:\n%s", out.String())
		}
		// The exercise's id, which export and report --exercise take.
		if !regexp.MustCompile(`exercise id [0-9a-f-]{36} `).MatchString(out.String()) {
			t.Errorf("no exercise id printed:\n%s", out.String())
		}
		if _, err := os.Stat(data + "/cmesim.db"); err != nil {
			t.Fatalf("no store in the data directory: %v", err)
		}
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		base, out := serveInProcess(t, nil, "--store", url, "--exercise", "election-ddos", "--data", t.TempDir())
		resp, err := http.Get(base + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("readyz: %v %v", err, resp)
		}
		resp.Body.Close()
		if !strings.Contains(out.String(), "/?code=") {
			t.Fatalf("no facilitator link printed:\n%s", out.String())
		}
	})
	t.Run("ErrBadStore", func(t *testing.T) {
		r := cmesim(t, nil, "serve", "--store", "mysql://x")
		r.wantCode(t, 2)
		if !strings.Contains(r.stderr, "postgres://") {
			t.Fatalf("stderr=%s", r.stderr)
		}
	})
}

// TestServeSpeed checks that serve reads --speed like run does ("60x") and
// that the exercise it creates plays at that pace.
func TestServeSpeed(t *testing.T) {
	base, out := serveInProcess(t, nil, "--data", t.TempDir(), "--speed", "60x")
	code := regexp.MustCompile(`/\?code=(\S+)`).FindStringSubmatch(out.String())
	if code == nil {
		t.Fatalf("no facilitator link printed:\n%s", out.String())
	}
	client := newHTTPClient(t)
	s := &server{url: base}
	var joined struct{ Exercise string }
	s.post(t, client, "/api/join", map[string]string{"code": code[1], "name": "Facilitator"}, &joined)
	p := &person{name: "facilitator", client: client}
	ws := p.dial(t, base, joined.Exercise)
	defer ws.Close()
	rd := &wsReader{ws: ws}
	for {
		ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		var msg struct {
			Type   string
			Status struct{ Speed float64 }
		}
		if err := rd.readJSON(&msg); err != nil {
			t.Fatalf("no status message: %v", err)
		}
		if msg.Type == "status" {
			if msg.Status.Speed != 60 {
				t.Fatalf("status speed=%v, want 60", msg.Status.Speed)
			}
			return
		}
	}
}

func TestServeErrBadSpeed(t *testing.T) {
	for _, speed := range []string{"max", "fast", "0x", "20000x"} {
		r := cmesim(t, nil, "serve", "--speed", speed, "--exercise", "none")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "bad speed") || !strings.Contains(r.stderr, "60x") {
			t.Errorf("--speed %s: stderr=%s", speed, r.stderr)
		}
	}
}

// TestConfigErrorHidesSecrets checks that a rejected admin key or store URL
// is not printed.
func TestConfigErrorHidesSecrets(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"AdminKey": {"CMESIM_ADMIN_KEY": "hunter2"},
		"StoreURL": {"CMESIM_STORE": "mysql://cmesim:hunter2@db/cmesim"},
	} {
		r := cmesim(t, env, "serve", "--exercise", "none")
		r.wantCode(t, exitUsage)
		if strings.Contains(r.stderr+r.stdout, "hunter2") {
			t.Errorf("%s: the secret is printed:\n%s", name, r.stderr)
		}
		if !strings.Contains(r.stderr, "configuration:") {
			t.Errorf("%s: no configuration error:\n%s", name, r.stderr)
		}
	}
}

// TestConfigScope checks that a command validates only the settings it
// reads: a bad server setting stops serve but not validate or run, and a
// bad store setting stops the commands that open the store.
func TestConfigScope(t *testing.T) {
	server := map[string]string{"CMESIM_ADMIN_KEY": "short", "CMESIM_LISTEN": "bad"}
	for _, args := range [][]string{{"validate", "grid-ransomware"}, {"run", "grid-ransomware", "--seed", "1", "--out", filepath.Join(t.TempDir(), "e.jsonl")}} {
		if r := cmesim(t, server, args...); r.code != 0 {
			t.Errorf("%s with bad server settings: exit %d\n%s", args[0], r.code, r.stderr)
		}
	}
	// msel's export is not the store's export.
	if r := cmesim(t, map[string]string{"CMESIM_STORE": "bogus"}, "msel", "export", "grid-ransomware", "-o", filepath.Join(t.TempDir(), "g.xlsx")); r.code != 0 {
		t.Errorf("msel export with a bad store setting: exit %d\n%s", r.code, r.stderr)
	}
	r := cmesim(t, server, "serve", "--exercise", "none")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "configuration:") {
		t.Errorf("serve with bad server settings: %s", r.stderr)
	}
	r = cmesim(t, map[string]string{"CMESIM_STORE": "mysql://db/cmesim"}, "report", "--exercise", "x")
	r.wantCode(t, exitUsage)
	if !strings.Contains(r.stderr, "configuration: store") {
		t.Errorf("report --exercise with a bad store: %s", r.stderr)
	}
}

// TestServeErrUnknownExercise checks that --exercise with a name the
// library does not have stops serve at once, whatever the store holds.
func TestServeErrUnknownExercise(t *testing.T) {
	for _, name := range []string{"nosuch", "bad/syntax.yaml"} {
		r := cmesim(t, nil, "serve", "--exercise", name, "--data", t.TempDir())
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "no bundled scenario has that name") || !strings.Contains(r.stderr, "cmesim library") {
			t.Errorf("--exercise %s: %s", name, r.stderr)
		}
	}
}
