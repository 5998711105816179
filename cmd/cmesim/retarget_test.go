package main

import (
	"path/filepath"
	"strings"
	"testing"

	"cmesim/scenarios"
)

func TestRetargetCommand(t *testing.T) {
	t.Run("Writes a valid scenario", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "caribbean.yaml")
		r := cmesim(t, nil, "retarget", exampleFile, "--map", "co=jm,pe=tt", "-o", out)
		r.wantCode(t, exitOK)
		s, problems := scenarios.LoadFile(out)
		if s == nil {
			t.Fatalf("output invalid: %v", problems)
		}
		jm, ok := s.Team("jm-csirt")
		if !ok || jm.Name != "JaCIRT" || jm.TimeZone != "America/Jamaica" {
			t.Errorf("jm-csirt = %+v", jm)
		}
		if in, _ := s.Inject("I03"); !strings.Contains(in.To[0], "tt-csirt") {
			t.Errorf("I03 goes to %v", in.To)
		}
	})
	t.Run("Bad map is a usage error", func(t *testing.T) {
		r := cmesim(t, nil, "retarget", exampleFile, "--map", "co=fr", "-o", filepath.Join(t.TempDir(), "x.yaml"))
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, `"FR" is not an OAS member state`) {
			t.Errorf("stderr: %s", r.stderr)
		}
	})
}
