package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"cmesim/store"
)

// Channel is the PostgreSQL notification channel on which the servers
// sharing a database exchange their notices, each a store.Notice encoded
// as JSON. Channels belong to the database, not to a schema: cmesims kept
// in different schemas of one database hear each other's notices, which
// costs them needless reads but misleads neither, as a notice only says
// what to read again.
const Channel = "cmesim"

// maxPayload is the size that a notification's payload must stay under:
// PostgreSQL refuses one of 8000 bytes or more.
const maxPayload = 8000

// sqlNotice returns an SQL expression that sends on Channel the notice
// that the JSON object expression obj builds, or a NoticeResync if that is
// too long for a notification (an exercise id of thousands of bytes): a
// notice must never be why a write fails.
func sqlNotice(obj string) string {
	return fmt.Sprintf(`pg_notify('%s', (SELECT CASE WHEN octet_length(p) < %d THEN p ELSE '{"kind":"%s"}' END
		FROM (SELECT (%s)::text) AS notice (p)))`, Channel, maxPayload, store.NoticeResync, obj)
}

// sqlNotifyEvents, in the RETURNING list of an UPDATE of exercises x that
// moves x's last_seq on, sends the exercise's NoticeEvents with the new
// last_seq. Its JSON is what encoding/json decodes into a store.Notice.
var sqlNotifyEvents = sqlNotice(`json_build_object('kind', '` + string(store.NoticeEvents) + `', 'exercise', x.id, 'seq', x.last_seq)`)

// sqlNotifyLease, in the RETURNING list of an UPDATE of exercises x,
// sends the exercise's NoticeLease.
var sqlNotifyLease = sqlNotice(`json_build_object('kind', '` + string(store.NoticeLease) + `', 'exercise', x.id)`)

// sqlLeft is how long the lease of the exercise row x has left, in
// microseconds on the database's clock as it answers (negative once it
// has expired); NULL if nobody holds it. It uses clock_timestamp(), not
// now(), the start of the transaction: a claim that waited for another's
// lock must not see more left than the other's ttl.
const sqlLeft = `(extract(epoch FROM x.lease_until - clock_timestamp()) * 1000000)::bigint`

// sqlClaim takes the lease of exercise $1 for holder $2 at address $3, or
// renews it, for $4 microseconds from now, if nobody holds it, $2 does, or
// it has expired. The exercise's row is locked first, so that the lease it
// finds is the latest and stays so until the statement commits: of
// concurrent claims, exactly one wins and the others see its lease. It
// returns one row, or none if the exercise does not exist: whether $2
// holds the lease, the holder and address, and the time left (sqlLeft). A
// claim that changes the holder sends a NoticeLease.
var sqlClaim = `
WITH old AS (
	SELECT n, lease_holder, lease_address, lease_until FROM exercises
	WHERE id = $1::text
	FOR NO KEY UPDATE
), claimed AS (
	UPDATE exercises x
	SET lease_holder = $2::text, lease_address = $3::text,
		lease_until = now() + $4::bigint * interval '1 microsecond'
	FROM old o
	WHERE x.n = o.n AND (o.lease_holder IS NULL OR o.lease_holder = $2::text OR o.lease_until <= now())
	RETURNING x.lease_holder, x.lease_address, ` + sqlLeft + ` AS left_us,
		CASE WHEN o.lease_holder IS DISTINCT FROM $2::text THEN ` + sqlNotifyLease + ` END AS notified
)
SELECT true, lease_holder, lease_address, left_us FROM claimed
UNION ALL
SELECT false, x.lease_holder, x.lease_address, ` + sqlLeft + ` FROM old x
WHERE NOT EXISTS (SELECT FROM claimed)`

// sqlRelease clears the lease of exercise $1 if holder $2 has it (expired
// or not), and then sends a NoticeLease.
var sqlRelease = `
WITH released AS (
	UPDATE exercises x SET lease_holder = NULL, lease_address = NULL, lease_until = NULL
	WHERE id = $1::text AND lease_holder = $2::text
	RETURNING ` + sqlNotifyLease + `
)
SELECT count(*) FROM released`

// sqlLease reads the lease of exercise $1: holder, address and time left.
const sqlLease = `SELECT x.lease_holder, x.lease_address, ` + sqlLeft + ` FROM exercises x WHERE x.id = $1`

// Claim implements store.Cluster. The lease is claimed, or found held by
// another, in one statement timed by the database's clock (see sqlClaim).
// It does not go through the committer: it is one small statement on a
// connection of the read pool, so that it never waits behind a batch of
// appends. ttl is kept to the microsecond.
func (db *DB) Claim(ctx context.Context, exercise string, holder store.Holder, ttl time.Duration) (store.Lease, error) {
	switch {
	case db.closed():
		return store.Lease{}, db.errClosed()
	case holder.ID == "":
		return store.Lease{}, fmt.Errorf("claiming exercise %q: the holder has no ID", exercise)
	case ttl < time.Microsecond:
		return store.Lease{}, fmt.Errorf("claiming exercise %q: lease duration %v is too short (the least is 1µs)", exercise, ttl)
	case hasNUL(exercise):
		return store.Lease{}, noExercise(exercise)
	case hasNUL(holder.ID) || hasNUL(holder.Address):
		return store.Lease{}, fmt.Errorf("claiming exercise %q: holder %q at %q: a NUL byte, which PostgreSQL's text cannot store", exercise, holder.ID, holder.Address)
	}
	var held bool
	var id, address *string
	var left *int64
	err := db.retry(ctx, func() error {
		return db.pool.QueryRow(ctx, sqlClaim, exercise, holder.ID, holder.Address, ttl.Microseconds()).Scan(&held, &id, &address, &left)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.Lease{}, noExercise(exercise)
	case err != nil:
		return store.Lease{}, fmt.Errorf("claiming exercise %q in the database %s: %w", exercise, db.name, err)
	}
	l := lease(id, address, left)
	l.Held = held
	return l, nil
}

// Release implements store.Cluster. Releasing the lease of an exercise
// that does not exist does nothing, as does releasing one that holder
// does not hold; only a release that clears the lease sends a NoticeLease.
func (db *DB) Release(ctx context.Context, exercise, holder string) error {
	switch {
	case db.closed():
		return db.errClosed()
	case holder == "":
		return fmt.Errorf("releasing exercise %q: the holder has no ID", exercise)
	case hasNUL(exercise) || hasNUL(holder):
		return nil // it cannot be stored, so it holds nothing
	}
	err := db.retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, sqlRelease, exercise, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("releasing exercise %q in the database %s: %w", exercise, db.name, err)
	}
	return nil
}

// Lease implements store.Cluster. An expired lease is returned with its
// last holder and Left zero or less; Held is always false.
func (db *DB) Lease(ctx context.Context, exercise string) (store.Lease, error) {
	if db.closed() {
		return store.Lease{}, db.errClosed()
	}
	if hasNUL(exercise) {
		return store.Lease{}, noExercise(exercise)
	}
	var id, address *string
	var left *int64
	err := db.retry(ctx, func() error {
		return db.pool.QueryRow(ctx, sqlLease, exercise).Scan(&id, &address, &left)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.Lease{}, noExercise(exercise)
	case err != nil:
		return store.Lease{}, db.readFailed(exercise, err)
	}
	return lease(id, address, left), nil
}

// lease makes a store.Lease of the columns sqlClaim and sqlLease return.
func lease(id, address *string, left *int64) store.Lease {
	var l store.Lease
	if id != nil {
		l.Holder.ID = *id
	}
	if address != nil {
		l.Holder.Address = *address
	}
	if left != nil {
		switch us := *left; {
		case us > math.MaxInt64/int64(time.Microsecond):
			l.Left = math.MaxInt64
		case us < math.MinInt64/int64(time.Microsecond):
			l.Left = math.MinInt64
		default:
			l.Left = time.Duration(us) * time.Microsecond
		}
	}
	return l
}

// Session implements store.Cluster. Like Sessions, it decides what has
// expired with db.Now. Errors never show the token, a secret.
func (db *DB) Session(ctx context.Context, token string) (*store.Session, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	if hasNUL(token) {
		return nil, fmt.Errorf("session: %w", store.ErrNotFound) // it cannot be stored
	}
	now := store.UnixNanos(db.Now())
	var s store.Session
	var expires *int64
	err := db.retry(ctx, func() error {
		return db.pool.QueryRow(ctx, `
SELECT token, exercise, role, team, name, expires FROM sessions
WHERE token = $1 AND (expires IS NULL OR expires >= $2)`, token, now).Scan(&s.Token, &s.Exercise, &s.Role, &s.Team, &s.Name, &expires)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("session: %w", store.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("reading a session from the database %s: %w", db.name, err)
	}
	if expires != nil {
		s.Expires = time.Unix(0, *expires)
	}
	return &s, nil
}

// Notify implements store.Cluster: it sends n, encoded as JSON, on
// Channel. A notice must encode to less than 8000 bytes, PostgreSQL's
// limit; a longer one is refused with an error.
func (db *DB) Notify(ctx context.Context, n store.Notice) error {
	if db.closed() {
		return db.errClosed()
	}
	if n.Kind == "" {
		return errors.New("sending a notice: it has no kind")
	}
	payload, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("sending a %s notice: %w", n.Kind, err)
	}
	if len(payload) >= maxPayload {
		return fmt.Errorf("sending a %s notice: it is %d bytes long as JSON; PostgreSQL's notifications must be shorter than %d", n.Kind, len(payload), maxPayload)
	}
	err = db.retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload))
		return err
	})
	if err != nil {
		return fmt.Errorf("sending a %s notice through the database %s: %w", n.Kind, db.name, err)
	}
	return nil
}

// hasNUL reports whether s holds a NUL byte, which PostgreSQL's text
// cannot hold: no exercise, session or holder has one.
func hasNUL(s string) bool {
	return strings.IndexByte(s, 0) >= 0
}

func noExercise(exercise string) error {
	return fmt.Errorf("exercise %q: %w", exercise, store.ErrNotFound)
}

// sqlRenew is sqlClaim for a list of exercises ($1) at once, which also
// records the holder ($2 at $3) as a live server for the lease time ($4
// microseconds). The rows are locked in key order, so that two servers
// renewing overlapping lists cannot deadlock. It returns one row per
// exercise that exists: its id, then sqlClaim's columns.
var sqlRenew = `
WITH server AS (
	INSERT INTO servers (id, address, until)
	VALUES ($2::text, $3::text, now() + $4::bigint * interval '1 microsecond')
	ON CONFLICT (id) DO UPDATE SET address = excluded.address, until = excluded.until
), old AS (
	SELECT n, id, lease_holder, lease_address, lease_until FROM exercises
	WHERE id = ANY($1::text[])
	ORDER BY n
	FOR NO KEY UPDATE
), claimed AS (
	UPDATE exercises x
	SET lease_holder = $2::text, lease_address = $3::text,
		lease_until = now() + $4::bigint * interval '1 microsecond'
	FROM old o
	WHERE x.n = o.n AND (o.lease_holder IS NULL OR o.lease_holder = $2::text OR o.lease_until <= now())
	RETURNING x.n, x.id, x.lease_holder, x.lease_address, ` + sqlLeft + ` AS left_us,
		CASE WHEN o.lease_holder IS DISTINCT FROM $2::text THEN ` + sqlNotifyLease + ` END AS notified
)
SELECT id, true, lease_holder, lease_address, left_us FROM claimed
UNION ALL
SELECT x.id, false, x.lease_holder, x.lease_address, ` + sqlLeft + ` FROM old x
WHERE x.n NOT IN (SELECT n FROM claimed)`

// sqlTransfer hands the lease of exercise $1 from holder $2 to $3 at $4
// for $5 microseconds, and sends a NoticeLease.
var sqlTransfer = `
WITH moved AS (
	UPDATE exercises x SET lease_holder = $3::text, lease_address = $4::text,
		lease_until = now() + $5::bigint * interval '1 microsecond'
	WHERE id = $1::text AND lease_holder = $2::text
	RETURNING ` + sqlNotifyLease + `
)
SELECT count(*) FROM moved`

// sqlServers lists the live servers with the exercises whose lease they
// hold and those exercises' unexpired sessions ($1: now, Unix ns).
const sqlServers = `
SELECT s.id, s.address, count(DISTINCT x.n), count(ss.token)
FROM servers s
LEFT JOIN exercises x ON x.lease_holder = s.id AND x.lease_until > now()
LEFT JOIN sessions ss ON ss.exercise = x.id AND (ss.expires IS NULL OR ss.expires >= $1)
WHERE s.until > now()
GROUP BY s.id, s.address
ORDER BY s.id COLLATE "C"`

// Renew implements store.Cluster, in one statement (see sqlRenew): a
// server's lease tick costs one round trip however many exercises it owns.
func (db *DB) Renew(ctx context.Context, holder store.Holder, exercises []string, ttl time.Duration) (map[string]store.Lease, error) {
	switch {
	case db.closed():
		return nil, db.errClosed()
	case holder.ID == "":
		return nil, errors.New("renewing leases: the holder has no ID")
	case ttl < time.Microsecond:
		return nil, fmt.Errorf("renewing leases: lease duration %v is too short (the least is 1µs)", ttl)
	case hasNUL(holder.ID) || hasNUL(holder.Address):
		return nil, fmt.Errorf("renewing leases: holder %q at %q: a NUL byte, which PostgreSQL's text cannot store", holder.ID, holder.Address)
	}
	ids := make([]string, 0, len(exercises))
	for _, id := range exercises {
		if !hasNUL(id) { // it cannot be stored, so it does not exist
			ids = append(ids, id)
		}
	}
	var out map[string]store.Lease
	err := db.retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, sqlRenew, ids, holder.ID, holder.Address, ttl.Microseconds())
		if err != nil {
			return err
		}
		defer rows.Close()
		out = make(map[string]store.Lease, len(ids))
		for rows.Next() {
			var exercise string
			var held bool
			var id, address *string
			var left *int64
			if err := rows.Scan(&exercise, &held, &id, &address, &left); err != nil {
				return err
			}
			l := lease(id, address, left)
			l.Held = held
			out[exercise] = l
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("renewing %d leases in the database %s: %w", len(ids), db.name, err)
	}
	return out, nil
}

// Transfer implements store.Cluster.
func (db *DB) Transfer(ctx context.Context, exercise, from string, to store.Holder, ttl time.Duration) (bool, error) {
	switch {
	case db.closed():
		return false, db.errClosed()
	case from == "" || to.ID == "":
		return false, fmt.Errorf("handing exercise %q over: a holder has no ID", exercise)
	case ttl < time.Microsecond:
		return false, fmt.Errorf("handing exercise %q over: lease duration %v is too short (the least is 1µs)", exercise, ttl)
	case hasNUL(exercise) || hasNUL(from):
		return false, nil // it cannot be stored, so nobody holds it
	case hasNUL(to.ID) || hasNUL(to.Address):
		return false, fmt.Errorf("handing exercise %q over: holder %q at %q: a NUL byte, which PostgreSQL's text cannot store", exercise, to.ID, to.Address)
	}
	var n int
	err := db.retry(ctx, func() error {
		return db.pool.QueryRow(ctx, sqlTransfer, exercise, from, to.ID, to.Address, ttl.Microseconds()).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("handing exercise %q over in the database %s: %w", exercise, db.name, err)
	}
	return n == 1, nil
}

// Servers implements store.Cluster. Like Sessions, it decides which
// sessions have expired with db.Now; leases and servers run out on the
// database's clock.
func (db *DB) Servers(ctx context.Context) ([]store.ServerLoad, error) {
	if db.closed() {
		return nil, db.errClosed()
	}
	var out []store.ServerLoad
	err := db.retry(ctx, func() error {
		rows, err := db.pool.Query(ctx, sqlServers, store.UnixNanos(db.Now()))
		if err != nil {
			return err
		}
		defer rows.Close()
		out = nil
		for rows.Next() {
			var l store.ServerLoad
			var exercises, participants int64
			if err := rows.Scan(&l.Holder.ID, &l.Holder.Address, &exercises, &participants); err != nil {
				return err
			}
			l.Exercises, l.Participants = int(exercises), int(participants)
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing the servers in the database %s: %w", db.name, err)
	}
	return out, nil
}

// Leave implements store.Cluster.
func (db *DB) Leave(ctx context.Context, holder string) error {
	if db.closed() {
		return db.errClosed()
	}
	if hasNUL(holder) {
		return nil
	}
	err := db.retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, `DELETE FROM servers WHERE id = $1`, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("leaving the servers in the database %s: %w", db.name, err)
	}
	return nil
}
