package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cmesim/countries"
	"cmesim/scenarios"
)

func (a *app) newLibraryCommand() *cobra.Command {
	var f scenarios.Filter
	cmd := &cobra.Command{
		Use:   "library",
		Short: "List the bundled scenarios",
		Long: `Library lists the scenarios embedded in cmesim with their title, number of
teams and injects, planned duration and library tags: level of play,
calibrated difficulty, sectors, the teams' countries and the languages the
scenario is written in. Any command that takes a scenario accepts these
names as well as file paths.

The filters keep the scenarios that match all of them: --country (an OAS
member state's ISO code, such as jm), --sector, --level and --lang (a
language code, such as es).`,
		Example: `  cmesim library --country jm
  cmesim library --sector health --lang es
  cmesim library --level strategic`,
		Args: argsUsage(cobra.NoArgs),
		RunE: a.runE(func(*cobra.Command, []string) error {
			if err := checkLibraryFilter(&f); err != nil {
				return usageError(err)
			}
			return a.library(f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Country, "country", "", "only scenarios with a team of this country (ISO code, such as jm)")
	fl.StringVar(&f.Sector, "sector", "", "only scenarios of this sector ("+strings.Join(scenarios.SectorValues(), ", ")+")")
	fl.StringVar(&f.Level, "level", "", "only scenarios of this level ("+strings.Join(scenarios.LevelValues(), ", ")+")")
	fl.StringVar(&f.Language, "lang", "", "only scenarios written in this language (such as es)")
	return cmd
}

// checkLibraryFilter normalises the filter and refuses values that can
// match nothing because they are misspelt.
func checkLibraryFilter(f *scenarios.Filter) error {
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	f.Sector = strings.ToLower(strings.TrimSpace(f.Sector))
	f.Level = strings.ToLower(strings.TrimSpace(f.Level))
	f.Language = strings.ToLower(strings.TrimSpace(f.Language))
	switch {
	case f.Country != "" && !countries.IsMember(f.Country):
		return fmt.Errorf("library: --country %q is not the ISO code of an OAS member state (such as jm, co, mx)", strings.ToLower(f.Country))
	case f.Sector != "" && !slices.Contains(scenarios.SectorValues(), f.Sector):
		return fmt.Errorf("library: unknown --sector %q; expected one of %s", f.Sector, strings.Join(scenarios.SectorValues(), ", "))
	case f.Level != "" && !slices.Contains(scenarios.LevelValues(), f.Level):
		return fmt.Errorf("library: unknown --level %q; expected one of %s", f.Level, strings.Join(scenarios.LevelValues(), ", "))
	case f.Language != "" && (len(f.Language) != 2 || strings.Trim(f.Language, "abcdefghijklmnopqrstuvwxyz") != ""):
		return fmt.Errorf("library: --lang %q must be a two-letter language code such as es", f.Language)
	}
	return nil
}

func (a *app) library(f scenarios.Filter) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTEAMS\tINJECTS\tDURATION\tLEVEL\tDIFFICULTY\tSECTORS\tCOUNTRIES\tLANGS\tTITLE")
	invalid, shown := 0, 0
	for _, name := range scenarios.Library() {
		s, problems := scenarios.LoadLibrary(name)
		if s == nil {
			invalid++
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t-\tINVALID: %s; run 'cmesim validate %s'\n", name, plural(len(problems.Errors()), "error"), name)
			continue
		}
		facts := s.Facts()
		if !f.Match(facts) {
			continue
		}
		shown++
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, len(s.Teams), len(s.Injects), s.Exercise.Duration,
			orDash(facts.Level), orDash(facts.Difficulty), orDash(strings.Join(facts.Sectors, ",")),
			strings.ToLower(strings.Join(facts.Countries, ",")), strings.Join(facts.Languages, ","), s.Exercise.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if invalid > 0 {
		return fmt.Errorf("library: %s invalid", plural(invalid, "bundled scenario"))
	}
	if shown == 0 {
		fmt.Fprintln(a.stderr, "library: no bundled scenario matches the filters")
	}
	return nil
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
