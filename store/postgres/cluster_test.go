package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/postgres"
)

// TestMigrateFromVersion1 opens a database of schema version 1 holding an
// exercise, its events and a session: Open migrates it to the current
// version, keeps the data, and the exercise starts with nobody holding it.
func TestMigrateFromVersion1(t *testing.T) {
	u := NewDatabase(t)
	plain := Plain(t, u)
	ctx := context.Background()
	exec(t, plain, postgres.SchemaAt(1))
	exec(t, plain, `INSERT INTO exercises (id, created, created_ns, scenario, source, seed, speed) VALUES ('x', now(), 0, 's', '', 1, 1)`)
	events := fakeEvents(1, 3)
	exec(t, plain, `INSERT INTO events (exercise, first_seq, last_seq, data) SELECT n, 1, 3, $1 FROM exercises`, encode(events))
	exec(t, plain, `UPDATE exercises SET last_seq = 3`)
	exec(t, plain, `INSERT INTO sessions VALUES ('tok', 'x', 'trainee', 'blue', 'Ana', NULL)`)

	db := MustOpen(t, u)
	var version int
	if err := plain.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&version); err != nil || version != postgres.SchemaVersion {
		t.Fatalf("schema version %d, %v; want %d", version, err, postgres.SchemaVersion)
	}
	if postgres.SchemaVersion < 2 {
		t.Fatalf("SchemaVersion = %d, want at least 2", postgres.SchemaVersion)
	}
	if got, err := db.Events(ctx, "x", 0); err != nil || !reflect.DeepEqual(got, events) {
		t.Fatalf("Events after migrating: %d events, %v", len(got), err)
	}
	if s, err := db.Session(ctx, "tok"); err != nil || s.Name != "Ana" {
		t.Fatalf("Session after migrating: %+v, %v", s, err)
	}
	if l, err := db.Lease(ctx, "x"); err != nil || l != (store.Lease{}) {
		t.Fatalf("Lease after migrating: %+v, %v; want nobody", l, err)
	}
	if l, err := db.Claim(ctx, "x", store.Holder{ID: "a"}, time.Minute); err != nil || !l.Held {
		t.Fatalf("Claim after migrating: %+v, %v", l, err)
	}
	// Opening it again changes nothing.
	MustOpen(t, u).Close()
	if l, err := db.Lease(ctx, "x"); err != nil || l.Holder.ID != "a" {
		t.Fatalf("Lease after reopening: %+v, %v", l, err)
	}
}

// TestClaim checks the life of a lease: claimed by one of several racing
// holders, renewed by its holder, refused to others until it expires, then
// taken over.
func TestClaim(t *testing.T) {
	u := NewDatabase(t)
	servers := []*postgres.DB{MustOpen(t, u), MustOpen(t, u)}
	db := servers[0]
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	holder := func(i int) store.Holder {
		return store.Holder{ID: fmt.Sprint("server-", i), Address: fmt.Sprintf("http://10.0.0.%d:8080", i)}
	}
	if l, err := db.Lease(ctx, "x"); err != nil || l != (store.Lease{}) {
		t.Fatalf("Lease of a new exercise: %+v, %v; want nobody", l, err)
	}

	// Holders race, from two stores; exactly one wins, and all agree who.
	// The lease is long enough to outlast the race on a slow machine.
	race := func(round int) store.Holder {
		t.Helper()
		const racers, ttl = 8, time.Minute
		leases := make([]store.Lease, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				var err error
				if leases[i], err = servers[i%2].Claim(ctx, "x", holder(100*round+i), ttl); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		var winner store.Holder
		won := 0
		for i, l := range leases {
			if l.Held {
				won++
				winner = holder(100*round + i)
				if l.Holder != winner {
					t.Errorf("racer %d holds the lease, which says %+v", i, l.Holder)
				}
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d racers won the lease, want 1: %+v", round, won, leases)
		}
		for i, l := range leases {
			if l.Holder != winner {
				t.Errorf("round %d: racer %d sees %+v hold the lease, want %+v", round, i, l.Holder, winner)
			}
			if l.Left <= 0 || l.Left > ttl {
				t.Errorf("round %d: racer %d sees %v left, want in (0, %v]", round, i, l.Left, ttl)
			}
		}
		return winner
	}
	winner := race(1)

	// The holder renews, for a shorter time; the others cannot take it
	// before it expires.
	const ttl = time.Second
	for i := range 3 {
		if i > 0 {
			time.Sleep(ttl / 3)
		}
		l, err := servers[1].Claim(ctx, "x", winner, ttl)
		if err != nil || !l.Held || l.Holder != winner || l.Left <= ttl/2 || l.Left > ttl {
			t.Fatalf("renewal: %+v, %v; want held with about %v left", l, err, ttl)
		}
		l, err = db.Claim(ctx, "x", holder(7), time.Hour)
		if err != nil || l.Held || l.Holder != winner || l.Left <= 0 || l.Left > ttl {
			t.Fatalf("another's claim before expiry: %+v, %v; want refused, %v holding", l, err, winner.ID)
		}
	}
	l, err := db.Lease(ctx, "x")
	if err != nil || l.Held || l.Holder != winner || l.Left <= 0 || l.Left > ttl {
		t.Fatalf("Lease: %+v, %v; want %v holding with at most %v left", l, err, winner.ID, ttl)
	}

	// Once it expires, anybody may take it; even racing, one wins.
	time.Sleep(l.Left + 100*time.Millisecond)
	if l, err := db.Lease(ctx, "x"); err != nil || l.Holder != winner || l.Left > 0 {
		t.Fatalf("Lease once expired: %+v, %v; want %v with no time left", l, err, winner.ID)
	}
	second := race(2)
	if second == winner {
		t.Fatal("the same holder won twice")
	}

	// A holder whose lease expired reclaims it if nobody took it.
	if l, err := db.Claim(ctx, "x", second, 100*time.Millisecond); err != nil || !l.Held {
		t.Fatalf("renewal: %+v, %v", l, err)
	}
	time.Sleep(200 * time.Millisecond)
	if l, err := db.Claim(ctx, "x", second, time.Minute); err != nil || !l.Held || l.Left <= 0 || l.Left > time.Minute {
		t.Fatalf("reclaiming an expired lease: %+v, %v", l, err)
	}
}

// TestRelease checks that a released lease can be claimed at once, and
// that only its holder can release it.
func TestRelease(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	a, b := store.Holder{ID: "a", Address: "http://a"}, store.Holder{ID: "b", Address: "http://b"}
	if l, err := db.Claim(ctx, "x", a, time.Hour); err != nil || !l.Held {
		t.Fatalf("Claim: %+v, %v", l, err)
	}
	if err := db.Release(ctx, "x", "b"); err != nil {
		t.Fatalf("Release by another: %v", err)
	}
	if l, err := db.Lease(ctx, "x"); err != nil || l.Holder != a {
		t.Fatalf("Lease after another's release: %+v, %v; want a still holding", l, err)
	}
	if l, err := db.Claim(ctx, "x", b, time.Hour); err != nil || l.Held {
		t.Fatalf("b's claim: %+v, %v; want refused", l, err)
	}
	if err := db.Release(ctx, "x", "a"); err != nil {
		t.Fatal(err)
	}
	if l, err := db.Lease(ctx, "x"); err != nil || l != (store.Lease{}) {
		t.Fatalf("Lease after release: %+v, %v; want nobody", l, err)
	}
	if l, err := db.Claim(ctx, "x", b, time.Hour); err != nil || !l.Held || l.Holder != b {
		t.Fatalf("b's claim after the release: %+v, %v; want held", l, err)
	}
	// Releasing twice, or what does not exist, does nothing.
	for _, x := range []string{"x", "nope", "nul\x00"} {
		if err := db.Release(ctx, x, "a"); err != nil {
			t.Fatalf("Release(%q, a): %v", x, err)
		}
	}
	if l, err := db.Lease(ctx, "x"); err != nil || l.Holder != b {
		t.Fatalf("Lease: %+v, %v; want b holding", l, err)
	}
	if err := db.Release(ctx, "x", ""); err == nil {
		t.Fatal("Release by a holder without ID succeeded")
	}
}

// TestClaimErrors checks what Claim and Lease refuse.
func TestClaimErrors(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	a := store.Holder{ID: "a"}
	for _, x := range []string{"nope", "x\x00"} {
		if _, err := db.Claim(ctx, x, a, time.Minute); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Claim(%q): %v, want ErrNotFound", x, err)
		}
		if _, err := db.Lease(ctx, x); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Lease(%q): %v, want ErrNotFound", x, err)
		}
	}
	for name, c := range map[string]struct {
		holder store.Holder
		ttl    time.Duration
		words  string
	}{
		"NoID":        {store.Holder{Address: "http://a"}, time.Minute, "no ID"},
		"ZeroTTL":     {a, 0, "too short"},
		"NegativeTTL": {a, -time.Second, "too short"},
		"NULInID":     {store.Holder{ID: "a\x00"}, time.Minute, "NUL"},
		"NULInAddr":   {store.Holder{ID: "a", Address: "http://\x00"}, time.Minute, "NUL"},
	} {
		l, err := db.Claim(ctx, "x", c.holder, c.ttl)
		if err == nil || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: Claim = %+v, %v; want an error saying %q", name, l, err, c.words)
		}
	}
	if l, err := db.Lease(ctx, "x"); err != nil || l != (store.Lease{}) {
		t.Fatalf("refused claims changed the lease: %+v, %v", l, err)
	}
}

// TestSession checks the lookup of one session.
func TestSession(t *testing.T) {
	u := NewDatabase(t)
	db, other := MustOpen(t, u), MustOpen(t, u)
	ctx := context.Background()
	now := time.Now()
	db.Now = func() time.Time { return now }
	forever := store.Session{Token: "forever", Exercise: "x", Role: "trainee", Team: "blue", Name: "Ana"}
	later := store.Session{Token: "later", Exercise: "x", Role: "facilitator", Name: "Bo", Expires: now.Add(time.Hour)}
	gone := store.Session{Token: "gone", Exercise: "x", Role: "trainee", Team: "red", Name: "Cy", Expires: now.Add(-time.Second)}
	for _, s := range []store.Session{forever, later, gone} {
		// Signed in on the other server.
		if err := other.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []store.Session{forever, later} {
		got, err := db.Session(ctx, want.Token)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Expires.Equal(want.Expires) {
			t.Errorf("session %s expires %v, want %v", want.Token, got.Expires, want.Expires)
		}
		got.Expires, want.Expires = time.Time{}, time.Time{}
		if *got != want {
			t.Errorf("Session(%s) = %+v, want %+v", want.Token, *got, want)
		}
	}
	for _, token := range []string{"gone", "missing", "", "nul\x00"} {
		s, err := db.Session(ctx, token)
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Session(%q) = %+v, %v; want ErrNotFound", token, s, err)
		}
		if token != "" && strings.Contains(err.Error(), token) {
			t.Errorf("error %q shows the token", err)
		}
	}
	// Expiry follows db.Now.
	now = now.Add(2 * time.Hour)
	if s, err := db.Session(ctx, "later"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Session of an expired session = %+v, %v; want ErrNotFound", s, err)
	}
	if err := other.DeleteSession(ctx, "forever"); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Session(ctx, "forever"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Session of a deleted session = %+v, %v; want ErrNotFound", s, err)
	}
}

// listen calls db.Listen with a context cancelled when the test ends.
func listen(t *testing.T, db *postgres.DB) <-chan store.Notice {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := db.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// receive returns the next notice on ch, failing the test if none comes
// within 10 s or ch is closed.
func receive(t *testing.T, ch <-chan store.Notice) store.Notice {
	t.Helper()
	select {
	case n, ok := <-ch:
		if !ok {
			t.Fatal("the notice channel was closed")
		}
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no notice within 10 s")
	}
	panic("unreachable")
}

// markerSeq numbers the markers of until.
var markerSeq struct {
	sync.Mutex
	n int
}

// until sends a marker notice through db and returns the notices that ch
// delivers before it. Notices come in the order their transactions
// committed, so those returned are all that were committed before until
// was called.
func until(t *testing.T, db *postgres.DB, ch <-chan store.Notice) []store.Notice {
	t.Helper()
	return untilEach(t, db, ch)[0]
}

// untilEach is until for several listeners of one marker.
func untilEach(t *testing.T, db *postgres.DB, chs ...<-chan store.Notice) [][]store.Notice {
	t.Helper()
	markerSeq.Lock()
	markerSeq.n++
	marker := store.Notice{Kind: store.NoticeSignOut, Token: fmt.Sprint("marker-", markerSeq.n)}
	markerSeq.Unlock()
	if err := db.Notify(context.Background(), marker); err != nil {
		t.Fatal(err)
	}
	out := make([][]store.Notice, len(chs))
	for i, ch := range chs {
		for {
			n := receive(t, ch)
			if n == marker {
				break
			}
			out[i] = append(out[i], n)
		}
	}
	return out
}

// TestNotify checks that a notice reaches every listener, on this server
// and another, whole; that a notice too big is refused; and that
// notifications on the channel that are not notices are skipped.
func TestNotify(t *testing.T) {
	u := NewDatabase(t)
	a, b := MustOpen(t, u), MustOpen(t, u)
	chA, chB := listen(t, a), listen(t, b)
	ctx := context.Background()
	sent := []store.Notice{
		{Kind: store.NoticeClock, Exercise: "x", At: 90 * time.Minute},
		{Kind: store.NoticeSignOut, Token: "t\"ok\\en\u00e9\n"},
		{Kind: store.NoticeExercise, Exercise: "y"},
		{Kind: store.NoticeEvents, Exercise: "x", Seq: 1<<63 + 5},
	}
	for _, n := range sent {
		if err := a.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, Plain(t, u), `SELECT pg_notify($1, 'not json'), pg_notify($1, '{"seq": 3}'), pg_notify('other', '{"kind":"resync"}')`, postgres.Channel)
	for i, got := range untilEach(t, b, chA, chB) {
		if !reflect.DeepEqual(got, sent) {
			t.Errorf("listener %c received %+v, want %+v", 'a'+i, got, sent)
		}
	}
	if err := a.Notify(ctx, store.Notice{Kind: store.NoticeSignOut, Token: strings.Repeat("t", 8000)}); err == nil || !strings.Contains(err.Error(), "8000") {
		t.Errorf("Notify of a notice of 8000 bytes: %v, want refused", err)
	}
	if err := a.Notify(ctx, store.Notice{Exercise: "x"}); err == nil {
		t.Error("Notify of a notice without kind succeeded")
	}
	for i, got := range untilEach(t, a, chA, chB) {
		if len(got) != 0 {
			t.Errorf("listener %c received refused notices: %+v", 'a'+i, got)
		}
	}
}

// TestAppendNotices checks that each committed append sends exactly one
// NoticeEvents with the log's new end, also when the committer runs the
// appends of several exercises as one statement, and that an append that
// fails sends none.
func TestAppendNotices(t *testing.T) {
	u := NewDatabase(t)
	db, other := MustOpen(t, u), MustOpen(t, u)
	ch := listen(t, other)
	ctx := context.Background()
	const writers, each = 8, 30
	for w := range writers {
		if err := db.CreateExercise(ctx, &store.Exercise{ID: fmt.Sprint("x", w)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := until(t, db, ch); len(got) != 0 {
		t.Fatalf("creating exercises sent %+v", got)
	}

	// One append.
	if err := db.Append(ctx, "x0", fakeEvents(1, 3)); err != nil {
		t.Fatal(err)
	}
	want := []store.Notice{{Kind: store.NoticeEvents, Exercise: "x0", Seq: 3}}
	if got := until(t, db, ch); !reflect.DeepEqual(got, want) {
		t.Fatalf("an append sent %+v, want %+v", got, want)
	}

	// The database's JSON is encoding/json's, whatever the id holds.
	odd := "x \"q\" \\ \n\t\u00e9 \u2603 </script> \u2028"
	if err := db.CreateExercise(ctx, &store.Exercise{ID: odd}); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, odd, fakeEvents(1, 1)); err != nil {
		t.Fatal(err)
	}
	want = []store.Notice{{Kind: store.NoticeEvents, Exercise: odd, Seq: 1}}
	if got := until(t, db, ch); !reflect.DeepEqual(got, want) {
		t.Fatalf("an append to %q sent %+v, want %+v", odd, got, want)
	}

	// Appends that fail send nothing.
	if err := db.Append(ctx, "x0", fakeEvents(3, 4)); !errors.Is(err, store.ErrSequence) {
		t.Fatalf("appending a duplicate: %v, want ErrSequence", err)
	}
	if err := db.Append(ctx, "x0", fakeEvents(5, 5)); !errors.Is(err, store.ErrSequence) {
		t.Fatalf("appending after a gap: %v, want ErrSequence", err)
	}
	if err := db.Append(ctx, "nope", fakeEvents(1, 1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("appending to no exercise: %v, want ErrNotFound", err)
	}
	if got := until(t, db, ch); len(got) != 0 {
		t.Fatalf("failed appends sent %+v", got)
	}

	// Concurrent appends to several exercises share statements; each
	// append still sends its notice, and a conflicting one fails alone.
	before := db.Stats()
	var wg sync.WaitGroup
	for w := range writers {
		id := fmt.Sprint("x", w)
		start := uint64(1)
		if w == 0 {
			start = 4
		}
		wg.Go(func() {
			for seq := start; seq < start+each; seq++ {
				if err := db.Append(ctx, id, fakeEvents(seq, seq)); err != nil {
					t.Error(err)
					return
				}
				if seq%10 == 0 {
					if err := db.Append(ctx, id, fakeEvents(seq, seq)); !errors.Is(err, store.ErrSequence) {
						t.Errorf("appending event %d of %s again: %v, want ErrSequence", seq, id, err)
					}
				}
			}
		})
	}
	wg.Wait()
	after := db.Stats()
	t.Logf("%d appends in %d commits", after.Requests-before.Requests, after.Commits-before.Commits)
	got := until(t, db, ch)
	last := map[string]uint64{"x0": 3}
	for _, n := range got {
		if n.Kind != store.NoticeEvents || n.Seq != last[n.Exercise]+1 {
			t.Fatalf("received %+v after seq %d of %s: want each append's notice once, in order", n, last[n.Exercise], n.Exercise)
		}
		last[n.Exercise] = n.Seq
	}
	for w := range writers {
		id := fmt.Sprint("x", w)
		end := uint64(each)
		if w == 0 {
			end += 3
		}
		if last[id] != end {
			t.Errorf("the last notice of %s says %d, want %d", id, last[id], end)
		}
	}
}

// TestLeaseNotices checks that a claim by a new holder and a release send
// a NoticeLease, and that renewals and refused claims or releases do not.
func TestLeaseNotices(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ch := listen(t, db)
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	a, b := store.Holder{ID: "a"}, store.Holder{ID: "b"}
	lease := store.Notice{Kind: store.NoticeLease, Exercise: "x"}
	claim := func(h store.Holder, ttl time.Duration) {
		t.Helper()
		if _, err := db.Claim(ctx, "x", h, ttl); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		do   func()
		want []store.Notice
	}{
		{"claim", func() { claim(a, time.Second) }, []store.Notice{lease}},
		{"renewal", func() { claim(a, time.Second) }, nil},
		{"refused claim", func() { claim(b, time.Hour) }, nil},
		{"takeover", func() {
			l, err := db.Lease(ctx, "x")
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(l.Left + 50*time.Millisecond)
			claim(b, time.Hour)
		}, []store.Notice{lease}},
		{"release by another", func() { db.Release(ctx, "x", "a") }, nil},
		{"release", func() { db.Release(ctx, "x", "b") }, []store.Notice{lease}},
		{"release again", func() { db.Release(ctx, "x", "b") }, nil},
		{"claim after release", func() { claim(a, time.Hour) }, []store.Notice{lease}},
	}
	for _, s := range steps {
		s.do()
		if got := until(t, db, ch); !reflect.DeepEqual(got, s.want) {
			t.Fatalf("%s sent %+v, want %+v", s.name, got, s.want)
		}
	}
}

// TestLongExerciseID checks that an exercise whose NoticeEvents would be
// too long for a notification appends anyway, and sends a NoticeResync
// instead.
func TestLongExerciseID(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ch := listen(t, db)
	ctx := context.Background()
	id := strings.Repeat("x", 8000)
	if err := db.CreateExercise(ctx, &store.Exercise{ID: id}); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, id, fakeEvents(1, 2)); err != nil {
		t.Fatal(err)
	}
	want := []store.Notice{{Kind: store.NoticeResync}}
	if got := until(t, db, ch); !reflect.DeepEqual(got, want) {
		t.Fatalf("appending to an exercise with a long id sent %+v, want %+v", got, want)
	}
	if l, err := db.Claim(ctx, id, store.Holder{ID: "a"}, time.Minute); err != nil || !l.Held {
		t.Fatalf("Claim: %+v, %v", l, err)
	}
	if got := until(t, db, ch); !reflect.DeepEqual(got, want) {
		t.Fatalf("claiming an exercise with a long id sent %+v, want %+v", got, want)
	}
}

// TestListenReconnect kills Listen's connection from the server's side:
// Listen reconnects, delivers a NoticeResync, and notices flow again.
func TestListenReconnect(t *testing.T) {
	u := NewDatabase(t)
	db := MustOpen(t, u)
	ch := listen(t, db)
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	admin := Admin(t)
	for round := range 3 {
		var killed int
		if err := admin.QueryRow(ctx, `
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = $1 AND query LIKE 'LISTEN%'`, cfg.Database).Scan(&killed); err != nil {
			t.Fatal(err)
		}
		if killed != 1 {
			t.Fatalf("round %d: killed %d listening connections, want 1", round, killed)
		}
		if n := receive(t, ch); n.Kind != store.NoticeResync {
			t.Fatalf("round %d: after the connection was killed, received %+v, want a resync", round, n)
		}
		n := store.Notice{Kind: store.NoticeClock, Exercise: "x", At: time.Duration(round)}
		if err := db.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
		if got := receive(t, ch); got != n {
			t.Fatalf("round %d: after reconnecting, received %+v, want %+v", round, got, n)
		}
	}
}

// TestListenOverflow floods a listener that does not read: it never holds
// more than ListenBuffer notices, replaces those it drops with a
// NoticeResync delivered before any later notice, keeps the newest, and
// delivers notices normally again once read.
func TestListenOverflow(t *testing.T) {
	u := NewDatabase(t)
	db := MustOpen(t, u)
	ch := listen(t, db)
	const flood = 3*postgres.ListenBuffer + 100
	exec(t, Plain(t, u), `
SELECT pg_notify($1, json_build_object('kind', 'clock', 'at', i)::text) FROM generate_series(1, $2::int) i`, postgres.Channel, flood)
	// Wait until the listener has read the flood and the notice after it.
	last := store.Notice{Kind: store.NoticeClock, At: flood + 1}
	if err := db.Notify(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	deadline := time.After(time.Minute)
	for db.NoticesHandedOn() < flood+1 {
		select {
		case <-poll.C:
		case <-deadline:
			t.Fatalf("the listener handed on %d notices in a minute, want %d", db.NoticesHandedOn(), flood+1)
		}
	}
	if len(ch) > postgres.ListenBuffer {
		t.Fatalf("%d notices queued, more than %d", len(ch), postgres.ListenBuffer)
	}
	var got []store.Notice
	for len(ch) > 0 {
		got = append(got, <-ch)
	}
	check := func(got []store.Notice) {
		t.Helper()
		// Every run of notices missing must be followed by a resync.
		next := time.Duration(1) // the next At expected
		clock := -1              // the position of the last notice received
		gapAfter := -2           // the position of the last notice before notices missing; -2: none
		resync := -2             // the position of the last resync
		for i, n := range got {
			switch n.Kind {
			case store.NoticeResync:
				resync = i
			case store.NoticeClock:
				if n.At < next {
					t.Fatalf("notice %d after %d", n.At, next-1)
				}
				if n.At > next {
					gapAfter = clock
				}
				next = n.At + 1
				clock = i
			default:
				t.Fatalf("unexpected %+v", n)
			}
		}
		if next != flood+2 {
			t.Fatalf("the last notices, up to %d, are missing", flood+1)
		}
		if gapAfter != -2 && resync <= gapAfter {
			t.Fatalf("notices missing after the %d-th received, without a resync after them", gapAfter+1)
		}
	}
	check(got)
	if got[0].Kind != store.NoticeResync {
		t.Fatalf("received %d notices starting with %+v; want a resync first", len(got), got[0])
	}
	if got := until(t, db, ch); len(got) != 0 {
		t.Fatalf("after reading everything, received %+v", got)
	}

	// A receiver that reads slowly gets every notice or a resync after
	// those it missed, and few resyncs.
	var wg sync.WaitGroup
	got = got[:0]
	wg.Go(func() {
		for n := range ch {
			if n.Kind == store.NoticeSignOut {
				return
			}
			got = append(got, n)
			if len(got)%8 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	})
	exec(t, Plain(t, u), `
SELECT pg_notify($1, json_build_object('kind', 'clock', 'at', i)::text) FROM generate_series(1, $2::int) i`, postgres.Channel, flood+1)
	if err := db.Notify(context.Background(), store.Notice{Kind: store.NoticeSignOut}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	check(got)
	resyncs := 0
	for _, n := range got {
		if n.Kind == store.NoticeResync {
			resyncs++
		}
	}
	t.Logf("a slow receiver got %d notices of %d, %d of them resyncs", len(got)-resyncs, flood+1, resyncs)
	if most := (flood+1)/postgres.ListenBuffer + 1; resyncs > most {
		t.Fatalf("%d resyncs for %d notices, want at most %d", resyncs, flood+1, most)
	}
}

// listeners counts the goroutines of Listen running.
func listeners() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "postgres.(*listener)")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitListeners waits up to 5 s for no goroutine of Listen to run.
func waitListeners(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); listeners() > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d stack frames of Listen still running", listeners())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// closed reports whether ch is closed within 5 s, reading what it holds.
func closed(ch <-chan store.Notice) bool {
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// TestListenStop checks that the channel is closed when Listen's context
// is done or the DB is closed, leaving no goroutine behind, and that
// Listen fails when it cannot connect or the DB is closed.
func TestListenStop(t *testing.T) {
	u := NewDatabase(t)
	db, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitListeners(t) // other tests' listeners

	ctx, cancel := context.WithCancel(context.Background())
	ch, err := db.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if listeners() == 0 {
		t.Fatal("no goroutine of Listen is running")
	}
	cancel()
	if !closed(ch) {
		t.Fatal("the channel was not closed when the context was cancelled")
	}
	waitListeners(t)

	// Close closes the channels, full or not, and waits for their
	// goroutines.
	full, err := db.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exec(t, Plain(t, u), `SELECT pg_notify($1, json_build_object('kind', 'clock', 'at', i)::text) FROM generate_series(1, $2::int) i`, postgres.Channel, postgres.ListenBuffer-1)
	for deadline := time.Now().Add(10 * time.Second); len(full) < cap(full)-1; {
		if time.Now().After(deadline) {
			t.Fatal("the flood did not fill the channel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	idle, err := db.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Close has waited for them; a goroutine that has signalled it is done
	// may still be leaving its frames for a moment.
	waitListeners(t)
	if !closed(full) || !closed(idle) {
		t.Fatal("Close did not close the channels")
	}
	if _, err := db.Listen(context.Background()); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Listen after Close: %v, want ErrClosed", err)
	}
	ctx = context.Background()
	for name, err := range map[string]error{
		"Claim":   func() error { _, err := db.Claim(ctx, "x", store.Holder{ID: "a"}, time.Second); return err }(),
		"Release": db.Release(ctx, "x", "a"),
		"Lease":   func() error { _, err := db.Lease(ctx, "x"); return err }(),
		"Session": func() error { _, err := db.Session(ctx, "t"); return err }(),
		"Notify":  db.Notify(ctx, store.Notice{Kind: store.NoticeResync}),
	} {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}

	// A first connection that fails is an error.
	other := MustOpen(t, u)
	lctx, lcancel := context.WithCancel(context.Background())
	lcancel()
	if ch, err := other.Listen(lctx); err == nil {
		t.Fatalf("Listen with a done context succeeded (%v)", ch)
	} else {
		t.Log(err)
	}
	waitListeners(t)
}

// TestAppendedEventsReadable checks what a follower does with a
// NoticeEvents: the events it announces are readable when it arrives.
func TestAppendedEventsReadable(t *testing.T) {
	u := NewDatabase(t)
	writer, follower := MustOpen(t, u), MustOpen(t, u)
	ch := listen(t, follower)
	ctx := context.Background()
	if err := writer.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	events := fakeEvents(1, 100)
	done := make(chan error, 1)
	go func() {
		for i := range events {
			if err := writer.Append(ctx, "x", events[i:i+1]); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var have []engine.Event
	for uint64(len(have)) < 100 {
		n := receive(t, ch)
		if n.Kind != store.NoticeEvents {
			t.Fatalf("received %+v", n)
		}
		got, err := follower.Events(ctx, "x", uint64(len(have)))
		if err != nil {
			t.Fatal(err)
		}
		have = append(have, got...)
		if uint64(len(have)) < n.Seq {
			t.Fatalf("notice of seq %d, but the log ends at %d", n.Seq, len(have))
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(have, events) {
		t.Fatal("the follower read other events")
	}
}
