// Package sqlite implements store.Store with embedded SQLite
// (modernc.org/sqlite: pure Go, no cgo) in WAL mode.
//
// One file holds everything. Writes go through a single committer goroutine
// that owns the one write connection and commits whatever is queued in one
// transaction (group commit), so many exercises appending at once share each
// fsync. Reads use a pool of other connections and, thanks to WAL, never wait
// for the writer.
//
// Each committed Append is one row of the events table holding its events
// encoded with store.AppendEvent, back to back, and the committer merges the
// small rows that live play produces (an append of one to a few events per
// command) into bigger ones as it goes (see compact): replaying a log reads
// few rows and decodes them, instead of one row per event.
//
// One process at a time should write a database: the store stays correct if
// two do (sequence numbers are checked in SQL, not only in memory), but they
// would contend for the write lock.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cmesim/store"
)

// ApplicationID marks a SQLite file as a cmesim database (PRAGMA
// application_id): "CMES" in ASCII. Open refuses files marked otherwise.
const ApplicationID = 0x434D4553

// Errors that Open wraps, so that callers can tell a wrong path from a
// damaged or foreign file.
var (
	// ErrNotCmesim means the file exists but is not a cmesim database: not an
	// SQLite database at all, or one made by another program.
	ErrNotCmesim = errors.New("not a cmesim database")
	// ErrTooNew means the database was created or migrated by a newer
	// version of cmesim, whose schema this one does not know.
	ErrTooNew = errors.New("created by a newer cmesim")
	// ErrNoSchema means the file exists but holds no cmesim schema, or only
	// part of it: it was emptied or damaged (a store that once held
	// exercises), or its creation never finished. Open refuses it rather
	// than starting afresh and silently losing every exercise.
	ErrNoSchema = errors.New("holds no cmesim schema")
)

// migrations are the schema's versions: migrations[i] brings user_version
// from i to i+1. Append only; never edit a released step.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE exercises (
	n        INTEGER PRIMARY KEY, -- creation order, and the key events use
	id       TEXT NOT NULL UNIQUE,
	created  TEXT NOT NULL,       -- RFC 3339, UTC, nanoseconds
	scenario TEXT NOT NULL,
	source   BLOB NOT NULL,
	seed     INTEGER NOT NULL,    -- the uint64's bits
	humans   TEXT NOT NULL,       -- a JSON array
	speed    REAL NOT NULL,
	codes    BLOB                 -- opaque JSON; NULL when empty
) STRICT;

-- One row per committed append: its events encoded with store.AppendEvent.
CREATE TABLE events (
	exercise  INTEGER NOT NULL REFERENCES exercises (n),
	first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
	last_seq  INTEGER NOT NULL CHECK (last_seq >= first_seq),
	data      BLOB NOT NULL,
	PRIMARY KEY (exercise, last_seq)
) STRICT;

CREATE TABLE sessions (
	token    TEXT PRIMARY KEY,
	exercise TEXT NOT NULL,
	role     TEXT NOT NULL,
	team     TEXT NOT NULL,
	name     TEXT NOT NULL,
	expires  INTEGER              -- Unix nanoseconds; NULL: never
) STRICT;
`,
	// 2: the files scenarios attach, each content once by its SHA-256.
	`
CREATE TABLE blobs (
	sha256 TEXT PRIMARY KEY,      -- hex
	data   BLOB NOT NULL
) STRICT;

CREATE TABLE exercise_files (
	exercise INTEGER NOT NULL REFERENCES exercises (n),
	path     TEXT NOT NULL,       -- relative to the scenario file
	sha256   TEXT NOT NULL REFERENCES blobs (sha256),
	PRIMARY KEY (exercise, path)
) STRICT;
`,
	// 3: the engine.LogVersion of the newest and of the oldest cmesim that
	// wrote each log (store.Exercise); the logs stored before are version 1.
	`
ALTER TABLE exercises ADD COLUMN log_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE exercises ADD COLUMN first_log_version INTEGER NOT NULL DEFAULT 1;
`,
}

// SchemaVersion is the schema version this code creates and understands.
var SchemaVersion = len(migrations)

// The connections' settings (modernc.org/sqlite runs each _pragma when it
// opens a connection).
const (
	// writerParams: WAL, so that readers never wait for the writer;
	// synchronous FULL, so that a commit is on disk (the WAL fsynced) when
	// it returns, which is what Append promises.
	writerParams = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)"
	// readerParams: read-only connections that map the file into memory,
	// which spares a system call and a copy per page when replaying logs.
	readerParams = "?_pragma=busy_timeout(5000)&_pragma=query_only(1)&_pragma=mmap_size(1073741824)"
)

// DB is a store.Store in one SQLite file. Its methods are safe for
// concurrent use.
type DB struct {
	// Now returns the wall time; it decides which sessions have expired.
	// Tests may replace it before using the DB.
	Now func() time.Time

	path string
	file os.FileInfo // the database file as opened, to notice it replaced
	w    *sql.DB     // one connection, owned by the committer
	wc   *sql.Conn   // that connection
	r    *sql.DB     // the readers

	// Statements on wc, for the committer.
	insertEvents, diagnose, tailRows, deleteTail, insertRow *sql.Stmt
	// Statements on r.
	lookup, events *sql.Stmt

	// The committer's knowledge of the logs' tails (see compact), and the
	// changes to it of the transaction in progress.
	tails, staged map[string]tail

	commits, requests, compactions atomic.Uint64

	reqs      chan *request // unbuffered: see submit
	closing   chan struct{}
	done      chan struct{} // closed when the committer has stopped
	closeOnce sync.Once
}

var (
	_ store.Store    = (*DB)(nil)
	_ store.Salvager = (*DB)(nil)
	_ store.Pinger   = (*DB)(nil)
)

// Open opens the cmesim database at path, creating the file (and its
// directory) if needed and migrating its schema to the current version. A
// new file is created readable by its owner only (0600), and a new
// directory likewise (0700): the store holds session tokens and join codes.
//
// Open never alters a file it does not recognise: a file that is not an
// SQLite database, or one with another application id or with tables but no
// cmesim mark, gives an error wrapping ErrNotCmesim; a database from a newer
// cmesim gives ErrTooNew; an existing file that is empty or lacks the
// schema gives ErrNoSchema.
func Open(path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	fresh, err := createPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	ctx := context.Background()
	version, err := inspect(ctx, path, fresh)
	if err != nil {
		return nil, err
	}

	db := &DB{
		Now:     time.Now,
		path:    path,
		reqs:    make(chan *request),
		tails:   map[string]tail{},
		staged:  map[string]tail{},
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	uri := "file:" + escapePath(path)
	if db.w, err = sql.Open("sqlite", uri+writerParams); err != nil {
		return nil, db.openFailed(err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if db.wc, err = db.w.Conn(ctx); err != nil {
		return nil, db.openFailed(err)
	}
	if err := migrate(ctx, db.wc, version); err != nil {
		return nil, db.openFailed(err)
	}
	if db.r, err = sql.Open("sqlite", uri+readerParams); err != nil {
		return nil, db.openFailed(err)
	}
	db.r.SetMaxIdleConns(8)
	for _, p := range []struct {
		stmt **sql.Stmt
		prep interface {
			PrepareContext(context.Context, string) (*sql.Stmt, error)
		}
		query string
	}{
		{&db.insertEvents, db.wc, sqlInsertEvents},
		{&db.diagnose, db.wc, sqlLookup},
		{&db.tailRows, db.wc, sqlTailRows},
		{&db.deleteTail, db.wc, sqlDeleteTail},
		{&db.insertRow, db.wc, sqlInsertRow},
		{&db.lookup, db.r, sqlLookup},
		{&db.events, db.r, sqlEvents},
	} {
		if *p.stmt, err = p.prep.PrepareContext(ctx, p.query); err != nil {
			return nil, db.openFailed(err)
		}
	}
	if db.file, err = os.Stat(path); err != nil {
		return nil, db.openFailed(err)
	}
	go db.commitLoop()
	return db, nil
}

// Ping implements store.Pinger: it fails once the store is closed, or if
// its file has been removed or replaced (writes would then go to a file
// nobody will find again).
func (db *DB) Ping(ctx context.Context) error {
	if db.closed() {
		return db.errClosed()
	}
	fi, err := os.Stat(db.path)
	if err != nil {
		return fmt.Errorf("the database file: %w", err)
	}
	if !os.SameFile(fi, db.file) {
		return fmt.Errorf("the database file %s was replaced since it was opened", db.path)
	}
	return db.r.PingContext(ctx)
}

func (db *DB) stmts() []*sql.Stmt {
	return []*sql.Stmt{db.insertEvents, db.diagnose, db.tailRows, db.deleteTail, db.insertRow, db.lookup, db.events}
}

// openFailed releases what Open had opened and describes err.
func (db *DB) openFailed(err error) error {
	for _, s := range db.stmts() {
		if s != nil {
			s.Close()
		}
	}
	if db.wc != nil {
		db.wc.Close()
	}
	for _, d := range []*sql.DB{db.w, db.r} {
		if d != nil {
			d.Close()
		}
	}
	return fmt.Errorf("opening the database %s: %w", db.path, err)
}

// escapePath makes path safe inside a file: URI, where ?, # and % mean
// something.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// createPrivate creates an empty file at path, readable by its owner only,
// unless one exists; it reports whether it created it. SQLite gives the
// WAL and shared-memory files it makes beside it the same permissions.
func createPrivate(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, f.Close()
}

// inspect looks at the file at path, without changing it, and returns its
// schema version (0 for a file Open has just created) or why it cannot be
// used.
func inspect(ctx context.Context, path string, fresh bool) (int, error) {
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, fmt.Errorf("opening the database %s: %w", path, err)
	}
	defer db.Close()
	var appID, version, tables, ours int64
	err = db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID)
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	if err == nil {
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables)
	}
	if err == nil {
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('exercises', 'events', 'sessions')").Scan(&ours)
	}
	var serr *sqlite.Error
	switch {
	case errors.As(err, &serr) && serr.Code()&0xff == sqlite3.SQLITE_NOTADB:
		return 0, fmt.Errorf("%s is %w: it is not an SQLite database (wrong path, or a damaged file?): %w", path, ErrNotCmesim, err)
	case err != nil:
		return 0, fmt.Errorf("opening the database %s: %w", path, err)
	case appID == ApplicationID && version > int64(len(migrations)):
		return 0, fmt.Errorf("%s was %w (schema version %d; this one knows up to %d): upgrade cmesim", path, ErrTooNew, version, len(migrations))
	case appID == ApplicationID && version >= 1 && ours < 3:
		return 0, fmt.Errorf("%s %w: it is marked as a cmesim database (schema version %d) but %d of its 3 tables are missing; "+
			"it is damaged: restore it from a backup (cmesim export --salvage may recover what remains)", path, ErrNoSchema, version, 3-ours)
	case appID == ApplicationID:
		return int(version), nil
	case appID != 0:
		return 0, fmt.Errorf("%s is %w: it belongs to another application (SQLite application_id %#x)", path, ErrNotCmesim, appID)
	case tables > 0 || version != 0:
		return 0, fmt.Errorf("%s is %w: it is an SQLite database of another program (%d tables, no cmesim mark)", path, ErrNotCmesim, tables)
	case !fresh:
		return 0, fmt.Errorf("%s %w (%s): the exercises it held are gone, or it was never finished. "+
			"cmesim does not start afresh on it, which would hide the loss: restore it from a backup, "+
			"or remove it to start a new, empty store", path, ErrNoSchema, describeSize(path))
	}
	return 0, nil
}

// describeSize says how big the file at path is, for an error message.
func describeSize(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "unreadable"
	}
	if fi.Size() == 0 {
		return "it is empty"
	}
	return fmt.Sprintf("%d bytes, no tables", fi.Size())
}

// migrate applies the migrations after version, each in a transaction of
// its own that also records the new version (and marks the file as ours).
func migrate(ctx context.Context, c *sql.Conn, version int) error {
	for v := version; v < len(migrations); v++ {
		err := inTx(ctx, c, func() error {
			// Another process may have migrated since inspect looked.
			var now int
			if err := c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
				return err
			}
			if now != v {
				return fmt.Errorf("schema version changed from %d to %d while opening: is another cmesim migrating it?", v, now)
			}
			if _, err := c.ExecContext(ctx, migrations[v]); err != nil {
				return err
			}
			_, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", ApplicationID, v+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
		}
	}
	return nil
}

// inTx runs fn in an immediate transaction on c: committed if fn returns
// nil, rolled back otherwise.
func inTx(ctx context.Context, c *sql.Conn, fn func() error) error {
	if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		c.ExecContext(ctx, "ROLLBACK")
		return err
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		c.ExecContext(ctx, "ROLLBACK")
		return err
	}
	return nil
}

// Close waits for the commit in progress, fails the writes still waiting
// with store.ErrClosed and closes the database. Calling it again returns
// nil.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		close(db.closing)
		<-db.done
		var errs []error
		for _, s := range db.stmts() {
			errs = append(errs, s.Close())
		}
		errs = append(errs, db.wc.Close(), db.w.Close(), db.r.Close())
		if err = errors.Join(errs...); err != nil {
			err = fmt.Errorf("closing the database %s: %w", db.path, err)
		}
	})
	return err
}

// Stats returns the committer's counters, for metrics.
func (db *DB) Stats() store.CommitStats {
	return store.CommitStats{Commits: db.commits.Load(), Requests: db.requests.Load(), Compactions: db.compactions.Load()}
}

func (db *DB) closed() bool {
	select {
	case <-db.closing:
		return true
	default:
		return false
	}
}

func (db *DB) errClosed() error {
	return fmt.Errorf("database %s: %w", db.path, store.ErrClosed)
}
