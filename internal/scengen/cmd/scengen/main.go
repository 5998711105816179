// Command scengen writes a generated scenario (package scengen) to standard
// output, so that the cmesim commands can be timed on large scenarios:
//
//	go run ./internal/scengen/cmd/scengen -teams 60 -injects 28000 -group 10 > ce28k.yaml
//	/usr/bin/time -v cmesim validate ce28k.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"cmesim/internal/scengen"
)

func main() {
	var spec scengen.Spec
	flag.IntVar(&spec.Teams, "teams", 10, "number of teams")
	flag.IntVar(&spec.Injects, "injects", 1000, "number of injects")
	flag.IntVar(&spec.GroupSize, "group", 0, "teams per sharing group (0: one group of all)")
	flag.BoolVar(&spec.ToAll, "to-all", false, "send every inject to every team")
	flag.Parse()
	if _, err := os.Stdout.Write(scengen.YAML(spec)); err != nil {
		fmt.Fprintln(os.Stderr, "scengen:", err)
		os.Exit(1)
	}
}
