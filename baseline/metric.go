package baseline

import "strings"

// Metric names a per-team quantity measured in each run.
type Metric string

// The metrics. Scores are the points a team earned ("points") and their
// share of the points available to it ("percent", 0–100; missing when
// nothing was available). Times are, per run, the median (the upper middle
// for an even count) of the latencies, from delivery to answer, of the
// team's expectations of that action that were met, in "seconds"; a run in
// which the team met none counts as missing.
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

// TimeMetric returns the metric of the time to answer with action (such
// as "contain"), which may be one Metrics does not list.
func TimeMetric(action string) Metric { return Metric("time_to_" + action) }

// IsTime reports whether the metric is a time, where lower values are
// better.
func (m Metric) IsTime() bool { return strings.HasPrefix(string(m), "time_to_") }

// Unit returns the unit a metric is measured in: "points", "percent" or
// "seconds".
func (m Metric) Unit() string {
	switch {
	case m == MetricScore:
		return "points"
	case m == MetricScorePercent:
		return "percent"
	}
	return "seconds"
}

// Width returns the width of the histogram bins of a metric, the one rule
// every baseline is binned by: 1 point, half a percent, 30 seconds.
func Width(m Metric) float64 {
	switch m.Unit() {
	case "points":
		return 1
	case "percent":
		return 0.5
	}
	return 30
}
