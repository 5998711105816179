package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// Communication is the report's communication section: who talked to whom
// (teams and the scenario's actors), how fast requests for information
// were answered, what was left unanswered, the SimCell's load over time and
// the messages sent at a more open TLP than what they carried.
type Communication struct {
	// Links are the directed links between parties (teams and actors), in
	// scenario order of the sender, then of the receiver: every message,
	// request, reply, forward and SimCell answer, and every escalation or
	// request to an actor. Scripted messages (injects) are left out.
	Links []TalkLink `json:"links"`
	// RFIs are the requests for information each team received from peer
	// teams and how fast it first replied, in scenario order.
	RFIs []RFITimes `json:"rfis"`
	// UnansweredRFIs counts requests to teams never replied to;
	// UnansweredSimCell the SimCell items never answered.
	UnansweredRFIs    int         `json:"unanswered_rfis"`
	UnansweredSimCell int         `json:"unanswered_simcell"`
	SimCell           SimCellLoad `json:"simcell"`
	// Violations counts, per sending team, the messages more open than
	// what they carried.
	Violations []TeamCount `json:"tlp_violations,omitempty"`
	// ActorNames names the actors among the links' parties, in the
	// report's language where the scenario translates them.
	ActorNames map[string]string `json:"actor_names,omitempty"`
}

// TalkLink counts what one party sent another.
type TalkLink struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Messages counts messages, replies and forwards; RFIs requests for
	// information; Escalations escalations and reports to an actor.
	Messages    int `json:"messages"`
	RFIs        int `json:"rfis"`
	Escalations int `json:"escalations"`
	Violations  int `json:"violations,omitempty"`
}

// Total is every exchange on the link.
func (l *TalkLink) Total() int { return l.Messages + l.RFIs + l.Escalations }

// RFITimes is how one team answered the requests for information it got:
// Mean and Worst are times from the request to the team's first reply.
type RFITimes struct {
	Team     string    `json:"team"`
	Received int       `json:"received"`
	Answered int       `json:"answered"`
	Mean     *Duration `json:"mean,omitempty"`
	Worst    *Duration `json:"worst,omitempty"`
}

// SimCellLoad is what the SimCell had to answer and when: items opened and
// answered per time bucket, and the mean time to answer.
type SimCellLoad struct {
	Opened   int       `json:"opened"`
	Answered int       `json:"answered"`
	Mean     *Duration `json:"mean_answer,omitempty"`
	Worst    *Duration `json:"worst_answer,omitempty"`
	// Bucket is the width of each bucket; Buckets start at T+0, one per
	// bucket up to the last that saw an item.
	Bucket  Duration     `json:"bucket"`
	Buckets []LoadBucket `json:"buckets,omitempty"`
}

// LoadBucket counts the SimCell items opened and answered in one bucket.
type LoadBucket struct {
	Start    Duration `json:"start"`
	Opened   int      `json:"opened"`
	Answered int      `json:"answered"`
}

// TeamCount is a count for one team.
type TeamCount struct {
	Team  string `json:"team"`
	Count int    `json:"count"`
}

// communication folds a log, one event at a time, into Communication. It
// keeps counts per link, per team and per bucket, and only the requests
// and SimCell items still open: never a list of every event.
type communication struct {
	s      *scenarios.Scenario
	lang   string
	bucket time.Duration

	links      map[[2]string]*TalkLink
	rfis       map[string]*rfiStat
	openRFI    map[rfiKey]time.Duration // asked, until the first reply
	openItems  map[uint64]time.Duration // opened, until answered
	sim        simStat
	buckets    []LoadBucket
	violations map[string]int
}

type rfiKey struct {
	thread uint64
	team   string
}

type rfiStat struct {
	received, answered int
	total, worst       time.Duration
}

type simStat struct {
	opened, answered int
	total, worst     time.Duration
}

// newCommunication prepares the section of a run of s, its actors named
// in lang: buckets of a twelfth of the planned duration, rounded up to 5
// minutes.
func newCommunication(s *scenarios.Scenario, lang string) *communication {
	step := 5 * time.Minute
	bucket := max(step, (s.Exercise.Duration.D()/12+step-1)/step*step)
	return &communication{s: s, lang: lang, bucket: bucket, links: map[[2]string]*TalkLink{}, rfis: map[string]*rfiStat{},
		openRFI: map[rfiKey]time.Duration{}, openItems: map[uint64]time.Duration{}, violations: map[string]int{}}
}

// add folds one event.
func (c *communication) add(e *engine.Event) {
	if it, ok := engine.SimCellOpened(c.s, e); ok {
		c.openItems[it.Seq] = e.At
		c.sim.opened++
		c.at(e.At).Opened++
	}
	d := &e.Data
	switch e.Type {
	case engine.EventAction:
		if _, actor := c.s.Actor(d.Target); actor && (d.Action == scenarios.ActionEscalate || d.Action == scenarios.ActionRequestInfo) {
			c.link(e.Team, d.Target).Escalations++
		} else if d.Action == scenarios.ActionReport {
			if reg := engine.Regulator(c.s, e.Team); reg != "" {
				c.link(e.Team, reg).Escalations++
			}
		}
	case engine.EventMessage:
		c.message(e)
	}
}

// message folds a message.sent event.
func (c *communication) message(e *engine.Event) {
	d := &e.Data
	m := d.Message()
	if e.Actor == "system" { // a scripted inject, not something a party wrote
		return
	}
	to := slices.Clone(d.Peers)
	if d.Target != "" {
		to = append(to, d.Target)
	}
	violation := strings.HasPrefix(d.Reason, "TLP violation")
	for _, p := range to {
		l := c.link(m.From, p)
		if m.Kind == engine.KindRFI {
			l.RFIs++
		} else {
			l.Messages++
		}
		if violation {
			l.Violations++
		}
	}
	if violation {
		c.violations[m.From]++
	}
	switch {
	case m.Kind == engine.KindRFI && m.Thread == e.Seq:
		for _, p := range d.Peers {
			c.openRFI[rfiKey{e.Seq, p}] = e.At
			c.rfi(p).received++
		}
	case m.Kind == engine.KindReply:
		k := rfiKey{m.Thread, m.From}
		if asked, ok := c.openRFI[k]; ok {
			delete(c.openRFI, k)
			r := c.rfi(m.From)
			r.answered++
			r.total += e.At - asked
			r.worst = max(r.worst, e.At-asked)
		}
	}
	if opened, ok := c.openItems[d.Item]; ok && d.Item != 0 {
		delete(c.openItems, d.Item)
		c.sim.answered++
		c.sim.total += e.At - opened
		c.sim.worst = max(c.sim.worst, e.At-opened)
		c.at(e.At).Answered++
	}
}

func (c *communication) link(from, to string) *TalkLink {
	k := [2]string{from, to}
	l := c.links[k]
	if l == nil {
		l = &TalkLink{From: from, To: to}
		c.links[k] = l
	}
	return l
}

func (c *communication) rfi(team string) *rfiStat {
	r := c.rfis[team]
	if r == nil {
		r = &rfiStat{}
		c.rfis[team] = r
	}
	return r
}

// at returns the bucket of virtual time t.
func (c *communication) at(t time.Duration) *LoadBucket {
	i := int(t / c.bucket)
	for len(c.buckets) <= i {
		c.buckets = append(c.buckets, LoadBucket{Start: Duration(time.Duration(len(c.buckets)) * c.bucket)})
	}
	return &c.buckets[i]
}

// order ranks a party for sorting: teams in scenario order, then actors.
func (c *communication) order(id string) int {
	if i := c.s.TeamIndex(id); i >= 0 {
		return i
	}
	if i := slices.IndexFunc(c.s.Actors, func(a scenarios.Actor) bool { return a.ID == id }); i >= 0 {
		return len(c.s.Teams) + i
	}
	return math.MaxInt
}

// result is the section as the log so far gives it.
func (c *communication) result() Communication {
	out := Communication{Links: []TalkLink{}, RFIs: []RFITimes{}, UnansweredRFIs: len(c.openRFI), UnansweredSimCell: len(c.openItems)}
	for _, l := range c.links {
		out.Links = append(out.Links, *l)
		for _, p := range []string{l.From, l.To} {
			if _, ok := c.s.Actor(p); ok {
				if out.ActorNames == nil {
					out.ActorNames = map[string]string{}
				}
				out.ActorNames[p] = c.s.PartyName(p, c.lang)
			}
		}
	}
	slices.SortFunc(out.Links, func(a, b TalkLink) int {
		return cmp.Or(cmp.Compare(c.order(a.From), c.order(b.From)), cmp.Compare(c.order(a.To), c.order(b.To)), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	for _, t := range c.s.Teams {
		r, ok := c.rfis[t.ID]
		if !ok {
			continue
		}
		line := RFITimes{Team: t.ID, Received: r.received, Answered: r.answered}
		if r.answered > 0 {
			line.Mean, line.Worst = durPtr(r.total/time.Duration(r.answered)), durPtr(r.worst)
		}
		out.RFIs = append(out.RFIs, line)
		if n := c.violations[t.ID]; n > 0 {
			out.Violations = append(out.Violations, TeamCount{Team: t.ID, Count: n})
		}
	}
	for _, t := range c.s.Teams {
		if _, counted := c.rfis[t.ID]; !counted && c.violations[t.ID] > 0 {
			out.Violations = append(out.Violations, TeamCount{Team: t.ID, Count: c.violations[t.ID]})
		}
	}
	slices.SortStableFunc(out.Violations, func(a, b TeamCount) int { return cmp.Compare(c.order(a.Team), c.order(b.Team)) })
	out.SimCell = SimCellLoad{Opened: c.sim.opened, Answered: c.sim.answered, Bucket: Duration(c.bucket), Buckets: slices.Clone(c.buckets)}
	if c.sim.answered > 0 {
		out.SimCell.Mean, out.SimCell.Worst = durPtr(c.sim.total/time.Duration(c.sim.answered)), durPtr(c.sim.worst)
	}
	return out
}

// talkChart lays out who talked to whom as the sharing network is drawn:
// the teams on a circle, with the actors that took part after them, one
// arrow per directed link labelled with its count.
func talkChart(r *Report) *networkChart {
	lc := newLoc(r.Lang)
	links := r.Communication.Links
	var parties []string
	for _, t := range r.Teams {
		parties = append(parties, t.ID)
	}
	actors := map[string]bool{}
	for _, l := range links {
		for _, p := range []string{l.From, l.To} {
			if !slices.Contains(parties, p) && !actors[p] {
				actors[p] = true
			}
		}
	}
	parties = append(parties, sortedKeys(actors)...)
	n := len(parties)
	radius := math.Max(200, float64(n)*13)
	margin := 130.0
	size := int(2 * (radius + margin))
	cx := float64(size) / 2
	nodeR := 16.0
	c := &networkChart{Size: size, Dense: len(links) > denseLinks, Aria: lc.t("report.comm.aria"), IDPrefix: "talk-"}
	pos := map[string][2]float64{}
	active := map[string]bool{}
	for _, l := range links {
		active[l.From], active[l.To] = true, true
	}
	human, names := map[string]bool{}, map[string]string{}
	for _, t := range r.Teams {
		human[t.ID], names[t.ID] = t.Human, t.Name
	}
	for id, name := range r.Communication.ActorNames {
		names[id] = name
	}
	for i, p := range parties {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(1, n))
		x, y := cx+radius*math.Cos(a), cx+radius*math.Sin(a)
		pos[p] = [2]float64{x, y}
		lx, ly := cx+(radius+nodeR+8)*math.Cos(a), cx+(radius+nodeR+8)*math.Sin(a)+4
		anchor := "middle"
		switch {
		case math.Cos(a) > 0.3:
			anchor = "start"
		case math.Cos(a) < -0.3:
			anchor = "end"
		}
		if math.Sin(a) > 0.7 {
			ly += 8
		}
		title := p
		if name := names[p]; name != "" {
			title = fmt.Sprintf("%s — %s", p, name)
		}
		c.Nodes = append(c.Nodes, node{X: fx(x), Y: fx(y), R: fx(nodeR), LabelX: fx(lx), LabelY: fx(ly), Anchor: anchor,
			Label: p, Title: title, Human: human[p], Active: active[p]})
	}
	for _, l := range links {
		a, okA := pos[l.From]
		b, okB := pos[l.To]
		if !okA || !okB || l.From == l.To {
			continue
		}
		dx, dy := b[0]-a[0], b[1]-a[1]
		dist := math.Hypot(dx, dy)
		ux, uy := dx/dist, dy/dist
		sx, sy := a[0]+ux*(nodeR+2), a[1]+uy*(nodeR+2)
		ex, ey := b[0]-ux*(nodeR+6), b[1]-uy*(nodeR+6)
		bend := math.Min(40, dist*0.15)
		mx, my := (sx+ex)/2-uy*bend, (sy+ey)/2+ux*bend
		lx, ly := 0.25*sx+0.5*mx+0.25*ex, 0.25*sy+0.5*my+0.25*ey
		total := l.Total()
		title := fmt.Sprintf("%s → %s: %s", l.From, l.To, lc.t("report.comm.link_title", "messages", l.Messages, "rfis", l.RFIs, "escalations", l.Escalations))
		if l.Violations > 0 {
			title += "; " + lc.t("report.network.too_open", "count", l.Violations)
		}
		w := 8.0 + 7*float64(len(fmt.Sprint(total)))
		c.Edges = append(c.Edges, edge{
			Path:  fmt.Sprintf("M%s %sQ%s %s %s %s", fx(sx), fx(sy), fx(mx), fx(my), fx(ex), fx(ey)),
			Class: "none", LabelX: fx(lx), LabelY: fx(ly + 4), BoxX: fx(lx - w/2), BoxY: fx(ly - 8), BoxW: fx(w),
			Count: total, Title: title, Violation: l.Violations > 0,
		})
	}
	return c
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
