package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"cmesim/scenarios"
)

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, and
// must return a scenario exactly when it reports no errors.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(testdata, "*", "*.yaml"))
	for _, file := range seeds {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, name := range scenarios.Library() {
		src, err := scenarios.LibrarySource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("format: cmesim/v1\nteams: &t [*t]\n"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, problems := scenarios.Parse("fuzz.yaml", src)
		if got, want := s != nil, !problems.HasErrors(); got != want {
			t.Fatalf("scenario returned=%v, but no errors=%v:\n%s", got, want, problems)
		}
		for _, p := range problems {
			if p.Pos.Line < 0 || p.Pos.Col < 0 || p.Message == "" {
				t.Fatalf("bad problem %#v", p)
			}
		}
	})
}
