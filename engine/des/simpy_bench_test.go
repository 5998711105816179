package des_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"cmesim/engine/des"
)

// simpyResult is what testdata/simpy_hold.py prints.
type simpyResult struct {
	Simulator          string  `json:"simulator"`
	Events             int     `json:"events"`
	CPUSeconds         float64 `json:"cpu_seconds"`
	EventsPerCPUSecond float64 `json:"events_per_cpu_second"`
}

// runSimPy runs the hold model on SimPy with n events pending. The Python
// interpreter is $CMESIM_SIMPY_PYTHON, or python3; the benchmark is skipped
// when it cannot import SimPy (install Debian's python3-simpy or pip's
// simpy). Nothing else depends on SimPy.
func runSimPy(b *testing.B, n, events int) simpyResult {
	python := os.Getenv("CMESIM_SIMPY_PYTHON")
	if python == "" {
		python = "python3"
	}
	out, err := exec.Command(python, "testdata/simpy_hold.py", "--pending", fmt.Sprint(n), "--events", fmt.Sprint(events)).Output()
	if err != nil {
		b.Skipf("SimPy hold model did not run with %s (set CMESIM_SIMPY_PYTHON to a Python with SimPy): %v", python, err)
	}
	var r simpyResult
	if err := json.Unmarshal(out, &r); err != nil || r.EventsPerCPUSecond <= 0 {
		b.Fatalf("simpy_hold.py printed %q: %v", out, err)
	}
	return r
}

// simpyResults caches SimPy's figure per number pending: the benchmark
// function runs several times with growing b.N, SimPy once.
var simpyResults = map[int]simpyResult{}

// simpyEvents is the length of one run of the hold model, on SimPy and on
// the kernel alike.
const simpyEvents = 300000

// BenchmarkHoldVsSimPy runs the hold model of BenchmarkHold on SimPy
// (testdata/simpy_hold.py, the fastest of three runs of simpyEvents events)
// and on the kernel, both timed by CPU time so that other processes on the
// machine do not count, and reports the kernel's events per CPU second as a
// multiple of SimPy's ("x-simpy"; ≥ 18 is the goal).
//
// The kernel runs the same runs as SimPy: from the same start (n events
// spread over n ms), simpyEvents events each, starting again (untimed) as
// often as b.N needs. The cost per event depends on how far a run has got
// (the events scheduled 1 ms ahead mix into those spread over n ms), so a
// kernel run of b.N events would not be the model SimPy ran.
func BenchmarkHoldVsSimPy(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			simpy, ok := simpyResults[n]
			if !ok {
				simpy = runSimPy(b, n, simpyEvents)
				simpyResults[n] = simpy
			}
			delays := delayTable()
			k := des.NewWithCapacity[benchPayload](n)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			var cpu time.Duration
			for done := 0; done < b.N; done += simpyEvents {
				b.StopTimer()
				k.Reset()
				s := des.NewStream(2)
				for i := 0; i < n; i++ {
					k.Schedule(time.Duration(s.ExpFloat64()*float64(n)*float64(time.Millisecond)), int32(i&3), benchPayload{kind: uint32(i)})
				}
				b.StartTimer()
				start := threadCPUTime(b)
				for i := done; i < min(done+simpyEvents, b.N); i++ {
					ev, _ := k.Step()
					k.ScheduleIn(delays[i&(delayTableSize-1)], ev.Priority, ev.Payload)
				}
				cpu += threadCPUTime(b) - start
			}
			b.StopTimer()
			kernel := float64(b.N) / cpu.Seconds()
			b.ReportMetric(kernel, "kernel-events/cpu-s")
			b.ReportMetric(simpy.EventsPerCPUSecond, "simpy-events/cpu-s")
			b.ReportMetric(kernel/simpy.EventsPerCPUSecond, "x-simpy")
		})
	}
}
