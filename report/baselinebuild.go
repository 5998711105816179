package report

import (
	"slices"

	"cmesim/scenarios"
)

// BaselineBuilder collects the reports of simulated runs into a Baseline
// with exact samples. It suits tests and small batches; engine/batch
// streams large batches into the same JSON with histograms only.
type BaselineBuilder struct {
	s         *scenarios.Scenario
	firstSeed uint64
	runs      int
	values    map[string]map[Metric][]float64
	missing   map[string]map[Metric]int
	ratings   map[string]map[string]int
}

// NewBaselineBuilder starts a baseline of scenario s whose runs used seeds
// firstSeed, firstSeed+1, ….
func NewBaselineBuilder(s *scenarios.Scenario, firstSeed uint64) *BaselineBuilder {
	return &BaselineBuilder{s: s, firstSeed: firstSeed, values: map[string]map[Metric][]float64{},
		missing: map[string]map[Metric]int{}, ratings: map[string]map[string]int{}}
}

// Add adds the report of one run.
func (bb *BaselineBuilder) Add(r *Report) {
	bb.runs++
	for i := range r.Teams {
		t := &r.Teams[i]
		if bb.values[t.ID] == nil {
			bb.values[t.ID], bb.missing[t.ID] = map[Metric][]float64{}, map[Metric]int{}
		}
		values := TeamMetrics(t)
		for _, m := range Metrics {
			if v, ok := values[m]; ok {
				bb.values[t.ID][m] = append(bb.values[t.ID][m], v)
			} else {
				bb.missing[t.ID][m]++
			}
		}
	}
	for _, o := range r.Objectives {
		if bb.ratings[o.ID] == nil {
			bb.ratings[o.ID] = map[string]int{"P": 0, "S": 0, "M": 0, "U": 0}
		}
		rating := o.Rating
		if rating == RatingNone {
			rating = RatingU
		}
		bb.ratings[o.ID][string(rating)]++
	}
}

// Baseline returns the baseline of the runs added so far. Histograms have
// bins of histWidth(metric) (1 point, 1 percent, 60 seconds).
func (bb *BaselineBuilder) Baseline() *Baseline {
	b := &Baseline{Format: BaselineFormat, Scenario: bb.s.Exercise.ID, Title: bb.s.Exercise.Title, Runs: bb.runs, FirstSeed: bb.firstSeed}
	for _, t := range bb.s.Teams {
		tb := TeamBaseline{Team: t.ID, Name: t.Name, Metrics: map[Metric]Distribution{}}
		for _, m := range Metrics {
			vs := slices.Clone(bb.values[t.ID][m])
			slices.Sort(vs)
			d := Distribution{Unit: m.Unit(), Count: len(vs), Missing: bb.missing[t.ID][m]}
			if len(vs) > 0 {
				sum := 0.0
				for i := range vs {
					vs[i] = round2(vs[i])
					sum += vs[i]
				}
				d.Mean, d.Min, d.Max = round2(sum/float64(len(vs))), vs[0], vs[len(vs)-1]
				d.P10, d.P50, d.P90 = quantile(vs, 0.1), quantile(vs, 0.5), quantile(vs, 0.9)
				d.Samples = vs
				h := &Histogram{Width: histWidth(m)}
				for _, v := range vs {
					i := max(0, int(v/h.Width))
					for len(h.Counts) <= i {
						h.Counts = append(h.Counts, 0)
					}
					h.Counts[i]++
				}
				d.Histogram = h
			}
			tb.Metrics[m] = d
		}
		b.Teams = append(b.Teams, tb)
	}
	for _, o := range bb.s.Exercise.Objectives {
		r := bb.ratings[o.ID]
		if r == nil {
			continue
		}
		ach := 0.0
		if bb.runs > 0 {
			ach = round4(float64(r["P"]+r["S"]) / float64(bb.runs))
		}
		b.Objectives = append(b.Objectives, ObjectiveBaseline{Objective: o.ID, Text: o.Text, Capability: string(o.Capability), Achieved: ach, Ratings: r})
	}
	return b
}

func histWidth(m Metric) float64 {
	if m.IsTime() {
		return 60
	}
	return 1
}

// quantile interpolates linearly between the sorted values.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return round2(sorted[i] + (sorted[i+1]-sorted[i])*(pos-float64(i)))
}
