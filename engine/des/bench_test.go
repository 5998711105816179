package des_test

import (
	"container/heap"
	"fmt"
	"testing"
	"time"

	"cmesim/engine/des"
)

// benchPayload is a typical small payload: an event kind and a reference
// (only its size matters to the benchmarks).
type benchPayload struct {
	kind uint32
	_    uint32
}

const delayTableSize = 4096 // power of two

// delayTable returns exponentially distributed delays (mean 1ms) so that the
// benchmark loop spends almost nothing on random number generation.
func delayTable() []time.Duration {
	s := des.NewStream(1)
	t := make([]time.Duration, delayTableSize)
	for i := range t {
		t[i] = time.Duration(s.ExpFloat64() * float64(time.Millisecond))
	}
	return t
}

var benchSizes = []int{100, 10000}

// BenchmarkHold measures the classic hold model: with n events pending, each
// operation pops the next event and schedules one new event a random
// exponential delay after the new current time.
func BenchmarkHold(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			delays := delayTable()
			s := des.NewStream(2)
			k := des.NewWithCapacity[benchPayload](n)
			for i := 0; i < n; i++ {
				k.Schedule(time.Duration(s.ExpFloat64()*float64(n)*float64(time.Millisecond)), int32(i&3), benchPayload{kind: uint32(i)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ev, _ := k.Step()
				k.ScheduleIn(delays[i&(delayTableSize-1)], ev.Priority, ev.Payload)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkHoldRun is the hold model driven through RunUntil with a handler,
// as a simulation loop would use the kernel.
func BenchmarkHoldRun(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			delays := delayTable()
			s := des.NewStream(2)
			k := des.NewWithCapacity[benchPayload](n)
			for i := 0; i < n; i++ {
				k.Schedule(time.Duration(s.ExpFloat64()*float64(n)*float64(time.Millisecond)), int32(i&3), benchPayload{kind: uint32(i)})
			}
			i, limit := 0, 0
			handle := func(ev des.Event[benchPayload]) {
				i++
				if i < limit {
					k.ScheduleIn(delays[i&(delayTableSize-1)], ev.Priority, ev.Payload)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			limit = b.N
			k.RunUntil(time.Duration(1<<62), handle)
			b.StopTimer()
			if i < b.N {
				b.Fatalf("dispatched %d events, want at least %d", i, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// boxedEvent is the baseline's heap element, allocated per event.
type boxedEvent struct {
	at      int64
	seq     uint64
	prio    int32
	index   int
	payload benchPayload
}

// boxedHeap implements heap.Interface over pointers to events.
type boxedHeap []*boxedEvent

func (h boxedHeap) Len() int { return len(h) }
func (h boxedHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.seq < b.seq
}
func (h boxedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *boxedHeap) Push(x any) {
	e := x.(*boxedEvent)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *boxedHeap) Pop() any {
	old := *h
	n := len(old) - 1
	e := old[n]
	old[n] = nil
	*h = old[:n]
	return e
}

// BenchmarkContainerHeapBaseline runs the same hold model on container/heap
// with individually allocated events, for comparison with BenchmarkHold.
func BenchmarkContainerHeapBaseline(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			delays := delayTable()
			s := des.NewStream(2)
			h := make(boxedHeap, 0, n)
			var seq uint64
			for i := 0; i < n; i++ {
				seq++
				heap.Push(&h, &boxedEvent{
					at:      int64(s.ExpFloat64() * float64(n) * float64(time.Millisecond)),
					seq:     seq,
					prio:    int32(i & 3),
					payload: benchPayload{kind: uint32(i)},
				})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ev := heap.Pop(&h).(*boxedEvent)
				seq++
				heap.Push(&h, &boxedEvent{
					at:      ev.at + int64(delays[i&(delayTableSize-1)]),
					seq:     seq,
					prio:    ev.prio,
					payload: ev.payload,
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkScheduleCancel measures scheduling an event and cancelling it
// again with n other events pending (a timeout that is usually cancelled).
func BenchmarkScheduleCancel(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			delays := delayTable()
			s := des.NewStream(2)
			k := des.NewWithCapacity[benchPayload](n + 1)
			for i := 0; i < n; i++ {
				k.Schedule(time.Duration(s.ExpFloat64()*float64(n)*float64(time.Millisecond)), 0, benchPayload{})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := k.ScheduleIn(delays[i&(delayTableSize-1)]*time.Duration(n), 0, benchPayload{})
				k.Cancel(id)
			}
		})
	}
}

// BenchmarkStream measures the random stream's distributions.
func BenchmarkStream(b *testing.B) {
	s := des.NewStream(1)
	b.Run("Uint64", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.Uint64()
		}
	})
	b.Run("LogNormal", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.LogNormal(time.Minute, 0.5)
		}
	})
}
