package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"cmesim/scenarios"
)

// FuzzParse feeds arbitrary bytes to the loader: it must never panic, and
// must return a scenario exactly when it reports no errors, and every
// problem must have a file, line and column.
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
	f.Add([]byte("~\n"))
	f.Add([]byte("&top [*top]\n"))
	f.Add([]byte("format: cmesim/v1\nexercise: ~\nteams: *missing\n"))
	f.Add([]byte("format: cmesim/v1\nexercise:\n\tid: x\n"))
	f.Add([]byte("format: cmesim/v1\nexercise:\n  id: x\n title: y\n"))
	f.Add([]byte("format: cmesim/v1\nexercise: {id: [a, b\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, problems := scenarios.Parse("fuzz.yaml", src)
		if got, want := s != nil, !problems.HasErrors(); got != want {
			t.Fatalf("scenario returned=%v, but no errors=%v:\n%s", got, want, problems)
		}
		for _, p := range problems {
			if p.Pos.File != "fuzz.yaml" || p.Pos.Line < 1 || p.Pos.Col < 1 || p.Message == "" {
				t.Fatalf("bad problem %#v: every problem has a file:line:col and a message", p)
			}
		}
	})
}
