package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/postgres"
	"cmesim/store/storetest"
)

// serverURL returns the URL of the PostgreSQL server the tests use, from
// CMESIM_TEST_POSTGRES. Without it the test is skipped, except in CI
// (CI=true), where it fails: a backend never tested must not pass for a
// tested one. scripts/test.sh starts a server and sets the variable.
func serverURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("CMESIM_TEST_POSTGRES")
	switch {
	case u != "":
		return u
	case os.Getenv("CI") == "true":
		tb.Fatal("CMESIM_TEST_POSTGRES is not set, and CI must test the PostgreSQL store: " +
			"set it to a server's URL, e.g. postgres://cmesim@127.0.0.1:5432/cmesim_test?sslmode=disable, or run scripts/test.sh, which starts one")
	}
	tb.Skip("CMESIM_TEST_POSTGRES is not set (e.g. postgres://cmesim@127.0.0.1:5432/cmesim_test?sslmode=disable; scripts/test.sh starts a server and sets it)")
	return ""
}

// withDatabase returns base with its database replaced by name; base is a
// URL or a key=value connection string.
func withDatabase(tb testing.TB, base, name string) string {
	tb.Helper()
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " dbname=" + name
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("CMESIM_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Admin connects to the test server's database as given by
// CMESIM_TEST_POSTGRES (its maintenance database postgres if that one does
// not exist), to create and drop databases.
func Admin(tb testing.TB) *pgx.Conn {
	tb.Helper()
	base := serverURL(tb)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		c, err = pgx.Connect(ctx, withDatabase(tb, base, "postgres"))
	}
	if err != nil {
		tb.Fatalf("connecting to CMESIM_TEST_POSTGRES: %v", err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// NewDatabase creates an empty database with a unique name on the test
// server, dropped when the test ends, and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	admin := Admin(tb)
	name := "cmesim_test_" + strings.ToLower(rand.Text()[:16])
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("creating a database for the test: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("dropping the test's database %s: %v", name, err)
		}
	})
	return withDatabase(tb, serverURL(tb), name)
}

// MustOpen opens the database at url, failing the test on error, and
// closes it when the test ends.
func MustOpen(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Plain connects to url with pgx alone, to look at or damage a database
// behind the store's back.
func Plain(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func exec(tb testing.TB, c *pgx.Conn, query string, args ...any) {
	tb.Helper()
	if _, err := c.Exec(context.Background(), query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// tables lists the tables of the schema c uses.
func tables(tb testing.TB, c *pgx.Conn) []string {
	tb.Helper()
	rows, err := c.Query(context.Background(), `SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		tb.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

func TestConformance(t *testing.T) {
	serverURL(t)
	// storetest hands out a directory per store; the same directory must
	// give back the same data.
	var mu sync.Mutex
	dbs := map[string]string{}
	storetest.Run(t, func(t *testing.T, dir string) store.Store {
		// NewDatabase may fail the test (t.Fatal ends the goroutine): the
		// lock must not stay held, or every later store of the test waits
		// for it until the test binary times out.
		mu.Lock()
		defer mu.Unlock()
		u, ok := dbs[dir]
		if !ok {
			u = NewDatabase(t)
			dbs[dir] = u
		}
		db, err := postgres.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// openFails checks that Open refuses url with an error wrapping target and
// mentioning each of words, and leaves the schema's tables as they were.
func openFails(t *testing.T, url string, target error, words ...string) {
	t.Helper()
	plain := Plain(t, url)
	before := tables(t, plain)
	db, openErr := postgres.Open(context.Background(), url)
	if openErr == nil {
		db.Close()
		t.Fatal("Open succeeded")
	}
	if target != nil && !errors.Is(openErr, target) {
		t.Errorf("err = %v, want %v", openErr, target)
	}
	for _, w := range words {
		if !strings.Contains(openErr.Error(), w) {
			t.Errorf("error %q does not say %q", openErr, w)
		}
	}
	if after := tables(t, plain); !reflect.DeepEqual(before, after) {
		t.Errorf("Open changed the tables from %v to %v", before, after)
	}
	t.Log(openErr)
}

func TestOpen(t *testing.T) {
	serverURL(t)
	ctx := context.Background()
	t.Run("NewDatabase", func(t *testing.T) {
		u := NewDatabase(t)
		MustOpen(t, u).Close()
		plain := Plain(t, u)
		if got, want := tables(t, plain), []string{"blobs", "event_batches", "events", "exercise_files", "exercises", "schema_version", "servers", "sessions"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("tables %v, want %v", got, want)
		}
		var app string
		var version int
		if err := plain.QueryRow(ctx, "SELECT application, version FROM schema_version").Scan(&app, &version); err != nil {
			t.Fatal(err)
		}
		if app != postgres.Application || version != postgres.SchemaVersion {
			t.Fatalf("schema_version says %q, %d; want %q, %d", app, version, postgres.Application, postgres.SchemaVersion)
		}
	})
	t.Run("Reopen", func(t *testing.T) {
		u := NewDatabase(t)
		for range 3 {
			if err := MustOpen(t, u).Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ForeignDatabase", func(t *testing.T) {
		u := NewDatabase(t)
		plain := Plain(t, u)
		exec(t, plain, "CREATE TABLE invoices (id serial PRIMARY KEY, total numeric)")
		exec(t, plain, "INSERT INTO invoices (total) VALUES (12.5)")
		openFails(t, u, postgres.ErrNotCmesim, "not a cmesim database", "invoices", "no cmesim schema_version")
	})
	t.Run("ForeignSchemaVersion", func(t *testing.T) {
		// Another tool's table of the same name.
		u := NewDatabase(t)
		exec(t, Plain(t, u), "CREATE TABLE schema_version (version bigint, dirty boolean)")
		openFails(t, u, postgres.ErrNotCmesim, "not a cmesim database", "not cmesim's")
	})
	t.Run("OtherApplication", func(t *testing.T) {
		u := NewDatabase(t)
		plain := Plain(t, u)
		exec(t, plain, "CREATE TABLE schema_version (application text, version integer)")
		exec(t, plain, "INSERT INTO schema_version VALUES ('billing', 3)")
		openFails(t, u, postgres.ErrNotCmesim, "not a cmesim database", "billing")
	})
	t.Run("NewerSchema", func(t *testing.T) {
		u := NewDatabase(t)
		MustOpen(t, u).Close()
		exec(t, Plain(t, u), "UPDATE schema_version SET version = 99")
		openFails(t, u, postgres.ErrTooNew, "created by a newer cmesim", "99")
	})
	t.Run("OwnSchema", func(t *testing.T) {
		// A search_path parameter keeps cmesim out of a database's public
		// schema, which may hold anything.
		u := NewDatabase(t)
		plain := Plain(t, u)
		exec(t, plain, "CREATE TABLE invoices (id serial PRIMARY KEY)")
		exec(t, plain, "CREATE SCHEMA cmesim")
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		db := MustOpen(t, u+sep+"search_path=cmesim")
		if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := plain.QueryRow(ctx, "SELECT count(*) FROM cmesim.exercises").Scan(&n); err != nil || n != 1 {
			t.Fatalf("cmesim.exercises has %d rows, %v; want 1", n, err)
		}
		openFails(t, u+sep+"search_path=nowhere", nil, "search_path")
	})
	t.Run("BadURL", func(t *testing.T) {
		db, err := postgres.Open(ctx, "postgres://cmesim:secret@127.0.0.1:notaport/cmesim")
		if err == nil {
			db.Close()
			t.Fatal("Open of a bad URL succeeded")
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q shows the password", err)
		}
		t.Log(err)
	})
	t.Run("Unreachable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		db, err := postgres.Open(ctx, "postgres://cmesim:secret@127.0.0.1:1/cmesim?sslmode=disable&connect_timeout=5")
		if err == nil {
			db.Close()
			t.Fatal("Open of an unreachable server succeeded")
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q shows the password", err)
		}
		t.Log(err)
	})
	t.Run("Concurrent", func(t *testing.T) {
		// Servers starting together: one migrates, the others wait for it
		// and find the schema migrated.
		u := NewDatabase(t)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				db, err := postgres.Open(ctx, u)
				if err != nil {
					t.Error(err)
					return
				}
				db.Close()
			})
		}
		wg.Wait()
	})
}

// TestTwoServers has two stores on one database, as two servers would,
// append to different exercises at once; each then reads every log whole.
func TestTwoServers(t *testing.T) {
	u := NewDatabase(t)
	servers := []*postgres.DB{MustOpen(t, u), MustOpen(t, u)}
	ctx := context.Background()
	const perServer, events = 4, 100
	for i, db := range servers {
		for x := range perServer {
			if err := db.CreateExercise(ctx, &store.Exercise{ID: fmt.Sprintf("s%d-x%d", i, x)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := fakeEvents(1, events)
	var wg sync.WaitGroup
	for i, db := range servers {
		for x := range perServer {
			wg.Go(func() {
				id := fmt.Sprintf("s%d-x%d", i, x)
				for seq := 0; seq < events; {
					n := min(1+seq%3, events-seq)
					if err := db.Append(ctx, id, want[seq:seq+n]); err != nil {
						t.Errorf("server %d: %v", i, err)
						return
					}
					seq += n
				}
			})
		}
	}
	wg.Wait()
	for _, db := range servers {
		list, err := db.Exercises(ctx)
		if err != nil || len(list) != 2*perServer {
			t.Fatalf("Exercises: %d, %v; want %d", len(list), err, 2*perServer)
		}
		for _, e := range list {
			got, err := db.Events(ctx, e.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("exercise %s: read back %d events, not the %d appended", e.ID, len(got), len(want))
			}
		}
	}
}

// TestSequenceConflict has two stores on one database append the same
// events to one exercise at the same moment, as two servers that both
// think they run it would: the database lets exactly one of each pair in,
// and the other gets ErrSequence.
func TestSequenceConflict(t *testing.T) {
	u := NewDatabase(t)
	a, b := MustOpen(t, u), MustOpen(t, u)
	ctx := context.Background()
	if err := a.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	want := fakeEvents(1, 60)
	wins := [2]int{}
	for seq := 0; seq < len(want); seq += 2 {
		batch := want[seq : seq+2]
		var errs [2]error
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, db := range []*postgres.DB{a, b} {
			wg.Go(func() {
				<-start
				errs[i] = db.Append(ctx, "x", batch)
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				wins[i]++
			case !errors.Is(err, store.ErrSequence):
				t.Fatalf("events %d–%d, store %d: %v", seq+1, seq+2, i, err)
			case !strings.Contains(err.Error(), `"x"`):
				t.Errorf("error %q does not name the exercise", err)
			}
		}
		if won != 1 {
			t.Fatalf("events %d–%d: %d appends succeeded (%v), want exactly one", seq+1, seq+2, won, errs)
		}
	}
	t.Logf("wins: %v", wins)
	for _, db := range []*postgres.DB{a, b} {
		got, err := db.Events(ctx, "x", 0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("read back %d events, want the %d appended once each", len(got), len(want))
		}
	}
}

// TestCorruptRow checks that a damaged batch of events is reported as
// corrupt, not returned or silently skipped.
func TestCorruptRow(t *testing.T) {
	u := NewDatabase(t)
	db := MustOpen(t, u)
	plain := Plain(t, u)
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	events := []engine.Event{{Seq: 1, Type: engine.EventCreated, Actor: "system"}, {Seq: 2, Type: engine.EventStarted, Actor: "system"}}
	if err := db.Append(ctx, "x", events); err != nil {
		t.Fatal(err)
	}
	for name, query := range map[string]string{
		"Garbage":    "UPDATE events SET data = '\\x0102030405'",
		"Truncated":  "UPDATE events SET data = substr(data, 1, length(data) - 1)",
		"WrongRange": "UPDATE events SET last_seq = 3",
		"Gap":        "UPDATE events SET first_seq = 2, last_seq = 3",
		"Missing":    "UPDATE exercises SET last_seq = 5",
	} {
		t.Run(name, func(t *testing.T) {
			exec(t, plain, query)
			defer func() {
				exec(t, plain, "UPDATE exercises SET last_seq = 2")
				exec(t, plain, "UPDATE events SET first_seq = 1, last_seq = 2, data = $1", encode(events))
			}()
			got, err := db.Events(ctx, "x", 0)
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("Events = %d events, %v; want ErrCorrupt", len(got), err)
			}
			t.Log(err)
		})
	}
	if got, err := db.Events(ctx, "x", 0); err != nil || !reflect.DeepEqual(got, events) {
		t.Fatalf("after restoring: %d events, %v", len(got), err)
	}
}

// TestSalvage checks that a damaged log gives back its intact beginning and
// says where it stops.
func TestSalvage(t *testing.T) {
	u := NewDatabase(t)
	db := MustOpen(t, u)
	plain := Plain(t, u)
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 6; seq += 2 { // three rows of two events
		if err := db.Append(ctx, "x", []engine.Event{{Seq: seq, Type: engine.EventNote, Actor: "system"}, {Seq: seq + 1, Type: engine.EventNote, Actor: "system"}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := db.Salvage(ctx, "x"); err != nil || len(got) != 6 {
		t.Fatalf("Salvage of an intact log = %d events, %v; want 6, nil", len(got), err)
	}
	exec(t, plain, "UPDATE events SET data = '\\x0102030405' WHERE first_seq = 3")
	got, err := db.Salvage(ctx, "x")
	var damaged *store.DamagedLogError
	if !errors.As(err, &damaged) || damaged.LastGood != 2 || len(got) != 2 || got[1].Seq != 2 {
		t.Fatalf("Salvage = %d events, %v; want events 1–2 and a *store.DamagedLogError after event 2", len(got), err)
	}
	if evs, err := db.Events(ctx, "x", 0); !errors.Is(err, store.ErrCorrupt) || evs != nil {
		t.Fatalf("Events of a damaged log = %d events, %v; want nothing and ErrCorrupt", len(evs), err)
	}
}

// encode returns the encoding of events, as the store writes it.
func encode(events []engine.Event) []byte {
	var data []byte
	for i := range events {
		data = store.AppendEvent(data, &events[i])
	}
	return data
}

// TestGroupCommit checks that concurrent appends share transactions: many
// appends complete with far fewer commits than appends.
func TestGroupCommit(t *testing.T) {
	storetest.GroupCommit(t, MustOpen(t, NewDatabase(t)))
}

// TestCompaction checks that a log appended a few events at a time ends up
// in few rows, and reads back whole.
func TestCompaction(t *testing.T) {
	u := NewDatabase(t)
	db := MustOpen(t, u)
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	events := storetest.LibraryEvents(t, 1000)
	appends := 0
	var big [2]uint64 // the seqs of the big append
	for i := 0; i < len(events); {
		appends++
		n := min(1+i%3, len(events)-i) // 1, 2 or 3 events an append
		if err := db.Append(ctx, "x", events[i:i+n]); err != nil {
			t.Fatal(err)
		}
		i += n
		if i >= 500 && big == [2]uint64{} {
			// A big append is left alone and starts a new tail.
			big = [2]uint64{uint64(i + 1), uint64(i + 100)}
			if err := db.Append(ctx, "x", events[i:i+100]); err != nil {
				t.Fatal(err)
			}
			appends++
			i += 100
		}
	}
	// Compactions ride on the next commit.
	if err := db.PutSession(ctx, store.Session{Token: "t"}); err != nil {
		t.Fatal(err)
	}
	batches, tail := logRows(t, Plain(t, u))
	rows := len(batches) + len(tail)
	t.Logf("%d appends, %d rows (%d compacted), %d compactions", appends, rows, len(batches), db.Stats().Compactions)
	// Two tails (before and after the big append) may be left uncompacted.
	if rows > appends/postgres.CompactRows+2*postgres.CompactRows+1 {
		t.Fatalf("%d rows for %d appends: not compacted", rows, appends)
	}
	if len(tail) >= postgres.CompactRows {
		t.Errorf("%d rows left in events, want fewer than %d", len(tail), postgres.CompactRows)
	}
	// The compacted rows are the start of the log, the rows left in events
	// its end; the big append was moved as it was.
	checkLayout(t, batches, tail, uint64(len(events)))
	if !slices.Contains(batches, big) {
		t.Errorf("compacted rows %v: the big append %d–%d is not one of them", batches, big[0], big[1])
	}
	got, err := db.Events(ctx, "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(events) || !reflect.DeepEqual(got, events) {
		t.Fatalf("read back %d events, want %d", len(got), len(events))
	}
	for _, since := range []uint64{1, 31, 32, 33, 499, 500, big[0] - 1, big[0], big[1] - 1, big[1], big[1] + 1, 999, 1000} {
		got, err := db.Events(ctx, "x", since)
		if err != nil || len(got) != len(events)-int(since) || (len(got) > 0 && got[0].Seq != since+1) {
			t.Fatalf("Events(x, %d): %d events, %v", since, len(got), err)
		}
	}
}

// logRows returns the seq ranges of the rows of exercise "x"'s log in
// event_batches and in events, each in order.
func logRows(tb testing.TB, c *pgx.Conn) (batches, tail [][2]uint64) {
	tb.Helper()
	read := func(table string) [][2]uint64 {
		rows, err := c.Query(context.Background(), `SELECT e.first_seq, e.last_seq FROM `+table+` e
JOIN exercises x ON x.n = e.exercise WHERE x.id = 'x' ORDER BY e.last_seq`)
		if err != nil {
			tb.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]uint64, error) {
			var first, last int64
			err := r.Scan(&first, &last)
			return [2]uint64{uint64(first), uint64(last)}, err
		})
		if err != nil {
			tb.Fatal(err)
		}
		return out
	}
	return read("event_batches"), read("events")
}

// checkLayout checks that the rows of a log of n events, those in
// event_batches followed by those in events, hold events 1 to n once each
// and in order: the compacted rows all come first.
func checkLayout(tb testing.TB, batches, tail [][2]uint64, n uint64) {
	tb.Helper()
	next := uint64(1)
	for _, r := range slices.Concat(batches, tail) {
		if r[0] != next || r[1] < r[0] {
			tb.Fatalf("rows %v then %v: events %d–%d where %d belongs", batches, tail, r[0], r[1], next)
		}
		next = r[1] + 1
	}
	if next != n+1 {
		tb.Fatalf("rows %v then %v end at event %d, want %d", batches, tail, next-1, n)
	}
}

// TestReconnect checks that the store outlives its connections: when the
// server drops them (as on a restart), writes and reads go on with new
// ones instead of failing.
func TestReconnect(t *testing.T) {
	u := NewDatabase(t)
	db := MustOpen(t, u)
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	admin := Admin(t)
	want := fakeEvents(1, 10)
	for i := range want {
		// Warm up the pool's connections, then kill them all.
		if _, err := db.Events(ctx, "x", 0); err != nil {
			t.Fatal(err)
		}
		var killed int
		if err := admin.QueryRow(ctx, `
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid()`, cfg.Database).Scan(&killed); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := db.Append(ctx, "x", want[i:i+1]); err != nil {
				t.Fatalf("append after %d connections were killed: %v", killed, err)
			}
		} else {
			if _, err := db.LastSeq(ctx, "x"); err != nil {
				t.Fatalf("read after %d connections were killed: %v", killed, err)
			}
			if err := db.Append(ctx, "x", want[i:i+1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := db.Events(ctx, "x", 0)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %d events, %v; want %d", len(got), err, len(want))
	}
}

// TestBadRequest checks that a write the server refuses (a NUL byte, which
// PostgreSQL's text cannot hold) fails alone: the appends and sessions
// committed with it are retried on their own and succeed.
func TestBadRequest(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ctx := context.Background()
	const writers = 8
	for w := range writers {
		if err := db.CreateExercise(ctx, &store.Exercise{ID: fmt.Sprint(w)}); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 5 {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				if err := db.Append(ctx, fmt.Sprint(w), fakeEvents(uint64(round)+1, uint64(round)+1)); err != nil {
					t.Error(err)
				}
			})
		}
		var bad error
		wg.Go(func() {
			bad = db.PutSession(ctx, store.Session{Token: fmt.Sprint("bad", round), Name: "nul\x00"})
		})
		wg.Go(func() {
			if err := db.PutSession(ctx, store.Session{Token: fmt.Sprint("good", round), Name: "ok"}); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if bad == nil {
			t.Fatal("a session with a NUL byte was stored")
		}
		if round == 0 {
			t.Log(bad)
		}
	}
	for w := range writers {
		if got, err := db.Events(ctx, fmt.Sprint(w), 0); err != nil || !reflect.DeepEqual(got, fakeEvents(1, 5)) {
			t.Fatalf("exercise %d: %d events, %v; want 5", w, len(got), err)
		}
	}
	if list, err := db.Sessions(ctx); err != nil || len(list) != 5 {
		t.Fatalf("Sessions: %+v, %v; want the 5 good ones", list, err)
	}
}

// TestOutcomeUnknown checks how the committer settles a commit whose
// connection was lost before the reply: an append found in the database
// was written, one not found was not, and one whose seqs hold other events
// was not written either.
func TestOutcomeUnknown(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	events := fakeEvents(1, 4)
	if err := db.Append(ctx, "x", events[:2]); err != nil {
		t.Fatal(err)
	}
	lost := errors.New("unexpected EOF")
	if answer, notWritten := db.SettleAppend("x", events[:2], lost); answer != nil || notWritten {
		t.Errorf("a stored append: settle answered %v, not written %v; want nil, false", answer, notWritten)
	}
	if answer, notWritten := db.SettleAppend("x", events[2:], lost); answer != nil || !notWritten {
		t.Errorf("an append not stored: settle answered %v, not written %v; want nil, true", answer, notWritten)
	}
	other := fakeEvents(1, 2)
	other[1].Data.Text = "another writer's"
	if answer, notWritten := db.SettleAppend("x", other, lost); answer != nil || !notWritten {
		t.Errorf("other events with the seqs of stored ones: settle answered %v, not written %v; want nil, true", answer, notWritten)
	}
}

// fakeEvents returns events first..last with varied content.
func fakeEvents(first, last uint64) []engine.Event {
	var out []engine.Event
	for seq := first; seq <= last; seq++ {
		e := engine.Event{
			Seq:   seq,
			At:    time.Duration(seq) * time.Minute,
			Type:  engine.EventAction,
			Actor: "trainee:co-csirt:Juan",
			Team:  "co-csirt",
			Data:  engine.Details{Inject: fmt.Sprintf("I%02d", seq%20), Text: fmt.Sprintf("event %d", seq)},
		}
		if seq%3 == 0 {
			e.Audience = []string{"co-csirt"}
		}
		out = append(out, e)
	}
	return out
}
