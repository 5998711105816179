package report

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// The SVG charts are laid out here, as plain numbers and strings; the HTML
// template draws them, so every text in them is escaped by html/template.

// timelineChart is the swim-lane timeline: one lane per team across
// T+0..end.
type timelineChart struct {
	Width, Height int
	// PlotLeft and PlotRight bound the time axis; AxisY is its baseline.
	PlotLeft, PlotRight, AxisY int
	Ticks                      []tick
	Lanes                      []lane
	Marks                      []mark
}

type tick struct {
	X     string
	Label string
	Major bool
}

type lane struct {
	Y, Mid, TextY int
	Label, Title  string
	Shade         bool
}

// mark is one thing on the timeline. Kind selects the shape: "deliver"
// (grey triangle), "action" (blue circle), "share" (diamond in the TLP's
// colour), "wrong" (orange square), "miss" (red cross), "spread" (purple
// ring), "note" (black flag).
type mark struct {
	Kind  string
	X, Y  string
	Path  string // for shapes drawn as paths
	Class string
	Title string
}

const (
	tlLeft     = 150
	tlWidth    = 1100
	tlRight    = 36
	tlAxis     = 30
	laneHeight = 30
)

// timeline lays out the swim-lane chart from the report's log and shares.
func timeline(r *Report) *timelineChart {
	lc := newLoc(r.Lang)
	end := max(r.Exercise.Planned.D(), r.Exercise.End.D(), time.Minute)
	c := &timelineChart{Width: tlWidth, PlotLeft: tlLeft, PlotRight: tlWidth - tlRight, AxisY: tlAxis}
	c.Height = tlAxis + laneHeight*max(1, len(r.Teams)) + 10
	xOf := func(d time.Duration) float64 {
		return tlLeft + float64(tlWidth-tlLeft-tlRight)*float64(d)/float64(end)
	}
	major, minor := tickSteps(end)
	for i := time.Duration(0); i <= end/minor; i++ {
		t := i * minor
		isMajor := t%major == 0
		tk := tick{X: fx(xOf(t)), Major: isMajor}
		if isMajor {
			tk.Label = "T+" + strings.TrimSuffix(clock(t), ":00")
		}
		c.Ticks = append(c.Ticks, tk)
	}
	laneOf := map[string]int{}
	for i, t := range r.Teams {
		y := tlAxis + i*laneHeight
		title := t.Name
		if t.Human {
			title += " (" + lc.t("report.team.played_by_humans") + ")"
		}
		c.Lanes = append(c.Lanes, lane{Y: y, Mid: y + laneHeight/2, TextY: y + laneHeight/2 + 4, Label: t.ID, Title: title, Shade: i%2 == 1})
		laneOf[t.ID] = i
	}
	for _, e := range r.Log {
		i, ok := laneOf[e.Team]
		if !ok {
			continue
		}
		x := xOf(e.At.D())
		mid := float64(tlAxis + i*laneHeight + laneHeight/2)
		title := e.At.TPlus() + " " + e.Summary
		switch e.Type {
		case "inject.delivered":
			c.Marks = append(c.Marks, mark{Kind: "deliver", Path: fmt.Sprintf("M%s %sl-4 -7h8z", fx(x), fx(mid-4)), Title: title})
		case "team.action":
			if e.Action == "share" {
				c.Marks = append(c.Marks, mark{Kind: "share", Path: fmt.Sprintf("M%s %sl5 5-5 5-5-5z", fx(x), fx(mid-5)), Class: tlpClass(e.TLP), Title: title})
			} else {
				c.Marks = append(c.Marks, mark{Kind: "action", X: fx(x), Y: fx(mid + 3), Title: title})
			}
		case "expectation.wrong":
			c.Marks = append(c.Marks, mark{Kind: "wrong", X: fx(x - 3.5), Y: fx(mid + 4), Title: title})
		case "expectation.missed":
			c.Marks = append(c.Marks, mark{Kind: "miss", Path: fmt.Sprintf("M%s %sl8 8m0 -8l-8 8", fx(x-4), fx(mid+2)), Title: title})
		case "incident.spread":
			c.Marks = append(c.Marks, mark{Kind: "spread", X: fx(x), Y: fx(mid), Title: title})
		case "evaluator.note":
			c.Marks = append(c.Marks, mark{Kind: "note", Path: fmt.Sprintf("M%s %sv-12h7l-2 3 2 3h-7", fx(x), fx(mid+laneHeight/2-2)), Title: title})
		}
	}
	return c
}

// tickSteps picks hour ticks (or multiples of an hour for long exercises)
// and minor ticks between them.
func tickSteps(end time.Duration) (major, minor time.Duration) {
	major = time.Hour
	if n := end / major; n > 12 {
		major *= (n + 11) / 12 // at most 12 major ticks, whatever the log says
	}
	switch {
	case end <= 3*time.Hour:
		minor = 15 * time.Minute
	case end <= 8*time.Hour:
		minor = 30 * time.Minute
	default:
		minor = major
	}
	return major, minor
}

// networkChart is the sharing network: teams on a circle, one arrow per
// directed link.
type networkChart struct {
	Size int
	// Dense is set when there are too many links to label: the arrows are
	// drawn thin and without counts (the tooltips and the table keep them).
	Dense bool
	// Aria names the chart for screen readers; "" means the sharing network.
	Aria string
	// IDPrefix keeps the ids of the chart's arrow heads apart from another
	// chart's on the same page.
	IDPrefix string
	Nodes    []node
	Edges    []edge
}

// denseLinks is the number of links above which the chart drops its labels.
const denseLinks = 60

type node struct {
	X, Y, R       string
	LabelX        string
	LabelY        string
	Anchor        string
	Label, Title  string
	Human, Active bool
}

type edge struct {
	Path          string
	Class         string
	LabelX        string
	LabelY        string
	BoxX, BoxY    string
	BoxW          string
	Count         int
	Title         string
	Violation     bool
	StrictDashing bool
}

// network lays out the sharing network chart.
func network(r *Report) *networkChart {
	lc := newLoc(r.Lang)
	n := len(r.Teams)
	radius := math.Max(200, float64(n)*13)
	margin := 110.0
	size := int(2 * (radius + margin))
	cx := float64(size) / 2
	nodeR := 16.0
	c := &networkChart{Size: size, Dense: len(r.Network) > denseLinks}
	pos := map[string][2]float64{}
	active := map[string]bool{}
	for _, l := range r.Network {
		active[l.From], active[l.To] = true, true
	}
	for i, t := range r.Teams {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(1, n))
		x, y := cx+radius*math.Cos(a), cx+radius*math.Sin(a)
		pos[t.ID] = [2]float64{x, y}
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
		title := fmt.Sprintf("%s — %s", t.ID, t.Name)
		if t.Country != "" {
			title += " (" + lc.country(t.Country) + ")"
		}
		c.Nodes = append(c.Nodes, node{X: fx(x), Y: fx(y), R: fx(nodeR), LabelX: fx(lx), LabelY: fx(ly), Anchor: anchor,
			Label: t.ID, Title: title, Human: t.Human, Active: active[t.ID]})
	}
	for _, l := range r.Network {
		a, okA := pos[l.From]
		b, okB := pos[l.To]
		if !okA || !okB {
			continue
		}
		dx, dy := b[0]-a[0], b[1]-a[1]
		dist := math.Hypot(dx, dy)
		if dist == 0 {
			continue
		}
		ux, uy := dx/dist, dy/dist
		// Start and end on the node circles; bend to the right of the
		// direction of travel so the two directions of a pair stay apart.
		sx, sy := a[0]+ux*(nodeR+2), a[1]+uy*(nodeR+2)
		ex, ey := b[0]-ux*(nodeR+6), b[1]-uy*(nodeR+6)
		bend := math.Min(40, dist*0.15)
		mx, my := (sx+ex)/2-uy*bend, (sy+ey)/2+ux*bend
		// The curve's midpoint (t = 0.5 of the quadratic Bézier).
		lx, ly := 0.25*sx+0.5*mx+0.25*ex, 0.25*sy+0.5*my+0.25*ey
		var parts []string
		for _, tc := range l.TLPs {
			parts = append(parts, fmt.Sprintf("TLP:%s ×%d", strings.ToUpper(tc.TLP), tc.Count))
		}
		title := fmt.Sprintf("%s → %s: %s (%s)", l.From, l.To, lc.count("report.count.shares", l.Count), lc.join(parts))
		if l.Violations > 0 {
			title += "; " + lc.t("report.network.too_open", "count", l.Violations)
		}
		strictest := l.strictest()
		w := 8.0 + 7*float64(len(strconv.Itoa(l.Count)))
		c.Edges = append(c.Edges, edge{
			Path:  fmt.Sprintf("M%s %sQ%s %s %s %s", fx(sx), fx(sy), fx(mx), fx(my), fx(ex), fx(ey)),
			Class: tlpClass(strictest), LabelX: fx(lx), LabelY: fx(ly + 4), BoxX: fx(lx - w/2), BoxY: fx(ly - 8), BoxW: fx(w),
			Count: l.Count, Title: title, Violation: l.Violations > 0, StrictDashing: strictest == "amber+strict",
		})
	}
	return c
}

// fx formats an SVG coordinate with one decimal.
func fx(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// tlpClass turns a TLP level into a CSS class suffix.
func tlpClass(tlp string) string {
	switch tlp {
	case "clear", "green", "amber", "red":
		return tlp
	case "amber+strict":
		return "amber-strict"
	}
	return "none"
}

// tlpPageCSS is the print rule that writes a report's marking in the
// margins of every printed page, in its TLP 2.0 colour. The marking is
// rebuilt from its level's class, so only the five known markings reach
// the style sheet.
func tlpPageCSS(tlp string) template.CSS {
	marking := "TLP:" + strings.ToUpper(strings.ReplaceAll(tlpClass(tlp), "-", "+"))
	if tlpClass(tlp) == "none" {
		marking = "TLP:CLEAR"
	}
	box := fmt.Sprintf(`{content:"%s";color:%s}`, marking, tlpColor(tlp))
	return template.CSS("@media print{@page{@top-right" + box + "@bottom-right" + box + "}}")
}

// tlpColor is the colour TLP 2.0 gives a marking's text on its black
// background, for the printed page's margins.
func tlpColor(tlp string) string {
	switch tlpClass(tlp) {
	case "green":
		return "#33FF00"
	case "amber", "amber-strict":
		return "#FFC000"
	case "red":
		return "#FF2B2B"
	}
	return "#FFFFFF"
}
