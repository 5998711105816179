package des_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"cmesim/engine/des"
)

// draws returns n Uint64 values from s.
func draws(s *des.Stream, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = s.Uint64()
	}
	return out
}

func TestStream_SameSeedSameSequence(t *testing.T) {
	for _, seed := range []uint64{0, 1, 42, math.MaxUint64} {
		a, b := des.NewStream(seed), des.NewStream(seed)
		for i := 0; i < 1000; i++ {
			if got, want := a.Uint64(), b.Uint64(); got != want {
				t.Fatalf("seed %d draw %d: %d != %d", seed, i, got, want)
			}
			if got, want := a.Float64(), b.Float64(); got != want {
				t.Fatalf("seed %d draw %d: Float64 %v != %v", seed, i, got, want)
			}
			if got, want := a.LogNormal(time.Minute, 0.7), b.LogNormal(time.Minute, 0.7); got != want {
				t.Fatalf("seed %d draw %d: LogNormal %v != %v", seed, i, got, want)
			}
		}
		if got, want := a.Seed(), seed; got != want {
			t.Fatalf("Seed()=%d, want %d", got, want)
		}
	}
	if slices.Equal(draws(des.NewStream(1), 16), draws(des.NewStream(2), 16)) {
		t.Fatalf("different seeds produced the same sequence")
	}
}

// TestStream_GoldenValues pins the generator's output so that an accidental
// change of algorithm (which would silently change every scenario's results)
// is caught.
func TestStream_GoldenValues(t *testing.T) {
	s := des.NewStream(20240601)
	got := []any{s.Uint64(), s.IntN(1000), s.Bernoulli(0.5), s.Split("team-a").Uint64()}
	want := []any{uint64(0x6bf63c8a8ff048d1), 22, true, uint64(0xbb9cd3b654f37aa6)}
	if len(got) != len(want) {
		t.Fatalf("golden length mismatch")
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("golden[%d]=%v, want %v (generator output changed)", i, got[i], want[i])
		}
	}
}

func TestStream_Split(t *testing.T) {
	t.Run("IndependentOfParentDraws", func(t *testing.T) {
		p1, p2 := des.NewStream(7), des.NewStream(7)
		draws(p2, 1234) // draw a lot from one parent only
		p2.NormFloat64()
		if got, want := draws(p2.Split("a"), 100), draws(p1.Split("a"), 100); !slices.Equal(got, want) {
			t.Fatalf("child depends on parent's draw count")
		}
	})
	t.Run("IndependentOfSiblings", func(t *testing.T) {
		p1, p2 := des.NewStream(7), des.NewStream(7)
		b := p2.Split("b")
		draws(b, 100)
		if got, want := draws(p2.Split("a"), 100), draws(p1.Split("a"), 100); !slices.Equal(got, want) {
			t.Fatalf("child depends on sibling creation")
		}
	})
	t.Run("DoesNotAdvanceParent", func(t *testing.T) {
		p1, p2 := des.NewStream(7), des.NewStream(7)
		p2.Split("x")
		if got, want := draws(p2, 10), draws(p1, 10); !slices.Equal(got, want) {
			t.Fatalf("Split advanced the parent")
		}
	})
	t.Run("DifferentLabelsDiffer", func(t *testing.T) {
		p := des.NewStream(7)
		labels := []string{"", "a", "b", "ab", "ba", "team-1", "team-2"}
		seen := make(map[uint64]string)
		for _, l := range labels {
			c := p.Split(l)
			if prev, ok := seen[c.Seed()]; ok {
				t.Fatalf("labels %q and %q gave the same seed", prev, l)
			}
			seen[c.Seed()] = l
			if slices.Equal(draws(c, 8), draws(p.Split("other"), 8)) {
				t.Fatalf("label %q equals label other", l)
			}
		}
		if slices.Equal(draws(des.NewStream(1).Split("a"), 8), draws(des.NewStream(2).Split("a"), 8)) {
			t.Fatalf("same label under different parents gave the same stream")
		}
		if slices.Equal(draws(p.Split("a").Split("b"), 8), draws(p.Split("b").Split("a"), 8)) {
			t.Fatalf("nested splits commute")
		}
	})
}

func TestStream_Ranges(t *testing.T) {
	s := des.NewStream(3)
	for i := 0; i < 100000; i++ {
		if f := s.Float64(); f < 0 || f >= 1 {
			t.Fatalf("Float64()=%v out of [0,1)", f)
		}
		if n := s.IntN(7); n < 0 || n >= 7 {
			t.Fatalf("IntN(7)=%d out of range", n)
		}
		if e := s.ExpFloat64(); e < 0 || math.IsInf(e, 0) || math.IsNaN(e) {
			t.Fatalf("ExpFloat64()=%v", e)
		}
		if z := s.NormFloat64(); math.IsInf(z, 0) || math.IsNaN(z) {
			t.Fatalf("NormFloat64()=%v", z)
		}
	}
	if got, want := s.IntN(1), 0; got != want {
		t.Fatalf("IntN(1)=%d, want %d", got, want)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatalf("IntN(0) did not panic")
			}
		}()
		s.IntN(0)
	}()
}

func TestStream_Moments(t *testing.T) {
	const n = 200000
	s := des.NewStream(11)
	var sumU, sumN, sumN2, sumE float64
	var trues int
	for i := 0; i < n; i++ {
		sumU += s.Float64()
		z := s.NormFloat64()
		sumN += z
		sumN2 += z * z
		sumE += s.ExpFloat64()
		if s.Bernoulli(0.3) {
			trues++
		}
	}
	tests := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"UniformMean", sumU / n, 0.5, 0.01},
		{"NormalMean", sumN / n, 0, 0.01},
		{"NormalVariance", sumN2 / n, 1, 0.02},
		{"ExpMean", sumE / n, 1, 0.02},
		{"BernoulliRate", float64(trues) / n, 0.3, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.got-tt.want) > tt.tol {
				t.Fatalf("got %v, want %v±%v", tt.got, tt.want, tt.tol)
			}
		})
	}
}

func TestStream_BernoulliEdges(t *testing.T) {
	s := des.NewStream(5)
	for i := 0; i < 1000; i++ {
		if s.Bernoulli(0) || s.Bernoulli(-1) || s.Bernoulli(math.NaN()) {
			t.Fatalf("Bernoulli(p<=0) returned true")
		}
		if !s.Bernoulli(1) || !s.Bernoulli(2) {
			t.Fatalf("Bernoulli(p>=1) returned false")
		}
	}
}

func TestStream_FixedDrawCount(t *testing.T) {
	// Changing a parameter must not shift later draws from the same stream.
	a, b := des.NewStream(9), des.NewStream(9)
	a.Bernoulli(0)
	b.Bernoulli(0.7)
	a.LogNormal(time.Second, 0)
	b.LogNormal(time.Minute, 2)
	a.LogNormal(0, 1)
	b.LogNormal(time.Hour, 0.1)
	a.IntN(2)
	b.IntN(1 << 40)
	if got, want := a.Uint64(), b.Uint64(); got != want {
		t.Fatalf("draw counts depend on parameters: %d != %d", got, want)
	}
}

func TestStream_LogNormal(t *testing.T) {
	t.Run("Median", func(t *testing.T) {
		for _, tc := range []struct {
			median time.Duration
			spread float64
		}{
			{time.Minute, 0.5},
			{10 * time.Second, 1},
			{2 * time.Hour, 0.25},
		} {
			s := des.NewStream(2024)
			xs := make([]time.Duration, 10001)
			for i := range xs {
				xs[i] = s.LogNormal(tc.median, tc.spread)
			}
			slices.Sort(xs)
			got := float64(xs[len(xs)/2])
			want := float64(tc.median)
			if math.Abs(got-want) > 0.1*want {
				t.Fatalf("median=%v spread=%v: sample median %v not within 10%%", tc.median, tc.spread, time.Duration(got))
			}
		}
	})
	t.Run("ZeroSpreadReturnsMedian", func(t *testing.T) {
		s := des.NewStream(1)
		for _, spread := range []float64{0, -1, math.NaN()} {
			if got, want := s.LogNormal(time.Minute, spread), time.Minute; got != want {
				t.Fatalf("spread %v: got %v, want %v", spread, got, want)
			}
		}
	})
	t.Run("NonPositiveMedian", func(t *testing.T) {
		s := des.NewStream(1)
		for _, m := range []time.Duration{0, -time.Second} {
			if got, want := s.LogNormal(m, 1), time.Duration(0); got != want {
				t.Fatalf("median %v: got %v, want %v", m, got, want)
			}
		}
	})
	t.Run("Clamped", func(t *testing.T) {
		s := des.NewStream(1)
		for i := 0; i < 10000; i++ {
			for _, m := range []time.Duration{time.Second, time.Duration(math.MaxInt64 / 10)} {
				got := s.LogNormal(m, 50)
				if got < 0 {
					t.Fatalf("negative result %v", got)
				}
				if float64(got) > 1000*float64(m) {
					t.Fatalf("result %v exceeds 1000*median %v", got, m)
				}
			}
			if got := s.LogNormal(time.Second, math.Inf(1)); got < 0 || got > 1000*time.Second {
				t.Fatalf("spread +Inf: result %v out of range", got)
			}
		}
	})
}
