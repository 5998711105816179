package baseline

import (
	"math"
	"slices"

	"cmesim/scenarios"
)

// Run is what one simulated run contributes to a baseline.
type Run struct {
	// Metrics holds, per team in the scenario's order, the value of each
	// metric the run gave; a metric absent from the map is missing.
	Metrics []map[Metric]float64
	// Ratings holds, per objective in the scenario's order, its rating in
	// the run ("P", "S", "M" or "U"), or "" when the run did not exercise
	// it.
	Ratings []string
}

// Rate turns the share of an objective's available points earned into an
// HSEEP rating: "P", "S", "M" or "U" against the thresholds. With nothing
// available the objective was not exercised and the rating is "".
func Rate(earned, available float64, th scenarios.RatingThresholds) string {
	if available <= 0 {
		return ""
	}
	f := earned / available
	switch {
	case f >= th.P:
		return "P"
	case f >= th.S:
		return "S"
	case f >= th.M:
		return "M"
	}
	return "U"
}

// Achieved is the fraction of the runs counted in ratings that rated the
// objective P or S, rounded to three decimals; 0 when there are none (see
// Objective).
func Achieved(ratings map[string]int) float64 {
	exercised := ratings["P"] + ratings["S"] + ratings["M"] + ratings["U"]
	if exercised == 0 {
		return 0
	}
	return round3(float64(ratings["P"]+ratings["S"]) / float64(exercised))
}

// Collector folds runs into a Baseline as they arrive. Its memory does not
// grow with the number of runs unless it keeps samples.
type Collector struct {
	s         *scenarios.Scenario
	firstSeed uint64
	runs      int
	teams     []map[Metric]*stat
	ratings   []map[string]int
}

// NewCollector starts the baseline of scenario s whose runs use seeds
// firstSeed, firstSeed+1, …. With keepSamples every value is kept, so that
// Percentile is exact; without, values are only binned.
func NewCollector(s *scenarios.Scenario, firstSeed uint64, keepSamples bool) *Collector {
	c := &Collector{s: s, firstSeed: firstSeed}
	for range s.Teams {
		m := map[Metric]*stat{}
		for _, metric := range Metrics {
			m[metric] = &stat{unit: metric.Unit(), min: math.Inf(1), max: math.Inf(-1),
				hist: Histogram{Width: Width(metric)}, keep: keepSamples}
		}
		c.teams = append(c.teams, m)
	}
	for range s.Exercise.Objectives {
		c.ratings = append(c.ratings, map[string]int{"P": 0, "S": 0, "M": 0, "U": 0})
	}
	return c
}

// Add folds in one run. Values are rounded to three decimals; values of
// metrics that Metrics does not list are ignored.
func (c *Collector) Add(r Run) {
	c.runs++
	for ti, m := range c.teams {
		var values map[Metric]float64
		if ti < len(r.Metrics) {
			values = r.Metrics[ti]
		}
		for metric, st := range m {
			if v, ok := values[metric]; ok && !math.IsNaN(v) {
				st.add(v)
			} else {
				st.missing++
			}
		}
	}
	for oi, counts := range c.ratings {
		if oi < len(r.Ratings) && r.Ratings[oi] != "" {
			counts[r.Ratings[oi]]++
		}
	}
}

// Baseline returns the baseline of the runs added so far.
func (c *Collector) Baseline() *Baseline {
	b := &Baseline{Format: Format, Scenario: c.s.Exercise.ID, Title: c.s.Exercise.Title, Runs: c.runs, FirstSeed: c.firstSeed}
	for ti, t := range c.s.Teams {
		tb := Team{Team: t.ID, Name: t.Name, Metrics: map[Metric]Distribution{}}
		for metric, st := range c.teams[ti] {
			tb.Metrics[metric] = st.distribution()
		}
		b.Teams = append(b.Teams, tb)
	}
	for oi, o := range c.s.Exercise.Objectives {
		ratings := ratingCounts(c.ratings[oi])
		b.Objectives = append(b.Objectives, Objective{Objective: o.ID, Text: o.Text, Capability: string(o.Capability),
			Achieved: Achieved(ratings), Ratings: ratings})
	}
	return b
}

// ratingCounts copies the four rating counts.
func ratingCounts(m map[string]int) map[string]int {
	return map[string]int{"P": m["P"], "S": m["S"], "M": m["M"], "U": m["U"]}
}

// stat accumulates one metric of one team.
type stat struct {
	unit          string
	n, missing    int
	sum, min, max float64
	hist          Histogram
	keep          bool
	samples       []float64
}

// add counts one value, rounded to three decimals first, so that a value
// computed in a different order (the report's sums and the batch's) is
// the same value.
func (s *stat) add(v float64) {
	v = round3(v)
	s.n++
	s.sum += v
	s.min = min(s.min, v)
	s.max = max(s.max, v)
	s.hist.Add(v)
	if s.keep {
		s.samples = append(s.samples, v)
	}
}

// distribution summarises the values: mean, min and max exact; the
// quantiles read from the histogram, so they do not depend on whether
// samples were kept.
func (s *stat) distribution() Distribution {
	d := Distribution{Unit: s.unit, Count: s.n, Missing: s.missing}
	if s.n == 0 {
		return d
	}
	hist := s.hist
	hist.Counts = slices.Clone(hist.Counts)
	d.Histogram = &hist
	d.Mean, d.Min, d.Max = round3(s.sum/float64(s.n)), s.min, s.max
	d.P10, d.P50, d.P90 = round3(hist.Quantile(0.1)), round3(hist.Quantile(0.5)), round3(hist.Quantile(0.9))
	if s.keep {
		d.Samples = slices.Sorted(slices.Values(s.samples))
	}
	return d
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
