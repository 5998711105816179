package batch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"testing"

	"cmesim/baseline"
	"cmesim/engine/batch"
	"cmesim/internal/scengen"
	"cmesim/scenarios"
)

func mustLibrary(tb testing.TB, name string) *scenarios.Scenario {
	tb.Helper()
	s, problems := scenarios.LoadLibrary(name)
	if problems.HasErrors() {
		tb.Fatal(problems)
	}
	return s
}

func TestRun(t *testing.T) {
	s := mustLibrary(t, "grid-ransomware")
	t.Run("OK", func(t *testing.T) {
		progress := 0
		r, err := batch.Run(context.Background(), s, batch.Options{Runs: 200, Workers: 2, FirstSeed: 1, Progress: func(n int) { progress = n }})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.Runs, 200; got != want {
			t.Fatalf("runs=%d, want %d", got, want)
		}
		if got, want := progress, 200; got != want {
			t.Fatalf("progress=%d, want %d", got, want)
		}
		if got, want := len(r.Teams), len(s.Teams); got != want {
			t.Fatalf("teams=%d, want %d", got, want)
		}
		for _, tr := range r.Teams {
			d := tr.Metrics[baseline.MetricScore]
			if d.Count != 200 {
				t.Fatalf("%s score count=%d, want 200", tr.Team, d.Count)
			}
			if !(d.Min <= d.P10 && d.P10 <= d.P50 && d.P50 <= d.P90 && d.P90 <= d.Max+1) {
				t.Fatalf("%s quantiles out of order: %+v", tr.Team, d)
			}
			ack := tr.Metrics[baseline.MetricTimeAcknowledge]
			if ack.Count+ack.Missing != 200 {
				t.Fatalf("%s ack count+missing=%d, want 200", tr.Team, ack.Count+ack.Missing)
			}
		}
		for _, o := range r.Objectives {
			if o.Achieved < 0 || o.Achieved > 1 {
				t.Fatalf("objective %s achieved=%v", o.Objective, o.Achieved)
			}
			if n := o.Ratings["P"] + o.Ratings["S"] + o.Ratings["M"] + o.Ratings["U"]; n > 200 || n == 0 {
				t.Fatalf("objective %s ratings sum to %d", o.Objective, n)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("WorkersDoNotChangeTheResult", func(t *testing.T) {
		a, err := batch.Run(context.Background(), s, batch.Options{Runs: 50, Workers: 1, FirstSeed: 9})
		if err != nil {
			t.Fatal(err)
		}
		b, err := batch.Run(context.Background(), s, batch.Options{Runs: 50, Workers: 4, FirstSeed: 9})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("results differ with the number of workers")
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := batch.Run(ctx, s, batch.Options{Runs: 100000}); err == nil {
			t.Fatal("cancelled batch returned no error")
		}
	})
	t.Run("ErrNoRuns", func(t *testing.T) {
		if _, err := batch.Run(context.Background(), s, batch.Options{}); err == nil {
			t.Fatal("want an error for zero runs")
		}
	})
}

func TestHistogram(t *testing.T) {
	r, err := batch.Run(context.Background(), mustLibrary(t, "election-ddos"), batch.Options{Runs: 100, FirstSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Teams[0].Metrics[baseline.MetricScore]
	if p := d.Histogram.Percentile(d.Max + 100); p != 100 {
		t.Fatalf("percentile above max=%v, want 100", p)
	}
	if p := d.Histogram.Percentile(-1); p != 0 {
		t.Fatalf("percentile below min=%v, want 0", p)
	}
	if q := d.Histogram.Quantile(0.5); math.Abs(q-d.P50) > 0.001 {
		t.Fatalf("quantile=%v, p50=%v", q, d.P50)
	}
}

// BenchmarkBatch measures replications of the largest library scenario per
// second across all CPUs, and shows memory per run does not grow with n.
func BenchmarkBatch(b *testing.B) {
	var s *scenarios.Scenario
	for _, name := range scenarios.Library() {
		c := mustLibrary(b, name)
		if s == nil || len(c.Injects)*len(c.Teams) > len(s.Injects)*len(s.Teams) {
			s = c
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := batch.Run(context.Background(), s, batch.Options{Runs: b.N, Workers: runtime.GOMAXPROCS(0)}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkBatchScale measures replications of generated scenarios: a
// network-scale one (29 teams, 160 injects, like the CSIRT Americas
// network) and larger ones; B/op per run must not grow with b.N.
func BenchmarkBatchScale(b *testing.B) {
	for _, spec := range []scengen.Spec{
		{Teams: 29, Injects: 160, GroupSize: 10},
		{Teams: 10, Injects: 1000, GroupSize: 10},
		{Teams: 100, Injects: 1000, GroupSize: 10},
	} {
		b.Run(fmt.Sprintf("teams=%d/injects=%d", spec.Teams, spec.Injects), func(b *testing.B) {
			s, err := scengen.Scenario(spec)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := batch.Run(context.Background(), s, batch.Options{Runs: b.N}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
