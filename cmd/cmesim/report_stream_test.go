package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/report/reporttest"
)

// floodedLog writes the log of the user's own scenario with a flood of
// trainee actions in it, and returns the scenario file, the log file and
// how many events it holds.
func floodedLog(t *testing.T, events int) (scenario, log string, n int) {
	t.Helper()
	scenario, plain := ownScenarioLog(t)
	b, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	base, err := engine.ReadLog(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	log = filepath.Join(t.TempDir(), "flooded.jsonl")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flood := reporttest.Flood{Team: "co-csirt", Inject: "I01", Peer: "pe-csirt", Events: events, TextBytes: 2000}
	if err := flood.WriteJSONL(f, base); err != nil {
		t.Fatal(err)
	}
	return scenario, log, len(base) + events
}

// TestReportFloodedLogStreams: the report of a flooded events file holds
// an excerpt of the log and names the command that writes the whole log;
// that command writes every event, texts whole.
func TestReportFloodedLogStreams(t *testing.T) {
	scenario, log, n := floodedLog(t, 3_000)
	out := filepath.Join(t.TempDir(), "aar.json")
	cmesim(t, nil, "report", log, "--scenario", scenario, "-o", out).wantCode(t, exitOK)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	x := r.LogExcerpt
	if x == nil || x.Events != n || len(r.Log) != x.Shown || x.Shown >= n {
		t.Fatalf("the report of %d events has log excerpt %+v and %d log lines", n, x, len(r.Log))
	}
	wantCmd := "cmesim report " + log + " --appendix -o " + strings.TrimSuffix(out, ".json") + "-events.csv"
	if x.Appendix != wantCmd {
		t.Errorf("the report names %q for its appendix, want %q", x.Appendix, wantCmd)
	}

	csvOut := filepath.Join(t.TempDir(), "events.csv")
	cmesim(t, nil, "report", log, "--scenario", scenario, "--appendix", "-o", csvOut).wantCode(t, exitOK)
	f, err := os.Open(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 {
		t.Fatalf("the appendix has %d rows, want a header and %d events", len(rows), n)
	}
	long := 0
	for _, row := range rows[1:] {
		if strings.Contains(row[8], strings.Repeat("x", 2000)) {
			long++
		}
	}
	if long < 2_000 {
		t.Errorf("%d appendix rows hold a whole 2,000-character text, want every flood action's", long)
	}
}

// TestReportAppendixFlags: --appendix writes CSV only, and checks the log
// belongs to the scenario.
func TestReportAppendixFlags(t *testing.T) {
	scenario, log := ownScenarioLog(t)
	for _, args := range [][]string{
		{"report", log, "--scenario", scenario, "--appendix", "--format", "html"},
		{"report", log, "--scenario", scenario, "--appendix", "--baseline", "b.json"},
	} {
		r := cmesim(t, nil, args...)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "--appendix") {
			t.Errorf("%v: stderr=%s", args, r.stderr)
		}
	}
	r := cmesim(t, nil, "report", log, "--scenario", "grid-ransomware", "--appendix")
	if r.code == exitOK || !strings.Contains(r.stderr, "not \"grid-ransomware\"") {
		t.Errorf("the appendix of another scenario's log: code %d, stderr=%s", r.code, r.stderr)
	}
	r = cmesim(t, nil, "report", log, "--scenario", scenario, "--appendix")
	r.wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, strings.Join(report.AppendixHeader, ",")+"\n") {
		t.Errorf("stdout does not start with the appendix header:\n%.200s", r.stdout)
	}
}
