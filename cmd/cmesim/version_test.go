package main

import (
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	r := cmesim(t, nil, "version")
	r.wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, "cmesim ") || !strings.Contains(r.stdout, "cmesim/v1") {
		t.Fatalf("stdout=%q", r.stdout)
	}
	r = cmesim(t, nil, "--version")
	r.wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, "cmesim ") {
		t.Fatalf("--version printed %q", r.stdout)
	}
}
