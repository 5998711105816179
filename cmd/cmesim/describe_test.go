package main

import (
	"strings"
	"testing"

	"cmesim/scenarios"
)

func TestDescribe(t *testing.T) {
	t.Run("File", func(t *testing.T) {
		r := cmesim(t, nil, "describe", exampleFile)
		r.wantCode(t, exitOK)
		for _, want := range []string{"Phishing wave against two ministries", "example-phishing", "Objectives (2)", "T+0:10", "after I01 + 20m", "Expectations (5)"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("LibraryName", func(t *testing.T) {
		names := scenarios.Library()
		if len(names) == 0 {
			t.Skip("no bundled scenarios")
		}
		s, problems := scenarios.LoadLibrary(names[0])
		if s == nil {
			t.Fatalf("bundled scenario %s is invalid:\n%v", names[0], problems)
		}
		r := cmesim(t, nil, "describe", names[0])
		r.wantCode(t, exitOK)
		if !strings.HasPrefix(r.stdout, s.Exercise.Title+"\n") {
			t.Fatalf("stdout does not start with the title %q:\n%s", s.Exercise.Title, r.stdout)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		broken := writeTemp(t, "broken.yaml", strings.Replace(readExample(t), "channel: phone", "channel: fone", 1))
		r := cmesim(t, nil, "describe", broken)
		r.wantCode(t, exitFailure)
		if r.stdout != "" {
			t.Errorf("an invalid scenario was described:\n%s", r.stdout)
		}
		if !strings.Contains(r.stderr, broken+":") || !strings.Contains(r.stderr, `did you mean "phone"?`) {
			t.Errorf("stderr=%q", r.stderr)
		}
	})

	t.Run("ErrArgs", func(t *testing.T) {
		cmesim(t, nil, "describe").wantCode(t, exitUsage)
		cmesim(t, nil, "describe", exampleFile, exampleFile).wantCode(t, exitUsage)
	})
}
