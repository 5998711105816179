package postgres_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"cmesim/store"
	"cmesim/store/postgres"
)

// TestRenew checks that one Renew claims or renews every lease it may, as
// Claim would, leaves the others' alone, skips unknown exercises, and
// registers its server, whose load Servers then counts.
func TestRenew(t *testing.T) {
	db := MustOpen(t, NewDatabase(t))
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if err := db.CreateExercise(ctx, &store.Exercise{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	one, two := store.Holder{ID: "one", Address: "http://one"}, store.Holder{ID: "two", Address: "http://two"}
	if l, err := db.Claim(ctx, "a", one, time.Hour); err != nil || !l.Held {
		t.Fatalf("Claim: %+v, %v", l, err)
	}
	got, err := db.Renew(ctx, two, []string{"a", "b", "c", "missing", "nul\x00"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["a"].Held || got["a"].Holder != one || !got["b"].Held || !got["c"].Held ||
		got["b"].Holder != two || got["c"].Left <= 0 || got["c"].Left > time.Hour {
		t.Fatalf("Renew: %+v; want a held by one, b and c by two", got)
	}
	if l, err := db.Lease(ctx, "b"); err != nil || l.Holder != two {
		t.Fatalf("Lease of b after Renew: %+v, %v", l, err)
	}
	// Renewing again keeps them; one is not a live server until it renews.
	if got, err := db.Renew(ctx, two, []string{"b", "c"}, time.Hour); err != nil || !got["b"].Held || !got["c"].Held {
		t.Fatalf("second Renew: %+v, %v", got, err)
	}
	for _, tok := range []string{"t1", "t2", "t3"} {
		if err := db.PutSession(ctx, store.Session{Token: tok, Exercise: "b", Role: "trainee"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSession(ctx, store.Session{Token: "t4", Exercise: "a", Role: "trainee"}); err != nil {
		t.Fatal(err)
	}
	want := []store.ServerLoad{{Holder: two, Exercises: 2, Participants: 3}}
	if s, err := db.Servers(ctx); err != nil || !reflect.DeepEqual(s, want) {
		t.Fatalf("Servers: %+v, %v; want %+v", s, err, want)
	}
	if got, err := db.Renew(ctx, one, []string{"a"}, time.Hour); err != nil || !got["a"].Held {
		t.Fatalf("Renew by one: %+v, %v", got, err)
	}
	want = []store.ServerLoad{{Holder: one, Exercises: 1, Participants: 1}, want[0]}
	if s, err := db.Servers(ctx); err != nil || !reflect.DeepEqual(s, want) {
		t.Fatalf("Servers: %+v, %v; want %+v", s, err, want)
	}

	// Transfer hands b to one, once: two no longer holds it afterwards.
	if ok, err := db.Transfer(ctx, "b", "two", one, time.Hour); err != nil || !ok {
		t.Fatalf("Transfer: %v, %v", ok, err)
	}
	if ok, err := db.Transfer(ctx, "b", "two", one, time.Hour); err != nil || ok {
		t.Fatalf("Transfer of a lease two no longer holds: %v, %v; want false", ok, err)
	}
	if got, err := db.Renew(ctx, two, []string{"b", "c"}, time.Hour); err != nil || got["b"].Held || got["b"].Holder != one || !got["c"].Held {
		t.Fatalf("Renew after the transfer: %+v, %v; want b held by one", got, err)
	}
	want = []store.ServerLoad{{Holder: one, Exercises: 2, Participants: 4}, {Holder: two, Exercises: 1}}
	if s, err := db.Servers(ctx); err != nil || !reflect.DeepEqual(s, want) {
		t.Fatalf("Servers after the transfer: %+v, %v; want %+v", s, err, want)
	}

	// A server that leaves, or whose registration runs out, is not listed.
	if err := db.Leave(ctx, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Renew(ctx, two, []string{"c"}, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Servers(ctx); err != nil || len(s) != 0 {
		t.Fatalf("Servers after one left and two ran out: %+v, %v; want none", s, err)
	}
}

// TestRenewConcurrent has two servers renew overlapping lists at once, as
// their lease ticks may: no deadlock, and every exercise ends up with
// exactly one holder that both agree on.
func TestRenewConcurrent(t *testing.T) {
	u := NewDatabase(t)
	dbs := []*postgres.DB{MustOpen(t, u), MustOpen(t, u)}
	ctx := context.Background()
	var ids []string
	for i := range 50 {
		id := string(rune('A'+i%26)) + string(rune('a'+i/26))
		ids = append(ids, id)
		if err := dbs[0].CreateExercise(ctx, &store.Exercise{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	reversed := make([]string, len(ids))
	for i, id := range ids {
		reversed[len(ids)-1-i] = id
	}
	holders := []store.Holder{{ID: "one"}, {ID: "two"}}
	results := make([]map[string]store.Lease, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		list := ids
		if i == 1 {
			list = reversed
		}
		wg.Go(func() {
			var err error
			if results[i], err = dbs[i].Renew(ctx, holders[i], list, time.Hour); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		a, b := results[0][id], results[1][id]
		if a.Held == b.Held || a.Holder != b.Holder {
			t.Fatalf("exercise %s: %+v and %+v; want exactly one holder both agree on", id, a, b)
		}
	}
}
