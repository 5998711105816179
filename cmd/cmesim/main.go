// Command cmesim runs cyber crisis-management exercises for national CSIRTs:
// it validates and describes scenarios, prints the scenario JSON Schema and
// lists the bundled scenario library. Run "cmesim --help" for the commands.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one cmesim command line and returns the process exit code:
// 0 on success, 1 when the command failed (such as an invalid scenario),
// 2 for a usage or configuration error. It reads the environment only
// through getenv and writes only to stdout and stderr, so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return newApp(stdout, stderr, getenv).execute(ctx, args)
}
