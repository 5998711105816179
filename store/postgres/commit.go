package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"cmesim/engine"
	"cmesim/store"
)

// maxBatch bounds how many requests share one transaction, so that one
// commit cannot grow without limit under a flood of appends.
const maxBatch = 1024

// commitTimeout bounds one commit, so that a server that stopped answering
// fails the writes instead of hanging them.
const commitTimeout = 30 * time.Second

// expireEvery is how often the committer deletes the sessions that have
// expired (Sessions leaves them out in any case).
const expireEvery = time.Minute

// request is one write waiting for the committer: one SQL statement, run in
// the shared transaction.
type request struct {
	ctx context.Context
	// key orders the statements of a batch, so that two processes whose
	// batches touch the same rows lock them in the same order and cannot
	// deadlock: "x:" and the exercise id, or "s:" and a session token.
	key  string
	sql  string
	args []any
	// result reads the statement's result from br. It returns the
	// request's own outcome (nil, or an error such as ErrSequence that
	// fails it alone), or a fatal error that fails the whole batch.
	result func(br pgx.BatchResults) (outcome, fatal error)
	// app is set for an append: the committer runs the appends of a batch
	// to different exercises as one statement (see sqlAppendMany) instead
	// of sql, and calls appended with the two values sqlAppend returns.
	app *appendArgs
	// stored, if not nil, tells whether the request's write is in the
	// database, for when the connection failed while committing and the
	// outcome is unknown. Without it the request is simply run again
	// (it is idempotent).
	stored  func(ctx context.Context) (bool, error)
	outcome error
	reply   chan error // buffered: the committer never blocks on it
}

// submit hands r to the committer and waits for its outcome. The channel is
// unbuffered, so a request is either taken by the committer (which then
// always replies) or refused because the DB is closing or ctx is done: none
// is ever left behind in a queue.
func (db *DB) submit(ctx context.Context, r *request) error {
	r.ctx = ctx
	r.reply = make(chan error, 1)
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
// already waiting, and commits them in one transaction. While it commits,
// new requests queue up as blocked senders and make up the next batch: that
// is the group commit.
func (db *DB) commitLoop() {
	defer close(db.done)
	batch := make([]*request, 0, 64)
	var expired time.Time // when expired sessions were last deleted
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
		// The compactions that the last commits made due ride along. One
		// that fails is forgotten: it only saves reading time, and it
		// might be why the batch failed.
		due := db.due
		db.due = nil
		var extras []extra
		for _, c := range due {
			extras = append(extras, c.statement())
		}
		now := db.Now()
		expire := now.Sub(expired) >= expireEvery
		if expire {
			extras = append(extras, extra{sql: sqlExpire, args: []any{store.UnixNanos(now)}})
		}
		if db.commit(batch, extras, true) {
			db.compactions.Add(uint64(len(due)))
			if expire {
				expired = now
			}
		}
	}
}

// extra is a statement the committer adds to a batch for itself (merging
// rows, deleting expired sessions), after the requests.
type extra struct {
	sql  string
	args []any
}

// commit runs batch, and the extra statements, in one transaction and
// answers every request; it reports whether the transaction committed. A
// request whose context is already done is answered with its error and
// skipped.
//
// If the transaction fails as a whole and retry is set, each request is
// retried in a transaction of its own, so that one bad request cannot fail
// the others, and so that a connection that died (the server restarted)
// fails nothing: the pool is emptied and the retry connects anew. When the
// connection died while committing, the requests that can tell are first
// looked for in the database (see settle).
func (db *DB) commit(batch []*request, extra []extra, retry bool) bool {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.reply <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 && len(extra) == 0 {
		return false
	}
	slices.SortStableFunc(live, func(a, b *request) int { return strings.Compare(a.key, b.key) })
	err := db.run(live, extra)
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
		clear(db.staged)
		db.due = append(db.due, db.stagedDue...)
		db.stagedDue = db.stagedDue[:0]
		for _, r := range live {
			r.reply <- r.outcome
		}
		return true
	}
	clear(db.staged)
	db.stagedDue = db.stagedDue[:0]
	lost := !failed(err)
	if lost {
		// The connection failed, or the reply could not be read: the
		// others in the pool may be dead too (a restart of the server).
		db.wpool.Reset()
		if !pgconn.SafeToRetry(err) {
			// The transaction may have committed. Look.
			live = db.settle(live, err)
		}
	}
	if retry && (len(live) > 1 || len(extra) > 0 || lost) {
		for _, r := range live {
			db.commit([]*request{r}, nil, false)
		}
		return false
	}
	for _, r := range live {
		r.reply <- db.writeFailed(err)
	}
	return false
}

// writeFailed describes a failed transaction; a full disk (SQLSTATE 53100)
// or a database out of memory or space wraps store.ErrNoSpace.
func (db *DB) writeFailed(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "53100" || pgErr.Code == "53200") {
		return fmt.Errorf("writing to the database %s: %w: %w", db.name, store.ErrNoSpace, err)
	}
	return fmt.Errorf("writing to the database %s: %w", db.name, err)
}

// run sends the statements of live and extra as one batch, which the
// server runs as one implicit transaction committed at its end, and reads
// every request's outcome. A nil error means committed.
func (db *DB) run(live []*request, extra []extra) error {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(live)+len(extra)+1)}
	// The first append to each exercise joins one statement; the others,
	// if any, follow it in statements of their own, in order.
	many, live := splitAppends(live)
	if len(many) > 0 {
		a := appendArrays{
			ids:   make([]string, len(many)),
			first: make([]int64, len(many)),
			last:  make([]int64, len(many)),
			data:  make([][]byte, len(many)),
		}
		for i, r := range many {
			a.ids[i], a.first[i], a.last[i], a.data[i] = r.app.exercise, r.app.first, r.app.last, r.app.data
		}
		b.Queue(sqlAppendMany, a.ids, a.first, a.last, a.data)
	}
	for _, r := range live {
		b.Queue(r.sql, r.args...)
	}
	for _, x := range extra {
		b.Queue(x.sql, x.args...)
	}
	br := db.wpool.SendBatch(ctx, b)
	var fatal error
	if len(many) > 0 {
		fatal = db.readMany(br, many)
	}
	for _, r := range live {
		if fatal != nil {
			break
		}
		r.outcome, fatal = r.result(br)
	}
	for i := 0; i < len(extra) && fatal == nil; i++ {
		_, fatal = br.Exec()
	}
	// Close reads the end of the implicit transaction: until it returns
	// nil, nothing is committed.
	cerr := br.Close()
	if fatal == nil || cerr == nil || cerr.Error() == fatal.Error() {
		return cmp.Or(fatal, cerr)
	}
	return errors.Join(fatal, cerr)
}

// failed reports whether err includes an error the server reported about
// the work itself: an error in a statement aborts the implicit transaction
// and one at its end fails the commit, so either way nothing was written.
// It is false for errors of the connection, including those the server
// reports as it drops one (see connectionLost).
func failed(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && !connectionLost(pgErr)
}

// connectionLost reports whether the server reported an error that ends
// the session rather than the statement: a FATAL or PANIC error, a
// connection exception (class 08) or an operator's intervention (57P01
// and friends: a shutdown, a terminated backend).
func connectionLost(e *pgconn.PgError) bool {
	switch e.SeverityUnlocalized {
	case "FATAL", "PANIC":
		return true
	}
	return strings.HasPrefix(e.Code, "08") || strings.HasPrefix(e.Code, "57P")
}

// settle answers the requests of a batch whose commit failed with err, a
// failure of the connection rather than an error of the server, so that
// the batch may or may not have committed. Requests found in the database
// are answered with success, those whose fate cannot be told with an error
// saying so; it returns those that surely were not written.
func (db *DB) settle(live []*request, err error) []*request {
	var rest []*request
	for _, r := range live {
		if r.stored == nil {
			rest = append(rest, r)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		ok, serr := r.stored(ctx)
		cancel()
		switch {
		case serr != nil:
			r.reply <- fmt.Errorf("writing to the database %s: %w; whether it was written is unknown, as checking failed: %w", db.name, err, serr)
		case ok:
			r.reply <- nil
		default:
			rest = append(rest, r)
		}
	}
	return rest
}

// Append implements store.Store. The events are encoded by the calling
// goroutine, so concurrent appends encode in parallel and the committer
// only writes.
func (db *DB) Append(ctx context.Context, exercise string, events []engine.Event) error {
	if len(events) == 0 {
		return nil
	}
	r, err := db.appendRequest(exercise, events)
	if err != nil {
		return err
	}
	return db.submit(ctx, r)
}

// appendRequest checks and encodes an append of events (at least one).
func (db *DB) appendRequest(exercise string, events []engine.Event) (*request, error) {
	first := events[0].Seq
	last := events[len(events)-1].Seq
	if first == 0 {
		return nil, fmt.Errorf("exercise %q: event with sequence number 0 (numbers start at 1): %w", exercise, store.ErrSequence)
	}
	size := 0
	for i := range events {
		if want := first + uint64(i); events[i].Seq != want {
			return nil, fmt.Errorf("exercise %q: appending a batch that is not consecutive: event %d of it has sequence number %d, want %d: %w",
				exercise, i+1, events[i].Seq, want, store.ErrSequence)
		}
		size += 64 + len(events[i].Data.Text)
	}
	if last > math.MaxInt64 {
		return nil, fmt.Errorf("exercise %q: sequence number %d is too large: %w", exercise, last, store.ErrSequence)
	}
	data := make([]byte, 0, size)
	for i := range events {
		data = store.AppendEvent(data, &events[i])
	}
	f, l := int64(first), int64(last)
	a := &appendArgs{exercise: exercise, first: f, last: l, data: data}
	r := &request{
		key:  "x:" + exercise,
		sql:  sqlAppend,
		args: []any{exercise, f, l, data},
		app:  a,
	}
	r.result = func(br pgx.BatchResults) (error, error) {
		var key, stored *int64
		if err := br.QueryRow().Scan(&key, &stored); err != nil {
			return nil, err
		}
		return db.appendOutcome(a, key, stored), nil
	}
	r.stored = func(ctx context.Context) (bool, error) {
		var ok bool
		err := db.wpool.QueryRow(ctx, sqlAppended, exercise, f, l, data).Scan(&ok)
		return ok, err
	}
	return r, nil
}

// sqlAppend appends a row of events if the exercise's log ends just before
// it, moving the exercise's last_seq on in the same statement: the sequence
// check and the write are one, made by the database, so no in-memory state
// can go stale and two processes cannot both append the same seqs (the
// second waits for the first's row lock, then finds last_seq moved). It
// returns one row: the exercise's key if the events were inserted (else
// NULL), and its last_seq as the statement found it (NULL if the exercise
// does not exist), to tell why not.
//
// The row it moves on sends the exercise's NoticeEvents (sqlNotifyEvents):
// PostgreSQL delivers it when the transaction commits, and drops it if it
// does not, so a notice is sent exactly for each committed append.
var sqlAppend = `
WITH moved AS (
	UPDATE exercises x SET last_seq = $3::bigint
	WHERE id = $1::text AND last_seq = $2::bigint - 1
	RETURNING n, ` + sqlNotifyEvents + `
), inserted AS (
	INSERT INTO events (exercise, first_seq, last_seq, data)
	SELECT n, $2::bigint, $3::bigint, $4::bytea FROM moved
	RETURNING exercise
)
SELECT (SELECT exercise FROM inserted), (SELECT last_seq FROM exercises WHERE id = $1::text)`

// appendArgs is what an append writes.
type appendArgs struct {
	exercise    string
	first, last int64
	data        []byte
}

// appendOutcome interprets what sqlAppend or sqlAppendMany returned for a:
// the exercise's key if the events were inserted, and the exercise's
// last_seq as the statement found it.
func (db *DB) appendOutcome(a *appendArgs, key, stored *int64) error {
	switch {
	case key != nil:
		db.appended(a.exercise, *key, uint64(a.first), uint64(a.last))
		return nil
	case stored == nil:
		return fmt.Errorf("appending to exercise %q: %w", a.exercise, store.ErrNotFound)
	case *stored == a.first-1:
		// The log ended where this append begins when the statement
		// started, but another process appended first.
		return fmt.Errorf("exercise %q: appending events %d–%d, but another writer appended to the log first: %w",
			a.exercise, a.first, a.last, store.ErrSequence)
	}
	return fmt.Errorf("exercise %q: appending events %d–%d, but the log ends at event %d (want %d next): %w",
		a.exercise, a.first, a.last, *stored, *stored+1, store.ErrSequence)
}

// appendArrays are the arguments of sqlAppendMany: one element per append.
type appendArrays struct {
	ids         []string
	first, last []int64
	data        [][]byte
}

// splitAppends takes out of live, sorted by key, the first append to each
// exercise, to run as one statement, if there are at least two; it returns
// them and the requests left, in order.
func splitAppends(live []*request) (many, rest []*request) {
	n := 0
	for i, r := range live {
		if r.app != nil && (i == 0 || live[i-1].key != r.key) {
			n++
		}
	}
	if n < 2 {
		return nil, live
	}
	many = make([]*request, 0, n)
	rest = make([]*request, 0, len(live)-n)
	for i, r := range live {
		if r.app != nil && (i == 0 || live[i-1].key != r.key) {
			many = append(many, r)
		} else {
			rest = append(rest, r)
		}
	}
	return many, rest
}

// readMany reads the result of sqlAppendMany into the outcomes of many.
func (db *DB) readMany(br pgx.BatchResults, many []*request) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var ord int
		var key, stored *int64
		if err := rows.Scan(&ord, &key, &stored); err != nil {
			return err
		}
		if ord != i+1 || i >= len(many) {
			return fmt.Errorf("appending: result %d of %d came as %d", i+1, len(many), ord)
		}
		r := many[i]
		r.outcome = db.appendOutcome(r.app, key, stored)
		i++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if i != len(many) {
		return fmt.Errorf("appending: %d results for %d appends", i, len(many))
	}
	return nil
}

// sqlAppendMany is sqlAppend for several appends, each to a different
// exercise, in one statement: the arrays $1..$4 hold their ids, first and
// last seqs and data. It returns one row per append, in order: its
// position (from 1), then what sqlAppend returns. Each exercise moved on
// sends its NoticeEvents, as in sqlAppend.
var sqlAppendMany = `
WITH req AS (
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bytea[])
		WITH ORDINALITY AS r (id, first_seq, last_seq, data, ord)
), moved AS (
	UPDATE exercises x SET last_seq = r.last_seq FROM req r
	WHERE x.id = r.id AND x.last_seq = r.first_seq - 1
	RETURNING x.n, r.ord, ` + sqlNotifyEvents + `
), inserted AS (
	INSERT INTO events (exercise, first_seq, last_seq, data)
	SELECT m.n, r.first_seq, r.last_seq, r.data FROM moved m JOIN req r USING (ord)
	RETURNING exercise
)
SELECT r.ord, m.n, x.last_seq
FROM req r LEFT JOIN moved m USING (ord) LEFT JOIN exercises x ON x.id = r.id
ORDER BY r.ord`

// sqlAppended tells whether an append is stored: a row with exactly its
// events.
const sqlAppended = `
SELECT EXISTS (
	SELECT FROM events e JOIN exercises x ON x.n = e.exercise
	WHERE x.id = $1 AND e.first_seq = $2 AND e.last_seq = $3 AND e.data = $4
)`

// CreateExercise implements store.Store. The id is unique in the
// database, so of two processes creating the same exercise one gets
// store.ErrExists.
func (db *DB) CreateExercise(ctx context.Context, e *store.Exercise) error {
	if y := e.Created.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("exercise %q: creation time %v out of range", e.ID, e.Created)
	}
	source := e.Source
	if source == nil {
		source = []byte{} // NOT NULL
	}
	var codes []byte // NULL when empty
	if len(e.Codes) > 0 {
		codes = e.Codes
	}
	// PostgreSQL keeps microseconds, and pgx truncates to them: the
	// nanoseconds past the microsecond go in a column of their own.
	created := e.Created.Truncate(0)
	ns := int16(created.Nanosecond() % 1000)
	firstVersion, version := e.LogVersions()
	r := &request{
		key: "x:" + e.ID,
		sql: `
INSERT INTO exercises (id, created, created_ns, scenario, source, seed, humans, speed, codes, log_version, first_log_version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
		args: []any{e.ID, created, ns, e.Scenario, source, int64(e.Seed), e.Humans, e.Speed, codes, version, firstVersion},
	}
	r.result = func(br pgx.BatchResults) (error, error) {
		tag, err := br.Exec()
		switch {
		case err != nil:
			return nil, err
		case tag.RowsAffected() == 1:
			return nil, nil
		}
		return fmt.Errorf("creating exercise %q: %w", e.ID, store.ErrExists), nil
	}
	if len(e.Files) > 0 {
		withFiles(r, e)
	}
	r.stored = func(ctx context.Context) (bool, error) {
		var ok bool
		err := db.wpool.QueryRow(ctx, `
SELECT EXISTS (SELECT FROM exercises WHERE id = $1 AND created = $2 AND created_ns = $3 AND source = $4)`,
			e.ID, created, ns, source).Scan(&ok)
		return ok, err
	}
	return db.submit(ctx, r)
}

// PutSession implements store.Store. The committer deletes expired
// sessions now and then.
func (db *DB) PutSession(ctx context.Context, s store.Session) error {
	var expires *int64 // NULL: never
	if !s.Expires.IsZero() {
		ns := store.UnixNanos(s.Expires)
		expires = &ns
	}
	return db.submit(ctx, &request{
		key: "s:" + s.Token,
		sql: `
INSERT INTO sessions (token, exercise, role, team, name, expires) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (token) DO UPDATE SET exercise = excluded.exercise, role = excluded.role,
	team = excluded.team, name = excluded.name, expires = excluded.expires`,
		args:   []any{s.Token, s.Exercise, s.Role, s.Team, s.Name, expires},
		result: execResult,
	})
}

// DeleteSession implements store.Store; deleting an unknown token does
// nothing.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.submit(ctx, &request{
		key:    "s:" + token,
		sql:    `DELETE FROM sessions WHERE token = $1`,
		args:   []any{token},
		result: execResult,
	})
}

// execResult is the result of a statement that can only fail as a whole.
func execResult(br pgx.BatchResults) (error, error) {
	_, err := br.Exec()
	return nil, err
}

// sqlExpire deletes the sessions expired at $1.
const sqlExpire = `DELETE FROM sessions WHERE expires < $1`

// Compaction. A live exercise appends a few events at a time, one row each,
// and reading a log of many small rows is several times slower than reading
// the same events in a few big ones. So the committer merges them: once an
// exercise has compactRows small rows after its last big one, the next
// transaction moves the start of its log, up to the last of those rows, out
// of events into event_batches, each run of small rows merged into one row.
// Every event is thus rewritten at most about once, and a log read back has
// about one row per compactRows appends.
//
// Moving the whole start of the log, whoever wrote it, keeps one invariant
// that reading relies on: an exercise's rows in event_batches all lie
// before its rows in events. Appends add rows at the end of the log; a
// compaction takes the first rows of events, which follow the last row of
// event_batches, and puts them after it. Reading thus takes the rows of
// events after the last one of event_batches, and never steps over the
// deleted rows that lie before it until the table is vacuumed.
const (
	// bigRow is the number of events from which a row is left alone.
	bigRow = 64
	// compactRows is how many small rows are merged into one.
	compactRows = 32
)

// tail is what the committer knows of the small rows at the end of an
// exercise's log: how many it has written since the last big row. It knows
// nothing of rows written before Open or by other processes, and needs
// not: a compaction moves every row before a given seq, whoever wrote it.
type tail struct {
	rows int
}

// compaction is a move due: the rows of exercise n's log up to seq last.
type compaction struct {
	n    int64
	last uint64
}

// appended notes a row just inserted into the exercise's log (n) and marks
// the tail of small rows for merging once it is long enough. Changes are
// staged and become the committer's knowledge only if the transaction
// commits.
func (db *DB) appended(exercise string, n int64, first, last uint64) {
	t, ok := db.staged[exercise]
	if !ok {
		t = db.tails[exercise]
	}
	switch {
	case last-first+1 >= bigRow:
		t = tail{}
	default:
		t.rows++
		if t.rows >= compactRows {
			db.stagedDue = append(db.stagedDue, compaction{n: n, last: last})
			t = tail{}
		}
	}
	db.staged[exercise] = t
}

// statement returns the statement that performs c.
func (c compaction) statement() extra {
	return extra{sql: sqlCompact, args: []any{c.n, int64(c.last), bigRow}}
}

// sqlCompact moves the rows of exercise $1's log up to seq $2 from events
// to event_batches: each row of $3 events or more as it is, each run of
// smaller rows between them as one row holding their events in order. The
// rows moved are the first of events, so they are consecutive and each
// merged row is a valid one. If another process moved some of them first,
// the DELETE passes over those (it waits for the other's row locks, then
// finds them gone) and moves the rest, which follow them. Like reading, it
// looks only past the last row of event_batches, so as not to step over
// the rows earlier compactions deleted.
const sqlCompact = `
WITH moved AS (
	DELETE FROM events WHERE exercise = $1::bigint AND last_seq <= $2::bigint
		AND last_seq > coalesce((SELECT max(last_seq) FROM event_batches WHERE exercise = $1::bigint), 0)
	RETURNING first_seq, last_seq, data, last_seq - first_seq + 1 >= $3::bigint AS big
), runs AS (
	SELECT first_seq, last_seq, data, big, count(*) FILTER (WHERE big) OVER (ORDER BY first_seq) AS bigs
	FROM moved
)
INSERT INTO event_batches (exercise, first_seq, last_seq, data)
SELECT $1::bigint, min(first_seq), max(last_seq), string_agg(data, ''::bytea ORDER BY first_seq)
FROM runs GROUP BY bigs, big`

// withFiles makes the request that creates exercise e store its attached
// files too, in the same statement: each content once in blobs, and the
// exercise's paths in exercise_files. The statement's tag then counts the
// exercise rows inserted, as without files.
func withFiles(r *request, e *store.Exercise) {
	var paths, sums []string
	var data [][]byte
	for _, p := range slices.Sorted(maps.Keys(e.Files)) {
		b := e.Files[p]
		if b == nil {
			b = []byte{}
		}
		paths, sums, data = append(paths, p), append(sums, store.FileDigest(b)), append(data, b)
	}
	r.sql = `
WITH x AS (
	INSERT INTO exercises (id, created, created_ns, scenario, source, seed, humans, speed, codes, log_version, first_log_version)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING RETURNING n
), b AS (
	INSERT INTO blobs (sha256, data)
	SELECT DISTINCT ON (s) s, d FROM unnest($13::text[], $14::bytea[]) AS u(s, d) WHERE EXISTS (SELECT FROM x)
	ON CONFLICT (sha256) DO NOTHING
), f AS (
	INSERT INTO exercise_files (exercise, path, sha256)
	SELECT x.n, u.p, u.s FROM x, unnest($12::text[], $13::text[]) AS u(p, s)
)
SELECT count(*) FROM x`
	r.args = append(r.args, paths, sums, data)
	r.result = func(br pgx.BatchResults) (error, error) {
		var n int64
		if err := br.QueryRow().Scan(&n); err != nil {
			return nil, err
		}
		if n == 1 {
			return nil, nil
		}
		return fmt.Errorf("creating exercise %q: %w", e.ID, store.ErrExists), nil
	}
}
