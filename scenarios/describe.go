package scenarios

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Describe writes a plain-text summary of a scenario for facilitators and
// scenario authors: the exercise facts, the objectives with the points each
// can earn, the teams, actors, groups and sharing network, the incidents
// and their spreads, the inject timeline and every expectation.
//
// The timeline lists injects with a fixed time first, by T+ offset, then the
// triggered ones in file order with what releases them ("after I01 + 20m",
// "when co-csirt shares about I05", "when I01.share is missed", "released
// by facilitator", "consequence of I01.share miss").
//
// The points of an objective are the most the teams together can earn for
// it: for every expectation, its points times the number of teams that can
// receive its inject, as if every inject were delivered once to each of its
// recipients. Recipients are the teams To names (s.Members(inject.To, "")).
// When To holds "$team", each team that could set the inject off counts
// once: for an after trigger, the teams that receive the inject it follows;
// for an on_action trigger, the team or group it names, else the teams that
// receive the inject it names, else every team; for an on_miss trigger or a
// consequence of a miss, the teams that receive the missed inject; for an
// inject a spread delivers, the team the incident spreads to. A facilitator
// release is nobody's doing, so "$team" adds no team there. A team is never
// counted twice for one inject.
func Describe(w io.Writer, s *Scenario) error {
	if s == nil {
		return errors.New("describe: no scenario")
	}
	d := &describer{s: s, w: &descWriter{w: w}, reach: newDescReach(s)}
	for _, section := range []func(){
		d.header, d.objectives, d.teams, d.actors, d.groups, d.network,
		d.incidents, d.timeline, d.expectations,
	} {
		section()
	}
	return d.w.err
}

// descWriter keeps the first write error and skips later writes.
type descWriter struct {
	w   io.Writer
	err error
}

func (e *descWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

type describer struct {
	s     *Scenario
	w     *descWriter
	reach *descReach
}

func (d *describer) printf(format string, args ...any) { fmt.Fprintf(d.w, format, args...) }

// table starts a tabwriter block; rows are tab-separated, flush ends it.
func (d *describer) table(header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(d.w, 0, 0, 2, ' ', 0)
	if len(header) > 0 {
		fmt.Fprintln(tw, "  "+strings.Join(header, "\t"))
	}
	return tw
}

func descRow(tw *tabwriter.Writer, cells ...string) {
	for i, c := range cells {
		if c == "" {
			cells[i] = "-"
		}
	}
	fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
}

// section prints a section title, or reports that there is nothing to list.
func (d *describer) section(title string, n int) bool {
	if n == 0 {
		d.printf("\n%s: none\n", title)
		return false
	}
	d.printf("\n%s (%d)\n", title, n)
	return true
}

func (d *describer) header() {
	e := &d.s.Exercise
	title := descFirst(e.Title, e.ID, "(untitled scenario)")
	d.printf("%s\n%s\n", title, strings.Repeat("=", len([]rune(title))))
	tw := d.table()
	descRow(tw, "id:", e.ID)
	descRow(tw, "version:", e.Version)
	descRow(tw, "format:", d.s.Format)
	if d.s.File != "" {
		descRow(tw, "file:", d.s.File)
	}
	descRow(tw, "duration:", e.Duration.String())
	descRow(tw, "languages:", d.languages())
	descRow(tw, "start time:", descStartTime(e.StartTime))
	descRow(tw, "default TLP:", string(e.TLPDefault))
	descRow(tw, "late factor:", strconv.FormatFloat(d.s.LateFactor(), 'g', -1, 64))
	descRow(tw, "taxonomy:", d.s.TaxonomyID())
	descRow(tw, "player view:", string(e.PlayerView))
	tw.Flush()
	if text := strings.TrimSpace(e.Description); text != "" {
		d.printf("\n%s\n", descIndent(text))
	}
	if text := strings.TrimSpace(e.StartConditions); text != "" {
		d.printf("\n  Start conditions: %s\n", strings.Join(strings.Fields(text), " "))
	}
}

func (d *describer) languages() string {
	e := &d.s.Exercise
	var out []string
	if e.Language != "" {
		out = append(out, e.Language+" (default)")
	}
	for _, l := range e.Languages {
		if l != e.Language {
			out = append(out, l)
		}
	}
	return strings.Join(out, ", ")
}

func descStartTime(t Timestamp) string {
	if t.IsZero() {
		return "not set"
	}
	return t.Format(time.RFC3339) + " (" + t.Weekday().String() + ")"
}

func descIndent(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "\n")
}

func (d *describer) objectives() {
	objs := d.s.Exercise.Objectives
	if !d.section("Objectives", len(objs)) {
		return
	}
	points := d.objectivePoints()
	tw := d.table("ID", "CAPABILITY", "POINTS", "TEXT")
	total := 0
	for _, o := range objs {
		descRow(tw, o.ID, string(o.Capability), strconv.Itoa(points[o.ID]), descOneLine(o.Text))
		total += points[o.ID]
	}
	if n := points[""]; n > 0 {
		descRow(tw, "(none)", "", strconv.Itoa(n), "expectations that name no objective")
		total += n
	}
	tw.Flush()
	d.printf("  Total: %d points available to all teams together.\n", total)
}

// objectivePoints totals the points available per objective id; see Describe.
func (d *describer) objectivePoints() map[string]int {
	out := map[string]int{}
	for _, in := range d.s.Injects {
		teams := len(d.reach.recipients(in.ID))
		for _, e := range in.Expectations {
			key := e.Objective
			if _, ok := d.s.Objective(key); !ok {
				key = ""
			}
			out[key] += e.Points * teams
		}
	}
	return out
}

func (d *describer) teams() {
	if !d.section("Teams", len(d.s.Teams)) {
		return
	}
	tw := d.table("ID", "NAME", "COUNTRY", "TIMEZONE", "SECTOR", "ANALYSTS", "SKILL")
	for _, t := range d.s.Teams {
		descRow(tw, t.ID, t.Name, t.Country, t.TimeZone, t.Sector, strconv.Itoa(t.Profile.Analysts), strconv.FormatFloat(t.Profile.Skill, 'f', 2, 64))
	}
	tw.Flush()
}

func (d *describer) actors() {
	if !d.section("Actors", len(d.s.Actors)) {
		return
	}
	tw := d.table("ID", "KIND", "COUNTRY", "NAME")
	for _, a := range d.s.Actors {
		descRow(tw, a.ID, string(a.Kind), a.Country, a.Name)
	}
	tw.Flush()
}

func (d *describer) groups() {
	if !d.section("Groups", len(d.s.Groups)) {
		return
	}
	tw := d.table("ID", "MEMBERS", "NAME")
	for _, g := range d.s.Groups {
		descRow(tw, g.ID, strings.Join(g.Members, ", "), g.Name)
	}
	tw.Flush()
}

func (d *describer) network() {
	if !d.section("Network links", len(d.s.Network.Links)) {
		return
	}
	tw := d.table("BETWEEN", "TLP", "TEAMS")
	for _, l := range d.s.Network.Links {
		descRow(tw, strings.Join(l.Between, ", "), descTLPs(l.TLP), strings.Join(d.s.Members(l.Between, ""), ", "))
	}
	tw.Flush()
}

func descTLPs(ts []TLP) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}

func (d *describer) incidents() {
	if !d.section("Incidents", len(d.s.Incidents)) {
		return
	}
	tw := d.table("ID", "SECTOR", "ORIGIN", "TITLE")
	var spreads []string
	for _, inc := range d.s.Incidents {
		descRow(tw, inc.ID, inc.Sector, inc.Origin, descOneLine(inc.Title))
		for _, sp := range inc.Spread {
			spreads = append(spreads, strings.Join([]string{sp.ID, inc.ID, sp.To, descFirst(sp.Sector, "-"), descFirst(sp.Inject, "-"), d.spreadWhen(&sp)}, "\t"))
		}
	}
	tw.Flush()
	if len(spreads) == 0 {
		return
	}
	d.printf("\n  Spreads\n")
	tw = d.table("SPREAD", "INCIDENT", "TO", "SECTOR", "INJECT", "WHEN")
	for _, s := range spreads {
		descRow(tw, strings.Split(s, "\t")...)
	}
	tw.Flush()
}

// spreadWhen says what makes a spread happen.
func (d *describer) spreadWhen(sp *Spread) string {
	var out []string
	if sp.When != nil {
		out = append(out, descTrigger(sp.When))
	}
	out = append(out, d.missesNaming(func(c *Consequence) bool { return c.Spread == sp.ID })...)
	if len(out) == 0 {
		return "never (nothing fires it)"
	}
	return strings.Join(out, "; ")
}

// missesNaming describes each expectation miss whose consequence matches:
// "consequence of I01.share miss + 10m".
func (d *describer) missesNaming(match func(*Consequence) bool) []string {
	var out []string
	for _, in := range d.s.Injects {
		for _, e := range in.Expectations {
			if e.OnMiss != nil && match(e.OnMiss) {
				out = append(out, descWithDelay("consequence of "+in.ID+"."+e.ID+" miss", e.OnMiss.Delay))
			}
		}
	}
	return out
}

func (d *describer) timeline() {
	if !d.section("Timeline", len(d.s.Injects)) {
		return
	}
	tw := d.table("WHEN", "INJECT", "TO", "CHANNEL", "SEVERITY", "TITLE")
	for _, in := range d.timelineOrder() {
		descRow(tw, d.when(in), in.ID, strings.Join(in.To, ", "), string(in.Channel), string(in.Severity), descOneLine(in.Title))
	}
	tw.Flush()
}

// timelineOrder puts fixed-time injects first, by offset (ties in file
// order), then the others in file order.
func (d *describer) timelineOrder() []*Inject {
	var fixed, other []*Inject
	for i := range d.s.Injects {
		in := &d.s.Injects[i]
		if in.At != nil {
			fixed = append(fixed, in)
		} else {
			other = append(other, in)
		}
	}
	slices.SortStableFunc(fixed, func(a, b *Inject) int { return int(*a.At - *b.At) })
	return append(fixed, other...)
}

// when says when an inject is delivered.
func (d *describer) when(in *Inject) string {
	if in.At != nil {
		return "T+" + in.At.String()
	}
	if in.Trigger != nil {
		return descTrigger(in.Trigger)
	}
	out := d.missesNaming(func(c *Consequence) bool { return c.Inject == in.ID })
	for _, inc := range d.s.Incidents {
		for _, sp := range inc.Spread {
			if sp.Inject == in.ID {
				out = append(out, "spread "+sp.ID+": "+d.spreadWhen(&sp))
			}
		}
	}
	if len(out) == 0 {
		return "never (no timing)"
	}
	return strings.Join(out, "; ")
}

// triggerText describes a trigger in words.
func descTrigger(t *Trigger) string {
	var what string
	switch {
	case t.After != "":
		what = "after " + t.After
	case t.OnAction != nil:
		what = "when " + descActor(t.OnAction.Team) + " " + descAction(t.OnAction.Action, t.OnAction.Inject)
	case t.OnMiss != "":
		what = "when " + t.OnMiss + " is missed"
	case t.Release != "":
		what = "released by " + t.Release
	default:
		what = "(empty trigger)"
	}
	return descWithDelay(what, t.Delay)
}

func descWithDelay(s string, delay Duration) string {
	if delay <= 0 {
		return s
	}
	return s + " + " + descDuration(delay.D())
}

func descActor(team string) string {
	switch {
	case team == "":
		return "a team"
	case strings.HasPrefix(team, GroupPrefix):
		return "a team of " + team
	}
	return team
}

// descVerbs phrase each action in the third person, with the word that
// links it to an inject.
var descVerbs = map[Action][2]string{
	ActionAcknowledge: {"acknowledges", ""},
	ActionClassify:    {"classifies", ""},
	ActionContain:     {"contains", ""},
	ActionEscalate:    {"escalates", ""},
	ActionShare:       {"shares", "about "},
	ActionRequestInfo: {"requests information", "about "},
	ActionPublish:     {"publishes", "about "},
	ActionReport:      {"reports", ""},
	ActionReply:       {"replies", "to "},
}

func descAction(a Action, inject string) string {
	v, ok := descVerbs[a]
	if !ok {
		v = [2]string{"does " + descFirst(string(a), "anything"), "about "}
	}
	if inject == "" {
		return v[0]
	}
	return v[0] + " " + v[1] + inject
}

// shortDuration writes 20m, 1h, 1h30m or 45s.
func descDuration(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

func (d *describer) expectations() {
	n := 0
	for _, in := range d.s.Injects {
		n += len(in.Expectations)
	}
	if !d.section("Expectations", n) {
		return
	}
	tw := d.table("INJECT", "ID", "ACTION", "WITHIN", "POINTS", "TEAMS", "OBJECTIVE", "DETAILS")
	for _, in := range d.timelineOrder() {
		teams := strconv.Itoa(len(d.reach.recipients(in.ID)))
		for _, e := range in.Expectations {
			descRow(tw, in.ID, e.ID, string(e.Action), e.Within.String(), strconv.Itoa(e.Points), teams, e.Objective, descExpectationDetails(&e))
		}
	}
	tw.Flush()
	d.printf("  TEAMS is how many teams can receive the inject; each can earn the points.\n")
}

func descExpectationDetails(e *Expectation) string {
	var out []string
	if e.Category != "" || e.Severity != "" {
		out = append(out, strings.TrimSpace("category "+descFirst(e.Category, "-")+", severity "+descFirst(string(e.Severity), "-")))
	}
	if e.To != "" {
		out = append(out, "to "+e.To)
	}
	if len(e.With) > 0 {
		s := "with " + strings.Join(e.With, ", ")
		if e.TLP != "" {
			s += " at most TLP:" + strings.ToUpper(string(e.TLP))
		}
		out = append(out, s)
	}
	if c := e.OnMiss; c != nil {
		var what []string
		if c.Inject != "" {
			what = append(what, "inject "+c.Inject)
		}
		if c.Spread != "" {
			what = append(what, "spread "+c.Spread)
		}
		out = append(out, descWithDelay("on miss: "+strings.Join(what, " and "), c.Delay))
	}
	return strings.Join(out, "; ")
}

// oneLine joins the lines of a text with spaces, for a table cell.
func descOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// descFirst returns the first non-empty string.
func descFirst(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// descReach works out which teams can receive each inject, for counting points
// (see Describe for the rule). It tolerates trigger cycles: a cycle adds no
// teams.
type descReach struct {
	s    *Scenario
	memo map[string][]string
	busy map[string]bool
}

func newDescReach(s *Scenario) *descReach {
	return &descReach{s: s, memo: map[string][]string{}, busy: map[string]bool{}}
}

// recipients returns the teams that can receive inject id, in team order.
func (r *descReach) recipients(id string) []string {
	if teams, ok := r.memo[id]; ok {
		return teams
	}
	in, ok := r.s.Inject(id)
	if !ok || r.busy[id] {
		return nil
	}
	r.busy[id] = true
	teams := r.s.Members(in.To, "")
	if slices.Contains(in.To, ToTriggeringTeam) {
		teams = r.union(teams, r.triggerers(in))
	}
	delete(r.busy, id)
	r.memo[id] = teams
	return teams
}

// triggerers returns the teams whose action or miss can release inject in.
func (r *descReach) triggerers(in *Inject) []string {
	var teams []string
	if in.Trigger != nil {
		teams = r.union(teams, r.triggerTeams(in.Trigger))
	}
	for _, other := range r.s.Injects {
		for _, e := range other.Expectations {
			if e.OnMiss != nil && e.OnMiss.Inject == in.ID {
				teams = r.union(teams, r.recipients(other.ID))
			}
		}
	}
	for _, inc := range r.s.Incidents {
		for _, sp := range inc.Spread {
			if sp.Inject == in.ID {
				teams = r.union(teams, r.s.Members([]string{sp.To}, ""))
			}
		}
	}
	return teams
}

// triggerTeams returns the teams whose doing can fire trigger t.
func (r *descReach) triggerTeams(t *Trigger) []string {
	switch {
	case t.After != "":
		return r.recipients(t.After)
	case t.OnAction != nil:
		m := t.OnAction
		switch {
		case m.Team != "" && m.Inject != "":
			return r.intersect(r.s.Members([]string{m.Team}, ""), r.recipients(m.Inject))
		case m.Team != "":
			return r.s.Members([]string{m.Team}, "")
		case m.Inject != "":
			return r.recipients(m.Inject)
		}
		return r.s.Members([]string{ToAll}, "")
	case t.OnMiss != "":
		injectID, _, _ := strings.Cut(t.OnMiss, ".")
		return r.recipients(injectID)
	}
	return nil
}

// union merges two team lists into team declaration order.
func (r *descReach) union(a, b []string) []string {
	return r.s.Members(append(slices.Clone(a), b...), "")
}

func (r *descReach) intersect(a, b []string) []string {
	var out []string
	for _, t := range a {
		if slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}
