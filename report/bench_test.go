package report_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

// oas lists the 35 OAS member states, one simulated national CSIRT each.
var oas = strings.Fields("AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC SR TT US UY VE")

// bigScenario writes a scenario with 35 teams and injects every injects
// to all of them, each with four expectations: at 36 injects a run logs
// over 10,000 events.
func bigScenario(tb testing.TB, injects int) *scenarios.Scenario {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`format: cmesim/v1
exercise:
  id: big
  title: Hemisphere-wide campaign
  duration: 10h
  start_time: 2026-03-10T09:00:00-05:00
  objectives:
    - {id: O1, text: Detect and triage., capability: detection}
    - {id: O2, text: Share with the region., capability: information_sharing}
    - {id: O3, text: Contain., capability: containment}
teams:
`)
	for _, c := range oas {
		fmt.Fprintf(&b, "  - {id: %s-csirt, name: CSIRT %s, country: %s, timezone: America/Bogota, sector: national, profile: {analysts: 3, skill: 0.75}}\n", strings.ToLower(c), c, c)
	}
	b.WriteString("groups:\n  - id: oas\n    name: CSIRTAmericas\n    members: [")
	for i, c := range oas {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.ToLower(c) + "-csirt")
	}
	b.WriteString("]\nnetwork:\n  links:\n    - {between: [group:oas], tlp: [clear, green, amber]}\n")
	b.WriteString("incidents:\n  - {id: INC1, title: Campaign, sector: government}\ninjects:\n")
	for i := range injects {
		at := 5 + 15*i
		fmt.Fprintf(&b, `  - id: I%02d
    title: Wave %d
    incident: INC1
    at: "%d:%02d"
    channel: email
    from: co-csirt
    to: [all]
    severity: high
    body: Another wave of the campaign.
    expectations:
      - {id: ack, action: acknowledge, within: 15m, points: 5, objective: O1}
      - {id: classify, action: classify, category: phishing, severity: high, within: 30m, points: 10, objective: O1}
      - {id: contain, action: contain, within: 60m, points: 10, objective: O3}
      - {id: share, action: share, with: [group:oas], tlp: amber, within: 45m, points: 15, objective: O2}
`, i+1, i+1, at/60, at%60)
	}
	s, problems := scenarios.Parse("big.yaml", []byte(b.String()))
	if problems.HasErrors() {
		tb.Fatalf("big scenario:\n%s", problems)
	}
	return s
}

// BenchmarkRenderHTML10k measures Build and WriteHTML of a log of more than
// 10,000 events (35 teams, 36 injects to all). Target: well under a second.
//
//	go test ./report -run '^$' -bench RenderHTML10k -benchmem
func BenchmarkRenderHTML10k(b *testing.B) {
	s := bigScenario(b, 36)
	x, err := engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		b.Fatal(err)
	}
	events := x.Events()
	if len(events) < 10_000 {
		b.Fatalf("log has %d events, want at least 10,000", len(events))
	}
	for b.Loop() {
		r, err := report.Build(s, events, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(events)), "events")
}
