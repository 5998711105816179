package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/store/sqlite"
	"cmesim/web"
)

// fakeClock is a wall clock the test moves by hand: scheduled starts wait
// on it, so no test sleeps or depends on how fast the machine is.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
	fired   bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Second)} }

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the clock passes d from now.
func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped && !t.fired
		t.stopped = true
		return was
	}
}

// Advance moves the clock by d and runs the timers that fall due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	for _, t := range c.timers {
		if !t.stopped && !t.fired && !t.at.After(c.now) {
			t.fired = true
			due = append(due, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// pending returns the times of the timers still waiting.
func (c *fakeClock) pending() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Time
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			out = append(out, t.at)
		}
	}
	return out
}

// waitPending waits until the clock holds exactly the timers at want: a
// schedule arms its timer once its event is in the log, which the
// acknowledgement may precede by a moment.
func (c *fakeClock) waitPending(t *testing.T, want ...time.Time) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		got := c.pending()
		if len(got) == len(want) {
			same := true
			for i := range got {
				same = same && got[i].Equal(want[i])
			}
			if same {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending timers %v, want %v", got, want)
		}
		runtimeGosched()
	}
}

func clockConfig(c *fakeClock) web.Config {
	return web.Config{Now: c.Now, AfterFunc: c.AfterFunc}
}

func TestScheduledStart(t *testing.T) {
	clock := newFakeClock()
	srv := mustServerWith(t, clockConfig(clock))
	ex := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	fw := dial(t, fac, ex.ID, 0)

	first := clock.Now().Add(time.Hour)
	fw.mustAck(t, cmd{"type": "schedule_start", "start_at": first.Format(time.RFC3339)})
	ev := fw.next(t, func(m message) bool { return m.isEvent(engine.EventStartScheduled) })
	if ev.Event.Data.StartAt == nil || !ev.Event.Data.StartAt.Equal(first) {
		t.Fatalf("schedule event %s", ev)
	}
	st := fw.next(t, func(m message) bool {
		return m.Type == "status" && strings.Contains(string(m.raw), `"scheduled_start"`)
	})
	if !strings.Contains(string(st.raw), first.UTC().Format(time.RFC3339)) {
		t.Errorf("status does not show the scheduled start: %s", st)
	}
	clock.waitPending(t, first)

	// Moved later: the first timer no longer starts anything.
	later := first.Add(time.Hour)
	fw.mustAck(t, cmd{"type": "schedule_start", "start_at": later.Format(time.RFC3339)})
	clock.waitPending(t, later)
	clock.Advance(time.Hour)
	if got := clock.pending(); len(got) != 1 {
		t.Fatalf("pending after the first time passed: %v", got)
	}

	// A trainee cannot schedule; a time in the past is refused.
	ana := join(t, srv, ex.Codes.Teams["co-csirt"], "Ana")
	aw := dial(t, ana, ex.ID, 0)
	aw.mustReject(t, "forbidden", cmd{"type": "schedule_start", "start_at": later.Format(time.RFC3339)})
	fw.mustReject(t, "invalid", cmd{"type": "schedule_start", "start_at": clock.Now().Add(-time.Minute).Format(time.RFC3339)})

	clock.Advance(time.Hour)
	started := fw.next(t, func(m message) bool { return m.isEvent(engine.EventStarted) })
	if started.Event.Actor != "facilitator:schedule" || started.Event.Data.Command == nil || started.Event.Data.Command.StartAt == nil {
		t.Errorf("start event %s, want one by the schedule naming its time", started)
	}
	fw.next(t, isStatus(engine.StatusRunning))
	fw.mustReject(t, "conflict", cmd{"type": "schedule_start", "start_at": clock.Now().Add(time.Hour).Format(time.RFC3339)})
}

func TestScheduledStartCancelled(t *testing.T) {
	clock := newFakeClock()
	srv := mustServerWith(t, clockConfig(clock))
	ex := mustCreate(t, srv)
	fw := dial(t, join(t, srv, ex.Codes.Facilitator, ""), ex.ID, 0)
	at := clock.Now().Add(30 * time.Minute)
	fw.mustAck(t, cmd{"type": "schedule_start", "start_at": at.Format(time.RFC3339)})
	clock.waitPending(t, at)
	fw.mustAck(t, cmd{"type": "schedule_start"})
	clock.waitPending(t)
	fw.mustReject(t, "conflict", cmd{"type": "schedule_start"})
}

// TestScheduledStartAtCreationSurvivesRestart creates an exercise with a
// start time, stops the server and starts another on the same store: the
// new server arms the schedule from the log and starts the exercise.
func TestScheduledStartAtCreationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	start := func() (*testServer, func()) {
		db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
		if err != nil {
			t.Fatal(err)
		}
		cfg := clockConfig(clock)
		cfg.AdminKey, cfg.Store = adminKey, db
		s, err := web.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Restore(context.Background()); err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s)
		var once sync.Once
		stop := func() { once.Do(func() { ts.Close(); s.Close(); db.Close() }) }
		t.Cleanup(stop)
		return &testServer{Server: s, URL: ts.URL}, stop
	}
	srv, stop := start()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	admin := mustAdmin(t, srv)
	at := clock.Now().Add(2 * time.Hour)
	if resp := admin.postJSON(t, "/api/exercises", map[string]any{"yaml": string(src), "start_at": clock.Now().Add(-time.Second)}, nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("create with a past start: status %d: %s", resp.StatusCode, resp.body)
	}
	var ex created
	if resp := admin.postJSON(t, "/api/exercises", map[string]any{"yaml": string(src), "start_at": at}, &ex); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d: %s", resp.StatusCode, resp.body)
	}
	clock.waitPending(t, at)
	stop()
	clock.waitPending(t) // the stopped server's timer is gone

	srv2, _ := start()
	for _, e := range srv2.Exercises(context.Background()) {
		if e.Damage != nil {
			t.Fatalf("the restart could not bring the exercise back: %+v", *e.Damage)
		}
	}
	clock.waitPending(t, at)
	fw := dial(t, join(t, srv2, ex.Codes.Facilitator, ""), ex.ID, 0)
	fw.next(t, isStatus(engine.StatusReady))
	clock.Advance(2 * time.Hour)
	started := fw.next(t, func(m message) bool { return m.isEvent(engine.EventStarted) })
	if started.Event.Actor != "facilitator:schedule" {
		t.Errorf("started by %s", started.Event.Actor)
	}
}

// runtimeGosched lets the server's goroutines run while a test polls a
// condition that they bring about.
func runtimeGosched() { runtime.Gosched() }
