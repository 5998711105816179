package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReportPlanFlag checks that --plan writes the improvement plan as a
// workbook or CSV, in --lang, marked with the TLP, and that --team scopes
// the report to one team.
func TestReportPlanFlag(t *testing.T) {
	scenario, log := ownScenarioLog(t)
	dir := t.TempDir()
	book := filepath.Join(dir, "plan.xlsx")
	r := cmesim(t, nil, "report", log, "--scenario", scenario, "--lang", "pt", "--plan", book)
	r.wantCode(t, exitOK)
	if r.stdout != "" {
		t.Errorf("--plan without -o wrote the report too:\n%.200s", r.stdout)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || !strings.HasPrefix(rows[0][0], "TLP:") || rows[1][3] != "Área de melhoria" || len(rows) > 2 && rows[2][0] != "P1" {
		t.Fatalf("workbook rows = %q", rows)
	}

	csvFile := filepath.Join(dir, "plan.csv")
	cmesim(t, nil, "report", log, "--scenario", scenario, "--plan", csvFile, "-o", filepath.Join(dir, "r.html")).wantCode(t, exitOK)
	b, err := os.ReadFile(csvFile)
	if err != nil || !strings.HasPrefix(string(b), "ID,Priority,Capability,Area for improvement") {
		t.Fatalf("plan CSV = %.200s (%v)", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.html")); err != nil {
		t.Errorf("--plan with -o did not write the report: %v", err)
	}
	cmesim(t, nil, "report", log, "--scenario", scenario, "--plan", filepath.Join(dir, "plan.pdf")).wantCode(t, exitUsage)

	team := cmesim(t, nil, "report", log, "--scenario", scenario, "--team", "pe-csirt", "--format", "md")
	team.wantCode(t, exitOK)
	if !strings.Contains(team.stdout, "Team report: PeCERT") {
		t.Errorf("--team report lacks its heading:\n%.300s", team.stdout)
	}
	cmesim(t, nil, "report", log, "--scenario", scenario, "--team", "nobody").wantCode(t, exitFailure)
}
