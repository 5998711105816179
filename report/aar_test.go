package report_test

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/report"
)

var leadEvaluator = engine.Principal{Role: engine.RoleFacilitator, Name: "Marta"}

// editedPlan is the lead evaluator's AAR/IP of the judged example.
func editedPlan() *engine.AARDocument {
	return &engine.AARDocument{
		Edited: "2026-03-14",
		Strengths: []engine.AARFinding{
			{ID: "S1", Text: "colCERT escalated the fake payroll domain to the Ministry of ICT with a clear request.", Capability: "escalation", Teams: []string{"co-csirt"}},
			{ID: "S2", Text: "Both CSIRTs answered the hot wash."},
		},
		Improvements: []engine.AARFinding{
			{ID: "A1", Text: "Containment of the phishing domain was never confirmed.", Capability: "O1", Priority: "high", Teams: []string{"co-csirt"}},
			{ID: "A2", Text: "PeCERT shared late with its peers.", Capability: "information_sharing", Priority: "medium", Teams: []string{"pe-csirt"}},
		},
		Plan: []engine.CorrectiveAction{
			{ID: "P1", Capability: "O1", Area: "A1", Action: "Write and test a domain take-down playbook with the registrar.", Organisation: "co-csirt",
				Contact: "Ana Gómez, colCERT duty manager", Start: "2026-04-01", Completion: "2026-06-30", Status: engine.AARInProgress},
			{ID: "P2", Capability: "information_sharing", Area: "A2", Action: "Agree a 30-minute sharing target in the Andean network.", Organisation: "pe-csirt",
				Contact: "Luis Rojas", Start: "2026-04-15", Completion: "2026-09-30", Status: engine.AARNotStarted},
			{ID: "P3", Capability: "coordination", Area: "A1", Action: "Name a liaison for national take-downs.", Organisation: "mintic",
				Start: "2026-03-20", Completion: "2026-05-31", Status: engine.AARCompleted},
		},
	}
}

// aarEvents is the hot wash log with judgements and survey answers, then
// two edits of the AAR/IP by the lead evaluator (the second one counts).
func aarEvents(tb testing.TB) []engine.Event {
	tb.Helper()
	s := judgedExample(tb)
	events := hotWashEvents(tb, false)
	x, err := engine.Rerun(s, events, nil)
	if err != nil {
		tb.Fatal(err)
	}
	first := editedPlan()
	first.Plan = first.Plan[:1]
	for _, d := range []*engine.AARDocument{first, editedPlan()} {
		if _, err := x.Apply(engine.Command{Type: engine.CmdAAREdit, By: leadEvaluator, AAR: d}); err != nil {
			tb.Fatal(err)
		}
	}
	return x.Events()
}

// TestReport_EditedAAR checks that the report shows the lead evaluator's
// latest AAR/IP, marked as edited with the date, in HTML, Markdown (a
// golden with judgements, hot wash answers and the edited plan) and JSON,
// and that Options.Draft keeps the draft.
func TestReport_EditedAAR(t *testing.T) {
	s := judgedExample(t)
	events := aarEvents(t)
	r := MustBuild(t, s, events, nil)
	if r.AAREdited == nil || r.AAREdited.By != "Marta" || r.AAREdited.Date != "2026-03-14" {
		t.Fatalf("AAREdited = %+v, want Marta on 2026-03-14", r.AAREdited)
	}
	if len(r.Plan) != 3 || len(r.Strengths) != 2 || len(r.Improvements) != 2 {
		t.Fatalf("plan %d, strengths %d, improvements %d: want the second edit's 3, 2, 2", len(r.Plan), len(r.Strengths), len(r.Improvements))
	}
	p := r.Plan[0]
	want := report.PlanItem{ID: "P1", AreaID: "A1", Area: "Containment of the phishing domain was never confirmed.",
		Recommendation: "Write and test a domain take-down playbook with the registrar.", Capability: "detection", Objective: "O1",
		Responsible: []string{"co-csirt"}, Priority: report.PriorityHigh, Organisation: "co-csirt", Contact: "Ana Gómez, colCERT duty manager",
		Start: "2026-04-01", Completion: "2026-06-30", Status: engine.AARInProgress}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("plan item 1 =\n%+v\nwant\n%+v", p, want)
	}
	html := string(RenderHTML(t, r))
	for _, w := range []string{"Edited by the lead evaluator, Marta, on 2026-03-14.", "Responsible organisation", "Ministry of ICT", "In progress", "2026-06-30", "Write and test a domain take-down playbook"} {
		if !strings.Contains(html, w) {
			t.Errorf("the HTML report lacks %q", w)
		}
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("..", "testdata", "report", "aar.golden.md"), md.Bytes())
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"aar_edited"`) || !strings.Contains(js.String(), `"status": "completed"`) {
		t.Error("the JSON report lacks the edit")
	}

	draft, err := report.BuildWith(s, events, report.Options{Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if draft.AAREdited != nil || slices.ContainsFunc(draft.Plan, func(p report.PlanItem) bool { return p.Status != "" }) {
		t.Fatal("the draft report shows the edit")
	}
}

// TestDraftAAR checks that the drafted AAR/IP is a valid edit: sent back
// unchanged, the engine accepts it, and the report then shows it.
func TestDraftAAR(t *testing.T) {
	s := judgedExample(t)
	events := hotWashEvents(t, false)
	r := MustBuild(t, s, events, nil)
	if len(r.Plan) == 0 || r.Plan[0].ID != "P1" || r.Plan[0].AreaID == "" {
		t.Fatalf("drafted plan = %+v, want numbered items answering areas", r.Plan)
	}
	x, err := engine.Rerun(s, events, nil)
	if err != nil {
		t.Fatal(err)
	}
	orgs := x.State().Organisations(s)
	if !slices.Equal(orgs, []string{"co-csirt", "pe-csirt", "minfin-co", "mintic"}) {
		t.Fatalf("organisations = %v", orgs)
	}
	d := report.DraftAAR(r, orgs, time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC))
	if d.Plan[0].Start != "2026-03-14" || d.Plan[0].Completion != "2026-06-14" || d.Plan[0].Status != engine.AARNotStarted {
		t.Errorf("draft action = %+v", d.Plan[0])
	}
	if _, err := x.Apply(engine.Command{Type: engine.CmdAAREdit, By: leadEvaluator, AAR: &d}); err != nil {
		t.Fatalf("the engine refuses the draft: %v", err)
	}
	again := MustBuild(t, s, x.Events(), nil)
	if again.AAREdited == nil || len(again.Plan) != len(r.Plan) || again.Plan[0].Recommendation != r.Plan[0].Recommendation {
		t.Fatalf("the report of the saved draft = %+v", again.Plan)
	}
}

// TestPlanExports opens the improvement plan's workbook and CSV and checks
// their cells: the marking, the headers in the reader's language and the
// edited actions.
func TestPlanExports(t *testing.T) {
	s := judgedExample(t)
	r, err := report.BuildWith(s, aarEvents(t), report.Options{Lang: i18n.Lang("es")})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WritePlanXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "Plan de mejora" {
		t.Fatalf("sheets = %v, want one named in Spanish", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	marking := "TLP:" + strings.ToUpper(r.TLP)
	if len(rows) != 5 || rows[0][0] != marking {
		t.Fatalf("rows = %q, want the marking, the header and 3 actions", rows)
	}
	wantHeader := []string{"ID", "Prioridad", "Capacidad", "Área de mejora", "Acción correctiva", "Organización responsable", "Punto de contacto", "Fecha de inicio", "Fecha de finalización", "Estado"}
	if !slices.Equal(rows[1], wantHeader) {
		t.Errorf("header = %q, want %q", rows[1], wantHeader)
	}
	if got := rows[4]; got[0] != "P3" || got[5] != "Ministerio de TIC" && got[5] != "Ministry of ICT" || got[7] != "2026-03-20" || got[9] != "Completada" {
		t.Errorf("row P3 = %q", got)
	}
	if got := rows[2]; got[1] != "alta" || got[2] != "O1 Detección" || got[6] != "Ana Gómez, colCERT duty manager" {
		t.Errorf("row P1 = %q", got)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Subject != marking {
		t.Errorf("document subject = %q (%v), want %s", props.Subject, err, marking)
	}

	buf.Reset()
	if err := r.WritePlanCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !slices.Equal(recs[0], append(wantHeader, "TLP")) || recs[1][10] != marking || recs[1][4] != "Write and test a domain take-down playbook with the registrar." {
		t.Fatalf("CSV = %q", recs)
	}
}

// TestTeamReport checks the team-scoped report: the team's own scores,
// expectations, ratings, log and plan, nothing of the other team beyond
// what reached it, and nothing staff-only.
func TestTeamReport(t *testing.T) {
	s := judgedExample(t)
	events := aarEvents(t)
	r, err := report.BuildWith(s, events, report.Options{Team: "pe-csirt"})
	if err != nil {
		t.Fatal(err)
	}
	full := MustBuild(t, s, events, nil)
	if r.Team != "pe-csirt" || len(r.Teams) != 1 || r.Teams[0].ID != "pe-csirt" {
		t.Fatalf("teams = %+v, want pe-csirt alone", r.Teams)
	}
	if r.Summary.Points != r.Teams[0].Points || r.Summary.MaxPoints != r.Teams[0].MaxPoints {
		t.Errorf("summary = %+v, want the team's points", r.Summary)
	}
	for _, e := range r.Expectations {
		if e.Team != "pe-csirt" {
			t.Fatalf("an expectation of %s", e.Team)
		}
	}
	if len(r.Judgements) != 0 || len(r.Notes) != 0 || r.HotWash != nil {
		t.Error("the team report keeps staff-only judgements, notes or the hot wash")
	}
	if len(r.Plan) != 1 || r.Plan[0].ID != "P2" || len(r.Improvements) != 1 || r.Improvements[0].ID != "A2" || len(r.Strengths) != 0 {
		t.Errorf("plan %+v, improvements %+v, strengths %+v: want pe-csirt's own", r.Plan, r.Improvements, r.Strengths)
	}
	for _, o := range r.Objectives {
		if len(o.Teams) > 1 || len(o.FellShort) > 0 {
			t.Errorf("objective %s keeps other teams: %+v", o.ID, o.Teams)
		}
	}
	visible := map[uint64]bool{}
	for i := range events {
		if events[i].VisibleTo("pe-csirt") {
			visible[events[i].Seq] = true
		}
	}
	for _, l := range r.Log {
		if !visible[l.Seq] {
			t.Fatalf("the team's log shows event %d (%s), which the team could not see", l.Seq, l.Type)
		}
	}
	if len(r.Log) == 0 || len(r.Log) >= len(full.Log) {
		t.Errorf("team log has %d events of %d", len(r.Log), len(full.Log))
	}
	html := string(RenderHTML(t, r))
	for _, leak := range []string{"Block nomina-minfin", "Clear escalation to the ministry", "Ana Gómez", "Asks the ministry", "evaluator:Eva"} {
		if strings.Contains(html, leak) {
			t.Errorf("the team report shows %q", leak)
		}
	}
	if strings.Contains(html, `id="notes"`) {
		t.Error("the team report has an evaluator notes section its readers may never see filled")
	}
	if !strings.Contains(html, "Team report: PeCERT") {
		t.Error("the team report does not say whose it is")
	}
	if _, err := report.BuildWith(s, events, report.Options{Team: "nobody"}); err == nil {
		t.Error("a report of an unknown team was built")
	}
}

// TestTeamReportNothingReceived checks that the report of a team that
// received no injects, or injects without expectations, says so plainly in
// the summary and the expectations section, in the report's language,
// instead of a row of zeros and empty tables.
func TestTeamReportNothingReceived(t *testing.T) {
	s := MustLoad(t, exampleFile)
	ended := Play(t, s, At(time.Minute, Facilitator(engine.CmdEnd))) // before the first inject
	for _, tc := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.English, "PeCERT received no injects in this exercise"},
		{i18n.Spanish, "PeCERT no recibió ninguna inyección en este ejercicio"},
		{i18n.Portuguese, "PeCERT não recebeu nenhuma injeção neste exercício"},
		{i18n.French, "PeCERT n’a reçu aucun stimulus dans cet exercice"},
	} {
		r, err := report.BuildWith(s, ended, report.Options{Team: "pe-csirt", Lang: tc.lang})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Summary.Text, tc.want) {
			t.Errorf("%s: the summary reads %q, want it to start %q", tc.lang, r.Summary.Text, tc.want)
		}
		html := string(RenderHTML(t, r))
		if !strings.Contains(html, `<p id="team-nothing-received">`+tc.want) {
			t.Errorf("%s: the HTML expectations section does not say the team received nothing", tc.lang)
		}
		var md bytes.Buffer
		if err := r.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(md.String(), tc.want); n != 2 {
			t.Errorf("%s: the Markdown says the team received nothing %d times, want 2 (summary and expectations)", tc.lang, n)
		}
	}

	// A team whose injects carry no expectation: I03 without its contain.
	noExp := MustLoad(t, exampleFile)
	for i := range noExp.Injects {
		if noExp.Injects[i].ID == "I03" {
			noExp.Injects[i].Expectations = nil
		}
	}
	full := MustBuild(t, noExp, Play(t, noExp), nil)
	r, err := report.BuildWith(noExp, Play(t, noExp), report.Options{Team: "pe-csirt"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Injects) == 0 || len(r.Expectations) != 0 {
		t.Fatalf("pe-csirt received %d injects with %d expectations; the test wants injects without expectations (full report: %d injects)", len(r.Injects), len(r.Expectations), len(full.Injects))
	}
	if want := "PeCERT had no expectations in this exercise"; !strings.HasPrefix(r.Summary.Text, want) {
		t.Errorf("the summary reads %q, want it to start %q", r.Summary.Text, want)
	}

	// A team that received expectations keeps its score line.
	r, err = report.BuildWith(s, Play(t, s), report.Options{Team: "co-csirt"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Summary.Text, "colCERT scored") {
		t.Errorf("co-csirt's summary reads %q", r.Summary.Text)
	}
}
