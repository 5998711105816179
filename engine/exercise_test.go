package engine_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

const exampleFile = "../testdata/scenarios/valid/example.yaml"

// MustLoad loads a scenario file or fails the test.
func MustLoad(tb testing.TB, file string) *scenarios.Scenario {
	tb.Helper()
	s, problems := scenarios.LoadFile(file)
	if problems.HasErrors() {
		tb.Fatalf("load %s:\n%s", file, problems)
	}
	return s
}

// MustNew starts an exercise of the example scenario with the given human
// teams, already started.
func MustNew(tb testing.TB, humans ...string) *engine.Exercise {
	tb.Helper()
	x, err := engine.New(MustLoad(tb, exampleFile), engine.Options{Seed: 7, Humans: humans})
	if err != nil {
		tb.Fatal(err)
	}
	MustApply(tb, x, 0, facilitator(engine.CmdStart))
	return x
}

// MustApply applies cmd at virtual time at or fails the test.
func MustApply(tb testing.TB, x *engine.Exercise, at time.Duration, cmd engine.Command) []engine.Event {
	tb.Helper()
	evs, err := x.ApplyAt(at, cmd)
	if err != nil {
		tb.Fatalf("%s at %v: %v", cmd.Type, at, err)
	}
	return evs
}

func facilitator(t engine.CommandType) engine.Command {
	return engine.Command{Type: t, By: engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}}
}

func trainee(team string, t engine.CommandType, inject string) engine.Command {
	return engine.Command{Type: t, By: engine.Principal{Role: engine.RoleTrainee, Team: team, Name: "ana"}, Inject: inject}
}

func types(evs []engine.Event) []engine.EventType {
	var out []engine.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func find(evs []engine.Event, typ engine.EventType, team string) *engine.Event {
	for i := range evs {
		if evs[i].Type == typ && (team == "" || evs[i].Team == team) {
			return &evs[i]
		}
	}
	return nil
}

func TestExercise_Rejections(t *testing.T) {
	min := time.Minute
	share := func(team string, tlp string, peers ...string) engine.Command {
		c := trainee(team, engine.CmdShare, "I01")
		c.TLP, c.Peers = tlp, peers
		return c
	}
	for _, tt := range []struct {
		name string
		at   time.Duration
		cmd  engine.Command
		code engine.ErrorCode
		msg  string
	}{
		{"WrongRole", 11 * min, engine.Command{Type: engine.CmdPause, By: engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt"}}, engine.CodeForbidden, "only a facilitator"},
		{"ObserverActs", 11 * min, engine.Command{Type: engine.CmdAcknowledge, Inject: "I01", By: engine.Principal{Role: engine.RoleObserver}}, engine.CodeForbidden, "trainees"},
		{"TraineeNotes", 11 * min, engine.Command{Type: engine.CmdNote, Text: "x", By: engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt"}}, engine.CodeForbidden, "evaluators"},
		{"WrongTeam", 11 * min, func() engine.Command {
			c := trainee("co-csirt", engine.CmdAcknowledge, "I01")
			c.Team = "pe-csirt"
			return c
		}(), engine.CodeForbidden, "own team"},
		{"UnknownTeam", 11 * min, trainee("xx", engine.CmdAcknowledge, "I01"), engine.CodeForbidden, "not in a team"},
		{"UnknownInject", 11 * min, trainee("co-csirt", engine.CmdAcknowledge, "I99"), engine.CodeNotFound, "unknown inject"},
		{"NotDelivered", 11 * min, trainee("pe-csirt", engine.CmdAcknowledge, "I01"), engine.CodeNotFound, "not been delivered"},
		{"NotYetDelivered", 5 * min, trainee("co-csirt", engine.CmdAcknowledge, "I01"), engine.CodeNotFound, "not been delivered"},
		{"TLPViolation", 11 * min, share("co-csirt", "red", "pe-csirt"), engine.CodeForbidden, "does not allow TLP:RED"},
		{"ShareWithSelf", 11 * min, share("co-csirt", "amber", "co-csirt"), engine.CodeInvalid, "itself"},
		{"ShareUnknownPeer", 11 * min, share("co-csirt", "amber", "zz"), engine.CodeNotFound, "unknown peer"},
		{"ShareBadTLP", 11 * min, share("co-csirt", "purple", "pe-csirt"), engine.CodeInvalid, "TLP level"},
		{"ShareNoPeers", 11 * min, share("co-csirt", "amber"), engine.CodeInvalid, "at least one peer"},
		{"ClassifyNoCategory", 11 * min, trainee("co-csirt", engine.CmdClassify, "I01"), engine.CodeInvalid, "category"},
		{"EscalateUnknown", 11 * min, func() engine.Command {
			c := trainee("co-csirt", engine.CmdEscalate, "I01")
			c.Target = "nobody"
			return c
		}(), engine.CodeNotFound, "unknown recipient"},
		{"UnknownCommand", 11 * min, engine.Command{Type: "dance", By: engine.Principal{Role: engine.RoleFacilitator}}, engine.CodeInvalid, "unknown command"},
		{"StartTwice", 11 * min, facilitator(engine.CmdStart), engine.CodeConflict, "already started"},
		{"ResumeRunning", 11 * min, facilitator(engine.CmdResume), engine.CodeConflict, "not paused"},
		{"BadSpeed", 11 * min, facilitator(engine.CmdSetSpeed), engine.CodeInvalid, "speed"},
		{"SkipDelivered", 11 * min, func() engine.Command { c := facilitator(engine.CmdSkipInject); c.Inject = "I01"; return c }(), engine.CodeConflict, "already been delivered"},
		{"HugeText", 11 * min, func() engine.Command {
			c := trainee("co-csirt", engine.CmdReport, "I01")
			c.Text = strings.Repeat("x", engine.MaxTextLen+1)
			return c
		}(), engine.CodeInvalid, "longer than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := MustNew(t, "co-csirt", "pe-csirt")
			x.AdvanceTo(tt.at)
			before := len(x.Events())
			_, err := x.Apply(tt.cmd)
			if err == nil {
				t.Fatal("command accepted, want rejection")
			}
			var e *engine.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *engine.Error", err)
			}
			if got, want := e.Code, tt.code; got != want {
				t.Fatalf("code=%s, want %s (%v)", got, want, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("message %q does not mention %q", err, tt.msg)
			}
			if got := len(x.Events()); got != before {
				t.Fatalf("rejected command appended %d events", got-before)
			}
		})
	}

	t.Run("HumanTeamPlayedBySimulation", func(t *testing.T) {
		x := MustNew(t) // every team simulated
		x.AdvanceTo(11 * min)
		_, err := x.Apply(trainee("co-csirt", engine.CmdAcknowledge, "I01"))
		if got, want := engine.Code(err), engine.CodeConflict; got != want {
			t.Fatalf("code=%s, want %s (%v)", got, want, err)
		}
	})
	t.Run("AfterEnd", func(t *testing.T) {
		x := MustNew(t, "co-csirt")
		MustApply(t, x, 11*min, facilitator(engine.CmdEnd))
		_, err := x.Apply(trainee("co-csirt", engine.CmdAcknowledge, "I01"))
		if got, want := engine.Code(err), engine.CodeConflict; got != want || !strings.Contains(err.Error(), "ended") {
			t.Fatalf("code=%s err=%v, want %s ended", got, err, want)
		}
	})
	t.Run("BeforeStart", func(t *testing.T) {
		x, _ := engine.New(MustLoad(t, exampleFile), engine.Options{Humans: []string{"co-csirt"}})
		_, err := x.Apply(trainee("co-csirt", engine.CmdAcknowledge, "I01"))
		if got, want := engine.Code(err), engine.CodeConflict; got != want {
			t.Fatalf("code=%s, want %s", got, want)
		}
	})
	t.Run("WhilePaused", func(t *testing.T) {
		x := MustNew(t, "co-csirt")
		MustApply(t, x, 11*min, facilitator(engine.CmdPause))
		_, err := x.Apply(trainee("co-csirt", engine.CmdAcknowledge, "I01"))
		if got, want := engine.Code(err), engine.CodeConflict; got != want || !strings.Contains(err.Error(), "paused") {
			t.Fatalf("code=%s err=%v, want %s paused", got, err, want)
		}
	})
}

func TestExercise_Scoring(t *testing.T) {
	min := time.Minute
	t.Run("OnTime", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		evs := MustApply(t, x, 20*min, trainee("co-csirt", engine.CmdAcknowledge, "I01"))
		met := find(evs, engine.EventExpectationMet, "co-csirt")
		if met == nil {
			t.Fatalf("no expectation.met in %v", types(evs))
		}
		if got, want := met.Data.Points, 5.0; got != want {
			t.Fatalf("points=%v, want %v", got, want)
		}
		if got, want := met.Data.Latency, 10*min; got != want {
			t.Fatalf("latency=%v, want %v", got, want)
		}
		if met.Data.Late {
			t.Fatal("marked late")
		}
	})
	t.Run("LateAtOneAndAHalf", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		// I01 delivered at 0:10; classify within 30m (20 points would be 10 here): answer at 45m after.
		c := trainee("co-csirt", engine.CmdClassify, "I01")
		c.Category, c.Severity = "Phishing", "high"
		evs := MustApply(t, x, 10*min+45*min, c)
		met := find(evs, engine.EventExpectationMet, "co-csirt")
		if met == nil {
			t.Fatalf("no expectation.met in %v", types(evs))
		}
		if got, want := met.Data.Points, 5.0; got != want {
			t.Fatalf("points=%v, want %v (half of 10)", got, want)
		}
		if !met.Data.Late {
			t.Fatal("not marked late")
		}
		if st := x.State().Expectation("I01", "classify", "co-csirt"); st.Outcome() != engine.OutcomeLate {
			t.Fatalf("outcome=%s, want late", st.Outcome())
		}
	})
	t.Run("WrongClassification", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		c := trainee("co-csirt", engine.CmdClassify, "I01")
		c.Category, c.Severity = "malicious-code/infected-system", "high"
		evs := MustApply(t, x, 15*min, c)
		wrong := find(evs, engine.EventExpectationWrong, "co-csirt")
		if wrong == nil || !strings.Contains(wrong.Data.Reason, `expected "fraud/phishing"`) {
			t.Fatalf("want a wrong event naming the expected category, got %v", evs)
		}
		if len(wrong.Audience) != 0 {
			t.Fatalf("wrong answers are for staff only, audience=%v", wrong.Audience)
		}
		x.AdvanceTo(2 * time.Hour)
		if st := x.State().Expectation("I01", "classify", "co-csirt"); st.Outcome() != engine.OutcomeWrong {
			t.Fatalf("outcome=%s, want wrong", st.Outcome())
		}
	})
	t.Run("CategoryOutsideTheTaxonomy", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		x.AdvanceTo(15 * min)
		c := trainee("co-csirt", engine.CmdClassify, "I01")
		c.Category, c.Severity = "malware", "high"
		_, err := x.Apply(c)
		var e *engine.Error
		if !errors.As(err, &e) || e.Code != engine.CodeInvalid || !strings.Contains(e.Message, `unknown category "malware"`) {
			t.Fatalf("err = %v, want an invalid-category error", err)
		}
		c.Category = " Fraud/PHISHING "
		evs := MustApply(t, x, 15*min, c)
		if a := find(evs, engine.EventAction, "co-csirt"); a == nil || a.Data.Category != "fraud/phishing" {
			t.Fatalf("the action does not record the canonical category: %v", evs)
		}
		if find(evs, engine.EventExpectationMet, "co-csirt") == nil {
			t.Fatalf("a canonical match does not meet the expectation: %v", evs)
		}
	})
	t.Run("TLPViolation", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		c := trainee("co-csirt", engine.CmdShare, "I01")
		c.Peers, c.TLP = []string{"pe-csirt"}, "green" // I01 is TLP:AMBER
		evs := MustApply(t, x, 15*min, c)
		wrong := find(evs, engine.EventExpectationWrong, "co-csirt")
		if wrong == nil || !strings.Contains(wrong.Data.Reason, "TLP violation") {
			t.Fatalf("want a TLP violation, got %v", types(evs))
		}
	})
	t.Run("MissedWithConsequence", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		x.AdvanceTo(90 * min) // share due at 0:55, spread 10 min later
		evs := x.Events()
		var missed *engine.Event
		for i := range evs {
			if evs[i].Type == engine.EventExpectationMissed && evs[i].Data.Expectation == "share" {
				missed = &evs[i]
			}
		}
		if missed == nil || missed.At != 55*min {
			t.Fatalf("want the share missed at 0:55, got %+v", missed)
		}
		spread := find(evs, engine.EventIncidentSpread, "pe-csirt")
		if spread == nil || spread.At != 65*min || spread.Data.Cause != "miss:I01.share:co-csirt" {
			t.Fatalf("want the spread at 1:05 caused by the miss, got %+v", spread)
		}
		if at, ok := x.State().Delivered("pe-csirt", "I03"); !ok || at != 65*min {
			t.Fatalf("I03 delivered=%v at %v, want at 1:05", ok, at)
		}
	})
	t.Run("SharedWithWrongPeer", func(t *testing.T) {
		s := MustLoad(t, exampleFile)
		s.Injects[0].Expectations[2].With = []string{"group:andean"} // co-csirt must share with pe-csirt only
		x, _ := engine.New(s, engine.Options{Humans: []string{"co-csirt", "pe-csirt"}})
		MustApply(t, x, 0, facilitator(engine.CmdStart))
		c := trainee("co-csirt", engine.CmdShare, "I01")
		c.Peers, c.TLP = []string{"pe-csirt"}, "amber"
		evs := MustApply(t, x, 20*min, c)
		if find(evs, engine.EventExpectationMet, "co-csirt") == nil {
			t.Fatalf("sharing with every expected peer meets the expectation: %v", types(evs))
		}
	})
	t.Run("PointsCurve", func(t *testing.T) {
		for _, tt := range []struct {
			latency time.Duration
			want    float64
		}{{10 * min, 10}, {20 * min, 10}, {30 * min, 5}, {40 * min, 0}, {90 * min, 0}} {
			if got := engine.Points(10, tt.latency, 20*min, 2); got != tt.want {
				t.Errorf("Points(latency=%v)=%v, want %v", tt.latency, got, tt.want)
			}
		}
	})
}

func TestExercise_Facilitator(t *testing.T) {
	min := time.Minute
	t.Run("PauseStopsTheClock", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		MustApply(t, x, 5*min, facilitator(engine.CmdPause))
		x.AdvanceTo(60 * min)
		if got, want := x.Now(), 5*min; got != want {
			t.Fatalf("now=%v while paused, want %v", got, want)
		}
		if _, ok := x.State().Delivered("co-csirt", "I01"); ok {
			t.Fatal("an inject was delivered while paused")
		}
		MustApply(t, x, 5*min, facilitator(engine.CmdResume))
		x.AdvanceTo(11 * min)
		if _, ok := x.State().Delivered("co-csirt", "I01"); !ok {
			t.Fatal("I01 not delivered after resume")
		}
	})
	t.Run("SkipDelayRelease", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		c := facilitator(engine.CmdDelayInject)
		c.Inject, c.Delay = "I01", 15*min
		MustApply(t, x, 1*min, c)
		if up := x.Upcoming(); len(up) != 1 || up[0].At != 25*min {
			t.Fatalf("upcoming=%v, want I01 at 25m", up)
		}
		x.AdvanceTo(20 * min)
		if _, ok := x.State().Delivered("co-csirt", "I01"); ok {
			t.Fatal("delayed inject delivered early")
		}
		r := facilitator(engine.CmdReleaseInject)
		r.Inject = "I01"
		MustApply(t, x, 21*min, r)
		if at, ok := x.State().Delivered("co-csirt", "I01"); !ok || at != 21*min {
			t.Fatalf("released inject delivered=%v at %v, want 21m", ok, at)
		}
		for _, u := range x.Upcoming() {
			if u.Inject == "I01" {
				t.Fatalf("released inject still upcoming: %v", x.Upcoming())
			}
		}
		x.AdvanceTo(60 * min)
		if n := len(x.Upcoming()); n != 0 {
			t.Fatalf("upcoming=%v", x.Upcoming())
		}
		s := facilitator(engine.CmdSkipInject)
		s.Inject = "I03"
		MustApply(t, x, 61*min, s)
		x.AdvanceTo(2 * time.Hour)
		if _, ok := x.State().Delivered("pe-csirt", "I03"); ok {
			t.Fatal("skipped inject delivered")
		}
	})
	t.Run("AdHocInject", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		c := facilitator(engine.CmdSendInject)
		c.AdHoc = &engine.AdHocInject{Title: "Press call", Body: "A journalist calls.", Channel: "phone", To: []string{"group:andean"},
			Expectations: []engine.AdHocExpectation{{Action: "acknowledge", Within: 10 * min, Points: 3, Objective: "O1"}}}
		evs := MustApply(t, x, 30*min, c)
		if got := len(types(evs)); got < 3 {
			t.Fatalf("events=%v, want sent + two deliveries", types(evs))
		}
		evs = MustApply(t, x, 35*min, trainee("pe-csirt", engine.CmdAcknowledge, "adhoc-1"))
		if find(evs, engine.EventExpectationMet, "pe-csirt") == nil {
			t.Fatalf("ad-hoc expectation not met: %v", types(evs))
		}
		bad := facilitator(engine.CmdSendInject)
		bad.AdHoc = &engine.AdHocInject{Title: "x", Body: "y", Channel: "pigeon", To: []string{"all"}}
		if _, err := x.Apply(bad); engine.Code(err) != engine.CodeInvalid {
			t.Fatalf("bad channel accepted: %v", err)
		}
	})
	t.Run("HandTeamToModelAndBack", func(t *testing.T) {
		x := MustNew(t, "co-csirt", "pe-csirt")
		x.AdvanceTo(12 * min)
		m := facilitator(engine.CmdSetMode)
		m.Team, m.Mode = "co-csirt", engine.ModeSimulated
		MustApply(t, x, 12*min, m)
		x.AdvanceTo(50 * min)
		if st := x.State().Expectation("I01", "ack", "co-csirt"); !st.Met {
			t.Fatal("the model did not pick up the open acknowledgement")
		}
		m.Mode = engine.ModeHuman
		MustApply(t, x, 50*min, m)
		n := len(x.Events())
		x.AdvanceTo(2 * time.Hour)
		for _, e := range x.Events()[n:] {
			if e.Actor == "sim:co-csirt" {
				t.Fatalf("the model acted after the team was handed back: %+v", e)
			}
		}
	})
}

func TestExercise_Visibility(t *testing.T) {
	x, err := engine.New(MustLoad(t, exampleFile), engine.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	for _, e := range x.Events() {
		if e.VisibleTo("pe-csirt") && e.Team == "co-csirt" && e.Type != engine.EventAction {
			t.Errorf("pe-csirt may see co-csirt's private event %+v", e)
		}
		if e.Type == engine.EventAction && e.Data.Action == scenarios.ActionShare {
			for _, p := range e.Data.Peers {
				if !e.VisibleTo(p) {
					t.Errorf("peer %s cannot see a share sent to it", p)
				}
			}
		} else if e.Type == engine.EventAction && e.VisibleTo("pe-csirt") && e.Team != "pe-csirt" {
			t.Errorf("pe-csirt may see another team's action %+v", e)
		}
	}
}

// TestNoteObjective checks that a note may name an objective of the
// scenario, which its event records, and no other.
func TestNoteObjective(t *testing.T) {
	x := MustNew(t, "co-csirt")
	n := engine.Command{Type: engine.CmdNote, By: engine.Principal{Role: engine.RoleEvaluator, Name: "eva"}, Text: "shared late", Objective: "O2"}
	evs := MustApply(t, x, 5*time.Minute, n)
	if len(evs) != 1 || evs[0].Type != engine.EventNote || evs[0].Data.Objective != "O2" || len(evs[0].Audience) != 0 {
		t.Fatalf("events = %+v, want one staff-only note about O2", evs)
	}
	n.Objective = "O9"
	_, err := x.Apply(n)
	var e *engine.Error
	if !errors.As(err, &e) || e.Code != engine.CodeNotFound || !strings.Contains(e.Message, `unknown objective "O9"`) {
		t.Fatalf("err = %v, want unknown objective", err)
	}
}

// TestReplay proves that folding the log gives the live state, and that
// rerunning the seed and command log reproduces the log byte for byte.
func TestReplay(t *testing.T) {
	x := MustNew(t, "co-csirt")
	MustApply(t, x, 12*time.Minute, trainee("co-csirt", engine.CmdAcknowledge, "I01"))
	c := trainee("co-csirt", engine.CmdClassify, "I01")
	c.Category, c.Severity = "phishing", "medium"
	MustApply(t, x, 25*time.Minute, c)
	n := facilitator(engine.CmdNote)
	n.Text, n.Team, n.Objective = "good first response", "co-csirt", "O1"
	MustApply(t, x, 26*time.Minute, n)
	x.AdvanceTo(2 * time.Hour)

	st, err := engine.Fold(x.Scenario(), x.Events())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, x.State()) {
		t.Fatalf("folded state differs from live state:\n%+v\n%+v", st, x.State())
	}
	y, err := engine.Rerun(x.Scenario(), x.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(y.State(), x.State()) {
		t.Fatal("rerun state differs")
	}
	if _, err := engine.Fold(x.Scenario(), x.Events()[1:]); err == nil {
		t.Fatal("a log without its first event folded without error")
	}
	broken := append([]engine.Event(nil), x.Events()...)
	broken[5].Seq = 99
	if _, err := engine.Fold(x.Scenario(), broken); err == nil {
		t.Fatal("a log with a sequence gap folded without error")
	}
}
