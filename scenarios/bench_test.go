package scenarios_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"cmesim/scenarios"
)

// GenerateLarge writes a valid scenario with n injects over 35 teams, half on
// fixed offsets and half triggered, each with two expectations.
func generateLarge(n int) []byte {
	var b strings.Builder
	b.WriteString("format: cmesim/v1\nexercise:\n  id: large\n  title: Generated\n  duration: 100h\n")
	b.WriteString("  objectives:\n    - {id: O1, text: Detect, capability: detection}\n    - {id: O2, text: Share, capability: information_sharing}\n")
	b.WriteString("teams:\n")
	for i := range 35 {
		fmt.Fprintf(&b, "  - {id: t%d, name: Team %d, country: CO, timezone: America/Bogota, sector: national}\n", i, i)
	}
	b.WriteString("actors:\n  - {id: gov, name: Government, kind: national_authority}\n")
	b.WriteString("groups:\n  - id: all-teams\n    name: Everyone\n    members: [")
	for i := range 35 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "t%d", i)
	}
	b.WriteString("]\nnetwork:\n  links:\n    - {between: [group:all-teams], tlp: [clear, green, amber]}\ninjects:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: I%d\n    title: Inject %d\n", i, i)
		if i%2 == 0 || i == 1 {
			fmt.Fprintf(&b, "    at: %dm\n", i%5000)
		} else {
			fmt.Fprintf(&b, "    trigger: {after: I%d, delay: 5m}\n", i-1)
		}
		fmt.Fprintf(&b, "    channel: email\n    from: gov\n    to: [t%d]\n    body: Hello {{team.name}}, item %d.\n", i%35, i)
		fmt.Fprintf(&b, "    expectations:\n      - {id: ack, action: acknowledge, within: 15m, points: 5, objective: O1}\n")
		fmt.Fprintf(&b, "      - {id: share, action: share, with: [t%d], tlp: amber, within: 1h, points: 10, objective: O2}\n", (i+1)%35)
	}
	return []byte(b.String())
}

func TestGenerateLargeIsValid(t *testing.T) {
	s, problems := scenarios.Parse("large.yaml", generateLarge(200))
	if problems.HasErrors() {
		t.Fatalf("generated scenario invalid:\n%s", problems)
	}
	if got, want := len(s.Injects), 200; got != want {
		t.Fatalf("injects=%d, want %d", got, want)
	}
}

// BenchmarkParse5000 measures loading and validating a 5,000-inject scenario
// (the target: under 1 s).
func BenchmarkParse5000(b *testing.B) {
	src := generateLarge(5000)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for b.Loop() {
		if _, problems := scenarios.Parse("large.yaml", src); problems.HasErrors() {
			b.Fatal(problems)
		}
	}
}

// TestWriteLargeScenario writes the generated 5,000-inject scenario to the
// file named by $CMESIM_WRITE_LARGE, so the CLI can be timed on it:
//
//	CMESIM_WRITE_LARGE=/tmp/large.yaml go test ./scenarios -run WriteLarge
//	time cmesim validate /tmp/large.yaml
func TestWriteLargeScenario(t *testing.T) {
	path := os.Getenv("CMESIM_WRITE_LARGE")
	if path == "" {
		t.Skip("set CMESIM_WRITE_LARGE to a file path to write the scenario")
	}
	if err := os.WriteFile(path, generateLarge(5000), 0o644); err != nil {
		t.Fatal(err)
	}
}
