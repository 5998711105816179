package main

import (
	"github.com/spf13/cobra"

	"cmesim/scenarios"
)

func (a *app) newSchemaCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the scenario format",
		Long: `Schema prints a JSON Schema (draft 2020-12) of the scenario format, for
editor completion and checking. For VS Code with the YAML extension, save it
and add to the top of a scenario:

  # yaml-language-server: $schema=cmesim.schema.json

The schema checks the shape of a file; cmesim validate also checks
references, timing and sharing rules.`,
		Example: `  cmesim schema > cmesim.schema.json`,
		Args:    argsUsage(cobra.NoArgs),
		RunE: a.runE(func(*cobra.Command, []string) error {
			_, err := a.stdout.Write(scenarios.JSONSchema())
			return err
		}),
	}
}
