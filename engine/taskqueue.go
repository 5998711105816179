package engine

// taskQueue is a binary min-heap of indexes into a bot's tasks, ordered so
// that the most severe task comes first, then the earliest to arrive, then
// the first queued: each push and pop is O(log n).
type taskQueue struct{ heap []int }

func (q *taskQueue) len() int { return len(q.heap) }

// before reports whether task i is served before task j.
func before(tasks []task, i, j int) bool {
	a, b := &tasks[i], &tasks[j]
	if a.rank != b.rank {
		return a.rank > b.rank
	}
	if a.arrival != b.arrival {
		return a.arrival < b.arrival
	}
	return i < j // tasks are appended in the order they are queued
}

// push queues task index ti.
func (q *taskQueue) push(tasks []task, ti int) {
	q.heap = append(q.heap, ti)
	h := q.heap
	for c := len(h) - 1; c > 0; {
		p := (c - 1) / 2
		if !before(tasks, h[c], h[p]) {
			break
		}
		h[c], h[p] = h[p], h[c]
		c = p
	}
}

// pop removes and returns the task index served next; the queue must not
// be empty.
func (q *taskQueue) pop(tasks []task) int {
	h := q.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for p := 0; ; {
		c := 2*p + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && before(tasks, h[c+1], h[c]) {
			c++
		}
		if !before(tasks, h[c], h[p]) {
			break
		}
		h[c], h[p] = h[p], h[c]
		p = c
	}
	q.heap = h
	return top
}
