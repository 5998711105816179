package loadtest

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"
)

// MaxSamples bounds the samples a Recorder keeps, so a long or wide run
// cannot grow the tool's memory without limit: past it, a uniform
// reservoir sample of this size stands for all of them (count, mean and
// max stay exact).
const MaxSamples = 1_000_000

// Recorder collects latency samples from many goroutines.
type Recorder struct {
	mu      sync.Mutex
	limit   int
	samples []time.Duration
	n       int64
	sum     time.Duration
	max     time.Duration
	rng     *rand.Rand
}

// NewRecorder returns a Recorder that keeps at most limit samples
// (MaxSamples when limit <= 0).
func NewRecorder(limit int) *Recorder {
	if limit <= 0 {
		limit = MaxSamples
	}
	return &Recorder{limit: limit, rng: rand.New(rand.NewPCG(1, 2))}
}

// Add records one sample.
func (r *Recorder) Add(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.sum += d
	r.max = max(r.max, d)
	if len(r.samples) < r.limit {
		r.samples = append(r.samples, d)
		return
	}
	// Reservoir sampling (algorithm R): every sample seen so far has the
	// same chance, limit/n, of being kept.
	if i := r.rng.Int64N(r.n); i < int64(r.limit) {
		r.samples[i] = d
	}
}

// Stats summarises the samples recorded so far.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	sorted := slices.Clone(r.samples)
	st := Stats{Count: r.n, Max: Millis(r.max)}
	if r.n > 0 {
		st.Mean = Millis(r.sum / time.Duration(r.n))
	}
	r.mu.Unlock()
	slices.Sort(sorted)
	st.P50 = Millis(Percentile(sorted, 50))
	st.P90 = Millis(Percentile(sorted, 90))
	st.P99 = Millis(Percentile(sorted, 99))
	st.P999 = Millis(Percentile(sorted, 99.9))
	return st
}

// Percentile returns the p-th percentile (0 <= p <= 100) of sorted samples
// by the nearest-rank method: the smallest sample that at least p percent
// of the samples do not exceed. It returns 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(rank, 1), n)-1]
}

// Stats describes a latency distribution. Durations are written to JSON as
// milliseconds.
type Stats struct {
	Count int64  `json:"count"`
	Mean  Millis `json:"mean_ms"`
	P50   Millis `json:"p50_ms"`
	P90   Millis `json:"p90_ms"`
	P99   Millis `json:"p99_ms"`
	P999  Millis `json:"p999_ms"`
	Max   Millis `json:"max_ms"`
}

// Millis is a duration that reads and writes JSON as a number of
// milliseconds, which is how people compare latencies.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds, to the microsecond.
func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(float64(m)/1e3)/1e3, 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of milliseconds.
func (m *Millis) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*m = Millis(f * 1e6)
	return nil
}

// String formats the duration as milliseconds, "12.3ms".
func (m Millis) String() string {
	return strconv.FormatFloat(float64(m)/1e6, 'f', msDecimals(time.Duration(m)), 64) + "ms"
}

func msDecimals(d time.Duration) int {
	switch {
	case d >= 100*time.Millisecond:
		return 0
	case d >= 10*time.Millisecond:
		return 1
	}
	return 2
}
