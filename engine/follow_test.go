package engine_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// played returns the log of an exercise with one human team and simulated
// ones, commands at the same instant as timer events, a pause and a resume.
func played(t *testing.T) *engine.Exercise {
	t.Helper()
	x := MustNew(t, "co-csirt")
	MustApply(t, x, 12*time.Minute, trainee("co-csirt", engine.CmdAcknowledge, "I01"))
	c := trainee("co-csirt", engine.CmdClassify, "I01")
	c.Category, c.Severity = "phishing", "medium"
	MustApply(t, x, 25*time.Minute, c)
	n := facilitator(engine.CmdNote)
	n.Text, n.Team = "good first response", "co-csirt"
	MustApply(t, x, 25*time.Minute, n)
	MustApply(t, x, 40*time.Minute, facilitator(engine.CmdPause))
	MustApply(t, x, 40*time.Minute, facilitator(engine.CmdResume))
	x.AdvanceTo(3 * time.Hour)
	return x
}

// TestFollow cuts a log at random points, rebuilds the exercise from the
// first part and follows the rest in random chunks, as a second server
// follows the log another one writes: it must end with the same log and
// state, and report every event once through OnEvent.
func TestFollow(t *testing.T) {
	x := played(t)
	log := x.Events()
	if len(log) < 20 {
		t.Fatalf("the played log is too short to test with: %d events", len(log))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		cut := 1 + rng.IntN(len(log)-1)
		var seen []engine.Event
		y, err := engine.Rerun(x.Scenario(), log[:cut], func(e engine.Event) { seen = append(seen, e) })
		if err != nil {
			t.Fatalf("rerun of %d events: %v", cut, err)
		}
		seen = append(seen, y.Events()[cut:]...) // produced ahead at the cut's instant
		for at := cut; at < len(log); {
			next := min(len(log), at+1+rng.IntN(8))
			if err := y.Follow(log[at:next]); err != nil {
				t.Fatalf("cut at %d, following %d..%d: %v", cut, at+1, next, err)
			}
			at = next
		}
		want, _ := engine.MarshalLog(log)
		got, _ := engine.MarshalLog(y.Events()[:len(log)])
		if !bytes.Equal(got, want) {
			t.Fatalf("cut at %d: the followed log differs", cut)
		}
		if len(seen) != len(y.Events())-cut {
			t.Fatalf("cut at %d: OnEvent saw %d events, want %d", cut, len(seen), len(y.Events())-cut)
		}
		for i, e := range seen {
			if e.Seq != uint64(cut+i+1) {
				t.Fatalf("cut at %d: OnEvent's event %d has seq %d", cut, i, e.Seq)
			}
		}
		if !reflect.DeepEqual(y.State().Seq, uint64(len(y.Events()))) {
			t.Fatalf("cut at %d: state seq %d with %d events", cut, y.State().Seq, len(y.Events()))
		}
	}
}

// TestFollowRejects shows that a follower refuses a log it cannot continue
// and one that its own replay contradicts.
func TestFollowRejects(t *testing.T) {
	x := played(t)
	log := x.Events()
	cut := len(log) / 2
	y, err := engine.Rerun(x.Scenario(), log[:cut], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := y.Follow(log[cut+3 : cut+5]); err == nil {
		t.Error("followed events after a gap")
	}
	if err := y.Follow([]engine.Event{log[cut], log[cut+2]}); err == nil {
		t.Error("followed events that are not consecutive")
	}
	forged := append([]engine.Event(nil), log[cut:]...)
	forged[len(forged)-1].Team = "pe-csirt" // the last event concerns another team
	if err := y.Follow(forged); err == nil || !strings.Contains(err.Error(), "diverges") {
		t.Errorf("followed a log that contradicts the replay: %v", err)
	}
}

// TestReplayZeroDelayTrigger plays an inject released by a trainee's action
// with no delay: the owner's runner delivers it at the action's very
// instant, on its next step. A log that ends with that delivery must still
// replay and be followed.
func TestReplayZeroDelayTrigger(t *testing.T) {
	src, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	const after = "after: I01\n      delay: 20m"
	if !bytes.Contains(src, []byte(after)) {
		t.Fatal("the example's I02 is no longer released 20m after I01; update the test")
	}
	src = bytes.Replace(src, []byte(after), []byte("on_action: { action: acknowledge, inject: I01 }"), 1)
	scn, problems := scenarios.Parse("zero-delay.yaml", src)
	if scn == nil {
		t.Fatal(problems)
	}
	x, err := engine.New(scn, engine.Options{Seed: 7, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	x.AdvanceTo(12 * time.Minute)
	if _, err := x.Apply(trainee("co-csirt", engine.CmdAcknowledge, "I01")); err != nil {
		t.Fatal(err)
	}
	afterCommand := len(x.Events())
	x.AdvanceTo(12*time.Minute + time.Millisecond) // the runner's next step
	log := x.Events()
	last := log[len(log)-1]
	if last.Type != engine.EventInjectDelivered || last.Data.Inject != "I02" || last.At != 12*time.Minute {
		t.Fatalf("the log ends with %s %s at %v, want I02 delivered at the acknowledgement's instant", last.Type, last.Data.Inject, last.At)
	}
	if _, err := engine.Rerun(scn, log, nil); err != nil {
		t.Errorf("rerun of a log ending at the trigger: %v", err)
	}
	y, err := engine.Rerun(scn, log[:afterCommand], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := y.Follow(log[afterCommand:]); err != nil {
		t.Errorf("following the trigger's delivery: %v", err)
	}
}
