// Package scengen writes large synthetic scenarios for benchmarks and
// scaling tests: any number of teams and injects, half of the injects on
// fixed offsets and half triggered by the one before, each with an
// acknowledgement and a share expectation addressed to a group of teams.
package scengen

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"cmesim/scenarios"
)

// Spec says how large a generated scenario is.
type Spec struct {
	// Teams is the number of teams (at least 2).
	Teams int
	// Injects is the number of injects (at least 1).
	Injects int
	// ToAll sends every inject to all teams, and links every team to every
	// other; otherwise inject i goes to team i mod Teams only.
	ToAll bool
	// GroupSize is how many teams each sharing group holds; the teams are
	// split into consecutive groups and every group is one network link.
	// Zero puts every team in one group.
	GroupSize int
	// Duration is the exercise's planned length; zero means 100 hours.
	// The timed injects fall in the first Injects/2 minutes (at most
	// 5,000), each triggered one 5 minutes after the timed one before it,
	// and a share is due an hour after its inject: under an hour the
	// scenario is invalid, and under Injects/2+65 minutes the last
	// injects' deadlines fall after the end (a warning).
	Duration time.Duration
}

// groupSize returns the effective group size, at least 2 and at most Teams.
func (s Spec) groupSize() int {
	if s.GroupSize <= 0 || s.GroupSize > s.Teams {
		return s.Teams
	}
	return max(2, s.GroupSize)
}

// groupOf returns the group index of team t.
func (s Spec) groupOf(t int) int {
	g := t / s.groupSize()
	// A last group of one team joins the group before it.
	if last := (s.Teams - 1) / s.groupSize(); g == last && s.Teams%s.groupSize() == 1 && g > 0 {
		return g - 1
	}
	return g
}

// YAML returns the scenario as YAML source.
func YAML(spec Spec) []byte {
	spec.Teams = max(2, spec.Teams)
	spec.Injects = max(1, spec.Injects)
	var b strings.Builder
	b.Grow(400 * spec.Injects)
	duration := cmp.Or(spec.Duration, 100*time.Hour)
	fmt.Fprintf(&b, "format: cmesim/v1\nexercise:\n  id: generated\n  title: Generated\n  duration: %s\n", duration)
	b.WriteString("  objectives:\n    - {id: O1, text: Detect, capability: detection}\n    - {id: O2, text: Share, capability: information_sharing}\n")
	b.WriteString("teams:\n")
	for i := range spec.Teams {
		fmt.Fprintf(&b, "  - {id: t%d, name: Team %d, country: CO, timezone: America/Bogota, sector: national}\n", i, i)
	}
	b.WriteString("actors:\n  - {id: gov, name: Government, kind: national_authority}\n")
	groups := spec.groupOf(spec.Teams-1) + 1
	b.WriteString("groups:\n")
	for g := range groups {
		fmt.Fprintf(&b, "  - id: g%d\n    name: Group %d\n    members: [", g, g)
		sep := ""
		for t := range spec.Teams {
			if spec.groupOf(t) == g {
				fmt.Fprintf(&b, "%st%d", sep, t)
				sep = ", "
			}
		}
		b.WriteString("]\n")
	}
	if spec.ToAll {
		// Every team receives every inject and shares with a group: every
		// team needs a link to every other.
		b.WriteString("  - id: everyone\n    name: Everyone\n    members: [")
		for t := range spec.Teams {
			if t > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "t%d", t)
		}
		b.WriteString("]\n")
	}
	b.WriteString("network:\n  links:\n")
	for g := range groups {
		fmt.Fprintf(&b, "    - {between: [group:g%d], tlp: [clear, green, amber]}\n", g)
	}
	if spec.ToAll {
		b.WriteString("    - {between: [group:everyone], tlp: [amber, red]}\n")
	}
	b.WriteString("injects:\n")
	for i := range spec.Injects {
		fmt.Fprintf(&b, "  - id: I%d\n    title: Inject %d\n", i, i)
		if i%2 == 0 {
			fmt.Fprintf(&b, "    at: %dm\n", (i/2)%5000)
		} else {
			fmt.Fprintf(&b, "    trigger: {after: I%d, delay: 5m}\n", i-1)
		}
		team := i % spec.Teams
		to := fmt.Sprintf("t%d", team)
		if spec.ToAll {
			to = "all"
		}
		fmt.Fprintf(&b, "    channel: email\n    from: gov\n    to: [%s]\n    body: Hello {{team.name}}, item %d.\n", to, i)
		b.WriteString("    expectations:\n      - {id: ack, action: acknowledge, within: 15m, points: 5, objective: O1}\n")
		share := fmt.Sprintf("group:g%d", spec.groupOf(team))
		fmt.Fprintf(&b, "      - {id: share, action: share, with: [%s], tlp: amber, within: 1h, points: 10, objective: O2}\n", share)
	}
	return []byte(b.String())
}

// Scenario parses the generated scenario; it fails only if the generator
// writes an invalid one.
func Scenario(spec Spec) (*scenarios.Scenario, error) {
	s, problems := scenarios.Parse("generated.yaml", YAML(spec))
	if problems.HasErrors() {
		return nil, fmt.Errorf("scengen: generated scenario is invalid:\n%s", problems)
	}
	return s, nil
}
