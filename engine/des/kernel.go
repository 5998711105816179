package des

import (
	"fmt"
	"math"
	"time"
)

// EventID identifies a scheduled event. IDs are unique for the lifetime of a
// Kernel and never reused; the zero EventID is never issued and is invalid.
//
// The low 32 bits hold an internal slot number and the high 32 bits a
// generation counter for that slot; callers should treat the value as opaque.
type EventID uint64

// Event is a scheduled occurrence of a payload P at a virtual time.
type Event[P any] struct {
	// ID is the identifier returned by Schedule for this event.
	ID EventID
	// At is the virtual time, since T+0, at which the event fires.
	At time.Duration
	// Priority orders events with equal At; smaller values fire first.
	Priority int32
	// Payload is the caller's data, held by value.
	Payload P
}

// SkipError is returned by [Kernel.AdvanceTo] when moving the clock would jump
// over a pending event.
type SkipError struct {
	// Target is the time the caller asked to advance to.
	Target time.Duration
	// Next is the time of the earliest pending event, which is before Target.
	Next time.Duration
	// ID identifies the earliest pending event.
	ID EventID
}

// Error implements the error interface.
func (e *SkipError) Error() string {
	return fmt.Sprintf("des: cannot advance clock to %v: event %d is pending at %v", e.Target, e.ID, e.Next)
}

const (
	// noPos marks a slot that is not currently in the heap.
	noPos = math.MaxUint32
	// maxGen is the last generation a slot may carry; a slot reaching it is
	// retired instead of being recycled so that EventIDs are never reused.
	maxGen = math.MaxUint32
	// maxSlots bounds the slot table so that slot numbers fit in 32 bits.
	maxSlots = math.MaxUint32
	// arity is the fan-out of the heap.
	arity = 4
)

// item is one heap entry. It is kept small and pointer-free apart from the
// payload: the comparison key (at, prio, seq) comes first.
type item[P any] struct {
	at      int64
	seq     uint64
	prio    int32
	slot    uint32
	payload P
}

// slotState tracks where a live event sits in the heap. Slots are recycled
// through a free list; gen distinguishes successive occupants.
type slotState struct {
	pos uint32
	gen uint32
}

// Kernel is a discrete-event scheduler over virtual time, generic over the
// event payload P, which is held by value.
//
// The zero value is an empty kernel at T+0, ready to use. A Kernel is not safe
// for concurrent use.
type Kernel[P any] struct {
	now   int64
	seq   uint64
	heap  []item[P]
	slots []slotState
	free  []uint32
	// hole is true when heap[0] holds no event: Step took the root and left
	// filling its place to the next call, so that an event scheduled right
	// after a step (the usual case: a handler schedules the next event)
	// takes the root's place and sinks once, instead of the last item
	// sinking from the root and the new one rising from the bottom.
	hole bool
}

// New returns an empty kernel at T+0.
func New[P any]() *Kernel[P] {
	return &Kernel[P]{}
}

// NewWithCapacity returns an empty kernel at T+0 whose internal storage is
// pre-sized for n simultaneously pending events, avoiding growth later.
func NewWithCapacity[P any](n int) *Kernel[P] {
	if n < 0 {
		n = 0
	}
	return &Kernel[P]{
		heap:  make([]item[P], 0, n),
		slots: make([]slotState, 0, n),
		free:  make([]uint32, 0, n),
	}
}

// Now returns the current virtual time since T+0.
func (k *Kernel[P]) Now() time.Duration { return time.Duration(k.now) }

// Pending returns the number of live (scheduled, not yet fired and not
// cancelled) events.
func (k *Kernel[P]) Pending() int {
	if k.hole {
		return len(k.heap) - 1
	}
	return len(k.heap)
}

// Schedule queues payload p to fire at virtual time at with the given
// priority and returns its ID. If at is before Now, it is clamped to Now (no
// error is reported): the event then fires at the current time, ordered among
// the other events at Now by priority and insertion order as usual. Schedule
// allocates only when internal storage has to grow.
func (k *Kernel[P]) Schedule(at time.Duration, priority int32, p P) EventID {
	t := int64(at)
	if t < k.now {
		t = k.now
	}
	var s uint32
	if n := len(k.free); n > 0 {
		s = k.free[n-1]
		k.free = k.free[:n-1]
	} else {
		if uint64(len(k.slots)) >= maxSlots {
			panic("des: too many pending events")
		}
		s = uint32(len(k.slots))
		k.slots = append(k.slots, slotState{pos: noPos, gen: 1})
	}
	k.seq++
	if k.hole {
		k.hole = false
		k.heap[0] = item[P]{at: t, seq: k.seq, prio: priority, slot: s, payload: p}
		k.down(0)
	} else {
		i := len(k.heap)
		k.heap = append(k.heap, item[P]{at: t, seq: k.seq, prio: priority, slot: s, payload: p})
		k.up(i)
	}
	return EventID(uint64(k.slots[s].gen)<<32 | uint64(s))
}

// ScheduleIn queues payload p to fire delay after Now. A negative delay is
// treated as zero; a delay that would overflow the clock saturates at the
// maximum representable time.
func (k *Kernel[P]) ScheduleIn(delay time.Duration, priority int32, p P) EventID {
	d := int64(delay)
	t := k.now
	switch {
	case d <= 0:
	case t > math.MaxInt64-d:
		t = math.MaxInt64
	default:
		t += d
	}
	return k.Schedule(time.Duration(t), priority, p)
}

// Cancel removes a pending event. It reports true if the event was pending
// and has now been removed, and false if the event has already fired (or is
// currently being handled), was already cancelled, or id is unknown or zero.
// Cancel is O(log n) and may be called from inside a handler.
func (k *Kernel[P]) Cancel(id EventID) bool {
	s := uint32(id)
	gen := uint32(uint64(id) >> 32)
	if gen == 0 || uint64(s) >= uint64(len(k.slots)) {
		return false
	}
	st := k.slots[s]
	if st.gen != gen || st.pos == noPos {
		return false
	}
	k.fill()
	st = k.slots[s]
	k.release(s)
	k.removeAt(int(st.pos))
	return true
}

// Peek returns the next live event without removing it or advancing the
// clock. It reports false if no event is pending.
func (k *Kernel[P]) Peek() (Event[P], bool) {
	k.fill()
	if len(k.heap) == 0 {
		return Event[P]{}, false
	}
	top := &k.heap[0]
	return Event[P]{
		ID:       EventID(uint64(k.slots[top.slot].gen)<<32 | uint64(top.slot)),
		At:       time.Duration(top.at),
		Priority: top.prio,
		Payload:  top.payload,
	}, true
}

// Step removes the next live event, advances Now to its time and returns it.
// It reports false, leaving the clock unchanged, if no event is pending.
func (k *Kernel[P]) Step() (Event[P], bool) {
	k.fill()
	if len(k.heap) == 0 {
		return Event[P]{}, false
	}
	top := &k.heap[0]
	s := top.slot
	ev := Event[P]{
		ID:       EventID(uint64(k.slots[s].gen)<<32 | uint64(s)),
		At:       time.Duration(top.at),
		Priority: top.prio,
		Payload:  top.payload,
	}
	k.now = top.at // events are never earlier than Now, see Schedule
	k.release(s)
	k.hole = true // the root's place is filled by the next call
	return ev, true
}

// RunUntil dispatches, in order, every event with At <= t, including events
// scheduled by handle during the run, calling handle for each one (a nil
// handle discards the events). handle may Schedule and Cancel. Afterwards Now
// is max(Now, t).
func (k *Kernel[P]) RunUntil(t time.Duration, handle func(Event[P])) {
	limit := int64(t)
	for k.fill(); len(k.heap) > 0 && k.heap[0].at <= limit; k.fill() {
		ev, _ := k.Step()
		if handle != nil {
			handle(ev)
		}
	}
	if limit > k.now {
		k.now = limit
	}
}

// Run dispatches events in order, calling handle for each one (a nil handle
// discards the events), until no event is pending. handle may Schedule and
// Cancel; a handler that always schedules a new event makes Run loop forever,
// so use RunUntil for open-ended simulations. Now is left at the time of the
// last dispatched event.
func (k *Kernel[P]) Run(handle func(Event[P])) {
	for k.fill(); len(k.heap) > 0; k.fill() {
		ev, _ := k.Step()
		if handle != nil {
			handle(ev)
		}
	}
}

// AdvanceTo moves the clock forward to t without dispatching events. It is a
// no-op if t <= Now. If a pending event is scheduled strictly before t the
// clock is not moved and a *SkipError is returned; events exactly at t do not
// prevent the advance (they remain pending and fire at t).
func (k *Kernel[P]) AdvanceTo(t time.Duration) error {
	target := int64(t)
	if target <= k.now {
		return nil
	}
	k.fill()
	if len(k.heap) > 0 && k.heap[0].at < target {
		ev, _ := k.Peek()
		return &SkipError{Target: t, Next: ev.At, ID: ev.ID}
	}
	k.now = target
	return nil
}

// Reset discards all pending events and sets the clock back to T+0. IDs of
// discarded events become invalid and are never reissued; internal storage is
// kept for reuse.
func (k *Kernel[P]) Reset() {
	k.fill()
	for i := range k.heap {
		k.release(k.heap[i].slot)
	}
	clear(k.heap)
	k.heap = k.heap[:0]
	k.now = 0
}

// release frees slot s for reuse with a new generation, or retires it if its
// generation counter is exhausted, so that no EventID is ever issued twice.
func (k *Kernel[P]) release(s uint32) {
	st := &k.slots[s]
	st.pos = noPos
	if st.gen == maxGen {
		return // retired: never recycled
	}
	st.gen++
	k.free = append(k.free, s)
}

// less reports whether a orders strictly before b.
func less[P any](a, b *item[P]) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.seq < b.seq
}

// up restores the heap property by moving the item at index i towards the root.
func (k *Kernel[P]) up(i int) {
	h := k.heap
	slots := k.slots
	x := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		slots[h[i].slot].pos = uint32(i)
		i = p
	}
	h[i] = x
	slots[x.slot].pos = uint32(i)
}

// down restores the heap property by moving the item at index i towards the
// leaves. It reports whether the item moved.
func (k *Kernel[P]) down(i int) bool {
	h := k.heap
	slots := k.slots
	n := len(h)
	i0 := i
	x := h[i]
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+arity, n)
		for j := c + 1; j < end; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &x) {
			break
		}
		h[i] = h[m]
		slots[h[i].slot].pos = uint32(i)
		i = m
	}
	h[i] = x
	slots[x.slot].pos = uint32(i)
	return i != i0
}

// fill closes the hole Step left at the root, if there is one, by moving
// the last item there.
func (k *Kernel[P]) fill() {
	if k.hole {
		k.hole = false
		k.popTop()
	}
}

// popTop removes the root of the heap. The root's slot must already have been
// released.
func (k *Kernel[P]) popTop() {
	n := len(k.heap) - 1
	if n > 0 {
		k.heap[0] = k.heap[n]
	}
	k.heap[n] = item[P]{} // drop payload references for the GC
	k.heap = k.heap[:n]
	if n > 0 {
		k.down(0) // also records the moved item's new position
	}
}

// removeAt removes the heap item at index i. Its slot must already have been
// released.
func (k *Kernel[P]) removeAt(i int) {
	n := len(k.heap) - 1
	if i != n {
		k.heap[i] = k.heap[n]
	}
	k.heap[n] = item[P]{}
	k.heap = k.heap[:n]
	if i < n {
		if !k.down(i) {
			k.up(i)
		}
	}
}
