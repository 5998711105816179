package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cmesim/internal/loadtest"
)

// loadtestOptions are the flags of cmesim loadtest.
type loadtestOptions struct {
	cfg   loadtest.Config
	gates loadtest.Gates
	speed *speedFlag
	out   string
	// attempts is the most runs the command makes while each run breaks
	// only latency bounds (--attempts).
	attempts int
}

func (a *app) newLoadtestCommand() *cobra.Command {
	opts := loadtestOptions{speed: newSpeedFlag(loadtest.DefaultSpeed, false, maxLiveSpeed)}
	cmd := &cobra.Command{
		Use:   "loadtest [--trainees N --teams T --duration D] [--url URL --admin-key KEY | --store URL --servers N] [--idle N | --flood N]",
		Short: "Load a live server with many trainees and measure latency and memory",
		Long: `Loadtest plays an exercise against a live server the way a large one
runs: it generates a scenario with --teams teams (an inject every few
virtual minutes, each to be acknowledged), joins --trainees trainees
round-robin across the teams, each with its own session and WebSocket, and
a facilitator who starts the exercise and sends an ad-hoc inject to every
team every --adhoc-every. Each trainee acknowledges or reports on the latest
inject it received every --interval.

It measures the inject delivery latency (facilitator's send to each
trainee's receipt of the inject, end to end; on Linux also to the moment
the inject's bytes reached the trainee's socket, by the kernel's receive
timestamp, which leaves out the time a client waited for a core when the
clients share the server's machine), the round trip of trainee
commands (write to ack), dropped connections (the server closes a client
that falls behind with code 1013; the tool reconnects with since, as the
browser does), and the server's memory from /metrics and /proc.

By default it starts its own server (this binary, "serve" on a free
loopback port, with a random admin key and a temporary data directory and
log) and stops it at the end. --url loads a running server instead; only
loopback addresses are accepted. Trainees connect from 127.1.x.y, eight to
an address, as if from different machines.

--store postgres://… starts the server on that PostgreSQL database instead
(only this flag chooses it, never CMESIM_STORE: the tool writes its
exercise where it is told). --servers N starts N servers on it, as a
cluster behind a load balancer runs: the first creates the exercise and
owns it, the others follow its log and forward their clients' commands to
it. The facilitator joins the first, the trainees all of them round-robin,
and the report breaks latency, commands and memory down by server.

--idle N opens N trainee connections that do nothing, holds them for
--duration and reports the server's memory per connection.

--flood N runs the load for --duration, then for --duration more while one
trainee of the first team floods: it opens N WebSockets on its one session
(the server keeps 8 and closes the rest with 4029) and sends report actions
with --flood-text bytes of text (8 KiB) on each, as fast as the server
answers. The report compares the other teams' command round trip and
inject delivery before and during the flood, measured in the same run, and
says how many of the flood's reports the server accepted and how many it
refused (quota_exceeded, too_many_requests). --max-rtt-p99 then also
applies to the other teams' round trip during the flood.

--max-delivery-p99, --max-rtt-p99, --max-drops and --max-lost make the
command exit 1 when a run exceeds them: the regression gate CI runs.
--max-lost counts ad-hoc deliveries that never arrived or arrived twice
and trainee commands that got no answer. With --attempts N, a
run that breaks only the latency bounds (nothing dropped) is run again
(on a fresh server when the tool starts its own), up to N runs in all,
and the last one decides: a stall of a shared machine makes one slow run,
a slow server makes every run slow. A drop or a loss fails at once. Every run's
report is printed; a file given to --out keeps the last.`,
		Example: `  cmesim loadtest
  cmesim loadtest --trainees 100 --teams 10 --duration 30s --max-delivery-p99 50ms --max-rtt-p99 50ms --max-drops 0 --max-lost 0 --attempts 2
  cmesim loadtest --idle 10000 --duration 30s --out idle.json
  cmesim loadtest --trainees 300 --teams 30 --interval 2s --duration 30s --flood 100 --max-rtt-p99 50ms
  cmesim loadtest --url http://127.0.0.1:8080 --admin-key "$CMESIM_ADMIN_KEY"
  cmesim loadtest --store postgres://cmesim@127.0.0.1/cmesim_load --servers 2`,
		Args: argsUsage(cobra.NoArgs),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("url") || opts.cfg.URL != "" {
				opts.cfg.AdminKey = a.cfg.AdminKey
			}
			return a.loadtest(cmd.Context(), opts)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&opts.cfg.URL, "url", "", "load the server running at this loopback `URL` instead of starting one")
	f.String("admin-key", "", "admin key of the server given by --url (env CMESIM_ADMIN_KEY)")
	f.StringVar(&opts.cfg.ServerExe, "server-exe", "", "cmesim `binary` to start as the server, to compare builds (default: this one)")
	f.StringVar(&opts.cfg.Store, "store", "", "start the servers on this PostgreSQL database (a postgres:// `URL`) instead of SQLite")
	f.IntVar(&opts.cfg.Servers, "servers", 1, "start `N` servers sharing --store; trainees join round-robin across them")
	f.IntVar(&opts.cfg.Trainees, "trainees", loadtest.DefaultTrainees, "trainees to join, round-robin across the teams")
	f.IntVar(&opts.cfg.Teams, "teams", loadtest.DefaultTeams, "teams in the generated scenario")
	f.DurationVar(&opts.cfg.Duration, "duration", loadtest.DefaultDuration, "how long to load the server once the exercise has started (at most 10m)")
	f.DurationVar(&opts.cfg.Interval, "interval", loadtest.DefaultInterval, "time between two actions of one trainee (under 500ms trainees exceed the server's default quota of 120 commands a minute a session)")
	f.Var(opts.speed, "speed", "pace of the exercise: a multiple of real time such as 1x or 60x")
	f.DurationVar(&opts.cfg.AdHocEvery, "adhoc-every", loadtest.DefaultAdHocEvery, "time between two ad-hoc injects to all teams")
	f.DurationVar(&opts.cfg.MessageEvery, "message-every", 0, "each trainee also sends a message to 1–3 other teams this often (0: none)")
	f.IntVar(&opts.cfg.Flood, "flood", 0, "after --duration, one trainee floods over `N` WebSockets for --duration more; compare the other teams' latency")
	f.IntVar(&opts.cfg.FloodText, "flood-text", loadtest.DefaultFloodText, "bytes of text of each flooding report")
	f.IntVar(&opts.cfg.Idle, "idle", 0, "open `N` idle trainee connections instead and report memory per connection")
	f.StringVar(&opts.out, "out", "", "also write the report as JSON to this `file` (- for stdout)")
	f.DurationVar(&opts.gates.MaxDeliveryP99, "max-delivery-p99", 0, "fail if the inject delivery p99 exceeds this (0: no limit)")
	f.DurationVar(&opts.gates.MaxRTTP99, "max-rtt-p99", 0, "fail if the command round-trip p99 exceeds this (0: no limit)")
	f.IntVar(&opts.gates.MaxDrops, "max-drops", -1, "fail if more connections than this are dropped (-1: no limit)")
	f.IntVar(&opts.gates.MaxLost, "max-lost", -1, "fail if more ad-hoc deliveries than this are missing or doubled and commands unanswered (-1: no limit)")
	f.IntVar(&opts.attempts, "attempts", 1, "run up to `N` times while a run breaks only the latency bounds; the last run decides")
	return cmd
}

func (a *app) loadtest(ctx context.Context, opts loadtestOptions) error {
	cfg := opts.cfg
	cfg.Speed = opts.speed.value
	if cfg.Trainees <= 0 || cfg.Teams <= 0 || cfg.Duration <= 0 || cfg.Interval <= 0 || cfg.AdHocEvery <= 0 || cfg.Speed <= 0 || cfg.Servers <= 0 {
		return usageError(fmt.Errorf("loadtest: --trainees, --teams, --duration, --interval, --adhoc-every, --speed and --servers must be positive"))
	}
	if err := cfg.Validate(); err != nil {
		return usageError(fmt.Errorf("loadtest: %w", err))
	}
	if cfg.URL != "" && cfg.ServerExe != "" {
		return usageError(fmt.Errorf("loadtest: give --url or --server-exe, not both"))
	}
	if opts.attempts < 1 {
		return usageError(fmt.Errorf("loadtest: --attempts must be at least 1"))
	}
	cfg.Progress = a.stderr
	for run := 1; ; run++ {
		rep, err := loadtest.Run(ctx, cfg)
		if err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
		rep.Violations = rep.Check(opts.gates)
		if err := a.reportLoad(rep, opts); err != nil {
			return err
		}
		if len(rep.Violations) == 0 {
			return nil
		}
		if run < opts.attempts && rep.SlowOnly(opts.gates) {
			fmt.Fprintf(a.stderr, "loadtest: run %d of at most %d broke only latency bounds (%s); running again\n",
				run, opts.attempts, strings.Join(rep.Violations, "; "))
			continue
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("loadtest: the run failed its gates: %s", strings.Join(rep.Violations, "; "))}
	}
}

// reportLoad writes the report of one run as the flags ask.
func (a *app) reportLoad(rep *loadtest.Report, opts loadtestOptions) error {
	if opts.out != "-" {
		if err := rep.WriteText(a.stdout); err != nil {
			return err
		}
	}
	if opts.out != "" {
		if err := writeJSON(opts.out, a.stdout, rep); err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
	}
	a.log.Debug().Str("mode", rep.Mode).Int("trainees", rep.Settings.Trainees).
		Dur("delivery_p99", time.Duration(rep.Delivery.P99)).Dur("rtt_p99", time.Duration(rep.RTT.P99)).
		Int64("drops", rep.Drops()).Msg("load test finished")
	return nil
}
