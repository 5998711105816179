package report_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/report/reporttest"
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

// BenchmarkReportLog builds the HTML report of a log read from a JSON
// Lines file, one event at a time, as `cmesim report` does: the log of the
// 35-team scenario above (36 injects, over 10,000 events) with a flood of
// trainee actions (200-byte texts) making it 100,000 or 1,000,000 events.
// decode is the reference: reading the same file with engine.ScanLog and
// nothing else. Each reports peak-heap-MiB, the most heap in use while it
// ran (sampled), and ns/event.
//
//	go test ./report -run '^$' -bench 'ReportLog/1M' -benchtime 3x
func BenchmarkReportLog(b *testing.B) {
	for _, size := range []struct {
		name   string
		events int
	}{{"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run(size.name, func(b *testing.B) {
			s := bigScenario(b, 36)
			file := floodedLogFile(b, s, size.events)
			b.Run("decode", func(b *testing.B) {
				benchLog(b, file, size.events, func(r io.Reader) error {
					_, err := engine.ScanLog(r, func(*engine.Event) error { return nil })
					return err
				})
			})
			b.Run("html", func(b *testing.B) {
				benchLog(b, file, size.events, func(r io.Reader) error {
					bd, err := report.NewBuilder(s, report.Options{})
					if err != nil {
						return err
					}
					if _, err := engine.ScanLog(r, bd.Add); err != nil {
						return err
					}
					rep, err := bd.Report()
					if err != nil {
						return err
					}
					return rep.WriteHTML(io.Discard)
				})
			})
		})
	}
}

// floodedLogFile writes the log of s, seed 1, with a flood by its first
// team making it events long, to a file in a temporary directory.
func floodedLogFile(b *testing.B, s *scenarios.Scenario, events int) string {
	b.Helper()
	x, err := engine.New(s, engine.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := x.RunToEnd(); err != nil {
		b.Fatal(err)
	}
	base := x.Events()
	file := filepath.Join(b.TempDir(), "events.jsonl")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	flood := reporttest.Flood{Team: s.Teams[0].ID, Inject: "I01", Peer: s.Teams[1].ID, Events: events - len(base), TextBytes: 200}
	if err := flood.WriteJSONL(f, base); err != nil {
		b.Fatal(err)
	}
	return file
}

// benchLog times run over the log file, with the peak of heap in use.
func benchLog(b *testing.B, file string, events int, run func(io.Reader) error) {
	b.Helper()
	peak := sampleHeap()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		err = run(bufio.NewReaderSize(f, 1<<16))
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(events), "ns/event")
}

// sampleHeap samples the heap in use every few milliseconds until the
// function it returns is called, which returns the most it saw.
func sampleHeap() func() uint64 {
	runtime.GC()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
