package store

import (
	"math"
	"time"
)

// CommitStats counts a backend's committer's work since it was opened.
type CommitStats struct {
	// Commits is the number of transactions committed.
	Commits uint64
	// Requests is the number of writes (appends, exercises, sessions)
	// committed; Requests/Commits is the mean group-commit batch size.
	Requests uint64
	// Compactions is the number of times small rows of events were merged.
	Compactions uint64
}

// UnixNanos converts a time to Unix nanoseconds, clamped to what an int64
// holds, for backends that store times as integers.
func UnixNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}
