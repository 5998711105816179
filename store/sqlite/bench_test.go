package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
)

// libraryEvents returns n realistic events numbered 1..n: the logs of the
// bundled scenarios run with successive seeds, renumbered end to end.
func libraryEvents(tb testing.TB, n int) []engine.Event {
	tb.Helper()
	var scns []*scenarios.Scenario
	for _, name := range scenarios.Library() {
		s, problems := scenarios.LoadLibrary(name)
		if problems.HasErrors() {
			tb.Fatal(problems)
		}
		scns = append(scns, s)
	}
	out := make([]engine.Event, 0, n)
	for seed := uint64(1); len(out) < n; seed++ {
		x, err := engine.New(scns[int(seed)%len(scns)], engine.Options{Seed: seed})
		if err != nil {
			tb.Fatal(err)
		}
		if err := x.RunToEnd(); err != nil {
			tb.Fatal(err)
		}
		for _, e := range x.Events() {
			if len(out) == n {
				break
			}
			e.Seq = uint64(len(out)) + 1
			out = append(out, e)
		}
	}
	return out
}

// BenchmarkAppendDurable measures acknowledged durable appends per second:
// each of W writers appends one event at a time to its own exercise and
// waits for the commit, as a server does before acknowledging a command.
// Group commit lets the writers share fsyncs.
func BenchmarkAppendDurable(b *testing.B) {
	events := libraryEvents(b, 1000)
	for _, writers := range []int{1, 8, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db := MustOpen(b, b.TempDir())
			defer db.Close()
			ctx := context.Background()
			for w := range writers {
				if err := db.CreateExercise(ctx, &store.Exercise{ID: fmt.Sprint(w)}); err != nil {
					b.Fatal(err)
				}
			}
			before := db.Stats()
			var left atomic.Int64
			left.Store(int64(b.N))
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					id := fmt.Sprint(w)
					for seq := uint64(1); left.Add(-1) >= 0; seq++ {
						e := events[int(seq-1)%len(events)]
						e.Seq = seq
						if err := db.Append(ctx, id, []engine.Event{e}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			st := db.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			b.ReportMetric(float64(st.Requests-before.Requests)/float64(st.Commits-before.Commits), "appends/commit")
		})
	}
}

// BenchmarkReplay100k measures reading a 100,000-event log back, as a
// server does for each exercise on start: Events(ctx, id, 0), decoded, not
// folded. The log is written in appends of batch events.
func BenchmarkReplay100k(b *testing.B) {
	const n = 100_000
	events := libraryEvents(b, n)
	for _, batch := range []int{128, 16, 1} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := MustOpen(b, b.TempDir())
			defer db.Close()
			ctx := context.Background()
			if err := db.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < n; i += batch {
				if err := db.Append(ctx, "x", events[i:min(i+batch, n)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				got, err := db.Events(ctx, "x", 0)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != n {
					b.Fatalf("%d events, want %d", len(got), n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
