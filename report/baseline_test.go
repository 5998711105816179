package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"cmesim/engine/batch"
	"cmesim/report"
)

const baselineExample = "../testdata/report/baseline-example.json"

func TestPercentile(t *testing.T) {
	b := &report.Baseline{Scenario: "x", Runs: 10, Teams: []report.TeamBaseline{{Team: "co-csirt", Metrics: map[report.Metric]report.Distribution{
		report.MetricScore: {Unit: "points", Count: 10, Min: 10, P10: 10, P50: 30, P90: 50, Max: 50,
			Samples: []float64{10, 10, 20, 20, 30, 30, 40, 40, 50, 50}},
		report.MetricTimeContain: {Unit: "seconds", Count: 10, Min: 0, P10: 60, P50: 300, P90: 540, Max: 600,
			Histogram: &report.Histogram{Width: 60, Counts: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}},
		report.MetricTimeShare: {Unit: "seconds", Count: 10, Min: 100, P10: 200, P50: 300, P90: 400, Max: 500},
	}}}}
	tests := []struct {
		name   string
		team   string
		metric report.Metric
		value  float64
		want   float64
	}{
		{"SamplesBelowAll", "co-csirt", report.MetricScore, 5, 0},
		{"SamplesTiesCountHalf", "co-csirt", report.MetricScore, 10, 10},
		{"SamplesBetween", "co-csirt", report.MetricScore, 25, 40},
		{"SamplesMiddle", "co-csirt", report.MetricScore, 30, 50},
		{"SamplesAboveAll", "co-csirt", report.MetricScore, 99, 100},
		{"HistogramInterpolates", "co-csirt", report.MetricTimeContain, 150, 25},
		{"HistogramBinEdge", "co-csirt", report.MetricTimeContain, 300, 50},
		{"HistogramAbove", "co-csirt", report.MetricTimeContain, 6000, 100},
		{"QuantilesMedian", "co-csirt", report.MetricTimeShare, 300, 50},
		{"QuantilesBetween", "co-csirt", report.MetricTimeShare, 350, 70},
		{"QuantilesTail", "co-csirt", report.MetricTimeShare, 150, 5},
		{"QuantilesBelow", "co-csirt", report.MetricTimeShare, 50, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := report.Percentile(b, tt.team, tt.metric, tt.value); math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("Percentile=%v, want %v", got, tt.want)
			}
		})
	}
	t.Run("UnknownIsNaN", func(t *testing.T) {
		for _, got := range []float64{
			report.Percentile(b, "pe-csirt", report.MetricScore, 1),
			report.Percentile(b, "co-csirt", report.MetricTimeEscalate, 1),
			report.Percentile(nil, "co-csirt", report.MetricScore, 1),
		} {
			if !math.IsNaN(got) {
				t.Fatalf("Percentile=%v, want NaN", got)
			}
		}
	})
}

// TestBaselineExample checks testdata/report/baseline-example.json, the
// documented example of the baseline JSON (50 simulated runs of the example
// scenario), and that a report places teams against it. -update rewrites it.
func TestBaselineExample(t *testing.T) {
	s := MustLoad(t, exampleFile)
	if *update {
		bb := report.NewBaselineBuilder(s, 1)
		for seed := uint64(1); seed <= 50; seed++ {
			bb.Add(MustBuild(t, s, MustRun(t, s, seed), nil))
		}
		data, err := json.MarshalIndent(bb.Baseline(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(baselineExample, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(baselineExample)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := report.ReadBaseline(f)
	if err != nil {
		t.Fatal(err)
	}
	if b.Runs != 50 || b.Scenario != s.Exercise.ID || len(b.Teams) != len(s.Teams) {
		t.Fatalf("baseline runs=%d scenario=%s teams=%d", b.Runs, b.Scenario, len(b.Teams))
	}
	r := MustBuild(t, s, MustRun(t, s, 7), b)
	if r.Baseline == nil || r.Baseline.Runs != 50 {
		t.Fatalf("report baseline=%+v", r.Baseline)
	}
	co := FindTeam(t, r, "co-csirt")
	if len(co.Standing) == 0 || co.Standing[0].Metric != report.MetricScore {
		t.Fatalf("standing=%+v", co.Standing)
	}
	for _, st := range co.Standing {
		want := report.Percentile(b, "co-csirt", st.Metric, st.Value)
		if math.Abs(st.Percentile-want) > 0.051 {
			t.Fatalf("%s percentile=%v, want %v", st.Metric, st.Percentile, want)
		}
		if st.Metric.IsTime() && math.Abs(st.Better-(100-st.Percentile)) > 0.051 {
			t.Fatalf("%s better=%v with percentile %v", st.Metric, st.Better, st.Percentile)
		}
	}
	if FindObjective(t, r, "O1").Baseline == nil {
		t.Fatal("objective O1 has no baseline")
	}
	html := string(RenderHTML(t, r))
	if !strings.Contains(html, "50 simulated runs") {
		t.Fatal("the HTML does not describe the baseline")
	}
}

func TestReadBaseline_Errors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"ErrSyntax", `{"scenario":`, "not valid baseline JSON"},
		{"ErrFormat", `{"format":"cmesim/baseline/v9","scenario":"x"}`, "not supported"},
		{"ErrNoScenario", `{"runs":1}`, "no scenario"},
		{"ErrUnsorted", `{"scenario":"x","teams":[{"team":"a","metrics":{"score":{"count":2,"min":1,"p10":1,"p50":1,"p90":2,"max":2,"samples":[2,1]}}}]}`, "not sorted"},
		{"ErrQuantiles", `{"scenario":"x","teams":[{"team":"a","metrics":{"score":{"count":2,"min":1,"p10":1,"p50":3,"p90":2,"max":3}}}]}`, "not in order"},
		{"ErrWidth", `{"scenario":"x","teams":[{"team":"a","metrics":{"score":{"histogram":{"width":0,"counts":[1]}}}}]}`, "width must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ReadBaseline(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
		})
	}
	t.Run("ErrOtherScenario", func(t *testing.T) {
		s := MustLoad(t, exampleFile)
		_, err := report.Build(s, MustRun(t, s, 1), &report.Baseline{Scenario: "grid-ransomware"})
		if err == nil || !strings.Contains(err.Error(), `baseline is of scenario "grid-ransomware"`) {
			t.Fatalf("err=%v", err)
		}
	})
}

// TestBaseline_FromBatch checks that the JSON the batch command writes
// (engine/batch.Result) reads as a Baseline and places teams.
func TestBaseline_FromBatch(t *testing.T) {
	s := MustLibrary(t, "grid-ransomware")
	res, err := batch.Run(context.Background(), s, batch.Options{Runs: 40, FirstSeed: 100})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	b, err := report.ReadBaseline(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("batch JSON is not a valid baseline: %v", err)
	}
	r := MustBuild(t, s, MustRun(t, s, 1), b)
	for _, tr := range r.Teams {
		if len(tr.Standing) == 0 {
			t.Fatalf("%s has no standing against the batch baseline", tr.ID)
		}
		for _, st := range tr.Standing {
			if st.Percentile < 0 || st.Percentile > 100 || st.Runs == 0 {
				t.Fatalf("%s %s standing=%+v", tr.ID, st.Metric, st)
			}
		}
	}
}

// TestBaseline_BatchAndReportAgree checks that a batch's baseline is read
// by the report with identical numbers, and that the report, measuring the
// same runs from their logs, derives the same baseline: one definition of
// every metric, of "achieved" and of the histogram bins.
func TestBaseline_BatchAndReportAgree(t *testing.T) {
	for _, name := range []string{"grid-ransomware", "election-ddos"} {
		t.Run(name, func(t *testing.T) {
			s := MustLibrary(t, name)
			const runs, first = 30, 11
			res, err := batch.Run(context.Background(), s, batch.Options{Runs: runs, Workers: 1, FirstSeed: first})
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			read, err := report.ReadBaseline(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(read, res) {
				t.Fatalf("the report reads other numbers than the batch wrote:\nread  %+v\nwrote %+v", read, res)
			}
			bb := report.NewBaselineBuilder(s, first)
			for seed := uint64(first); seed < first+runs; seed++ {
				bb.Add(MustBuild(t, s, MustRun(t, s, seed), nil))
			}
			built := bb.Baseline()
			for i := range built.Teams {
				for m, d := range built.Teams[i].Metrics {
					if len(d.Samples) != d.Count {
						t.Fatalf("%s %s: %d samples for %d values", built.Teams[i].Team, m, len(d.Samples), d.Count)
					}
					d.Samples = nil
					built.Teams[i].Metrics[m] = d
				}
			}
			if !reflect.DeepEqual(built, res) {
				for i := range res.Teams {
					for m, d := range res.Teams[i].Metrics {
						if b := built.Teams[i].Metrics[m]; !reflect.DeepEqual(b, d) {
							t.Errorf("%s %s: report %+v, batch %+v", res.Teams[i].Team, m, b, d)
						}
					}
				}
				for i := range res.Objectives {
					if !reflect.DeepEqual(built.Objectives[i], res.Objectives[i]) {
						t.Errorf("objective: report %+v, batch %+v", built.Objectives[i], res.Objectives[i])
					}
				}
				t.Fatal("the report's baseline of the same runs differs from the batch's")
			}
		})
	}
}
