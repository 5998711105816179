package loadtest_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/internal/loadtest"
	"cmesim/store/postgres/pgtest"
)

// TestRunCluster loads two `cmesim serve` processes sharing one PostgreSQL
// database: the first creates and owns the exercise, the second follows its
// log and forwards its trainees' commands to it, and the trainees are split
// between them. Every trainee on either server must receive every ad-hoc
// inject once, every command through either server must be acknowledged,
// and the tool must stop both servers, also when the run is cancelled.
func TestRunCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmesim and runs two servers on PostgreSQL")
	}
	db := pgtest.NewDatabase(t)
	bin := buildCmesim(t)
	cfg := shortConfig("")
	cfg.AdminKey, cfg.ServerExe, cfg.Store, cfg.Servers = "", bin, db, 2
	before := runtime.NumGoroutine()

	t.Run("OK", func(t *testing.T) {
		rep, err := loadtest.Run(t.Context(), cfg)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if pids := processesOf(bin); len(pids) > 0 {
			t.Fatalf("servers %v still run after Run returned", pids)
		}
		c := rep.Counts
		if got, want := c.Connected, 20; got != want {
			t.Fatalf("Connected=%d, want %d", got, want)
		}
		if c.ProbesAccepted < 5 {
			t.Fatalf("ad-hoc injects=%d, want about 12 in 3 s", c.ProbesAccepted)
		}
		if c.ProbeDeliveries != c.ProbesAccepted*20 || c.Duplicates != 0 {
			t.Fatalf("ad-hoc deliveries=%d (%d twice), want %d: every trainee on both servers receives every one once",
				c.ProbeDeliveries, c.Duplicates, c.ProbesAccepted*20)
		}
		if c.Commands < 20 || c.Acks != c.Commands || c.ErrorsTotal != 0 || c.Unanswered != 0 {
			t.Fatalf("commands=%d acks=%d errors=%v unanswered=%d, want every command acknowledged", c.Commands, c.Acks, c.Errors, c.Unanswered)
		}
		if c.Drops != 0 || c.Reconnects != 0 || rep.Drops() != 0 {
			t.Fatalf("drops=%d (servers: %d) reconnects=%d, want none", c.Drops, rep.Drops(), c.Reconnects)
		}
		if rep.Store == "" || !rep.StartedServer {
			t.Fatalf("Store=%q StartedServer=%v, want the shared store and started servers reported", rep.Store, rep.StartedServer)
		}

		if got, want := len(rep.Servers), 2; got != want {
			t.Fatalf("%d server rows, want %d", got, want)
		}
		for i, want := range []struct {
			role        string
			connections int64 // the facilitator is on the owner
		}{{"owner", 11}, {"follower", 10}} {
			s := rep.Servers[i]
			if s.Role != want.role || s.Trainees != 10 {
				t.Errorf("server %d: role %q with %d trainees, want %q with 10", i+1, s.Role, s.Trainees, want.role)
			}
			if s.ProbeDeliveries != c.ProbesAccepted*10 || s.ProbeDeliveriesExpected != s.ProbeDeliveries || s.Delivery.Count != s.ProbeDeliveries {
				t.Errorf("server %d (%s): %d ad-hoc deliveries of %d expected, %d latency samples, want %d",
					i+1, s.Role, s.ProbeDeliveries, s.ProbeDeliveriesExpected, s.Delivery.Count, c.ProbesAccepted*10)
			}
			if s.Commands == 0 || s.Acks != s.Commands || s.Errors != 0 || s.Unanswered != 0 || s.RTT.Count != s.Acks {
				t.Errorf("server %d (%s): commands=%d acks=%d errors=%d unanswered=%d RTT samples=%d, want every command acknowledged",
					i+1, s.Role, s.Commands, s.Acks, s.Errors, s.Unanswered, s.RTT.Count)
			}
			if !(0 < s.Delivery.P50 && s.Delivery.Max < loadtest.Millis(5*time.Second) && 0 < s.RTT.P50 && s.RTT.Max < loadtest.Millis(5*time.Second)) {
				t.Errorf("server %d (%s): delivery %+v, round trip %+v, want both between 0 and 5 s", i+1, s.Role, s.Delivery, s.RTT)
			}
			if at := s.DeliveryAtSocket; runtime.GOOS == "linux" && (at.Count != s.Delivery.Count || at.P99 > s.Delivery.P99 || at.Max > s.Delivery.Max) {
				t.Errorf("server %d (%s): delivery at the socket %+v, as read %+v: want one sample per delivery, none later than as read", i+1, s.Role, at, s.Delivery)
			}
			if s.DeliveryFirst.Count != c.ProbesAccepted || !(0 < s.DeliveryFirst.Max && s.DeliveryFirst.Max <= s.DeliveryLast.Max && s.DeliveryLast.Max <= s.Delivery.Max) {
				t.Errorf("server %d (%s): to the first trainee %+v, to the last %+v, all %+v: want one sample per ad-hoc inject, first <= last <= all",
					i+1, s.Role, s.DeliveryFirst, s.DeliveryLast, s.Delivery)
			}
			sv := s.Server
			if sv.PID <= 0 || sv.Connections != want.connections || sv.Peak.Connections != want.connections {
				t.Errorf("server %d (%s): pid %d, %d connections (peak gauge %d), want %d", i+1, s.Role, sv.PID, sv.Connections, sv.Peak.Connections, want.connections)
			}
			if sv.Baseline.RSSBytes <= 0 || sv.PeakRSSBytes < sv.Baseline.RSSBytes {
				t.Errorf("server %d (%s): RSS baseline %d, peak %d", i+1, s.Role, sv.Baseline.RSSBytes, sv.PeakRSSBytes)
			}
		}
		if a, b := rep.Servers[0], rep.Servers[1]; a.URL == b.URL || a.Server.PID == b.Server.PID || rep.Server.PID != a.Server.PID {
			t.Errorf("servers %s (pid %d) and %s (pid %d), report's server pid %d: want two servers, the first reported as the server",
				a.URL, a.Server.PID, b.URL, b.Server.PID, rep.Server.PID)
		}

		var text bytes.Buffer
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"server 1 (owner)", "server 2 (follower)", "drops 0", "CPU while loaded"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("text report lacks %q:\n%s", want, text.String())
			}
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		// As after Ctrl-C: once both servers run, the run is cancelled;
		// it stops with an error, and stops its servers.
		if runtime.GOOS != "linux" {
			t.Skip("sees the servers in /proc")
		}
		cfg := cfg
		cfg.Duration = time.Minute
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		seen := make(chan []string, 1)
		go func() {
			defer cancel()
			var pids []string
			for deadline := time.Now().Add(time.Minute); len(pids) < 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				pids = processesOf(bin)
			}
			seen <- pids
			time.Sleep(time.Second)
		}()
		if _, err := loadtest.Run(ctx, cfg); err == nil {
			t.Fatal("Run: no error, want the cancellation")
		}
		if pids := <-seen; len(pids) != 2 {
			t.Fatalf("saw servers %v running, want 2", pids)
		}
		if pids := processesOf(bin); len(pids) > 0 {
			t.Fatalf("servers %v still run after a cancelled run", pids)
		}
	})

	checkNoLeaks(t, before)
}

func TestRunClusterRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  loadtest.Config
		want string
	}{
		{"ServersWithoutStore", loadtest.Config{Servers: 3}, "--servers 3 needs --store"},
		{"StoreNotPostgres", loadtest.Config{Store: "mysql://load:hunter2@127.0.0.1/cmesim"}, "postgres://"},
		{"StoreWithURL", loadtest.Config{Store: "postgres://127.0.0.1/cmesim", URL: "http://127.0.0.1:8080", AdminKey: adminKey}, "--url"},
		{"ServersWithURL", loadtest.Config{Servers: 2, URL: "http://127.0.0.1:8080", AdminKey: adminKey}, "--url"},
		{"TooManyServers", loadtest.Config{Servers: loadtest.MaxServers + 1, Store: "postgres://127.0.0.1/cmesim"}, "servers"},
		{"FewerTraineesThanServers", loadtest.Config{Servers: 3, Trainees: 2, Store: "postgres://127.0.0.1/cmesim"}, "trainees"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadtest.Run(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v, want an error about %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error shows the store's password: %v", err)
			}
		})
	}
}

// buildCmesim compiles the cmesim command for the test and returns its
// path, without symbolic links.
func buildCmesim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cmesim")
	if out, err := exec.Command("go", "build", "-o", bin, "cmesim/cmd/cmesim").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// processesOf returns the processes running bin (Linux only: elsewhere
// it cannot tell and returns none).
func processesOf(bin string) []string {
	exes, _ := filepath.Glob("/proc/[0-9]*/exe")
	var pids []string
	for _, exe := range exes {
		if target, err := os.Readlink(exe); err == nil && target == bin {
			pids = append(pids, filepath.Base(filepath.Dir(exe)))
		}
	}
	slices.Sort(pids)
	return pids
}
