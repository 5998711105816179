package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"cmesim/scenarios"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module version, or "dev".
var version = ""

// versionString returns cmesim's version.
func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

func (a *app) newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of cmesim and of the scenario format",
		Args:  argsUsage(cobra.NoArgs),
		RunE: a.runE(func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(a.stdout, "cmesim %s\nscenario format: %s\nbuilt with %s %s/%s\n",
				versionString(), scenarios.FormatV1, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		}),
	}
}
