package loadtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cmesim/internal/loadtest"
	"cmesim/web"
)

// adminKey is the admin key of every test server.
const adminKey = "loadtest-admin-key-0123456789"

// mustServer starts an in-process server behind a loopback listener. The
// subprocess path of the tool is what CI's loadtest step exercises.
func mustServer(tb testing.TB) string {
	tb.Helper()
	srv, err := web.New(web.Config{AdminKey: adminKey})
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts.URL
}

// shortConfig is a small, fast run: 20 trainees in 5 teams for 3 s, at a
// pace where a scheduled inject arrives within the first second.
func shortConfig(url string) loadtest.Config {
	return loadtest.Config{
		URL: url, AdminKey: adminKey,
		Trainees: 20, Teams: 5, Duration: 3 * time.Second,
		Interval: 400 * time.Millisecond, AdHocEvery: 250 * time.Millisecond, Speed: 100,
	}
}

// checkNoLeaks fails when goroutines started since before outlive the
// test by more than a moment.
func checkNoLeaks(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after the run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

func TestRun(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("OK", func(t *testing.T) {
		rep, err := loadtest.Run(t.Context(), shortConfig(mustServer(t)))
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		c := rep.Counts
		if got, want := c.Connected, 20; got != want {
			t.Fatalf("Connected=%d, want %d", got, want)
		}
		if c.ProbesAccepted < 5 {
			t.Fatalf("ad-hoc injects=%d, want about 12 in 3 s", c.ProbesAccepted)
		}
		if c.Duplicates != 0 {
			t.Fatalf("%d ad-hoc injects delivered twice", c.Duplicates)
		}
		if got, want := c.ProbeDeliveries, c.ProbesAccepted*20; got != want {
			t.Fatalf("ad-hoc deliveries=%d, want %d (every trainee receives every one)", got, want)
		}
		if got, want := rep.Delivery.Count, c.ProbeDeliveries; got != want {
			t.Fatalf("delivery samples=%d, want one per delivery (%d)", got, want)
		}
		if runtime.GOOS == "linux" {
			// Every delivery reached its socket no later than the tool
			// read it, so each quantile at the socket is at most the
			// same quantile as read.
			at, read := rep.DeliveryAtSocket, rep.Delivery
			if at.Count != read.Count || !(0 < at.P50 && at.P50 <= read.P50 && at.P99 <= read.P99 && at.Max <= read.Max) {
				t.Fatalf("delivery at the socket %+v, as read %+v: want one sample per delivery, none later than as read", at, read)
			}
			if got, want := rep.DeliveryLastAtSocket.Count, rep.DeliveryLast.Count; got != want || rep.DeliveryLastAtSocket.Max > rep.DeliveryLast.Max {
				t.Fatalf("to the last trainee's socket %+v, as read %+v", rep.DeliveryLastAtSocket, rep.DeliveryLast)
			}
			if c.UnstampedFrames >= c.Frames {
				t.Fatalf("%d of %d frames without a receive timestamp: the kernel stamped none", c.UnstampedFrames, c.Frames)
			}
		}
		if c.ScheduledDeliveries == 0 {
			t.Fatal("no scheduled inject was delivered")
		}
		if c.Commands < 20 || c.Acks != c.Commands || c.ErrorsTotal != 0 || c.Unanswered != 0 {
			t.Fatalf("commands=%d acks=%d errors=%v unanswered=%d, want every command acknowledged", c.Commands, c.Acks, c.Errors, c.Unanswered)
		}
		if got, want := rep.RTT.Count, c.Acks; got != want {
			t.Fatalf("RTT samples=%d, want one per ack (%d)", got, want)
		}
		for _, st := range []struct {
			name string
			s    loadtest.Stats
		}{{"delivery", rep.Delivery}, {"RTT", rep.RTT}, {"facilitator", rep.FacilitatorRTT}} {
			s := st.s
			if !(0 < s.P50 && s.P50 <= s.P90 && s.P90 <= s.P99 && s.P99 <= s.Max && s.Max < loadtest.Millis(5*time.Second)) {
				t.Errorf("%s: %+v, want 0 < p50 <= p90 <= p99 <= max < 5s", st.name, s)
			}
		}
		if c.Drops != 0 || c.Reconnects != 0 {
			t.Fatalf("drops=%d reconnects=%d, want none", c.Drops, c.Reconnects)
		}
		if got, want := rep.Server.Peak.Connections, int64(21); got != want {
			t.Fatalf("server peak connections=%d, want %d", got, want)
		}
		if rep.Server.Baseline.RSSBytes <= 0 || rep.Server.PeakRSSBytes < rep.Server.Baseline.RSSBytes {
			t.Fatalf("server RSS baseline %d, peak %d", rep.Server.Baseline.RSSBytes, rep.Server.PeakRSSBytes)
		}

		t.Run("Gates", func(t *testing.T) {
			if v := rep.Check(loadtest.Gates{MaxDeliveryP99: time.Minute, MaxRTTP99: time.Minute, MaxDrops: 0}); len(v) != 0 {
				t.Fatalf("generous gates failed: %v", v)
			}
			v := rep.Check(loadtest.Gates{MaxDeliveryP99: time.Nanosecond, MaxRTTP99: time.Nanosecond, MaxDrops: -1})
			if got, want := len(v), 2; got != want {
				t.Fatalf("violations=%v, want %d", v, want)
			}
			if !strings.Contains(v[0], "inject delivery p99") || !strings.Contains(v[1], "command round trip p99") {
				t.Fatalf("violations=%v, want the delivery and round-trip p99s named", v)
			}
		})
		t.Run("Report", func(t *testing.T) {
			var text, js bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"inject delivery", "command round trip", "drops 0", "per connection"} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("text report lacks %q:\n%s", want, text.String())
				}
			}
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var back loadtest.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatalf("JSON report does not read back: %v", err)
			}
			if got, want := back.Delivery.P99, rep.Delivery.P99; time.Duration(got-want).Abs() > time.Microsecond {
				t.Fatalf("JSON p99=%v, want %v", got, want)
			}
		})
	})

	t.Run("Idle", func(t *testing.T) {
		cfg := shortConfig(mustServer(t))
		cfg.Idle, cfg.Duration = 30, 2*time.Second
		rep, err := loadtest.Run(t.Context(), cfg)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got, want := rep.Mode, "idle"; got != want {
			t.Fatalf("Mode=%q, want %q", got, want)
		}
		if got, want := rep.Server.Peak.Connections, int64(31); got != want {
			t.Fatalf("server peak connections=%d, want %d", got, want)
		}
		if rep.Counts.Commands != 0 || rep.Counts.ProbesAccepted != 0 {
			t.Fatalf("idle trainees sent %d commands and the facilitator %d injects, want none", rep.Counts.Commands, rep.Counts.ProbesAccepted)
		}
		if rep.Server.Connections != 31 || rep.Counts.Statuses == 0 {
			t.Fatalf("connections=%d statuses=%d", rep.Server.Connections, rep.Counts.Statuses)
		}
	})

	t.Run("Reconnect", func(t *testing.T) {
		// A proxy between tool and server cuts every connection once,
		// 1.5 s into the load: each client must count a drop, reconnect
		// with since and still receive every ad-hoc inject exactly once.
		srv := mustServer(t)
		p := newCuttingProxy(t, srv)
		cfg := shortConfig(p.url)
		go func() {
			// Once all 21 are connected, the exercise starts; cut a
			// second into the 3 s of load.
			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(get(srv+"/metrics"), "\ncmesim_websocket_connections 21\n") {
				if time.Now().After(deadline) {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(time.Second)
			p.cut()
		}()
		rep, err := loadtest.Run(t.Context(), cfg)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		c := rep.Counts
		if got, want := c.Drops, int64(21); got != want {
			t.Fatalf("drops=%d, want %d (every connection cut once)", got, want)
		}
		if got, want := c.Reconnects, int64(21); got != want {
			t.Fatalf("reconnects=%d, want %d", got, want)
		}
		if c.ProbeDeliveriesMissing != 0 || c.Duplicates != 0 {
			t.Fatalf("%d ad-hoc deliveries missing and %d twice after reconnecting with since", c.ProbeDeliveriesMissing, c.Duplicates)
		}
		// A command in flight when the proxy cuts its connection is never
		// answered on it, and counts as lost: only the drops gate is
		// checked here.
		if v := rep.Check(loadtest.Gates{MaxDrops: 0, MaxLost: -1}); len(v) != 1 {
			t.Fatalf("violations=%v, want the drops gate to fail", v)
		}
	})

	checkNoLeaks(t, before)
}

// get returns the body at url, or "" on failure.
func get(url string) string {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// cuttingProxy forwards loopback TCP connections to a server and can cut
// all of them at once.
type cuttingProxy struct {
	url   string
	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newCuttingProxy(t *testing.T, target string) *cuttingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	backend := strings.TrimPrefix(target, "http://")
	p := &cuttingProxy{url: "http://" + ln.Addr().String(), conns: map[net.Conn]bool{}}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c] = true
			p.mu.Unlock()
			pipe := func(dst, src net.Conn) {
				io.Copy(dst, src)
				dst.Close()
				src.Close()
				p.mu.Lock()
				delete(p.conns, c)
				p.mu.Unlock()
			}
			p.wg.Go(func() { pipe(b, c) })
			p.wg.Go(func() { pipe(c, b) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

// cut closes every open connection.
func (p *cuttingProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func TestRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  loadtest.Config
		want string
	}{
		{"NotLoopback", loadtest.Config{URL: "http://192.0.2.1:8080", AdminKey: adminKey}, "not a loopback address"},
		{"NoAdminKey", loadtest.Config{URL: "http://127.0.0.1:8080"}, "admin-key"},
		{"TooLong", loadtest.Config{Duration: 11 * time.Minute}, "duration"},
		{"TooFast", loadtest.Config{Interval: time.Millisecond}, "interval"},
		{"TooManyTeams", loadtest.Config{Teams: loadtest.MaxTeams + 1}, "teams"},
		{"BeyondScenarioLimit", loadtest.Config{Speed: 10000, Duration: 10 * time.Minute}, "14"},
		{"FloodOneTeam", loadtest.Config{Teams: 1, Flood: 10}, "2 teams"},
		{"FloodIdle", loadtest.Config{Idle: 10, Flood: 10}, "--idle"},
		{"FloodTooMany", loadtest.Config{Flood: loadtest.MaxFloodSockets + 1}, "flood sockets"},
		{"FloodLongText", loadtest.Config{Flood: 10, FloodText: 9000}, "text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadtest.Run(t.Context(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// TestReportSaysWhatWasNotStamped checks that the text report says how
// many frames had no receive timestamp, since their deliveries count at
// the socket as when read.
func TestReportSaysWhatWasNotStamped(t *testing.T) {
	rep := &loadtest.Report{
		Delivery:         loadtest.Stats{Count: 10, P99: loadtest.Millis(30 * time.Millisecond)},
		DeliveryAtSocket: loadtest.Stats{Count: 10, P99: loadtest.Millis(20 * time.Millisecond)},
		Counts:           loadtest.Counts{Frames: 40},
	}
	line := "frames carried no receive timestamp"
	for _, unstamped := range []int64{0, 7} {
		rep.Counts.UnstampedFrames = unstamped
		var text bytes.Buffer
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Contains(text.String(), "7 of 40 "+line), unstamped > 0; got != want {
			t.Errorf("%d unstamped frames: report says so %v, want %v:\n%s", unstamped, got, want, text.String())
		}
		if unstamped == 0 && strings.Contains(text.String(), line) {
			t.Errorf("no unstamped frames, yet the report mentions them:\n%s", text.String())
		}
	}
}

func TestReportCheck(t *testing.T) {
	rep := &loadtest.Report{
		Delivery: loadtest.Stats{Count: 10, P99: loadtest.Millis(30 * time.Millisecond)},
		RTT:      loadtest.Stats{Count: 10, P99: loadtest.Millis(60 * time.Millisecond)},
		Counts:   loadtest.Counts{Drops: 1},
	}
	for _, tc := range []struct {
		name  string
		gates loadtest.Gates
		want  []string
	}{
		{"NoGates", loadtest.Gates{MaxDrops: -1}, nil},
		{"DeliveryOK", loadtest.Gates{MaxDeliveryP99: 50 * time.Millisecond, MaxDrops: -1}, nil},
		{"RTTTooSlow", loadtest.Gates{MaxRTTP99: 50 * time.Millisecond, MaxDrops: -1}, []string{"command round trip p99 60.0ms exceeds 50.0ms"}},
		{"Drops", loadtest.Gates{MaxDrops: 0}, []string{"1 connections dropped or failed, more than 0"}},
		{"DropsAllowed", loadtest.Gates{MaxDrops: 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rep.Check(tc.gates)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("Check=%q, want %q", got, tc.want)
			}
		})
	}
	t.Run("SlowOnly", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			rep   *loadtest.Report
			gates loadtest.Gates
			want  bool
		}{
			{"Passes", rep, loadtest.Gates{MaxRTTP99: time.Second, MaxDrops: -1}, false},
			{"OnlyTooSlow", rep, loadtest.Gates{MaxRTTP99: 50 * time.Millisecond, MaxDrops: -1}, true},
			{"DropsOnly", rep, loadtest.Gates{MaxDrops: 0}, false},
			{"SlowAndDrops", rep, loadtest.Gates{MaxRTTP99: 50 * time.Millisecond, MaxDrops: 0}, false},
			{"NoSamples", &loadtest.Report{}, loadtest.Gates{MaxDeliveryP99: time.Second, MaxDrops: -1}, false},
		} {
			if got := tc.rep.SlowOnly(tc.gates); got != tc.want {
				t.Errorf("%s: SlowOnly=%v, want %v (violations %q)", tc.name, got, tc.want, tc.rep.Check(tc.gates))
			}
		}
	})
	t.Run("Lost", func(t *testing.T) {
		lossy := &loadtest.Report{Counts: loadtest.Counts{ProbeDeliveriesMissing: 2, Duplicates: 1, Unanswered: 3}}
		if got := lossy.Lost(); got != 6 {
			t.Fatalf("Lost()=%d, want 6: 2 missing + 1 twice + 3 unanswered", got)
		}
		for _, tc := range []struct {
			name  string
			gates loadtest.Gates
			want  []string
		}{
			{"NoLimit", loadtest.Gates{MaxDrops: -1, MaxLost: -1}, nil},
			{"Allowed", loadtest.Gates{MaxDrops: -1, MaxLost: 6}, nil},
			{"TooMany", loadtest.Gates{MaxDrops: -1, MaxLost: 5},
				[]string{"6 lost, more than 5: 2 ad-hoc deliveries missing, 1 received twice, 3 commands unanswered"}},
		} {
			if got := lossy.Check(tc.gates); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s: Check=%q, want %q", tc.name, got, tc.want)
			}
		}
		// A loss is not a stall: it fails at once, even beside a slow p99.
		lossy.RTT = loadtest.Stats{Count: 10, P99: loadtest.Millis(60 * time.Millisecond)}
		if lossy.SlowOnly(loadtest.Gates{MaxRTTP99: 50 * time.Millisecond, MaxDrops: -1, MaxLost: 0}) {
			t.Error("SlowOnly=true for a run that lost deliveries and commands")
		}
		if !lossy.SlowOnly(loadtest.Gates{MaxRTTP99: 50 * time.Millisecond, MaxDrops: -1, MaxLost: -1}) {
			t.Error("SlowOnly=false for a slow run whose losses are not gated")
		}
	})
	t.Run("ServerQueueDrops", func(t *testing.T) {
		r := &loadtest.Report{}
		r.Server.Baseline.SendQueueDrops, r.Server.End.SendQueueDrops = 2, 5
		if got, want := r.Drops(), int64(3); got != want {
			t.Fatalf("Drops()=%d, want %d", got, want)
		}
	})
	t.Run("NoSamples", func(t *testing.T) {
		got := (&loadtest.Report{}).Check(loadtest.Gates{MaxDeliveryP99: time.Second, MaxDrops: -1})
		if len(got) != 1 || !strings.Contains(got[0], "no samples") {
			t.Fatalf("Check=%q, want a failure for having nothing to compare", got)
		}
	})
}
