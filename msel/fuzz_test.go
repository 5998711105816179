package msel

import (
	"testing"
)

// FuzzImport feeds arbitrary bytes to Import: it must never panic, and a
// scenario it returns must come without errors. The seed corpus under
// testdata/fuzz/FuzzImport holds the worked example's workbook, a
// workbook with a formula and merged cells, and broken archives.
func FuzzImport(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		text, s, list := Import("fuzz.xlsx", data)
		if s != nil && (list.HasErrors() || len(text) == 0) {
			t.Fatalf("scenario returned with errors: %v", list)
		}
		for _, p := range list {
			if p.File != "fuzz.xlsx" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
	})
}
