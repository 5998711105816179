// Package postgres implements store.Store with PostgreSQL (through pgx and
// its connection pool), for deployments where several cmesim servers share
// one database or where the database is run and backed up apart from the
// servers.
//
// It stores what store/sqlite stores, the same way: each committed Append is
// one row of the events table holding its events encoded with
// store.AppendEvent, back to back, and the committer merges runs of small
// rows, so that replaying a log reads a few rows instead of one per event.
// The merged rows go to a table of their own, event_batches, which holds
// the start of each log and is only ever appended to, so that a replay
// reads it in order without stepping over the rows the merging deleted.
// Writes go through a single committer goroutine with a connection of its
// own, which sends everything queued as one pipelined batch, run and
// committed by the server as one implicit transaction (group commit): many
// appends share one round trip, one statement and one WAL flush.
//
// Several processes may use one database at once. Open migrates the schema
// under a transaction-scoped advisory lock, so servers starting together do
// not race, and Append's sequence check is made by the database: each
// exercise row holds the seq of its last event, and an append moves it on
// with UPDATE … WHERE last_seq = first-1 in the transaction that inserts the
// events, so of two processes appending the same seqs to one exercise
// exactly one succeeds and the other gets store.ErrSequence.
//
// A server that restarts or a connection that breaks fails nothing by
// itself: the committer empties the pool and retries on new connections,
// and reads are retried once. If the connection broke while a commit was
// in flight, the committer first looks for the appends and exercises of
// the batch in the database, so that a write that did commit is not
// reported as failed; only if it cannot look either does the write fail
// with an error that says its outcome is unknown.
//
// DB also implements store.Cluster, for servers that share the database.
// A lease is three columns of an exercise's row (holder, address, expiry),
// claimed and released by single conditional UPDATEs timed by the
// database's clock, never the servers'. Notices travel by LISTEN/NOTIFY on
// the channel Channel: an append sends its NoticeEvents from the statement
// that writes the events, so it is delivered when, and only if, they are
// committed; Listen keeps a connection of its own for them, which must go
// to the server itself, not through a pooler in transaction mode.
//
// Unlike SQLite, PostgreSQL's text cannot hold a NUL byte: a session or
// exercise whose strings contain one is refused with an error. Events are
// stored as bytes and hold anything.
//
// The tables live in the connection's current schema (the first existing
// one of its search_path, usually public); give a URL a search_path
// parameter to keep cmesim in a schema of its own.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cmesim/store"
)

// Application is what the schema_version table's application column says
// in a cmesim database. Open refuses a database that has tables but not
// this mark.
const Application = "cmesim"

// lockID is the key of the advisory lock that Open holds while it inspects
// and migrates the schema: "cmesim" in ASCII. Advisory locks are per
// database, so cmesims using different schemas of one database take turns
// too, which is harmless.
const lockID = 0x636d6573696d

// Errors that Open wraps, so that callers can tell a wrong URL from a
// database that belongs to something else or to a newer cmesim.
var (
	// ErrNotCmesim means the schema has tables but is not a cmesim
	// database: another application's, or one whose schema_version table
	// is not cmesim's.
	ErrNotCmesim = errors.New("not a cmesim database")
	// ErrTooNew means the database was created or migrated by a newer
	// version of cmesim, whose schema this one does not know.
	ErrTooNew = errors.New("created by a newer cmesim")
)

// sqlSchemaVersion creates the table that marks the schema as cmesim's and
// records its version: one row, which Open reads before anything else.
const sqlSchemaVersion = `
CREATE TABLE schema_version (
	application text NOT NULL CHECK (application = 'cmesim'),
	version     integer NOT NULL CHECK (version >= 0),
	migrated    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schema_version_one_row ON schema_version ((true));
INSERT INTO schema_version (application, version) VALUES ('cmesim', 0);
COMMENT ON TABLE schema_version IS 'cmesim: the schema version of this cmesim database';`

// migrations are the schema's versions: migrations[i] brings the version
// from i to i+1. Append only; never edit a released step.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE exercises (
	n          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- creation order; the key events use
	id         text NOT NULL UNIQUE,
	created    timestamptz NOT NULL,    -- to the microsecond...
	created_ns smallint NOT NULL CHECK (created_ns BETWEEN 0 AND 999), -- ...and the nanoseconds past it
	scenario   text NOT NULL,
	source     bytea NOT NULL,
	seed       bigint NOT NULL,         -- the uint64's bits
	humans     text[],                  -- NULL for a nil list
	speed      double precision NOT NULL,
	codes      bytea,                   -- opaque JSON, kept byte for byte; NULL when empty
	last_seq   bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0) -- the seq of the log's last event
);

-- One row per committed append (or several merged): its events encoded
-- with store.AppendEvent.
CREATE TABLE events (
	exercise  bigint NOT NULL REFERENCES exercises (n),
	first_seq bigint NOT NULL CHECK (first_seq >= 1),
	last_seq  bigint NOT NULL CHECK (last_seq >= first_seq),
	data      bytea NOT NULL,
	PRIMARY KEY (exercise, last_seq)
);

CREATE TABLE sessions (
	token    text PRIMARY KEY,
	exercise text NOT NULL,
	role     text NOT NULL,
	team     text NOT NULL,
	name     text NOT NULL,
	expires  bigint                     -- Unix nanoseconds; NULL: never
);
CREATE INDEX sessions_expires ON sessions (expires);`,

	// 2: leases (store.Cluster): which server owns an exercise, and until
	// when on the database's clock. All NULL: nobody owns it.
	`
ALTER TABLE exercises
	ADD COLUMN lease_holder  text,        -- the owner's store.Holder ID
	ADD COLUMN lease_address text,        -- and its address
	ADD COLUMN lease_until   timestamptz, -- when the lease expires
	ADD CONSTRAINT exercises_lease CHECK ((lease_holder IS NULL) = (lease_until IS NULL));`,

	// 3: the files scenarios attach, each content once by its SHA-256.
	`
CREATE TABLE blobs (
	sha256 text PRIMARY KEY,     -- hex
	data   bytea NOT NULL
);

CREATE TABLE exercise_files (
	exercise bigint NOT NULL REFERENCES exercises (n),
	path     text NOT NULL,      -- relative to the scenario file
	sha256   text NOT NULL REFERENCES blobs (sha256),
	PRIMARY KEY (exercise, path)
);`,

	// 4: the servers sharing the database (store.Cluster.Renew), so that
	// a new exercise can go to the least-loaded one.
	`
CREATE TABLE servers (
	id      text PRIMARY KEY,         -- store.Holder ID
	address text NOT NULL,
	until   timestamptz NOT NULL      -- gone unless it renews by then
);`,

	// 5: the engine.LogVersion of the newest and of the oldest cmesim that
	// wrote each log (store.Exercise); the logs stored before are version 1.
	`
ALTER TABLE exercises
	ADD COLUMN log_version       integer NOT NULL DEFAULT 1,
	ADD COLUMN first_log_version integer NOT NULL DEFAULT 1;`,

	// 6: compacted rows in a table of their own (see compaction), so that
	// a replay reads them from a table that only ever grows, in order, and
	// never steps over the rows compaction deleted. The rows written so
	// far all become compacted rows. Values are compressed with lz4 where
	// the server has it: several times faster to decompress than pglz.
	// A cmesim of an earlier version reads only events: one still running
	// on the database would find its logs damaged, so stop them all before
	// starting this one.
	`
ALTER TABLE events RENAME TO event_batches;
ALTER INDEX events_pkey RENAME TO event_batches_pkey;
COMMENT ON TABLE event_batches IS 'cmesim: events moved out of the events table by compaction; every row of an exercise here lies before its rows in events';

CREATE TABLE events (
	exercise  bigint NOT NULL REFERENCES exercises (n),
	first_seq bigint NOT NULL CHECK (first_seq >= 1),
	last_seq  bigint NOT NULL CHECK (last_seq >= first_seq),
	data      bytea NOT NULL,
	PRIMARY KEY (exercise, last_seq)
);

DO $$
BEGIN
	EXECUTE 'ALTER TABLE event_batches ALTER COLUMN data SET COMPRESSION lz4';
	EXECUTE 'ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
	NULL; -- built without lz4, or older than PostgreSQL 14: pglz
END
$$;`,
}

// SchemaVersion is the schema version this code creates and understands.
var SchemaVersion = len(migrations)

// DB is a store.Store in a PostgreSQL database. Its methods are safe for
// concurrent use.
type DB struct {
	// Now returns the wall time; it decides which sessions have expired.
	// Tests may replace it before using the DB.
	Now func() time.Time

	pool  *pgxpool.Pool // for reading
	wpool *pgxpool.Pool // the committer's one connection: reads never hold up writes
	name  string        // the database, for messages: host, port and name, no password

	// The committer's knowledge of the logs' tails (see compaction), and
	// the changes to it of the batch in progress; the compactions due in
	// the next batch, and those the batch in progress makes due.
	tails, staged  map[string]tail
	due, stagedDue []compaction

	commits, requests, compactions atomic.Uint64

	reqs      chan *request // unbuffered: see submit
	closing   chan struct{}
	done      chan struct{} // closed when the committer has stopped
	closeOnce sync.Once

	// listeners counts the running Listens, which Close waits for; lmu
	// orders their start with Close's closing.
	lmu       sync.Mutex
	listeners sync.WaitGroup
	// handedOn counts the notices the Listens have read from the database
	// and handed to their receivers (or folded into a resync).
	handedOn atomic.Int64
}

var (
	_ store.Store   = (*DB)(nil)
	_ store.Cluster = (*DB)(nil)
)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string, as pgx accepts), creates cmesim's tables if
// the schema has none and migrates them to the current version.
//
// Open never alters a schema it does not recognise: one with tables but no
// cmesim schema_version gives an error wrapping ErrNotCmesim, and one from
// a newer cmesim gives ErrTooNew. Several processes may open one database
// at once; they take turns to migrate it. ctx bounds connecting and
// migrating, not the life of the DB.
//
// Reads use a pool of connections, sized by the URL's pool_max_conns
// parameter (by default the larger of 4 and the number of CPUs); the
// committer has one connection of its own, so that reads never hold up
// writes.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message names the part that is wrong; the URL may hold a
		// password, so it is not repeated.
		return nil, fmt.Errorf("opening the PostgreSQL database: %w", err)
	}
	db := &DB{
		Now:     time.Now,
		name:    describe(cfg),
		tails:   map[string]tail{},
		staged:  map[string]tail{},
		reqs:    make(chan *request),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	wcfg := cfg.Copy()
	wcfg.MaxConns, wcfg.MinConns = 1, 0
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, db.openFailed(err)
	}
	if db.wpool, err = pgxpool.NewWithConfig(ctx, wcfg); err != nil {
		return nil, db.openFailed(err)
	}
	if err := db.migrate(ctx); err != nil {
		return nil, db.openFailed(err)
	}
	go db.commitLoop()
	return db, nil
}

// describe names the database for messages: user, host, port and
// database, never the password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// openFailed releases what Open had opened and describes err.
func (db *DB) openFailed(err error) error {
	for _, p := range []*pgxpool.Pool{db.pool, db.wpool} {
		if p != nil {
			p.Close()
		}
	}
	return fmt.Errorf("opening the database %s: %w", db.name, err)
}

// migrate inspects the schema and brings it to the current version, all in
// one transaction under the advisory lock: a process that starts while
// another migrates waits, then finds the schema migrated. A failure leaves
// the schema as it was (PostgreSQL's DDL is transactional).
func (db *DB) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, db.wpool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(lockID)); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		version, err := inspect(ctx, tx)
		if err != nil {
			return err
		}
		if version < 0 {
			if _, err := tx.Exec(ctx, sqlSchemaVersion); err != nil {
				return fmt.Errorf("creating the schema_version table: %w", err)
			}
			version = 0
		}
		for v := version; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1, migrated = now()`, v+1); err != nil {
				return fmt.Errorf("migrating the schema to version %d: %w", v+1, err)
			}
		}
		return nil
	})
}

// inspect looks at the current schema without changing it and returns its
// version: -1 if it has no tables at all, or why it cannot be used.
func inspect(ctx context.Context, tx pgx.Tx) (int, error) {
	var schema *string
	if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, err
	}
	if schema == nil {
		var path string
		if err := tx.QueryRow(ctx, `SHOW search_path`).Scan(&path); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("no schema to keep cmesim's tables in: none of the search_path (%s) exists", path)
	}
	rows, err := tx.Query(ctx, `
SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY c.relname`)
	if err != nil {
		return 0, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	if len(tables) == 0 {
		return -1, nil
	}
	where := fmt.Sprintf("schema %q", *schema)
	listed := tables
	if len(listed) > 5 {
		listed = append(listed[:5:5], "…")
	}
	foreign := func(why string) error {
		return fmt.Errorf("%s is %w: %s (its tables: %s); give cmesim a database or schema of its own", where, ErrNotCmesim, why, strings.Join(listed, ", "))
	}
	found := false
	for _, t := range tables {
		found = found || t == "schema_version"
	}
	if !found {
		return 0, foreign("it has tables but no cmesim schema_version table")
	}
	// Reading another program's schema_version could fail and abort the
	// transaction: check its columns first.
	var cols int
	if err := tx.QueryRow(ctx, `
SELECT count(*) FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'schema_version'
	AND (column_name, data_type) IN (('application', 'text'), ('version', 'integer'))`).Scan(&cols); err != nil {
		return 0, err
	}
	if cols != 2 {
		return 0, foreign("its schema_version table is not cmesim's")
	}
	var app []string
	var version int
	if err := tx.QueryRow(ctx, `SELECT array_agg(application), coalesce(max(version), 0) FROM schema_version`).Scan(&app, &version); err != nil {
		return 0, err
	}
	switch {
	case len(app) == 0:
		return 0, foreign("its schema_version table is empty")
	case len(app) != 1:
		return 0, foreign(fmt.Sprintf("its schema_version table has %d rows", len(app)))
	case app[0] != Application:
		return 0, foreign(fmt.Sprintf("its schema_version table belongs to %q", app[0]))
	case version > len(migrations):
		return 0, fmt.Errorf("%s was %w (schema version %d; this one knows up to %d): upgrade cmesim", where, ErrTooNew, version, len(migrations))
	}
	return version, nil
}

// Close waits for the commit in progress, fails the writes still waiting
// with store.ErrClosed, stops the Listens (closing their channels) and
// closes the connections. Calling it again returns nil.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.lmu.Lock()
		close(db.closing)
		db.lmu.Unlock()
		<-db.done
		db.listeners.Wait()
		db.wpool.Close()
		db.pool.Close()
	})
	return nil
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
	return fmt.Errorf("database %s: %w", db.name, store.ErrClosed)
}

var (
	_ store.Salvager = (*DB)(nil)
	_ store.Pinger   = (*DB)(nil)
)

// Ping implements store.Pinger: it asks the database for a trivial answer
// on a connection of the read pool.
func (db *DB) Ping(ctx context.Context) error {
	if db.closed() {
		return db.errClosed()
	}
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("the database %s does not answer: %w", db.name, err)
	}
	return nil
}
