package des_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"cmesim/engine/des"
)

// threadCPUTime returns the CPU time the calling OS thread has used.
func threadCPUTime(tb testing.TB) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// bareItem is the element of the bare heap: the kernel's comparison key and
// payload by value, without the slot that makes cancellation O(log n).
type bareItem struct {
	at      int64
	seq     uint64
	prio    int32
	payload benchPayload
}

func bareLess(a, b *bareItem) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.seq < b.seq
}

// bareHeap is the reference the kernel is measured against: a 4-ary heap of
// values with push and pop and nothing else (no cancellation, no IDs).
type bareHeap struct {
	items []bareItem
	seq   uint64
}

func (h *bareHeap) push(at int64, prio int32, p benchPayload) {
	h.seq++
	h.items = append(h.items, bareItem{at: at, seq: h.seq, prio: prio, payload: p})
	items := h.items
	i := len(items) - 1
	x := items[i]
	for i > 0 {
		parent := (i - 1) / 4
		if !bareLess(&x, &items[parent]) {
			break
		}
		items[i] = items[parent]
		i = parent
	}
	items[i] = x
}

func (h *bareHeap) pop() bareItem {
	items := h.items
	top := items[0]
	n := len(items) - 1
	x := items[n]
	items = items[:n]
	h.items = items
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < min(c+4, n); j++ {
			if bareLess(&items[j], &items[m]) {
				m = j
			}
		}
		if !bareLess(&items[m], &x) {
			break
		}
		items[i] = items[m]
		i = m
	}
	items[i] = x
	return top
}

// BenchmarkBareHeapHold runs the hold model of BenchmarkHold on bareHeap,
// the reference for the kernel's speed (the kernel should be at least 0.95×
// as fast: its slot bookkeeping for O(log n) cancellation is the difference).
func BenchmarkBareHeapHold(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			delays := delayTable()
			s := des.NewStream(2)
			h := &bareHeap{items: make([]bareItem, 0, n)}
			for i := 0; i < n; i++ {
				h.push(int64(s.ExpFloat64()*float64(n)*float64(time.Millisecond)), int32(i&3), benchPayload{kind: uint32(i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ev := h.pop()
				h.push(ev.at+int64(delays[i&(delayTableSize-1)]), ev.prio, ev.payload)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkHoldVsBareHeap runs the hold model on the kernel and on bareHeap
// in alternating blocks of 4,096 events, so that both see the same load on
// a shared machine, timing each block by the CPU time of its thread (time
// taken by other processes is not counted), and reports the kernel's speed as a multiple of the bare
// heap's ("x-bare", the figure to compare; ≥ 0.95 is the goal) besides each
// one's events per second.
func BenchmarkHoldVsBareHeap(b *testing.B) {
	const block = 4096
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			delays := delayTable()
			s := des.NewStream(2)
			k := des.NewWithCapacity[benchPayload](n)
			h := &bareHeap{items: make([]bareItem, 0, n)}
			for i := 0; i < n; i++ {
				at := s.ExpFloat64() * float64(n) * float64(time.Millisecond)
				k.Schedule(time.Duration(at), int32(i&3), benchPayload{kind: uint32(i)})
				h.push(int64(at), int32(i&3), benchPayload{kind: uint32(i)})
			}
			var kernelTime, bareTime time.Duration
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += block {
				start := threadCPUTime(b)
				for i := done; i < done+block; i++ {
					ev, _ := k.Step()
					k.ScheduleIn(delays[i&(delayTableSize-1)], ev.Priority, ev.Payload)
				}
				mid := threadCPUTime(b)
				for i := done; i < done+block; i++ {
					ev := h.pop()
					h.push(ev.at+int64(delays[i&(delayTableSize-1)]), ev.prio, ev.payload)
				}
				kernelTime += mid - start
				bareTime += threadCPUTime(b) - mid
			}
			events := float64((b.N + block - 1) / block * block)
			b.ReportMetric(bareTime.Seconds()/kernelTime.Seconds(), "x-bare")
			b.ReportMetric(events/kernelTime.Seconds(), "kernel-events/s")
			b.ReportMetric(events/bareTime.Seconds(), "bare-events/s")
		})
	}
}
