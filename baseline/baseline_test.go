package baseline_test

import (
	"math"
	"testing"

	"cmesim/baseline"
	"cmesim/scenarios"
)

func TestRate(t *testing.T) {
	th := scenarios.DefaultRating
	for _, tt := range []struct {
		earned, available float64
		want              string
	}{{90, 100, "P"}, {85, 100, "P"}, {70, 100, "S"}, {40, 100, "M"}, {10, 100, "U"}, {0, 0, ""}} {
		if got := baseline.Rate(tt.earned, tt.available, th); got != tt.want {
			t.Errorf("Rate(%v/%v)=%s, want %s", tt.earned, tt.available, got, tt.want)
		}
	}
}

// TestAchieved checks the one definition of "achieved": the share of the
// runs that exercised an objective that rated it P or S.
func TestAchieved(t *testing.T) {
	for _, tt := range []struct {
		ratings map[string]int
		want    float64
	}{
		{map[string]int{"P": 3, "S": 1, "M": 0, "U": 0}, 1},
		{map[string]int{"P": 1, "S": 1, "M": 1, "U": 1}, 0.5},
		{map[string]int{"P": 1, "S": 0, "M": 0, "U": 2}, 0.333},
		{map[string]int{"P": 0, "S": 0, "M": 0, "U": 0}, 0},
		{nil, 0},
	} {
		if got := baseline.Achieved(tt.ratings); got != tt.want {
			t.Errorf("Achieved(%v)=%v, want %v", tt.ratings, got, tt.want)
		}
	}
}

func TestWidth(t *testing.T) {
	for m, want := range map[baseline.Metric]float64{
		baseline.MetricScore:           1,
		baseline.MetricScorePercent:    0.5,
		baseline.MetricTimeContain:     30,
		baseline.TimeMetric("publish"): 30,
	} {
		if got := baseline.Width(m); got != want {
			t.Errorf("Width(%s)=%v, want %v", m, got, want)
		}
	}
}

func TestHistogram(t *testing.T) {
	h := &baseline.Histogram{Width: 10}
	for _, v := range []float64{0, 5, 10, 15, 20, 25, 30, 35, 40, 45} {
		h.Add(v)
	}
	for _, tt := range []struct{ v, percentile float64 }{{-5, 0}, {0, 0}, {25, 50}, {50, 100}, {500, 100}} {
		if got := h.Percentile(tt.v); math.Abs(got-tt.percentile) > 1e-9 {
			t.Errorf("Percentile(%v)=%v, want %v", tt.v, got, tt.percentile)
		}
	}
	for _, q := range []float64{0.1, 0.25, 0.5, 0.9} {
		if got := h.Percentile(h.Quantile(q)); math.Abs(got-100*q) > 1e-9 {
			t.Errorf("Percentile(Quantile(%v))=%v: the two are not inverse", q, got)
		}
	}
	if got := (&baseline.Histogram{Width: 1}).Quantile(0.5); !math.IsNaN(got) {
		t.Errorf("quantile of an empty histogram=%v, want NaN", got)
	}
	shifted := &baseline.Histogram{Start: 100, Width: 10}
	shifted.Add(105)
	shifted.Add(115)
	if got := shifted.Quantile(0.5); got != 110 {
		t.Errorf("quantile with a start=%v, want 110", got)
	}
}

// TestCollector checks the numbers a collector derives from runs, and that
// keeping samples changes nothing but the samples.
func TestCollector(t *testing.T) {
	s, problems := scenarios.LoadFile("../testdata/scenarios/valid/example.yaml")
	if s == nil {
		t.Fatal(problems)
	}
	runs := []baseline.Run{
		{Metrics: []map[baseline.Metric]float64{{baseline.MetricScore: 10, baseline.MetricTimeShare: 600}, {baseline.MetricScore: 0}}, Ratings: []string{"P", ""}},
		{Metrics: []map[baseline.Metric]float64{{baseline.MetricScore: 20}, {baseline.MetricScore: 5}}, Ratings: []string{"U", ""}},
		{Metrics: []map[baseline.Metric]float64{{baseline.MetricScore: 30, baseline.MetricTimeShare: 1200}, {baseline.MetricScore: 5}}, Ratings: []string{"S", "M"}},
	}
	streamed, exact := baseline.NewCollector(s, 7, false), baseline.NewCollector(s, 7, true)
	for _, r := range runs {
		streamed.Add(r)
		exact.Add(r)
	}
	b := streamed.Baseline()
	if b.Format != baseline.Format || b.Scenario != s.Exercise.ID || b.Runs != 3 || b.FirstSeed != 7 {
		t.Fatalf("header %+v", b)
	}
	score := b.Teams[0].Metrics[baseline.MetricScore]
	if score.Count != 3 || score.Mean != 20 || score.Min != 10 || score.Max != 30 || score.Histogram.Width != 1 || score.P50 != 20.5 {
		t.Errorf("score %+v", score)
	}
	share := b.Teams[0].Metrics[baseline.MetricTimeShare]
	if share.Count != 2 || share.Missing != 1 || share.Unit != "seconds" || share.Histogram.Width != 30 {
		t.Errorf("time to share %+v", share)
	}
	if o := b.Objectives[0]; o.Achieved != 0.667 || o.Ratings["P"] != 1 || o.Ratings["S"] != 1 || o.Ratings["U"] != 1 {
		t.Errorf("objective O1 %+v", o)
	}
	if o := b.Objectives[1]; o.Achieved != 0 || o.Ratings["M"] != 1 {
		t.Errorf("objective O2 %+v: two runs did not exercise it and do not count", o)
	}
	e := exact.Baseline()
	got := e.Teams[0].Metrics[baseline.MetricScore]
	if len(got.Samples) != 3 || got.Samples[0] != 10 || got.Samples[2] != 30 {
		t.Fatalf("samples %v", got.Samples)
	}
	got.Samples = nil
	if got.P10 != score.P10 || got.P50 != score.P50 || got.P90 != score.P90 || got.Mean != score.Mean {
		t.Errorf("keeping samples changed the numbers: %+v vs %+v", got, score)
	}
}
