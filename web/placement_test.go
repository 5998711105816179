package web_test

import (
	"context"
	"slices"
	"testing"

	"cmesim/store"
	"cmesim/store/postgres"
	"cmesim/store/postgres/pgtest"
)

// TestClusterPlacement runs three servers on one database and creates
// every exercise on the first: each new exercise goes to the least-loaded
// server (fewest participants, then fewest exercises), which takes it over
// and plays it, while the creator follows it and forwards its commands.
func TestClusterPlacement(t *testing.T) {
	url := pgtest.NewDatabase(t)
	a, _ := clusteredServer(t, url)
	b, _ := clusteredServer(t, url)
	c, closeC := clusteredServer(t, url)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	eventually(t, "the three servers registered", func() bool {
		l, err := db.Servers(ctx)
		return err == nil && len(l) == 3
	})
	servers := []*testServer{a, b, c}
	running := func() []float64 {
		var n []float64
		for _, s := range servers {
			n = append(n, s.metrics(t)["cmesim_exercises_running"])
		}
		return n
	}
	owner := func(id string) string {
		l, err := db.Lease(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return l.Holder.ID
	}

	// Three exercises, all created on a: one on each server.
	first := mustCreate(t, a, "co-csirt", "pe-csirt")
	mustCreate(t, a, "co-csirt")
	mustCreate(t, a, "pe-csirt")
	eventually(t, "one exercise running on each server", func() bool {
		n := running()
		return n[0] == 1 && n[1] == 1 && n[2] == 1
	})
	loads, err := db.Servers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range loads {
		if l.Exercises != 1 {
			t.Fatalf("servers' loads %+v, want one exercise each", loads)
		}
	}
	firstOwner := owner(first.ID)

	// Participants weigh more than exercises: with trainees signed in to
	// the first exercise, the next one goes to another server.
	for _, name := range []string{"Ana", "Bea", "Caio"} {
		join(t, a, first.Codes.Teams["co-csirt"], name)
	}
	fourth := mustCreate(t, a, "co-csirt")
	eventually(t, "the fourth exercise owned and running", func() bool {
		n := running()
		return owner(fourth.ID) != "" && n[0]+n[1]+n[2] == 4
	})
	if o := owner(fourth.ID); o == firstOwner {
		t.Fatalf("the fourth exercise went to %s, which has 3 participants; want a server with none", o)
	}

	// It plays wherever it went, from a client of the creator.
	fac := join(t, a, fourth.Codes.Facilitator, "Fran")
	fw := dial(t, fac, fourth.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})

	// A server that stops leaves the list as it closes.
	closeC()
	if l, err := db.Servers(ctx); err != nil || len(l) != 2 || slices.ContainsFunc(l, func(l store.ServerLoad) bool { return l.Holder.Address == c.URL }) {
		t.Fatalf("servers after c stopped: %+v, %v; want a and b", l, err)
	}
}
