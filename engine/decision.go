package engine

import (
	"slices"
	"strings"
	"time"

	"cmesim/engine/des"
	"cmesim/scenarios"
)

// Decision points (scenarios/decision.go). When an inject that carries a
// decision reaches a team, the decision opens for that team until its
// deadline. A decision "by: team" is made by the first trainee of the team
// who decides; a decision "by: vote" collects one vote per trainee (a later
// vote replaces the same trainee's earlier one) and is made at the deadline
// by the majority. A tie goes to the default choice when it is among the
// tied choices, else to the tied choice the scenario lists first; without
// any vote (or any decision) the default is taken. A facilitator may force
// a choice at any time. A simulated team decides as one (cause "team")
// after a log-normal delay of median a third of the deadline, drawing its
// choice from the choices' weights with its own random stream; when that
// delay runs past the deadline, the default is taken. Taking a choice
// releases the injects and spreads whose trigger is on_choice:
// DECISION.CHOICE, with the deciding team as $team.

// The decision commands.
const (
	// CmdDecide takes a choice: a trainee's for a "by: team" decision, or
	// a facilitator's forced choice for a named team.
	CmdDecide CommandType = "decide"
	// CmdVote is a trainee's vote in a "by: vote" decision.
	CmdVote CommandType = "vote"
)

// The decision events.
const (
	// EventDecisionOpened tells a team that a decision is put to it.
	EventDecisionOpened EventType = "decision.opened"
	// EventDecisionVoted records a trainee's vote.
	EventDecisionVoted EventType = "decision.voted"
	// EventDecisionMade records the choice a team took, and why.
	EventDecisionMade EventType = "decision.made"
)

// The causes of a decision.made event.
const (
	DecidedByTeam        = "team"        // a trainee (or a simulated team) decided
	DecidedByVote        = "vote"        // the majority of the votes at the deadline
	DecidedByDefault     = "default"     // nobody decided in time
	DecidedByFacilitator = "facilitator" // a facilitator forced the choice
)

// DecisionChoice is what a decide or vote command names: the decision and
// the choice.
type DecisionChoice struct {
	ID     string `json:"id"`
	Choice string `json:"choice"`
}

// DecisionDetails is the payload of the decision events. Opened carries By
// and Choices (and the event's Inject and Deadline); voted carries Choice;
// made carries Choice, Cause and, for a vote, Votes.
type DecisionDetails struct {
	ID      string   `json:"id"`
	Choice  string   `json:"choice,omitempty"`
	By      string   `json:"by,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Cause   string   `json:"cause,omitempty"`
	// Votes counts the votes for each choice, in the scenario's order of
	// choices, on a decision.made event of a vote.
	Votes []ChoiceVotes `json:"votes,omitempty"`
}

// ChoiceVotes is the number of votes one choice received.
type ChoiceVotes struct {
	Choice string `json:"choice"`
	Votes  int    `json:"votes"`
}

// DecisionState is one decision for one team.
type DecisionState struct {
	ID       string        `json:"id"`
	Inject   string        `json:"inject"`
	Team     string        `json:"team"`
	By       string        `json:"by"`
	Opened   time.Duration `json:"opened"`
	Deadline time.Duration `json:"deadline"`
	// Votes maps each voter (an actor label) to its choice.
	Votes map[string]string `json:"votes,omitempty"`
	// voters keeps the voters in the order of their first vote.
	voters []string
	Made   bool          `json:"made,omitempty"`
	Choice string        `json:"choice,omitempty"`
	Cause  string        `json:"cause,omitempty"`
	MadeAt time.Duration `json:"made_at,omitempty"`
	// MadeBy is the actor of the decision.made event.
	MadeBy string `json:"made_by,omitempty"`
	// Tally is the count of votes by choice when a vote decided.
	Tally []ChoiceVotes `json:"tally,omitempty"`
}

// Voters returns the team's voters in the order they first voted.
func (d *DecisionState) Voters() []string { return slices.Clone(d.voters) }

// decisionState is the part of State that tracks decisions.
type decisionState struct {
	// Decisions lists every team's decisions in the order they opened.
	Decisions  []DecisionState
	decisionIx map[string]int // "DECISION@TEAM" → index
}

// Decision returns decision id of team, or nil if it has not opened.
func (st *State) Decision(id, team string) *DecisionState {
	i, ok := st.decisionIx[id+"@"+team]
	if !ok {
		return nil
	}
	return &st.Decisions[i]
}

// applyDecision folds a decision event into the state.
func (st *State) applyDecision(e *Event) {
	dd := e.Data.DecisionPoint
	if dd == nil {
		return
	}
	switch e.Type {
	case EventDecisionOpened:
		if st.decisionIx == nil {
			st.decisionIx = map[string]int{}
		}
		st.decisionIx[dd.ID+"@"+e.Team] = len(st.Decisions)
		st.Decisions = append(st.Decisions, DecisionState{ID: dd.ID, Inject: e.Data.Inject, Team: e.Team, By: dd.By, Opened: e.At, Deadline: e.Data.Deadline})
	case EventDecisionVoted:
		if d := st.Decision(dd.ID, e.Team); d != nil {
			if d.Votes == nil {
				d.Votes = map[string]string{}
			}
			if _, ok := d.Votes[e.Actor]; !ok {
				d.voters = append(d.voters, e.Actor)
			}
			d.Votes[e.Actor] = dd.Choice
		}
	case EventDecisionMade:
		if d := st.Decision(dd.ID, e.Team); d != nil {
			d.Made, d.Choice, d.Cause, d.MadeAt, d.MadeBy, d.Tally = true, dd.Choice, dd.Cause, e.At, e.Actor, dd.Votes
		}
	}
}

// decisionTimers are the exercise's decision bookkeeping.
type decisionTimers struct {
	onChoice map[string][]release // "D.C" → what taking it releases
	keys     []string             // timer.exp → "DECISION@TEAM"
	closing  map[string]des.EventID
	root     *des.Stream
}

// decisionKey names one team's decision.
func decisionKey(id, team string) string { return id + "@" + team }

// openDecision puts the decision of inject i to team, on delivery: it
// schedules the deadline and the simulated team's answer.
func (x *Exercise) openDecision(i int, team string) {
	d := x.injects[i].Decision
	if d == nil || x.st.Decision(d.ID, team) != nil {
		return
	}
	deadline := x.k.Now() + d.Within.D()
	x.emit(Event{Type: EventDecisionOpened, Actor: "system", Team: team, Audience: []string{team},
		Data: Details{Inject: x.injects[i].ID, Deadline: deadline, DecisionPoint: &DecisionDetails{ID: d.ID, By: d.By, Choices: d.ChoiceIDs()}}})
	key := decisionKey(d.ID, team)
	x.dec.keys = append(x.dec.keys, key)
	k := int32(len(x.dec.keys) - 1)
	ti := int32(x.scn.TeamIndex(team))
	if x.dec.closing == nil {
		x.dec.closing = map[string]des.EventID{}
	}
	x.dec.closing[key] = x.k.Schedule(deadline, prioDeadline, timer{kind: timerDecisionClose, exp: k, team: ti})
	rng := x.dec.root.Split(key)
	choice := x.simulatedChoice(d, rng)
	after := rng.LogNormal(d.Within.D()/3, 0.5)
	x.k.Schedule(x.k.Now()+after, prioBotDone, timer{kind: timerDecisionSim, exp: k, team: ti, task: int32(choice)})
}

// simulatedChoice draws the index of the choice a simulated team takes,
// by the choices' weights, unless the options force one.
func (x *Exercise) simulatedChoice(d *scenarios.Decision, rng *des.Stream) int {
	draw := rng.Float64() // drawn in every case, so forcing changes nothing else
	if forced, ok := x.opts.Choose[d.ID]; ok {
		if i := slices.Index(d.ChoiceIDs(), forced); i >= 0 {
			return i
		}
	}
	total := 0.0
	for i := range d.Choices {
		total += d.Choices[i].ChoiceWeight()
	}
	at := draw * total
	for i := range d.Choices {
		w := d.Choices[i].ChoiceWeight()
		if at < w {
			return i
		}
		at -= w
	}
	return len(d.Choices) - 1
}

// decisionOf returns the scenario decision with id.
func (x *Exercise) decisionOf(id string) (*scenarios.Decision, bool) {
	_, d, ok := x.scn.Decision(id)
	return d, ok
}

// simulatedDecision fires when a simulated team would decide.
func (x *Exercise) simulatedDecision(key string, choice int) {
	id, team, _ := strings.Cut(key, "@")
	ds := x.st.Decision(id, team)
	d, ok := x.decisionOf(id)
	if ds == nil || ds.Made || !ok || x.st.Modes[team] != ModeSimulated {
		return
	}
	x.makeDecision(d, team, "sim:"+team, d.Choices[choice].ID, DecidedByTeam, nil, nil)
}

// closeDecision fires at a decision's deadline: the votes, or else the
// default, decide.
func (x *Exercise) closeDecision(key string) {
	delete(x.dec.closing, key)
	id, team, _ := strings.Cut(key, "@")
	ds := x.st.Decision(id, team)
	d, ok := x.decisionOf(id)
	if ds == nil || ds.Made || !ok {
		return
	}
	choice, tally := TallyVotes(d, ds.Votes)
	cause := DecidedByVote
	if choice == "" {
		choice, cause = d.Default, DecidedByDefault
		if forced, ok := x.opts.Choose[d.ID]; ok && slices.Contains(d.ChoiceIDs(), forced) {
			choice = forced
		}
	}
	x.makeDecision(d, team, "system", choice, cause, tally, nil)
}

// TallyVotes counts votes (voter → choice) by choice, in the decision's
// order of choices, and returns the winner: the choice with the most
// votes; on a tie, the default when it is tied, else the tied choice
// listed first. It returns "" when there is no vote.
func TallyVotes(d *scenarios.Decision, votes map[string]string) (string, []ChoiceVotes) {
	if len(votes) == 0 {
		return "", nil
	}
	tally := make([]ChoiceVotes, len(d.Choices))
	for i := range d.Choices {
		tally[i].Choice = d.Choices[i].ID
	}
	for _, c := range votes {
		if i := slices.Index(d.ChoiceIDs(), c); i >= 0 {
			tally[i].Votes++
		}
	}
	most := 0
	for _, t := range tally {
		most = max(most, t.Votes)
	}
	winner := ""
	for _, t := range tally {
		if t.Votes != most {
			continue
		}
		if t.Choice == d.Default {
			return t.Choice, tally
		}
		if winner == "" {
			winner = t.Choice
		}
	}
	return winner, tally
}

// makeDecision records the choice team took and releases its consequences.
func (x *Exercise) makeDecision(d *scenarios.Decision, team, actor, choice, cause string, tally []ChoiceVotes, cmd *Command) {
	if id, ok := x.dec.closing[decisionKey(d.ID, team)]; ok {
		x.k.Cancel(id)
		delete(x.dec.closing, decisionKey(d.ID, team))
	}
	ds := x.st.Decision(d.ID, team)
	e := Event{Type: EventDecisionMade, Actor: actor, Team: team, Audience: []string{team},
		Data: Details{Inject: ds.Inject, DecisionPoint: &DecisionDetails{ID: d.ID, Choice: choice, Cause: cause, Votes: tally}}}
	if cmd != nil {
		e = cmdEvent(EventDecisionMade, *cmd, team, e.Audience, e.Data)
	}
	x.emit(e)
	ref := d.ID + "." + choice
	for _, r := range x.dec.onChoice[ref] {
		x.schedule(r, x.scn.TeamIndex(team), "choice:"+ref+":"+team)
	}
}

// authorizeDecision checks who may decide or vote.
func (x *Exercise) authorizeDecision(cmd Command) error {
	p := cmd.By
	switch {
	case p.Role == RoleFacilitator && cmd.Type == CmdDecide:
		if x.scn.TeamIndex(cmd.Team) < 0 {
			return Errorf(CodeNotFound, "name the team whose choice you force (unknown team %q)", cmd.Team)
		}
		return nil
	case p.Role != RoleTrainee:
		return Errorf(CodeForbidden, "only a team's trainees can %s (a facilitator may force a choice with decide)", cmd.Type)
	case x.scn.TeamIndex(p.Team) < 0:
		return Errorf(CodeForbidden, "you are not in a team of this exercise")
	case cmd.Team != "" && cmd.Team != p.Team:
		return Errorf(CodeForbidden, "you can decide only for your own team (%s)", p.Team)
	case x.st.Modes[p.Team] != ModeHuman:
		return Errorf(CodeConflict, "team %s is being played by the simulation; ask the facilitator to hand it to you", p.Team)
	}
	return nil
}

// decide applies decide and vote.
func (x *Exercise) decide(cmd Command) error {
	if cmd.By.Role == RoleTrainee && x.st.Status == StatusPaused {
		return Errorf(CodeConflict, "the exercise is paused")
	}
	dc := cmd.DecisionPoint
	if dc == nil {
		return Errorf(CodeInvalid, "%s needs the decision and the choice", cmd.Type)
	}
	d, ok := x.decisionOf(dc.ID)
	if !ok {
		return Errorf(CodeNotFound, "unknown decision %q", dc.ID)
	}
	if _, ok := d.Choice(dc.Choice); !ok {
		return Errorf(CodeNotFound, "decision %s has no choice %q (choices: %s)", d.ID, dc.Choice, strings.Join(d.ChoiceIDs(), ", "))
	}
	team := cmd.By.Team
	if cmd.By.Role == RoleFacilitator {
		team = cmd.Team
	}
	ds := x.st.Decision(d.ID, team)
	switch {
	case ds == nil:
		return Errorf(CodeConflict, "decision %s has not been put to team %s", d.ID, team)
	case ds.Made:
		return Errorf(CodeConflict, "team %s has already decided %s: %s", team, d.ID, ds.Choice)
	case cmd.By.Role == RoleFacilitator:
		x.makeDecision(d, team, cmd.By.Label(), dc.Choice, DecidedByFacilitator, nil, &cmd)
	case cmd.Type == CmdVote && d.By != scenarios.DecideByVote:
		return Errorf(CodeInvalid, "decision %s is taken by the first answer of the team, not by a vote; use decide", d.ID)
	case cmd.Type == CmdDecide && d.By == scenarios.DecideByVote:
		return Errorf(CodeInvalid, "decision %s is put to a vote of the team; use vote", d.ID)
	case cmd.Type == CmdVote:
		x.emit(cmdEvent(EventDecisionVoted, cmd, team, []string{team}, Details{Inject: ds.Inject, DecisionPoint: &DecisionDetails{ID: d.ID, Choice: dc.Choice}}))
	default:
		x.makeDecision(d, team, cmd.By.Label(), dc.Choice, DecidedByTeam, nil, &cmd)
	}
	return nil
}
