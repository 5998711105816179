package scenarios

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// never is the earliest time of something that cannot happen.
const never = time.Duration(math.MaxInt64)

// node is an inject or a spread in the timing graph.
type node struct {
	kind string // "inject" or "spread"
	id   string
	pos  Pos
}

// edge says: node to can happen delay after node from has happened (from = -1
// means from T+0).
type edge struct {
	from, to int
	delay    time.Duration
}

// timingGraph is the graph of what releases what, used to find trigger
// cycles and the earliest time each inject can be delivered.
type timingGraph struct {
	nodes []node
	index map[string]int // "inject:ID" / "spread:ID" → node
	edges []edge
}

func (g *timingGraph) add(kind, id string, p Pos) {
	g.index[kind+":"+id] = len(g.nodes)
	g.nodes = append(g.nodes, node{kind, id, p})
}

func (g *timingGraph) link(fromKind, fromID, toKind, toID string, delay time.Duration) {
	to, ok := g.index[toKind+":"+toID]
	if !ok {
		return
	}
	from := -1
	if fromKind != "" {
		if from, ok = g.index[fromKind+":"+fromID]; !ok {
			return // a dangling reference, reported elsewhere
		}
	}
	g.edges = append(g.edges, edge{from, to, delay})
}

// triggerEdges adds the ways trigger t releases node (kind, id).
func (g *timingGraph) triggerEdges(s *Scenario, t *Trigger, kind, id string) {
	d := t.Delay.D()
	switch {
	case t.After != "":
		g.link("inject", t.After, kind, id, d)
	case t.OnAction != nil && t.OnAction.Inject != "":
		g.link("inject", t.OnAction.Inject, kind, id, d)
	case t.OnAction != nil, t.Release != "":
		g.link("", "", kind, id, d)
	case t.OnMiss != "":
		if in, e, ok := s.Expectation(t.OnMiss); ok {
			g.link("inject", in.ID, kind, id, d+e.Within.D())
		}
	case t.OnChoice != "":
		// A team may decide as soon as the decision's inject arrives.
		if in, _, _, ok := s.ChoiceRef(t.OnChoice); ok {
			g.link("inject", in.ID, kind, id, d)
		}
	}
}

func buildTimingGraph(s *Scenario) *timingGraph {
	g := &timingGraph{index: map[string]int{}}
	for _, in := range s.Injects {
		g.add("inject", in.ID, in.Pos)
	}
	for _, inc := range s.Incidents {
		for _, sp := range inc.Spread {
			g.add("spread", sp.ID, sp.Pos)
		}
	}
	for i := range s.Injects {
		in := &s.Injects[i]
		if in.At != nil {
			g.link("", "", "inject", in.ID, in.At.D())
		}
		if in.Trigger != nil {
			g.triggerEdges(s, in.Trigger, "inject", in.ID)
		}
		for _, e := range in.Expectations {
			if c := e.OnMiss; c != nil {
				g.link("inject", in.ID, "inject", c.Inject, e.Within.D()+c.Delay.D())
				g.link("inject", in.ID, "spread", c.Spread, e.Within.D()+c.Delay.D())
			}
		}
	}
	for _, inc := range s.Incidents {
		for _, sp := range inc.Spread {
			if sp.When != nil {
				g.triggerEdges(s, sp.When, "spread", sp.ID)
			}
			g.link("spread", sp.ID, "inject", sp.Inject, 0)
		}
	}
	return g
}

// earliest returns, for every node, the earliest virtual time it can happen
// (never when nothing can release it), by Dijkstra from T+0.
func (g *timingGraph) earliest() []time.Duration {
	dist := make([]time.Duration, len(g.nodes))
	for i := range dist {
		dist[i] = never
	}
	out := make([][]edge, len(g.nodes))
	q := &durationQueue{dist: dist}
	for _, e := range g.edges {
		if e.from < 0 {
			if e.delay < dist[e.to] {
				dist[e.to] = e.delay
			}
			continue
		}
		out[e.from] = append(out[e.from], e)
	}
	for i := range dist {
		if dist[i] != never {
			heap.Push(q, i)
		}
	}
	done := make([]bool, len(g.nodes))
	for q.Len() > 0 {
		n := heap.Pop(q).(int)
		if done[n] {
			continue
		}
		done[n] = true
		for _, e := range out[n] {
			if t := dist[n] + e.delay; t < dist[e.to] {
				dist[e.to] = t
				heap.Push(q, e.to)
			}
		}
	}
	return dist
}

type durationQueue struct {
	items []int
	dist  []time.Duration
}

func (q *durationQueue) Len() int           { return len(q.items) }
func (q *durationQueue) Less(i, j int) bool { return q.dist[q.items[i]] < q.dist[q.items[j]] }
func (q *durationQueue) Swap(i, j int)      { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *durationQueue) Push(x any)         { q.items = append(q.items, x.(int)) }
func (q *durationQueue) Pop() any {
	n := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return n
}

// cycleThrough returns a dependency cycle among unreachable nodes that
// passes through start, as node indexes, or nil.
func (g *timingGraph) cycleThrough(start int, unreachable []bool) []int {
	deps := make([][]int, len(g.nodes))
	for _, e := range g.edges {
		if e.from >= 0 && unreachable[e.from] {
			deps[e.to] = append(deps[e.to], e.from)
		}
	}
	// Breadth-first search back to start gives the shortest cycle.
	prev := make([]int, len(g.nodes))
	for i := range prev {
		prev[i] = -2
	}
	queue := []int{start}
	prev[start] = -1
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range deps[n] {
			if d == start {
				path := []int{start}
				for c := n; c != start; c = prev[c] {
					path = append(path, c)
				}
				return append(path, start)
			}
			if prev[d] == -2 {
				prev[d] = n
				queue = append(queue, d)
			}
		}
	}
	return nil
}

// timing reports trigger cycles, injects that can never be delivered, and
// deadlines that fall after the end of the exercise.
func (v *validator) timing() {
	s := v.s
	if s.Exercise.Duration <= 0 {
		return
	}
	end := s.Exercise.Duration.D()
	g := buildTimingGraph(s)
	dist := g.earliest()
	unreachable := make([]bool, len(g.nodes))
	for i, d := range dist {
		unreachable[i] = d == never
	}
	hasIncoming := make([]bool, len(g.nodes)) // a node without is a dangling reference, reported elsewhere
	for _, e := range g.edges {
		hasIncoming[e.to] = true
	}
	inCycle := make([]bool, len(g.nodes))
	for i, n := range g.nodes {
		if !unreachable[i] || inCycle[i] {
			continue
		}
		if cyc := g.cycleThrough(i, unreachable); cyc != nil {
			names := make([]string, len(cyc))
			for j, c := range cyc {
				names[j] = g.nodes[c].id
				inCycle[c] = true
			}
			slices.Reverse(names)
			v.errorf(n.pos, "trigger cycle: %s can never be released (%s)", n.id, strings.Join(names, " → "))
		}
	}
	for i, n := range g.nodes {
		switch {
		case inCycle[i]:
		case unreachable[i] && n.kind == "inject":
			if in := v.injects[n.id]; in != nil && hasIncoming[i] {
				v.errorf(n.pos, "inject %s is unreachable: what releases it can never happen", n.id)
			}
		case dist[i] > end && n.kind == "inject":
			v.warnf(n.pos, "inject %s can never be delivered within the exercise: its earliest time is T+%s, after the end at T+%s", n.id, FormatOffset(dist[i]), FormatOffset(end))
		}
	}
	for i := range s.Injects {
		in := &s.Injects[i]
		at := dist[g.index["inject:"+in.ID]]
		if at == never || at > end {
			continue
		}
		for _, e := range in.Expectations {
			if e.Within > 0 && e.Within.D() <= end && at+e.Within.D() > end {
				v.warnf(e.Pos.Field("within"), "%s", fmt.Sprintf("inject %s expectation %s: deadline T+%s falls after the end of the exercise (T+%s)", in.ID, e.ID, FormatOffset(at+e.Within.D()), FormatOffset(end)))
			}
		}
	}
}
