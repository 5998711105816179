package engine_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

const decisionFile = "../testdata/scenarios/e2e/decision.yaml"

// newDecisions starts an exercise of the decision scenario with the given
// human teams.
func newDecisions(tb testing.TB, opts engine.Options) *engine.Exercise {
	tb.Helper()
	x, err := engine.New(MustLoad(tb, decisionFile), opts)
	if err != nil {
		tb.Fatal(err)
	}
	MustApply(tb, x, 0, facilitator(engine.CmdStart))
	return x
}

func voter(team, name string) engine.Principal {
	return engine.Principal{Role: engine.RoleTrainee, Team: team, Name: name}
}

func vote(by engine.Principal, decision, choice string) engine.Command {
	return engine.Command{Type: engine.CmdVote, By: by, DecisionPoint: &engine.DecisionChoice{ID: decision, Choice: choice}}
}

func decide(by engine.Principal, decision, choice string) engine.Command {
	return engine.Command{Type: engine.CmdDecide, By: by, DecisionPoint: &engine.DecisionChoice{ID: decision, Choice: choice}}
}

// made returns the decision.made events of the log, by team and decision.
func made(evs []engine.Event) map[string]*engine.Event {
	out := map[string]*engine.Event{}
	for i := range evs {
		if evs[i].Type == engine.EventDecisionMade {
			out[evs[i].Data.DecisionPoint.ID+"@"+evs[i].Team] = &evs[i]
		}
	}
	return out
}

// TestDecisionVote plays the vote of D1 by both human teams: Colombia's
// majority escalates (a trainee's second vote replaces the first), Peru's
// trainees tie and get the default, and each choice releases its own
// inject to the team that took it and to no one else.
func TestDecisionVote(t *testing.T) {
	x := newDecisions(t, engine.Options{Seed: 3, Humans: []string{"co-csirt", "pe-csirt"}})
	x.AdvanceTo(5 * time.Minute)
	for _, team := range []string{"co-csirt", "pe-csirt"} {
		ds := x.State().Decision("D1", team)
		if ds == nil || ds.Deadline != 25*time.Minute || ds.By != scenarios.DecideByVote {
			t.Fatalf("D1 for %s after delivery: %+v", team, ds)
		}
	}
	MustApply(t, x, 6*time.Minute, vote(voter("co-csirt", "ana"), "D1", "wait"))
	MustApply(t, x, 7*time.Minute, vote(voter("co-csirt", "luis"), "D1", "wait"))
	MustApply(t, x, 8*time.Minute, vote(voter("co-csirt", "maria"), "D1", "escalate"))
	MustApply(t, x, 9*time.Minute, vote(voter("co-csirt", "ana"), "D1", "escalate"))
	MustApply(t, x, 10*time.Minute, vote(voter("pe-csirt", "rosa"), "D1", "escalate"))
	MustApply(t, x, 11*time.Minute, vote(voter("pe-csirt", "jose"), "D1", "wait"))
	if x.State().Decision("D1", "co-csirt").Made {
		t.Fatal("a vote was decided before its deadline")
	}
	x.AdvanceTo(time.Hour)

	got := made(x.Events())
	co, pe := got["D1@co-csirt"], got["D1@pe-csirt"]
	if co == nil || pe == nil {
		t.Fatalf("decisions made: %v", got)
	}
	wantCo := &engine.DecisionDetails{ID: "D1", Choice: "escalate", Cause: engine.DecidedByVote,
		Votes: []engine.ChoiceVotes{{Choice: "escalate", Votes: 2}, {Choice: "wait", Votes: 1}}}
	if co.At != 25*time.Minute || co.Actor != "system" || !reflect.DeepEqual(co.Data.DecisionPoint, wantCo) {
		t.Errorf("Colombia's decision at %v by %s: %+v, want %+v at 25m", co.At, co.Actor, co.Data.DecisionPoint, wantCo)
	}
	if d := pe.Data.DecisionPoint; d.Choice != "wait" || d.Cause != engine.DecidedByVote {
		t.Errorf("Peru's tie: %+v, want the default (wait) by vote", d)
	}
	if at, ok := x.State().Delivered("co-csirt", "I02"); !ok || at != 30*time.Minute {
		t.Errorf("I02 (escalate) reached Colombia: %v %v, want at 30m", at, ok)
	}
	if _, ok := x.State().Delivered("pe-csirt", "I02"); ok {
		t.Error("I02 reached Peru, which did not escalate")
	}
	if at, ok := x.State().Delivered("pe-csirt", "I03"); !ok || at != 35*time.Minute {
		t.Errorf("I03 (wait) reached Peru: %v %v, want at 35m", at, ok)
	}
	if _, ok := x.State().Delivered("co-csirt", "I03"); ok {
		t.Error("I03 reached Colombia, which escalated")
	}
	if v := x.State().Decision("D1", "co-csirt").Voters(); len(v) != 3 {
		t.Errorf("Colombia's voters: %v, want 3", v)
	}
}

// TestDecisionDefaultOnTimeout leaves a vote without votes: the default is
// taken at the deadline, with cause default and no tally.
func TestDecisionDefaultOnTimeout(t *testing.T) {
	x := newDecisions(t, engine.Options{Seed: 3, Humans: []string{"co-csirt", "pe-csirt"}})
	x.AdvanceTo(time.Hour)
	for _, team := range []string{"co-csirt", "pe-csirt"} {
		ds := x.State().Decision("D1", team)
		if !ds.Made || ds.Choice != "wait" || ds.Cause != engine.DecidedByDefault || ds.MadeAt != 25*time.Minute || ds.Tally != nil {
			t.Errorf("%s without votes: %+v", team, ds)
		}
	}
}

// TestTallyVotesTieRule checks the tie rule on three choices: a tie goes
// to the default when it is tied, else to the tied choice listed first.
func TestTallyVotesTieRule(t *testing.T) {
	d := &scenarios.Decision{Default: "c", Choices: []scenarios.Choice{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	cases := []struct {
		votes map[string]string
		want  string
	}{
		{nil, ""},
		{map[string]string{"x": "b", "y": "a"}, "a"},
		{map[string]string{"x": "b", "y": "c"}, "c"},
		{map[string]string{"x": "b", "y": "b", "z": "a"}, "b"},
		{map[string]string{"x": "a", "y": "b", "z": "c"}, "c"},
	}
	for _, c := range cases {
		if got, _ := engine.TallyVotes(d, c.votes); got != c.want {
			t.Errorf("votes %v: %q wins, want %q", c.votes, got, c.want)
		}
	}
}

// TestDecisionByTeamAndForce takes D2 by the first trainee answer, refuses
// a second answer and the wrong command, and lets a facilitator force
// Peru's D1.
func TestDecisionByTeamAndForce(t *testing.T) {
	x := newDecisions(t, engine.Options{Seed: 3, Humans: []string{"co-csirt", "pe-csirt"}})
	ana := voter("co-csirt", "ana")
	fac := engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}
	force := decide(fac, "D1", "escalate")
	force.Team = "pe-csirt"
	evs := MustApply(t, x, 10*time.Minute, force)
	if e := find(evs, engine.EventDecisionMade, "pe-csirt"); e == nil || e.Data.DecisionPoint.Cause != engine.DecidedByFacilitator || e.Data.Command == nil {
		t.Fatalf("forced decision: %+v", evs)
	}
	refusals := []struct {
		cmd  engine.Command
		code engine.ErrorCode
	}{
		{decide(ana, "D2", "regional"), engine.CodeConflict},                                                       // not yet put to the team
		{decide(ana, "D1", "escalate"), engine.CodeInvalid},                                                        // D1 is a vote
		{vote(voter("pe-csirt", "rosa"), "D1", "wait"), engine.CodeConflict},                                       // already forced
		{vote(ana, "D1", "maybe"), engine.CodeNotFound},                                                            // no such choice
		{vote(ana, "D9", "wait"), engine.CodeNotFound},                                                             // no such decision
		{vote(engine.Principal{Role: engine.RoleObserver, Name: "o"}, "D1", "wait"), engine.CodeForbidden},         // not a trainee
		{engine.Command{Type: engine.CmdVote, By: ana}, engine.CodeInvalid},                                        // nothing named
		{engine.Command{Type: engine.CmdDecide, By: fac, DecisionPoint: force.DecisionPoint}, engine.CodeNotFound}, // no team
	}
	for _, r := range refusals {
		if _, err := x.ApplyAt(11*time.Minute, r.cmd); engine.Code(err) != r.code {
			t.Errorf("%s %+v by %+v: %v, want %s", r.cmd.Type, r.cmd.DecisionPoint, r.cmd.By, err, r.code)
		}
	}
	x.AdvanceTo(61 * time.Minute)
	evs = MustApply(t, x, 62*time.Minute, decide(ana, "D2", "regional"))
	if e := find(evs, engine.EventDecisionMade, "co-csirt"); e == nil || e.Actor != "trainee:co-csirt:ana" || e.Data.DecisionPoint.Cause != engine.DecidedByTeam {
		t.Fatalf("D2 decided: %+v", evs)
	}
	x.AdvanceTo(62 * time.Minute) // a trigger without delay plays at the same instant
	if at, ok := x.State().Delivered("co-csirt", "I05"); !ok || at != 62*time.Minute {
		t.Errorf("choosing regional delivered I05: %v %v, want at once", at, ok)
	}
	if _, ok := x.State().Delivered("co-csirt", "I06"); ok {
		t.Error("choosing regional delivered I06, the other path")
	}
	if _, err := x.ApplyAt(63*time.Minute, decide(voter("co-csirt", "luis"), "D2", "alone")); engine.Code(err) != engine.CodeConflict {
		t.Errorf("a second answer: %v, want conflict", err)
	}
	if _, err := x.ApplyAt(63*time.Minute, vote(ana, "D2", "alone")); engine.Code(err) != engine.CodeConflict {
		t.Errorf("a vote on a made decision: %v, want conflict", err)
	}
}

// TestDecisionReplay reruns a log with votes, a forced choice and a team
// decision: the rerun reproduces the log byte for byte and the folded
// state has the same decisions.
func TestDecisionReplay(t *testing.T) {
	x := newDecisions(t, engine.Options{Seed: 11, Humans: []string{"co-csirt"}})
	MustApply(t, x, 6*time.Minute, vote(voter("co-csirt", "ana"), "D1", "escalate"))
	MustApply(t, x, 7*time.Minute, vote(voter("co-csirt", "luis"), "D1", "wait"))
	MustApply(t, x, 8*time.Minute, vote(voter("co-csirt", "maria"), "D1", "escalate"))
	MustApply(t, x, 70*time.Minute, decide(voter("co-csirt", "ana"), "D2", "alone"))
	x.AdvanceTo(2 * time.Hour)
	events := x.Events()
	y, err := engine.Rerun(x.Scenario(), events, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := engine.MarshalLog(events)
	got, _ := engine.MarshalLog(y.Events()[:len(events)])
	if !bytes.Equal(got, want) {
		t.Fatal("the rerun differs from the log")
	}
	st, err := engine.Fold(x.Scenario(), events)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Decisions, x.State().Decisions) {
		t.Errorf("folded decisions %+v, live %+v", st.Decisions, x.State().Decisions)
	}
	if len(st.Decisions) != 3 { // D1 for both teams, D2 for Colombia
		t.Errorf("%d decisions, want 3", len(st.Decisions))
	}
}

// TestSimulatedDecisions runs the scenario fully simulated: a seed always
// gives the same log, every opened decision is made exactly once, the
// choices follow the weights over many seeds, and Options.Choose forces a
// choice without changing anything else drawn.
func TestSimulatedDecisions(t *testing.T) {
	s := MustLoad(t, decisionFile)
	run := func(seed uint64, choose map[string]string) *engine.Exercise {
		x, err := engine.New(s, engine.Options{Seed: seed, Choose: choose})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.RunToEnd(); err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, _ := engine.MarshalLog(run(42, nil).Events())
	b, _ := engine.MarshalLog(run(42, nil).Events())
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave two different logs")
	}
	counts := map[string]int{}
	const runs = 300
	for seed := range uint64(runs) {
		x := run(seed, nil)
		for _, d := range x.State().Decisions {
			if !d.Made {
				t.Fatalf("seed %d: %s for %s never made", seed, d.ID, d.Team)
			}
			counts[d.ID+"."+d.Choice]++
		}
		if n := len(made(x.Events())); n != len(x.State().Decisions) {
			t.Fatalf("seed %d: %d decision.made for %d decisions", seed, n, len(x.State().Decisions))
		}
	}
	// D1 has weights 2:1 for two teams; a late simulated answer takes the
	// default (wait), so escalate is taken in a bit under 2/3 of cases.
	if esc := float64(counts["D1.escalate"]) / (2 * runs); esc < 0.5 || esc > 0.72 {
		t.Errorf("D1.escalate taken in %.2f of cases, want about 0.6 (counts %v)", esc, counts)
	}
	if reg := float64(counts["D2.regional"]) / runs; reg < 0.12 || reg > 0.4 {
		t.Errorf("D2.regional taken in %.2f of cases, want about 0.25 (counts %v)", reg, counts)
	}
	for seed := range uint64(50) {
		x := run(seed, map[string]string{"D1": "escalate"})
		for _, d := range x.State().Decisions {
			if d.ID == "D1" && d.Choice != "escalate" {
				t.Fatalf("seed %d: forced D1 took %s (%s)", seed, d.Choice, d.Cause)
			}
		}
	}
}
