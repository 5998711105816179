package report

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Duration is a span of virtual time. It encodes in JSON as a number of
// seconds (fractional only when the log has sub-second times), which reads
// better in a report than the engine's nanoseconds.
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Seconds returns the duration in seconds.
func (d Duration) Seconds() float64 { return time.Duration(d).Seconds() }

// Clock formats the duration as H:MM:SS.
func (d Duration) Clock() string { return clock(time.Duration(d)) }

// TPlus formats a virtual time as T+H:MM:SS.
func (d Duration) TPlus() string { return "T+" + clock(time.Duration(d)) }

// String formats the duration as H:MM:SS.
func (d Duration) String() string { return d.Clock() }

// MarshalJSON encodes the duration as seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(d).Seconds(), 'f', -1, 64), nil
}

// UnmarshalJSON decodes a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e9 {
		return fmt.Errorf("report: duration must be a number of seconds, got %s", b)
	}
	*d = Duration(math.Round(f * float64(time.Second)))
	return nil
}

// clock formats d as H:MM:SS, rounding to the second.
func clock(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%s%d:%02d:%02d", sign, s/3600, s/60%60, s%60)
}

func durPtr(d time.Duration) *Duration {
	v := Duration(d)
	return &v
}
