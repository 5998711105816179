package sqlite_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/sqlite"
	"cmesim/store/storetest"
)

// MustOpen opens the database in dir, failing the test on error.
func MustOpen(tb testing.TB, dir string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Store { return MustOpen(t, dir) })
}

// plainDB opens path with database/sql alone, to build test files.
func plainDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// openFails checks that Open refuses path with an error wrapping target and
// mentioning each of words, and leaves the file as it was.
func openFails(t *testing.T, path string, target error, words ...string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, openErr := sqlite.Open(path)
	if openErr == nil {
		db.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(openErr, target) {
		t.Errorf("err = %v, want %v", openErr, target)
	}
	for _, w := range words {
		if !strings.Contains(openErr.Error(), w) {
			t.Errorf("error %q does not say %q", openErr, w)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("Open changed the file")
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Error("Open left a WAL file next to it")
	}
	t.Log(openErr)
}

func TestOpen(t *testing.T) {
	t.Run("NewFileInNewDir", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a", "b", "cmesim.db")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for name, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"} {
			if got, err := db.WriterPragma(name); err != nil || got != want {
				t.Errorf("PRAGMA %s = %q, %v; want %q", name, got, err, want)
			}
		}
		var appID, version int
		plain := plainDB(t, path)
		if err := plain.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
			t.Fatal(err)
		}
		if err := plain.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if appID != sqlite.ApplicationID || version != sqlite.SchemaVersion {
			t.Fatalf("application_id %#x, user_version %d; want %#x, %d", appID, version, sqlite.ApplicationID, sqlite.SchemaVersion)
		}
	})
	t.Run("EmptyFile", func(t *testing.T) {
		// A store emptied (say, truncated by a full disk or a bad copy)
		// must not start as a new, empty store: its exercises would be
		// silently gone.
		path := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		openFails(t, path, sqlite.ErrNoSchema, "holds no cmesim schema", "it is empty", "backup", "remove it")
	})
	t.Run("MissingTables", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "cmesim.db")
		MustOpen(t, dir).Close()
		db := plainDB(t, path)
		exec(t, db, "DROP TABLE events")
		db.Close()
		openFails(t, path, sqlite.ErrNoSchema, "holds no cmesim schema", "1 of its 3 tables are missing")
	})
	t.Run("PrivateFiles", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		path := filepath.Join(dir, "cmesim.db")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.CreateExercise(context.Background(), &store.Exercise{ID: "x"}); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
			fi, err := os.Stat(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != want {
				t.Errorf("%s: mode %v, want %v", filepath.Base(name), got, want)
			}
		}
	})
	t.Run("ForeignDatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "foreign.db")
		db := plainDB(t, path)
		exec(t, db, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
		exec(t, db, "INSERT INTO invoices (total) VALUES (12.5)")
		db.Close()
		openFails(t, path, sqlite.ErrNotCmesim, "not a cmesim database", path)
	})
	t.Run("OtherApplicationID", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		db := plainDB(t, path)
		exec(t, db, "PRAGMA application_id = 1234")
		exec(t, db, "CREATE TABLE t (x)")
		db.Close()
		openFails(t, path, sqlite.ErrNotCmesim, "not a cmesim database", "0x4d2")
	})
	t.Run("Garbage", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "garbage.db")
		if err := os.WriteFile(path, []byte(rand.Text()+rand.Text()+strings.Repeat("garbage!", 1000)), 0o644); err != nil {
			t.Fatal(err)
		}
		openFails(t, path, sqlite.ErrNotCmesim, "not a cmesim database", "file is not a database")
	})
	t.Run("Directory", func(t *testing.T) {
		if _, err := sqlite.Open(t.TempDir()); err == nil {
			t.Fatal("Open of a directory succeeded")
		}
	})
	t.Run("NewerSchema", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "cmesim.db")
		MustOpen(t, dir).Close()
		db := plainDB(t, path)
		exec(t, db, "PRAGMA user_version = 99")
		db.Close()
		openFails(t, path, sqlite.ErrTooNew, "created by a newer cmesim", "99")
	})
	t.Run("Reopen", func(t *testing.T) {
		dir := t.TempDir()
		for range 3 {
			db := MustOpen(t, dir)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestCorruptRow checks that a damaged batch of events is reported as
// corrupt, not returned or silently skipped.
func TestCorruptRow(t *testing.T) {
	dir := t.TempDir()
	db := MustOpen(t, dir)
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	events := []engine.Event{{Seq: 1, Type: engine.EventCreated, Actor: "system"}, {Seq: 2, Type: engine.EventStarted, Actor: "system"}}
	if err := db.Append(ctx, "x", events); err != nil {
		t.Fatal(err)
	}
	for name, query := range map[string]string{
		"Garbage":    "UPDATE events SET data = x'0102030405'",
		"Truncated":  "UPDATE events SET data = substr(data, 1, length(data) - 1)",
		"WrongRange": "UPDATE events SET last_seq = 3",
		"Gap":        "UPDATE events SET first_seq = 2, last_seq = 3",
	} {
		t.Run(name, func(t *testing.T) {
			plain := plainDB(t, filepath.Join(dir, "cmesim.db"))
			tx, err := plain.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var saved []byte
			var first, last int64
			if err := tx.QueryRow("SELECT first_seq, last_seq, data FROM events").Scan(&first, &last, &saved); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(query); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			defer plain.Exec("UPDATE events SET first_seq = ?, last_seq = ?, data = ?", first, last, saved)
			got, err := db.Events(ctx, "x", 0)
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("Events = %d events, %v; want ErrCorrupt", len(got), err)
			}
			t.Log(err)
		})
	}
	if got, err := db.Events(ctx, "x", 0); err != nil || len(got) != 2 {
		t.Fatalf("after restoring: %d events, %v", len(got), err)
	}
}

// TestSalvage checks that a damaged log gives back its intact beginning
// and says where it stops, row by row and within a row.
func TestSalvage(t *testing.T) {
	dir := t.TempDir()
	db := MustOpen(t, dir)
	defer db.Close()
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
	for name, c := range map[string]struct {
		query    string
		lastGood uint64
	}{
		"GarbageRow":      {"UPDATE events SET data = x'0102030405' WHERE first_seq = 3", 2},
		"TruncatedRow":    {"UPDATE events SET data = substr(data, 1, length(data) - 1) WHERE first_seq = 3", 3},
		"MissingRow":      {"DELETE FROM events WHERE first_seq = 3", 2},
		"FirstRowDamaged": {"UPDATE events SET data = x'00' WHERE first_seq = 1", 0},
	} {
		t.Run(name, func(t *testing.T) {
			plain := plainDB(t, filepath.Join(dir, "cmesim.db"))
			tx, err := plain.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			rows, err := tx.Query("SELECT first_seq, last_seq, data FROM events")
			if err != nil {
				t.Fatal(err)
			}
			type row struct {
				first, last int64
				data        []byte
			}
			var saved []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.first, &r.last, &r.data); err != nil {
					t.Fatal(err)
				}
				saved = append(saved, r)
			}
			if _, err := tx.Exec(c.query); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				plain.Exec("DELETE FROM events")
				for _, r := range saved {
					plain.Exec("INSERT INTO events (exercise, first_seq, last_seq, data) VALUES (1, ?, ?, ?)", r.first, r.last, r.data)
				}
			}()
			got, err := db.Salvage(ctx, "x")
			var damaged *store.DamagedLogError
			if !errors.As(err, &damaged) || !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("Salvage = %d events, %v; want a *store.DamagedLogError", len(got), err)
			}
			if damaged.LastGood != c.lastGood || uint64(len(got)) != c.lastGood {
				t.Fatalf("Salvage = %d events, last good %d; want %d", len(got), damaged.LastGood, c.lastGood)
			}
			for i, e := range got {
				if e.Seq != uint64(i+1) {
					t.Fatalf("salvaged event %d has seq %d", i, e.Seq)
				}
			}
			if evs, err := db.Events(ctx, "x", 0); err == nil || evs != nil {
				t.Fatalf("Events of a damaged log = %d events, %v; want nothing and an error", len(evs), err)
			}
			t.Log(err)
		})
	}
	if got, err := db.Events(ctx, "x", 0); err != nil || len(got) != 6 {
		t.Fatalf("after restoring: %d events, %v", len(got), err)
	}
}

// TestGroupCommit checks that concurrent appends share transactions: many
// appends complete with far fewer commits than appends.
func TestGroupCommit(t *testing.T) {
	db := MustOpen(t, t.TempDir())
	defer db.Close()
	storetest.GroupCommit(t, db)
}

// TestCompaction checks that a log appended a few events at a time ends up
// in few rows, and reads back whole.
func TestCompaction(t *testing.T) {
	dir := t.TempDir()
	db := MustOpen(t, dir)
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	events := storetest.LibraryEvents(t, 1000)
	appends := 0
	for i := 0; i < len(events); {
		appends++
		n := min(1+i%3, len(events)-i) // 1, 2 or 3 events an append
		if err := db.Append(ctx, "x", events[i:i+n]); err != nil {
			t.Fatal(err)
		}
		i += n
		if i == 500 {
			// A big append is left alone and starts a new tail.
			if err := db.Append(ctx, "x", events[500:600]); err != nil {
				t.Fatal(err)
			}
			i = 600
		}
	}
	var rows int
	if err := plainDB(t, filepath.Join(dir, "cmesim.db")).QueryRow("SELECT count(*) FROM events").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d appends, %d rows, %d compactions", appends, rows, db.Stats().Compactions)
	// Two tails (before and after the big append) may be left uncompacted.
	if rows > appends/sqlite.CompactRows+2*sqlite.CompactRows+1 {
		t.Fatalf("%d rows for %d appends: not compacted", rows, appends)
	}
	got, err := db.Events(ctx, "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(events) || !reflect.DeepEqual(got, events) {
		t.Fatalf("read back %d events, want %d", len(got), len(events))
	}
	for _, since := range []uint64{1, 31, 32, 33, 499, 500, 599, 600, 601, 999, 1000} {
		got, err := db.Events(ctx, "x", since)
		if err != nil || len(got) != len(events)-int(since) || (len(got) > 0 && got[0].Seq != since+1) {
			t.Fatalf("Events(x, %d): %d events, %v", since, len(got), err)
		}
	}
}

// TestCrash checks that what Append acknowledged survives the process
// dying: the files are copied while the database is open, as a kill -9
// would leave them (no Close, no checkpoint), and the copy is opened.
func TestCrash(t *testing.T) {
	dir := t.TempDir()
	db := MustOpen(t, dir)
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x", Scenario: "s"}); err != nil {
		t.Fatal(err)
	}
	events := storetest.LibraryEvents(t, 40)
	for i := 0; i < len(events); i += 4 {
		if err := db.Append(ctx, "x", events[i:i+4]); err != nil {
			t.Fatal(err)
		}
	}
	copyDir := t.TempDir()
	for _, name := range []string{"cmesim.db", "cmesim.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	crashed := MustOpen(t, copyDir)
	defer crashed.Close()
	got, err := crashed.Events(ctx, "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, events) {
		t.Fatalf("after the crash: %d events, want %d", len(got), len(events))
	}
}
