package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"cmesim/store/sqlite"
)

// TestMigrateOldLogVersion opens a database written by a cmesim from
// before log versions (schema 2): the migration brings it to the current
// schema, its exercises read back as log version 1 with their logs intact,
// and RaiseLogVersion then records a newer writer.
func TestMigrateOldLogVersion(t *testing.T) {
	src, err := os.ReadFile("../../testdata/store/v1-before-reason-codes.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cmesim.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	list, err := db.Exercises(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("the old database lists %d exercises, want 2", len(list))
	}
	for _, e := range list {
		if e.LogVersion != 1 || e.FirstLogVersion != 1 {
			t.Fatalf("exercise %s: log versions %d and %d, want 1 and 1", e.ID, e.FirstLogVersion, e.LogVersion)
		}
		if events, err := db.Events(ctx, e.ID, 0); err != nil || len(events) < 8 {
			t.Fatalf("exercise %s: %d events, %v; want its log", e.ID, len(events), err)
		}
	}
	if err := db.RaiseLogVersion(ctx, list[0].ID, 2); err != nil {
		t.Fatal(err)
	}
	if e, err := db.Exercise(ctx, list[0].ID); err != nil || e.FirstLogVersion != 1 || e.LogVersion != 2 {
		t.Fatalf("after RaiseLogVersion: %+v, %v; want versions 1 and 2", e, err)
	}

	plain, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	var version int
	if err := plain.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != sqlite.SchemaVersion {
		t.Fatalf("user_version %d after the migration, want %d", version, sqlite.SchemaVersion)
	}
}
