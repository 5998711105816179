package engine

import (
	"math/rand/v2"
	"testing"
	"time"

	"cmesim/engine/des"
)

// pickByScan is the reference order: the most severe, then earliest task,
// the first queued among equals (how bots chose before the heap).
func pickByScan(tasks []task, queue []int) int {
	best := 0
	for i, ti := range queue {
		p, q := tasks[ti], tasks[queue[best]]
		if p.rank > q.rank || (p.rank == q.rank && p.arrival < q.arrival) {
			best = i
		}
	}
	return best
}

func TestTaskQueueServesInScanOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var tasks []task
	var q taskQueue
	var ref []int
	for step := range 5000 {
		if r.IntN(3) > 0 || len(ref) == 0 {
			// Few distinct ranks and arrivals, so ties are common.
			tasks = append(tasks, task{rank: r.IntN(4), arrival: time.Duration(step/7) * time.Second})
			q.push(tasks, len(tasks)-1)
			ref = append(ref, len(tasks)-1)
			continue
		}
		i := pickByScan(tasks, ref)
		want := ref[i]
		ref = append(ref[:i], ref[i+1:]...)
		if got := q.pop(tasks); got != want {
			t.Fatalf("step %d: heap served task %d, scan serves %d", step, got, want)
		}
		if q.len() != len(ref) {
			t.Fatalf("step %d: heap holds %d tasks, want %d", step, q.len(), len(ref))
		}
	}
}

func TestPendingSetKeepsSchedulingOrder(t *testing.T) {
	var p pendingSet
	for id := 1; id <= 200; id++ {
		p.add(pendingDelivery{id: desID(id), inject: id})
	}
	for id := 1; id <= 200; id++ {
		if id%3 != 0 {
			p.remove(desID(id))
		}
	}
	p.remove(desID(1)) // already removed: no effect
	p.add(pendingDelivery{id: desID(500), inject: 500})
	got := p.list()
	want := []int{}
	for id := 3; id <= 200; id += 3 {
		want = append(want, id)
	}
	want = append(want, 500)
	if len(got) != len(want) {
		t.Fatalf("%d pending, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].inject != want[i] {
			t.Fatalf("pending[%d] = inject %d, want %d", i, got[i].inject, want[i])
		}
	}
	if p.dead > len(p.items)/2 {
		t.Fatalf("%d tombstones among %d items: not compacted", p.dead, len(p.items))
	}
}

func desID(i int) des.EventID { return des.EventID(i) }
