package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// ServerMetrics is one scrape of the server's /metrics.
type ServerMetrics struct {
	RSSBytes        int64 `json:"rss_bytes"`
	HeapAllocBytes  int64 `json:"heap_alloc_bytes"`
	Connections     int64 `json:"connections"`
	SendQueueDrops  int64 `json:"send_queue_drops"`
	Goroutines      int64 `json:"goroutines"`
	MessagesSent    int64 `json:"messages_sent"`
	CommandsTotal   int64 `json:"commands"`
	RejectedTotal   int64 `json:"rejected"`
	EventsTotal     int64 `json:"events"`
	ExercisesLoaded int64 `json:"exercises"`
	// running and following are the exercises the server owns and those
	// it follows (another server owns them): a ServerShare's Role.
	running, following int64
}

// field returns the field a Prometheus metric the tool reads goes to.
func (m *ServerMetrics) field(name string) *int64 {
	switch name {
	case "process_resident_memory_bytes":
		return &m.RSSBytes
	case "go_memstats_heap_alloc_bytes":
		return &m.HeapAllocBytes
	case "cmesim_websocket_connections":
		return &m.Connections
	case "cmesim_send_queue_drops_total":
		return &m.SendQueueDrops
	case "go_goroutines":
		return &m.Goroutines
	case "cmesim_websocket_messages_sent_total":
		return &m.MessagesSent
	case "cmesim_commands_total":
		return &m.CommandsTotal
	case "cmesim_rejected_total":
		return &m.RejectedTotal
	case "cmesim_events_total":
		return &m.EventsTotal
	case "cmesim_exercises":
		return &m.ExercisesLoaded
	case "cmesim_exercises_running":
		return &m.running
	case "cmesim_exercises_following":
		return &m.following
	}
	return nil
}

// parseMetrics reads the Prometheus text format, keeping the metrics the
// tool knows (label-less samples only; the server writes no labels).
func parseMetrics(r io.Reader) (ServerMetrics, error) {
	var m ServerMetrics
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		f := m.field(name)
		if f == nil {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return m, fmt.Errorf("metric %s: bad value %q", name, value)
		}
		*f = int64(v)
	}
	return m, sc.Err()
}

// scrape fetches the server's metrics.
func scrape(ctx context.Context, c *http.Client, base string) (ServerMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return ServerMetrics{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return ServerMetrics{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ServerMetrics{}, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return parseMetrics(io.LimitReader(resp.Body, 1<<20))
}

// ProcStatus is the memory of a process as Linux reports it in
// /proc/PID/status.
type ProcStatus struct {
	// VmRSSBytes is the resident set now; VmHWMBytes its peak ("high
	// water mark") over the process's life.
	VmRSSBytes int64 `json:"vm_rss_bytes"`
	VmHWMBytes int64 `json:"vm_hwm_bytes"`
}

// readProcStatus reads /proc/PID/status (pid 0: this process). It returns
// false where there is no /proc.
func readProcStatus(pid int) (ProcStatus, bool) {
	path := "/proc/self/status"
	if pid > 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ProcStatus{}, false
	}
	var st ProcStatus
	for line := range strings.Lines(string(b)) {
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS":
			dst = &st.VmRSSBytes
		case "VmHWM":
			dst = &st.VmHWMBytes
		default:
			continue
		}
		fields := strings.Fields(rest) // "123456 kB"
		if len(fields) >= 1 {
			if kb, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
				*dst = kb << 10
			}
		}
	}
	return st, true
}

// loadAverage returns the one-minute load average, or 0 where there is no
// /proc/loadavg.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}

// clockTicks is USER_HZ, the unit of CPU times in /proc/PID/stat: 100 on
// every Linux platform Go supports.
const clockTicks = 100

// cpuSeconds returns the user and system CPU time a process (pid 0: this
// one) has used, from /proc/PID/stat, or -1 where that cannot be read.
func cpuSeconds(pid int) float64 {
	path := "/proc/self/stat"
	if pid > 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may contain spaces: count fields
	// after its closing parenthesis, where field 3 (state) is index 0 and
	// utime (14) and stime (15) are 11 and 12.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	user, err1 := strconv.ParseInt(f[11], 10, 64)
	sys, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return float64(user+sys) / clockTicks
}
