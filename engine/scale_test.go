package engine_test

import (
	"io"
	"runtime"
	"testing"

	"cmesim/engine"
	"cmesim/internal/scengen"
	"cmesim/report"
	"cmesim/scenarios"
)

// maxGrowth is how much a per-unit cost may grow between a small and a ten
// times larger size before the scaling tests fail: a linear cost stays
// near 1, a quadratic one reaches about 10.
const maxGrowth = 1.5

// allocCost is what some work allocated: heap objects and bytes.
type allocCost struct{ objects, bytes float64 }

// measureAllocs runs fn once and returns what it allocated. Allocation
// counts do not depend on the machine's load, unlike times.
func measureAllocs(fn func()) allocCost {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return allocCost{float64(after.Mallocs - before.Mallocs), float64(after.TotalAlloc - before.TotalAlloc)}
}

// checkGrowth fails when a per-unit cost grows by more than maxGrowth
// from the small size to the large one.
func checkGrowth(t *testing.T, what string, small, large allocCost, smallUnits, largeUnits int) {
	t.Helper()
	for _, c := range []struct {
		name       string
		small, big float64
	}{{"allocations", small.objects, large.objects}, {"bytes", small.bytes, large.bytes}} {
		per, perLarge := c.small/float64(smallUnits), c.big/float64(largeUnits)
		t.Logf("%s: %s per unit %.1f → %.1f (×%.2f)", what, c.name, per, perLarge, perLarge/per)
		if perLarge > maxGrowth*per {
			t.Errorf("%s: %s per unit grew ×%.2f (%.1f → %.1f), more than ×%.1f: a cost is no longer linear", what, c.name, perLarge/per, per, perLarge, maxGrowth)
		}
	}
}

// runCost plays one run of spec and returns what it allocated and its
// units of work: the events it logged plus the teams it simulated.
func runCost(t *testing.T, spec scengen.Spec) (allocCost, int) {
	t.Helper()
	s, err := scengen.Scenario(spec)
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	cost := measureAllocs(func() {
		x, err := engine.New(s, engine.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.RunToEnd(); err != nil {
			t.Fatal(err)
		}
		events = len(x.Events())
	})
	return cost, events + spec.Teams
}

// TestScalingRun guards the engine's linearity: allocations and bytes per
// unit of work (event or team) stay flat when a scenario has ten times the
// injects or the teams.
func TestScalingRun(t *testing.T) {
	small, smallEvents := runCost(t, scengen.Spec{Teams: 10, Injects: 200, GroupSize: 10})
	for _, large := range []scengen.Spec{
		{Teams: 10, Injects: 2000, GroupSize: 10},
		{Teams: 100, Injects: 200, GroupSize: 10},
	} {
		cost, events := runCost(t, large)
		if large.Injects > 200 && events < 5*smallEvents {
			t.Fatalf("%d units of work at %+v, %d at the small size: the generator no longer scales", events, large, smallEvents)
		}
		checkGrowth(t, "run per event or team", small, cost, smallEvents, events)
	}
}

// parseCost parses spec's YAML and returns what it allocated.
func parseCost(t *testing.T, spec scengen.Spec) allocCost {
	t.Helper()
	src := scengen.YAML(spec)
	return measureAllocs(func() {
		if _, problems := scenarios.Parse("generated.yaml", src); problems.HasErrors() {
			t.Fatal(problems)
		}
	})
}

// TestScalingValidate guards validation's linearity: per inject at ten
// times the injects, and per team for injects sent to every team with
// shares addressed to groups (each receiver–peer pair checked against the
// network).
func TestScalingValidate(t *testing.T) {
	checkGrowth(t, "validate per inject",
		parseCost(t, scengen.Spec{Teams: 10, Injects: 200}), parseCost(t, scengen.Spec{Teams: 10, Injects: 2000}), 200, 2000)
	checkGrowth(t, "validate group shares per team",
		parseCost(t, scengen.Spec{Teams: 20, Injects: 10, ToAll: true}), parseCost(t, scengen.Spec{Teams: 200, Injects: 10, ToAll: true}), 20, 200)
}

// reportCost builds the HTML report of one run of spec and returns what
// building and writing it allocated, and the run's events.
func reportCost(t *testing.T, spec scengen.Spec) (allocCost, int) {
	t.Helper()
	s, err := scengen.Scenario(spec)
	if err != nil {
		t.Fatal(err)
	}
	x, err := engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	events := x.Events()
	return measureAllocs(func() {
		r, err := report.Build(s, events, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WriteHTML(io.Discard); err != nil {
			t.Fatal(err)
		}
	}), len(events)
}

// TestScalingReport guards the after-action report's linearity: what
// building and writing it allocates per event stays flat with ten times the
// injects, and with ten times the teams when every inject goes to every
// team (the events then grow with the teams, and a cost per team and
// expectation, or per pair of teams, shows as a growing cost per event).
func TestScalingReport(t *testing.T) {
	small, smallEvents := reportCost(t, scengen.Spec{Teams: 10, Injects: 100, GroupSize: 10})
	large, largeEvents := reportCost(t, scengen.Spec{Teams: 10, Injects: 1000, GroupSize: 10})
	checkGrowth(t, "report per event, ten times the injects", small, large, smallEvents, largeEvents)
	small, smallEvents = reportCost(t, scengen.Spec{Teams: 20, Injects: 10, ToAll: true})
	large, largeEvents = reportCost(t, scengen.Spec{Teams: 200, Injects: 10, ToAll: true})
	checkGrowth(t, "report per event, ten times the teams", small, large, smallEvents, largeEvents)
}
