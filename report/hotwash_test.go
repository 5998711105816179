package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/report"
	"cmesim/scenarios"
)

// hotWashEvents plays the judged example to its end, then the closing
// phase: a judgement after the end and a hot wash survey that two
// participants answer, one of them twice.
func hotWashEvents(tb testing.TB, anonymous bool) []engine.Event {
	tb.Helper()
	return hotWashEventsOf(tb, judgedExample(tb), anonymous)
}

// hotWashEventsOf is hotWashEvents with the scenario s.
func hotWashEventsOf(tb testing.TB, s *scenarios.Scenario, anonymous bool) []engine.Event {
	tb.Helper()
	x, err := engine.New(s, engine.Options{Seed: 1, Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		tb.Fatal(err)
	}
	escalate := Trainee("co-csirt", engine.CmdEscalate, "I02")
	escalate.Target, escalate.Text = "mintic", "Block nomina-minfin[.]com nationally"
	xim := engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ximena"}
	luis := engine.Principal{Role: engine.RoleTrainee, Team: "pe-csirt", Name: "luis"}
	answer := func(by engine.Principal, a map[string]string) engine.Command {
		return engine.Command{Type: engine.CmdSurveyAnswer, By: by, Answers: a}
	}
	steps := []engine.TimedCommand{
		At(0, Facilitator(engine.CmdStart)),
		At(40*minute, escalate),
		At(60*minute, Facilitator(engine.CmdEnd)),
		At(0, judgeCmd(engine.Principal{Role: engine.RoleEvaluator, Name: "Eva"}, engine.RatingMet, 10, "Clear request after all")),
		At(0, engine.Command{Type: engine.CmdSurveyOpen, By: engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}, Anonymous: anonymous}),
		At(0, answer(xim, map[string]string{"structured": "2", "strengths": "first thoughts"})),
		At(0, answer(luis, map[string]string{"structured": "5", "realistic": "4", "prepared": "3", "improvements": "Más tiempo para coordinar con el ministerio"})),
		At(0, answer(xim, map[string]string{"structured": "4", "realistic": "3", "strengths": "Clear escalation to the ministry"})),
	}
	for _, c := range steps {
		if _, err := x.ApplyAt(max(c.At, x.Now()), c.Command); err != nil {
			tb.Fatalf("%s: %v", c.Command.Type, err)
		}
	}
	return x.Events()
}

// TestReport_HotWash checks the hot wash section: averages per rating
// question over the latest answer of each participant, the free-text
// answers, in HTML, Markdown and JSON, next to a judgement made after the
// end.
func TestReport_HotWash(t *testing.T) {
	s := judgedExample(t)
	r := MustBuild(t, s, hotWashEvents(t, false), nil)
	if e := FindExpectation(t, r, "I02", "escalate", "co-csirt"); e.Scoring != report.ScoringJudged || e.Points == 0 {
		t.Errorf("I02.escalate judged after the end = %+v, want judged", e)
	}
	h := r.HotWash
	if h == nil || h.Respondents != 2 || h.Anonymous {
		t.Fatalf("hot wash = %+v, want two named respondents", h)
	}
	q := map[string]report.HotWashQuestion{}
	for _, x := range h.Questions {
		q[x.ID] = x
	}
	if x := q["structured"]; x.Answers != 2 || x.Average != 4.5 {
		t.Errorf("structured = %+v, want 2 answers averaging 4.5 (the first answer replaced)", x)
	}
	if x := q["realistic"]; x.Answers != 2 || x.Average != 3.5 {
		t.Errorf("realistic = %+v", x)
	}
	if x := q["strengths"]; len(x.Texts) != 1 || x.Texts[0] != "Clear escalation to the ministry" {
		t.Errorf("strengths = %+v", x)
	}

	html := string(RenderHTML(t, r))
	for _, want := range []string{`id="hot-wash"`, "Hot wash: participant feedback", "The exercise was well structured.", "Participants who answered: 2", "Clear escalation to the ministry", "Más tiempo para coordinar"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	if strings.Contains(html, "first thoughts") {
		t.Error("the HTML report shows a replaced answer")
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("..", "testdata", "report", "hotwash.golden.md"), md.Bytes())
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"hot_wash"`) {
		t.Error("the JSON report lacks hot_wash")
	}
	if without := string(RenderHTML(t, r.WithoutNotes())); !strings.Contains(without, "Participants who answered: 2") || strings.Contains(without, "ximena") {
		t.Error("a report without notes should keep the hot wash's summary and drop who answered")
	}
}

// TestReport_HotWashAnonymous checks that an anonymous survey's answers
// all count and that the report says it was anonymous, with no name.
func TestReport_HotWashAnonymous(t *testing.T) {
	r := MustBuild(t, judgedExample(t), hotWashEvents(t, true), nil)
	if r.HotWash == nil || !r.HotWash.Anonymous || r.HotWash.Respondents != 3 {
		t.Fatalf("hot wash = %+v, want anonymous with 3 answers (none replaced)", r.HotWash)
	}
	html := string(RenderHTML(t, r))
	if !strings.Contains(html, "The survey was anonymous") || strings.Contains(html, "ximena") {
		t.Error("the anonymous hot wash is not marked or shows a name")
	}
}

// TestReport_HotWashScenarioQuestions checks that a scenario's own hot
// wash questions head the section, in the report's language where the
// scenario translates them.
func TestReport_HotWashScenarioQuestions(t *testing.T) {
	s := judgedExample(t)
	s.HotWash = []scenarios.HotWashQuestion{
		{ID: "structured", Kind: scenarios.QuestionRating, Text: "The scenario felt like our network.",
			Translations: map[string]scenarios.QuestionTranslation{"es": {Text: "El escenario se parecía a nuestra red."}}},
		{ID: "realistic", Kind: scenarios.QuestionRating, Text: "Realistic pacing."},
		{ID: "prepared", Kind: scenarios.QuestionRating, Text: "Prepared."},
		{ID: "strengths", Kind: scenarios.QuestionText, Text: "Best moment?"},
		{ID: "improvements", Kind: scenarios.QuestionText, Text: "Worst moment?"},
	}
	events := hotWashEventsOf(t, s, false)
	r, err := report.BuildWith(s, events, report.Options{Lang: i18n.Lang("es")})
	if err != nil {
		t.Fatal(err)
	}
	if q := r.HotWash.Questions; len(q) != 5 || q[0].Text != "El escenario se parecía a nuestra red." || q[1].Text != "Realistic pacing." || q[0].Average != 4.5 {
		t.Fatalf("questions = %+v, want the scenario's, translated where it can be", q)
	}
	if html := string(RenderHTML(t, r)); !strings.Contains(html, "El escenario se parecía a nuestra red.") || strings.Contains(html, "El ejercicio estuvo bien estructurado.") {
		t.Error("the Spanish report does not head the section with the scenario's questions")
	}
	// A screen reader reads each question in its own language: the
	// translated one in the report's, the others in the scenario's.
	html := string(RenderHTML(t, r))
	for _, want := range []string{`<td>El escenario se parecía a nuestra red.</td>`, `<td lang="en">Realistic pacing.</td>`, `<h3 lang="en">Best moment?</h3>`} {
		if !strings.Contains(html, want) {
			t.Errorf("the Spanish report lacks %s", want)
		}
	}
	en, err := report.BuildWith(s, events, report.Options{Lang: i18n.English})
	if err != nil {
		t.Fatal(err)
	}
	if html := string(RenderHTML(t, en)); !strings.Contains(html, `<td>Realistic pacing.</td>`) {
		t.Error("the English report marks an English question as English")
	}
}
