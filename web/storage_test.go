package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/sqlite"
	"cmesim/store/storetest"
	"cmesim/web"
)

// faultyServer starts a server on a SQLite store in a fresh directory,
// wrapped so that the test can make it fail; the inner store is returned
// too, to read what was really written.
func faultyServer(t *testing.T) (*testServer, *storetest.Faulty, *sqlite.DB) {
	t.Helper()
	var faulty *storetest.Faulty
	srv, db := sqliteServer(t, func(db *sqlite.DB) store.Store {
		faulty = storetest.NewFaulty(db)
		return faulty
	})
	t.Cleanup(faulty.Heal) // first: a stalled write must not hold up the close
	return srv, faulty, db
}

// sqliteServer starts a server on a SQLite store in a fresh directory, as
// wrap wraps it, and returns the server and the inner store.
func sqliteServer(t *testing.T, wrap func(*sqlite.DB) store.Store) (*testServer, *sqlite.DB) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{AdminKey: adminKey, Store: wrap(db)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		s.Close()
		db.Close()
	})
	return &testServer{Server: s, URL: ts.URL}, db
}

// storageOf returns the storage problem a status message reports, "" if
// none.
func storageOf(tb testing.TB, m message) string {
	tb.Helper()
	var body struct {
		Status struct {
			Storage *struct {
				Problem string    `json:"problem"`
				Since   time.Time `json:"since"`
			} `json:"storage"`
		} `json:"status"`
	}
	if err := json.Unmarshal(m.raw, &body); err != nil {
		tb.Fatal(err)
	}
	if body.Status.Storage == nil {
		return ""
	}
	if body.Status.Storage.Problem == "" || body.Status.Storage.Since.IsZero() {
		tb.Fatalf("a storage problem without its reason or start: %s", m)
	}
	return body.Status.Storage.Problem
}

// storageStatus matches a status message reporting a storage problem
// (want true) or none (want false).
func storageStatus(tb testing.TB, want bool) func(message) bool {
	return func(m message) bool { return m.Type == "status" && (storageOf(tb, m) != "") == want }
}

// nextFrom returns the first message from the mark-th on (counting every
// message received) that satisfies pred, waiting for it.
func (w *wsClient) nextFrom(tb testing.TB, mark int, pred func(message) bool) message {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for i := mark; ; {
		if i < len(w.all) {
			if pred(w.all[i]) {
				return w.all[i]
			}
			i++
			continue
		}
		if _, ok, err := w.receive(tb, deadline); !ok {
			tb.Fatalf("no matching message within %v (%v); last messages:\n%s", waitTimeout, err, w.tail(8))
		}
	}
}

// mark returns the number of messages received so far, for nextFrom.
func (w *wsClient) mark() int { return len(w.all) }

// ready returns the status and body of /readyz.
func ready(tb testing.TB, srv *testServer) (int, string) {
	tb.Helper()
	resp := newClient(tb, srv).do(tb, http.MethodGet, "/readyz", "", nil)
	return resp.StatusCode, string(resp.body)
}

// storedSeqs returns the seqs of the exercise's log as the store holds it.
func storedLog(tb testing.TB, db store.Store, id string) []engine.Event {
	tb.Helper()
	evs, err := db.Events(context.Background(), id, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return evs
}

// TestStorageFault makes the store refuse writes (a full disk) in the
// middle of a running exercise: the command in flight is answered
// "not_stored" at once and not acknowledged, the clock is held, the
// facilitator is told why, later commands and sign-ins are refused,
// /readyz is not ready; once the store takes writes again, the held events
// are written, the clock resumes by itself and every acknowledged action
// is in the stored log.
func TestStorageFault(t *testing.T) {
	srv, faulty, db := faultyServer(t)
	ex := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	fw := dial(t, fac, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	acked := fw.mustAck(t, cmd{"type": "note", "text": "before the outage"}).Seq

	faulty.FailWrites(fmt.Errorf("disk full: %w", store.ErrNoSpace))
	mark := fw.mark()
	m := fw.command(t, "", cmd{"type": "note", "text": "during the outage"})
	expectError(t, m, "not_stored")
	if !strings.Contains(m.Message, "full") || !strings.Contains(m.Message, "not stored yet") {
		t.Fatalf("the answer does not say the disk is full and the action is not stored yet: %s", m.Message)
	}
	held := fw.nextFrom(t, mark, storageStatus(t, true))
	if p := storageOf(t, held); !strings.Contains(p, "full") {
		t.Fatalf("the facilitator is told %q, not that the disk is full", p)
	}
	if held.Status.Status != engine.StatusRunning {
		t.Fatalf("status %s while held, want running (the hold is not a pause)", held.Status.Status)
	}
	// The status loop pushes a status every second: the clock stands.
	later := fw.nextFrom(t, fw.mark(), isType("status"))
	if later.Status.Now != held.Status.Now {
		t.Fatalf("the clock moved from %v to %v while the store was down", held.Status.Now, later.Status.Now)
	}

	m = fw.command(t, "", cmd{"type": "note", "text": "refused"})
	expectError(t, m, "unavailable")
	if !strings.Contains(m.Message, "held") {
		t.Fatalf("a command during the outage is refused without saying the clock is held: %s", m.Message)
	}
	fw.mustReject(t, "unavailable", cmd{"type": "pause"})
	var reply map[string]any
	resp := fac.postJSON(t, "/api/exercises/"+ex.ID+"/commands", map[string]any{"type": "command", "command": map[string]string{"type": "note", "text": "over HTTP"}}, &reply)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.apiError(t).Error.Code != "unavailable" {
		t.Fatalf("HTTP command during the outage: %d %s; want 503 unavailable", resp.StatusCode, resp.body)
	}
	if code, body := ready(t, srv); code != http.StatusServiceUnavailable || !strings.Contains(body, "full") {
		t.Fatalf("/readyz during the outage: %d %q; want 503 saying the disk is full", code, body)
	}
	resp = newClient(t, srv).postJSON(t, "/api/join", map[string]string{"code": ex.Codes.Teams["co-csirt"], "name": "Ana"}, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.apiError(t).Error.Code != "unavailable" {
		t.Fatalf("join during the outage: %d %s; want 503 unavailable", resp.StatusCode, resp.body)
	}
	if got := storedLog(t, db, ex.ID); got[len(got)-1].Seq != acked {
		t.Fatalf("the store ends at event %d, want %d (the last acknowledged)", got[len(got)-1].Seq, acked)
	}

	mark = fw.mark()
	faulty.Heal()
	note := fw.find(t, func(m message) bool { return m.isEvent(engine.EventNote) && m.Event.Data.Text == "during the outage" })
	back := fw.nextFrom(t, mark, storageStatus(t, false))
	if back.Status.Status != engine.StatusRunning {
		t.Fatalf("status %s after the outage, want running: a hold the outage made ends by itself", back.Status.Status)
	}
	after := fw.mustAck(t, cmd{"type": "note", "text": "after the outage"}).Seq
	if after != note.Seq+1 {
		t.Fatalf("the first action after the outage is event %d, want %d", after, note.Seq+1)
	}
	moved := fw.nextFrom(t, mark, func(m message) bool { return m.Type == "status" && m.Status.Now > held.Status.Now })
	t.Logf("held at %v, running again at %v", held.Status.Now, moved.Status.Now)
	join(t, srv, ex.Codes.Teams["co-csirt"], "Ana") // clears the failed sign-in
	if code, body := ready(t, srv); code != http.StatusOK {
		t.Fatalf("/readyz after the outage: %d %q", code, body)
	}

	log := storedLog(t, db, ex.ID)
	for i, e := range log {
		if e.Seq != uint64(i+1) {
			t.Fatalf("stored event %d has seq %d", i+1, e.Seq)
		}
	}
	if uint64(len(log)) < after {
		t.Fatalf("the store holds %d events; the acknowledged event %d is missing", len(log), after)
	}
	for _, e := range log {
		if e.Type == engine.EventNote && (e.Data.Text == "refused" || e.Data.Text == "over HTTP") {
			t.Fatalf("a refused command is in the log: %+v", e)
		}
	}
}

// TestNotStoredOverHTTP sends a command over HTTP as the store starts to
// fail: it is applied, so the answer is 202 not_stored (not a 503, which
// invites sending it again), and once the store heals the action is in
// the log exactly once.
func TestNotStoredOverHTTP(t *testing.T) {
	srv, faulty, db := faultyServer(t)
	ex := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	fw := dial(t, fac, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})

	faulty.FailWrites(fmt.Errorf("disk full: %w", store.ErrNoSpace))
	resp := fac.postJSON(t, "/api/exercises/"+ex.ID+"/commands", map[string]any{"type": "command", "command": map[string]string{"type": "note", "text": "applied over HTTP"}}, nil)
	if resp.StatusCode != http.StatusAccepted || resp.apiError(t).Error.Code != "not_stored" {
		t.Fatalf("HTTP command as the store fails: %d %s; want 202 not_stored", resp.StatusCode, resp.body)
	}
	mark := fw.mark()
	faulty.Heal()
	fw.nextFrom(t, mark, storageStatus(t, false))
	seq := fw.mustAck(t, cmd{"type": "note", "text": "after"}).Seq
	n := 0
	for _, e := range storedLog(t, db, ex.ID)[:seq] {
		if e.Type == engine.EventNote && e.Data.Text == "applied over HTTP" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the note answered not_stored is in the stored log %d times, want once", n)
	}
}

// TestStorageStall makes the store stop answering (a hung disk or
// database) while a facilitator has paused the exercise: a command is
// answered "not_stored" while the store still hangs, /readyz is not
// ready; once the store answers, the exercise stays paused, since the
// facilitator paused it.
func TestStorageStall(t *testing.T) {
	srv, faulty, db := faultyServer(t)
	ex := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	fw := dial(t, fac, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.mustAck(t, cmd{"type": "pause", "text": "coffee"})

	faulty.StallWrites()
	mark := fw.mark()
	start := time.Now()
	m := fw.command(t, "", cmd{"type": "note", "text": "while the store hangs"})
	elapsed := time.Since(start)
	expectError(t, m, "not_stored")
	t.Logf("answered %q after %v", m.Message, elapsed)
	// The answer came while the store still hangs; generous for -race on a
	// loaded machine, the bound itself is 2 s.
	if elapsed > 5*time.Second {
		t.Fatalf("the answer took %v", elapsed)
	}
	fw.nextFrom(t, mark, storageStatus(t, true))
	if code, body := ready(t, srv); code != http.StatusServiceUnavailable || !strings.Contains(body, "does not answer") {
		t.Fatalf("/readyz while the store hangs: %d %q", code, body)
	}

	mark = fw.mark()
	faulty.Heal()
	back := fw.nextFrom(t, mark, storageStatus(t, false))
	if back.Status.Status != engine.StatusPaused {
		t.Fatalf("status %s after the outage, want paused: the facilitator paused it", back.Status.Status)
	}
	fw.find(t, func(m message) bool {
		return m.isEvent(engine.EventNote) && m.Event.Data.Text == "while the store hangs"
	})
	seq := fw.mustAck(t, cmd{"type": "resume"}).Seq
	if log := storedLog(t, db, ex.ID); uint64(len(log)) != seq {
		t.Fatalf("the store holds %d events, want %d", len(log), seq)
	}
}

// TestStoreDown makes the whole store unreachable (a PostgreSQL outage):
// /readyz says so even when nothing is being written, and recovers with it.
func TestStoreDown(t *testing.T) {
	srv, faulty, _ := faultyServer(t)
	if code, body := ready(t, srv); code != http.StatusOK {
		t.Fatalf("/readyz: %d %q", code, body)
	}
	faulty.GoDown(errors.New("connection refused"))
	if code, body := ready(t, srv); code != http.StatusServiceUnavailable || !strings.Contains(body, "does not answer") {
		t.Fatalf("/readyz with the store down: %d %q; want 503 saying it does not answer", code, body)
	}
	resp := newClient(t, srv).postJSON(t, "/api/admin/login", map[string]string{"key": adminKey}, nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("admin sign-in with the store down: %d %s; want 503", resp.StatusCode, resp.body)
	}
	faulty.Heal()
	if code, body := ready(t, srv); code != http.StatusServiceUnavailable || !strings.Contains(body, "sign-in could not be stored") {
		t.Fatalf("/readyz right after a sign-in failed: %d %q; want 503 saying so", code, body)
	}
	mustAdmin(t, srv) // a sign-in stored: the store takes writes again
	if code, body := ready(t, srv); code != http.StatusOK {
		t.Fatalf("/readyz after the outage: %d %q", code, body)
	}
}

// appendLog is a store that records the batches it is asked to append.
type appendLog struct {
	*storetest.Faulty
	mu      sync.Mutex
	batches [][]engine.Event
}

func (a *appendLog) Append(ctx context.Context, exercise string, events []engine.Event) error {
	a.mu.Lock()
	a.batches = append(a.batches, slices.Clone(events))
	a.mu.Unlock()
	return a.Faulty.Append(ctx, exercise, events)
}

// TestOneStepOneWrite: the events of one step of the exercise — an
// ad-hoc inject to every team, one delivery per team — go to the store in
// one append, so they reach every trainee in one fan-out rather than one
// write (and one fsync) after another.
func TestOneStepOneWrite(t *testing.T) {
	var rec *appendLog
	srv, _ := sqliteServer(t, func(db *sqlite.DB) store.Store {
		rec = &appendLog{Faulty: storetest.NewFaulty(db)}
		return rec
	})
	ex := mustCreate(t, srv, "co-csirt", "pe-csirt")
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fac"), ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("Regulator calls", "all")})
	sent := fac.find(t, func(m message) bool { return m.isEvent(engine.EventInjectSent) })

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, b := range rec.batches {
		i := slices.IndexFunc(b, func(e engine.Event) bool { return e.Seq == sent.Seq })
		if i < 0 {
			continue
		}
		var teams []string
		for _, e := range b[i:] {
			if e.Type == engine.EventInjectDelivered {
				teams = append(teams, e.Team)
			}
		}
		if len(teams) != 2 {
			t.Errorf("the append with the ad-hoc inject (%d events) delivered it to %v, want both teams in it", len(b), teams)
		}
		return
	}
	t.Fatalf("no append held event %d, the ad-hoc inject", sent.Seq)
}
