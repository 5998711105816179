package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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

// BenchmarkAppendDurable measures acknowledged durable appends per second:
// each of W writers appends one event at a time to its own exercise and
// waits for the commit, as a server does before acknowledging a command.
// Group commit lets the writers share round trips and WAL flushes. The
// server's settings decide what durable means (fsync, synchronous_commit):
// run it against a server set up as in production.
func BenchmarkAppendDurable(b *testing.B) {
	serverURL(b)
	events := libraryEvents(b, 1000)
	for _, writers := range []int{1, 8, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db := MustOpen(b, NewDatabase(b))
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
// folded. The log is written in appends of 128 events, or of 1 to 3 events
// as a live exercise appends them (which compaction merges into bigger
// rows).
func BenchmarkReplay100k(b *testing.B) {
	serverURL(b)
	const n = 100_000
	events := libraryEvents(b, n)
	for _, c := range []struct {
		name     string
		min, max int
	}{{"appends=128", 128, 128}, {"appends=1-3", 1, 3}} {
		b.Run(c.name, func(b *testing.B) {
			u := NewDatabase(b)
			ctx := context.Background()
			// Without waiting for the WAL flush while building the log, or
			// 50,000 small appends would take a minute; it changes nothing
			// that is read.
			w := MustOpen(b, withParam(u, "synchronous_commit", "off"))
			if err := w.CreateExercise(ctx, &store.Exercise{ID: "x"}); err != nil {
				b.Fatal(err)
			}
			appends := 0
			for i := 0; i < n; appends++ {
				k := min(c.min+appends%(c.max-c.min+1), n-i)
				if err := w.Append(ctx, "x", events[i:i+k]); err != nil {
					b.Fatal(err)
				}
				i += k
			}
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
			b.ReportAllocs()
			cpu := cpuTime()
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
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(appends), "appends")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// cpuTime returns the CPU time the process has used (user and system), a
// measure less disturbed than wall time by other load on the machine. The
// server's CPU time is not in it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
