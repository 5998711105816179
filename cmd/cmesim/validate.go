package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"cmesim/scenarios"
)

// validateOptions are the flags of cmesim validate.
type validateOptions struct {
	all    bool // also validate every bundled scenario
	strict bool // warnings fail too
	maxMiB int  // largest scenario file, MiB (0: the default)
}

func (a *app) newValidateCommand() *cobra.Command {
	var opts validateOptions
	cmd := &cobra.Command{
		Use:   "validate [--all] [--strict] FILE|NAME...",
		Short: "Check scenarios and report every problem as file:line:col",
		Long: `Validate loads each scenario, given as a file path or as the name of a
bundled scenario, and prints every problem on its own line as
"file:line:col: error|warning: message", then one summary line per file.

Exit status: 0 when every scenario is valid, 1 when any has errors (or
warnings, with --strict), 2 for a usage error.`,
		Example: `  cmesim validate grid-ransomware
  cmesim validate --all
  cmesim validate --strict my-exercise.yaml`,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.validate(cmd, args, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.all, "all", false, "validate every bundled scenario too")
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "treat warnings as errors")
	addMaxScenarioSizeFlag(cmd, &opts.maxMiB)
	return cmd
}

func (a *app) validate(cmd *cobra.Command, args []string, opts validateOptions) error {
	targets := args
	if opts.all {
		targets = append(targets, scenarios.Library()...)
	}
	if len(targets) == 0 {
		return usageError(errors.New("validate: name at least one scenario file or bundled scenario, or use --all"))
	}
	if err := setMaxScenarioSize("validate", opts.maxMiB); err != nil {
		return err
	}
	if a.getenv("GOGC") == "" { // an explicit GOGC wins
		defer debug.SetGCPercent(debug.SetGCPercent(validateGCPercent))
	}
	failed := 0
	for _, target := range targets {
		if err := cmd.Context().Err(); err != nil {
			return err
		}
		s, problems := openScenario(target)
		name := scenarioName(target, s, problems)
		if !reportProblems(a.stdout, name, problems, opts.strict) {
			failed++
		}
		a.log.Debug().Str("scenario", name).Int("problems", len(problems)).Msg("validated")
	}
	if failed > 0 {
		return fmt.Errorf("validate: %d of %d scenarios invalid", failed, len(targets))
	}
	return nil
}

// validateGCPercent is the garbage collector's target during validate (see
// runtime/debug.SetGCPercent). Loading a large scenario allocates about
// twice what the decoded scenario keeps, and at the default GOGC=100 the
// heap peaks at about twice the live data: for a 28,000-inject scenario,
// 126–145 MB of RSS against 112–117 MB at 50, for about 5% more CPU. A
// GOGC set in the environment wins.
const validateGCPercent = 50

// openScenario loads a scenario with scenarios.Open; when target is neither
// a file nor a bundled scenario, it says so, since a mistyped library name
// is the likely cause.
func openScenario(target string) (*scenarios.Scenario, scenarios.Problems) {
	s, problems := scenarios.Open(target)
	if s != nil || len(problems) != 1 || !problems[0].Pos.IsZero() {
		return s, problems
	}
	if _, err := os.Stat(target); errors.Is(err, fs.ErrNotExist) {
		problems[0].Message = fmt.Sprintf("no such file, and no bundled scenario named %q (see cmesim library)", target)
	}
	return s, problems
}

// scenarioName is the name problems were reported against: the path, or
// "scenarios/NAME.yaml" for a bundled scenario.
func scenarioName(target string, s *scenarios.Scenario, problems scenarios.Problems) string {
	switch {
	case s != nil && s.File != "":
		return s.File
	case len(problems) > 0 && problems[0].Pos.File != "":
		return problems[0].Pos.File
	}
	return target
}

// reportProblems prints each problem and a summary line for one file, and
// reports whether the file passes.
func reportProblems(w io.Writer, name string, problems scenarios.Problems, strict bool) bool {
	for _, p := range problems {
		fmt.Fprintln(w, formatProblem(p))
	}
	errs, warns := len(problems.Errors()), len(problems.Warnings())
	switch {
	case errs > 0 && warns > 0:
		fmt.Fprintf(w, "%s: invalid (%s, %s)\n", name, plural(errs, "error"), plural(warns, "warning"))
		return false
	case errs > 0:
		fmt.Fprintf(w, "%s: invalid (%s)\n", name, plural(errs, "error"))
		return false
	case warns > 0 && strict:
		fmt.Fprintf(w, "%s: invalid (%s, failing with --strict)\n", name, plural(warns, "warning"))
		return false
	case warns > 0:
		fmt.Fprintf(w, "%s: ok (%s)\n", name, plural(warns, "warning"))
	default:
		fmt.Fprintf(w, "%s: ok\n", name)
	}
	return true
}

// formatProblem writes "file:line:col: level: message", leaving out the
// line and column when the problem concerns the file as a whole.
func formatProblem(p scenarios.Problem) string {
	if p.Pos.IsZero() {
		return fmt.Sprintf("%s: %s: %s", p.Pos.File, p.Level, p.Message)
	}
	return p.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// addMaxScenarioSizeFlag adds --max-scenario-size, the largest scenario
// file a command reads, in MiB.
func addMaxScenarioSizeFlag(cmd *cobra.Command, mib *int) {
	cmd.Flags().IntVar(mib, "max-scenario-size", 0, fmt.Sprintf("largest scenario file to read, in `MiB` (default %d)", scenarios.MaxFileSize>>20))
	addAttachmentLimitFlags(cmd)
}

// setMaxScenarioSize applies --max-scenario-size (0: the default).
func setMaxScenarioSize(command string, mib int) error {
	if mib < 0 || mib > 4096 {
		return usageError(fmt.Errorf("%s: --max-scenario-size must be between 1 and 4096 MiB (0 keeps the default, %d MiB), got %d", command, scenarios.MaxFileSize>>20, mib))
	}
	scenarios.SetMaxFileSize(int64(mib) << 20)
	return nil
}
