package web

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
)

// metrics are the server's counters, exposed at /metrics in the Prometheus
// text format. A handful of atomics does not justify a client library.
type metrics struct {
	connections   atomic.Int64 // open WebSockets
	exercises     atomic.Int64 // running exercises
	events        atomic.Int64 // events appended, all exercises
	commands      atomic.Int64 // commands received
	rejected      atomic.Int64 // messages and commands rejected
	drops         atomic.Int64 // clients dropped for a full send queue
	writeTimeouts atomic.Int64 // connections closed because a write timed out
	messagesIn    atomic.Int64
	messagesOut   atomic.Int64
	batches       atomic.Int64 // frames that carried several messages
	joins         atomic.Int64 // successful joins
	joinsFailed   atomic.Int64 // failed join attempts
}

// write prints the metrics in the Prometheus text exposition format, with
// the number of exercises this server runs (owns) and follows.
func (m *metrics) write(w io.Writer, owned, following int64) error {
	var own, follow atomic.Int64
	own.Store(owned)
	follow.Store(following)
	for _, s := range []struct {
		name, kind, help string
		v                *atomic.Int64
	}{
		{"cmesim_websocket_connections", "gauge", "Open WebSocket connections.", &m.connections},
		{"cmesim_exercises", "gauge", "Exercises loaded on this server.", &m.exercises},
		{"cmesim_exercises_running", "gauge", "Exercises this server runs: all of them, unless it shares its store with other servers.", &own},
		{"cmesim_exercises_following", "gauge", "Exercises another server runs, whose log this one follows.", &follow},
		{"cmesim_events_total", "counter", "Events appended to exercise logs.", &m.events},
		{"cmesim_commands_total", "counter", "Commands received over WebSockets.", &m.commands},
		{"cmesim_rejected_total", "counter", "Messages and commands rejected.", &m.rejected},
		{"cmesim_send_queue_drops_total", "counter", "Clients dropped because their send queue was full.", &m.drops},
		{"cmesim_websocket_write_timeouts_total", "counter", "Connections closed because a write to the client timed out.", &m.writeTimeouts},
		{"cmesim_websocket_messages_received_total", "counter", "WebSocket messages received.", &m.messagesIn},
		{"cmesim_websocket_messages_sent_total", "counter", "WebSocket messages sent.", &m.messagesOut},
		{"cmesim_websocket_batches_sent_total", "counter", "WebSocket frames that carried several queued messages as one batch.", &m.batches},
		{"cmesim_joins_total", "counter", "Successful joins with a code.", &m.joins},
		{"cmesim_join_failures_total", "counter", "Join attempts with a wrong code or name.", &m.joinsFailed},
	} {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", s.name, s.help, s.name, s.kind, s.name, s.v.Load()); err != nil {
			return err
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	for _, g := range []struct {
		name, help string
		v          uint64
	}{
		{"go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", ms.HeapAlloc},
		{"go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", ms.Sys},
		{"go_goroutines", "Goroutines that currently exist.", uint64(runtime.NumGoroutine())},
		{"process_resident_memory_bytes", "Resident memory size in bytes (0 where unknown).", residentBytes()},
	} {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", g.name, g.help, g.name, g.name, g.v); err != nil {
			return err
		}
	}
	return nil
}

// residentBytes reads the process's resident set size from /proc on Linux.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
