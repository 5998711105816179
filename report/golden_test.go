package report_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"cmesim/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

// TestGolden builds the report of every library scenario (seed 1, every team
// simulated) and compares its JSON with testdata/report/NAME.golden.json.
// Run `go test ./report -run TestGolden -update` after an intended change.
func TestGolden(t *testing.T) {
	names := scenarios.Library()
	if len(names) == 0 {
		t.Fatal("the scenario library is empty")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := LibraryReport(t, name).WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("..", "testdata", "report", name+".golden.json"), buf.Bytes())
		})
	}
}

// TestGolden_Example covers the small example scenario the same way.
func TestGolden_Example(t *testing.T) {
	var buf bytes.Buffer
	if err := SmallReport(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("..", "testdata", "report", "example.golden.json"), buf.Bytes())
}

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("report differs from %s (run with -update if the change is intended):\n%s", file, firstDiff(got, want))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b []byte
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if !bytes.Equal(a, b) {
			return fmt.Sprintf("line %d:\n  got:  %s\n  want: %s", i+1, a, b)
		}
	}
	return "(no line differs)"
}
