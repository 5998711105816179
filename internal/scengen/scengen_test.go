package scengen_test

import (
	"testing"

	"cmesim/internal/scengen"
)

func TestScenarioIsValid(t *testing.T) {
	for _, spec := range []scengen.Spec{
		{Teams: 7, Injects: 20},
		{Teams: 10, Injects: 9, ToAll: true, GroupSize: 3},
		{Teams: 2, Injects: 1},
	} {
		s, err := scengen.Scenario(spec)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		if len(s.Teams) != spec.Teams || len(s.Injects) != spec.Injects {
			t.Fatalf("%+v: got %d teams and %d injects", spec, len(s.Teams), len(s.Injects))
		}
		triggered := 0
		for _, in := range s.Injects {
			if in.Trigger != nil {
				triggered++
			}
		}
		if want := spec.Injects / 2; triggered != want {
			t.Fatalf("%+v: %d triggered injects, want %d", spec, triggered, want)
		}
	}
}
