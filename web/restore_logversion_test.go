package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/postgres"
	"cmesim/store/postgres/pgtest"
	"cmesim/store/sqlite"
)

// The exercises of testdata/store/v1-before-reason-codes.db, written by a
// cmesim from before log versions and reason codes (see its README).
const (
	oldEnded   = "181002f9-8896-4d93-9a63-854ab5cfbe11" // misses, then ended by the facilitator
	oldRunning = "374e6cbe-8767-4384-8cdf-03fcc7a63a17" // running, with a miss
)

// oldStore copies the database of an older cmesim into a new directory and
// returns the directory and the exercises' join codes, checking that the
// migration reads them as log version 1.
func oldStore(t *testing.T) (dir string, codes map[string]exerciseCodes) {
	t.Helper()
	dir = t.TempDir()
	src, err := os.ReadFile("../testdata/store/v1-before-reason-codes.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmesim.db"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.Exercises(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	codes = map[string]exerciseCodes{}
	for _, e := range list {
		if e.LogVersion != 1 || e.FirstLogVersion != 1 {
			t.Fatalf("exercise %s of the old database has log versions %d and %d after the migration, want 1 and 1", e.ID, e.FirstLogVersion, e.LogVersion)
		}
		var c exerciseCodes
		if err := json.Unmarshal(e.Codes, &c); err != nil {
			t.Fatal(err)
		}
		codes[e.ID] = c
	}
	if len(codes) != 2 || codes[oldEnded].Facilitator == "" || codes[oldRunning].Facilitator == "" {
		t.Fatalf("the old database holds %v, want the two exercises", codes)
	}
	return dir, codes
}

// logVersions reads an exercise's log versions from the SQLite store in dir.
func logVersions(t *testing.T, dir, id string) (first, last int) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err := db.Exercise(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e.FirstLogVersion, e.LogVersion
}

// getReport fetches an exercise's report in a format, failing unless it
// builds.
func getReport(t *testing.T, c *client, id, format string) string {
	t.Helper()
	resp := c.do(t, http.MethodGet, "/api/exercises/"+id+"/report?format="+format, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report of %s (%s): status %d: %s", id, format, resp.StatusCode, resp.body)
	}
	return string(resp.body)
}

// TestRestoreOldLog restores the database of a cmesim from before log
// versions, whose misses and end carry no reason code: both exercises come
// back, the running one goes on with events of the current version, the
// ended one takes notes, their reports build from old and new events
// alike, and a second restart restores the mixed log again.
func TestRestoreOldLog(t *testing.T) {
	dir, codes := oldStore(t)
	srv, stop := storedServer(t, dir)

	list := exerciseList(t, srv)
	for _, e := range list {
		if e.Damage != nil {
			t.Fatalf("exercise %s of the old database is not restored: %s", e.ID, e.Damage.Reason)
		}
	}
	if len(list) != 2 {
		t.Fatalf("listed %+v, want the two exercises of the old database", list)
	}

	// The running exercise resumes paused; its old miss is as stored,
	// without a reason code; the next miss, written now, has one.
	fac := join(t, srv, codes[oldRunning].Facilitator, "")
	fw := dial(t, fac, oldRunning, 0)
	fw.next(t, isStatus(engine.StatusPaused))
	if old := fw.event(t, 8); old.Type != engine.EventExpectationMissed || old.Data.ReasonCode != "" || old.Data.Reason == "" {
		t.Fatalf("event 8 of the old log came back as %+v, want the stored miss (a reason, no code)", old)
	}
	fw.mustAck(t, cmd{"type": "resume"})
	fw.jump(t)
	miss := fw.next(t, func(m message) bool { return m.isEvent(engine.EventExpectationMissed) && m.Seq > 8 })
	if miss.Seq <= 8 || miss.Event.Data.ReasonCode == "" {
		t.Fatalf("the miss written after the restore is %+v, want one after the old log with a reason code", miss.Event)
	}
	fw.close(t)

	// The ended exercise takes an evaluator note in its closing phase.
	fe := join(t, srv, codes[oldEnded].Facilitator, "")
	ew := dial(t, fe, oldEnded, 0)
	if end := ew.event(t, 15); end.Type != engine.EventEnded || end.Data.ReasonCode != "" {
		t.Fatalf("event 15 of the old log came back as %+v, want the stored end without a reason code", end)
	}
	ew.mustAck(t, cmd{"type": "note", "text": "restored from an older server"})
	ew.close(t)

	for id, c := range map[string]*client{oldRunning: fac, oldEnded: fe} {
		md := getReport(t, c, id, "md")
		if !strings.Contains(md, "colCERT") || !strings.Contains(md, "deadline passed") {
			t.Errorf("the report of %s does not name the team colCERT and the reason of its old misses:\n%s", id, md)
		}
		getReport(t, c, id, "json")
	}
	stop()

	if first, last := logVersions(t, dir, oldRunning); first != 1 || last != engine.LogVersion {
		t.Fatalf("after the restore the old log has versions %d and %d, want 1 and %d", first, last, engine.LogVersion)
	}
	// A second restart replays the mixed log: old events as they were
	// recorded, new ones byte for byte.
	srv2, _ := storedServer(t, dir)
	fac.srv = srv2
	fw2 := dial(t, fac, oldRunning, 0)
	fw2.next(t, isStatus(engine.StatusPaused))
	if again := fw2.event(t, miss.Seq); again.Data.ReasonCode != miss.Event.Data.ReasonCode {
		t.Fatalf("after a second restart the new miss has reason code %q, want %q", again.Data.ReasonCode, miss.Event.Data.ReasonCode)
	}
}

// TestRestoreNewerLog stores an exercise whose log a newer cmesim wrote:
// the server refuses it with a clear reason, lists it as damaged, and
// leaves its log and version as they are.
func TestRestoreNewerLog(t *testing.T) {
	dir := t.TempDir()
	srv, stop := storedServer(t, dir)
	ex := startWithNote(t, srv)
	stop()

	path := filepath.Join(dir, "cmesim.db")
	newer := engine.LogVersion + 1
	setLogVersion(t, path, ex.ID, newer)
	before := storedLogFile(t, path, ex.ID)

	srv, stop = storedServer(t, dir)
	checkRefusedAsNewer(t, srv, ex.ID)
	stop()
	if after := storedLogFile(t, path, ex.ID); after != before {
		t.Fatalf("the refused log changed:\nbefore %s\nafter  %s", before, after)
	}
	if _, last := logVersions(t, dir, ex.ID); last != newer {
		t.Fatalf("the refused log's version became %d, want %d as it was", last, newer)
	}
}

// startWithNote creates an exercise on srv, starts it and writes a note:
// a log that a downgrade test then marks as a newer cmesim's.
func startWithNote(t *testing.T, srv *testServer) created {
	t.Helper()
	ex := mustCreate(t, srv, "co-csirt")
	fw := dial(t, join(t, srv, ex.Codes.Facilitator, ""), ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.mustAck(t, cmd{"type": "note", "text": "before the downgrade"})
	fw.close(t)
	return ex
}

// setLogVersion sets an exercise's log version behind the store's back.
func setLogVersion(t *testing.T, path, id string, v int) {
	t.Helper()
	plain, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec(`UPDATE exercises SET log_version = ? WHERE id = ?`, v, id); err != nil {
		t.Fatal(err)
	}
}

// storedLogFile returns an exercise's log in the SQLite file at path as JSON Lines.
func storedLogFile(t *testing.T, path, id string) string {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return logOf(t, db, id)
}

// logOf returns an exercise's log in st as JSON Lines.
func logOf(t *testing.T, st store.Store, id string) string {
	t.Helper()
	events, err := st.Events(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := engine.MarshalLog(events)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkRefusedAsNewer checks that srv lists the exercise as damaged
// because a newer cmesim wrote its log, and does not serve it.
func checkRefusedAsNewer(t *testing.T, srv *testServer, id string) {
	t.Helper()
	list := exerciseList(t, srv)
	if len(list) != 1 || list[0].ID != id || list[0].Status != "damaged" || list[0].Damage == nil ||
		!strings.Contains(list[0].Damage.Reason, "newer version of cmesim") {
		t.Fatalf("listed %+v; want the exercise as damaged, written by a newer cmesim", list)
	}
	t.Log(list[0].Damage.Reason)
}

// TestRestoreOldLogPostgres loads the exercises of the older cmesim's
// database into PostgreSQL as version 1 logs: a server on it restores
// them, continues the running one and records the version it writes.
func TestRestoreOldLogPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir, codes := oldStore(t)
	old, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	list, err := old.Exercises(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		events, err := old.Events(ctx, list[i].ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := pg.CreateExercise(ctx, &list[i]); err != nil {
			t.Fatal(err)
		}
		if err := pg.Append(ctx, list[i].ID, events); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	pg.Close()

	srv, stop := clusteredServer(t, url)
	fac := join(t, srv, codes[oldRunning].Facilitator, "")
	fw := dial(t, fac, oldRunning, 0)
	fw.next(t, isStatus(engine.StatusPaused))
	fw.mustAck(t, cmd{"type": "resume"})
	fw.jump(t)
	miss := fw.next(t, func(m message) bool { return m.isEvent(engine.EventExpectationMissed) && m.Seq > 8 })
	if miss.Event.Data.ReasonCode == "" {
		t.Fatalf("the miss written after the restore has no reason code: %+v", miss.Event)
	}
	fw.close(t)
	getReport(t, fac, oldRunning, "md")
	stop()

	conn := pgtest.Connect(t, url)
	var first, last int
	if err := conn.QueryRow(ctx, `SELECT first_log_version, log_version FROM exercises WHERE id = $1`, oldRunning).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if first != 1 || last != engine.LogVersion {
		t.Fatalf("after the restore the old log has versions %d and %d, want 1 and %d", first, last, engine.LogVersion)
	}
}

// TestRestoreNewerLogPostgres is TestRestoreNewerLog on PostgreSQL: the
// server refuses the exercise, leaves its log and version as they are and
// does not take its lease.
func TestRestoreNewerLogPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	srv, stop := clusteredServer(t, url)
	ex := startWithNote(t, srv)
	stop()

	conn := pgtest.Connect(t, url)
	newer := engine.LogVersion + 1
	pgtest.Exec(t, conn, `UPDATE exercises SET log_version = $2 WHERE id = $1`, ex.ID, newer)
	before := pgLog(t, url, ex.ID)

	srv, stop = clusteredServer(t, url)
	checkRefusedAsNewer(t, srv, ex.ID)
	stop()
	if after := pgLog(t, url, ex.ID); after != before {
		t.Fatalf("the refused log changed:\nbefore %s\nafter  %s", before, after)
	}
	var last int
	var holder *string
	if err := conn.QueryRow(context.Background(), `SELECT log_version, lease_holder FROM exercises WHERE id = $1`, ex.ID).Scan(&last, &holder); err != nil {
		t.Fatal(err)
	}
	if last != newer || holder != nil {
		t.Fatalf("the refused exercise has log version %d and lease holder %v, want %d and none", last, holder, newer)
	}
}

// pgLog returns an exercise's log in the PostgreSQL database at url as
// JSON Lines.
func pgLog(t *testing.T, url, id string) string {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return logOf(t, db, id)
}

// listedExercise is an exercise as the admin list shows it.
type listedExercise struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Damage *struct {
		Reason string `json:"reason"`
	} `json:"damage"`
}

// exerciseList returns the server's exercises as an admin lists them.
func exerciseList(t *testing.T, srv *testServer) []listedExercise {
	t.Helper()
	var list []listedExercise
	if resp := mustAdmin(t, srv).get(t, "/api/exercises", &list); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/exercises: %d %s", resp.StatusCode, resp.body)
	}
	return list
}
