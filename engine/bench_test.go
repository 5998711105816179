package engine_test

import (
	"testing"

	"cmesim/engine"
	"cmesim/scenarios"
)

// largestLibraryScenario returns the bundled scenario with the most injects.
func largestLibraryScenario(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	var best *scenarios.Scenario
	for _, name := range scenarios.Library() {
		s, problems := scenarios.LoadLibrary(name)
		if problems.HasErrors() {
			tb.Fatal(problems)
		}
		if best == nil || len(s.Injects)*len(s.Teams) > len(best.Injects)*len(best.Teams) {
			best = s
		}
	}
	return best
}

// BenchmarkRunLargest measures one full run of the largest library scenario
// with every team simulated (target: under 5 ms).
func BenchmarkRunLargest(b *testing.B) {
	s := largestLibraryScenario(b)
	b.ReportAllocs()
	events := 0
	seed := uint64(0)
	for b.Loop() {
		seed++
		x, err := engine.New(s, engine.Options{Seed: seed})
		if err != nil {
			b.Fatal(err)
		}
		if err := x.RunToEnd(); err != nil {
			b.Fatal(err)
		}
		events += len(x.Events())
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/run")
}
