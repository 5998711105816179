package des

// entry is one element of the event heap: 16 bytes, so that the four
// children of a node share one or two cache lines. It holds the time and
// priority, which decide almost every comparison, and the slot, which leads
// to the rest of the event (its scheduling order, generation and payload).
type entry struct {
	at   int64
	prio int32
	slot uint32
}

// queue is a 4-ary min-heap of entries ordered by (at, prio, seq), where seq
// is the scheduling order of the entry's slot. It records every entry's index
// by slot, so that an event can be removed in O(log n). It does not depend on
// the payload type, so that one copy of its code serves every kernel.
type queue struct {
	items []entry
	// pos and seq are indexed by slot: pos is the slot's index in items
	// (noPos when it is not there), seq the scheduling order of its event.
	pos []uint32
	seq []uint64
}

// less reports whether a orders strictly before b.
func (q *queue) less(a, b *entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return q.tieLess(a, b)
}

// tieLess orders two entries with the same time: by priority, then by
// scheduling order.
func (q *queue) tieLess(a, b *entry) bool {
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return q.seq[a.slot] < q.seq[b.slot]
}

// push adds e to the heap.
func (q *queue) push(e entry) {
	q.items = append(q.items, e)
	q.up(len(q.items)-1, e)
}

// replaceTop puts e in the place of the root, whose entry has already left
// the heap.
func (q *queue) replaceTop(e entry) {
	q.down(0, e)
}

// removeAt removes the entry at index i, moving the last entry into its
// place.
func (q *queue) removeAt(i int) {
	n := len(q.items) - 1
	last := q.items[n]
	q.items = q.items[:n]
	if i == n {
		return
	}
	if !q.down(i, last) {
		q.up(i, last)
	}
}

// up places x, whose place is the hole at index i, on the path from i to the
// root, moving the entries above it that order after it one level down.
func (q *queue) up(i int, x entry) {
	h := q.items
	pos := q.pos
	for i > 0 {
		p := (i - 1) / arity
		if !q.less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		pos[h[i].slot] = uint32(i)
		i = p
	}
	h[i] = x
	pos[x.slot] = uint32(i)
}

// down places x, whose place is the hole at index i, on the path from i
// towards the leaves, moving the smallest child one level up while it orders
// before x. It reports whether x ended below i.
func (q *queue) down(i int, x entry) bool {
	h := q.items
	pos := q.pos
	n := len(h)
	i0 := i
	for {
		c := arity*i + 1
		var m int
		if c+arity <= n {
			m = c + q.minOf4((*[arity]entry)(h[c:c+arity]))
		} else if c < n {
			m = c
			for j := c + 1; j < n; j++ {
				if q.less(&h[j], &h[m]) {
					m = j
				}
			}
		} else {
			break
		}
		if !q.less(&h[m], &x) {
			break
		}
		h[i] = h[m]
		pos[h[i].slot] = uint32(i)
		i = m
	}
	h[i] = x
	pos[x.slot] = uint32(i)
	return i != i0
}

// minOf4 returns the index of the smallest of four sibling entries. It
// picks the earliest time without branches (the winner is hard to predict)
// and falls back to the full order only when that time is shared.
func (q *queue) minOf4(ch *[arity]entry) int {
	m, v := 0, ch[0].at
	if t := ch[1].at; t < v {
		m, v = 1, t
	}
	m2, v2 := 2, ch[2].at
	if t := ch[3].at; t < v2 {
		m2, v2 = 3, t
	}
	if v2 < v {
		m, v = m2, v2
	}
	ties := 0
	for j := range ch {
		if ch[j].at == v {
			ties++
		}
	}
	if ties == 1 {
		return m
	}
	m = 0
	for j := 1; j < arity; j++ {
		if q.less(&ch[j], &ch[m]) {
			m = j
		}
	}
	return m
}
