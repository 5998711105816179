// Package baseline defines the Monte Carlo baseline of a scenario: what
// simulated teams achieved over many runs, per team the distribution of
// each Metric and per objective how often it was achieved. engine/batch
// writes it (with a Collector), the after-action report reads it (Read)
// and places real teams as percentiles of it. It is the one definition of
// the baseline's types, of what "achieved" means (see Objective) and of
// the histogram widths (see Width).
package baseline

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
)

// Format names the version of the baseline JSON. A baseline without a
// format field is read as this version.
const Format = "cmesim/baseline/v1"

// MaxSize is the largest baseline file Read accepts, in bytes.
const MaxSize = 64 << 20

// Baseline is what simulated teams achieved over Runs runs of one scenario
// (every team simulated, seeds FirstSeed, FirstSeed+1, …).
//
// Its JSON form:
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
	Format     string      `json:"format,omitempty"`
	Scenario   string      `json:"scenario"`
	Title      string      `json:"title,omitempty"`
	Runs       int         `json:"runs"`
	FirstSeed  uint64      `json:"first_seed"`
	Teams      []Team      `json:"teams"`
	Objectives []Objective `json:"objectives,omitempty"`
}

// Team holds the distributions of one team's metrics across runs.
type Team struct {
	Team    string                  `json:"team"`
	Name    string                  `json:"name,omitempty"`
	Metrics map[Metric]Distribution `json:"metrics"`
}

// Objective says how often simulated runs achieved an objective.
//
// An objective is exercised in a run when some expectation of it was open
// to a team (it had points available); the run rates it P, S, M or U from
// the share of those points earned by all teams together, against the
// scenario's thresholds (see Rate). Achieved is the fraction of the runs
// that exercised the objective in which it was rated P or S; runs that did
// not exercise it count in neither Ratings nor Achieved, and Achieved is 0
// when no run exercised it.
type Objective struct {
	Objective  string `json:"objective"`
	Text       string `json:"text,omitempty"`
	Capability string `json:"capability,omitempty"`
	// Achieved is the fraction, 0 to 1, of exercising runs rated P or S.
	Achieved float64 `json:"achieved"`
	// Ratings counts the exercising runs by rating: "P", "S", "M", "U".
	Ratings map[string]int `json:"ratings,omitempty"`
}

// Distribution describes one metric's values across runs.
type Distribution struct {
	// Unit is "points", "percent" or "seconds".
	Unit string `json:"unit"`
	// Count is how many runs gave a value; Missing how many gave none (for
	// times: the team met no expectation of that action).
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

// Team returns the baseline of one team.
func (b *Baseline) Team(id string) (*Team, bool) {
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
		return d.Histogram.Percentile(v)
	case d.Count > 0:
		return quantilePercentile(d, v)
	}
	return math.NaN()
}

// quantilePercentile interpolates v's percentile between the quantiles
// min, p10, p50, p90 and max.
func quantilePercentile(d *Distribution, v float64) float64 {
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

// Read decodes and checks a baseline in the JSON form described at
// Baseline.
func Read(r io.Reader) (*Baseline, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("baseline: larger than %d bytes", MaxSize)
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
	if b.Format != "" && b.Format != Format {
		return fmt.Errorf("baseline: format %q is not supported (want %q)", b.Format, Format)
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
			if err := d.validate(); err != nil {
				return fmt.Errorf("baseline: team %s, metric %s: %w", t.Team, m, err)
			}
		}
	}
	return nil
}

func (d *Distribution) validate() error {
	switch {
	case d.Count < 0 || d.Missing < 0:
		return fmt.Errorf("negative count")
	case !slices.IsSorted(d.Samples):
		return fmt.Errorf("samples are not sorted ascending")
	case d.Histogram != nil && len(d.Histogram.Counts) > 0 && !(d.Histogram.Width > 0):
		return fmt.Errorf("histogram width must be positive")
	case d.Count > 0 && !(d.Min <= d.Max && d.P10 <= d.P50 && d.P50 <= d.P90):
		// Quantiles read from a histogram may fall a little outside
		// [min, max]; only their order matters.
		return fmt.Errorf("quantiles are not in order (p10 ≤ p50 ≤ p90, min ≤ max)")
	}
	if d.Histogram != nil {
		for _, c := range d.Histogram.Counts {
			if c < 0 {
				return fmt.Errorf("negative histogram count")
			}
		}
	}
	return nil
}

func sortedMetrics(m map[Metric]Distribution) []Metric {
	out := make([]Metric, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
