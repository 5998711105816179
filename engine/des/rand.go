package des

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"time"
)

// Stream is a seeded, deterministic source of random numbers for a
// simulation.
//
// A Stream is built on the PCG-DXSM generator of math/rand/v2 ([rand.PCG]),
// whose output for a given seed is fixed by its algorithm. The derived
// distributions (Float64, IntN, NormFloat64, ...) are implemented in this
// package rather than delegated to [rand.Rand], so their output does not
// change when the Go toolchain changes its own algorithms. Integer results
// are bit-for-bit reproducible everywhere; floating-point results are
// reproducible on a given platform (they use the math package's Log, Exp,
// Sqrt and Cos).
//
// Every method consumes a fixed number of 64-bit draws regardless of its
// arguments: one for Uint64, Float64, IntN, Bernoulli and ExpFloat64, and two
// for NormFloat64 and LogNormal. Thus changing a probability or a spread in a
// scenario never shifts the values drawn afterwards from the same stream.
//
// Independent sub-streams are derived with [Stream.Split], which depends only
// on the parent's seed and a label. A Stream is not safe for concurrent use.
type Stream struct {
	seed uint64
	src  rand.PCG
}

// NewStream returns a stream seeded with seed. Equal seeds yield identical
// sequences.
func NewStream(seed uint64) *Stream {
	s := &Stream{seed: seed}
	s.src.Seed(splitMix64(seed), splitMix64(seed^0x6a09e667f3bcc909))
	return s
}

// Seed returns the seed the stream was created with.
func (s *Stream) Seed() uint64 { return s.seed }

// Split derives a child stream from the parent's seed and label. The child
// depends only on (parent seed, label): it is unaffected by how many values
// have been drawn from the parent and by which other children exist, and
// calling Split does not advance the parent. Equal labels give equal
// children; different labels give statistically independent children.
// Splits nest, so s.Split("a").Split("b") is a distinct stream.
func (s *Stream) Split(label string) *Stream {
	return NewStream(splitMix64(splitMix64(s.seed) ^ fnv1a64(label)))
}

// Uint64 returns a uniformly distributed 64-bit value.
func (s *Stream) Uint64() uint64 { return s.src.Uint64() }

// Float64 returns a uniformly distributed value in [0, 1) with 53 bits of
// precision.
func (s *Stream) Float64() float64 {
	return float64(s.src.Uint64()>>11) * 0x1p-53
}

// IntN returns a value in [0, n). It panics if n <= 0. It uses a single
// multiply-shift of one 64-bit draw (no rejection loop); the resulting bias
// is below n/2^64 and negligible for simulation purposes.
func (s *Stream) IntN(n int) int {
	if n <= 0 {
		panic("des: Stream.IntN: invalid argument n <= 0")
	}
	hi, _ := bits.Mul64(s.src.Uint64(), uint64(n))
	return int(hi)
}

// Bernoulli returns true with probability p. p <= 0 (or NaN) always yields
// false and p >= 1 always yields true; one value is drawn in every case.
func (s *Stream) Bernoulli(p float64) bool {
	return s.Float64() < p
}

// NormFloat64 returns a standard normally distributed value (mean 0, standard
// deviation 1), using the Box-Muller transform.
func (s *Stream) NormFloat64() float64 {
	u1 := 1 - s.Float64() // (0, 1]: Log is finite
	u2 := s.Float64()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// ExpFloat64 returns an exponentially distributed value with rate 1 (mean 1).
func (s *Stream) ExpFloat64() float64 {
	return -math.Log(1 - s.Float64())
}

// LogNormal returns a log-normally distributed duration with the given median
// and spread, where spread is the standard deviation (sigma) of the
// underlying normal distribution: the result is median * exp(spread * Z) for
// a standard normal Z. A spread <= 0 (or NaN) returns median; a median <= 0
// returns 0. The result is clamped to [0, 1000*median] (and to the largest
// Duration) to avoid overflow. Two values are drawn in every case.
func (s *Stream) LogNormal(median time.Duration, spread float64) time.Duration {
	z := s.NormFloat64()
	if median <= 0 {
		return 0
	}
	if !(spread > 0) {
		return median
	}
	m := float64(median)
	v := m * math.Exp(spread*z)
	if math.IsNaN(v) { // only for spread = +Inf and z = 0
		return median
	}
	if hi := 1000 * m; v > hi {
		v = hi
	}
	if v >= math.MaxInt64 { // float64(MaxInt64) rounds up to 2^63
		return math.MaxInt64
	}
	if v < 0 {
		return 0
	}
	return time.Duration(v)
}

// splitMix64 is the SplitMix64 finaliser, a bijective 64-bit mixer.
func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// fnv1a64 hashes s with 64-bit FNV-1a.
func fnv1a64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
