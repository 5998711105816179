package des

import "testing"

// TestSlotRetirement checks that a slot whose generation counter is exhausted
// is retired rather than recycled, so EventIDs are never reissued.
func TestSlotRetirement(t *testing.T) {
	k := New[int]()
	a := k.Schedule(1, 0, 1)
	k.gen[uint32(a)] = maxGen // pretend the slot was reused 2^32-2 times
	a = EventID(uint64(maxGen)<<32 | uint64(uint32(a)))
	if ev, ok := k.Step(); !ok || ev.ID != a {
		t.Fatalf("Step=%+v,%v, want ID %#x", ev, ok, uint64(a))
	}
	if got, want := len(k.free), 0; got != want {
		t.Fatalf("free slots=%d, want %d (slot should be retired)", got, want)
	}
	b := k.Schedule(2, 0, 2)
	if b == a || uint32(b) == uint32(a) {
		t.Fatalf("retired slot reused: a=%#x b=%#x", uint64(a), uint64(b))
	}
	if got, want := k.Cancel(a), false; got != want {
		t.Fatalf("Cancel(retired)=%v, want %v", got, want)
	}
	if got, want := k.Cancel(b), true; got != want {
		t.Fatalf("Cancel(b)=%v, want %v", got, want)
	}
}

// TestHeapInvariant checks positions and heap order after mixed operations.
func TestHeapInvariant(t *testing.T) {
	k := New[int]()
	s := NewStream(7)
	var ids []EventID
	for i := 0; i < 5000; i++ {
		switch s.IntN(4) {
		case 0, 1:
			ids = append(ids, k.ScheduleIn(s.LogNormal(1000, 1), int32(s.IntN(3)), i))
		case 2:
			if len(ids) > 0 {
				k.Cancel(ids[s.IntN(len(ids))])
			}
		case 3:
			k.Step()
		}
		for j := range k.q.items {
			if k.hole && j == 0 {
				continue // the root's place is empty until the next call
			}
			it := &k.q.items[j]
			if got, want := k.q.pos[it.slot], uint32(j); got != want {
				t.Fatalf("op %d: slot %d pos=%d, want %d", i, it.slot, got, want)
			}
			if parent := (j - 1) / arity; j > 0 && !(k.hole && parent == 0) && k.q.less(it, &k.q.items[parent]) {
				t.Fatalf("op %d: heap property violated at %d", i, j)
			}
		}
	}
}
