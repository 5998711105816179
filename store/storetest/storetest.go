// Package storetest is the conformance suite for store.Store: every backend
// runs it from its own tests, so that SQLite and PostgreSQL (and any later
// backend) behave the same way to the server.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
)

// Run runs the conformance suite against a backend. open must return a
// store whose contents are determined by dir: calling it again with the
// same dir (after Close) gives back the same data, and a fresh dir gives an
// empty store. Backends without files may use dir as the name of a fresh
// database or schema. Run closes every store it opens.
func Run(t *testing.T, open func(t *testing.T, dir string) store.Store) {
	t.Helper()
	mustOpen := func(t *testing.T) (store.Store, string) {
		t.Helper()
		dir := t.TempDir()
		s := open(t, dir)
		t.Cleanup(func() { s.Close() })
		return s, dir
	}
	t.Run("Exercises", func(t *testing.T) {
		s, _ := mustOpen(t)
		testExercises(t, s)
	})
	t.Run("LogVersions", func(t *testing.T) {
		s, _ := mustOpen(t)
		testLogVersions(t, s)
	})
	t.Run("AppendAndRead", func(t *testing.T) {
		s, _ := mustOpen(t)
		testAppendAndRead(t, s)
	})
	t.Run("ErrSequence", func(t *testing.T) {
		s, _ := mustOpen(t)
		testErrSequence(t, s)
	})
	t.Run("AppendUnknownExercise", func(t *testing.T) {
		s, _ := mustOpen(t)
		ctx := context.Background()
		if err := s.Append(ctx, "nope", fakeEvents(1, 1)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Append to an unknown exercise: err = %v, want ErrNotFound", err)
		}
		if _, err := s.Events(ctx, "nope", 0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Events of an unknown exercise: err = %v, want ErrNotFound", err)
		}
		if _, err := s.LastSeq(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("LastSeq of an unknown exercise: err = %v, want ErrNotFound", err)
		}
		if err := s.Append(ctx, "nope", nil); err != nil {
			t.Fatalf("appending no events: %v", err)
		}
	})
	t.Run("ConcurrentAppends", func(t *testing.T) {
		s, _ := mustOpen(t)
		testConcurrentAppends(t, s)
	})
	t.Run("CancelledContext", func(t *testing.T) {
		s, _ := mustOpen(t)
		ctx := context.Background()
		mustCreate(t, s, "x")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Append(cctx, "x", fakeEvents(1, 1)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Append with a cancelled context: err = %v, want context.Canceled", err)
		}
		if last, err := s.LastSeq(ctx, "x"); err != nil || last != 0 {
			t.Fatalf("LastSeq = %d, %v after a cancelled append; want 0, nil", last, err)
		}
	})
	t.Run("Sessions", func(t *testing.T) {
		s, _ := mustOpen(t)
		testSessions(t, s)
	})
	t.Run("RealLog", func(t *testing.T) {
		s, _ := mustOpen(t)
		testRealLog(t, s)
	})
	t.Run("Reopen", func(t *testing.T) {
		testReopen(t, open)
	})
	t.Run("Closed", func(t *testing.T) {
		s := open(t, t.TempDir())
		ctx := context.Background()
		mustCreate(t, s, "x")
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Append(ctx, "x", fakeEvents(1, 1)); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Append after Close: err = %v, want ErrClosed", err)
		}
		if _, err := s.Events(ctx, "x", 0); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Events after Close: err = %v, want ErrClosed", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
}

// exercise returns a fully populated exercise for tests.
func exercise(id string, n int) *store.Exercise {
	return &store.Exercise{
		ID:       id,
		Created:  time.Date(2026, 3, 14, 9, 26, 53, 589793238+n, time.FixedZone("COT", -5*3600)),
		Scenario: "grid-ransomware",
		Source:   []byte("name: Apagón Andino\n# " + id + "\n"),
		Seed:     1<<63 + uint64(n), // the top bit must survive
		Humans:   []string{"co-csirt", "pe-csirt"},
		Speed:    1.5,
		Codes:    json.RawMessage(`{"facilitator":"ABC123","teams":{"co-csirt":"XYZ789"}}`),
		// The same CSV in every exercise (stored once), a PNG of each
		// parity and an empty file.
		Files: map[string][]byte{
			"attachments/iocs.csv":                 []byte("type,value\nipv4,203.0.113.88\n"),
			fmt.Sprintf("shots/alert-%d.png", n%2): {0x89, 'P', 'N', 'G', byte(n % 2), 0, 0xff},
			"empty.txt":                            {},
		},
		// A log begun by a cmesim before log versions and continued by
		// this one, in the odd exercises.
		LogVersion:      engine.LogVersion,
		FirstLogVersion: engine.LogVersion - n%2,
	}
}

func mustCreate(t *testing.T, s store.Store, id string) {
	t.Helper()
	if err := s.CreateExercise(context.Background(), exercise(id, 0)); err != nil {
		t.Fatalf("CreateExercise(%q): %v", id, err)
	}
}

func sameExercise(t *testing.T, got, want *store.Exercise) {
	t.Helper()
	if !got.Created.Equal(want.Created) {
		t.Errorf("exercise %q: Created = %v, want %v", want.ID, got.Created, want.Created)
	}
	g, w := *got, *want
	g.Created, w.Created = time.Time{}, time.Time{}
	if !bytes.Equal(g.Source, w.Source) || !bytes.Equal(g.Codes, w.Codes) {
		t.Errorf("exercise %q: Source or Codes differ:\n got %q %q\nwant %q %q", want.ID, g.Source, g.Codes, w.Source, w.Codes)
	}
	g.Source, w.Source, g.Codes, w.Codes = nil, nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("exercise:\n got %+v\nwant %+v", g, w)
	}
}

func testExercises(t *testing.T, s store.Store) {
	ctx := context.Background()
	if list, err := s.Exercises(ctx); err != nil || len(list) != 0 {
		t.Fatalf("Exercises of an empty store = %v, %v; want none", list, err)
	}
	// Ids in an order that is neither sorted nor reversed, to check that
	// the list is in creation order.
	ids := []string{"m", "b", "z", "a", "k"}
	for i, id := range ids {
		if err := s.CreateExercise(ctx, exercise(id, i)); err != nil {
			t.Fatalf("CreateExercise(%q): %v", id, err)
		}
	}
	err := s.CreateExercise(ctx, exercise("z", 9))
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("creating a duplicate: err = %v, want ErrExists", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte(`"z"`)) {
		t.Errorf("error %q does not name the exercise", err)
	}
	for i, id := range ids {
		got, err := s.Exercise(ctx, id)
		if err != nil {
			t.Fatalf("Exercise(%q): %v", id, err)
		}
		sameExercise(t, got, exercise(id, i))
	}
	if _, err := s.Exercise(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Exercise(nope): err = %v, want ErrNotFound", err)
	}
	list, err := s.Exercises(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(ids) {
		t.Fatalf("Exercises: %d, want %d", len(list), len(ids))
	}
	for i := range list {
		if list[i].ID != ids[i] {
			t.Fatalf("Exercises[%d] = %q, want %q (creation order)", i, list[i].ID, ids[i])
		}
		sameExercise(t, &list[i], exercise(ids[i], i))
	}

	t.Run("Minimal", func(t *testing.T) {
		e := &store.Exercise{ID: "minimal"}
		if err := s.CreateExercise(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Exercise(ctx, "minimal")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Source) != 0 || got.Codes != nil || len(got.Humans) != 0 || got.Seed != 0 || !got.Created.Equal(time.Time{}) {
			t.Fatalf("minimal exercise came back as %+v", got)
		}
		if got.LogVersion != engine.LogVersion || got.FirstLogVersion != engine.LogVersion {
			t.Fatalf("minimal exercise: log versions %d and %d, want both %d (the current one)", got.FirstLogVersion, got.LogVersion, engine.LogVersion)
		}
	})
}

// testLogVersions checks that RaiseLogVersion raises the newest version of
// a log, never lowers it, and leaves the oldest alone.
func testLogVersions(t *testing.T, s store.Store) {
	lv, ok := s.(store.LogVersioner)
	if !ok {
		t.Fatalf("%T does not implement store.LogVersioner", s)
	}
	ctx := context.Background()
	if err := s.CreateExercise(ctx, &store.Exercise{ID: "old", LogVersion: 1, FirstLogVersion: 1}); err != nil {
		t.Fatal(err)
	}
	versions := func() (first, last int) {
		t.Helper()
		e, err := s.Exercise(ctx, "old")
		if err != nil {
			t.Fatal(err)
		}
		return e.FirstLogVersion, e.LogVersion
	}
	if first, last := versions(); first != 1 || last != 1 {
		t.Fatalf("created with versions 1 and 1, read back %d and %d", first, last)
	}
	if err := lv.RaiseLogVersion(ctx, "old", 3); err != nil {
		t.Fatal(err)
	}
	if err := lv.RaiseLogVersion(ctx, "old", 2); err != nil {
		t.Fatal(err)
	}
	if first, last := versions(); first != 1 || last != 3 {
		t.Fatalf("after raising to 3 then 2: versions %d and %d, want 1 and 3", first, last)
	}
	if err := lv.RaiseLogVersion(ctx, "nope", 2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RaiseLogVersion of an unknown exercise: err = %v, want ErrNotFound", err)
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
			e.Data.Command = &engine.Command{Type: engine.CmdNote, By: engine.Principal{Role: engine.RoleEvaluator, Name: "Eva"}, Text: "note"}
		}
		out = append(out, e)
	}
	return out
}

func mustEvents(t *testing.T, s store.Store, id string, since uint64) []engine.Event {
	t.Helper()
	got, err := s.Events(context.Background(), id, since)
	if err != nil {
		t.Fatalf("Events(%q, %d): %v", id, since, err)
	}
	return got
}

// checkLog checks that the stored log of id is exactly want, read whole
// and from every since, and that LastSeq agrees.
func checkLog(t *testing.T, s store.Store, id string, want []engine.Event) {
	t.Helper()
	last, err := s.LastSeq(context.Background(), id)
	if err != nil {
		t.Fatalf("LastSeq(%q): %v", id, err)
	}
	if last != uint64(len(want)) {
		t.Fatalf("LastSeq(%q) = %d, want %d", id, last, len(want))
	}
	n := uint64(len(want))
	for _, since := range []uint64{0, 1, n / 2, max(n, 1) - 1, n, n + 10, math.MaxUint64} {
		got := mustEvents(t, s, id, since)
		w := want[min(since, n):]
		if len(got) != len(w) {
			t.Fatalf("Events(%q, %d): %d events, want %d", id, since, len(got), len(w))
		}
		if len(w) > 0 && !reflect.DeepEqual(got, w) {
			for i := range got {
				if !reflect.DeepEqual(got[i], w[i]) {
					t.Fatalf("Events(%q, %d)[%d]:\n got %+v\nwant %+v", id, since, i, got[i], w[i])
				}
			}
		}
	}
}

func testAppendAndRead(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCreate(t, s, "x")
	mustCreate(t, s, "y")
	if got := mustEvents(t, s, "x", 0); len(got) != 0 {
		t.Fatalf("a new log has %d events", len(got))
	}
	checkLog(t, s, "x", nil)
	all := fakeEvents(1, 40)
	// Batches of various sizes, interleaved with another exercise.
	for _, b := range [][2]int{{0, 1}, {1, 2}, {2, 10}, {10, 11}, {11, 39}, {39, 40}} {
		if err := s.Append(ctx, "x", all[b[0]:b[1]]); err != nil {
			t.Fatalf("Append(x, %d–%d): %v", b[0]+1, b[1], err)
		}
		if err := s.Append(ctx, "y", fakeEvents(uint64(b[0]+1), uint64(b[1]))); err != nil {
			t.Fatalf("Append(y, %d–%d): %v", b[0]+1, b[1], err)
		}
	}
	checkLog(t, s, "x", all)
	checkLog(t, s, "y", all)
	for since := range uint64(41) {
		if got := mustEvents(t, s, "x", since); len(got) != 40-int(since) || (len(got) > 0 && got[0].Seq != since+1) {
			t.Fatalf("Events(x, %d): %d events from %v", since, len(got), got)
		}
	}
}

func testErrSequence(t *testing.T, s store.Store) {
	ctx := context.Background()
	mustCreate(t, s, "x")
	all := fakeEvents(1, 10)
	if err := s.Append(ctx, "x", all[1:3]); !errors.Is(err, store.ErrSequence) {
		t.Fatalf("first event not 1: err = %v, want ErrSequence", err)
	}
	if err := s.Append(ctx, "x", []engine.Event{{Seq: 0, Type: engine.EventCreated}}); !errors.Is(err, store.ErrSequence) {
		t.Fatalf("seq 0: err = %v, want ErrSequence", err)
	}
	checkLog(t, s, "x", nil)
	if err := s.Append(ctx, "x", all[:5]); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		events []engine.Event
	}{
		{"Gap", all[6:8]},
		{"Duplicate", all[4:6]},
		{"Rewrite", all[0:2]},
		{"NotConsecutive", []engine.Event{all[5], all[7]}},
		{"Repeated", []engine.Event{all[5], all[5]}},
		{"Backwards", []engine.Event{all[6], all[5]}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := s.Append(ctx, "x", c.events)
			if !errors.Is(err, store.ErrSequence) {
				t.Fatalf("err = %v, want ErrSequence", err)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(`"x"`)) {
				t.Errorf("error %q does not name the exercise", err)
			}
			checkLog(t, s, "x", all[:5])
		})
	}
	if err := s.Append(ctx, "x", all[5:]); err != nil {
		t.Fatalf("appending after the failures: %v", err)
	}
	checkLog(t, s, "x", all)
}

// testConcurrentAppends has 20 goroutines, four per exercise, append to 5
// exercises at once. Each goroutine claims the next seq of its exercise
// under a lock and appends outside it, as servers do, so appends to one
// exercise race each other and may arrive out of order: those fail with
// ErrSequence and are retried in order. Every event must land exactly once.
func testConcurrentAppends(t *testing.T, s store.Store) {
	ctx := context.Background()
	const exercises, perExercise, goroutines = 5, 60, 20
	type log struct {
		mu   sync.Mutex
		next uint64 // next seq to claim
	}
	logs := make([]*log, exercises)
	for i := range logs {
		mustCreate(t, s, fmt.Sprintf("x%d", i))
		logs[i] = &log{next: 1}
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			x := g % exercises
			id := fmt.Sprintf("x%d", x)
			l := logs[x]
			for {
				// One goroutine at a time per exercise appends, like the
				// exercise goroutine that owns a live exercise; the lock is
				// held across Append so seqs arrive in order.
				l.mu.Lock()
				if l.next > perExercise {
					l.mu.Unlock()
					return
				}
				n := min(uint64(1+g%3), perExercise-l.next+1)
				err := s.Append(ctx, id, fakeEvents(l.next, l.next+n-1))
				if err == nil {
					l.next += n
				}
				l.mu.Unlock()
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for x := range exercises {
		checkLog(t, s, fmt.Sprintf("x%d", x), fakeEvents(1, perExercise))
	}

	// Racing writers to one exercise: exactly one of each pair of appends
	// with the same seqs wins, the other gets ErrSequence.
	mustCreate(t, s, "race")
	var mu sync.Mutex
	wins := map[uint64]int{}
	for seq := uint64(1); seq <= 20; seq++ {
		var round sync.WaitGroup
		for range 3 {
			round.Go(func() {
				err := s.Append(ctx, "race", fakeEvents(seq, seq))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins[seq]++
				case !errors.Is(err, store.ErrSequence):
					t.Errorf("racing append of %d: %v", seq, err)
				}
			})
		}
		round.Wait()
	}
	for seq := uint64(1); seq <= 20; seq++ {
		if wins[seq] != 1 {
			t.Fatalf("event %d was appended %d times, want once", seq, wins[seq])
		}
	}
	checkLog(t, s, "race", fakeEvents(1, 20))
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	sessions := []store.Session{
		{Token: "t3", Exercise: "x", Role: "trainee", Team: "co-csirt", Name: "Juan", Expires: now.Add(time.Hour)},
		{Token: "t1", Exercise: "x", Role: "facilitator", Name: "María", Expires: now.Add(24 * time.Hour)},
		{Token: "t2", Exercise: "", Role: "admin", Name: "root"}, // never expires
		{Token: "old", Exercise: "x", Role: "observer", Name: "Obi", Expires: now.Add(-time.Minute)},
	}
	for _, ss := range sessions {
		if err := s.PutSession(ctx, ss); err != nil {
			t.Fatalf("PutSession(%s): %v", ss.Token, err)
		}
	}
	check := func(want ...store.Session) {
		t.Helper()
		got, err := s.Sessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("Sessions: %d, want %d: %+v", len(got), len(want), got)
		}
		for i := range got {
			g, w := got[i], want[i]
			if !g.Expires.Equal(w.Expires) {
				t.Fatalf("session %s expires %v, want %v", w.Token, g.Expires, w.Expires)
			}
			g.Expires, w.Expires = time.Time{}, time.Time{}
			if g != w {
				t.Fatalf("Sessions[%d] = %+v, want %+v", i, g, w)
			}
		}
	}
	check(sessions[1], sessions[2], sessions[0]) // by token; the expired one left out
	// Replacing a session.
	moved := sessions[0]
	moved.Team, moved.Expires = "pe-csirt", now.Add(2*time.Hour)
	if err := s.PutSession(ctx, moved); err != nil {
		t.Fatal(err)
	}
	check(sessions[1], sessions[2], moved)
	if err := s.DeleteSession(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, "t1"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	check(sessions[2], moved)
}

// realLog runs a bundled scenario to its end and returns its event log:
// every kind of event the engine writes, with commands.
func realLog(t *testing.T) []engine.Event {
	t.Helper()
	scn, problems := scenarios.LoadLibrary("grid-ransomware")
	if problems.HasErrors() {
		t.Fatal(problems)
	}
	x, err := engine.New(scn, engine.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	return x.Events()
}

func testRealLog(t *testing.T, s store.Store) {
	ctx := context.Background()
	want := realLog(t)
	if len(want) < 100 {
		t.Fatalf("the log has only %d events", len(want))
	}
	mustCreate(t, s, "real")
	for i := 0; i < len(want); {
		n := min(1+i%17, len(want)-i)
		if err := s.Append(ctx, "real", want[i:i+n]); err != nil {
			t.Fatal(err)
		}
		i += n
	}
	checkLog(t, s, "real", want)
	got := mustEvents(t, s, "real", 0)
	a, _ := engine.MarshalLog(got)
	b, _ := engine.MarshalLog(want)
	if !bytes.Equal(a, b) {
		t.Fatal("the log's JSON form changed through the store")
	}
}

func testReopen(t *testing.T, open func(t *testing.T, dir string) store.Store) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	mustCreate(t, s, "x")
	want := realLog(t)
	if err := s.Append(ctx, "x", want[:50]); err != nil {
		t.Fatal(err)
	}
	sess := store.Session{Token: "t", Exercise: "x", Role: "trainee", Team: "co-csirt", Name: "Juan", Expires: time.Now().Add(time.Hour)}
	if err := s.PutSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	defer s.Close()
	got, err := s.Exercise(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	sameExercise(t, got, exercise("x", 0))
	checkLog(t, s, "x", want[:50])
	// The log continues where it stopped.
	if err := s.Append(ctx, "x", want[49:51]); !errors.Is(err, store.ErrSequence) {
		t.Fatalf("appending a duplicate after reopening: err = %v, want ErrSequence", err)
	}
	if err := s.Append(ctx, "x", want[50:]); err != nil {
		t.Fatal(err)
	}
	checkLog(t, s, "x", want)
	list, err := s.Sessions(ctx)
	if err != nil || len(list) != 1 || list[0].Token != "t" || !list[0].Expires.Equal(sess.Expires) {
		t.Fatalf("sessions after reopening: %+v, %v", list, err)
	}
}
