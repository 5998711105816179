package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cmesim/engine"
	"cmesim/engine/batch"
	"cmesim/internal/i18n"
	"cmesim/report"
	"cmesim/scenarios"
	"cmesim/store"
)

// reportOptions are the flags of cmesim report.
type reportOptions struct {
	exercise string
	scenario string
	baseline string
	format   string
	out      string
	lang     string
	salvage  bool
	appendix bool
	// plan is where --plan writes the improvement plan (.xlsx or .csv);
	// team scopes the report to one team (--team).
	plan string
	team string
	// alternatives is how many simulated runs show what each choice of a
	// decision point leads to (0: none).
	alternatives int
	// runStart is when the exercise was created, from its store or archive
	// record (zero for a bare log): the report's run date.
	runStart time.Time
}

func (a *app) newReportCommand() *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report EVENTS|ARCHIVE [--scenario S] [--baseline batch.json] [--format html|md|json|csv] [--lang en|es|pt|fr] [--appendix] [--plan FILE.xlsx|FILE.csv] [--team ID] [-o FILE]",
		Short: "Write the after-action report of an exercise's event log",
		Long: `Report scores an exercise from its event log (JSON Lines, as written by
"cmesim run --out") and writes the after-action report: objectives rated
P/S/M/U, a scorecard per team, the timeline, the sharing network,
strengths, areas for improvement and an improvement plan.

The log is a JSON Lines file, an archive from "cmesim export" (which
carries its scenario), or, with --exercise ID, an exercise in the store
(--data). The scenario is the file or bundled scenario the exercise ran;
when --scenario is left out, the archive's or the store's is used, or the
bundled scenario named in the log.
With --baseline (from "cmesim batch --out"), each team is placed against
the simulated teams' distribution. The format follows -o's extension
unless --format says otherwise; without -o the report goes to stdout.

A damaged log (an events file or an exercise in the store) is refused,
unless --salvage: the report then covers the log up to its last intact
event, and says on stderr where it stops.
--lang writes it in English, Spanish, Brazilian Portuguese or French.

An events file is read one event at a time. The report inlines an
excerpt of a long log (per team its key events and its first and last
others, texts cut at 500 characters); --appendix writes instead the
report's appendix, the whole log as CSV with full texts, one row per
event, streamed as it is read.

--plan writes the improvement plan (the lead evaluator's edit when there
is one, else the draft) as an Excel workbook or CSV, by the file's
extension, headers in --lang, marked with the report's TLP. --team writes
the team-scoped report its trainees read after the end.`,
		Example: `  cmesim run grid-ransomware --out events.jsonl
  cmesim report events.jsonl --scenario grid-ransomware -o report.html
  cmesim report exercise.cmesim.tar.gz -o report.html
  cmesim report --exercise 3f2a9c1e-… -o report.html
  cmesim report --exercise 3f2a9c1e-… --salvage -o partial-report.html
  cmesim report damaged.jsonl --salvage -o partial-report.html
  cmesim report events.jsonl --baseline grid-batch.json --format md
  cmesim report events.jsonl --lang es -o informe.html
  cmesim report events.jsonl --appendix -o events.csv
  cmesim report exercise.cmesim.tar.gz --plan improvement-plan.xlsx
  cmesim report exercise.cmesim.tar.gz --team co-csirt -o co-csirt.html`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0 && opts.exercise == "":
				return usageError(errors.New("report: give an events file or archive, or --exercise ID"))
			case len(args) == 1 && opts.exercise != "":
				return usageError(errors.New("report: give an events file or archive, or --exercise ID, not both"))
			}
			if opts.appendix {
				if opts.baseline != "" || (opts.format != "" && opts.format != "csv") {
					return usageError(errors.New("report: --appendix writes the whole event log as CSV; it takes no --baseline and no other --format"))
				}
				opts.format = "csv"
			}
			if _, err := reportFormat(opts.format, opts.out); err != nil {
				return usageError(inReport(err))
			}
			if err := checkPlanFlags(opts); err != nil {
				return usageError(err)
			}
			if opts.exercise != "" {
				return a.reportFromStore(cmd.Context(), opts)
			}
			if opts.salvage && isArchive(args[0]) {
				return usageError(errors.New("report: --salvage reads an events file or, with --exercise ID, the store; an archive is checked whole"))
			}
			return a.report(args[0], opts)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&opts.exercise, "exercise", "", "report on this exercise `id` from the store")
	f.String("data", "", "directory of the exercise store, with --exercise (env CMESIM_DATA_DIR)")
	f.StringVar(&opts.scenario, "scenario", "", "the scenario `file` or bundled name the exercise ran (default: the one named in the log)")
	f.StringVar(&opts.baseline, "baseline", "", "a batch result `file` to compare teams against")
	f.IntVar(&opts.alternatives, "alternatives", batch.AlternativeRuns, "simulated `runs` per choice of each decision point, to show where the paths not taken lead (0: none)")
	f.StringVar(&opts.format, "format", "", "html, md, json or csv (default: from -o's extension, else md)")
	f.StringVarP(&opts.out, "output", "o", "", "write to this `file` instead of stdout")
	f.StringVar(&opts.lang, "lang", "", "`language` of the report: en, es, pt (Brazilian) or fr (default en)")
	f.BoolVar(&opts.salvage, "salvage", false, "report on a damaged log (an events file or --exercise) up to its last intact event")
	f.BoolVar(&opts.appendix, "appendix", false, "write the report's appendix instead: the whole event log as CSV, full texts")
	f.StringVar(&opts.plan, "plan", "", "also write the improvement plan to this `file` (.xlsx or .csv); without -o, only the plan")
	f.StringVar(&opts.team, "team", "", "scope the report to this team `id`: what its trainees read after the end")
	return cmd
}

func (a *app) report(eventsFile string, opts reportOptions) error {
	format, err := reportFormat(opts.format, opts.out)
	if err != nil {
		return usageError(inReport(err))
	}
	if isArchive(eventsFile) {
		ex, events, err := readArchive(eventsFile)
		if err != nil {
			return fmt.Errorf("report: %s: %w", eventsFile, err)
		}
		return a.reportOn(ex, sliceSource(events), opts, "cmesim report "+eventsFile)
	}
	target := opts.scenario
	if target == "" {
		created, err := firstEvent(eventsFile)
		if err != nil {
			return fmt.Errorf("report: %s: %w", eventsFile, err)
		}
		if target, err = logScenario(created); err != nil {
			return usageError(err)
		}
	}
	s, err := a.loadScenario("report", target)
	if err != nil {
		return err
	}
	return a.writeReportOut(s, a.fileSource(eventsFile, opts.salvage), opts, format, "cmesim report "+eventsFile)
}

// eventSource hands a log's events, in order, to fn, and stops at fn's
// first error, which it returns.
type eventSource func(fn func(*engine.Event) error) error

// sliceSource is the source of a log in memory.
func sliceSource(events []engine.Event) eventSource {
	return func(fn func(*engine.Event) error) error {
		for i := range events {
			if err := fn(&events[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// fileSource reads an events file one event at a time, whole or, with
// salvage, as far as it is intact, saying on stderr where it stops.
func (a *app) fileSource(name string, salvage bool) eventSource {
	return func(fn func(*engine.Event) error) error {
		f, err := os.Open(name)
		if err != nil {
			return inReport(err)
		}
		defer f.Close()
		var fnErr error
		n, err := engine.ScanLog(bufio.NewReader(f), func(e *engine.Event) error {
			fnErr = fn(e)
			return fnErr
		})
		var le *engine.LogError
		switch {
		case fnErr != nil:
			return fnErr
		case !salvage && err != nil:
			return fmt.Errorf("report: %s: %w\n(--salvage reports on the log up to its last intact event)", name, err)
		case err == nil:
			if salvage {
				fmt.Fprintf(a.stderr, "salvage: %s is intact (%d events)\n", name, n)
			}
			return nil
		case errors.As(err, &le) && n > 0:
			fmt.Fprintf(a.stderr, "salvage: %s is damaged after event %d; recovered events 1–%d\n  why: %v\n", name, le.LastGood, le.LastGood, err)
			return nil
		}
		return fmt.Errorf("report: %s: nothing to salvage: %w", name, err)
	}
}

// errFirstEvent stops a scan after the first event.
var errFirstEvent = errors.New("first event read")

// firstEvent reads the first event of an events file.
func firstEvent(name string) (*engine.Event, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var first *engine.Event
	_, err = engine.ScanLog(bufio.NewReader(f), func(e *engine.Event) error {
		first = e
		return errFirstEvent
	})
	if first == nil { // nothing intact to salvage either
		return nil, err
	}
	return first, nil
}

// logScenario returns the scenario named in a log's first event, when it
// is a bundled scenario or a file here; otherwise the error asks for
// --scenario, since a log names its scenario by the exercise id, not by
// the file the author wrote.
func logScenario(created *engine.Event) (string, error) {
	if created == nil || created.Data.Creation().Scenario == "" {
		return "", errors.New("report: the log does not name its scenario; pass --scenario FILE, the scenario the exercise ran")
	}
	name := created.Data.Creation().Scenario
	if slices.Contains(scenarios.Library(), name) {
		return name, nil
	}
	if _, err := os.Stat(name); err == nil {
		return name, nil
	}
	return "", fmt.Errorf("report: the log comes from scenario %q, which is not a bundled scenario; pass --scenario FILE, the scenario file the exercise ran", name)
}

// reportFromStore reports on an exercise in the store.
func (a *app) reportFromStore(ctx context.Context, opts reportOptions) error {
	db, err := a.openStore(false)
	if err != nil {
		return err
	}
	defer db.Close()
	ex, err := db.Exercise(ctx, opts.exercise)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("report: %w", noExercise(ctx, db, opts.exercise))
	}
	if err != nil {
		return fmt.Errorf("report: exercise %s: %w", opts.exercise, err)
	}
	// The store hands the log over whole; the report reads it one event
	// at a time all the same.
	events, err := a.storedLog(ctx, db, opts.exercise, opts.salvage)
	if err != nil {
		return inReport(err)
	}
	return a.reportOn(ex, sliceSource(events), opts, "cmesim report --exercise "+opts.exercise)
}

// reportOn reports on a stored or archived exercise, with its own scenario
// unless --scenario names another.
func (a *app) reportOn(ex *store.Exercise, events eventSource, opts reportOptions, command string) error {
	opts.runStart = ex.Created
	format, err := reportFormat(opts.format, opts.out)
	if err != nil {
		return usageError(inReport(err))
	}
	if opts.scenario != "" {
		s, err := a.loadScenario("report", opts.scenario)
		if err != nil {
			return err
		}
		return a.writeReportOut(s, events, opts, format, command)
	}
	s, problems := scenarios.ParseWith(ex.Scenario, ex.Source, scenarios.FileMap(ex.Files))
	for _, p := range problems {
		fmt.Fprintln(a.stderr, formatProblem(p))
	}
	if s == nil {
		return fmt.Errorf("report: the exercise's own scenario no longer validates; pass --scenario")
	}
	return a.writeReportOut(s, events, opts, format, command)
}

// isArchive reports whether path holds a gzip stream (an export archive).
func isArchive(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 2)
	n, _ := io.ReadFull(f, magic)
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}

// writeReportOut writes the report, or with --appendix the appendix, of
// the log events gives, to -o or stdout. command is how the user asked,
// which the report names as the way to get its appendix.
func (a *app) writeReportOut(s *scenarios.Scenario, events eventSource, opts reportOptions, format, command string) error {
	lang, err := reportLang(opts.lang)
	if err != nil {
		return usageError(err)
	}
	if opts.appendix {
		return a.writeAppendix(s, events, opts, lang)
	}
	var baseline *report.Baseline
	if opts.baseline != "" {
		if baseline, err = readBaseline(opts.baseline); err != nil {
			return err
		}
	}
	appendix := command + " --appendix -o " + appendixName(opts.out)
	alts, err := decisionAlternatives(s, opts.alternatives)
	if err != nil {
		return err
	}
	r, err := buildReport(s, events, report.Options{Baseline: baseline, Lang: lang, Appendix: appendix, RunStart: opts.runStart, Team: opts.team, Alternatives: alts})
	if err != nil {
		return err
	}
	if opts.plan != "" {
		if err := a.writePlan(r, opts.plan); err != nil || opts.out == "" {
			return err
		}
	}
	if opts.out == "" {
		return renderReport(a.stdout, format, r)
	}
	if err := writeFile(opts.out, func(w io.Writer) error { return renderReport(w, format, r) }); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "wrote %s\n", opts.out)
	return nil
}

// appendixName is the file the report suggests for its appendix: next to
// the report's own file.
func appendixName(out string) string {
	if out == "" {
		return "events.csv"
	}
	return strings.TrimSuffix(out, filepath.Ext(out)) + "-events.csv"
}

// writeAppendix writes the whole log as CSV, one event at a time, after
// checking it is a log of s.
func (a *app) writeAppendix(s *scenarios.Scenario, events eventSource, opts reportOptions, lang i18n.Lang) error {
	write := func(w io.Writer) error {
		check, err := report.NewBuilder(s, report.Options{Lang: lang})
		if err != nil {
			return err
		}
		aw, err := report.NewAppendixWriter(w, lang, s)
		if err != nil {
			return err
		}
		err = events(func(e *engine.Event) error {
			if err := check.Add(e); err != nil {
				return err
			}
			return aw.Add(e)
		})
		if ferr := aw.Flush(); err == nil {
			err = ferr
		}
		return err
	}
	if opts.out == "" {
		return write(a.stdout)
	}
	if err := writeFile(opts.out, write); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "wrote %s\n", opts.out)
	return nil
}

func readBaseline(path string) (*report.Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer f.Close()
	b, err := report.ReadBaseline(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("--baseline %s: %w (a baseline is the file cmesim batch --out writes)", path, err)
	}
	return b, nil
}

// reportFormat picks the output format from --format or, failing that,
// from the extension of the output file: Markdown for stdout or a file
// without an extension, and an error for an extension that names none of
// the formats (a report asked for as out.pdf must not silently be Markdown).
func reportFormat(format, out string) (string, error) {
	if format == "" {
		switch ext := strings.ToLower(filepath.Ext(out)); ext {
		case ".html", ".htm":
			format = "html"
		case ".json":
			format = "json"
		case ".csv":
			format = "csv"
		case ".md", ".markdown", "":
			format = "md"
		default:
			return "", fmt.Errorf("cannot write a report as %s: unknown extension %q; the formats are html, md, json and csv", filepath.Base(out), ext)
		}
	}
	switch format = strings.ToLower(format); format {
	case "html", "md", "json", "csv":
		return format, nil
	case "markdown":
		return "md", nil
	}
	return "", fmt.Errorf("unknown report format %q: use html, md, json or csv", format)
}

// writeReport writes a report to path in the format its extension names
// (or format, when set).
func writeReport(path, format string, s *scenarios.Scenario, events []engine.Event, opts report.Options) error {
	format, err := reportFormat(format, path)
	if err != nil {
		return err
	}
	r, err := buildReport(s, sliceSource(events), opts)
	if err != nil {
		return err
	}
	return writeFile(path, func(w io.Writer) error { return renderReport(w, format, r) })
}

// reportLang reads --lang: "" is English.
func reportLang(s string) (i18n.Lang, error) {
	if s == "" {
		return i18n.Default, nil
	}
	l, err := i18n.Parse(s)
	if err != nil {
		return "", fmt.Errorf("--lang: %w", err)
	}
	return l, nil
}

// writeFile creates path and writes it with write, buffered.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return inReport(err)
	}
	w := bufio.NewWriter(f)
	err = write(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// buildReport builds the report of the log events gives, one event at a
// time.
func buildReport(s *scenarios.Scenario, events eventSource, opts report.Options) (*report.Report, error) {
	bd, err := report.NewBuilder(s, opts)
	if err != nil {
		return nil, inReport(err)
	}
	if err := events(bd.Add); err != nil {
		return nil, err
	}
	r, err := bd.Report()
	if err != nil {
		return nil, inReport(err)
	}
	return r, nil
}

// renderReport writes r in a format.
func renderReport(w io.Writer, format string, r *report.Report) error {
	switch format {
	case "html":
		return r.WriteHTML(w)
	case "json":
		return r.WriteJSON(w)
	case "csv":
		return r.WriteCSV(w)
	}
	return r.WriteMarkdown(w)
}

// inReport says that err happened in the report command, unless it says so
// already (errors of package report start with "report: ").
func inReport(err error) error {
	if strings.HasPrefix(err.Error(), "report: ") {
		return err
	}
	return fmt.Errorf("report: %w", err)
}
