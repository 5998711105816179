package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"cmesim/retarget"
	"cmesim/scenarios"
)

func (a *app) newRetargetCommand() *cobra.Command {
	var mapping, out string
	cmd := &cobra.Command{
		Use:   "retarget SCENARIO --map OLD=NEW,... -o FILE",
		Short: "Move a scenario's teams to other OAS member states",
		Long: `Retarget writes a copy of a scenario (a file or a bundled scenario) in
which the teams and actors of each mapped country belong to another OAS
member state, and checks that the copy is valid.

What changes, for every team or actor whose country is mapped:
  - its country; a team's time zone when it is one of the old country's
    zones (working hours follow: they are in the team's zone); a team's
    languages when they are the old country's official languages;
  - its id, where the old country code is a part of it separated by - or _
    (co-csirt -> jm-csirt, mme-co -> mme-jm), and every reference to it;
  - a team named after the old country's national CSIRT takes the new
    country's (colCERT -> JaCIRT); a national team whose name names no
    country becomes "National CSIRT (Jamaica)" (in the exercise's language).
In every text (names, titles, bodies, prompts, criteria, notes,
attachments, translations), a country's name as listed in the registry, in
English, Spanish, Portuguese or French and as a whole word, becomes the new
country's name in the language of that text, and the old names of renamed
teams become their new names. Nothing else is touched: adjectives
("Colombian"), cities, organisations and comments stay as they are, so
review the result before use.

A country may be mapped once; two countries may not become the same one,
nor one that a team not moved already has.`,
		Example: `  cmesim retarget grid-ransomware --map co=jm,ec=tt,pe=bs -o caribbean-grid.yaml
  cmesim retarget my-exercise.yaml --map pe=co,co=pe -o swapped.yaml`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(_ *cobra.Command, args []string) error {
			m, err := retarget.ParseMap(mapping)
			if err != nil {
				return usageError(fmt.Errorf("retarget: --map: %w", err))
			}
			return a.retarget(args[0], m, out)
		}),
	}
	cmd.Flags().StringVar(&mapping, "map", "", "country `pairs` OLD=NEW, comma-separated ISO codes (co=jm,ec=tt)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "scenario `file` to write")
	cmd.MarkFlagRequired("map")
	cmd.MarkFlagRequired("output")
	return cmd
}

func (a *app) retarget(target string, m retarget.Map, out string) error {
	s, err := a.loadScenario("retarget", target)
	if err != nil {
		return err
	}
	src, err := scenarioSource(target)
	if err != nil {
		return fmt.Errorf("retarget: %w", err)
	}
	text, err := retarget.Scenario(s, src, m)
	if err != nil {
		return fmt.Errorf("retarget: %w", err)
	}
	if _, problems := scenarios.ParseWith(out, text, s.Files()); problems.HasErrors() {
		for _, p := range problems {
			fmt.Fprintln(a.stderr, formatProblem(p))
		}
		return fmt.Errorf("retarget: the retargeted scenario is invalid (%s); nothing written", plural(len(problems.Errors()), "error"))
	}
	if err := os.WriteFile(out, text, 0o644); err != nil {
		return fmt.Errorf("retarget: %w", err)
	}
	if err := writeAttachedFiles(filepath.Dir(out), s.Files()); err != nil {
		return fmt.Errorf("retarget: %w", err)
	}
	fmt.Fprintf(a.stdout, "%s: retargeted %s (%s)\n", out, filepath.Base(scenarioName(target, s, nil)), m)
	return nil
}

// scenarioSource returns the YAML text of a scenario file, or of a bundled
// scenario when no such file exists.
func scenarioSource(target string) ([]byte, error) {
	src, err := os.ReadFile(target)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return src, err
	}
	if slices.Contains(scenarios.Library(), strings.TrimSuffix(target, ".yaml")) {
		return scenarios.LibrarySource(target)
	}
	return nil, err
}

// writeAttachedFiles puts a scenario's attached files under dir, at their
// paths relative to the scenario, so that a scenario written there finds
// them; a file already there is left as it is.
func writeAttachedFiles(dir string, files scenarios.FileMap) error {
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
