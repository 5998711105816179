package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"cmesim/scenarios"
)

func TestMselCommands(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "plan.xlsx")
	cmesim(t, nil, "msel", "export", exampleFile, "-o", book).wantCode(t, exitOK)

	t.Run("Import writes the same scenario", func(t *testing.T) {
		out := filepath.Join(dir, "plan.yaml")
		cmesim(t, nil, "msel", "import", book, "-o", out).wantCode(t, exitOK)
		s, problems := scenarios.LoadFile(out)
		if s == nil || s.Exercise.ID != "example-phishing" || len(s.Injects) != 3 {
			t.Fatalf("imported scenario: %v", problems)
		}
	})
	t.Run("Problems at their cells", func(t *testing.T) {
		f, err := excelize.OpenFile(book)
		if err != nil {
			t.Fatal(err)
		}
		f.SetCellStr("Injects", "G2", "fone")
		bad := filepath.Join(dir, "bad.xlsx")
		if err := f.SaveAs(bad); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "bad.yaml")
		r := cmesim(t, nil, "msel", "import", bad, "-o", out)
		r.wantCode(t, exitFailure)
		if !strings.Contains(r.stderr, bad+`:Injects!G2: error: scenario.injects[0].channel: unknown channel "fone"`) {
			t.Errorf("stderr: %s", r.stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("an invalid workbook was written out")
		}
	})
	t.Run("CSV", func(t *testing.T) {
		csvFile := filepath.Join(dir, "injects.csv")
		cmesim(t, nil, "msel", "export", "grid-ransomware", "-o", csvFile).wantCode(t, exitOK)
		b, err := os.ReadFile(csvFile)
		if err != nil || !strings.HasPrefix(string(b), "Number,Title,Type,Time,Trigger,Incident,Method,From,To") {
			t.Errorf("csv: %.80s %v", b, err)
		}
	})
	t.Run("Bad output name", func(t *testing.T) {
		cmesim(t, nil, "msel", "export", exampleFile, "-o", filepath.Join(dir, "x.ods")).wantCode(t, exitUsage)
	})
}
