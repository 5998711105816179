package scenarios_test

import (
	"fmt"
	"testing"

	"cmesim/internal/scengen"
	"cmesim/scenarios"
)

// BenchmarkValidateScale measures parsing and validating generated
// scenarios at several sizes; ns and bytes per inject should stay flat.
func BenchmarkValidateScale(b *testing.B) {
	for _, spec := range []scengen.Spec{
		{Teams: 10, Injects: 1000}, {Teams: 10, Injects: 10000}, {Teams: 60, Injects: 28000},
		{Teams: 100, Injects: 1000}, {Teams: 1000, Injects: 1000},
	} {
		b.Run(fmt.Sprintf("teams=%d/injects=%d", spec.Teams, spec.Injects), func(b *testing.B) {
			benchParse(b, scengen.YAML(spec), spec.Injects)
		})
	}
}

// BenchmarkValidateGroupShares measures validating injects sent to every
// team with share expectations addressed to groups: the check of every
// receiver–peer pair against the network.
func BenchmarkValidateGroupShares(b *testing.B) {
	for _, teams := range []int{35, 70, 140, 280} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			benchParse(b, scengen.YAML(scengen.Spec{Teams: teams, Injects: 10, ToAll: true}), 10)
		})
	}
}

func benchParse(b *testing.B, src []byte, injects int) {
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, problems := scenarios.Parse("generated.yaml", src); problems.HasErrors() {
			b.Fatal(problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*injects), "ns/inject")
}
