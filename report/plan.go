package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The improvement plan as a spreadsheet, for the organisations that track
// their corrective actions until the next exercise: one row per plan item
// with headers in the report's language, as CSV (WritePlanCSV) or as an
// Excel workbook (WritePlanXLSX). Both carry the report's TLP marking: the
// CSV in a last column of every row, the workbook in its first row, its
// printed header and footer and its document properties.

// planColumns are the catalog keys of the plan export's columns.
var planColumns = []string{"aar.col.id", "report.col.priority", "aar.col.capability", "aar.col.area", "aar.col.action",
	"aar.col.organisation", "aar.col.contact", "aar.col.start", "aar.col.completion", "aar.col.status"}

// PlanHeader returns the plan export's header row in the report's
// language (without the CSV's marking column).
func (r *Report) PlanHeader() []string {
	l := newLoc(r.Lang)
	h := make([]string, len(planColumns))
	for i, k := range planColumns {
		h[i] = l.t(k)
	}
	return h
}

// PlanRows returns one row per plan item, in the order of PlanHeader: the
// capability as its label (after the objective's id, when one was
// chosen), the responsible organisation by name (the teams responsible, in
// a drafted plan), the status and priority in the report's language.
func (r *Report) PlanRows() [][]string {
	l := newLoc(r.Lang)
	l.names = r.Names
	rows := make([][]string, len(r.Plan))
	for i, p := range r.Plan {
		capability := l.capability(p.Capability)
		if p.Objective != "" {
			capability = p.Objective + " " + capability
		}
		org := l.join(l.parties(p.Responsible))
		if p.Organisation != "" {
			org = l.party(p.Organisation)
		}
		status, priority := "", ""
		if p.Status != "" {
			status = l.t("aar.status." + p.Status)
		}
		if p.Priority != "" {
			priority = l.priority(p.Priority)
		}
		rows[i] = []string{p.ID, priority, capability, csvSafe(p.Area), csvSafe(p.Recommendation), csvSafe(org),
			csvSafe(p.Contact), p.Start, p.Completion, status}
	}
	return rows
}

// WritePlanCSV writes the improvement plan as CSV: the header row (in the
// report's language, then "TLP") and one row per plan item, each ending in
// the report's marking ("TLP:AMBER").
func (r *Report) WritePlanCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	marking := tlpMarking(r.TLP)
	if err := cw.Write(append(r.PlanHeader(), "TLP")); err != nil {
		return err
	}
	for _, row := range r.PlanRows() {
		if err := cw.Write(append(row, marking)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WritePlanXLSX writes the improvement plan as an Excel workbook of one
// sheet: the marking in the first row, the headers in the second, one row
// per plan item after them; the marking is also the printed header and
// footer of every page and the workbook's subject and keywords.
func (r *Report) WritePlanXLSX(w io.Writer) error {
	l := newLoc(r.Lang)
	marking := tlpMarking(r.TLP)
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(l.t("report.section.improvement-plan"))
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("report: plan workbook: %w", err)
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: l.t("report.section.improvement-plan") + " — " + r.Exercise.Title,
		Subject: marking, Keywords: marking, Language: r.Lang.BCP47(), Creator: "cmesim"}); err != nil {
		return fmt.Errorf("report: plan workbook: %w", err)
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: "&C" + marking, OddFooter: "&C" + marking + "&R&P / &N"}); err != nil {
		return fmt.Errorf("report: plan workbook: %w", err)
	}
	rows := append([][]string{{marking}, r.PlanHeader()}, r.PlanRows()...)
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("report: plan workbook: %w", err)
		}
	}
	if err := styleWorkbook(f, sheet, len(planColumns), len(rows)); err != nil {
		return fmt.Errorf("report: plan workbook: %w", err)
	}
	_, err := f.WriteTo(w)
	return err
}

// styleWorkbook makes the marking and the headers bold, freezes them and
// widens the text columns.
func styleWorkbook(f *excelize.File, sheet string, cols, rows int) error {
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(cols, 2)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for _, c := range []string{"D", "E"} {
		if err := f.SetColWidth(sheet, c, c, 48); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheet, "C", "C", 24); err != nil {
		return err
	}
	return f.SetColWidth(sheet, "F", "G", 24)
}

// sheetName makes a valid sheet name: at most 31 characters, none of
// : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > 31 {
		s = string(rs[:31])
	}
	return s
}
