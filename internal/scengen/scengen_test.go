package scengen_test

import (
	"cmp"
	"testing"
	"time"

	"cmesim/internal/scengen"
)

func TestScenarioIsValid(t *testing.T) {
	for _, spec := range []scengen.Spec{
		{Teams: 7, Injects: 20},
		{Teams: 10, Injects: 9, ToAll: true, GroupSize: 3},
		{Teams: 2, Injects: 1},
		{Teams: 4, Injects: 400, ToAll: true, Duration: 4*time.Hour + 30*time.Minute},
	} {
		s, err := scengen.Scenario(spec)
		if err != nil {
			t.Fatalf("%+v: %v", spec, err)
		}
		if want := cmp.Or(spec.Duration, 100*time.Hour); s.Exercise.Duration.D() != want {
			t.Errorf("%+v: the exercise lasts %v, want %v", spec, s.Exercise.Duration, want)
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
