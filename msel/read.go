package msel

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"cmesim/scenarios"
)

// Limits on the workbooks Read accepts, so that a hostile file cannot
// exhaust memory or time.
const (
	// MaxFileSize is the largest workbook file read, in bytes.
	MaxFileSize = 16 << 20
	// MaxRows is the most rows (headings included) of one sheet.
	MaxRows = 10000
	// MaxColumns is the most columns of one sheet.
	MaxColumns = 64
	// maxUnzipped bounds the decompressed size of the whole workbook and
	// of one of its XML parts.
	maxUnzipped, maxUnzippedPart = 256 << 20, 64 << 20
)

// sheetHeadings returns the known headings of each sheet.
func sheetHeadings() map[string][]string {
	out := map[string][]string{sheetExercise: exerciseHeadings, sheetTranslations: translationHeadings}
	for _, s := range listSheets {
		var hs []string
		for _, c := range s.columns {
			hs = append(hs, c.heading)
		}
		out[s.name] = hs
	}
	return out
}

// Read reads an XLSX workbook. Cells are read as the text the spreadsheet
// shows (a time typed as 0:10 reads "0:10"). Formulas are refused: a cell
// holding one is an error, since a scenario is data and a cached result
// may be stale or missing. Merged cells are refused too, as are sheets over
// MaxRows rows or MaxColumns columns and cells over MaxCellText
// characters. Read never panics; every problem names its cell.
func Read(file string, data []byte) (w *Workbook, list Problems) {
	p := &problems{file: file}
	defer func() {
		if r := recover(); r != nil { // the spreadsheet library must not take the caller down
			w, list = nil, append(p.list, Problem{File: file, Level: scenarios.LevelError, Message: fmt.Sprintf("cannot read this workbook (reader failure: %v)", r)})
		}
	}()
	if len(data) > MaxFileSize {
		p.add(scenarios.LevelError, "", "file is %d bytes; the limit is %d", len(data), MaxFileSize)
		return nil, p.list
	}
	switch {
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")): // an OLE compound file
		p.add(scenarios.LevelError, "", "an encrypted or old-format (.xls) workbook: save it as an Excel Workbook (.xlsx) without a password")
		return nil, p.list
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")): // every .xlsx is a zip archive
		p.add(scenarios.LevelError, "", "not an XLSX workbook: import reads Excel workbooks (.xlsx) only; save a CSV or other sheet as an Excel Workbook first")
		return nil, p.list
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedPart})
	if err != nil {
		p.add(scenarios.LevelError, "", "cannot read as an XLSX workbook: %v", err)
		return nil, p.list
	}
	defer f.Close()
	marks, err := scanMarks(data)
	if err != nil {
		p.add(scenarios.LevelError, "", "cannot read as an XLSX workbook: %v", err)
		return nil, p.list
	}
	known := sheetHeadings()
	w = &Workbook{}
	for _, name := range f.GetSheetList() {
		canon := ""
		for k := range known {
			if strings.EqualFold(k, strings.TrimSpace(name)) {
				canon = k
			}
		}
		if canon == "" {
			p.add(scenarios.LevelWarning, name, "sheet %q is not part of an MSEL workbook and is ignored (sheets: Exercise, %s, Translations)", name, strings.Join(listSheetNames(), ", "))
			continue
		}
		if w.Sheet(canon) != nil {
			p.add(scenarios.LevelError, name, "sheet %s appears twice", canon)
			continue
		}
		m := marks[name]
		if m == nil {
			m = &sheetMarks{}
		}
		if sh := readSheet(f, name, canon, known[canon], m, p); sh != nil {
			w.Sheets = append(w.Sheets, sh)
		}
	}
	return w, p.list
}

func listSheetNames() []string {
	var out []string
	for _, s := range listSheets {
		out = append(out, s.name)
	}
	return out
}

// readSheet reads one sheet, or returns nil when it cannot be used.
func readSheet(f *excelize.File, name, canon string, headings []string, marks *sheetMarks, p *problems) *Sheet {
	at := func(col, row int) cellRef { return cellRef{sheet: name, col: col, row: row} }
	for _, m := range marks.merged {
		p.errorf(at(m.col, m.row), "merged cells %s; unmerge them, each cell holds one value", m.text)
	}
	for _, m := range marks.formulas {
		p.errorf(at(m.col, m.row), "cell holds a formula (=%s); formulas are not read: type the value, or paste values only", m.text)
	}
	if len(marks.merged) > 0 || len(marks.formulas) > 0 {
		return nil
	}
	rows, err := f.Rows(name)
	if err != nil {
		p.add(scenarios.LevelError, name, "cannot read the sheet: %v", err)
		return nil
	}
	defer rows.Close()
	sh := &Sheet{Name: canon}
	var raw []string // the headings as written
	for num := 1; rows.Next(); num++ {
		if num > MaxRows {
			p.errorf(at(0, num), "sheet has more than %d rows; split the exercise or remove empty formatted rows", MaxRows)
			return nil
		}
		cells, err := rows.Columns()
		if err != nil {
			p.errorf(at(0, num), "cannot read the row: %v", err)
			return nil
		}
		if len(cells) > MaxColumns {
			p.errorf(at(MaxColumns, num), "row has more than %d columns", MaxColumns)
			return nil
		}
		bad := false
		for c := range cells {
			if len(cells[c]) > MaxCellText {
				p.errorf(at(c, num), "cell holds %d characters; the limit is %d", len(cells[c]), MaxCellText)
				bad = true
			}
		}
		if bad {
			continue
		}
		if num == 1 {
			raw = cells
			sh.Header = readHeader(cells, headings, at, p)
			continue
		}
		if isBlank(cells) {
			continue
		}
		for c := range cells {
			if (c >= len(raw) || strings.TrimSpace(raw[c]) == "") && strings.TrimSpace(cells[c]) != "" {
				p.errorf(at(c, num), "cell has a value but its column has no heading")
			}
		}
		row := Row{Num: num, Cells: make([]string, len(sh.Header))}
		copy(row.Cells, cells)
		sh.Rows = append(sh.Rows, row)
	}
	if err := rows.Error(); err != nil {
		p.add(scenarios.LevelError, name, "cannot read the sheet: %v", err)
		return nil
	}
	return sh
}

// readHeader checks the headings of row 1: each known once; an unknown
// heading is an error, and its column is not read.
func readHeader(cells, headings []string, at func(int, int) cellRef, p *problems) []string {
	header := make([]string, len(cells))
	for c, h := range cells {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		i := slices.IndexFunc(headings, func(k string) bool { return strings.EqualFold(k, h) })
		switch {
		case i < 0:
			p.errorf(at(c, 1), "unknown column %q; the columns of this sheet are: %s", h, strings.Join(headings, ", "))
		case slices.Contains(header, headings[i]):
			p.errorf(at(c, 1), "column %q appears twice", headings[i])
		default:
			header[c] = headings[i]
		}
	}
	return header
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
