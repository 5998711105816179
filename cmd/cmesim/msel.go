package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"cmesim/msel"
)

func (a *app) newMselCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "msel",
		Short: "Export a scenario to an MSEL spreadsheet, or import one",
		Long: `The msel commands move a scenario to and from a master scenario events
list (MSEL) spreadsheet, the way planners draft an exercise at a planning
conference: one sheet per part (Exercise, Objectives, Teams, Actors,
Groups, Network, Incidents, Spreads, Injects, Expectations, Attachments,
Taxonomies, Translations) with HSEEP column headings. See
docs/msel-spreadsheet.md.`,
	}
	cmd.AddCommand(a.newMselExportCommand(), a.newMselImportCommand())
	return cmd
}

func (a *app) newMselExportCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export SCENARIO -o FILE.xlsx|FILE.csv",
		Short: "Write a scenario as an MSEL workbook (.xlsx) or its Injects sheet as CSV",
		Long: `Export writes a valid scenario (a file or a bundled scenario) as an XLSX
workbook, one sheet per part. With a .csv output it writes only the
Injects sheet, headings first (RFC 4180), for tools that read tables.`,
		Example: `  cmesim msel export grid-ransomware -o grid.xlsx
  cmesim msel export my-exercise.yaml -o injects.csv`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			ext := strings.ToLower(filepath.Ext(out))
			if ext != ".xlsx" && ext != ".csv" {
				return usageError(fmt.Errorf("msel export: -o must name a .xlsx or .csv file, got %q", out))
			}
			return a.mselExport(args[0], out, ext)
		}),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "`file` to write (.xlsx or .csv)")
	cmd.MarkFlagRequired("output")
	return cmd
}

func (a *app) mselExport(target, out, ext string) error {
	if _, err := a.loadScenario("msel export", target); err != nil {
		return err
	}
	src, err := scenarioSource(target)
	if err != nil {
		return fmt.Errorf("msel export: %w", err)
	}
	w, err := msel.Export(src)
	if err != nil {
		return fmt.Errorf("msel export: %w", err)
	}
	var buf bytes.Buffer
	if ext == ".csv" {
		err = msel.WriteCSV(&buf, w)
	} else {
		err = msel.WriteXLSX(&buf, w)
	}
	if err != nil {
		return fmt.Errorf("msel export: %w", err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("msel export: %w", err)
	}
	fmt.Fprintf(a.stdout, "%s: written\n", out)
	return nil
}

func (a *app) newMselImportCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "import FILE.xlsx -o SCENARIO.yaml",
		Short: "Read an MSEL workbook into a scenario file",
		Long: `Import reads an MSEL workbook, checks it as cmesim validate checks a
scenario, and writes the scenario as YAML. Every problem is printed at its
cell, "plan.xlsx:Injects!C14: error: message"; with errors nothing is
written and the exit status is 1.

Cells are read as the spreadsheet shows them. Formulas and merged cells
are refused (type values; unmerge), as are sheets over 10,000 rows or 64
columns, cells over 32,767 characters and files over 16 MiB.`,
		Example: `  cmesim msel import plan.xlsx -o plan.yaml`,
		Args:    argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			return a.mselImport(args[0], out)
		}),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "scenario `file` to write")
	cmd.MarkFlagRequired("output")
	return cmd
}

func (a *app) mselImport(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("msel import: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, msel.MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("msel import: %w", err)
	}
	text, s, problems := msel.Import(in, data)
	for _, p := range problems {
		fmt.Fprintln(a.stderr, p)
	}
	if s == nil {
		return fmt.Errorf("msel import: %s is invalid (%s)", in, plural(problems.Errors(), "error"))
	}
	if err := os.WriteFile(out, text, 0o644); err != nil {
		return fmt.Errorf("msel import: %w", err)
	}
	fmt.Fprintf(a.stdout, "%s: written from %s (%d injects)\n", out, in, len(s.Injects))
	return nil
}
