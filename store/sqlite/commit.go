package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cmesim/engine"
	"cmesim/store"
)

// maxBatch bounds how many requests share one transaction, so that one
// commit cannot grow without limit under a flood of appends.
const maxBatch = 1024

// request is one write waiting for the committer.
type request struct {
	ctx context.Context
	// do performs the write on the committer's connection inside the
	// shared transaction. It returns the request's own outcome (nil, or
	// an error such as ErrSequence that fails it alone), or a fatal error:
	// an SQL failure that aborts the whole transaction.
	do    func(ctx context.Context) (outcome, fatal error)
	reply chan error // buffered: the committer never blocks on it
	// noTx runs do outside any transaction, for statements that cannot
	// run inside one (some pragmas); only tests use it.
	noTx bool
}

// submit hands a write to the committer and waits for its outcome. The channel is
// unbuffered, so a request is either taken by the committer (which then
// always replies) or refused because the DB is closing or ctx is done: none
// is ever left behind in a queue.
func (db *DB) submit(ctx context.Context, do func(ctx context.Context) (error, error)) error {
	r := &request{ctx: ctx, do: do, reply: make(chan error, 1)}
	select {
	case db.reqs <- r:
	case <-db.closing:
		return db.errClosed()
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.reply
}

// commitLoop is the committer: it takes a request, then every other one
// already waiting, and commits them in one transaction. While it commits
// (an fsync), new requests queue up as blocked senders and make up the next
// batch: that is the group commit.
func (db *DB) commitLoop() {
	defer close(db.done)
	batch := make([]*request, 0, 64)
	for {
		batch = batch[:0]
		select {
		case r := <-db.reqs:
			batch = append(batch, r)
		case <-db.closing:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-db.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.commit(batch)
	}
}

// commit runs batch in one transaction and answers every request. A request
// whose context is already done is answered with its error and skipped. If
// the transaction fails as a whole, each request is retried in a
// transaction of its own, so that one bad request cannot fail the others.
func (db *DB) commit(batch []*request) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.reply <- err
			continue
		}
		if r.noTx {
			outcome, fatal := r.do(context.Background())
			r.reply <- cmp.Or(fatal, outcome)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.Background() // the write must not stop halfway
	outcomes := make([]error, len(live))
	err := inTx(ctx, db.wc, func() error {
		for i, r := range live {
			outcome, fatal := r.do(ctx)
			if fatal != nil {
				return fatal
			}
			outcomes[i] = outcome
		}
		return nil
	})
	if err == nil {
		db.commits.Add(1)
		db.requests.Add(uint64(len(live)))
		for id, t := range db.staged {
			if t.rows == 0 {
				delete(db.tails, id)
			} else {
				db.tails[id] = t
			}
		}
	}
	clear(db.staged)
	if err != nil && len(live) > 1 {
		for _, r := range live {
			db.commit([]*request{r})
		}
		return
	}
	for i, r := range live {
		if err != nil {
			r.reply <- db.writeFailed(err)
		} else {
			r.reply <- outcomes[i]
		}
	}
}

// writeFailed describes a failed transaction; a full disk wraps
// store.ErrNoSpace.
func (db *DB) writeFailed(err error) error {
	var serr *sqlite.Error
	if errors.Is(err, syscall.ENOSPC) || (errors.As(err, &serr) && serr.Code()&0xff == sqlite3.SQLITE_FULL) {
		return fmt.Errorf("writing to the database %s: %w: %w", db.path, store.ErrNoSpace, err)
	}
	return fmt.Errorf("writing to the database %s: %w", db.path, err)
}

// Append implements store.Store. The events are encoded by the calling
// goroutine, so concurrent appends encode in parallel and the committer
// only writes.
func (db *DB) Append(ctx context.Context, exercise string, events []engine.Event) error {
	if len(events) == 0 {
		return nil
	}
	first := events[0].Seq
	last := events[len(events)-1].Seq
	if first == 0 {
		return fmt.Errorf("exercise %q: event with sequence number 0 (numbers start at 1): %w", exercise, store.ErrSequence)
	}
	size := 0
	for i := range events {
		if want := first + uint64(i); events[i].Seq != want {
			return fmt.Errorf("exercise %q: appending a batch that is not consecutive: event %d of it has sequence number %d, want %d: %w",
				exercise, i+1, events[i].Seq, want, store.ErrSequence)
		}
		size += 64 + len(events[i].Data.Text)
	}
	if last > math.MaxInt64 {
		return fmt.Errorf("exercise %q: sequence number %d is too large: %w", exercise, last, store.ErrSequence)
	}
	data := make([]byte, 0, size)
	for i := range events {
		data = store.AppendEvent(data, &events[i])
	}
	return db.submit(ctx, func(ctx context.Context) (error, error) {
		res, err := db.insertEvents.ExecContext(ctx, int64(first), int64(last), data, exercise, int64(first-1))
		if err != nil {
			return nil, err
		}
		switch n, err := res.RowsAffected(); {
		case err != nil:
			return nil, err
		case n == 1:
			return nil, db.appended(ctx, exercise, first, last)
		}
		// Nothing inserted: the exercise is unknown or the log has moved on.
		var n, stored int64
		switch err := db.diagnose.QueryRowContext(ctx, exercise).Scan(&n, &stored); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("appending to exercise %q: %w", exercise, store.ErrNotFound), nil
		case err != nil:
			return nil, err
		}
		return fmt.Errorf("exercise %q: appending events %d–%d, but the log ends at event %d (want %d next): %w",
			exercise, first, last, stored, stored+1, store.ErrSequence), nil
	})
}

// sqlInsertEvents inserts a batch only if the exercise exists and its log
// ends just before the batch: the sequence check and the write are one
// statement, so no in-memory state can go stale.
const sqlInsertEvents = `
INSERT INTO events (exercise, first_seq, last_seq, data)
SELECT n, ?1, ?2, ?3 FROM exercises
WHERE id = ?4 AND (SELECT coalesce(max(last_seq), 0) FROM events WHERE exercise = exercises.n) = ?5`

// sqlLookup returns an exercise's key and the last seq of its log.
const sqlLookup = `
SELECT n, (SELECT coalesce(max(last_seq), 0) FROM events WHERE exercise = exercises.n)
FROM exercises WHERE id = ?`

// CreateExercise implements store.Store.
func (db *DB) CreateExercise(ctx context.Context, e *store.Exercise) error {
	if y := e.Created.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("exercise %q: creation time %v out of range", e.ID, e.Created)
	}
	humans, err := json.Marshal(e.Humans)
	if err != nil {
		return err
	}
	source := e.Source
	if source == nil {
		source = []byte{}
	}
	var codes any // NULL when empty
	if len(e.Codes) > 0 {
		codes = []byte(e.Codes)
	}
	created := e.Created.UTC().Format(time.RFC3339Nano)
	firstVersion, version := e.LogVersions()
	return db.submit(ctx, func(ctx context.Context) (error, error) {
		res, err := db.wc.ExecContext(ctx, `
INSERT INTO exercises (id, created, scenario, source, seed, humans, speed, codes, log_version, first_log_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.ID, created, e.Scenario, source, int64(e.Seed), string(humans), e.Speed, codes, version, firstVersion)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return nil, err
			}
			return fmt.Errorf("creating exercise %q: %w", e.ID, store.ErrExists), nil
		}
		return nil, db.insertFiles(ctx, e)
	})
}

// insertFiles stores the exercise's attached files, each content once.
func (db *DB) insertFiles(ctx context.Context, e *store.Exercise) error {
	for _, p := range slices.Sorted(maps.Keys(e.Files)) {
		data := e.Files[p]
		if data == nil {
			data = []byte{}
		}
		sum := store.FileDigest(data)
		if _, err := db.wc.ExecContext(ctx, `INSERT INTO blobs (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`, sum, data); err != nil {
			return err
		}
		if _, err := db.wc.ExecContext(ctx, `
INSERT INTO exercise_files (exercise, path, sha256) VALUES ((SELECT n FROM exercises WHERE id = ?), ?, ?)`, e.ID, p, sum); err != nil {
			return err
		}
	}
	return nil
}

// PutSession implements store.Store. It also forgets the sessions that
// have expired.
func (db *DB) PutSession(ctx context.Context, s store.Session) error {
	var expires any // NULL: never
	if !s.Expires.IsZero() {
		expires = store.UnixNanos(s.Expires)
	}
	now := store.UnixNanos(db.Now())
	return db.submit(ctx, func(ctx context.Context) (error, error) {
		if _, err := db.wc.ExecContext(ctx, `DELETE FROM sessions WHERE expires < ?`, now); err != nil {
			return nil, err
		}
		_, err := db.wc.ExecContext(ctx, `
INSERT INTO sessions (token, exercise, role, team, name, expires) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (token) DO UPDATE SET exercise = excluded.exercise, role = excluded.role,
	team = excluded.team, name = excluded.name, expires = excluded.expires`,
			s.Token, s.Exercise, s.Role, s.Team, s.Name, expires)
		return nil, err
	})
}

// DeleteSession implements store.Store.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.submit(ctx, func(ctx context.Context) (error, error) {
		_, err := db.wc.ExecContext(ctx, `DELETE FROM sessions WHERE token = ?`, token)
		return nil, err
	})
}

// Compaction. A live exercise appends a few events at a time, one row each,
// and reading a log of many small rows is several times slower than reading
// the same events in a few big ones. So the committer merges them: once an
// exercise has compactRows small rows after its last big one, it replaces
// them with one row, in the same transaction as the append. Every event is
// thus rewritten at most about once, and a log read back has about one row
// per compactRows appends.
const (
	// bigRow is the number of events from which a row is left alone.
	bigRow = 64
	// compactRows is how many small rows are merged into one.
	compactRows = 32
)

// tail is what the committer knows of the small rows at the end of an
// exercise's log: how many it has written since the last big row and the
// first seq of the first of them. It knows nothing of rows written before
// Open, so it leaves those alone: fewer than compactRows per restart.
type tail struct {
	rows  int
	first uint64
}

// appended notes a row just inserted into the exercise's log and merges the
// tail of small rows if it is long enough. Changes are staged and become
// the committer's knowledge only if the transaction commits.
func (db *DB) appended(ctx context.Context, exercise string, first, last uint64) error {
	t, ok := db.staged[exercise]
	if !ok {
		t = db.tails[exercise]
	}
	switch {
	case last-first+1 >= bigRow:
		t = tail{}
	default:
		if t.rows == 0 {
			t.first = first
		}
		t.rows++
		if t.rows >= compactRows {
			if err := db.compact(ctx, exercise, t.first, last); err != nil {
				return err
			}
			t = tail{}
		}
	}
	db.staged[exercise] = t
	return nil
}

// compact replaces the rows of the exercise's log holding events
// first..last with one row. If the rows are not what the committer expects
// (another process wrote to the file), it leaves them alone.
func (db *DB) compact(ctx context.Context, exercise string, first, last uint64) error {
	rows, err := db.tailRows.QueryContext(ctx, exercise, int64(first))
	if err != nil {
		return err
	}
	var merged []byte
	next := first
	for rows.Next() {
		var f, l int64
		var data []byte
		if err := rows.Scan(&f, &l, &data); err != nil {
			rows.Close()
			return err
		}
		if uint64(f) != next {
			next = 0 // not contiguous from first: leave alone
			break
		}
		if merged == nil {
			merged = make([]byte, 0, len(data)*compactRows*5/4)
		}
		merged = append(merged, data...)
		next = uint64(l) + 1
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if next != last+1 {
		return nil
	}
	if _, err := db.deleteTail.ExecContext(ctx, exercise, int64(first)); err != nil {
		return err
	}
	if _, err := db.insertRow.ExecContext(ctx, int64(first), int64(last), merged, exercise); err != nil {
		return err
	}
	db.compactions.Add(1)
	return nil
}

const (
	sqlTailRows = `
SELECT first_seq, last_seq, data FROM events
WHERE exercise = (SELECT n FROM exercises WHERE id = ?1) AND last_seq >= ?2 ORDER BY last_seq`
	sqlDeleteTail = `
DELETE FROM events WHERE exercise = (SELECT n FROM exercises WHERE id = ?1) AND last_seq >= ?2`
	sqlInsertRow = `
INSERT INTO events (exercise, first_seq, last_seq, data)
SELECT n, ?1, ?2, ?3 FROM exercises WHERE id = ?4`
)
