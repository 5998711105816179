package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateStrictLanguages checks that the bundled scenarios keep the
// promise of their exercise.languages, and that a copy missing one
// translation fails --strict at the place of the gap, naming the language.
func TestValidateStrictLanguages(t *testing.T) {
	t.Run("BundledPass", func(t *testing.T) {
		r := cmesim(t, nil, "validate", "--strict", "--all")
		r.wantCode(t, exitOK)
		if strings.Contains(r.stdout, "warning") {
			t.Errorf("bundled scenarios have warnings:\n%s", r.stdout)
		}
	})

	t.Run("MissingTranslationFails", func(t *testing.T) {
		src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "grid-ransomware.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		// Drop the Portuguese title of G01: the gap is then reported at
		// the pt translation, on the line of its body.
		at := -1
		for i := indexOf(lines, "  - id: G01", 0); i >= 0 && i < len(lines); i++ {
			if lines[i] == "      pt:" {
				at = i + 1
				break
			}
		}
		if at < 0 || !strings.HasPrefix(lines[at], "        title: ") {
			t.Fatalf("G01 has no pt title to remove (line %d)", at+1)
		}
		lines = append(lines[:at], lines[at+1:]...)
		file := writeTemp(t, "grid-ransomware.yaml", strings.Join(lines, "\n"))

		r := cmesim(t, nil, "validate", file)
		r.wantCode(t, exitOK) // a warning without --strict
		want := fmt.Sprintf("%s:%d:9: warning: missing pt translation of the title of inject G01", file, at+1)
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("stdout lacks %q:\n%s", want, r.stdout)
		}

		r = cmesim(t, nil, "validate", "--strict", file)
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, file+": invalid (1 warning, failing with --strict)") {
			t.Errorf("stdout:\n%s", r.stdout)
		}
	})
}

// indexOf returns the index of the first line equal to want at or after
// from, or -1.
func indexOf(lines []string, want string, from int) int {
	for i := from; i < len(lines); i++ {
		if lines[i] == want {
			return i
		}
	}
	return -1
}
