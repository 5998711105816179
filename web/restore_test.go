package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/sqlite"
	"cmesim/web"
)

// storedServer starts a server on the SQLite store in dir, restoring what
// the store holds; close stops it (the store stays).
func storedServer(t *testing.T, dir string) (srv *testServer, close func()) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{AdminKey: adminKey, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	var closed bool
	close = func() {
		if closed {
			return
		}
		closed = true
		ts.Close()
		s.Close()
		db.Close()
	}
	t.Cleanup(close)
	return &testServer{Server: s, URL: ts.URL}, close
}

// TestRestore stops a server on a store mid-exercise and starts another on
// the same store: the exercise comes back paused where it was, with every
// acknowledged action, and the participants' sessions and codes still work.
func TestRestore(t *testing.T) {
	dir := t.TempDir()
	srv, stop := storedServer(t, dir)
	ex := mustCreate(t, srv, "co-csirt", "pe-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	ana := join(t, srv, ex.Codes.Teams["co-csirt"], "Ana")
	fw := dial(t, fac, ex.ID, 0)
	aw := dial(t, ana, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.jump(t) // I01 reaches co-csirt
	aw.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ack := aw.mustAck(t, cmd{"type": "acknowledge", "inject": "I01", "text": "on it"})
	aw.close(t)
	fw.close(t)
	stop()

	srv2, _ := storedServer(t, dir)
	// The old sessions are valid on the new server.
	fac.srv, ana.srv = srv2, srv2
	fw2 := dial(t, fac, ex.ID, 0)
	fw2.next(t, isStatus(engine.StatusPaused))
	ev := fw2.event(t, ack.Seq)
	if ev.Type != engine.EventExpectationMet && ev.Type != engine.EventAction {
		t.Fatalf("event %d after the restart is %s, want the acknowledgement's", ack.Seq, ev.Type)
	}
	paused := fw2.next(t, isEvent(engine.EventPaused, ""))
	if paused.Seq <= ack.Seq {
		t.Fatalf("the restart pause (seq %d) comes before the acknowledged action (seq %d)", paused.Seq, ack.Seq)
	}
	// Trainees cannot act until the facilitator resumes; then they can.
	aw2 := dial(t, ana, ex.ID, ack.Seq)
	aw2.mustReject(t, "conflict", cmd{"type": "contain", "inject": "I01"})
	fw2.mustAck(t, cmd{"type": "resume"})
	aw2.mustAck(t, cmd{"type": "contain", "inject": "I01"})
	// The codes still admit people.
	join(t, srv2, ex.Codes.Teams["pe-csirt"], "Luis")
}

// TestRestoreEmptyLog covers a server that stopped between storing an
// exercise and writing its first event: the exercise starts afresh.
func TestRestoreEmptyLog(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	codes := []byte(`{"facilitator":"AAAA-BBBB-CCCC","evaluator":"DDDD-EEEE-FFFF","observer":"GGGG-HHHH-JJJJ","teams":{"co-csirt":"KKKK-MMMM-NNNN","pe-csirt":"PPPP-QQQQ-RRRR"}}`)
	ex := &store.Exercise{ID: "ex-empty", Created: time.Now(), Scenario: "upload.yaml", Source: src, Seed: 4, Speed: 1, Codes: codes}
	if err := db.CreateExercise(context.Background(), ex); err != nil {
		t.Fatal(err)
	}
	db.Close()
	srv, _ := storedServer(t, dir)
	fac := join(t, srv, "aaaa bbbb cccc", "")
	w := dial(t, fac, "ex-empty", 0)
	w.next(t, isEvent(engine.EventCreated, ""))
	w.mustAck(t, cmd{"type": "start"})
}

// TestRestoreDamaged damages the stored log of an exercise: after a
// restart the admin list still shows it, as damaged, with why and the last
// event that reads back intact, and the other exercises come back.
func TestRestoreDamaged(t *testing.T) {
	dir := t.TempDir()
	srv, stop := storedServer(t, dir)
	good := mustCreate(t, srv, "co-csirt")
	bad := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, bad.Codes.Facilitator, "")
	fw := dial(t, fac, bad.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.mustAck(t, cmd{"type": "note", "text": "the last row"})
	stop()

	plain, err := sql.Open("sqlite", filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	var first int64
	if err := plain.QueryRow(`SELECT max(first_seq) FROM events WHERE exercise = (SELECT n FROM exercises WHERE id = ?)`, bad.ID).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec(`UPDATE events SET data = x'0102' WHERE first_seq = ? AND exercise = (SELECT n FROM exercises WHERE id = ?)`, first, bad.ID); err != nil {
		t.Fatal(err)
	}
	plain.Close()

	srv, _ = storedServer(t, dir)
	var list []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Damage *struct {
			Reason      string `json:"reason"`
			LastGoodSeq uint64 `json:"last_good_seq"`
		} `json:"damage"`
	}
	if resp := mustAdmin(t, srv).get(t, "/api/exercises", &list); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/exercises: %d %s", resp.StatusCode, resp.body)
	}
	if len(list) != 2 || list[0].ID != good.ID || list[1].ID != bad.ID {
		t.Fatalf("listed %+v; want both exercises, in creation order", list)
	}
	if list[0].Status == "damaged" || list[0].Damage != nil {
		t.Fatalf("the intact exercise is listed as %+v", list[0])
	}
	d := list[1].Damage
	if list[1].Status != "damaged" || d == nil || d.LastGoodSeq != uint64(first-1) || !strings.Contains(d.Reason, "cannot be read after event") {
		t.Fatalf("the damaged exercise is listed as %+v (damage %+v); want damaged, last good event %d, with the reason", list[1], d, first-1)
	}
	t.Log(d.Reason)
}
