package des_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"cmesim/engine/des"
)

// drain runs k to completion and returns the dispatched events.
func drain[P any](k *des.Kernel[P]) []des.Event[P] {
	var out []des.Event[P]
	k.Run(func(ev des.Event[P]) { out = append(out, ev) })
	return out
}

// payloads returns the payloads of evs in order.
func payloads[P any](evs []des.Event[P]) []P {
	out := make([]P, len(evs))
	for i, ev := range evs {
		out[i] = ev.Payload
	}
	return out
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestKernel_Ordering(t *testing.T) {
	type sched struct {
		at   time.Duration
		prio int32
		name string
	}
	tests := []struct {
		name  string
		sched []sched
		want  []string
	}{
		{
			name:  "ByTime",
			sched: []sched{{30, 0, "c"}, {10, 0, "a"}, {20, 0, "b"}},
			want:  []string{"a", "b", "c"},
		},
		{
			name:  "ByPriorityAtEqualTime",
			sched: []sched{{10, 2, "c"}, {10, -1, "a"}, {10, 1, "b"}},
			want:  []string{"a", "b", "c"},
		},
		{
			name:  "FIFOForTies",
			sched: []sched{{5, 1, "a"}, {5, 1, "b"}, {5, 1, "c"}, {5, 1, "d"}, {5, 1, "e"}, {5, 1, "f"}},
			want:  []string{"a", "b", "c", "d", "e", "f"},
		},
		{
			name: "TimeBeforePriority",
			sched: []sched{
				{20, math.MinInt32, "d"}, {10, math.MaxInt32, "c"}, {10, 0, "b"}, {10, 0, "b2"}, {0, 5, "a"},
			},
			want: []string{"a", "b", "b2", "c", "d"},
		},
		{
			name:  "Empty",
			sched: nil,
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := des.New[string]()
			for _, s := range tt.sched {
				k.Schedule(s.at, s.prio, s.name)
			}
			if got, want := k.Pending(), len(tt.sched); got != want {
				t.Fatalf("Pending()=%d, want %d", got, want)
			}
			evs := drain(k)
			if got, want := payloads(evs), tt.want; !equal(got, want) {
				t.Fatalf("order=%v, want %v", got, want)
			}
			if got, want := k.Pending(), 0; got != want {
				t.Fatalf("Pending() after Run=%d, want %d", got, want)
			}
		})
	}
}

// refEvent is an event in the reference model.
type refEvent struct {
	id      des.EventID
	at      time.Duration
	prio    int32
	payload int
}

// refModel is a deliberately simple reference implementation: a slice in
// insertion order, stably sorted whenever the next event is needed.
type refModel struct {
	now  time.Duration
	live []refEvent
}

func (m *refModel) schedule(id des.EventID, at time.Duration, prio int32, payload int) {
	m.live = append(m.live, refEvent{id: id, at: max(at, m.now), prio: prio, payload: payload})
}

func (m *refModel) cancel(id des.EventID) bool {
	for i, e := range m.live {
		if e.id == id {
			m.live = append(m.live[:i], m.live[i+1:]...)
			return true
		}
	}
	return false
}

func (m *refModel) peek() (refEvent, bool) {
	if len(m.live) == 0 {
		return refEvent{}, false
	}
	sorted := append([]refEvent(nil), m.live...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].at != sorted[j].at {
			return sorted[i].at < sorted[j].at
		}
		return sorted[i].prio < sorted[j].prio
	})
	return sorted[0], true
}

func (m *refModel) step() (refEvent, bool) {
	e, ok := m.peek()
	if ok {
		m.cancel(e.id)
		m.now = e.at
	}
	return e, ok
}

func checkEvent(t *testing.T, got des.Event[int], want refEvent) {
	t.Helper()
	if got.ID != want.id || got.At != want.at || got.Priority != want.prio || got.Payload != want.payload {
		t.Fatalf("event=%+v, want {ID:%d At:%v Priority:%d Payload:%d}", got, want.id, want.at, want.prio, want.payload)
	}
}

func TestKernel_RandomAgainstReference(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		k := des.New[int]()
		var m refModel
		var ids []des.EventID
		seen := make(map[des.EventID]bool)
		next := 0
		for op := 0; op < 3000; op++ {
			switch x := r.IntN(100); {
			case x < 40: // schedule, sometimes in the past
				at := k.Now() + time.Duration(r.IntN(60)-10)
				prio := int32(r.IntN(3))
				next++
				id := k.Schedule(at, prio, next)
				if id == 0 || seen[id] {
					t.Fatalf("seed %d: Schedule returned duplicate or zero id %d", seed, id)
				}
				seen[id] = true
				ids = append(ids, id)
				m.schedule(id, at, prio, next)
			case x < 60: // cancel a random known or bogus id
				var id des.EventID
				if len(ids) > 0 && r.IntN(10) != 0 {
					id = ids[r.IntN(len(ids))]
				} else {
					id = des.EventID(r.Uint64())
				}
				if got, want := k.Cancel(id), m.cancel(id); got != want {
					t.Fatalf("seed %d op %d: Cancel(%d)=%v, want %v", seed, op, id, got, want)
				}
			case x < 70: // peek
				got, gok := k.Peek()
				want, wok := m.peek()
				if gok != wok {
					t.Fatalf("seed %d op %d: Peek ok=%v, want %v", seed, op, gok, wok)
				}
				if gok {
					checkEvent(t, got, want)
				}
			case x < 92: // step
				got, gok := k.Step()
				want, wok := m.step()
				if gok != wok {
					t.Fatalf("seed %d op %d: Step ok=%v, want %v", seed, op, gok, wok)
				}
				if gok {
					checkEvent(t, got, want)
				}
			default: // run until a time in the near future
				until := k.Now() + time.Duration(r.IntN(20))
				k.RunUntil(until, func(got des.Event[int]) {
					want, ok := m.step()
					if !ok || want.at > until {
						t.Fatalf("seed %d op %d: RunUntil dispatched unexpected %+v", seed, op, got)
					}
					checkEvent(t, got, want)
				})
				if e, ok := m.peek(); ok && e.at <= until {
					t.Fatalf("seed %d op %d: RunUntil left due event %+v", seed, op, e)
				}
				m.now = max(m.now, until)
			}
			if got, want := k.Pending(), len(m.live); got != want {
				t.Fatalf("seed %d op %d: Pending()=%d, want %d", seed, op, got, want)
			}
			if got, want := k.Now(), m.now; got != want {
				t.Fatalf("seed %d op %d: Now()=%v, want %v", seed, op, got, want)
			}
		}
		// Finally drain both and compare.
		for _, got := range drain(k) {
			want, ok := m.step()
			if !ok {
				t.Fatalf("seed %d: kernel dispatched extra event %+v", seed, got)
			}
			checkEvent(t, got, want)
		}
		if got, want := len(m.live), 0; got != want {
			t.Fatalf("seed %d: reference has %d undispatched events", seed, got)
		}
	}
}

func TestKernel_Cancel(t *testing.T) {
	t.Run("Pending", func(t *testing.T) {
		k := des.New[string]()
		k.Schedule(10, 0, "a")
		b := k.Schedule(20, 0, "b")
		k.Schedule(30, 0, "c")
		if got, want := k.Cancel(b), true; got != want {
			t.Fatalf("Cancel=%v, want %v", got, want)
		}
		if got, want := k.Pending(), 2; got != want {
			t.Fatalf("Pending()=%d, want %d", got, want)
		}
		if got, want := payloads(drain(k)), []string{"a", "c"}; !equal(got, want) {
			t.Fatalf("order=%v, want %v", got, want)
		}
	})
	t.Run("Fired", func(t *testing.T) {
		k := des.New[string]()
		a := k.Schedule(10, 0, "a")
		k.Schedule(20, 0, "b")
		if ev, ok := k.Step(); !ok || ev.ID != a {
			t.Fatalf("Step=%+v,%v, want event %d", ev, ok, a)
		}
		if got, want := k.Cancel(a), false; got != want {
			t.Fatalf("Cancel(fired)=%v, want %v", got, want)
		}
		if got, want := k.Pending(), 1; got != want {
			t.Fatalf("Pending()=%d, want %d", got, want)
		}
		// A new event reusing internal storage must not be reachable via
		// the fired event's ID.
		c := k.Schedule(30, 0, "c")
		if c == a {
			t.Fatalf("ID %d reused", a)
		}
		if got, want := k.Cancel(a), false; got != want {
			t.Fatalf("Cancel(fired) after reuse=%v, want %v", got, want)
		}
		if got, want := payloads(drain(k)), []string{"b", "c"}; !equal(got, want) {
			t.Fatalf("order=%v, want %v", got, want)
		}
	})
	t.Run("Double", func(t *testing.T) {
		k := des.New[string]()
		a := k.Schedule(10, 0, "a")
		if got, want := k.Cancel(a), true; got != want {
			t.Fatalf("first Cancel=%v, want %v", got, want)
		}
		if got, want := k.Cancel(a), false; got != want {
			t.Fatalf("second Cancel=%v, want %v", got, want)
		}
		if got, want := k.Pending(), 0; got != want {
			t.Fatalf("Pending()=%d, want %d", got, want)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		k := des.New[string]()
		k.Schedule(10, 0, "a")
		a := k.Schedule(20, 0, "b")
		k.Cancel(a)
		for _, id := range []des.EventID{0, 1, 12345, des.EventID(math.MaxUint64), a, a + 1<<32, a + 1, a + 1<<33} {
			if got, want := k.Cancel(id), false; got != want {
				t.Fatalf("Cancel(%#x)=%v, want %v", uint64(id), got, want)
			}
		}
		if got, want := k.Pending(), 1; got != want {
			t.Fatalf("Pending()=%d, want %d", got, want)
		}
	})
	t.Run("Head", func(t *testing.T) {
		k := des.New[string]()
		a := k.Schedule(10, 0, "a")
		k.Schedule(20, 0, "b")
		k.Schedule(15, 0, "c")
		if got, want := k.Cancel(a), true; got != want {
			t.Fatalf("Cancel(head)=%v, want %v", got, want)
		}
		if ev, ok := k.Peek(); !ok || ev.Payload != "c" {
			t.Fatalf("Peek=%+v,%v, want c", ev, ok)
		}
		if got, want := payloads(drain(k)), []string{"c", "b"}; !equal(got, want) {
			t.Fatalf("order=%v, want %v", got, want)
		}
	})
	t.Run("Last", func(t *testing.T) {
		k := des.New[string]()
		a := k.Schedule(10, 0, "a")
		if got, want := k.Cancel(a), true; got != want {
			t.Fatalf("Cancel=%v, want %v", got, want)
		}
		if _, ok := k.Peek(); ok {
			t.Fatalf("Peek found an event in an empty kernel")
		}
		if _, ok := k.Step(); ok {
			t.Fatalf("Step found an event in an empty kernel")
		}
		if got, want := k.Now(), time.Duration(0); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})
	t.Run("InsideHandler", func(t *testing.T) {
		k := des.New[string]()
		var later, self des.EventID
		self = k.Schedule(10, 0, "trigger")
		later = k.Schedule(20, 0, "later")
		k.Schedule(30, 0, "end")
		var got []string
		k.Run(func(ev des.Event[string]) {
			got = append(got, ev.Payload)
			if ev.Payload == "trigger" {
				if c, want := k.Cancel(self), false; c != want {
					t.Fatalf("Cancel(current event)=%v, want %v", c, want)
				}
				if c, want := k.Cancel(later), true; c != want {
					t.Fatalf("Cancel(later)=%v, want %v", c, want)
				}
				if p, want := k.Pending(), 1; p != want {
					t.Fatalf("Pending() in handler=%d, want %d", p, want)
				}
			}
		})
		if want := []string{"trigger", "end"}; !equal(got, want) {
			t.Fatalf("order=%v, want %v", got, want)
		}
	})
	t.Run("ManyInterleaved", func(t *testing.T) {
		// Cancel every other event from a large heap: exercises removal
		// from the middle with both sift directions.
		k := des.New[int]()
		var ids []des.EventID
		for i := 0; i < 1000; i++ {
			ids = append(ids, k.Schedule(time.Duration((i*7919)%1000), 0, i))
		}
		for i := 0; i < len(ids); i += 2 {
			if !k.Cancel(ids[i]) {
				t.Fatalf("Cancel(%d) failed", i)
			}
		}
		evs := drain(k)
		if got, want := len(evs), 500; got != want {
			t.Fatalf("dispatched %d, want %d", got, want)
		}
		for i, ev := range evs {
			if ev.Payload%2 == 0 {
				t.Fatalf("cancelled event %d fired", ev.Payload)
			}
			if i > 0 && ev.At < evs[i-1].At {
				t.Fatalf("out of order at %d: %v after %v", i, ev.At, evs[i-1].At)
			}
		}
	})
}

func TestKernel_RunUntil(t *testing.T) {
	t.Run("FiresEventsAtLimitAndSetsNow", func(t *testing.T) {
		k := des.New[string]()
		k.Schedule(10, 0, "a")
		k.Schedule(20, 0, "b")
		k.Schedule(21, 0, "c")
		var got []string
		k.RunUntil(20, func(ev des.Event[string]) { got = append(got, ev.Payload) })
		if want := []string{"a", "b"}; !equal(got, want) {
			t.Fatalf("fired=%v, want %v", got, want)
		}
		if got, want := k.Now(), time.Duration(20); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
		if got, want := k.Pending(), 1; got != want {
			t.Fatalf("Pending()=%d, want %d", got, want)
		}
	})
	t.Run("AdvancesPastLastEvent", func(t *testing.T) {
		k := des.New[string]()
		k.Schedule(10, 0, "a")
		k.RunUntil(time.Hour, nil)
		if got, want := k.Now(), time.Hour; got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})
	t.Run("NeverMovesBackwards", func(t *testing.T) {
		k := des.New[string]()
		k.RunUntil(100, nil)
		k.RunUntil(50, nil)
		if got, want := k.Now(), time.Duration(100); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})
	t.Run("HandlerSchedulesWithinWindow", func(t *testing.T) {
		k := des.New[int]()
		k.Schedule(0, 0, 0)
		var got []time.Duration
		k.RunUntil(35, func(ev des.Event[int]) {
			got = append(got, k.Now())
			k.ScheduleIn(10, 0, ev.Payload+1)
		})
		if want := []time.Duration{0, 10, 20, 30}; !equal(got, want) {
			t.Fatalf("fired at %v, want %v", got, want)
		}
		if ev, ok := k.Peek(); !ok || ev.At != 40 || ev.Payload != 4 {
			t.Fatalf("Peek=%+v,%v, want event 4 at 40", ev, ok)
		}
		if got, want := k.Now(), time.Duration(35); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})
	t.Run("HandlerSchedulesAtNow", func(t *testing.T) {
		k := des.New[string]()
		k.Schedule(10, 5, "first")
		k.Schedule(10, 5, "second")
		var got []string
		k.RunUntil(10, func(ev des.Event[string]) {
			got = append(got, ev.Payload)
			if ev.Payload == "first" {
				k.Schedule(10, 0, "urgent") // same time, higher priority
				k.Schedule(10, 5, "tail")   // same time and priority: after second
			}
		})
		if want := []string{"first", "urgent", "second", "tail"}; !equal(got, want) {
			t.Fatalf("order=%v, want %v", got, want)
		}
	})
}

func TestKernel_Run(t *testing.T) {
	t.Run("Empties", func(t *testing.T) {
		k := des.New[int]()
		for i := 0; i < 100; i++ {
			k.Schedule(time.Duration(100-i), 0, i)
		}
		evs := drain(k)
		if got, want := len(evs), 100; got != want {
			t.Fatalf("dispatched %d, want %d", got, want)
		}
		if got, want := k.Pending(), 0; got != want {
			t.Fatalf("Pending()=%d, want %d", got, want)
		}
		if got, want := k.Now(), time.Duration(100); got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})
	t.Run("HandlersScheduleMore", func(t *testing.T) {
		k := des.New[int]()
		k.Schedule(0, 0, 3)
		var got []int
		k.Run(func(ev des.Event[int]) {
			got = append(got, ev.Payload)
			// Fan out: each event n > 0 spawns two events n-1.
			if ev.Payload > 0 {
				k.ScheduleIn(time.Second, 1, ev.Payload-1)
				k.ScheduleIn(time.Second, 0, ev.Payload-1)
			}
		})
		if got, want := len(got), 1+2+4+8; got != want {
			t.Fatalf("dispatched %d, want %d", got, want)
		}
		if got, want := k.Now(), 3*time.Second; got != want {
			t.Fatalf("Now()=%v, want %v", got, want)
		}
	})
}

func TestKernel_ScheduleClamps(t *testing.T) {
	k := des.New[string]()
	k.Schedule(5, 0, "early")
	k.Schedule(100, 0, "x")
	k.RunUntil(50, nil)

	tests := []struct {
		name string
		id   des.EventID
		want time.Duration
	}{
		{"PastAbsolute", k.Schedule(10, 0, "past"), 50},
		{"NegativeAbsolute", k.Schedule(-time.Hour, 0, "neg"), 50},
		{"NegativeDelay", k.ScheduleIn(-time.Second, 0, "negdelay"), 50},
		{"ZeroDelay", k.ScheduleIn(0, 0, "zero"), 50},
		{"Delay", k.ScheduleIn(7, 0, "delay"), 57},
		{"OverflowSaturates", k.ScheduleIn(math.MaxInt64, 0, "huge"), math.MaxInt64},
	}
	fired := make(map[des.EventID]time.Duration)
	k.Run(func(ev des.Event[string]) { fired[ev.ID] = ev.At })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, ok := fired[tt.id]
			if !ok {
				t.Fatalf("event %d never fired", tt.id)
			}
			if got, want := at, tt.want; got != want {
				t.Fatalf("At=%v, want %v", got, want)
			}
		})
	}
}

func TestKernel_AdvanceTo(t *testing.T) {
	k := des.New[string]()
	id := k.Schedule(100, 0, "a")
	if err := k.AdvanceTo(50); err != nil {
		t.Fatalf("AdvanceTo(50)=%v", err)
	}
	if got, want := k.Now(), time.Duration(50); got != want {
		t.Fatalf("Now()=%v, want %v", got, want)
	}
	if err := k.AdvanceTo(10); err != nil { // backwards: no-op
		t.Fatalf("AdvanceTo(10)=%v", err)
	}
	if got, want := k.Now(), time.Duration(50); got != want {
		t.Fatalf("Now() after backwards=%v, want %v", got, want)
	}
	if err := k.AdvanceTo(100); err != nil { // exactly at the event: allowed
		t.Fatalf("AdvanceTo(100)=%v", err)
	}
	if err := k.AdvanceTo(101); err == nil {
		t.Fatalf("AdvanceTo(101) skipped a pending event")
	} else {
		var se *des.SkipError
		if !errors.As(err, &se) {
			t.Fatalf("error %T is not *SkipError", err)
		}
		if se.ID != id || se.Next != 100 || se.Target != 101 {
			t.Fatalf("SkipError=%+v", *se)
		}
		if se.Error() == "" {
			t.Fatalf("empty error message")
		}
	}
	if got, want := k.Now(), time.Duration(100); got != want {
		t.Fatalf("Now() after failed advance=%v, want %v", got, want)
	}
	if ev, ok := k.Step(); !ok || ev.ID != id {
		t.Fatalf("Step=%+v,%v", ev, ok)
	}
}

func TestKernel_PeekDoesNotAdvance(t *testing.T) {
	k := des.New[string]()
	id := k.Schedule(10, 3, "a")
	ev, ok := k.Peek()
	if !ok {
		t.Fatalf("Peek found nothing")
	}
	if ev.ID != id || ev.At != 10 || ev.Priority != 3 || ev.Payload != "a" {
		t.Fatalf("Peek=%+v", ev)
	}
	if got, want := k.Now(), time.Duration(0); got != want {
		t.Fatalf("Now()=%v, want %v", got, want)
	}
	if got, want := k.Pending(), 1; got != want {
		t.Fatalf("Pending()=%d, want %d", got, want)
	}
}

func TestKernel_ZeroValueAndReset(t *testing.T) {
	var k des.Kernel[int]
	a := k.Schedule(10, 0, 1)
	k.Schedule(20, 0, 2)
	k.RunUntil(15, nil)
	k.Reset()
	if got, want := k.Now(), time.Duration(0); got != want {
		t.Fatalf("Now() after Reset=%v, want %v", got, want)
	}
	if got, want := k.Pending(), 0; got != want {
		t.Fatalf("Pending() after Reset=%d, want %d", got, want)
	}
	b := k.Schedule(5, 0, 3)
	if b == a {
		t.Fatalf("ID reused after Reset")
	}
	if got, want := payloads(drain(&k)), []int{3}; !equal(got, want) {
		t.Fatalf("after Reset=%v, want %v", got, want)
	}
}

func TestKernel_IDsNeverReused(t *testing.T) {
	k := des.NewWithCapacity[int](4)
	seen := make(map[des.EventID]bool)
	for i := 0; i < 10000; i++ {
		id := k.ScheduleIn(time.Duration(i%3), int32(i%2), i)
		if id == 0 || seen[id] {
			t.Fatalf("iteration %d: id %d zero or reused", i, id)
		}
		seen[id] = true
		switch i % 3 {
		case 0:
			k.Step()
		case 1:
			k.Cancel(id)
		}
	}
}

type holdPayload struct {
	kind int
	name string
}

func TestKernel_HoldModelAllocs(t *testing.T) {
	for _, pending := range []int{100, 10000} {
		t.Run(fmt.Sprintf("pending=%d", pending), func(t *testing.T) { holdModelAllocs(t, pending) })
	}
}

// holdModelAllocs checks that the hold model with n events pending
// allocates nothing per event once the kernel's slices have grown.
func holdModelAllocs(t *testing.T, n int) {
	k := des.New[holdPayload]()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		k.Schedule(time.Duration(r.IntN(1000)), int32(i%4), holdPayload{kind: i, name: "inject"})
	}
	delays := make([]time.Duration, 1024)
	for i := range delays {
		delays[i] = time.Duration(r.ExpFloat64() * 1000)
	}
	var i int
	op := func() {
		ev, _ := k.Step()
		k.ScheduleIn(delays[i&1023], ev.Priority, ev.Payload)
		i++
	}
	for j := 0; j < 2*n; j++ { // warm up: let the slices reach steady size
		op()
	}
	if got, want := testing.AllocsPerRun(10000, op), 0.0; got != want {
		t.Fatalf("allocs per Step+Schedule=%v, want %v", got, want)
	}
	if got, want := k.Pending(), n; got != want {
		t.Fatalf("Pending()=%d, want %d", got, want)
	}
	// Cancel + reschedule is also allocation-free in steady state.
	var last des.EventID
	last = k.ScheduleIn(5, 0, holdPayload{})
	cancelOp := func() {
		k.Cancel(last)
		last = k.ScheduleIn(delays[i&1023], 0, holdPayload{kind: i})
		i++
	}
	if got, want := testing.AllocsPerRun(10000, cancelOp), 0.0; got != want {
		t.Fatalf("allocs per Cancel+Schedule=%v, want %v", got, want)
	}
}
