package sqlite_test

import (
	"context"
	"testing"

	"cmesim/store"
	"cmesim/store/storetest"
)

// BenchmarkAppendDurable measures acknowledged durable appends per second
// (see storetest.BenchmarkAppendDurable); group commit lets the writers
// share fsyncs.
func BenchmarkAppendDurable(b *testing.B) {
	storetest.BenchmarkAppendDurable(b, func(b *testing.B) storetest.Committer { return MustOpen(b, b.TempDir()) })
}

// BenchmarkReplay100k measures reading a 100,000-event log back, as a
// server does for each exercise on start: Events(ctx, id, 0), decoded, not
// folded. The "codec" case is the reference: the same events decoded from
// memory, without the database.
func BenchmarkReplay100k(b *testing.B) {
	const n = 100_000
	events := storetest.LibraryEvents(b, n)
	b.Run("codec", func(b *testing.B) { storetest.MeasureDecode(b, events) })
	for _, size := range storetest.ReplaySizes {
		b.Run(size.Name, func(b *testing.B) {
			db := MustOpen(b, b.TempDir())
			defer db.Close()
			if err := db.CreateExercise(context.Background(), &store.Exercise{ID: "x"}); err != nil {
				b.Fatal(err)
			}
			// fsync off while building the log, or 100,000 small appends
			// would take minutes; it changes nothing that is read.
			if err := db.WriterExec("PRAGMA synchronous = OFF"); err != nil {
				b.Fatal(err)
			}
			appends := storetest.AppendAll(b, db, "x", events, size.Min, size.Max)
			if err := db.WriterExec("PRAGMA synchronous = FULL"); err != nil {
				b.Fatal(err)
			}
			storetest.MeasureReplay(b, db, "x", n)
			b.ReportMetric(float64(appends), "appends")
		})
	}
}
