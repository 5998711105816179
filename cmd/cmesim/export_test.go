package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
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
	if err := db.CreateExercise(ctx, &store.Exercise{ID: id, Created: exerciseCreated, Scenario: "example.yaml", Source: src, Seed: 9, Speed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.Append(ctx, id, x.Events()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// exerciseCreated is when the stored test exercise was created: the run
// date its reports show.
var exerciseCreated = time.Date(2026, time.December, 3, 9, 30, 0, 0, time.UTC)

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
	} else if !strings.Contains(string(b), "<dt>Run</dt><dd>3 December 2026</dd>") {
		t.Fatal("the report from the archive does not say when the exercise ran")
	}
	r = cmesim(t, nil, "report", "--exercise", "ex-1", "--data", to, "--format", "json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `"example-phishing"`) {
		t.Fatalf("report from the store lacks the exercise:\n%.300s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"run_start": "2026-12-03T09:30:00Z"`) {
		t.Fatalf("report from the store lacks the run date:\n%.600s", r.stdout)
	}
	// An unknown exercise: the answer names the ones the store holds.
	for _, args := range [][]string{{"export", "nope", "-o", archive}, {"report", "--exercise", "nope"}} {
		r = cmesim(t, nil, append(args, "--data", from)...)
		r.wantCode(t, 1)
		if !strings.Contains(r.stderr, "no exercise nope in the store; it holds ex-1 (") {
			t.Errorf("%s of an unknown exercise: %s", args[0], r.stderr)
		}
	}
	// A data directory without a store: said so, and none is created.
	empty := filepath.Join(t.TempDir(), "none")
	r = cmesim(t, nil, "report", "--exercise", "ex-1", "--data", empty)
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "no exercise store in "+empty) {
		t.Errorf("report from a directory without a store: %s", r.stderr)
	}
	if _, err := os.Stat(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("reading a directory without a store created it: %v", err)
	}
	cmesim(t, nil, "report", archive, "--exercise", "ex-1").wantCode(t, 2)
}

// damage cuts the stored log of exercise id in half, through an event.
func damage(t *testing.T, dir, id string) {
	t.Helper()
	plain, err := sql.Open("sqlite", filepath.Join(dir, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec(`UPDATE events SET data = substr(data, 1, length(data) / 2) WHERE exercise = (SELECT n FROM exercises WHERE id = ?)`, id); err != nil {
		t.Fatal(err)
	}
}

// TestSalvage damages a stored log: export and report refuse it and point
// at --salvage, which recovers the intact beginning and says where it
// stops.
func TestSalvage(t *testing.T) {
	dir := storeWithExercise(t, "ex-1")
	damage(t, dir, "ex-1")
	archive := filepath.Join(t.TempDir(), "ex.cmesim.tar.gz")

	r := cmesim(t, nil, "export", "ex-1", "--data", dir, "-o", archive)
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "--salvage") || !strings.Contains(r.stderr, "cannot be read after event") {
		t.Fatalf("export of a damaged log: stderr=%s", r.stderr)
	}
	r = cmesim(t, nil, "report", "--exercise", "ex-1", "--data", dir, "--format", "json")
	r.wantCode(t, 1)

	r = cmesim(t, nil, "export", "ex-1", "--data", dir, "--salvage", "-o", archive)
	r.wantCode(t, 0)
	var last uint64
	if _, err := fmt.Sscanf(r.stderr[strings.Index(r.stderr, "damaged after event"):], "damaged after event %d", &last); err != nil || last == 0 {
		t.Fatalf("salvage does not say where the log stops: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, fmt.Sprintf("(%d events)", last)) {
		t.Fatalf("the archive does not hold the %d intact events: %s", last, r.stdout)
	}
	_, events, err := readArchive(archive)
	if err != nil || uint64(len(events)) != last || events[len(events)-1].Seq != last {
		t.Fatalf("the archive holds %d events (%v); want 1–%d", len(events), err, last)
	}
	if fi, err := os.Stat(archive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the archive's mode is %v (%v); want 0600: it holds the join codes", fi.Mode().Perm(), err)
	}

	r = cmesim(t, nil, "report", "--exercise", "ex-1", "--data", dir, "--salvage", "--format", "json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, fmt.Sprintf("damaged after event %d", last)) || !strings.Contains(r.stdout, `"example-phishing"`) {
		t.Fatalf("salvaged report: stderr=%s stdout=%.200s", r.stderr, r.stdout)
	}
	cmesim(t, nil, "report", archive, "--salvage").wantCode(t, 2)
}

// TestServeRefusesAnEmptiedStore checks that serve does not start afresh
// on a store whose file was emptied: its exercises would be silently gone.
func TestServeRefusesAnEmptiedStore(t *testing.T) {
	dir := storeWithExercise(t, "ex-1")
	for _, name := range []string{"cmesim.db", "cmesim.db-wal", "cmesim.db-shm"} {
		if err := os.Truncate(filepath.Join(dir, name), 0); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	r := cmesim(t, nil, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--admin-key", "a-long-enough-admin-key")
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "holds no cmesim schema") || !strings.Contains(r.stderr, "backup") {
		t.Fatalf("serve on an emptied store: stderr=%s", r.stderr)
	}
}

// TestSalvageEventsFile reports on an events file damaged in the middle:
// refused whole, reported up to its last intact event with --salvage.
func TestSalvageEventsFile(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	cmesim(t, nil, "run", exampleFile, "--seed", "3", "--out", events).wantCode(t, 0)
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if len(lines) < 12 {
		t.Fatalf("the run wrote only %d lines", len(lines))
	}
	lines[10] = `{"seq":11,"type":` + "\n" // a line cut short by a crash
	damaged := filepath.Join(dir, "damaged.jsonl")
	if err := os.WriteFile(damaged, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}

	r := cmesim(t, nil, "report", damaged, "--scenario", exampleFile, "--format", "json")
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "line 11") || !strings.Contains(r.stderr, "--salvage") {
		t.Fatalf("a damaged events file: stderr=%s", r.stderr)
	}
	r = cmesim(t, nil, "report", damaged, "--salvage", "--scenario", exampleFile, "--format", "json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stderr, "damaged after event 10; recovered events 1–10") || !strings.Contains(r.stdout, `"example-phishing"`) {
		t.Fatalf("salvaged report: stderr=%s stdout=%.200s", r.stderr, r.stdout)
	}
}
