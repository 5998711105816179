package engine_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
)

const wallFile = "../testdata/scenarios/e2e/wall.yaml"

// newWall starts the wall scenario with colCERT and PeCERT played by
// people (CSIRT Energía stays simulated).
func newWall(tb testing.TB) *engine.Exercise {
	tb.Helper()
	x, err := engine.New(MustLoad(tb, wallFile), engine.Options{Seed: 3, Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		tb.Fatal(err)
	}
	MustApply(tb, x, 0, facilitator(engine.CmdStart))
	return x
}

// wallDeliveries returns the teams each wall inject reached, and when.
func wallDeliveries(x *engine.Exercise) map[string]map[string]engine.Event {
	out := map[string]map[string]engine.Event{}
	for _, e := range x.Events() {
		if e.Type != engine.EventInjectDelivered {
			continue
		}
		if in, ok := x.Inject(e.Data.Inject); !ok || !in.Channel.OnWall() {
			continue
		}
		if out[e.Data.Inject] == nil {
			out[e.Data.Inject] = map[string]engine.Event{}
		}
		out[e.Data.Inject][e.Team] = e
	}
	return out
}

// TestWallPressureOnMissedPublish: colCERT stays silent on the newspaper
// story, so five minutes after its deadline the #ApagónNacional post
// reaches colCERT (and only colCERT), and no calming story does.
func TestWallPressureOnMissedPublish(t *testing.T) {
	x := newWall(t)
	x.AdvanceTo(time.Hour)
	got := wallDeliveries(x)
	if _, ok := got["W01"]["co-csirt"]; !ok {
		t.Fatal("the newspaper story never reached colCERT")
	}
	pressure, ok := got["W02"]["co-csirt"]
	if !ok {
		t.Fatalf("no pressure post for colCERT after its missed publish: %v", got)
	}
	if want := 40 * time.Minute; pressure.At != want || pressure.Data.Cause != "miss:W01.publish:co-csirt" {
		t.Errorf("pressure post at %v (cause %q), want %v after the miss at 0:35", pressure.At, pressure.Data.Cause, want)
	}
	if _, ok := got["W03"]["co-csirt"]; ok {
		t.Error("colCERT got the calming story without publishing")
	}
	for id, teams := range got {
		if _, ok := teams["pe-csirt"]; ok && id != "W04" {
			t.Errorf("PeCERT's wall got the Colombian post %s", id)
		}
	}
	if _, ok := got["W04"]["co-csirt"]; ok {
		t.Error("colCERT's wall got the Peruvian story W04")
	}
}

// TestWallCalmingOnTimelyPublish: colCERT publishes a statement in time,
// the calming story follows ten minutes later and the pressure post never
// comes.
func TestWallCalmingOnTimelyPublish(t *testing.T) {
	x := newWall(t)
	c := trainee("co-csirt", engine.CmdPublish, "W01")
	c.Text = "Electricity supply is normal; the incident is limited to corporate IT."
	evs := MustApply(t, x, 15*time.Minute, c)
	if met := find(evs, engine.EventExpectationMet, "co-csirt"); met == nil || met.Data.Late {
		t.Fatalf("the timely publish did not meet the expectation: %v", types(evs))
	}
	x.AdvanceTo(time.Hour)
	got := wallDeliveries(x)
	calm, ok := got["W03"]["co-csirt"]
	if !ok {
		t.Fatal("no calming story after a timely publish")
	}
	if calm.At != 25*time.Minute {
		t.Errorf("calming story at %v, want 0:25 (publish at 0:15 + 10m)", calm.At)
	}
	if _, ok := got["W02"]["co-csirt"]; ok {
		t.Error("the pressure post came although colCERT published in time")
	}
}

// wallPost is a facilitator's live post to the wall.
func wallPost(channel string, wall *engine.AdHocWall, to ...string) engine.Command {
	c := facilitator(engine.CmdSendInject)
	c.AdHoc = &engine.AdHocInject{Title: "Minister: 'no blackout is planned'", Body: "The minister of energy rules out cuts.",
		Channel: channel, From: "cronica", To: to, Wall: wall}
	return c
}

// TestWallFacilitatorPost: a facilitator posts live with send_inject on a
// wall channel; the post reaches the chosen teams with its outlet, author
// and figures, and bad posts are refused with a clear error.
func TestWallFacilitatorPost(t *testing.T) {
	x := newWall(t)
	w := &engine.AdHocWall{Outlet: "Radio Nacional", Author: "@minenergia", Reach: 120000, Engagement: 5300}
	evs := MustApply(t, x, 3*time.Minute, wallPost("social", w, "co-csirt", "co-grid"))
	sent := find(evs, engine.EventInjectSent, "")
	if sent == nil || sent.Data.AdHoc == nil || !reflect.DeepEqual(sent.Data.AdHoc.Wall, w) {
		t.Fatalf("inject.sent does not record the wall post: %+v", sent)
	}
	in, ok := x.Inject(sent.Data.Inject)
	if !ok || in.Channel != "social_media" || in.Wall == nil || in.Wall.Outlet != "Radio Nacional" || in.Wall.Reach != 120000 {
		t.Fatalf("the post as an inject: %+v", in)
	}
	var to []string
	for _, e := range evs {
		if e.Type == engine.EventInjectDelivered {
			to = append(to, e.Team)
		}
	}
	if !reflect.DeepEqual(to, []string{"co-csirt", "co-grid"}) {
		t.Errorf("delivered to %v, want colCERT and CSIRT Energía", to)
	}

	for name, tc := range map[string]struct {
		cmd  engine.Command
		code engine.ErrorCode
		msg  string
	}{
		"on e-mail":       {wallPost("email", &engine.AdHocWall{Outlet: "X"}, "all"), engine.CodeInvalid, "only for news and social_media"},
		"negative reach":  {wallPost("news", &engine.AdHocWall{Reach: -1}, "all"), engine.CodeInvalid, "must not be negative"},
		"long author":     {wallPost("news", &engine.AdHocWall{Author: strings.Repeat("a", 81)}, "all"), engine.CodeInvalid, "longer than 80"},
		"unknown channel": {wallPost("tv", nil, "all"), engine.CodeInvalid, "unknown channel"},
		"by a trainee": {func() engine.Command {
			c := wallPost("news", nil, "all")
			c.By = engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
			return c
		}(), engine.CodeForbidden, "only a facilitator"},
	} {
		_, err := x.ApplyAt(4*time.Minute, tc.cmd)
		var e *engine.Error
		if !errors.As(err, &e) || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: err = %v, want %s containing %q", name, err, tc.code, tc.msg)
		}
	}
}

// TestWallReplays: the wall of a played exercise (a live post, a timely
// publish, a miss) comes back identical from its log.
func TestWallReplays(t *testing.T) {
	play := func() *engine.Exercise {
		x := newWall(t)
		MustApply(t, x, 2*time.Minute, wallPost("news", &engine.AdHocWall{Outlet: "Radio Nacional", Reach: 9000}, "all"))
		c := trainee("pe-csirt", engine.CmdAcknowledge, "W04")
		MustApply(t, x, 12*time.Minute, c)
		x.AdvanceTo(x.Duration())
		return x
	}
	a, b := play(), play()
	la, _ := engine.MarshalLog(a.Events())
	lb, _ := engine.MarshalLog(b.Events())
	if !bytes.Equal(la, lb) {
		t.Fatal("two runs with one seed differ")
	}
	y, err := engine.Rerun(a.Scenario(), a.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ly, _ := engine.MarshalLog(y.Events()); !bytes.Equal(ly, la) {
		t.Fatal("the rerun differs from the run")
	}
	if !reflect.DeepEqual(wallDeliveries(y), wallDeliveries(a)) {
		t.Fatal("the rerun's wall differs")
	}
	if in, ok := y.Inject("adhoc-1"); !ok || in.Wall == nil || in.Wall.Outlet != "Radio Nacional" {
		t.Fatalf("the rerun lost the live post's wall fields: %+v", in)
	}
	if _, ok := wallDeliveries(a)["W03"]["co-grid"]; !ok {
		t.Error("the simulated CSIRT Energía published but got no calming story")
	}
}
