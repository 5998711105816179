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
	// arity is the fan-out of the heap; queue.minOf4 picks among exactly
	// four children.
	arity = 4
)

// Kernel is a discrete-event scheduler over virtual time, generic over the
// event payload P, which is held by value.
//
// The zero value is an empty kernel at T+0, ready to use. A Kernel is not safe
// for concurrent use.
type Kernel[P any] struct {
	now int64
	seq uint64
	q   queue
	// gen and payload are indexed by slot, like q.pos and q.seq: gen is the
	// slot's current generation, payload the data of the event in it.
	gen     []uint32
	payload []P
	free    []uint32
	// hole is true when q.items[0] holds no event: Step took the root and
	// left filling its place to the next call, so that an event scheduled
	// right after a step (the usual case: a handler schedules the next
	// event) takes the root's place and sinks once, instead of the last
	// item sinking from the root and the new one rising from the bottom.
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
		q: queue{
			items: make([]entry, 0, n),
			pos:   make([]uint32, 0, n),
			seq:   make([]uint64, 0, n),
		},
		gen:     make([]uint32, 0, n),
		payload: make([]P, 0, n),
		free:    make([]uint32, 0, n),
	}
}

// Now returns the current virtual time since T+0.
func (k *Kernel[P]) Now() time.Duration { return time.Duration(k.now) }

// Pending returns the number of live (scheduled, not yet fired and not
// cancelled) events.
func (k *Kernel[P]) Pending() int {
	if k.hole {
		return len(k.q.items) - 1
	}
	return len(k.q.items)
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
	s := k.newSlot()
	k.seq++
	k.q.seq[s] = k.seq
	k.payload[s] = p
	e := entry{at: t, prio: priority, slot: s}
	if k.hole {
		k.hole = false
		k.q.replaceTop(e)
	} else {
		k.q.push(e)
	}
	return k.id(s)
}

// newSlot takes a free slot, or adds one.
func (k *Kernel[P]) newSlot() uint32 {
	if n := len(k.free); n > 0 {
		s := k.free[n-1]
		k.free = k.free[:n-1]
		return s
	}
	if uint64(len(k.gen)) >= maxSlots {
		panic("des: too many pending events")
	}
	var zero P
	k.gen = append(k.gen, 1)
	k.payload = append(k.payload, zero)
	k.q.pos = append(k.q.pos, noPos)
	k.q.seq = append(k.q.seq, 0)
	return uint32(len(k.gen) - 1)
}

// id returns the EventID of the event in slot s.
func (k *Kernel[P]) id(s uint32) EventID {
	return EventID(uint64(k.gen[s])<<32 | uint64(s))
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
	if gen == 0 || uint64(s) >= uint64(len(k.gen)) {
		return false
	}
	if k.gen[s] != gen || k.q.pos[s] == noPos {
		return false
	}
	k.fill()
	k.q.removeAt(int(k.q.pos[s]))
	k.q.pos[s] = noPos
	k.release(s)
	return true
}

// Peek returns the next live event without removing it or advancing the
// clock. It reports false if no event is pending.
func (k *Kernel[P]) Peek() (Event[P], bool) {
	k.fill()
	if len(k.q.items) == 0 {
		return Event[P]{}, false
	}
	return k.event(k.q.items[0]), true
}

// event returns the public form of the pending event e.
func (k *Kernel[P]) event(e entry) Event[P] {
	return Event[P]{
		ID:       k.id(e.slot),
		At:       time.Duration(e.at),
		Priority: e.prio,
		Payload:  k.payload[e.slot],
	}
}

// Step removes the next live event, advances Now to its time and returns it.
// It reports false, leaving the clock unchanged, if no event is pending.
func (k *Kernel[P]) Step() (Event[P], bool) {
	k.fill()
	if len(k.q.items) == 0 {
		return Event[P]{}, false
	}
	top := k.q.items[0]
	ev := k.event(top)
	k.now = top.at // events are never earlier than Now, see Schedule
	k.q.pos[top.slot] = noPos
	k.release(top.slot)
	k.hole = true // the root's place is filled by the next call
	return ev, true
}

// RunUntil dispatches, in order, every event with At <= t, including events
// scheduled by handle during the run, calling handle for each one (a nil
// handle discards the events). handle may Schedule and Cancel. Afterwards Now
// is max(Now, t).
func (k *Kernel[P]) RunUntil(t time.Duration, handle func(Event[P])) {
	limit := int64(t)
	for k.fill(); len(k.q.items) > 0 && k.q.items[0].at <= limit; k.fill() {
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
	for k.fill(); len(k.q.items) > 0; k.fill() {
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
	if len(k.q.items) > 0 && k.q.items[0].at < target {
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
	for _, e := range k.q.items {
		k.q.pos[e.slot] = noPos
		k.release(e.slot)
	}
	k.q.items = k.q.items[:0]
	k.now = 0
}

// release frees slot s, which is no longer in the heap, for reuse with a
// new generation, or retires it if its generation counter is exhausted, so
// that no EventID is ever issued twice. It drops the payload so that the
// garbage collector does not keep what it refers to.
func (k *Kernel[P]) release(s uint32) {
	var zero P
	k.payload[s] = zero
	if k.gen[s] == maxGen {
		return // retired: never recycled
	}
	k.gen[s]++
	k.free = append(k.free, s)
}

// fill closes the hole Step left at the root, if there is one, by moving
// the last item there.
func (k *Kernel[P]) fill() {
	if k.hole {
		k.hole = false
		k.q.removeAt(0)
	}
}
