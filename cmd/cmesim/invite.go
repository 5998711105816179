package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cmesim/engine"
	"cmesim/invite"
	"cmesim/scenarios"
	"cmesim/store"
)

// inviteOptions are the flags of cmesim invite.
type inviteOptions struct {
	baseURL, start, out string
}

func (a *app) newInviteCommand() *cobra.Command {
	var o inviteOptions
	cmd := &cobra.Command{
		Use:   "invite EXERCISE-ID|ARCHIVE --base-url URL [--start TIME] [-o DIR]",
		Short: "Write a calendar invitation (.ics) per team with its join link",
		Long: `Invite writes one calendar invitation (iCalendar, RFC 5545) per team of an
exercise, TEAM-ID.ics in the output directory: the exercise's title and
planned duration, the start in the team's own time zone (with a VTIMEZONE
for it) and the team's join link, BASE-URL/?code=CODE.

The exercise is one in the store (--data) named by its id, or an archive
written by cmesim export. The start is --start (RFC 3339, such as
2026-05-12T08:30:00-05:00), or else the start a facilitator scheduled,
or else the scenario's exercise.start_time.

The files hold the teams' join codes: they are written readable by their
owner only; send each to its team alone.`,
		Example: `  cmesim invite 3f2a9c1e-… --base-url https://cmesim.example.org --start 2026-05-12T08:30:00-05:00 -o invitations/
  cmesim invite grid.cmesim.tar.gz --base-url https://cmesim.example.org`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.invite(cmd.Context(), args[0], o)
		}),
	}
	cmd.Flags().StringVar(&o.baseURL, "base-url", "", "`URL` of the cmesim server the teams join")
	cmd.Flags().StringVar(&o.start, "start", "", "scheduled start `time` (RFC 3339); default the exercise's scheduled start, else the scenario's start_time")
	cmd.Flags().StringVarP(&o.out, "output", "o", ".", "`directory` to write the .ics files into")
	cmd.Flags().String("data", "", "directory of the exercise store (env CMESIM_DATA_DIR)")
	cmd.MarkFlagRequired("base-url")
	return cmd
}

func (a *app) invite(ctx context.Context, target string, o inviteOptions) error {
	base, err := url.Parse(o.baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usageError(fmt.Errorf("invite: --base-url must be an http(s) URL such as https://cmesim.example.org, got %q", o.baseURL))
	}
	ex, events, err := a.exerciseFor(ctx, target)
	if err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	s, problems := scenarios.ParseWith(ex.Scenario, ex.Source, scenarios.FileMap(ex.Files))
	if s == nil {
		return fmt.Errorf("invite: the exercise's scenario is invalid: %v", problems.Err())
	}
	start := s.Exercise.StartTime.Time
	if at := engine.ScheduledStart(events); at != nil {
		start = *at // the facilitator's schedule
	}
	if o.start != "" {
		if start, err = time.Parse(time.RFC3339, o.start); err != nil {
			return usageError(fmt.Errorf("invite: --start %q is not an RFC 3339 time such as 2026-05-12T08:30:00-05:00", o.start))
		}
	}
	if start.IsZero() {
		return usageError(errors.New("invite: the scenario has no start_time; give --start"))
	}
	var codes struct {
		Teams map[string]string `json:"teams"`
	}
	if err := json.Unmarshal(ex.Codes, &codes); err != nil && len(ex.Codes) > 0 {
		return fmt.Errorf("invite: the exercise's join codes are unreadable: %w", err)
	}
	if err := os.MkdirAll(o.out, 0o700); err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	now := time.Now()
	for i := range s.Teams {
		t := &s.Teams[i]
		code, ok := codes.Teams[t.ID]
		if !ok {
			return fmt.Errorf("invite: exercise %s has no join code for team %s", ex.ID, t.ID)
		}
		link := strings.TrimSuffix(base.String(), "/") + "/?code=" + url.QueryEscape(code)
		text, err := invite.ForTeam(ex.ID, s, t, start, link, now).ICS()
		if err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		path := filepath.Join(o.out, t.ID+".ics")
		if err := writePrivate(path, []byte(text)); err != nil {
			return fmt.Errorf("invite: %w", err)
		}
		local := start.In(t.Location())
		fmt.Fprintf(a.stdout, "%s: %s, %s %s\n", path, t.Name, local.Format("Mon 2 Jan 2006 15:04"), t.TimeZone)
	}
	return nil
}

// exerciseFor reads an exercise and its log from an archive file, or from
// the store by id.
func (a *app) exerciseFor(ctx context.Context, target string) (*store.Exercise, []engine.Event, error) {
	if _, err := os.Stat(target); err == nil {
		return readArchive(target)
	}
	db, err := a.openStore(false)
	if err != nil {
		return nil, nil, fmt.Errorf("no archive file %s, and %w", target, err)
	}
	defer db.Close()
	ex, err := db.Exercise(ctx, target)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("no archive file %s, and %w", target, noExercise(ctx, db, target))
	}
	if err != nil {
		return nil, nil, err
	}
	events, err := db.Events(ctx, target, 0)
	return ex, events, err
}

// writePrivate writes a file readable by its owner only.
func writePrivate(path string, data []byte) error {
	f, err := createPrivate(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
