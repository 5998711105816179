package engine

import (
	"time"

	"cmesim/engine/des"
)

// pendingDelivery is an inject delivery waiting on the kernel.
type pendingDelivery struct {
	id     des.EventID
	inject int
	team   int
	at     time.Duration
}

// pendingSet holds the inject deliveries waiting on the kernel in the order
// they were scheduled. Removing one is O(1) amortised: it leaves a
// tombstone that a later compaction sweeps out, so iteration keeps the
// scheduling order that replays depend on.
type pendingSet struct {
	items []pendingDelivery // id 0 marks a removed delivery
	pos   map[des.EventID]int
	dead  int
}

// add records a newly scheduled delivery.
func (p *pendingSet) add(d pendingDelivery) {
	if p.pos == nil {
		p.pos = map[des.EventID]int{}
	}
	p.pos[d.id] = len(p.items)
	p.items = append(p.items, d)
}

// remove forgets the delivery with kernel id, if it is pending.
func (p *pendingSet) remove(id des.EventID) {
	i, ok := p.pos[id]
	if !ok {
		return
	}
	delete(p.pos, id)
	p.items[i] = pendingDelivery{}
	p.dead++
	if p.dead > 32 && p.dead > len(p.items)/2 {
		p.compact()
	}
}

// compact drops the tombstones, keeping the order of the rest.
func (p *pendingSet) compact() {
	live := p.items[:0]
	for _, d := range p.items {
		if d.id != 0 {
			p.pos[d.id] = len(live)
			live = append(live, d)
		}
	}
	clear(p.items[len(live):])
	p.items, p.dead = live, 0
}

// list returns a copy of the pending deliveries in scheduling order.
func (p *pendingSet) list() []pendingDelivery {
	out := make([]pendingDelivery, 0, len(p.items)-p.dead)
	for _, d := range p.items {
		if d.id != 0 {
			out = append(out, d)
		}
	}
	return out
}

// reset forgets every pending delivery.
func (p *pendingSet) reset() {
	clear(p.pos)
	p.items, p.dead = p.items[:0], 0
}
