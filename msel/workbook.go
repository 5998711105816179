package msel

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"cmesim/scenarios"
)

// Workbook is an MSEL as sheets of text cells, between a spreadsheet file
// and a scenario.
type Workbook struct {
	Sheets []*Sheet
}

// Sheet is one sheet: its column headings (row 1) and its data rows.
type Sheet struct {
	Name   string
	Header []string
	Rows   []Row
}

// Row is one data row: its number in the spreadsheet (from 2) and its
// cells, one per column of the header.
type Row struct {
	Num   int
	Cells []string
}

// Sheet returns the sheet named name, or nil.
func (w *Workbook) Sheet(name string) *Sheet {
	for _, s := range w.Sheets {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// column returns the index of the column headed heading, or -1.
func (s *Sheet) column(heading string) int {
	for i, h := range s.Header {
		if strings.EqualFold(h, heading) {
			return i
		}
	}
	return -1
}

// cell returns the text of row r under heading ("" when absent).
func (s *Sheet) cell(r Row, heading string) string {
	if i := s.column(heading); i >= 0 && i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// ref returns the reference of row r's cell under heading, or of the row's
// first cell.
func (s *Sheet) ref(r Row, heading string) cellRef {
	col := max(s.column(heading), 0)
	return cellRef{sheet: s.Name, col: col, row: r.Num}
}

// cellRef is a cell of the workbook: Sheet!A1.
type cellRef struct {
	sheet    string
	col, row int // col from 0, row from 1; row 0 means the whole sheet
}

// String writes the reference as a spreadsheet does: Injects!C14.
func (c cellRef) String() string {
	if c.row == 0 {
		return c.sheet
	}
	name, err := excelize.CoordinatesToCellName(c.col+1, c.row)
	if err != nil {
		return c.sheet
	}
	return c.sheet + "!" + name
}

// Problem is one thing wrong with a workbook, at a cell when it has one.
type Problem struct {
	File  string
	Cell  string // "Injects!C14", "Injects" or ""
	Level scenarios.Level
	// Message says what is wrong, in the validator's words.
	Message string
}

// String formats the problem as "file.xlsx:Injects!C14: error: message".
func (p Problem) String() string {
	if p.Cell == "" {
		return fmt.Sprintf("%s: %s: %s", p.File, p.Level, p.Message)
	}
	return fmt.Sprintf("%s:%s: %s: %s", p.File, p.Cell, p.Level, p.Message)
}

// Problems is every problem found in a workbook.
type Problems []Problem

// HasErrors reports whether any problem is an error.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Level == scenarios.LevelError {
			return true
		}
	}
	return false
}

// Errors counts the errors.
func (ps Problems) Errors() int {
	n := 0
	for _, p := range ps {
		if p.Level == scenarios.LevelError {
			n++
		}
	}
	return n
}

// problems collects problems for one file.
type problems struct {
	file string
	list Problems
}

func (p *problems) add(level scenarios.Level, at string, format string, args ...any) {
	p.list = append(p.list, Problem{File: p.file, Cell: at, Level: level, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) errorf(at cellRef, format string, args ...any) {
	p.add(scenarios.LevelError, at.String(), format, args...)
}
