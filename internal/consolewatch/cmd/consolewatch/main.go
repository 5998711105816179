// Command consolewatch opens a console of a running exercise (a staff
// member's or, with -role trainee, a team's) in headless Chromium and
// prints, once a period, how the page keeps up (package consolewatch),
// then a summary. With a load running against the same server:
//
//	cmesim serve --listen 127.0.0.1:8080 --data "$(mktemp -d)" --admin-key "$KEY" --exercise none &
//	go run ./internal/consolewatch/cmd/consolewatch -url http://127.0.0.1:8080 -admin-key "$KEY" -for 70s &
//	cmesim loadtest --url http://127.0.0.1:8080 --admin-key "$KEY" --trainees 5000 --teams 60 --duration 60s --speed 10
//
// Without -exercise it waits for the server's first exercise (the load
// tool's) and watches the newest.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"cmesim/internal/browser"
	"cmesim/internal/consolewatch"
)

func main() {
	var opts consolewatch.Options
	flag.StringVar(&opts.URL, "url", "http://127.0.0.1:8080", "the server's base URL")
	flag.StringVar(&opts.AdminKey, "admin-key", os.Getenv("CMESIM_ADMIN_KEY"), "the server's admin key (env CMESIM_ADMIN_KEY)")
	flag.StringVar(&opts.Exercise, "exercise", "", "the exercise's id (default: the newest, waiting for one)")
	flag.StringVar(&opts.Role, "role", "facilitator", "the console: facilitator, evaluator, observer or trainee")
	flag.StringVar(&opts.Team, "team", "", "the team a trainee's console joins (default: the first by id)")
	flag.DurationVar(&opts.Duration, "for", time.Minute, "how long to sample")
	flag.DurationVar(&opts.Every, "every", time.Second, "the sampling period")
	flag.StringVar(&opts.Chromium, "chromium", browser.Path(), "the Chromium executable (default: $CHROME_PATH or chromium on PATH)")
	flag.Parse()
	if opts.Chromium == "" {
		fail(fmt.Errorf("no Chromium found: install Debian's chromium or pass -chromium"))
	}
	opts.Sampled = func(s consolewatch.Sample) {
		if s.Err != "" {
			fmt.Printf("%6.1fs  no answer after %v: %s\n", s.At.Seconds(), s.Answer.Round(time.Millisecond), s.Err)
			return
		}
		fmt.Printf("%6.1fs  answered in %8v  %-10s  %5d entries, newest event %6d  heap %3.0f MB  %s\n",
			s.At.Seconds(), s.Answer.Round(100*time.Microsecond), s.State, s.Entries, s.Newest, s.HeapMB, s.Path)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := consolewatch.Watch(ctx, opts)
	if err != nil {
		fail(err)
	}
	if err := rep.WriteText(os.Stdout); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "consolewatch:", err)
	os.Exit(1)
}
