package msel

import (
	"bytes"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"

	"cmesim/scenarios"
)

const decisionSource = "../testdata/scenarios/e2e/decision.yaml"

// editDecisions exports the decision test scenario, changes its workbook
// and imports it again.
func editDecisions(t *testing.T, change func(f *excelize.File)) Problems {
	t.Helper()
	src, err := os.ReadFile(decisionSource)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(xlsx(t, src)))
	if err != nil {
		t.Fatal(err)
	}
	change(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, _, list := Import("plan.xlsx", buf.Bytes())
	return list
}

// TestRoundTripDecisions takes a scenario with two decisions through a
// workbook: the Decisions sheet has one row per decision, and the scenario
// comes back the same, choices, weights and translations included.
func TestRoundTripDecisions(t *testing.T) {
	src, err := os.ReadFile(decisionSource)
	if err != nil {
		t.Fatal(err)
	}
	want, problems := scenarios.Parse("decision.yaml", src)
	if want == nil {
		t.Fatal(problems)
	}
	w, err := Export(src)
	if err != nil {
		t.Fatal(err)
	}
	sh := w.Sheet("Decisions")
	if sh == nil || len(sh.Rows) != 2 || sh.cell(sh.Rows[0], "Inject") != "I01" || sh.cell(sh.Rows[1], "Decided by") != "team" {
		t.Fatalf("Decisions sheet: %+v", sh)
	}
	_, got, list := Import("decision.xlsx", xlsx(t, src))
	if got == nil {
		t.Fatalf("import failed: %v", list)
	}
	if a, b := canonical(t, want), canonical(t, got); a != b {
		t.Fatalf("round trip changed the scenario:\n%s", firstDiff(a, b))
	}
	if d := got.Injects[0].Decision; d == nil || d.Choices[0].ChoiceWeight() != 2 || d.Choices[1].LabelIn("es") != "Gestionarlo por ahora en la agencia" {
		t.Errorf("decision D1 after the round trip: %+v", d)
	}
}

// TestDecisionProblemsNameTheirCell breaks the Decisions sheet and an
// on_choice trigger: each problem names its cell.
func TestDecisionProblemsNameTheirCell(t *testing.T) {
	// Decisions: row 2 is D1 (I01); column F is Default, D is Decided by.
	// Injects: row 3 is I02; column E is Trigger.
	list := editDecisions(t, func(f *excelize.File) {
		set(t, f, "Decisions!F2", "stay")
		set(t, f, "Decisions!D3", "poll")
		set(t, f, "Injects!E3", "{on_choice: D1.escalat, delay: 5m}")
	})
	wantProblem(t, list, `plan.xlsx:Decisions!F2: error: decision D1: default names unknown choice "stay"`)
	wantProblem(t, list, `plan.xlsx:Decisions!D3: error: decision D2: by must be "team" or "vote", not "poll"`)
	wantProblem(t, list, `plan.xlsx:Injects!E3: error: inject I02 trigger names unknown choice "escalat" of decision D1; did you mean "escalate"?`)
}

// TestSecondDecisionRow refuses a second decision for one inject.
func TestSecondDecisionRow(t *testing.T) {
	list := editDecisions(t, func(f *excelize.File) { set(t, f, "Decisions!A3", "I01") })
	wantProblem(t, list, `plan.xlsx:Decisions!A3: error: inject "I01" already has a row in the Decisions sheet; it can have only one`)
}
