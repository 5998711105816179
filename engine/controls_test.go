package engine_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// manualInject is an inject for both teams of the example that waits for
// the facilitator, appended to the example scenario by withManualInject.
const manualInject = `
  - id: I09
    title: Regional alert from the network coordinator
    trigger:
      release: facilitator
    channel: email
    from: mintic
    to: [group:andean]
    body: The coordinator asks every team for a status update.
    expectations:
      - id: ack
        action: acknowledge
        within: 15m
        points: 5
        objective: O1
`

// withManualInject loads the example scenario with manualInject added.
func withManualInject(t *testing.T) *scenarios.Scenario {
	t.Helper()
	src, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	s, problems := scenarios.Parse("example-manual.yaml", append(src, manualInject...))
	if problems.HasErrors() {
		t.Fatalf("scenario: %s", problems)
	}
	return s
}

func deliveredTo(evs []engine.Event, inject string) []string {
	var out []string
	for _, e := range evs {
		if e.Type == engine.EventInjectDelivered && e.Data.Inject == inject {
			out = append(out, e.Team)
		}
	}
	return out
}

// TestReleaseToChosenTeams checks that a release naming teams delivers to
// those teams only, that the others can get it later, and that a replay of
// the log gives the same deliveries.
func TestReleaseToChosenTeams(t *testing.T) {
	s := withManualInject(t)
	x, err := engine.New(s, engine.Options{Seed: 3, Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))

	release := facilitator(engine.CmdReleaseInject)
	release.Inject, release.Team = "I09", "pe-csirt"
	evs := MustApply(t, x, time.Minute, release)
	if got := deliveredTo(evs, "I09"); !slices.Equal(got, []string{"pe-csirt"}) {
		t.Fatalf("release to pe-csirt delivered to %v", got)
	}
	if _, ok := x.State().Delivered("co-csirt", "I09"); ok {
		t.Fatal("co-csirt got I09, which was released to pe-csirt only")
	}
	if x.DeliveredToAll("I09") {
		t.Error("DeliveredToAll(I09) after a release to one of two teams")
	}

	// Releasing to the same team again is refused; to the other, accepted.
	if _, err := x.ApplyAt(2*time.Minute, release); engine.Code(err) != engine.CodeConflict {
		t.Errorf("second release to pe-csirt: err %v, want conflict", err)
	}
	again := facilitator(engine.CmdReleaseInject)
	again.Inject, again.Teams = "I09", []string{"co-csirt"}
	if got := deliveredTo(MustApply(t, x, 3*time.Minute, again), "I09"); !slices.Equal(got, []string{"co-csirt"}) {
		t.Fatalf("release to co-csirt delivered to %v", got)
	}
	if !x.DeliveredToAll("I09") {
		t.Error("DeliveredToAll(I09) is false once both teams have it")
	}

	// An unknown team refuses the whole command.
	bad := facilitator(engine.CmdReleaseInject)
	bad.Inject, bad.Teams = "I02", []string{"co-csirt", "nowhere"}
	if _, err := x.ApplyAt(4*time.Minute, bad); engine.Code(err) != engine.CodeNotFound {
		t.Errorf("release naming an unknown team: err %v, want not_found", err)
	}
	if _, ok := x.State().Delivered("co-csirt", "I02"); ok {
		t.Error("a refused release delivered I02")
	}

	// The log replays to the same deliveries.
	y, err := engine.Rerun(s, x.Events(), nil)
	if err != nil {
		t.Fatalf("Rerun: %v", err)
	}
	if got, want := deliveredTo(y.Events(), "I09"), []string{"pe-csirt", "co-csirt"}; !slices.Equal(got, want) {
		t.Errorf("replayed deliveries of I09 = %v, want %v", got, want)
	}
}

// TestReleaseScheduledToOneTeamKeepsTheSchedule checks that releasing a
// scheduled inject early to one team leaves its scheduled delivery to the
// others in place.
func TestReleaseScheduledToOneTeamKeepsTheSchedule(t *testing.T) {
	// I09 to both teams at a fixed time instead of a manual release.
	src, _ := os.ReadFile(exampleFile)
	yaml := strings.Replace(manualInject, "trigger:\n      release: facilitator", `at: "00:50"`, 1)
	s, problems := scenarios.Parse("example-at.yaml", append(src, yaml...))
	if problems.HasErrors() {
		t.Fatalf("scenario: %s", problems)
	}
	x, err := engine.New(s, engine.Options{Seed: 3, Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	release := facilitator(engine.CmdReleaseInject)
	release.Inject, release.Team = "I09", "co-csirt"
	MustApply(t, x, time.Minute, release)
	x.AdvanceTo(51 * time.Minute)
	if got := deliveredTo(x.Events(), "I09"); !slices.Equal(got, []string{"co-csirt", "pe-csirt"}) {
		t.Errorf("I09 delivered to %v, want co-csirt (released) then pe-csirt (on schedule)", got)
	}
	at, _ := x.State().Delivered("pe-csirt", "I09")
	if at != 50*time.Minute {
		t.Errorf("pe-csirt got I09 at %v, want its scheduled T+50m", at)
	}
}

// TestUpcomingBeforeStart checks that the injects a scenario schedules are
// listed before the exercise starts, in time order.
func TestUpcomingBeforeStart(t *testing.T) {
	x, err := engine.New(MustLoad(t, exampleFile), engine.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	up := x.Upcoming()
	if len(up) != 1 || up[0].Inject != "I01" || up[0].At != 10*time.Minute {
		t.Fatalf("upcoming before start = %+v, want I01 at T+10m", up)
	}
}

// TestEndKeepsTheReason checks that the reason a facilitator gives for
// ending is in the exercise.ended event.
func TestEndKeepsTheReason(t *testing.T) {
	x := MustNew(t, "co-csirt")
	end := facilitator(engine.CmdEnd)
	end.Text = "Fire drill in the building"
	evs := MustApply(t, x, 5*time.Minute, end)
	last := evs[len(evs)-1]
	if last.Type != engine.EventEnded || last.Data.Text != end.Text || last.Data.Reason == "" {
		t.Errorf("end event = %+v, want exercise.ended with the text %q and a reason", last, end.Text)
	}
}

// TestWrittenActionsNeedText checks that a publish, report, escalation or
// request without text meets no expectation (it is judged wrong) and that
// the same action with text does.
func TestWrittenActionsNeedText(t *testing.T) {
	x := MustNew(t, "co-csirt")
	x.AdvanceTo(30 * time.Minute) // I01 at T+10m, I02 20 minutes after it
	if _, ok := x.State().Delivered("co-csirt", "I02"); !ok {
		t.Fatal("I02 not delivered by T+30m")
	}
	esc := trainee("co-csirt", engine.CmdEscalate, "I02")
	esc.Target, esc.Text = "mintic", "   "
	evs := MustApply(t, x, 31*time.Minute, esc)
	if got := types(evs); !slices.Equal(got, []engine.EventType{engine.EventAction, engine.EventExpectationWrong}) {
		t.Fatalf("empty escalation caused %v, want the action and a wrong answer", got)
	}
	if r := evs[1].Data.Reason; !strings.Contains(r, "without text") {
		t.Errorf("reason = %q", r)
	}
	if got := x.State().Score["co-csirt"]; got != 0 {
		t.Errorf("score after an empty escalation = %v, want 0", got)
	}
	esc.Text = "Please block nomina-minfin[.]com at the national resolvers."
	evs = MustApply(t, x, 32*time.Minute, esc)
	if got := types(evs); !slices.Equal(got, []engine.EventType{engine.EventAction, engine.EventExpectationMet}) {
		t.Fatalf("escalation with text caused %v, want the action and a met expectation", got)
	}
}

// TestAdHocInjectIsAllOrNothing checks that an ad-hoc inject whose
// expectation is invalid is refused whole (nothing sent, nothing
// delivered), and that a valid one is delivered with its expectation open.
func TestAdHocInjectIsAllOrNothing(t *testing.T) {
	x := MustNew(t, "co-csirt")
	send := facilitator(engine.CmdSendInject)
	send.AdHoc = &engine.AdHocInject{Title: "Journalist calls", Body: "Comment?", Channel: "phone", From: "mintic", To: []string{"co-csirt"},
		Expectations: []engine.AdHocExpectation{{Action: "publish", Within: 15 * time.Minute, Points: 5000, Objective: "O1"}}}
	before := len(x.Events())
	if _, err := x.ApplyAt(time.Minute, send); engine.Code(err) != engine.CodeInvalid {
		t.Fatalf("ad-hoc inject with 5000 points: err %v, want invalid", err)
	}
	if len(x.Events()) != before || len(x.State().AdHoc) != 0 {
		t.Fatalf("a refused ad-hoc inject left %d events", len(x.Events())-before)
	}
	send.AdHoc.Expectations[0].Points = 5
	evs := MustApply(t, x, 2*time.Minute, send)
	var open []engine.OpenExpectation
	for _, e := range evs {
		if e.Type == engine.EventInjectDelivered {
			open = e.Data.Expectations
		}
	}
	if len(open) != 1 || open[0].Action != "publish" || open[0].Points != 5 {
		t.Fatalf("ad-hoc delivery opened %+v, want the publish expectation", open)
	}
}
