package report_test

import (
	"bytes"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

// judgedExample is the example scenario with I02.escalate and I03.contain
// judged by evaluators.
func judgedExample(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	s := MustLoad(tb, exampleFile)
	for i := range s.Injects {
		for j := range s.Injects[i].Expectations {
			e := &s.Injects[i].Expectations[j]
			if e.Action == scenarios.ActionEscalate || e.Action == scenarios.ActionContain {
				e.Judged, e.Criteria = true, "A clear request with the reason."
			}
		}
	}
	return s
}

func judgeCmd(by engine.Principal, rating engine.Rating, points float64, comment string) engine.Command {
	return engine.Command{Type: engine.CmdJudge, By: by, Team: "co-csirt", Inject: "I02", Expectation: "escalate", Rating: rating, Points: &points, Text: comment}
}

// TestReport_Judgements checks that the report tells judged, decided and
// provisional scores apart, counts a team's provisional points and lists
// the judgements, which readers without the notes do not see.
func TestReport_Judgements(t *testing.T) {
	s := judgedExample(t)
	escalate := Trainee("co-csirt", engine.CmdEscalate, "I02")
	escalate.Target, escalate.Text = "mintic", "Block nomina-minfin[.]com nationally"
	contain := Trainee("pe-csirt", engine.CmdContain, "I03")
	contain.Text = "Blocked the domain at the mail gateway"
	eva := engine.Principal{Role: engine.RoleEvaluator, Name: "Eva"}
	bob := engine.Principal{Role: engine.RoleEvaluator, Name: "Bob"}
	lead := engine.Principal{Role: engine.RoleFacilitator, Name: "Maria"}
	events := Play(t, s,
		At(40*minute, escalate),
		At(45*minute, judgeCmd(eva, engine.RatingPartly, 5, "No reason given")),
		At(46*minute, judgeCmd(bob, engine.RatingNotMet, 0, "Wrong channel")),
		At(50*minute, judgeCmd(lead, engine.RatingMet, 8, "The reason came by phone")),
		At(80*minute, contain))
	r := MustBuild(t, s, events, nil)

	if e := FindExpectation(t, r, "I02", "escalate", "co-csirt"); e.Scoring != report.ScoringDecided || e.Rating != "met" || e.Points != 8 || !e.Disagreement {
		t.Errorf("I02.escalate = %+v, want decided, met, 8 points, disagreement", e)
	}
	if e := FindExpectation(t, r, "I03", "contain", "pe-csirt"); e.Scoring != report.ScoringProvisional || e.Points != 10 {
		t.Errorf("I03.contain = %+v, want provisional 10 points", e)
	}
	if e := FindExpectation(t, r, "I01", "ack", "co-csirt"); e.Scoring != "" {
		t.Errorf("a mechanical expectation has scoring %q", e.Scoring)
	}
	if pe, co := FindTeam(t, r, "pe-csirt"), FindTeam(t, r, "co-csirt"); pe.Provisional != 10 || pe.ToJudge != 1 || co.ToJudge != 0 {
		t.Errorf("provisional: pe-csirt %v over %d, co-csirt %d to judge", pe.Provisional, pe.ToJudge, co.ToJudge)
	}
	if len(r.Judgements) != 3 || r.Judgements[0].By != "evaluator:Eva" || r.Judgements[0].Comment != "No reason given" || !r.Judgements[2].Decision {
		t.Fatalf("judgements = %+v", r.Judgements)
	}

	html := string(RenderHTML(t, r))
	for _, want := range []string{"decided by the lead evaluator", "provisional: not judged yet", "evaluators disagree", "Wrong channel", "10 points provisional (answers not judged yet: 1)"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "### Judgements") || !strings.Contains(md.String(), "(provisional: not judged yet)") {
		t.Error("the Markdown report lacks the judgements or the provisional mark")
	}
	if html := string(RenderHTML(t, r.WithoutNotes())); strings.Contains(html, "Wrong channel") {
		t.Error("a report without notes shows the evaluators' comments")
	}
}
