package postgres_test

import (
	"context"
	"strings"
	"testing"

	"cmesim/store"
	"cmesim/store/storetest"
)

// withParam adds a run-time parameter to a URL or connection string.
func withParam(u, key, value string) string {
	switch {
	case !strings.Contains(u, "://"):
		return u + " " + key + "=" + value
	case strings.Contains(u, "?"):
		return u + "&" + key + "=" + value
	}
	return u + "?" + key + "=" + value
}

// BenchmarkAppendDurable measures acknowledged durable appends per second
// (see storetest.BenchmarkAppendDurable); group commit lets the writers
// share round trips and WAL flushes. The server's settings decide what
// durable means (fsync, synchronous_commit): run it against a server set
// up as in production.
func BenchmarkAppendDurable(b *testing.B) {
	serverURL(b)
	storetest.BenchmarkAppendDurable(b, func(b *testing.B) storetest.Committer { return MustOpen(b, NewDatabase(b)) })
}

// BenchmarkReplay100k measures reading a 100,000-event log back, as a
// server does for each exercise on start: Events(ctx, id, 0), decoded, not
// folded. The CPU time reported is this process's, not the server's. The
// "codec" case is the reference: the same events decoded from memory.
func BenchmarkReplay100k(b *testing.B) {
	serverURL(b)
	const n = 100_000
	events := storetest.LibraryEvents(b, n)
	b.Run("codec", func(b *testing.B) { storetest.MeasureDecode(b, events) })
	for _, size := range storetest.ReplaySizes {
		b.Run(size.Name, func(b *testing.B) {
			u := NewDatabase(b)
			ctx := context.Background()
			// Without waiting for the WAL flush while building the log, or
			// 50,000 small appends would take a minute; it changes nothing
			// that is read.
			w := MustOpen(b, withParam(u, "synchronous_commit", "off"))
			if err := w.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
				b.Fatal(err)
			}
			appends := storetest.AppendAll(b, w, "x", events, size.Min, size.Max)
			// The last compactions ride on one more commit.
			if err := w.PutSession(ctx, store.Session{Token: "t"}); err != nil {
				b.Fatal(err)
			}
			w.Close()
			db := MustOpen(b, u)
			var rows int
			if err := Plain(b, u).QueryRow(ctx, "SELECT count(*) FROM events").Scan(&rows); err != nil {
				b.Fatal(err)
			}
			storetest.MeasureReplay(b, db, "x", n)
			b.ReportMetric(float64(appends), "appends")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
