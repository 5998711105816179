package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cmesim/scenarios"
)

func (a *app) newLibraryCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "library",
		Short: "List the bundled scenarios",
		Long: `Library lists the scenarios embedded in cmesim with their title, number of
teams and injects, and planned duration. Any command that takes a scenario
accepts these names as well as file paths.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: a.runE(func(*cobra.Command, []string) error { return a.library() }),
	}
}

func (a *app) library() error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTEAMS\tINJECTS\tDURATION\tTITLE")
	invalid := 0
	for _, name := range scenarios.Library() {
		s, problems := scenarios.LoadLibrary(name)
		if s == nil {
			invalid++
			fmt.Fprintf(tw, "%s\t-\t-\t-\tINVALID: %s; run 'cmesim validate %s'\n", name, plural(len(problems.Errors()), "error"), name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", name, len(s.Teams), len(s.Injects), s.Exercise.Duration, s.Exercise.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if invalid > 0 {
		return fmt.Errorf("library: %s invalid", plural(invalid, "bundled scenario"))
	}
	return nil
}
