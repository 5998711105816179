package scenarios

import (
	"strings"
	"time"
)

// GroupPrefix marks a group id where a team id is also allowed: "group:andean".
const GroupPrefix = "group:"

// ToAll addresses an inject to every team.
const ToAll = "all"

// ToTriggeringTeam addresses an inject to the team whose action or miss fired
// its trigger or consequence.
const ToTriggeringTeam = "$team"

// DefaultLateFactor is the multiple of a deadline at which late points reach zero.
const DefaultLateFactor = 2.0

// DefaultRating holds the P/S/M/U thresholds used when a scenario sets none.
var DefaultRating = RatingThresholds{P: 0.85, S: 0.6, M: 0.3}

// index holds the lookup tables of a loaded scenario.
type index struct {
	teams      map[string]int
	actors     map[string]int
	groups     map[string]int
	injects    map[string]int
	objectives map[string]int
	incidents  map[string]int
	spreads    map[string][2]int // spread id → (incident, spread)

	// groupTeams is each group's members as a set of team indexes.
	groupTeams []teamSet
	// links holds each network link's members and TLP levels; teamLinks
	// lists, per team, the links that contain it.
	links     []linkIndex
	teamLinks [][]int32
}

// linkIndex is one network link, resolved to team indexes.
type linkIndex struct {
	members teamSet
	// tlps has bit r set when the link allows the TLP level of rank r.
	tlps uint8
}

func buildIndex(s *Scenario) *index {
	ix := &index{
		teams: map[string]int{}, actors: map[string]int{}, groups: map[string]int{},
		injects: map[string]int{}, objectives: map[string]int{}, incidents: map[string]int{},
		spreads: map[string][2]int{},
	}
	for i, t := range s.Teams {
		ix.teams[t.ID] = i
	}
	for i, a := range s.Actors {
		ix.actors[a.ID] = i
	}
	for i, g := range s.Groups {
		ix.groups[g.ID] = i
	}
	for i, in := range s.Injects {
		ix.injects[in.ID] = i
	}
	for i, o := range s.Exercise.Objectives {
		ix.objectives[o.ID] = i
	}
	for i, inc := range s.Incidents {
		ix.incidents[inc.ID] = i
		for j, sp := range inc.Spread {
			ix.spreads[sp.ID] = [2]int{i, j}
		}
	}
	ix.indexNetwork(s)
	return ix
}

// indexNetwork resolves groups and network links to team sets, so that
// membership and link checks do not expand member lists again.
func (ix *index) indexNetwork(s *Scenario) {
	ix.groupTeams = make([]teamSet, len(s.Groups))
	for i, g := range s.Groups {
		set := newTeamSet(len(s.Teams))
		for _, m := range g.Members {
			if t, ok := ix.teams[m]; ok {
				set.add(t)
			}
		}
		ix.groupTeams[i] = set
	}
	ix.links = make([]linkIndex, len(s.Network.Links))
	ix.teamLinks = make([][]int32, len(s.Teams))
	for i, l := range s.Network.Links {
		li := linkIndex{members: newTeamSet(len(s.Teams))}
		ix.addMembers(s, li.members, l.Between, -1)
		for _, t := range l.TLP {
			if r := t.Rank(); r >= 0 {
				li.tlps |= 1 << r
			}
		}
		ix.links[i] = li
		li.members.each(func(t int) { ix.teamLinks[t] = append(ix.teamLinks[t], int32(i)) })
	}
}

// addMembers adds to set the teams that names stand for (see Members);
// "$team" stands for team index triggering when it is not negative.
func (ix *index) addMembers(s *Scenario, set teamSet, names []string, triggering int) {
	for _, n := range names {
		switch {
		case n == ToAll:
			for i := range s.Teams {
				set.add(i)
			}
		case n == ToTriggeringTeam:
			if triggering >= 0 {
				set.add(triggering)
			}
		case strings.HasPrefix(n, GroupPrefix):
			if gi, ok := ix.groups[strings.TrimPrefix(n, GroupPrefix)]; ok {
				set.union(ix.groupTeams[gi])
			}
		default:
			if i, ok := ix.teams[n]; ok {
				set.add(i)
			}
		}
	}
}

func (s *Scenario) idx() *index {
	if s.index == nil {
		s.index = buildIndex(s)
	}
	return s.index
}

// Team returns the team with the given id.
func (s *Scenario) Team(id string) (*Team, bool) {
	i, ok := s.idx().teams[id]
	if !ok {
		return nil, false
	}
	return &s.Teams[i], true
}

// TeamIndex returns the position of a team in Teams, or -1.
func (s *Scenario) TeamIndex(id string) int {
	if i, ok := s.idx().teams[id]; ok {
		return i
	}
	return -1
}

// Actor returns the actor with the given id.
func (s *Scenario) Actor(id string) (*Actor, bool) {
	i, ok := s.idx().actors[id]
	if !ok {
		return nil, false
	}
	return &s.Actors[i], true
}

// Inject returns the inject with the given id.
func (s *Scenario) Inject(id string) (*Inject, bool) {
	i, ok := s.idx().injects[id]
	if !ok {
		return nil, false
	}
	return &s.Injects[i], true
}

// InjectIndex returns the position of an inject in Injects, or -1.
func (s *Scenario) InjectIndex(id string) int {
	if i, ok := s.idx().injects[id]; ok {
		return i
	}
	return -1
}

// Objective returns the objective with the given id.
func (s *Scenario) Objective(id string) (*Objective, bool) {
	i, ok := s.idx().objectives[id]
	if !ok {
		return nil, false
	}
	return &s.Exercise.Objectives[i], true
}

// Incident returns the incident with the given id.
func (s *Scenario) Incident(id string) (*Incident, bool) {
	i, ok := s.idx().incidents[id]
	if !ok {
		return nil, false
	}
	return &s.Incidents[i], true
}

// Spread returns the spread with the given id and the incident it belongs to.
func (s *Scenario) Spread(id string) (*Spread, *Incident, bool) {
	ij, ok := s.idx().spreads[id]
	if !ok {
		return nil, nil, false
	}
	inc := &s.Incidents[ij[0]]
	return &inc.Spread[ij[1]], inc, true
}

// Expectation returns the expectation named "INJECT.EXPECTATION".
func (s *Scenario) Expectation(ref string) (*Inject, *Expectation, bool) {
	injectID, expID, ok := strings.Cut(ref, ".")
	if !ok {
		return nil, nil, false
	}
	in, ok := s.Inject(injectID)
	if !ok {
		return nil, nil, false
	}
	for i := range in.Expectations {
		if in.Expectations[i].ID == expID {
			return in, &in.Expectations[i], true
		}
	}
	return nil, nil, false
}

// Members expands a list of team ids, "group:ID" and "all" into team ids, in
// the order the teams are declared, without duplicates. Unknown names are
// ignored (validation reports them). "$team" expands to triggeringTeam when
// it is not empty.
func (s *Scenario) Members(names []string, triggeringTeam string) []string {
	var buf [4]uint64 // up to 256 teams without allocating the set
	set := teamSet(buf[:])
	if words := (len(s.Teams) + 63) / 64; words > len(buf) {
		set = newTeamSet(len(s.Teams))
	} else {
		set = set[:words]
	}
	s.idx().addMembers(s, set, names, s.TeamIndex(triggeringTeam))
	n := set.len()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	set.each(func(i int) { out = append(out, s.Teams[i].ID) })
	return out
}

// MemberCount returns len(s.Members(names, "")) without building the list.
func (s *Scenario) MemberCount(names []string) int {
	return s.memberSet(names, "").len()
}

// memberSet is Members as a set of team indexes.
func (s *Scenario) memberSet(names []string, triggeringTeam string) teamSet {
	set := newTeamSet(len(s.Teams))
	s.idx().addMembers(s, set, names, s.TeamIndex(triggeringTeam))
	return set
}

// AllowedTLP returns the TLP levels at which team a may share with team b:
// the union over every network link that contains both. It is empty when the
// two teams have no link. Callers must not modify the list.
func (s *Scenario) AllowedTLP(a, b string) []TLP {
	return tlpSets[s.allowedMask(s.TeamIndex(a), s.TeamIndex(b))]
}

// tlpSets holds, for every set of TLP ranks as bits, its levels in rank
// order: AllowedTLP returns these shared lists (capacity = length, so an
// append copies) instead of building one per call.
var tlpSets = func() (sets [1 << 5][]TLP) {
	for mask := range sets {
		var out []TLP
		for r, t := range TLPs.values {
			if mask&(1<<r) != 0 {
				out = append(out, TLP(t))
			}
		}
		sets[mask] = out[:len(out):len(out)]
	}
	return sets
}()

// allowedMask returns the ranks of the TLP levels at which team index a may
// share with team index b, as bits; it costs one check per link of a.
func (s *Scenario) allowedMask(a, b int) uint8 {
	if a < 0 || b < 0 || a == b {
		return 0
	}
	ix := s.idx()
	var mask uint8
	for _, l := range ix.teamLinks[a] {
		if ix.links[l].members.has(b) {
			mask |= ix.links[l].tlps
		}
	}
	return mask
}

// MayShare reports whether team a may share with team b at level tlp.
func (s *Scenario) MayShare(a, b string, tlp TLP) bool {
	r := tlp.Rank()
	return r >= 0 && s.allowedMask(s.TeamIndex(a), s.TeamIndex(b))&(1<<r) != 0
}

// reachableAt sets into set the teams team index a has a link with that
// allows level tlp (a itself included when such a link exists).
func (s *Scenario) reachableAt(a int, tlp TLP, set teamSet) {
	set.clear()
	r := tlp.Rank()
	if a < 0 || r < 0 {
		return
	}
	ix := s.idx()
	for _, l := range ix.teamLinks[a] {
		if ix.links[l].tlps&(1<<r) != 0 {
			set.union(ix.links[l].members)
		}
	}
}

// LateFactor returns the multiple of a deadline at which late points reach zero.
func (s *Scenario) LateFactor() float64 { return s.Exercise.LateFactor() }

// RatingFor returns the P/S/M/U thresholds that apply to an objective.
func (s *Scenario) RatingFor(o *Objective) RatingThresholds {
	switch {
	case o != nil && o.Rating != nil:
		return *o.Rating
	case s.Exercise.Scoring.Rating != nil:
		return *s.Exercise.Scoring.Rating
	}
	return DefaultRating
}

// Timing returns the response-time distribution of a team's profile for an
// action, falling back to the built-in default for that action.
func (p *Profile) Timing(a Action) ResponseTiming {
	for _, r := range p.Response {
		if r.Action == a {
			return r
		}
	}
	return ResponseTiming{Action: a, Median: Duration(defaultMedian[a]), Spread: 0.5}
}

// defaultMedian is how long a simulated team takes for each action when its
// profile does not say.
var defaultMedian = map[Action]time.Duration{
	ActionAcknowledge: 5 * time.Minute,
	ActionClassify:    20 * time.Minute,
	ActionContain:     45 * time.Minute,
	ActionEscalate:    20 * time.Minute,
	ActionShare:       30 * time.Minute,
	ActionRequestInfo: 15 * time.Minute,
	ActionPublish:     60 * time.Minute,
	ActionReport:      40 * time.Minute,
	ActionReply:       20 * time.Minute,
}

// applyDefaults fills in the values a valid scenario may leave out.
func applyDefaults(s *Scenario) {
	defaultRating(s.Exercise.Scoring.Rating, DefaultRating)
	for i := range s.Exercise.Objectives {
		base := DefaultRating
		if r := s.Exercise.Scoring.Rating; r != nil {
			base = *r
		}
		defaultRating(s.Exercise.Objectives[i].Rating, base)
	}
	if s.Exercise.TLPDefault == "" {
		s.Exercise.TLPDefault = TLPAmber
	}
	if s.Exercise.Language == "" {
		s.Exercise.Language = "en"
	}
	if s.Exercise.PlayerView == "" {
		s.Exercise.PlayerView = PlayerViewAction
	}
	s.tax = s.resolveTaxonomy()
	for i := range s.Teams {
		applyCountryDefaults(&s.Teams[i])
		s.Teams[i].Location() // resolve the time zone once
		p := &s.Teams[i].Profile
		if p.Analysts == 0 {
			p.Analysts = 2
		}
		if p.Skill == 0 && !p.Pos.Has("skill") {
			p.Skill = 0.7
		}
		if p.WorkingHours != nil && p.WorkingHours.OffHoursFactor == 0 {
			p.WorkingHours.OffHoursFactor = 3
		}
	}
	for i := range s.Injects {
		in := &s.Injects[i]
		if in.TLP == "" {
			in.TLP = s.Exercise.TLPDefault
		}
		if in.Severity == "" {
			in.Severity = SeverityMedium
		}
		for j := range in.Expectations {
			e := &in.Expectations[j]
			if e.Action != ActionClassify || s.tax == nil {
				continue
			}
			if c, ok := s.tax.Canonical(e.Category); ok {
				e.Category = c
			}
		}
	}
}

// defaultRating fills the thresholds a rating block leaves out from base.
func defaultRating(r *RatingThresholds, base RatingThresholds) {
	if r == nil {
		return
	}
	if !r.Pos.Has("p") {
		r.P = base.P
	}
	if !r.Pos.Has("s") {
		r.S = base.S
	}
	if !r.Pos.Has("m") {
		r.M = base.M
	}
}
