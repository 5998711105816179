package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
)

// LibraryEvents returns n realistic events numbered 1..n: the logs of the
// bundled scenarios run with successive seeds, renumbered end to end.
func LibraryEvents(tb testing.TB, n int) []engine.Event {
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

// Committer is a store that counts its group commits.
type Committer interface {
	store.Store
	Stats() store.CommitStats
}

// BenchmarkAppendDurable measures acknowledged durable appends per second
// on the stores open returns (one per writer count): each of W writers
// appends one event at a time to its own exercise and waits for the commit,
// as a server does before acknowledging a command. Group commit lets the
// writers share commits; it reports how many appends one commit carried.
func BenchmarkAppendDurable(b *testing.B, open func(b *testing.B) Committer) {
	events := LibraryEvents(b, 1000)
	for _, writers := range []int{1, 8, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db := open(b)
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

// ReplaySizes are the shapes of the logs the replay benchmarks read: written
// in appends of 128 events, or of 1 to 3 events as a live exercise appends
// them (which compaction merges into bigger rows).
var ReplaySizes = []struct {
	Name     string
	Min, Max int
}{{"appends=128", 128, 128}, {"appends=1-3", 1, 3}}

// AppendAll writes events to the exercise id in appends of lo to hi
// events, cycling through the sizes, and returns how many appends it made.
func AppendAll(b *testing.B, s store.Store, id string, events []engine.Event, lo, hi int) int {
	b.Helper()
	appends := 0
	for i := 0; i < len(events); appends++ {
		k := min(lo+appends%(hi-lo+1), len(events)-i)
		if err := s.Append(context.Background(), id, events[i:i+k]); err != nil {
			b.Fatal(err)
		}
		i += k
	}
	return appends
}

// MeasureReplay reads the whole log of exercise id (n events) back in the
// benchmark's loop, as a server does for each exercise on start, and
// reports events/s and the process's CPU time per read (less disturbed
// than wall time by other load on the machine): the steady rate of a
// server that starts with many exercises. What a first replay costs a
// fresh process is first-ms.
//
// The reads before the loop are not in its figures: the first, reported
// as first-ms, and warmReads more. They pay for the memory the heap grows
// into (page faults, which cost 15–21 µs per 4 KiB page on the virtual
// machines measured here: several times the read itself) and fill the
// database's page cache, and how much of that fell inside the loop
// depended on what the benchmark before had left: read 30 times after
// its appends, each log's first three reads took 171–400 ms and the
// others 20–53 ms.
func MeasureReplay(b *testing.B, s store.Store, id string, n int) {
	b.Helper()
	ctx := context.Background()
	read := func() {
		got, err := s.Events(ctx, id, 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != n {
			b.Fatalf("%d events, want %d", len(got), n)
		}
	}
	first := timed(read)
	warm(read)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(first.Seconds()*1000, "first-ms")
}

// warmReads is how many reads MeasureReplay and MeasureDecode make after
// the first before they measure: in the traces above the reads were steady
// from the fourth.
const warmReads = 5

// warm calls f warmReads times.
func warm(f func()) {
	for range warmReads {
		f()
	}
}

// timed returns how long f took.
func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

// GroupCommit checks that concurrent appends to db share transactions: 16
// writers' 320 appends must complete in fewer than three quarters as many
// commits.
func GroupCommit(t *testing.T, db Committer) {
	t.Helper()
	ctx := context.Background()
	const writers, each = 16, 20
	for w := range writers {
		if err := db.CreateExercise(ctx, &store.Exercise{ID: fmt.Sprint(w)}); err != nil {
			t.Fatal(err)
		}
	}
	before := db.Stats().Commits
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for seq := uint64(1); seq <= each; seq++ {
				if err := db.Append(ctx, fmt.Sprint(w), []engine.Event{{Seq: seq, Type: engine.EventNote}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	commits := db.Stats().Commits - before
	t.Logf("%d appends in %d commits", writers*each, commits)
	if commits >= uint64(writers*each*3/4) {
		t.Fatalf("%d appends took %d commits: no group commit", writers*each, commits)
	}
}

// EncodeBatches encodes events as a store keeps them, in batches of size
// events each (the last may be shorter), one blob per batch.
func EncodeBatches(events []engine.Event, size int) [][]byte {
	var blobs [][]byte
	for i := 0; i < len(events); i += size {
		var blob []byte
		for j := i; j < min(i+size, len(events)); j++ {
			blob = store.AppendEvent(blob, &events[j])
		}
		blobs = append(blobs, blob)
	}
	return blobs
}

// MeasureDecode is the reference for MeasureReplay: it decodes the same
// events from memory, in batches of 128 (as a replay reads them), with one
// Decoder and into a fresh slice per read as a replay does, so that the
// ratio of the two is what the database and its driver cost.
func MeasureDecode(b *testing.B, events []engine.Event) {
	b.Helper()
	blobs := EncodeBatches(events, 128)
	decode := func() {
		var dec store.Decoder
		out := dec.Reserve(len(events))
		for _, blob := range blobs {
			var err error
			if out, err = dec.Events(out, blob, 0); err != nil {
				b.Fatal(err)
			}
		}
		if len(out) != len(events) {
			b.Fatalf("%d events, want %d", len(out), len(events))
		}
	}
	first := timed(decode) // apart, as MeasureReplay's first read
	warm(decode)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		decode()
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(first.Seconds()*1000, "first-ms")
}
