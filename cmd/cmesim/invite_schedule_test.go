package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/store/archive"
)

// TestInviteUsesTheScheduledStart checks that invitations take the start a
// facilitator scheduled over the scenario's start_time, that a cancelled
// schedule falls back to it, and that --start still wins.
func TestInviteUsesTheScheduledStart(t *testing.T) {
	at := time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)
	scheduled := engine.Event{Seq: 2, Type: engine.EventStartScheduled, Actor: "facilitator:fac", Audience: []string{engine.Everyone}, Data: engine.Details{StartAt: &at}}
	cancelled := engine.Event{Seq: 3, Type: engine.EventStartScheduled, Actor: "facilitator:fac", Audience: []string{engine.Everyone}}
	created := engine.Event{Seq: 1, Type: engine.EventCreated, Actor: "system"}
	for _, tt := range []struct {
		name   string
		events []engine.Event
		args   []string
		want   string
	}{
		{"scheduled", []engine.Event{created, scheduled}, nil, "DTSTART;TZID=America/Bogota:20260601T090000"},
		{"cancelled", []engine.Event{created, scheduled, cancelled}, nil, "DTSTART;TZID=America/Bogota:20260310T090000"},
		{"flag wins", []engine.Event{created, scheduled}, []string{"--start", "2026-07-01T10:00:00-05:00"}, "DTSTART;TZID=America/Bogota:20260701T100000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			arch := filepath.Join(dir, "ex.cmesim.tar.gz")
			f, err := os.Create(arch)
			if err != nil {
				t.Fatal(err)
			}
			if err := archive.Write(f, inviteExercise(t), tt.events); err != nil {
				t.Fatal(err)
			}
			f.Close()
			out := filepath.Join(dir, "inv")
			r := cmesim(t, nil, append([]string{"invite", arch, "--base-url", "https://cmesim.example.org", "-o", out}, tt.args...)...)
			r.wantCode(t, exitOK)
			b, err := os.ReadFile(filepath.Join(out, "co-csirt.ics"))
			if err != nil || !strings.Contains(string(b), tt.want) {
				t.Errorf("co-csirt.ics lacks %s: %v\n%s", tt.want, err, b)
			}
		})
	}
}
