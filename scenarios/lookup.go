package scenarios

import (
	"slices"
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
	return ix
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
	want := make([]bool, len(s.Teams))
	for _, n := range names {
		switch {
		case n == ToAll:
			for i := range want {
				want[i] = true
			}
		case n == ToTriggeringTeam:
			if i := s.TeamIndex(triggeringTeam); i >= 0 {
				want[i] = true
			}
		case strings.HasPrefix(n, GroupPrefix):
			if gi, ok := s.idx().groups[strings.TrimPrefix(n, GroupPrefix)]; ok {
				for _, m := range s.Groups[gi].Members {
					if i := s.TeamIndex(m); i >= 0 {
						want[i] = true
					}
				}
			}
		default:
			if i := s.TeamIndex(n); i >= 0 {
				want[i] = true
			}
		}
	}
	var out []string
	for i, ok := range want {
		if ok {
			out = append(out, s.Teams[i].ID)
		}
	}
	return out
}

// AllowedTLP returns the TLP levels at which team a may share with team b:
// the union over every network link that contains both. It is empty when the
// two teams have no link.
func (s *Scenario) AllowedTLP(a, b string) []TLP {
	var out []TLP
	for _, l := range s.Network.Links {
		members := s.Members(l.Between, "")
		if a == b || !slices.Contains(members, a) || !slices.Contains(members, b) {
			continue
		}
		for _, t := range l.TLP {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(x, y TLP) int { return x.Rank() - y.Rank() })
	return out
}

// MayShare reports whether team a may share with team b at level tlp.
func (s *Scenario) MayShare(a, b string, tlp TLP) bool {
	return slices.Contains(s.AllowedTLP(a, b), tlp)
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
