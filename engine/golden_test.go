package engine_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"cmesim/engine"
	"cmesim/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden event logs in testdata/golden")

const goldenDir = "../testdata/golden/engine"

// TestGolden guards determinism: each library scenario, run with seed 1 and
// every team simulated, must produce exactly the committed event log, and
// so must a second run in the same process.
func TestGolden(t *testing.T) {
	for _, name := range scenarios.Library() {
		t.Run(name, func(t *testing.T) {
			s, problems := scenarios.LoadLibrary(name)
			if problems.HasErrors() {
				t.Fatal(problems)
			}
			got := runLog(t, s, engine.Options{Seed: 1}, nil)
			if again := runLog(t, s, engine.Options{Seed: 1}, nil); !bytes.Equal(got, again) {
				t.Fatal("two runs with the same seed differ")
			}
			if other := runLog(t, s, engine.Options{Seed: 2}, nil); bytes.Equal(got, other) {
				t.Fatal("seeds 1 and 2 give the same log: the seed is not used")
			}
			compareGolden(t, filepath.Join(goldenDir, name+".seed1.jsonl"), got)
		})
	}
}

// TestGoldenWithCommands replays a recorded command log of human teams
// against the example scenario: scenario + seed + commands ⇒ the same events.
func TestGoldenWithCommands(t *testing.T) {
	s := MustLoad(t, exampleFile)
	src, err := os.ReadFile("../testdata/commands/example.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []engine.TimedCommand
	dec := json.NewDecoder(bytes.NewReader(src))
	for dec.More() {
		var c engine.TimedCommand
		if err := dec.Decode(&c); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	got := runLog(t, s, engine.Options{Seed: 42, Humans: []string{"co-csirt"}}, cmds)
	compareGolden(t, filepath.Join(goldenDir, "example.commands.jsonl"), got)
}

func runLog(t *testing.T, s *scenarios.Scenario, opts engine.Options, cmds []engine.TimedCommand) []byte {
	t.Helper()
	x, err := engine.New(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) == 0 {
		if err := x.RunToEnd(); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cmds {
		if _, err := x.ApplyAt(c.At, c.Command); err != nil {
			t.Fatalf("%s at %v: %v", c.Command.Type, c.At, err)
		}
	}
	if err := x.RunToEnd(); err != nil && !x.Ended() {
		t.Fatal(err)
	}
	b, err := engine.MarshalLog(x.Events())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func compareGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./engine -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := range min(len(gl), len(wl)) {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("event log differs from %s at line %d:\ngot  %s\nwant %s", file, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("event log differs from %s: %d lines, want %d", file, len(gl), len(wl))
	}
}
