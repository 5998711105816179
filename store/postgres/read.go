package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"cmesim/engine"
	"cmesim/store"
)

// sqlEvents reads, in one statement and so from one snapshot, an
// exercise's last_seq and the rows of its log that hold events after a
// seq: one row with NULL events if there are none, no row if the exercise
// does not exist. The log's rows in event_batches all lie before those in
// events (see compaction), so events is read only after the last of them:
// an index range scan that starts past the rows compaction deleted.
const sqlEvents = `
SELECT x.last_seq, e.first_seq, e.last_seq, e.data
FROM exercises x LEFT JOIN LATERAL (
	SELECT b.first_seq, b.last_seq, b.data FROM event_batches b
	WHERE b.exercise = x.n AND b.last_seq > $2
	UNION ALL
	SELECT e.first_seq, e.last_seq, e.data FROM events e
	WHERE e.exercise = x.n AND e.last_seq > greatest($2,
		(SELECT max(m.last_seq) FROM event_batches m WHERE m.exercise = x.n))
) e ON true
WHERE x.id = $1
ORDER BY e.last_seq`

// maxPrealloc bounds the capacity Events reserves up front, so that a
// damaged last_seq cannot ask for a huge allocation.
const maxPrealloc = 1 << 22

// Events implements store.Store. It reads the rows holding events after
// since and decodes them in one pass, checking that they continue each
// other and reach the exercise's last_seq; a damaged row gives a
// *store.DamagedLogError, which wraps store.ErrCorrupt.
func (db *DB) Events(ctx context.Context, exercise string, since uint64) ([]engine.Event, error) {
	out, err := db.readLog(ctx, exercise, since)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Salvage implements store.Salvager.
func (db *DB) Salvage(ctx context.Context, exercise string) ([]engine.Event, error) {
	return db.readLog(ctx, exercise, 0)
}

// readLog reads the log after since. When the log is damaged it returns
// the events before the damage with a *store.DamagedLogError.
func (db *DB) readLog(ctx context.Context, exercise string, since uint64) ([]engine.Event, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	var out []engine.Event
	err := db.retry(ctx, func() (err error) {
		out, err = db.events(ctx, exercise, since)
		return err
	})
	return out, err
}

func (db *DB) events(ctx context.Context, exercise string, since uint64) ([]engine.Event, error) {
	rows, err := db.pool.Query(ctx, sqlEvents, exercise, int64(min(since, math.MaxInt64)))
	if err != nil {
		return nil, db.readFailed(exercise, err)
	}
	defer rows.Close()
	var out []engine.Event
	var dec store.Decoder
	found := false
	var stored int64
	next := since + 1 // the seq the next event must have
	damaged := func(format string, args ...any) error {
		return &store.DamagedLogError{Exercise: exercise, LastGood: next - 1, Err: fmt.Errorf(format, args...)}
	}
	for rows.Next() {
		var first, last *int64
		if err := rows.Scan(&stored, &first, &last, nil); err != nil {
			return nil, db.readFailed(exercise, err)
		}
		if !found {
			found = true
			if uint64(stored) > since {
				out = dec.Reserve(int(min(uint64(stored)-since, maxPrealloc)))
			}
		}
		if first == nil || last == nil {
			continue // no events after since
		}
		if uint64(*first) > next {
			return out, damaged("events %d–%d are missing", next, *first-1)
		}
		// The bytes are pgx's read buffer, valid until the next row: the
		// decoder copies what it keeps into one string.
		data := rows.RawValues()[3]
		k := len(out)
		out, err = dec.Events(out, data, since)
		for i := k; i < len(out); i++ {
			if out[i].Seq != next {
				bad := out[i].Seq
				out = out[:i]
				return out, damaged("the row of events %d–%d holds event %d where %d belongs", *first, *last, bad, next)
			}
			next++
		}
		if err != nil {
			return out, damaged("events %d–%d: %w", *first, *last, err)
		}
		if next != uint64(*last)+1 {
			return out, damaged("the row of events %d–%d ends with event %d", *first, *last, next-1)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, db.readFailed(exercise, err)
	}
	if !found {
		return nil, fmt.Errorf("exercise %q: %w", exercise, store.ErrNotFound)
	}
	if uint64(stored) > since && next != uint64(stored)+1 {
		return out, damaged("events %d–%d are missing", next, stored)
	}
	return out, nil
}

// LastSeq implements store.Store. It reads the exercise's last_seq, which
// each append moves on in the transaction that writes its events.
func (db *DB) LastSeq(ctx context.Context, exercise string) (uint64, error) {
	if db.closed() {
		return 0, db.errClosed()
	}
	var last int64
	err := db.retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `SELECT last_seq FROM exercises WHERE id = $1`, exercise).Scan(&last)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, fmt.Errorf("exercise %q: %w", exercise, store.ErrNotFound)
	case err != nil:
		return 0, db.readFailed(exercise, err)
	}
	return uint64(last), nil
}

func (db *DB) readFailed(exercise string, err error) error {
	return fmt.Errorf("reading exercise %q from the database %s: %w", exercise, db.name, err)
}

const sqlExerciseColumns = `id, created, created_ns, scenario, source, seed, humans, speed, codes, log_version, first_log_version`

// Exercise implements store.Store. Created comes back in UTC, to the
// nanosecond.
func (db *DB) Exercise(ctx context.Context, id string) (*store.Exercise, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	var e *store.Exercise
	err := db.retry(ctx, func() (err error) {
		e, err = scanExercise(db.pool.QueryRow(ctx, `SELECT `+sqlExerciseColumns+` FROM exercises WHERE id = $1`, id))
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("exercise %q: %w", id, store.ErrNotFound)
	case err != nil:
		return nil, db.readFailed(id, err)
	}
	files, err := db.files(ctx, id)
	if err != nil {
		return nil, db.readFailed(id, err)
	}
	e.Files = files[id]
	return e, nil
}

// files reads the attached files of one exercise, or of all when id is
// empty, by exercise id and path.
func (db *DB) files(ctx context.Context, id string) (map[string]map[string][]byte, error) {
	var out map[string]map[string][]byte
	err := db.retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, `
SELECT x.id, f.path, b.data FROM exercise_files f
JOIN exercises x ON x.n = f.exercise JOIN blobs b ON b.sha256 = f.sha256
WHERE $1 = '' OR x.id = $1`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = map[string]map[string][]byte{}
		for rows.Next() {
			var ex, p string
			var data []byte
			if err := rows.Scan(&ex, &p, &data); err != nil {
				return err
			}
			if data == nil {
				data = []byte{}
			}
			if out[ex] == nil {
				out[ex] = map[string][]byte{}
			}
			out[ex][p] = data
		}
		return rows.Err()
	})
	return out, err
}

// Exercises implements store.Store: in creation order, which is the order
// of the exercises' identity column (with several processes, the order in
// which their inserts ran).
func (db *DB) Exercises(ctx context.Context) ([]store.Exercise, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	var out []store.Exercise
	err := db.retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, `SELECT `+sqlExerciseColumns+` FROM exercises ORDER BY n`)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = nil
		for rows.Next() {
			e, err := scanExercise(rows)
			if err != nil {
				return err
			}
			out = append(out, *e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing exercises: %w", err)
	}
	files, err := db.files(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("listing exercises: %w", err)
	}
	for i := range out {
		out[i].Files = files[out[i].ID]
	}
	return out, nil
}

func scanExercise(row pgx.Row) (*store.Exercise, error) {
	var e store.Exercise
	var ns int16
	var seed int64
	var codes []byte
	if err := row.Scan(&e.ID, &e.Created, &ns, &e.Scenario, &e.Source, &seed, &e.Humans, &e.Speed, &codes, &e.LogVersion, &e.FirstLogVersion); err != nil {
		return nil, err
	}
	e.Created = e.Created.UTC().Add(time.Duration(ns))
	e.Seed = uint64(seed)
	if len(codes) > 0 {
		e.Codes = codes
	}
	if e.Source == nil {
		e.Source = []byte{}
	}
	return &e, nil
}

// Sessions implements store.Store. Tokens are ordered by their bytes, as
// Go orders strings, whatever the database's collation.
func (db *DB) Sessions(ctx context.Context) ([]store.Session, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	// Tokens in byte order, as Go sorts strings, whatever the database's
	// collation.
	now := store.UnixNanos(db.Now())
	var out []store.Session
	err := db.retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, `
SELECT token, exercise, role, team, name, expires FROM sessions
WHERE expires IS NULL OR expires >= $1 ORDER BY token COLLATE "C"`, now)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = nil
		for rows.Next() {
			var s store.Session
			var expires *int64
			if err := rows.Scan(&s.Token, &s.Exercise, &s.Role, &s.Team, &s.Name, &expires); err != nil {
				return err
			}
			if expires != nil {
				s.Expires = time.Unix(0, *expires)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	return out, nil
}

// retry runs read, and runs it again once on fresh connections if it
// failed for another reason than an error of the server, the store or ctx:
// after a restart of the server, the pool's idle connections are dead, and
// each would fail one read.
func (db *DB) retry(ctx context.Context, read func() error) error {
	err := read()
	if err == nil || failed(err) || ctx.Err() != nil || errors.Is(err, pgx.ErrNoRows) ||
		errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrNotFound) {
		return err
	}
	db.pool.Reset()
	return read()
}
