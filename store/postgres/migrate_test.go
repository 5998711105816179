package postgres_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/postgres"
)

// TestMigrateToEventBatches opens a database of schema version 4, whose
// logs are all in the events table: Open moves them to event_batches,
// where they read back as they were, and compaction then moves new rows
// after them.
func TestMigrateToEventBatches(t *testing.T) {
	u := NewDatabase(t)
	plain := Plain(t, u)
	ctx := context.Background()
	exec(t, plain, postgres.SchemaAt(4))
	exec(t, plain, `INSERT INTO exercises (id, created, created_ns, scenario, source, seed, speed) VALUES ('x', now(), 0, 's', '', 1, 1), ('y', now(), 0, 's', '', 1, 1)`)
	old := fakeEvents(1, 4)
	for _, r := range [][2]int{{0, 3}, {3, 4}} {
		exec(t, plain, `INSERT INTO events (exercise, first_seq, last_seq, data) SELECT n, $1, $2, $3 FROM exercises WHERE id = 'x'`,
			old[r[0]].Seq, old[r[1]-1].Seq, encode(old[r[0]:r[1]]))
	}
	exec(t, plain, `INSERT INTO events (exercise, first_seq, last_seq, data) SELECT n, 1, 2, $1 FROM exercises WHERE id = 'y'`, encode(old[:2]))
	exec(t, plain, `UPDATE exercises SET last_seq = CASE id WHEN 'x' THEN 4 ELSE 2 END`)

	db := MustOpen(t, u)
	var version int
	if err := plain.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&version); err != nil || version != postgres.SchemaVersion || version < 5 {
		t.Fatalf("schema version %d, %v; want %d (at least 5)", version, err, postgres.SchemaVersion)
	}
	batches, tail := logRows(t, plain)
	if want := [][2]uint64{{1, 3}, {4, 4}}; !reflect.DeepEqual(batches, want) || len(tail) != 0 {
		t.Fatalf("after migrating: rows %v in event_batches and %v in events; want %v and none", batches, tail, want)
	}
	if got, err := db.Events(ctx, "x", 0); err != nil || !reflect.DeepEqual(got, old) {
		t.Fatalf("Events(x) after migrating: %d events, %v", len(got), err)
	}
	if got, err := db.Events(ctx, "y", 1); err != nil || !reflect.DeepEqual(got, old[1:2]) {
		t.Fatalf("Events(y, 1) after migrating: %d events, %v", len(got), err)
	}

	// New appends go to events; once there are enough, compaction moves
	// them after the migrated rows, merged.
	all := fakeEvents(1, 4+postgres.CompactRows+1)
	for i := 4; i < len(all); i++ {
		if err := db.Append(ctx, "x", all[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSession(ctx, store.Session{Token: "t"}); err != nil { // the compaction rides on it
		t.Fatal(err)
	}
	batches, tail = logRows(t, plain)
	checkLayout(t, batches, tail, uint64(len(all)))
	merged := [2]uint64{5, 4 + postgres.CompactRows}
	if len(batches) != 3 || batches[2] != merged {
		t.Fatalf("after compacting: rows %v in event_batches, want the migrated ones then %v", batches, merged)
	}
	if got, err := db.Events(ctx, "x", 0); err != nil || !reflect.DeepEqual(got, all) {
		t.Fatalf("Events(x) after compacting: %d events, %v", len(got), err)
	}
	for _, since := range []uint64{2, 3, 4, 5, 6, merged[1] - 1, merged[1], merged[1] + 1} {
		if got, err := db.Events(ctx, "x", since); err != nil || !slices.Equal(seqs(got), seqs(all[since:])) {
			t.Fatalf("Events(x, %d) after compacting: %v, %v", since, seqs(got), err)
		}
	}
}

// TestEventsCompression checks that event data is compressed with lz4
// when the server supports it, and that the schema is created without it
// when it does not.
func TestEventsCompression(t *testing.T) {
	u := NewDatabase(t)
	MustOpen(t, u).Close()
	plain := Plain(t, u)
	ctx := context.Background()
	want := "l" // lz4
	if _, err := plain.Exec(ctx, `CREATE TEMPORARY TABLE lz4 (b bytea COMPRESSION lz4)`); err != nil {
		t.Logf("this server cannot compress with lz4 (%v): want the default", err)
		want = ""
	}
	for _, table := range []string{"events", "event_batches"} {
		var method string
		if err := plain.QueryRow(ctx, `SELECT attcompression::text FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'data'`, table).Scan(&method); err != nil {
			t.Fatal(err)
		}
		if method != want {
			t.Errorf("%s.data is compressed with %q, want %q", table, method, want)
		}
	}
}

// seqs returns the seqs of events.
func seqs(events []engine.Event) []uint64 {
	out := make([]uint64, len(events))
	for i := range events {
		out[i] = events[i].Seq
	}
	return out
}
