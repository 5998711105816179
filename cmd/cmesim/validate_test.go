package main

import (
	"regexp"
	"strings"
	"testing"

	"cmesim/scenarios"
)

func TestValidate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r := cmesim(t, nil, "validate", exampleFile)
		r.wantCode(t, exitOK)
		if got, want := r.stdout, exampleFile+": ok\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
	})

	t.Run("Broken", func(t *testing.T) {
		broken := writeTemp(t, "broken.yaml", strings.Replace(readExample(t), "  title: Phishing", "  titel: Phishing", 1))
		r := cmesim(t, nil, "validate", exampleFile, broken)
		r.wantCode(t, exitFailure)
		for _, want := range []string{
			exampleFile + ": ok\n",
			broken + `:6:3: error: unknown field "titel" in scenario.exercise; did you mean "title"?` + "\n",
			broken + ": invalid (",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		if !strings.Contains(r.stderr, "1 of 2 scenarios invalid") {
			t.Errorf("stderr=%q", r.stderr)
		}
	})

	t.Run("ProblemsOnePerLine", func(t *testing.T) {
		broken := writeTemp(t, "broken.yaml", "format: cmesim/v1\nexercise:\n  id: x\n  titel: X\n")
		r := cmesim(t, nil, "validate", broken)
		r.wantCode(t, exitFailure)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) < 3 {
			t.Fatalf("want several problems and a summary, got:\n%s", r.stdout)
		}
		for _, l := range lines[:len(lines)-1] {
			if !strings.HasPrefix(l, broken+":") || !(strings.Contains(l, ": error: ") || strings.Contains(l, ": warning: ")) {
				t.Errorf("line %q is not file:line:col: level: message", l)
			}
		}
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, broken+": invalid (") {
			t.Errorf("summary line %q", last)
		}
	})

	t.Run("EveryProblemHasFileLineCol", func(t *testing.T) {
		for name, text := range map[string]string{
			"null.yaml":          "~\n",
			"self-alias.yaml":    "&top [*top]\n",
			"empty-section.yaml": "format: cmesim/v1\nexercise: ~\n",
			"tab.yaml":           "format: cmesim/v1\nexercise:\n\tid: x\n",
		} {
			file := writeTemp(t, name, text)
			r := cmesim(t, nil, "validate", file)
			r.wantCode(t, exitFailure)
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			for _, l := range lines[:len(lines)-1] {
				rest, ok := strings.CutPrefix(l, file+":")
				if !ok || !problemAt.MatchString(rest) {
					t.Errorf("%s: line %q does not start with file:line:col", name, l)
				}
			}
		}
	})

	t.Run("MaxScenarioSize", func(t *testing.T) {
		r := cmesim(t, nil, "validate", "--max-scenario-size", "1", exampleFile)
		r.wantCode(t, exitOK)
		big := writeTemp(t, "big.yaml", readExample(t)+"# "+strings.Repeat("x", 1<<20)+"\n")
		r = cmesim(t, nil, "validate", "--max-scenario-size", "1", big)
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stdout, "the limit is 1048576") {
			t.Fatalf("stdout=%q, want the 1 MiB limit", r.stdout)
		}
		cmesim(t, nil, "validate", big).wantCode(t, exitOK) // the default is larger
		cmesim(t, nil, "validate", "--max-scenario-size", "-1", big).wantCode(t, exitUsage)
	})

	t.Run("Strict", func(t *testing.T) {
		// An objective nothing scores is a warning.
		text := strings.Replace(readExample(t), "  scoring:\n",
			"    - id: O3\n      text: Unused.\n      capability: recovery\n      translations: { es: { text: Sin uso. } }\n  scoring:\n", 1)
		warned := writeTemp(t, "warned.yaml", text)

		r := cmesim(t, nil, "validate", warned)
		r.wantCode(t, exitOK)
		if !strings.Contains(r.stdout, ": warning: ") || !strings.Contains(r.stdout, warned+": ok (1 warning)") {
			t.Fatalf("stdout=%q", r.stdout)
		}

		r = cmesim(t, nil, "validate", "--strict", warned)
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stdout, warned+": invalid (1 warning, failing with --strict)") {
			t.Fatalf("stdout=%q", r.stdout)
		}
	})

	t.Run("All", func(t *testing.T) {
		r := cmesim(t, nil, "validate", "--all")
		r.wantCode(t, exitOK)
		for _, name := range scenarios.Library() {
			if !strings.Contains(r.stdout, "scenarios/"+name+".yaml: ok") {
				t.Errorf("no ok line for %s:\n%s", name, r.stdout)
			}
		}
	})

	t.Run("LibraryName", func(t *testing.T) {
		names := scenarios.Library()
		if len(names) == 0 {
			t.Skip("no bundled scenarios")
		}
		r := cmesim(t, nil, "validate", names[0])
		r.wantCode(t, exitOK)
		if !strings.HasPrefix(r.stdout, "scenarios/"+names[0]+".yaml: ok") {
			t.Fatalf("stdout=%q", r.stdout)
		}
	})

	t.Run("ErrNoSuchScenario", func(t *testing.T) {
		r := cmesim(t, nil, "validate", "no-such-scenario")
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stdout, `no-such-scenario: error: no such file, and no bundled scenario named "no-such-scenario"`) {
			t.Fatalf("stdout=%q", r.stdout)
		}
	})

	t.Run("ErrNoArgs", func(t *testing.T) {
		r := cmesim(t, nil, "validate")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "--all") {
			t.Fatalf("stderr=%q", r.stderr)
		}
	})
}

// problemAt matches what follows the file name in a problem line.
var problemAt = regexp.MustCompile(`^[1-9][0-9]*:[1-9][0-9]*: (error|warning): `)
