package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cmesim/engine"
	"cmesim/store"
)

// sqlEvents reads the batches of a log that hold events after a seq. The
// data comes as text, not as a blob, only because the driver hands text
// over as a string: store.Decoder then takes the events' strings from
// it without another copy. SQLite keeps the bytes as they are (the
// database's encoding is UTF-8, so there is nothing to convert).
const sqlEvents = `
SELECT first_seq, last_seq, CAST(data AS TEXT) FROM events
WHERE exercise = ? AND last_seq > ? ORDER BY last_seq`

// maxPrealloc bounds the capacity Events reserves up front, so that a
// damaged last_seq cannot ask for a huge allocation.
const maxPrealloc = 1 << 22

// Events implements store.Store. It reads the rows holding events after
// since and decodes them in one pass, checking that they continue each
// other; a damaged row gives a *store.DamagedLogError, which wraps
// store.ErrCorrupt.
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
	n, last, err := db.lookupExercise(ctx, exercise)
	if err != nil {
		return nil, err
	}
	if last <= since {
		return nil, nil
	}
	var dec store.Decoder
	out := dec.Reserve(int(min(last-since, maxPrealloc)))
	rows, err := db.events.QueryContext(ctx, n, int64(min(since, math.MaxInt64)))
	if err != nil {
		return nil, db.readFailed(exercise, err)
	}
	defer rows.Close()
	next := since + 1 // the seq the next event must have
	damaged := func(format string, args ...any) error {
		return &store.DamagedLogError{Exercise: exercise, LastGood: next - 1, Err: fmt.Errorf(format, args...)}
	}
	for rows.Next() {
		var first, last int64
		var data string
		if err := rows.Scan(&first, &last, &data); err != nil {
			return out, db.readDamaged(exercise, next-1, err)
		}
		if uint64(first) > next {
			return out, damaged("events %d–%d are missing", next, first-1)
		}
		k := len(out)
		out, err = dec.EventsString(out, data, since)
		for i := k; i < len(out); i++ {
			if out[i].Seq != next {
				bad := out[i].Seq
				out = out[:i]
				return out, damaged("the row of events %d–%d holds event %d where %d belongs", first, last, bad, next)
			}
			next++
		}
		if err != nil {
			return out, damaged("events %d–%d: %w", first, last, err)
		}
		if next != uint64(last)+1 {
			return out, damaged("the row of events %d–%d ends with event %d", first, last, next-1)
		}
	}
	if err := rows.Err(); err != nil {
		return out, db.readDamaged(exercise, next-1, err)
	}
	return out, nil
}

// readDamaged describes a failed read of a log whose events up to lastGood
// were read: a damaged database file makes it a *store.DamagedLogError.
func (db *DB) readDamaged(exercise string, lastGood uint64, err error) error {
	var serr *sqlite.Error
	if errors.As(err, &serr) && (serr.Code()&0xff == sqlite3.SQLITE_CORRUPT || serr.Code()&0xff == sqlite3.SQLITE_NOTADB) {
		return &store.DamagedLogError{Exercise: exercise, LastGood: lastGood, Err: err}
	}
	return db.readFailed(exercise, err)
}

// LastSeq implements store.Store.
func (db *DB) LastSeq(ctx context.Context, exercise string) (uint64, error) {
	if db.closed() {
		return 0, db.errClosed()
	}
	_, last, err := db.lookupExercise(ctx, exercise)
	return last, err
}

// lookupExercise returns the exercise's key and the last seq of its log.
func (db *DB) lookupExercise(ctx context.Context, exercise string) (n int64, last uint64, err error) {
	var l int64
	switch err := db.lookup.QueryRowContext(ctx, exercise).Scan(&n, &l); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, fmt.Errorf("exercise %q: %w", exercise, store.ErrNotFound)
	case err != nil:
		return 0, 0, db.readFailed(exercise, err)
	}
	return n, uint64(l), nil
}

func (db *DB) readFailed(exercise string, err error) error {
	if db.closed() {
		return db.errClosed()
	}
	return fmt.Errorf("reading exercise %q from the database %s: %w", exercise, db.path, err)
}

const sqlExerciseColumns = `id, created, scenario, source, seed, humans, speed, codes, log_version, first_log_version`

// Exercise implements store.Store.
func (db *DB) Exercise(ctx context.Context, id string) (*store.Exercise, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	row := db.r.QueryRowContext(ctx, `SELECT `+sqlExerciseColumns+` FROM exercises WHERE id = ?`, id)
	e, err := scanExercise(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
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
	rows, err := db.r.QueryContext(ctx, `
SELECT x.id, f.path, b.data FROM exercise_files f
JOIN exercises x ON x.n = f.exercise JOIN blobs b ON b.sha256 = f.sha256
WHERE ?1 = '' OR x.id = ?1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string][]byte{}
	for rows.Next() {
		var ex, p string
		var data []byte
		if err := rows.Scan(&ex, &p, &data); err != nil {
			return nil, err
		}
		if data == nil {
			data = []byte{}
		}
		if out[ex] == nil {
			out[ex] = map[string][]byte{}
		}
		out[ex][p] = data
	}
	return out, rows.Err()
}

// Exercises implements store.Store.
func (db *DB) Exercises(ctx context.Context) ([]store.Exercise, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+sqlExerciseColumns+` FROM exercises ORDER BY n`)
	if err != nil {
		return nil, fmt.Errorf("listing exercises: %w", err)
	}
	defer rows.Close()
	var out []store.Exercise
	for rows.Next() {
		e, err := scanExercise(rows)
		if err != nil {
			return nil, fmt.Errorf("listing exercises: %w", err)
		}
		out = append(out, *e)
	}
	if err := rows.Err(); err != nil {
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

func scanExercise(row interface{ Scan(...any) error }) (*store.Exercise, error) {
	var e store.Exercise
	var created, humans string
	var seed int64
	var codes []byte
	if err := row.Scan(&e.ID, &created, &e.Scenario, &e.Source, &seed, &humans, &e.Speed, &codes, &e.LogVersion, &e.FirstLogVersion); err != nil {
		return nil, err
	}
	var err error
	if e.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return nil, fmt.Errorf("exercise %q: creation time: %w: %w", e.ID, store.ErrCorrupt, err)
	}
	if err := json.Unmarshal([]byte(humans), &e.Humans); err != nil {
		return nil, fmt.Errorf("exercise %q: humans: %w: %w", e.ID, store.ErrCorrupt, err)
	}
	e.Seed = uint64(seed)
	if len(codes) > 0 {
		e.Codes = codes
	}
	if e.Source == nil {
		e.Source = []byte{}
	}
	return &e, nil
}

// Sessions implements store.Store.
func (db *DB) Sessions(ctx context.Context) ([]store.Session, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	rows, err := db.r.QueryContext(ctx, `
SELECT token, exercise, role, team, name, expires FROM sessions
WHERE expires IS NULL OR expires >= ? ORDER BY token`, store.UnixNanos(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		var s store.Session
		var expires sql.NullInt64
		if err := rows.Scan(&s.Token, &s.Exercise, &s.Role, &s.Team, &s.Name, &expires); err != nil {
			return nil, fmt.Errorf("listing sessions: %w", err)
		}
		if expires.Valid {
			s.Expires = time.Unix(0, expires.Int64)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing sessions: %w", err)
	}
	return out, nil
}
