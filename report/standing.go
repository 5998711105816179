package report

import (
	"math"

	"cmesim/baseline"
)

// TeamMetrics returns the value of each Metric a team scorecard has: its
// score, its percentage and the median time of each action it met at
// least once. Baselines are built from these values; reports compare them.
func TeamMetrics(t *TeamResult) map[Metric]float64 {
	out := map[Metric]float64{MetricScore: t.Points}
	if t.MaxPoints > 0 {
		out[MetricScorePercent] = 100 * t.Points / t.MaxPoints
	}
	for _, ts := range t.Times {
		if ts.Median != nil {
			out[baseline.TimeMetric(ts.Action)] = ts.Median.Seconds()
		}
	}
	return out
}

// standing places every team against the baseline.
func (b *builder) standing(bl *Baseline) {
	b.r.Baseline = &BaselineInfo{Scenario: bl.Scenario, Runs: bl.Runs, FirstSeed: bl.FirstSeed}
	for i := range b.r.Teams {
		t := &b.r.Teams[i]
		tb, ok := bl.Team(t.ID)
		if !ok {
			continue
		}
		if t.MaxPoints == 0 {
			continue // nothing was asked of the team: no standing to speak of
		}
		values := TeamMetrics(t)
		for _, m := range Metrics {
			v, ok := values[m]
			d, has := tb.Metrics[m]
			if !ok || !has {
				continue
			}
			p := d.Percentile(v)
			if math.IsNaN(p) {
				continue
			}
			st := Standing{Metric: m, Unit: m.Unit(), Value: round2(v), Percentile: round1(p), Runs: d.Count,
				P10: d.P10, P50: d.P50, P90: d.P90}
			st.Better = st.Percentile
			if m.IsTime() {
				st.Better = round1(100 - p)
			}
			t.Standing = append(t.Standing, st)
		}
	}
	for i := range b.r.Objectives {
		o := &b.r.Objectives[i]
		for _, ob := range bl.Objectives {
			if ob.Objective == o.ID {
				c := ob
				o.Baseline = &c
			}
		}
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
