package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmesim/web"
)

func TestLoadtest(t *testing.T) {
	const key = "loadtest-admin-key-0123456789"
	srv, err := web.New(web.Config{AdminKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	small := []string{"loadtest", "--url", ts.URL, "--trainees", "6", "--teams", "3", "--duration", "1s", "--interval", "300ms", "--adhoc-every", "200ms"}

	t.Run("OK", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "load.json")
		r := cmesim(t, map[string]string{"CMESIM_ADMIN_KEY": key}, append(small, "--out", out, "--max-drops", "0", "--max-lost", "0", "--max-delivery-p99", "10s")...)
		r.wantCode(t, exitOK)
		for _, want := range []string{"inject delivery", "command round trip", "6 trainees in 3 teams"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Mode     string `json:"mode"`
			Delivery struct {
				Count int `json:"count"`
			} `json:"inject_delivery"`
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("--out is not JSON: %v", err)
		}
		if rep.Mode != "active" || rep.Delivery.Count == 0 {
			t.Fatalf("--out: mode %q, %d delivery samples", rep.Mode, rep.Delivery.Count)
		}
	})
	t.Run("GateFails", func(t *testing.T) {
		r := cmesim(t, nil, append(small, "--admin-key", key, "--max-rtt-p99", "1ns")...)
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stderr, "failed its gates") || !strings.Contains(r.stdout, "GATE FAILED") {
			t.Fatalf("want the gate failure reported:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		}
	})
	t.Run("SlowRunsAgain", func(t *testing.T) {
		r := cmesim(t, nil, append(small, "--admin-key", key, "--max-rtt-p99", "1ns", "--max-drops", "0", "--attempts", "2")...)
		r.wantCode(t, exitFailure)
		if n := strings.Count(r.stderr, "running again"); n != 1 {
			t.Errorf("stderr says %d times that it runs again, want once:\n%s", n, r.stderr)
		}
		if n := strings.Count(r.stdout, "GATE FAILED"); n != 2 {
			t.Errorf("stdout has %d failed reports, want one per run (2):\n%s", n, r.stdout)
		}
	})
	t.Run("AttemptsStopOnSuccess", func(t *testing.T) {
		r := cmesim(t, nil, append(small, "--admin-key", key, "--max-rtt-p99", "10s", "--attempts", "3")...)
		r.wantCode(t, exitOK)
		if strings.Contains(r.stderr, "running again") {
			t.Errorf("a run that passed its gates was run again:\n%s", r.stderr)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrAttempts", []string{"--attempts", "0"}, "--attempts"},
		{"ErrNotLoopback", []string{"--url", "http://203.0.113.7:8080", "--admin-key", key}, "not a loopback address"},
		{"ErrNoAdminKey", []string{"--url", ts.URL}, "--admin-key"},
		{"ErrTooLong", []string{"--duration", "11m"}, "duration"},
		{"ErrZeroTrainees", []string{"--trainees", "0"}, "positive"},
		{"ErrArgs", []string{"extra"}, "unknown command"},
		{"ErrServersWithoutStore", []string{"--servers", "3"}, "--servers 3 needs --store postgres://"},
		{"ErrStoreNotPostgres", []string{"--store", "mysql://127.0.0.1/cmesim", "--servers", "2"}, "postgres://"},
		{"ErrServersWithURL", []string{"--servers", "2", "--url", ts.URL, "--admin-key", key}, "cannot be used with --url"},
		{"ErrStoreWithURL", []string{"--store", "postgres://127.0.0.1/cmesim", "--url", ts.URL, "--admin-key", key}, "has its own store"},
		{"ErrZeroServers", []string{"--servers", "0"}, "positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cmesim(t, nil, append([]string{"loadtest"}, tc.args...)...)
			r.wantCode(t, exitUsage)
			if !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("stderr=%q, want it to mention %q", r.stderr, tc.want)
			}
		})
	}
}
