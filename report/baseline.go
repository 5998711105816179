package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"cmesim/scenarios"
)

// BaselineFormat names the version of the baseline JSON. A baseline without
// a format field is read as this version.
const BaselineFormat = "cmesim/baseline/v1"

// MaxBaselineSize is the largest baseline file ReadBaseline accepts.
const MaxBaselineSize = 64 << 20

// Baseline is what simulated teams achieved over many runs of one scenario
// (a Monte Carlo batch, every team simulated, seeds FirstSeed,
// FirstSeed+1, …): per team, the distribution of each Metric across runs.
// A report places each real team's results as percentiles of it.
//
// Its JSON form, as written by the batch command (engine/batch.Result
// encodes to it) and read by ReadBaseline:
//
//	{
//	  "format": "cmesim/baseline/v1",        // optional
//	  "scenario": "example-phishing",        // exercise id; must match the report's
//	  "runs": 200, "first_seed": 1,
//	  "teams": [
//	    {"team": "co-csirt", "name": "colCERT",
//	     "metrics": {
//	       "score": {"unit": "points", "count": 200, "missing": 0,
//	                 "mean": 31.2, "min": 5, "max": 40, "p10": 20, "p50": 35, "p90": 40,
//	                 "samples": [5, 5, 10, …],              // optional, sorted ascending
//	                 "histogram": {"width": 1, "counts": [0, 0, 0, 0, 0, 3, …]}},
//	       "time_to_acknowledge": {"unit": "seconds", …}}}],
//	  "objectives": [{"objective": "O1", "achieved": 0.8,
//	                  "ratings": {"P": 120, "S": 40, "M": 30, "U": 10}}]
//	}
//
// A distribution needs at least one of samples (exact), histogram (bins
// of Width starting at Start, default 0; values binned by floor) or the
// quantiles (min, p10, p50, p90, max); Percentile uses the most exact one
// present. testdata/report/baseline-example.json is a complete example.
type Baseline struct {
	Format     string              `json:"format,omitempty"`
	Scenario   string              `json:"scenario"`
	Title      string              `json:"title,omitempty"`
	Runs       int                 `json:"runs"`
	FirstSeed  uint64              `json:"first_seed"`
	Teams      []TeamBaseline      `json:"teams"`
	Objectives []ObjectiveBaseline `json:"objectives,omitempty"`
}

// Metric names a per-team quantity measured in each run.
type Metric string

// The metrics. Scores are the points a team earned ("points") and their
// share of the points available to it ("percent", 0–100). Times are, per
// run, the median (the upper middle for an even count) of the latencies of
// the team's expectations of that action that were met, in "seconds"; a run
// in which the team met none counts as missing.
const (
	MetricScore           Metric = "score"
	MetricScorePercent    Metric = "score_percent"
	MetricTimeAcknowledge Metric = "time_to_acknowledge"
	MetricTimeClassify    Metric = "time_to_classify"
	MetricTimeContain     Metric = "time_to_contain"
	MetricTimeEscalate    Metric = "time_to_escalate"
	MetricTimeShare       Metric = "time_to_share"
)

// Metrics lists the metrics in the order reports show them.
var Metrics = []Metric{MetricScore, MetricScorePercent, MetricTimeAcknowledge, MetricTimeClassify,
	MetricTimeContain, MetricTimeEscalate, MetricTimeShare}

// IsTime reports whether lower values of the metric are better.
func (m Metric) IsTime() bool { return strings.HasPrefix(string(m), "time_to_") }

// Unit returns the unit a metric is measured in.
func (m Metric) Unit() string {
	switch {
	case m == MetricScore:
		return "points"
	case m == MetricScorePercent:
		return "percent"
	}
	return "seconds"
}

// TeamBaseline holds the distributions of one team's metrics.
type TeamBaseline struct {
	Team    string                  `json:"team"`
	Name    string                  `json:"name,omitempty"`
	Metrics map[Metric]Distribution `json:"metrics"`
}

// ObjectiveBaseline says how often simulated runs achieved an objective.
type ObjectiveBaseline struct {
	Objective  string `json:"objective"`
	Text       string `json:"text,omitempty"`
	Capability string `json:"capability,omitempty"`
	// Achieved is the fraction of runs rated P or S.
	Achieved float64 `json:"achieved"`
	// Ratings counts runs by rating: "P", "S", "M", "U".
	Ratings map[string]int `json:"ratings,omitempty"`
}

// Distribution describes one metric's values across runs.
type Distribution struct {
	// Unit is "points", "percent" or "seconds".
	Unit string `json:"unit"`
	// Count is how many runs gave a value; Missing how many gave none.
	Count   int     `json:"count"`
	Missing int     `json:"missing"`
	Mean    float64 `json:"mean"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	P10     float64 `json:"p10"`
	P50     float64 `json:"p50"`
	P90     float64 `json:"p90"`
	// Samples, when present, are every value, sorted ascending.
	Samples []float64 `json:"samples,omitempty"`
	// Histogram bins every value.
	Histogram *Histogram `json:"histogram,omitempty"`
}

// Histogram counts values in bins of equal Width: bin i holds the values v
// with Start + i·Width ≤ v < Start + (i+1)·Width.
type Histogram struct {
	Start  float64 `json:"start,omitempty"`
	Width  float64 `json:"width"`
	Counts []int   `json:"counts"`
}

func (h *Histogram) total() int {
	n := 0
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Team returns the baseline of one team.
func (b *Baseline) Team(id string) (*TeamBaseline, bool) {
	for i := range b.Teams {
		if b.Teams[i].Team == id {
			return &b.Teams[i], true
		}
	}
	return nil, false
}

// Percentile returns the percentage (0–100) of the baseline's values of a
// team's metric that are below value, counting values equal to it as half
// below (so a value in the middle of the runs is at 50). It reads exact
// samples when the distribution has them, else interpolates within the
// histogram's bin, else between the quantiles min, p10, p50, p90 and max.
// It returns NaN when the baseline has no values for that team and metric.
func Percentile(b *Baseline, team string, metric Metric, value float64) float64 {
	if b == nil || math.IsNaN(value) {
		return math.NaN()
	}
	t, ok := b.Team(team)
	if !ok {
		return math.NaN()
	}
	d, ok := t.Metrics[metric]
	if !ok {
		return math.NaN()
	}
	return d.Percentile(value)
}

// Percentile returns the percentage of the distribution's values below v
// (see the function Percentile).
func (d *Distribution) Percentile(v float64) float64 {
	switch {
	case len(d.Samples) > 0:
		lo, _ := slices.BinarySearch(d.Samples, v)
		hi := lo
		for hi < len(d.Samples) && d.Samples[hi] == v {
			hi++
		}
		return 100 * (float64(lo) + float64(hi-lo)/2) / float64(len(d.Samples))
	case d.Histogram != nil && d.Histogram.Width > 0 && d.Histogram.total() > 0:
		h := d.Histogram
		pos := (v - h.Start) / h.Width
		below := 0.0
		for i, c := range h.Counts {
			switch lo := float64(i); {
			case pos >= lo+1:
				below += float64(c)
			case pos > lo:
				below += float64(c) * (pos - lo)
			}
		}
		return 100 * below / float64(h.total())
	case d.Count > 0:
		xs := []float64{d.Min, d.P10, d.P50, d.P90, d.Max}
		ps := []float64{0, 10, 50, 90, 100}
		for i := 1; i < len(xs); i++ {
			xs[i] = math.Max(xs[i], xs[i-1]) // quantiles from a histogram may stray past min
		}
		if v < xs[0] {
			return 0
		}
		if v > xs[4] {
			return 100
		}
		if xs[0] == xs[4] {
			return 50
		}
		for i := 1; i < len(xs); i++ {
			if v <= xs[i] {
				if xs[i] == xs[i-1] {
					return ps[i]
				}
				return ps[i-1] + (ps[i]-ps[i-1])*(v-xs[i-1])/(xs[i]-xs[i-1])
			}
		}
		return 100
	}
	return math.NaN()
}

// ReadBaseline decodes and checks a baseline in the JSON form described at
// Baseline.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBaselineSize+1))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if len(data) > MaxBaselineSize {
		return nil, fmt.Errorf("baseline: larger than %d bytes", MaxBaselineSize)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline: not valid baseline JSON: %w", err)
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

// Validate checks that a baseline is usable: a known format, a scenario,
// and for every distribution sorted samples, a positive histogram width and
// quantiles in order.
func (b *Baseline) Validate() error {
	if b.Format != "" && b.Format != BaselineFormat {
		return fmt.Errorf("baseline: format %q is not supported (want %q)", b.Format, BaselineFormat)
	}
	if b.Scenario == "" {
		return fmt.Errorf("baseline: no scenario id")
	}
	for _, t := range b.Teams {
		if t.Team == "" {
			return fmt.Errorf("baseline: a team has no id")
		}
		for _, m := range sortedMetrics(t.Metrics) {
			d := t.Metrics[m]
			where := fmt.Sprintf("baseline: team %s, metric %s", t.Team, m)
			switch {
			case d.Count < 0 || d.Missing < 0:
				return fmt.Errorf("%s: negative count", where)
			case !slices.IsSorted(d.Samples):
				return fmt.Errorf("%s: samples are not sorted ascending", where)
			case d.Histogram != nil && len(d.Histogram.Counts) > 0 && !(d.Histogram.Width > 0):
				return fmt.Errorf("%s: histogram width must be positive", where)
			case d.Count > 0 && !(d.Min <= d.Max && d.P10 <= d.P50 && d.P50 <= d.P90):
				// Quantiles read from a histogram may fall a little outside
				// [min, max]; only their order matters.
				return fmt.Errorf("%s: quantiles are not in order (p10 ≤ p50 ≤ p90, min ≤ max)", where)
			}
			if d.Histogram != nil {
				for _, c := range d.Histogram.Counts {
					if c < 0 {
						return fmt.Errorf("%s: negative histogram count", where)
					}
				}
			}
		}
	}
	return nil
}

// check makes sure the baseline fits scenario s.
func (b *Baseline) check(s *scenarios.Scenario) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Scenario != s.Exercise.ID {
		return fmt.Errorf("report: the baseline is of scenario %q, not %q", b.Scenario, s.Exercise.ID)
	}
	return nil
}

func sortedMetrics(m map[Metric]Distribution) []Metric {
	var out []Metric
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
