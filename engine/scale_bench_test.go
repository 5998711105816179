package engine_test

import (
	"fmt"
	"testing"

	"cmesim/engine"
	"cmesim/internal/scengen"
	"cmesim/scenarios"
)

// scaleSizes are the teams × injects sizes of the scaling benchmarks;
// teams share in groups of 10.
var scaleSizes = []scengen.Spec{
	{Teams: 10, Injects: 1000, GroupSize: 10}, {Teams: 10, Injects: 10000, GroupSize: 10}, {Teams: 10, Injects: 28000, GroupSize: 10},
	{Teams: 100, Injects: 1000, GroupSize: 10}, {Teams: 100, Injects: 10000, GroupSize: 10},
	{Teams: 1000, Injects: 1000, GroupSize: 10}, {Teams: 1000, Injects: 10000, GroupSize: 10},
}

func generated(tb testing.TB, spec scengen.Spec) *scenarios.Scenario {
	tb.Helper()
	s, err := scengen.Scenario(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkRunScale measures one full run of generated scenarios at
// several sizes, every team simulated: ns/event should stay flat.
func BenchmarkRunScale(b *testing.B) {
	for _, spec := range scaleSizes {
		b.Run(fmt.Sprintf("teams=%d/injects=%d", spec.Teams, spec.Injects), func(b *testing.B) {
			s := generated(b, spec)
			b.ReportAllocs()
			b.ResetTimer()
			events := 0
			for b.Loop() {
				x, err := engine.New(s, engine.Options{Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				if err := x.RunToEnd(); err != nil {
					b.Fatal(err)
				}
				events += len(x.Events())
			}
			b.ReportMetric(float64(events)/float64(b.N), "events/run")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
		})
	}
}
