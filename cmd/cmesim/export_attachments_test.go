package main

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
	"cmesim/store/sqlite"
)

// TestExportImportAttachments moves an exercise of a scenario with
// attached files through an archive: the files arrive in the other store
// byte for byte, and the report reads the archive alone.
func TestExportImportAttachments(t *testing.T) {
	s, problems := scenarios.LoadLibrary("telecom-supply-chain")
	if s == nil {
		t.Fatal(problems)
	}
	files := s.Files()
	if len(files) != 3 {
		t.Fatalf("the bundled scenario attaches %d files, want 3", len(files))
	}
	src, _ := scenarios.LibrarySource("telecom-supply-chain")
	x, _ := engine.New(s, engine.Options{Seed: 3})
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	from := t.TempDir()
	db, err := sqlite.Open(filepath.Join(from, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "ex-att", Created: time.Now(), Scenario: "telecom-supply-chain", Source: src, Seed: 3, Speed: 1, Files: files}); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, "ex-att", x.Events()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	archive := filepath.Join(t.TempDir(), "ex.cmesim.tar.gz")
	cmesim(t, nil, "export", "ex-att", "--data", from, "-o", archive).wantCode(t, 0)
	to := t.TempDir()
	cmesim(t, nil, "import", archive, "--data", to).wantCode(t, 0)
	db, err = sqlite.Open(filepath.Join(to, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Exercise(ctx, "ex-att")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(map[string][]byte(files), got.Files) {
		t.Fatalf("imported files: %d, want the scenario's %d byte for byte", len(got.Files), len(files))
	}
	r := cmesim(t, nil, "report", archive, "--format", "json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `"telecom-supply-chain"`) {
		t.Fatalf("report from the archive:\n%.300s", r.stdout)
	}
}
