package baseline

import "math"

// Histogram counts values in bins of equal Width: bin i holds the values v
// with Start + i·Width ≤ v < Start + (i+1)·Width. Values below Start are
// counted in bin 0. Its size depends on the largest value, not on how many
// values it holds.
type Histogram struct {
	Start  float64 `json:"start,omitempty"`
	Width  float64 `json:"width"`
	Counts []int   `json:"counts"`
}

// Add counts one value.
func (h *Histogram) Add(v float64) {
	i := max(0, int((v-h.Start)/h.Width))
	for len(h.Counts) <= i {
		h.Counts = append(h.Counts, 0)
	}
	h.Counts[i]++
}

func (h *Histogram) total() int {
	n := 0
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Quantile returns the value below which a fraction q (0 to 1) of the
// values fall, assuming values spread evenly within each bin. It returns
// NaN for an empty histogram.
func (h *Histogram) Quantile(q float64) float64 {
	n := h.total()
	if n == 0 {
		return math.NaN()
	}
	target := q * float64(n)
	seen := 0.0
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		if seen+float64(c) >= target {
			frac := (target - seen) / float64(c)
			return h.Start + (float64(i)+frac)*h.Width
		}
		seen += float64(c)
	}
	return h.Start + float64(len(h.Counts))*h.Width
}

// Percentile returns the percentage (0–100) of the values below v,
// assuming values spread evenly within each bin (the inverse of Quantile).
// It returns NaN for an empty histogram.
func (h *Histogram) Percentile(v float64) float64 {
	n := h.total()
	if n == 0 || !(h.Width > 0) {
		return math.NaN()
	}
	pos := (v - h.Start) / h.Width
	below := 0.0
	for i, c := range h.Counts {
		switch lo := float64(i); {
		case pos >= lo+1:
			below += float64(c)
		case pos > lo:
			below += float64(c) * (pos - lo)
		}
	}
	return 100 * below / float64(n)
}
