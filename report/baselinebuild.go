package report

import (
	"cmesim/baseline"
	"cmesim/scenarios"
)

// BaselineBuilder collects the reports of simulated runs into a Baseline
// that keeps every value (exact percentiles). It suits tests and small
// batches; engine/batch streams large batches into the same numbers
// without the samples. Both fold runs with baseline.Collector.
type BaselineBuilder struct {
	s *scenarios.Scenario
	c *baseline.Collector
}

// NewBaselineBuilder starts a baseline of scenario s whose runs used seeds
// firstSeed, firstSeed+1, ….
func NewBaselineBuilder(s *scenarios.Scenario, firstSeed uint64) *BaselineBuilder {
	return &BaselineBuilder{s: s, c: baseline.NewCollector(s, firstSeed, true)}
}

// Add adds the report of one run.
func (bb *BaselineBuilder) Add(r *Report) {
	bb.c.Add(BaselineRun(bb.s, r))
}

// Baseline returns the baseline of the runs added so far.
func (bb *BaselineBuilder) Baseline() *Baseline { return bb.c.Baseline() }

// BaselineRun measures the report of one run as a baseline run: each
// team's metrics (TeamMetrics) and each objective's rating, in the
// scenario's order.
func BaselineRun(s *scenarios.Scenario, r *Report) baseline.Run {
	run := baseline.Run{Metrics: make([]map[Metric]float64, len(s.Teams)), Ratings: make([]string, len(s.Exercise.Objectives))}
	for i := range r.Teams {
		if ti := s.TeamIndex(r.Teams[i].ID); ti >= 0 {
			run.Metrics[ti] = TeamMetrics(&r.Teams[i])
		}
	}
	for oi, o := range s.Exercise.Objectives {
		for _, ro := range r.Objectives {
			if ro.ID == o.ID {
				run.Ratings[oi] = string(ro.Rating)
			}
		}
	}
	return run
}
