package report

import (
	"fmt"
	"io"

	"cmesim/baseline"
	"cmesim/scenarios"
)

// The baseline a report places teams against is package baseline's, the
// one engine/batch writes; these names are the same types and functions,
// so the report's API reads as before.

// BaselineFormat names the version of the baseline JSON (baseline.Format).
const BaselineFormat = baseline.Format

// MaxBaselineSize is the largest baseline file ReadBaseline accepts.
const MaxBaselineSize = baseline.MaxSize

// Baseline is what simulated teams achieved over many runs of a scenario
// (see baseline.Baseline for its JSON form).
type Baseline = baseline.Baseline

// TeamBaseline holds the distributions of one team's metrics.
type TeamBaseline = baseline.Team

// ObjectiveBaseline says how often simulated runs achieved an objective
// (see baseline.Objective for what "achieved" means).
type ObjectiveBaseline = baseline.Objective

// Distribution describes one metric's values across runs.
type Distribution = baseline.Distribution

// Histogram counts values in bins of equal width (see baseline.Width).
type Histogram = baseline.Histogram

// Metric names a per-team quantity measured in each run.
type Metric = baseline.Metric

// The metrics (see baseline.Metric for their definitions).
const (
	MetricScore           = baseline.MetricScore
	MetricScorePercent    = baseline.MetricScorePercent
	MetricTimeAcknowledge = baseline.MetricTimeAcknowledge
	MetricTimeClassify    = baseline.MetricTimeClassify
	MetricTimeContain     = baseline.MetricTimeContain
	MetricTimeEscalate    = baseline.MetricTimeEscalate
	MetricTimeShare       = baseline.MetricTimeShare
)

// Metrics lists the metrics in the order reports show them.
var Metrics = baseline.Metrics

// Percentile returns the percentage (0–100) of the baseline's values of a
// team's metric below value (see baseline.Percentile).
func Percentile(b *Baseline, team string, metric Metric, value float64) float64 {
	return baseline.Percentile(b, team, metric, value)
}

// ReadBaseline decodes and checks a baseline in the JSON form described at
// baseline.Baseline.
func ReadBaseline(r io.Reader) (*Baseline, error) { return baseline.Read(r) }

// checkBaseline makes sure the baseline fits scenario s.
func checkBaseline(b *Baseline, s *scenarios.Scenario) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Scenario != s.Exercise.ID {
		return fmt.Errorf("report: the baseline is of scenario %q, not %q", b.Scenario, s.Exercise.ID)
	}
	return nil
}
