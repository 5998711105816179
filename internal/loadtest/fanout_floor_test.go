//go:build unix

package loadtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLoopbackFanout measures the floor cost of an inject fan-out on
// this machine: one 1,024-byte message written once to each of N loopback
// TCP connections (N = 1,000 and 5,000), timed from before the first
// connection is signalled until the last client has read its copy.
//
// It copies the shape of the server's delivery path and nothing more:
// each server-side connection has its own writer goroutine blocked on its
// own channel, which sets a 10 s write deadline and writes the payload
// when signalled; each client-side connection has a reader goroutine that
// reads exactly one message (io.ReadFull) and records when it arrived.
// Both ends live in this one process, so what is measured is kernel
// loopback TCP plus the Go scheduler and netpoller waking 2N goroutines —
// no WebSocket framing, no JSON encoding, no audience filtering, no store.
// No server can deliver an inject to N sockets faster than this, so the
// figure is a reference for the "to last trainee" delivery time that
// cmesim loadtest reports: compare the two from the same machine in the
// same run (same load), as the floor depends on the cores and on whatever
// else is running.
//
// The writers=2 variants write from two goroutines, each going through
// half of the connections, instead of one goroutine per connection: what a
// server would save on wakeups by writing a burst from a small pool (at
// the price of one slow socket holding up the others behind it). The
// writers=on-demand variants start a goroutine for each connection's
// write, which ends once it has written, as the server's writers do: no
// goroutine waits on an idle connection.
//
// Metrics: ms/fanout is the mean time to last receipt over the
// iterations, µs/conn that divided by N, and p99-ms the 99th percentile
// (nearest rank) of the per-iteration time to last receipt, reported only
// when there are at least 20 iterations (-benchtime 50x, say).
func BenchmarkLoopbackFanout(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("conns=%d", n), func(b *testing.B) {
			benchmarkLoopbackFanout(b, n, 0)
		})
		b.Run(fmt.Sprintf("conns=%d/writers=2", n), func(b *testing.B) {
			benchmarkLoopbackFanout(b, n, 2)
		})
		b.Run(fmt.Sprintf("conns=%d/writers=on-demand", n), func(b *testing.B) {
			benchmarkLoopbackFanout(b, n, onDemand)
		})
	}
}

// fanoutPayloadLen is the size of the message fanned out: about one inject.
const fanoutPayloadLen = 1024

// onDemand, as benchmarkLoopbackFanout's pool, starts a goroutine for
// each write.
const onDemand = -1

// benchmarkLoopbackFanout fans out to n connections, from one writer
// goroutine per connection, from pool goroutines if pool > 0, or from a
// goroutine started for each write if pool is onDemand.
func benchmarkLoopbackFanout(b *testing.B, n, pool int) {
	ensureFileLimit(b, 2*n+100)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}

	var (
		goroutines sync.WaitGroup // every goroutine this benchmark starts
		stopping   atomic.Bool    // set once teardown starts: errors are expected
		errc       = make(chan error, 1)
		servers    []net.Conn
		clients    []net.Conn
		signals    []chan struct{}
	)
	fail := func(err error) {
		if stopping.Load() {
			return
		}
		select {
		case errc <- err:
		default:
		}
	}
	defer func() {
		stopping.Store(true)
		for _, ch := range signals {
			close(ch) // writers return
		}
		for _, c := range clients {
			c.Close() // readers return on the read error
		}
		for _, c := range servers {
			c.Close()
		}
		ln.Close() // the accept loop returns, if it has not already
		goroutines.Wait()
	}()

	// Connect: accept on one goroutine while dialling on this one.
	accepted := make(chan net.Conn, n)
	goroutines.Go(func() {
		for range n {
			c, err := ln.Accept()
			if err != nil {
				fail(fmt.Errorf("accept: %w", err))
				return
			}
			accepted <- c
		}
	})
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatalf("dial connection %d of %d: %v", len(clients)+1, n, err)
		}
		clients = append(clients, c)
	}
	for range n {
		select {
		case c := <-accepted:
			servers = append(servers, c)
		case err := <-errc:
			b.Fatal(err)
		}
	}

	payload := make([]byte, fanoutPayloadLen)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	write := func(c net.Conn) bool {
		c.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(payload); err != nil {
			fail(fmt.Errorf("write: %w", err))
			return false
		}
		return true
	}
	if pool == 0 { // one writer per connection, as the server has
		for _, c := range servers {
			ch := make(chan struct{}, 1) // the server's send queue is buffered too
			signals = append(signals, ch)
			goroutines.Go(func() {
				for range ch {
					if !write(c) {
						return
					}
				}
			})
		}
	}
	for w := range pool { // or a few, each going through its share in turn
		ch := make(chan struct{}, 1)
		signals = append(signals, ch)
		goroutines.Go(func() {
			for range ch {
				for i := w; i < len(servers); i += pool {
					if !write(servers[i]) {
						return
					}
				}
			}
		})
	}

	// One reader per client-side connection. The reader that brings the
	// count of outstanding messages to zero reports the fan-out complete.
	var pending atomic.Int64
	allIn := make(chan struct{}, 1)
	received := make([]time.Time, n) // when reader i last received
	for i, c := range clients {
		goroutines.Go(func() {
			buf := make([]byte, fanoutPayloadLen)
			for {
				if _, err := io.ReadFull(c, buf); err != nil {
					if !errors.Is(err, net.ErrClosed) {
						fail(fmt.Errorf("read: %w", err))
					}
					return
				}
				received[i] = time.Now()
				if pending.Add(-1) == 0 {
					allIn <- struct{}{}
				}
			}
		})
	}

	var (
		times []time.Duration // each iteration's time to last receipt
		total time.Duration
	)
	for b.Loop() {
		pending.Store(int64(n))
		start := time.Now()
		for _, ch := range signals {
			ch <- struct{}{}
		}
		if pool == onDemand {
			for _, c := range servers {
				goroutines.Go(func() { write(c) })
			}
		}
		select {
		case <-allIn:
		case err := <-errc:
			b.Fatal(err)
		}
		last := received[0]
		for _, t := range received[1:] {
			if t.After(last) {
				last = t
			}
		}
		d := last.Sub(start)
		times = append(times, d)
		total += d
	}

	mean := total / time.Duration(len(times))
	b.ReportMetric(float64(mean)/float64(time.Millisecond), "ms/fanout")
	b.ReportMetric(float64(mean)/float64(time.Microsecond)/float64(n), "µs/conn")
	if b.N >= 20 {
		slices.Sort(times)
		rank := (99*len(times) + 99) / 100 // ceil(0.99 × iterations)
		b.ReportMetric(float64(times[rank-1])/float64(time.Millisecond), "p99-ms")
	}
}

// ensureFileLimit raises this process's limit on open files to at least
// need, raising the hard limit too if it must (which root may do), and
// skips the benchmark if that cannot be done.
func ensureFileLimit(b *testing.B, need int) {
	b.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Skipf("cannot read the open-file limit (RLIMIT_NOFILE): %v; this benchmark needs %d descriptors", err, need)
	}
	if lim.Cur >= uint64(need) {
		return
	}
	want := lim
	want.Cur = uint64(need)
	if want.Max < want.Cur {
		want.Max = want.Cur
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		b.Skipf("this benchmark needs %d open files, but the limit is %d (hard limit %d) and raising it failed: %v; "+
			"raise it with ulimit -n (ulimit -Hn, or run as root)", need, lim.Cur, lim.Max, err)
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < uint64(need) {
		b.Skipf("this benchmark needs %d open files, but the limit stayed at %d; raise it with ulimit -n", need, lim.Cur)
	}
}
