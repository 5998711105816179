package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"cmesim/report"
)

// planFormat returns the format of the improvement plan file path names:
// xlsx or csv, by its extension.
func planFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return "xlsx", nil
	case ".csv":
		return "csv", nil
	}
	return "", fmt.Errorf("report: --plan %s: the improvement plan is written as .xlsx or .csv", path)
}

// checkPlanFlags refuses --plan and --team where they make no sense.
func checkPlanFlags(opts reportOptions) error {
	if opts.plan != "" {
		if opts.appendix {
			return errors.New("report: --appendix and --plan write different files; ask for one at a time")
		}
		if _, err := planFormat(opts.plan); err != nil {
			return err
		}
	}
	if opts.team != "" && opts.appendix {
		return errors.New("report: --appendix writes the whole log; it takes no --team")
	}
	return nil
}

// writePlan writes r's improvement plan to path as XLSX or CSV.
func (a *app) writePlan(r *report.Report, path string) error {
	format, err := planFormat(path)
	if err != nil {
		return err
	}
	write := r.WritePlanCSV
	if format == "xlsx" {
		write = r.WritePlanXLSX
	}
	if err := writeFile(path, func(w io.Writer) error { return write(w) }); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "wrote %s\n", path)
	return nil
}
