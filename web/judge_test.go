package web_test

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"

	"cmesim/engine"
)

// judgedCriteria are the staff-only criteria of the judged publish.
const judgedCriteria = "Warns the public, names the sender domain and says not to open the attachment."

// judgedYAML is the example scenario with a judged publish expectation on
// I01 (10 points within 45 minutes).
func judgedYAML(tb testing.TB) string {
	tb.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		tb.Fatal(err)
	}
	publish := "      - id: publish\n        action: publish\n        judged: true\n        within: 45m\n        points: 10\n        objective: O1\n" +
		"        criteria: " + judgedCriteria + "\n\n  - id: I02\n"
	out := strings.Replace(string(src), "\n  - id: I02\n", "\n"+publish, 1)
	if out == string(src) {
		tb.Fatal("the example scenario no longer has I02")
	}
	return out
}

// mustCreateJudged is mustCreate with judgedYAML.
func mustCreateJudged(tb testing.TB, srv *testServer, humans ...string) created {
	tb.Helper()
	var out created
	if r := mustAdmin(tb, srv).postJSON(tb, "/api/exercises", map[string]any{"yaml": judgedYAML(tb), "humans": humans}, &out); r.StatusCode != http.StatusCreated {
		tb.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	return out
}

// TestJudgeOverTheSocket checks the judge command end to end over the
// socket: a trainee's publish is scored provisionally, trainees and
// observers cannot judge, an evaluator can, the team sees its new score but
// never the judgement, and staff read the criteria.
func TestJudgeOverTheSocket(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreateJudged(t, srv, co, pe)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	ana := dial(t, join(t, srv, ex.Codes.Teams[co], "Ana"), ex.ID, 0)
	eva := dial(t, join(t, srv, ex.Codes.Evaluator, "Eve"), ex.ID, 0)
	obs := dial(t, join(t, srv, ex.Codes.Observer, "Olga"), ex.ID, 0)

	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	staffCopy := eva.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	if !bytes.Contains(staffCopy.raw, []byte(judgedCriteria)) || !bytes.Contains(staffCopy.raw, []byte(`"judged":true`)) {
		t.Errorf("the evaluator's inject lacks the criteria or the judged flag: %s", staffCopy)
	}
	anaCopy := ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	if bytes.Contains(anaCopy.raw, []byte(judgedCriteria)) {
		t.Fatal("the trainee received the criteria")
	}

	judge := cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "partly", "points": 4, "text": "Names the domain, no advice"}
	eva.mustReject(t, "conflict", judge) // nothing published yet
	ack := ana.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Do not open mails from nomina-minfin[.]com"})
	met := fac.event(t, ack.Seq)
	if met.Type != engine.EventExpectationMet || !met.Data.Provisional || met.Data.Points != 10 {
		t.Fatalf("the publish caused %+v, want a provisional expectation.met of 10 points", met)
	}
	ana.mustReject(t, "forbidden", judge)
	obs.mustReject(t, "forbidden", judge)
	bad := cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "met", "points": 11}
	eva.mustReject(t, "invalid", bad)

	ack = eva.mustAck(t, judge)
	scored := fac.event(t, ack.Seq)
	judged := fac.event(t, ack.Seq-1)
	if judged.Type != engine.EventExpectationJudged || judged.Actor != "evaluator:Eve" || judged.Data.Text != "Names the domain, no advice" {
		t.Fatalf("judgement recorded as %+v", judged)
	}
	if scored.Type != engine.EventExpectationScored || scored.Data.Points != 4 || scored.Data.Judgement().Rating != engine.RatingPartly {
		t.Fatalf("score %+v, want 4 points, partly", scored)
	}
	mine := ana.event(t, ack.Seq)
	if mine.Type != engine.EventExpectationScored || mine.Data.Judgement().Rating != engine.RatingPartly {
		t.Fatalf("the team reads its score as %+v", mine)
	}
	// The team's copy leaves out the content points (the scenario's player
	// view hides points); staff read them, live and when they join later.
	if c := mine.Data.Judgement().Content; c != 0 {
		t.Errorf("the team reads content points %v, want them hidden", c)
	}
	late := dial(t, join(t, srv, ex.Codes.Facilitator, "Fred"), ex.ID, 0)
	if kept := late.event(t, ack.Seq); kept.Data.Judgement().Content != 4 || scored.Data.Judgement().Content != 4 {
		t.Errorf("staff read content points %v live and %v later, want 4 both times",
			scored.Data.Judgement().Content, kept.Data.Judgement().Content)
	}
	for _, m := range ana.all {
		if m.isEvent(engine.EventExpectationJudged) || bytes.Contains(m.raw, []byte("no advice")) {
			t.Fatalf("the trainee received the judgement: %s", m)
		}
	}
}
