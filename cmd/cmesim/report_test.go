package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ownScenarioLog runs a scenario of the user's own (the example, renamed so
// no bundled scenario has its id) and returns the scenario file and its log.
func ownScenarioLog(t *testing.T) (scenario, log string) {
	t.Helper()
	scenario = writeTemp(t, "southern-bank.yaml", strings.Replace(readExample(t), "id: example-phishing", "id: southern-bank-ddos", 1))
	log = filepath.Join(t.TempDir(), "events.jsonl")
	cmesim(t, nil, "run", scenario, "--out", log).wantCode(t, exitOK)
	return scenario, log
}

func TestReportCommand(t *testing.T) {
	scenario, log := ownScenarioLog(t)

	t.Run("OwnScenarioNeedsScenarioFlag", func(t *testing.T) {
		r := cmesim(t, nil, "report", log)
		r.wantCode(t, exitUsage)
		for _, want := range []string{`"southern-bank-ddos"`, "--scenario FILE"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "is invalid") {
			t.Errorf("stderr calls the scenario invalid:\n%s", r.stderr)
		}
	})

	t.Run("ScenarioFlag", func(t *testing.T) {
		r := cmesim(t, nil, "report", log, "--scenario", scenario, "--format", "md")
		r.wantCode(t, exitOK)
		if !strings.Contains(r.stdout, "Phishing wave against two ministries") {
			t.Fatalf("report lacks the exercise title:\n%s", r.stdout)
		}
	})

	t.Run("ErrUnknownExtension", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.pdf")
		for _, args := range [][]string{
			{"report", log, "--scenario", scenario, "-o", out},
			{"run", scenario, "--report", out},
		} {
			r := cmesim(t, nil, args...)
			r.wantCode(t, exitUsage)
			if !strings.Contains(r.stderr, "out.pdf") || !strings.Contains(r.stderr, "html, md, json and csv") {
				t.Errorf("%s: stderr=%s", args[0], r.stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatalf("%s wrote %s anyway", args[0], out)
			}
		}
	})

	t.Run("FormatOverridesExtension", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report.txt")
		cmesim(t, nil, "report", log, "--scenario", scenario, "--format", "md", "-o", out).wantCode(t, exitOK)
		if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "**TLP:AMBER**\n\n# ") {
			t.Fatalf("report.txt: %v %q", err, b)
		}
	})
}

func TestReportFormat(t *testing.T) {
	for _, tt := range []struct {
		format, out, want string
	}{
		{"", "", "md"},
		{"", "report", "md"},
		{"", "r.MD", "md"},
		{"", "r.markdown", "md"},
		{"", "r.htm", "html"},
		{"", "r.html", "html"},
		{"", "r.json", "json"},
		{"", "r.csv", "csv"},
		{"markdown", "r.txt", "md"},
		{"HTML", "", "html"},
		{"", "r.pdf", ""},
		{"", "r.txt", ""},
		{"pdf", "", ""},
	} {
		got, err := reportFormat(tt.format, tt.out)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("reportFormat(%q, %q) = %q, %v; want %q", tt.format, tt.out, got, err, tt.want)
		}
	}
}
