package report

import (
	"cmesim/baseline"
	"cmesim/scenarios"
)

// Rating is an HSEEP objective rating.
type Rating string

// The HSEEP ratings. RatingNone marks an objective with no points available
// (not exercised).
const (
	RatingP    Rating = "P"
	RatingS    Rating = "S"
	RatingM    Rating = "M"
	RatingU    Rating = "U"
	RatingNone Rating = ""
)

// Label returns the rating's HSEEP meaning.
func (r Rating) Label() string {
	switch r {
	case RatingP:
		return "Performed without challenges"
	case RatingS:
		return "Performed with some challenges"
	case RatingM:
		return "Performed with major challenges"
	case RatingU:
		return "Unable to be performed"
	}
	return "Not exercised"
}

// Letter returns the rating's letter, or "–" when not exercised.
func (r Rating) Letter() string {
	if r == RatingNone {
		return "–"
	}
	return string(r)
}

// Rate applies thresholds to the fraction earned of what was available
// (baseline.Rate, the rule batch baselines use too). With nothing available
// there is nothing to rate: RatingNone.
func Rate(earned, available float64, th scenarios.RatingThresholds) Rating {
	return Rating(baseline.Rate(earned, available, th))
}
