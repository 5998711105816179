package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"cmesim/internal/config"
	"cmesim/internal/logging"
)

// The process exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed: an invalid scenario, an I/O error
	exitUsage   = 2 // bad command line or configuration
)

// app is one run of the CLI: its output streams, its environment and, once
// the command line is parsed, its configuration and logger.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string

	configFile string // --config
	cfg        config.Config
	log        zerolog.Logger
}

func newApp(stdout, stderr io.Writer, getenv func(string) string) *app {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	return &app{stdout: stdout, stderr: stderr, getenv: getenv, log: zerolog.Nop()}
}

// exitError carries the exit code a failure maps to.
type exitError struct {
	code int
	err  error
	// help asks for a pointer to --help after the message.
	help bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a mistake in how cmesim was called (exit 2).
func usageError(err error) error { return &exitError{code: exitUsage, err: err, help: true} }

// configError marks err as a bad configuration (exit 2); --help would not fix it.
func configError(err error) error {
	return &exitError{code: exitUsage, err: fmt.Errorf("configuration: %w", err)}
}

// execute runs the command line and maps its outcome to an exit code.
func (a *app) execute(ctx context.Context, args []string) int {
	root := a.newRootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	// Errors cobra raises itself (unknown commands, wrong arguments) are usage errors.
	code, help := exitUsage, true
	var ee *exitError
	if errors.As(err, &ee) {
		code, help = ee.code, ee.help
	}
	fmt.Fprintf(a.stderr, "cmesim: %v\n", err)
	if help && cmd != nil {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// newRootCommand builds the cmesim command tree. A new subcommand is one
// file with a method "func (a *app) newXxxCommand() *cobra.Command" added to
// the list below; wrap its RunE with a.runE so failures exit 1. Subcommands must not set
// PersistentPreRunE, which would replace the configuration and logging
// set-up done here.
func (a *app) newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "cmesim",
		Short: "Cyber crisis-management exercises for national CSIRTs",
		Long: `cmesim runs cyber crisis-management exercises for national CSIRTs from
scenarios written in YAML (an MSEL with teams, injects, triggers and
expectations): they check, run and score scenarios, write after-action
reports, and serve live exercises to browsers. The bundled library is
embedded in the binary and named without ".yaml".`,
		Version:           versionString(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: a.setup,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")

	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "config `file` (default: first cmesim.yaml in ./configs, the binary's directory, /etc/cmesim; env CMESIM_CONFIG)")
	pf.String("log-level", "", "log `level`: debug, info, warn or error (default info; env CMESIM_LOG_LEVEL)")
	pf.String("log-format", "", "log `format`: auto, console or json (default auto: console on a terminal, else JSON; env CMESIM_LOG_FORMAT)")

	root.AddCommand(
		a.newValidateCommand(),
		a.newDescribeCommand(),
		a.newSchemaCommand(),
		a.newLibraryCommand(),
		a.newRunCommand(),
		a.newBatchCommand(),
		a.newReportCommand(),
		a.newServeCommand(),
		a.newLoadtestCommand(),
		a.newExportCommand(),
		a.newImportCommand(),
		a.newRetargetCommand(),
		a.newMselCommand(),
		a.newInviteCommand(),
		a.newVersionCommand(),
	)
	return root
}

// setup loads the configuration and builds the logger before any subcommand runs.
// Help and shell completion work even when the configuration is broken.
func (a *app) setup(cmd *cobra.Command, _ []string) error {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return nil
		}
	}
	cfg, err := config.LoadFor(configScope(cmd), cmd.Flags(), a.getenv, a.configFile)
	if err != nil {
		return configError(err)
	}
	log, err := logging.New(a.stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return configError(err)
	}
	a.cfg, a.log = cfg, log
	a.log.Debug().
		Str("config_file", cfg.File).
		Str("log_level", cfg.LogLevel).
		Str("log_format", cfg.LogFormat).
		Str("listen", cfg.Listen).
		Str("data_dir", cfg.DataDir).
		Str("command", cmd.CommandPath()).
		Msg("configuration loaded")
	return nil
}

// configScope says which settings cmd reads: serve and loadtest (which
// starts servers) every one, the commands that open the store its
// settings too, the others only the log's. A bad server setting, such as
// a short admin key in the environment, then cannot stop validate or run.
func configScope(cmd *cobra.Command) config.Scope {
	// The command under the root: "msel export" is not "export".
	for cmd.HasParent() && cmd.Parent().HasParent() {
		cmd = cmd.Parent()
	}
	switch cmd.Name() {
	case "serve", "loadtest":
		return config.ScopeServer
	case "report", "export", "import", "invite":
		return config.ScopeStore
	}
	return config.ScopeLog
}

// runE adapts a command's function so that its failures exit 1 unless they
// already carry an exit code.
func (a *app) runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		var ee *exitError
		if err == nil || errors.As(err, &ee) {
			return err
		}
		return &exitError{code: exitFailure, err: err}
	}
}

// argsUsage wraps a cobra argument check so its complaint exits 2 and says
// what the command expects.
func argsUsage(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError(fmt.Errorf("%s: %w (usage: %s)", cmd.Name(), err, strings.TrimSpace(cmd.UseLine())))
		}
		return nil
	}
}
