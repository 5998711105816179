package msel

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"cmesim/scenarios"
)

// sources returns the YAML text of every bundled scenario and of the
// worked example.
func sources(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range scenarios.Library() {
		src, err := scenarios.LibrarySource(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = src
	}
	src, err := os.ReadFile("../testdata/scenarios/valid/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out["example"] = src
	// The example with its own hot wash questions (a sheet of their own).
	out["example-hot-wash"] = append(append([]byte{}, src...), []byte(`
hot_wash:
  - id: useful
    kind: rating
    text: The exercise was useful for our team.
    translations: { es: { text: El ejercicio fue útil para nuestro equipo. } }
  - id: change
    kind: text
    text: What would you change?
`)...)
	return out
}

// xlsx exports src to the bytes of a workbook.
func xlsx(t testing.TB, src []byte) []byte {
	t.Helper()
	w, err := Export(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// canonical writes a parsed scenario as YAML, without positions, to
// compare two scenarios.
func canonical(t *testing.T, s *scenarios.Scenario) string {
	t.Helper()
	b, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRoundTripEveryScenario(t *testing.T) {
	for name, src := range sources(t) {
		t.Run(name, func(t *testing.T) {
			want, problems := scenarios.ParseWith(name+".yaml", src, scenarios.LibraryFiles())
			if want == nil {
				t.Fatalf("source invalid: %v", problems)
			}
			data := xlsx(t, src)
			text, got, list := ImportWith(name+".xlsx", data, scenarios.LibraryFiles())
			if got == nil {
				t.Fatalf("import failed: %v", list)
			}
			if a, b := canonical(t, want), canonical(t, got); a != b {
				t.Fatalf("round trip changed the scenario:\n%s", firstDiff(a, b))
			}
			// The written YAML is itself a valid scenario file.
			if again, problems := scenarios.ParseWith("again.yaml", text, scenarios.LibraryFiles()); again == nil {
				t.Fatalf("written YAML invalid: %v", problems)
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + "\n  vs " + bl[i]
		}
	}
	return "lengths differ"
}

// edit opens the example's workbook, applies change, and imports it.
func edit(t *testing.T, change func(f *excelize.File)) Problems {
	t.Helper()
	src := sources(t)["example"]
	f, err := excelize.OpenReader(bytes.NewReader(xlsx(t, src)))
	if err != nil {
		t.Fatal(err)
	}
	change(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, s, list := Import("plan.xlsx", buf.Bytes())
	if s != nil && list.HasErrors() {
		t.Fatal("a scenario came back with errors")
	}
	return list
}

func wantProblem(t *testing.T, list Problems, want string) {
	t.Helper()
	for _, p := range list {
		if strings.Contains(p.String(), want) {
			return
		}
	}
	t.Errorf("no problem %q among:\n%v", want, list)
}

// cellOf finds the cell of the Injects sheet holding value in column col.
func set(t *testing.T, f *excelize.File, cell, value string) {
	t.Helper()
	sheet, ref, _ := strings.Cut(cell, "!")
	if err := f.SetCellStr(sheet, ref, value); err != nil {
		t.Fatal(err)
	}
}

func TestValidatorProblemsNameTheirCell(t *testing.T) {
	// Injects: row 2 is I01; column G is Method, I is To.
	list := edit(t, func(f *excelize.File) {
		set(t, f, "Injects!G2", "fone")
		set(t, f, "Injects!I3", "pe-cisrt")
		set(t, f, "Teams!G3", "2.5")
		set(t, f, "Expectations!D2", "00:75")
	})
	wantProblem(t, list, `plan.xlsx:Injects!G2: error: scenario.injects[0].channel: unknown channel "fone"; did you mean "phone"?`)
	wantProblem(t, list, `plan.xlsx:Injects!I3: error: inject I02 recipient names unknown team "pe-cisrt"`)
	wantProblem(t, list, `plan.xlsx:Teams!G3: error:`)
	wantProblem(t, list, `plan.xlsx:Expectations!D2: error:`)
}

func TestDuplicateIDPointsAtBothCells(t *testing.T) {
	list := edit(t, func(f *excelize.File) { set(t, f, "Objectives!A3", "O1") })
	wantProblem(t, list, `plan.xlsx:Objectives!A3: error: duplicate objective id "O1" (first defined at Objectives!A2)`)
}

func TestHostileWorkbooks(t *testing.T) {
	t.Run("Formula", func(t *testing.T) {
		list := edit(t, func(f *excelize.File) {
			if err := f.SetCellFormula("Injects", "B2", `CONCAT("a","b")`); err != nil {
				t.Fatal(err)
			}
		})
		wantProblem(t, list, `plan.xlsx:Injects!B2: error: cell holds a formula (=CONCAT("a","b"))`)
	})
	t.Run("Merged cells", func(t *testing.T) {
		list := edit(t, func(f *excelize.File) {
			if err := f.MergeCell("Teams", "B2", "C3"); err != nil {
				t.Fatal(err)
			}
		})
		wantProblem(t, list, "plan.xlsx:Teams!B2: error: merged cells B2:C3")
	})
	t.Run("Wrong types", func(t *testing.T) {
		list := edit(t, func(f *excelize.File) {
			if err := f.SetCellValue("Teams", "G2", true); err != nil { // analysts
				t.Fatal(err)
			}
			set(t, f, "Injects!E3", "{after: [I01")
			set(t, f, "Exercise!B10", "tomorrow")
		})
		wantProblem(t, list, `plan.xlsx:Teams!G2: error: scenario.teams[0].profile.analysts must be a whole number, got "TRUE"`)
		wantProblem(t, list, `plan.xlsx:Injects!E3: error: cannot read "{after: [I01" as a YAML value`)
		wantProblem(t, list, `plan.xlsx:Exercise!B10: error: scenario.exercise.start_time: bad timestamp "tomorrow"`)
	})
	t.Run("Unknown column and sheet", func(t *testing.T) {
		list := edit(t, func(f *excelize.File) {
			set(t, f, "Injects!Z1", "Colour")
			if _, err := f.NewSheet("Notes"); err != nil {
				t.Fatal(err)
			}
		})
		wantProblem(t, list, `plan.xlsx:Injects!Z1: error: unknown column "Colour"`)
		wantProblem(t, list, `plan.xlsx:Notes: warning: sheet "Notes" is not part of an MSEL workbook`)
	})
	t.Run("Unknown parent", func(t *testing.T) {
		list := edit(t, func(f *excelize.File) { set(t, f, "Expectations!A2", "I09") })
		wantProblem(t, list, `plan.xlsx:Expectations!A2: error: inject "I09" is not in the Injects sheet`)
	})
	t.Run("Huge sheet", func(t *testing.T) {
		list := edit(t, func(f *excelize.File) {
			sw, err := f.NewStreamWriter("Actors")
			if err != nil {
				t.Fatal(err)
			}
			for r := 1; r <= MaxRows+1; r++ {
				cell, _ := excelize.CoordinatesToCellName(1, r)
				if err := sw.SetRow(cell, []any{"x"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := sw.Flush(); err != nil {
				t.Fatal(err)
			}
		})
		wantProblem(t, list, "plan.xlsx:Actors!A10001: error: sheet has more than 10000 rows")
	})
	t.Run("Not a workbook", func(t *testing.T) {
		_, s, list := Import("plan.xlsx", []byte("PK\x03\x04 not really"))
		if s != nil {
			t.Fatal("garbage imported")
		}
		wantProblem(t, list, "plan.xlsx: error: cannot read as an XLSX workbook")
	})
	t.Run("A CSV", func(t *testing.T) {
		_, s, list := Import("plan.csv", []byte("id,at,title\nI01,0:10,Alert\n"))
		if s != nil {
			t.Fatal("a CSV imported")
		}
		wantProblem(t, list, "plan.csv: error: not an XLSX workbook: import reads Excel workbooks (.xlsx) only")
	})
}

func TestCSVExportIsTheInjectsSheet(t *testing.T) {
	w, err := Export(sources(t)["example"])
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, w); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 || strings.Join(records[0][:4], ",") != "Number,Title,Type,Time" {
		t.Fatalf("csv = %v", records)
	}
	if r := records[1]; r[0] != "I01" || r[2] != "timed" || r[3] != "00:10" || r[6] != "email" || r[8] != "co-csirt" {
		t.Errorf("I01 row = %q", r)
	}
	if r := records[3]; r[0] != "I03" || r[2] != "contingency" {
		t.Errorf("I03 row = %q", r)
	}
}
