package main

import (
	"strings"
	"testing"

	"cmesim/scenarios"
)

func TestLibrary(t *testing.T) {
	r := cmesim(t, nil, "library")
	r.wantCode(t, exitOK)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "NAME TEAMS INJECTS DURATION TITLE" {
		t.Fatalf("header %q", lines[0])
	}
	names := scenarios.Library()
	if got, want := len(lines)-1, len(names); got != want {
		t.Fatalf("%d scenarios listed, want %d:\n%s", got, want, r.stdout)
	}
	for i, name := range names {
		s, _ := scenarios.LoadLibrary(name)
		if s == nil {
			t.Errorf("bundled scenario %s is invalid", name)
			continue
		}
		if !strings.HasPrefix(lines[i+1], name+" ") || !strings.HasSuffix(lines[i+1], s.Exercise.Title) {
			t.Errorf("line %q does not list %s (%s)", lines[i+1], name, s.Exercise.Title)
		}
	}
}
