package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
	"cmesim/store/sqlite"
)

// storeWithExercise makes a store in a new data directory holding one
// finished exercise of the example scenario, and returns the directory.
func storeWithExercise(t *testing.T, id string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	s, problems := scenarios.Parse("example.yaml", src)
	if s == nil {
		t.Fatal(problems)
	}
	x, _ := engine.New(s, engine.Options{Seed: 9})
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.CreateExercise(ctx, &store.Exercise{ID: id, Created: time.Now(), Scenario: "example.yaml", Source: src, Seed: 9, Speed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, id, x.Events()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExportImport(t *testing.T) {
	from := storeWithExercise(t, "ex-1")
	archive := filepath.Join(t.TempDir(), "ex.cmesim.tar.gz")
	cmesim(t, nil, "export", "ex-1", "--data", from, "-o", archive).wantCode(t, 0)

	to := t.TempDir()
	r := cmesim(t, nil, "import", archive, "--data", to)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "imported ex-1") {
		t.Fatalf("stdout=%s", r.stdout)
	}
	cmesim(t, nil, "import", archive, "--data", to).wantCode(t, 1) // already there

	html := filepath.Join(t.TempDir(), "r.html")
	cmesim(t, nil, "report", archive, "-o", html).wantCode(t, 0)
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "Phishing wave against two ministries") {
		t.Fatalf("report from the archive: %v", err)
	}
	r = cmesim(t, nil, "report", "--exercise", "ex-1", "--data", to, "--format", "json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `"example-phishing"`) {
		t.Fatalf("report from the store lacks the exercise:\n%.300s", r.stdout)
	}
	cmesim(t, nil, "export", "nope", "--data", from, "-o", archive).wantCode(t, 1)
	cmesim(t, nil, "report", archive, "--exercise", "ex-1").wantCode(t, 2)
}
