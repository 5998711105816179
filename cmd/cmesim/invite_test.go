package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"cmesim/store"
	"cmesim/store/archive"
)

// inviteExercise is an exercise of the worked example with join codes.
func inviteExercise(t *testing.T) *store.Exercise {
	t.Helper()
	return &store.Exercise{
		ID: "ex-42", Created: time.Now(), Scenario: "example.yaml", Source: []byte(readExample(t)), Seed: 1,
		Codes: []byte(`{"facilitator":"F","teams":{"co-csirt":"CO23-4567-89AB","pe-csirt":"PE23-4567-89AB"}}`),
	}
}

func TestInviteFromArchive(t *testing.T) {
	dir := t.TempDir()
	arch := filepath.Join(dir, "ex.cmesim.tar.gz")
	f, err := os.Create(arch)
	if err != nil {
		t.Fatal(err)
	}
	if err := archive.Write(f, inviteExercise(t), nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "inv")
	r := cmesim(t, nil, "invite", arch, "--base-url", "https://cmesim.example.org/", "--start", "2026-05-12T08:30:00-05:00", "-o", out)
	r.wantCode(t, exitOK)
	for team, want := range map[string]struct{ tz, local, code string }{
		"co-csirt": {"America/Bogota", "20260512T083000", "CO23-4567-89AB"},
		"pe-csirt": {"America/Lima", "20260512T083000", "PE23-4567-89AB"},
	} {
		path := filepath.Join(out, team+".ics")
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want owner-only", path, info.Mode().Perm())
		}
		b, _ := os.ReadFile(path)
		cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		ev := cal.Events()[0]
		start := ev.GetProperty(ics.ComponentPropertyDtStart)
		if start.Value != want.local || start.ICalParameters["TZID"][0] != want.tz {
			t.Errorf("%s: DTSTART %v", team, start)
		}
		if u := ev.GetProperty(ics.ComponentPropertyUrl); u.Value != "https://cmesim.example.org/?code="+want.code {
			t.Errorf("%s: URL %s", team, u.Value)
		}
	}
}

func TestInviteFromStore(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CMESIM_DATA_DIR": data}
	a := newApp(nil, nil, func(k string) string { return env[k] })
	a.cfg.DataDir = data
	db, err := a.openStore(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateExercise(t.Context(), inviteExercise(t)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := t.TempDir()
	// Without --start, the scenario's start_time (2026-03-10T09:00:00-05:00).
	r := cmesim(t, env, "invite", "ex-42", "--base-url", "http://localhost:8080", "-o", out)
	r.wantCode(t, exitOK)
	b, err := os.ReadFile(filepath.Join(out, "pe-csirt.ics"))
	if err != nil || !strings.Contains(string(b), "DTSTART;TZID=America/Lima:20260310T090000") {
		t.Errorf("pe-csirt.ics: %v\n%s", err, b)
	}
	r = cmesim(t, env, "invite", "no-such", "--base-url", "http://localhost:8080", "-o", out)
	r.wantCode(t, exitFailure)
	if !strings.Contains(r.stderr, "no exercise no-such in the store") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
