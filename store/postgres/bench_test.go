package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
// folded. cpu-ms/op is this process's CPU time; server-cpu-ms/op, reported
// when the server runs on this machine and its processes can be read, is
// the CPU time of the server's processes serving the benchmark's database
// (from /proc). The "codec" case is the reference: the same events decoded
// from memory.
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
			if err := Plain(b, u).QueryRow(ctx, "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM event_batches)").Scan(&rows); err != nil {
				b.Fatal(err)
			}
			// One replay first, so that the read pool has its connection.
			if _, err := db.Events(ctx, "x", 0); err != nil {
				b.Fatal(err)
			}
			server := serverCPU(b, Plain(b, u))
			storetest.MeasureReplay(b, db, "x", n)
			if cpu, ok := server(); ok {
				b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "server-cpu-ms/op")
			}
			b.ReportMetric(float64(appends), "appends")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// serverCPU starts measuring the CPU time of the server processes
// connected to c's database (other than c's own): the function it returns
// gives the time they have used since, or false if the server's processes
// cannot be read from /proc (a server on another machine). A process that
// connected meanwhile counts from its start.
func serverCPU(b *testing.B, c *pgx.Conn) func() (time.Duration, bool) {
	b.Helper()
	ctx := context.Background()
	sample := func() (map[int]time.Duration, bool) {
		rows, err := c.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
		if err != nil {
			b.Fatal(err)
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			b.Fatal(err)
		}
		out := map[int]time.Duration{}
		for _, pid := range pids {
			t, err := processCPU(int(pid))
			if err != nil {
				return nil, false
			}
			out[int(pid)] = t
		}
		return out, true
	}
	start, ok := sample()
	return func() (time.Duration, bool) {
		end, ok2 := sample()
		if !ok || !ok2 {
			return 0, false
		}
		var used time.Duration
		for pid, t := range end {
			used += t - start[pid]
		}
		return used, true
	}
}

// processCPU returns the user and system CPU time of process pid, from
// /proc/pid/stat (in clock ticks of 10 ms, Linux's USER_HZ).
func processCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is the first, utime and stime the 12th and 13th.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}
