package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cmesim/baseline"
	"cmesim/engine/batch"
	"cmesim/internal/logging"
)

// batchOptions are the flags of cmesim batch.
type batchOptions struct {
	runs    int
	workers int
	seed    uint64
	out     string
	maxMiB  int // largest scenario file, MiB (0: the default)
	// choose forces choices at decision points, as DECISION=CHOICE.
	choose []string
}

func (a *app) newBatchCommand() *cobra.Command {
	var opts batchOptions
	cmd := &cobra.Command{
		Use:   "batch SCENARIO -n RUNS [--workers N] [--out batch.json]",
		Short: "Run a scenario many times with simulated teams to calibrate it",
		Long: `Batch plays a scenario RUNS times, every team simulated, with seeds
--seed, --seed+1, …, in parallel across the CPUs, and prints per team the
10th, 50th and 90th percentiles of the score and of the times to
acknowledge, contain and share, and how often each objective is achieved
(rated P or S, among the runs that exercised it). This is how a facilitator calibrates a scenario's
difficulty before the day.

When the scenario has decision points, it also prints how often each
choice was taken and, per choice, how often the teams that took it
achieved each objective (their own rating P or S). --choose DECISION=CHOICE
(repeatable) makes every simulated team take that choice, to see what a
path not taken would have led to.

The full result is written as JSON (--out); "cmesim report --baseline"
uses it to place real teams against the simulated ones.`,
		Example: `  cmesim batch grid-ransomware -n 10000
  cmesim batch my-exercise.yaml -n 2000 --workers 2 --out baseline.json
  cmesim batch oas-ministerial-roundtable -n 1000 --choose D1=presidencia`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.batch(cmd.Context(), args[0], opts)
		}),
	}
	f := cmd.Flags()
	f.IntVarP(&opts.runs, "runs", "n", 1000, "how many runs")
	f.IntVar(&opts.workers, "workers", 0, "runs in parallel (default: one per CPU)")
	f.Uint64Var(&opts.seed, "seed", 1, "seed of the first run")
	f.StringVar(&opts.out, "out", "", "write the result as JSON to this `file` (default SCENARIO-ID.batch.json; - for stdout)")
	f.StringArrayVar(&opts.choose, "choose", nil, "make every simulated team take a choice, as `DECISION=CHOICE` (repeatable)")
	addMaxScenarioSizeFlag(cmd, &opts.maxMiB)
	return cmd
}

func (a *app) batch(ctx context.Context, target string, opts batchOptions) error {
	if opts.runs <= 0 || opts.runs > 10_000_000 {
		return usageError(fmt.Errorf("batch: -n must be between 1 and 10000000, got %d", opts.runs))
	}
	if opts.workers < 0 {
		return usageError(fmt.Errorf("batch: --workers must not be negative"))
	}
	if err := setMaxScenarioSize("batch", opts.maxMiB); err != nil {
		return err
	}
	s, err := a.loadScenario("batch", target)
	if err != nil {
		return err
	}
	if a.getenv("GOGC") == "" { // an explicit GOGC wins
		defer debug.SetGCPercent(debug.SetGCPercent(batchGCPercent))
	}
	choose, err := parseChoose(opts.choose)
	if err != nil {
		return err
	}
	out := opts.out
	if out == "" {
		out = s.Exercise.ID + ".batch.json"
	}
	// Prepare the output before the runs, so that a path that cannot be
	// written fails at once rather than after them; a file already there
	// stays as it is unless the batch succeeds.
	output, err := newPendingOutput(out)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	defer output.discard()
	bar := newProgressBar(a.stderr, opts.runs, logging.IsTerminal(a.stderr))
	start := time.Now()
	res, choices, err := batch.RunWithChoices(ctx, s, batch.Options{Runs: opts.runs, Workers: opts.workers, FirstSeed: opts.seed, Progress: bar.set, Choose: choose})
	bar.finish()
	if errors.Is(err, context.Canceled) {
		return &exitError{code: exitFailure, err: errors.New("batch: interrupted")}
	}
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	elapsed := time.Since(start)
	a.log.Info().Int("runs", opts.runs).Dur("elapsed", elapsed).Msg("batch finished")
	if err := output.commit(a.stdout, res); err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	if out == "-" {
		return nil
	}
	fmt.Fprintf(a.stdout, "%s: %d runs in %s (%.0f runs/s)\n\n", s.Exercise.Title, res.Runs, elapsed.Round(time.Millisecond), float64(res.Runs)/elapsed.Seconds())
	if err := printBatch(a.stdout, res); err != nil {
		return err
	}
	if err := printChoices(a.stdout, s, choices); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nFull result written to %s\n", out)
	return nil
}

// batchGCPercent is the garbage collector's target during a batch (see
// runtime/debug.SetGCPercent): runs allocate ~90 KB each and keep almost
// nothing, so with the default GOGC=100 and a live heap of a few MB the
// collector runs every few dozen runs and the second core spends much of
// its time marking. At 400 the heap stays within a few tens of MB and the
// collector's share of the CPU falls about fourfold. A GOGC set in the
// environment wins.
const batchGCPercent = 400

// writeJSON writes v as indented JSON to the file at path, or to stdout
// when path is "-", as a pendingOutput does.
func writeJSON(path string, stdout io.Writer, v any) error {
	p, err := newPendingOutput(path)
	if err != nil {
		return err
	}
	defer p.discard()
	return p.commit(stdout, v)
}

// pendingOutput is a result file being prepared: a temporary file beside
// the output, renamed over it once the result is written, so that a
// failed or interrupted command leaves a file already there as it was. An
// output that is not a regular file (a device such as /dev/null, a pipe)
// is written directly; "-" is stdout.
type pendingOutput struct {
	path string
	tmp  *os.File // nil for stdout or a special file
	dev  *os.File // a special file opened for writing
}

// newPendingOutput prepares the output at path, failing now when it cannot
// be written.
func newPendingOutput(path string) (*pendingOutput, error) {
	p := &pendingOutput{path: path}
	if path == "-" {
		return p, nil
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		p.dev, err = os.OpenFile(path, os.O_WRONLY, 0)
		return p, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	p.tmp = tmp
	return p, nil
}

// commit writes v as indented JSON and puts the file in place.
func (p *pendingOutput) commit(stdout io.Writer, v any) error {
	switch {
	case p.dev != nil:
		return encodeJSON(p.dev, stdout, v)
	case p.tmp == nil:
		return encodeJSON(nil, stdout, v)
	}
	if err := encodeJSON(p.tmp, stdout, v); err != nil {
		return err
	}
	if err := os.Chmod(p.tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(p.tmp.Name(), p.path); err != nil {
		return err
	}
	p.tmp = nil
	return nil
}

// discard removes the temporary file of an output not committed; it does
// nothing after commit.
func (p *pendingOutput) discard() {
	if p.tmp != nil {
		p.tmp.Close()
		os.Remove(p.tmp.Name())
	}
	if p.dev != nil {
		p.dev.Close()
	}
}

// encodeJSON writes v as indented JSON to f and closes it, or to stdout
// when f is nil.
func encodeJSON(f *os.File, stdout io.Writer, v any) error {
	w := stdout
	if f != nil {
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// printBatch prints the per-team percentiles and the objectives.
func printBatch(w io.Writer, r *baseline.Baseline) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TEAM\tSCORE p10/p50/p90\tSCORE %\tACK p10/p50/p90\tCONTAIN p10/p50/p90\tSHARE p10/p50/p90")
	for _, t := range r.Teams {
		m := t.Metrics
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Team,
			triple(m[baseline.MetricScore], "%.0f"), triple(m[baseline.MetricScorePercent], "%.0f"),
			timeTriple(m[baseline.MetricTimeAcknowledge]), timeTriple(m[baseline.MetricTimeContain]), timeTriple(m[baseline.MetricTimeShare]))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OBJECTIVE\tCAPABILITY\tACHIEVED\tP/S/M/U RUNS\tTEXT")
	for _, o := range r.Objectives {
		fmt.Fprintf(tw, "%s\t%s\t%.0f%%\t%d/%d/%d/%d\t%s\n", o.Objective, o.Capability, 100*o.Achieved,
			o.Ratings["P"], o.Ratings["S"], o.Ratings["M"], o.Ratings["U"], o.Text)
	}
	return tw.Flush()
}

func triple(d baseline.Distribution, verb string) string {
	if d.Count == 0 {
		return "—"
	}
	return fmt.Sprintf(verb+"/"+verb+"/"+verb, d.P10, d.P50, d.P90)
}

// timeTriple shows time percentiles in minutes, with how often the time was
// missing (the action never met) when it was.
func timeTriple(d baseline.Distribution) string {
	if d.Count == 0 {
		return "never"
	}
	s := fmt.Sprintf("%.0f/%.0f/%.0f min", d.P10/60, d.P50/60, d.P90/60)
	if d.Missing > 0 {
		share := fmt.Sprintf("%d%%", 100*d.Missing/(d.Count+d.Missing))
		if share == "0%" {
			share = "<1%"
		}
		s += " (none in " + share + " of runs)"
	}
	return s
}

// progressBar draws "[=====>    ] 500/1000 runs" on a terminal, redrawn at
// most ten times a second; elsewhere it prints a line per tenth.
type progressBar struct {
	w        io.Writer
	total    int
	terminal bool
	last     time.Time
	lastTen  int
}

func newProgressBar(w io.Writer, total int, terminal bool) *progressBar {
	return &progressBar{w: w, total: total, terminal: terminal}
}

func (p *progressBar) set(done int) {
	if p.terminal {
		if time.Since(p.last) < 100*time.Millisecond && done < p.total {
			return
		}
		p.last = time.Now()
		const width = 30
		filled := width * done / p.total
		bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
		fmt.Fprintf(p.w, "\r[%s] %d/%d runs", bar, done, p.total)
		return
	}
	if ten := 10 * done / p.total; ten > p.lastTen {
		p.lastTen = ten
		fmt.Fprintf(p.w, "batch: %d/%d runs\n", done, p.total)
	}
}

func (p *progressBar) finish() {
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}
