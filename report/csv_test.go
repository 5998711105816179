package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
)

func TestWriteCSV(t *testing.T) {
	s := MustLoad(t, scoringFile)
	r := MustBuild(t, s, Play(t, s,
		At(12*minute, Trainee("co-csirt", engine.CmdAcknowledge, "I01")),
		At(55*minute, share("amber", "pe-csirt")),
	), nil)
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(&buf)
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), len(r.Expectations)+1; got != want {
		t.Fatalf("rows=%d, want %d", got, want)
	}
	if r.TLP != "amber" {
		t.Fatalf("report TLP %q, want amber (the shared inject is amber)", r.TLP)
	}
	if got, want := strings.Join(rows[0], ","), strings.Join(report.CSVHeader, ","); got != want {
		t.Fatalf("header=%s, want %s", got, want)
	}
	want := map[string]string{
		"I01.ack":     "co-csirt,I01,ack,acknowledge,O1,detection,T+0:10:00,T+0:25:00,T+0:12:00,0:02:00,met,5,5,,colCERT,mechanical,TLP:AMBER",
		"I01.share":   "co-csirt,I01,share,share,O2,information_sharing,T+0:10:00,T+0:40:00,T+0:55:00,0:45:00,late,10,20,,colCERT,mechanical,TLP:AMBER",
		"I02.contain": "co-csirt,I02,contain,contain,O3,containment,T+0:20:00,T+0:50:00,,,missed,0,10,deadline passed,colCERT,mechanical,TLP:AMBER",
	}
	for _, row := range rows[1:] {
		if w, ok := want[row[1]+"."+row[2]]; ok && row[0] == "co-csirt" {
			if got := strings.Join(row, ","); got != w {
				t.Errorf("row\n got  %s\n want %s", got, w)
			}
			delete(want, row[1]+"."+row[2])
		}
	}
	if len(want) > 0 {
		t.Fatalf("rows not found: %v", want)
	}
}
