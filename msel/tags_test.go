package msel

import (
	"bytes"

	"cmesim/scenarios"
	"testing"

	"github.com/xuri/excelize/v2"
)

// appendExerciseRow adds a Field/Value row after the Exercise sheet's last
// row and returns the row number.
func appendExerciseRow(t *testing.T, f *excelize.File, field, value string) int {
	t.Helper()
	rows, err := f.GetRows(sheetExercise)
	if err != nil {
		t.Fatal(err)
	}
	n := len(rows) + 1
	set(t, f, cellName(sheetExercise, 1, n), field)
	set(t, f, cellName(sheetExercise, 2, n), value)
	return n
}

func cellName(sheet string, col, row int) string {
	ref, _ := excelize.CoordinatesToCellName(col, row)
	return sheet + "!" + ref
}

func TestTagsHaveARowEachAndErrorsNameTheirCell(t *testing.T) {
	var level, sector int
	list := edit(t, func(f *excelize.File) {
		level = appendExerciseRow(t, f, "tags.level", "strategik")
		sector = appendExerciseRow(t, f, "tags.sectors", "health, health")
	})
	wantProblem(t, list, `plan.xlsx:`+cellName(sheetExercise, 2, level)+`: error: scenario.exercise.tags.level: unknown level "strategik"; did you mean "strategic"?`)
	wantProblem(t, list, `plan.xlsx:`+cellName(sheetExercise, 2, sector)+`: error: sector "health" is listed twice`)
}

func TestTagsImport(t *testing.T) {
	var s = importEdited(t, func(f *excelize.File) {
		appendExerciseRow(t, f, "tags.sectors", "health, water")
		appendExerciseRow(t, f, "tags.level", "strategic")
		appendExerciseRow(t, f, "tags.difficulty", "hard")
	})
	tags := s.Exercise.Tags
	if len(tags.Sectors) != 2 || tags.Sectors[0] != "health" || tags.Sectors[1] != "water" || tags.Level != "strategic" || tags.Difficulty != "hard" {
		t.Fatalf("tags %+v", tags)
	}
}

// importEdited is edit for a change that leaves the workbook valid: it
// returns the imported scenario.
func importEdited(t *testing.T, change func(f *excelize.File)) *scenarios.Scenario {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx(t, sources(t)["example"])))
	if err != nil {
		t.Fatal(err)
	}
	change(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, s, list := Import("plan.xlsx", buf.Bytes())
	if s == nil {
		t.Fatalf("import failed: %v", list)
	}
	return s
}
