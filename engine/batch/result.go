package batch

import (
	"math"
	"time"

	"cmesim/scenarios"
)

// ResultFormat names the version of Result's JSON form.
const ResultFormat = "cmesim/baseline/v1"

// Result summarises a batch. It is written as JSON for calibration and as
// the baseline an after-action report compares real teams against.
type Result struct {
	// Format is the version of this JSON form, which reports read as a
	// baseline.
	Format     string            `json:"format"`
	Scenario   string            `json:"scenario"`
	Title      string            `json:"title"`
	Runs       int               `json:"runs"`
	FirstSeed  uint64            `json:"first_seed"`
	Teams      []TeamResult      `json:"teams"`
	Objectives []ObjectiveResult `json:"objectives"`
}

// TeamResult holds the distributions of one team's metrics across runs.
type TeamResult struct {
	Team    string                  `json:"team"`
	Name    string                  `json:"name"`
	Metrics map[Metric]Distribution `json:"metrics"`
}

// ObjectiveResult says how often an objective was achieved across runs.
type ObjectiveResult struct {
	Objective  string `json:"objective"`
	Text       string `json:"text"`
	Capability string `json:"capability"`
	// Achieved is the fraction of the runs that exercised the objective in
	// which it was rated P or S (the share of its available points earned,
	// over all teams).
	Achieved float64 `json:"achieved"`
	// Ratings counts the runs by rating: P, S, M, U; runs in which the
	// objective had no points available are not counted.
	Ratings map[string]int `json:"ratings"`
}

// Distribution describes a metric's values across runs.
type Distribution struct {
	// Unit is "points", "percent" or "seconds".
	Unit string `json:"unit"`
	// Count is how many runs gave a value; Missing how many gave none (for
	// times: the team never met an expectation of that action).
	Count   int     `json:"count"`
	Missing int     `json:"missing"`
	Mean    float64 `json:"mean"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	P10     float64 `json:"p10"`
	P50     float64 `json:"p50"`
	P90     float64 `json:"p90"`
	// Histogram holds every value, binned, so percentiles of any value can
	// be read back (see Percentile).
	Histogram Histogram `json:"histogram"`
}

// Histogram counts non-negative values in bins of equal width starting at 0.
// Its size depends on the largest value, not on how many values it holds.
type Histogram struct {
	Width  float64 `json:"width"`
	Counts []int   `json:"counts"`
}

func (h *Histogram) add(v float64) {
	i := max(0, int(v/h.Width))
	for len(h.Counts) <= i {
		h.Counts = append(h.Counts, 0)
	}
	h.Counts[i]++
}

func (h *Histogram) total() int {
	n := 0
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Quantile returns the value below which a fraction q of the values fall,
// interpolated within its bin.
func (h *Histogram) Quantile(q float64) float64 {
	n := h.total()
	if n == 0 {
		return math.NaN()
	}
	target := q * float64(n)
	seen := 0.0
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		if seen+float64(c) >= target {
			frac := (target - seen) / float64(c)
			return (float64(i) + frac) * h.Width
		}
		seen += float64(c)
	}
	return float64(len(h.Counts)) * h.Width
}

// Percentile returns the percentage (0–100) of values that are below v, with
// the values of v's own bin counted as half below.
func (h *Histogram) Percentile(v float64) float64 {
	n := h.total()
	if n == 0 {
		return math.NaN()
	}
	i := int(v / h.Width)
	below := 0.0
	for j, c := range h.Counts {
		switch {
		case j < i:
			below += float64(c)
		case j == i:
			below += float64(c) / 2
		}
	}
	return 100 * below / float64(n)
}

// stat accumulates one metric.
type stat struct {
	unit          string
	n, missing    int
	sum, min, max float64
	hist          Histogram
}

func newStat(unit string, width float64) *stat {
	return &stat{unit: unit, min: math.Inf(1), max: math.Inf(-1), hist: Histogram{Width: width}}
}

func (s *stat) add(v float64) {
	s.n++
	s.sum += v
	s.min = min(s.min, v)
	s.max = max(s.max, v)
	s.hist.add(v)
}

func (s *stat) distribution() Distribution {
	d := Distribution{Unit: s.unit, Count: s.n, Missing: s.missing, Histogram: s.hist}
	if s.n > 0 {
		d.Mean, d.Min, d.Max = round3(s.sum/float64(s.n)), s.min, s.max
		d.P10, d.P50, d.P90 = round3(s.hist.Quantile(0.1)), round3(s.hist.Quantile(0.5)), round3(s.hist.Quantile(0.9))
	}
	return d
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// accumulator folds run results into per-team and per-objective statistics.
type accumulator struct {
	s          *scenarios.Scenario
	teams      []map[Metric]*stat
	objectives []map[string]int
	runs       int
}

func newAccumulator(s *scenarios.Scenario) *accumulator {
	a := &accumulator{s: s}
	for range s.Teams {
		m := map[Metric]*stat{
			MetricScore:        newStat("points", 1),
			MetricScorePercent: newStat("percent", 0.5),
		}
		for _, tm := range timeMetrics {
			m[tm.metric] = newStat("seconds", 30)
		}
		a.teams = append(a.teams, m)
	}
	for range s.Exercise.Objectives {
		a.objectives = append(a.objectives, map[string]int{"P": 0, "S": 0, "M": 0, "U": 0})
	}
	return a
}

func (a *accumulator) add(r *runResult) {
	a.runs++
	for ti, t := range r.teams {
		m := a.teams[ti]
		m[MetricScore].add(t.score)
		if t.max > 0 {
			m[MetricScorePercent].add(100 * t.score / t.max)
		} else {
			m[MetricScorePercent].missing++
		}
		for _, tm := range timeMetrics {
			if d, ok := t.times[tm.metric]; ok {
				m[tm.metric].add(d.Seconds())
			} else {
				m[tm.metric].missing++
			}
		}
	}
	for oi, o := range r.objectives {
		if rating := Rate(o.earned, o.available, a.s.RatingFor(&a.s.Exercise.Objectives[oi])); rating != "" {
			a.objectives[oi][rating]++
		}
	}
}

// Rate turns the share of an objective's available points earned into an
// HSEEP rating: P, S, M or U. With nothing available the objective was not
// exercised and the rating is "".
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

func (a *accumulator) result(opts Options) *Result {
	r := &Result{Format: ResultFormat, Scenario: a.s.Exercise.ID, Title: a.s.Exercise.Title, Runs: a.runs, FirstSeed: opts.FirstSeed}
	for ti, t := range a.s.Teams {
		tr := TeamResult{Team: t.ID, Name: t.Name, Metrics: map[Metric]Distribution{}}
		for m, st := range a.teams[ti] {
			tr.Metrics[m] = st.distribution()
		}
		r.Teams = append(r.Teams, tr)
	}
	for oi, o := range a.s.Exercise.Objectives {
		counts := a.objectives[oi]
		r.Objectives = append(r.Objectives, ObjectiveResult{
			Objective: o.ID, Text: o.Text, Capability: string(o.Capability),
			Achieved: round3(float64(counts["P"]+counts["S"]) / float64(max(1, counts["P"]+counts["S"]+counts["M"]+counts["U"]))),
			Ratings:  counts,
		})
	}
	return r
}

// Seconds converts a distribution value in seconds to a duration.
func Seconds(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }
