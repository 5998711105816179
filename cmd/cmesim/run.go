package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cmesim/engine"
	"cmesim/internal/logging"
	"cmesim/report"
	"cmesim/scenarios"
)

// runOptions are the flags of cmesim run.
type runOptions struct {
	seed   uint64
	speed  *speedFlag
	out    string
	report string
	lang   string
	humans []string
}

func (a *app) newRunCommand() *cobra.Command {
	opts := runOptions{speed: newSpeedFlag(math.Inf(1), true, maxRunSpeed)}
	cmd := &cobra.Command{
		Use:   "run SCENARIO [--seed N] [--speed max|Nx] [--out events.jsonl]",
		Short: "Play a scenario with simulated teams and print the outcome",
		Long: `Run plays a scenario (a file or a bundled scenario) with every team
simulated, as fast as possible (--speed max, the default) or paced to the
wall clock (--speed 60x plays one virtual minute per second). It shows a
progress line while it runs and ends with a summary per team: injects
delivered, expectations met, late, wrong and missed, and the score.

The same scenario and seed always give the same event log (--out), which
"cmesim report" turns into an after-action report.`,
		Example: `  cmesim run grid-ransomware
  cmesim run grid-ransomware --seed 7 --out events.jsonl
  cmesim run my-exercise.yaml --speed 60x`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.run(cmd.Context(), args[0], opts)
		}),
	}
	f := cmd.Flags()
	f.Uint64Var(&opts.seed, "seed", 1, "seed of the simulated teams' random draws")
	f.Var(opts.speed, "speed", "pace: max, or a multiple of real time such as 1x, 10x, 60x")
	f.StringVar(&opts.out, "out", "", "write the event log to this `file` as JSON Lines")
	f.StringVar(&opts.report, "report", "", "write an after-action report to this `file` (.html, .md, .json or .csv)")
	f.StringVar(&opts.lang, "lang", "", "`language` of the --report: en, es, pt (Brazilian) or fr (default en)")
	f.StringSliceVar(&opts.humans, "human", nil, "teams that stay idle for humans (no simulation); repeat or comma-separate")
	return cmd
}

func (a *app) run(ctx context.Context, target string, opts runOptions) error {
	if opts.report != "" {
		if _, err := reportFormat("", opts.report); err != nil {
			return usageError(fmt.Errorf("run: --report: %w", err))
		}
	}
	lang, err := reportLang(opts.lang)
	if err != nil {
		return usageError(err)
	}
	s, err := a.loadScenario("run", target)
	if err != nil {
		return err
	}
	var sink *eventSink
	if opts.out != "" {
		if sink, err = newEventSink(opts.out); err != nil {
			return err
		}
		defer sink.Close()
	}
	x, err := engine.New(s, engine.Options{Seed: opts.seed, Humans: opts.humans, OnEvent: sink.write})
	if err != nil {
		return usageError(err)
	}
	a.log.Info().Str("scenario", s.Exercise.ID).Uint64("seed", opts.seed).Str("speed", opts.speed.String()).Msg("run started")
	started := time.Now() // when the exercise really ran, for the --report
	progress := newProgressLine(a.stderr, logging.IsTerminal(a.stderr))
	if opts.speed.Max() {
		err = x.RunToEnd()
	} else {
		err = a.runPaced(ctx, x, opts.speed.value, progress)
	}
	progress.show(x.Summarize(), x.Duration())
	progress.done()
	ended := time.Now()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if sink != nil {
		if err := sink.Close(); err != nil {
			return fmt.Errorf("run: writing %s: %w", opts.out, err)
		}
	}
	if err := printSummary(a.stdout, s, x.Summarize()); err != nil {
		return err
	}
	if opts.report != "" {
		if err := writeReport(opts.report, "", s, x.Events(), report.Options{Lang: lang, RunStart: started, RunEnd: ended}); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "\nAfter-action report written to %s\n", opts.report)
	}
	if errors.Is(err, context.Canceled) {
		return &exitError{code: exitFailure, err: errors.New("run: interrupted")}
	}
	return nil
}

// runPaced plays the exercise live at speed times real time, refreshing the
// progress line every second.
func (a *app) runPaced(ctx context.Context, x *engine.Exercise, speed float64, progress *progressLine) error {
	r := engine.NewRunner(x, engine.NewPacer(engine.RealClock(), speed))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if _, err := r.Do(ctx, engine.Command{Type: engine.CmdStart, By: engine.Principal{Role: engine.RoleFacilitator, Name: "cli"}}); err != nil {
		cancel()
		<-done
		return err
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if sum, ok := inspectSummary(ctx, r); ok {
				progress.show(sum, x.Duration())
			}
		}
	}
}

// inspectSummary reads the summary of the exercise r plays. It reports false
// when the runner did not read it: Inspect can return without running its
// function once the exercise has ended, which would show a zeroed summary.
func inspectSummary(ctx context.Context, r *engine.Runner) (engine.Summary, bool) {
	var sum engine.Summary
	read := false
	err := r.Inspect(ctx, func(x *engine.Exercise) {
		sum, read = x.Summarize(), true
	})
	return sum, err == nil && read
}

// eventSink writes events as JSON Lines as they happen.
type eventSink struct {
	f   *os.File
	w   *bufio.Writer
	enc *json.Encoder
	err error
}

func newEventSink(path string) (*eventSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	return &eventSink{f: f, w: w, enc: json.NewEncoder(w)}, nil
}

// write is an engine.Options.OnEvent callback; a nil sink writes nothing.
func (s *eventSink) write(e engine.Event) {
	if s == nil || s.err != nil {
		return
	}
	s.err = s.enc.Encode(&e)
}

// Close flushes and closes the file, returning the first error met.
func (s *eventSink) Close() error {
	if s.f == nil {
		return s.err
	}
	if err := s.w.Flush(); s.err == nil {
		s.err = err
	}
	if err := s.f.Close(); s.err == nil {
		s.err = err
	}
	s.f = nil
	return s.err
}

// progressLine shows a run's progress on one line of a terminal, or as an
// occasional log line elsewhere. It never shows the same line twice.
type progressLine struct {
	w        io.Writer
	terminal bool
	last     time.Time // when the last line was printed (not on a terminal)
	shown    string    // the line shown last
}

func newProgressLine(w io.Writer, terminal bool) *progressLine {
	return &progressLine{w: w, terminal: terminal}
}

// progressInterval is how often the progress line is printed when the
// output is not a terminal.
const progressInterval = 10 * time.Second

func (p *progressLine) show(sum engine.Summary, end time.Duration) {
	var met, late, missed int
	var score float64
	for _, t := range sum.Teams {
		met, late, missed, score = met+t.Met, late+t.Late, missed+t.Missed+t.Wrong, score+t.Score
	}
	line := fmt.Sprintf("T+%s / %s  %s  events %d  injects %d  met %d  late %d  missed %d  points %.0f",
		sum.Now, scenarios.FormatOffset(end), sum.Status, sum.Events, sum.Delivered, met, late, missed, score)
	if line == p.shown {
		return
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.shown = line
		return
	}
	if time.Since(p.last) >= progressInterval || sum.Status == engine.StatusEnded {
		fmt.Fprintln(p.w, line)
		p.last, p.shown = time.Now(), line
	}
}

// done ends the line on a terminal.
func (p *progressLine) done() {
	if p.terminal && p.shown != "" {
		fmt.Fprintln(p.w)
	}
}

// printSummary prints the end-of-run table.
func printSummary(w io.Writer, s *scenarios.Scenario, sum engine.Summary) error {
	fmt.Fprintf(w, "%s — %s at T+%s, %d events, %d injects delivered\n\n", s.Exercise.Title, sum.Status, sum.Now, sum.Events, sum.Delivered)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TEAM\tMODE\tINJECTS\tMET\tLATE\tWRONG\tMISSED\tOPEN\tSCORE")
	for _, t := range sum.Teams {
		pct := 0.0
		if t.MaxScore > 0 {
			pct = 100 * t.Score / float64(t.MaxScore)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f / %d (%.0f%%)\n", t.Team, t.Mode, t.Delivered, t.Met, t.Late, t.Wrong, t.Missed, t.Open, t.Score, t.MaxScore, pct)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(sum.Spreads) > 0 {
		fmt.Fprintf(w, "\nIncident spread: %s\n", strings.Join(sum.Spreads, ", "))
	}
	var provisional []string
	for _, t := range sum.Teams {
		if t.ToJudge > 0 {
			provisional = append(provisional, fmt.Sprintf("%s %.1f (%d to judge)", t.Team, t.Provisional, t.ToJudge))
		}
	}
	if len(provisional) > 0 {
		fmt.Fprintf(w, "\nProvisional points, awaiting evaluators' judgement: %s\n", strings.Join(provisional, ", "))
	}
	return nil
}
