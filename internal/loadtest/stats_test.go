package loadtest_test

import (
	"encoding/json"
	"testing"
	"time"

	"cmesim/internal/loadtest"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"Empty", nil, 50, 0},
		{"One", []time.Duration{7}, 99, 7},
		{"OneP0", []time.Duration{7}, 0, 7},
		{"P0IsMin", hundred, 0, time.Millisecond},
		{"P50", hundred, 50, 50 * time.Millisecond},
		{"P90", hundred, 90, 90 * time.Millisecond},
		{"P99", hundred, 99, 99 * time.Millisecond},
		{"P99.9RoundsUp", hundred, 99.9, 100 * time.Millisecond},
		{"P100IsMax", hundred, 100, 100 * time.Millisecond},
		{"NearestRankTwo", []time.Duration{1, 2}, 50, 1},
		{"NearestRankTwoAbove", []time.Duration{1, 2}, 51, 2},
		{"P99OfTen", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadtest.Percentile(tc.sorted, tc.p); got != tc.want {
				t.Fatalf("Percentile(%v, %v)=%v, want %v", tc.sorted, tc.p, got, tc.want)
			}
		})
	}
}

func TestRecorder(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r := loadtest.NewRecorder(0)
		for i := 100; i >= 1; i-- { // out of order: Stats sorts
			r.Add(time.Duration(i) * time.Millisecond)
		}
		st := r.Stats()
		if got, want := st.Count, int64(100); got != want {
			t.Fatalf("Count=%d, want %d", got, want)
		}
		for _, c := range []struct {
			name      string
			got, want loadtest.Millis
		}{
			{"P50", st.P50, loadtest.Millis(50 * time.Millisecond)},
			{"P99", st.P99, loadtest.Millis(99 * time.Millisecond)},
			{"Max", st.Max, loadtest.Millis(100 * time.Millisecond)},
			{"Mean", st.Mean, loadtest.Millis(50500 * time.Microsecond)},
		} {
			if c.got != c.want {
				t.Errorf("%s=%v, want %v", c.name, c.got, c.want)
			}
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		r := loadtest.NewRecorder(10)
		for i := range 10_000 {
			r.Add(time.Duration(i+1) * time.Microsecond)
		}
		st := r.Stats()
		if got, want := st.Count, int64(10_000); got != want {
			t.Fatalf("Count=%d, want %d", got, want)
		}
		if got, want := st.Max, loadtest.Millis(10*time.Millisecond); got != want {
			t.Fatalf("Max=%v, want %v (exact even past the sample limit)", got, want)
		}
		// Ten samples drawn uniformly from 1..10000 µs: their median is
		// practically never in the bottom or top tenth.
		if st.P50 < loadtest.Millis(time.Millisecond) || st.P50 > loadtest.Millis(9*time.Millisecond) {
			t.Fatalf("P50=%v from a reservoir of 10, want a sample from the middle", st.P50)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if got := loadtest.NewRecorder(0).Stats(); got != (loadtest.Stats{}) {
			t.Fatalf("Stats()=%+v, want zero", got)
		}
	})
}

func TestMillisJSON(t *testing.T) {
	st := loadtest.Stats{Count: 3, P50: loadtest.Millis(1500 * time.Microsecond), Max: loadtest.Millis(12345678)}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"count":3,"mean_ms":0,"p50_ms":1.5,"p90_ms":0,"p99_ms":0,"p999_ms":0,"max_ms":12.346}`; got != want {
		t.Fatalf("JSON=%s, want %s", got, want)
	}
	var back loadtest.Stats
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got, want := back.P50, st.P50; got != want {
		t.Fatalf("P50 after a round trip=%v, want %v", got, want)
	}
}
