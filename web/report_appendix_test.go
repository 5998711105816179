package web_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
)

// TestReportAppendix: the report's appendix is the whole durable log as
// CSV, whole texts included, for staff only; observers who may not read
// notes get no note rows; ?page=N answers pages.
func TestReportAppendix(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	facC := join(t, srv, ex.Codes.Facilitator, "")
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	evaC := join(t, srv, ex.Codes.Evaluator, "Eve")
	obsC := join(t, srv, ex.Codes.Observer, "")
	fac := dial(t, facC, ex.ID, 0)
	ana := dial(t, anaC, ex.ID, 0)
	eva := dial(t, evaC, ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	long := strings.Repeat("Sinkholed nomina-minfin. ", 40) // 1,000 characters, past the report's cut
	ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01", "text": long})
	last := eva.mustAck(t, cmd{"type": "note", "team": co, "text": "Triage reasoning was sound."}).Seq
	fac.event(t, last)

	path := "/api/exercises/" + ex.ID + "/report/appendix"
	expectStatus(t, anaC.get(t, path, nil), http.StatusForbidden, "forbidden")
	expectStatus(t, facC.get(t, path+"?page=0", nil), http.StatusBadRequest, "invalid")

	rows := func(c *client, query string) ([][]string, *response) {
		t.Helper()
		r := c.get(t, path+query, nil)
		expectStatus(t, r, http.StatusOK, "")
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type %q", ct)
		}
		out, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(out[0], ",") != strings.Join(report.AppendixHeader, ",") {
			t.Fatalf("header %q", out[0])
		}
		return out[1:], r
	}
	all, resp := rows(facC, "")
	if uint64(len(all)) < last || all[last-1][2] != string(engine.EventNote) {
		t.Fatalf("the appendix has %d rows; want every durable event up to the note, %d", len(all), last)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	whole, notes := false, 0
	for i, row := range all {
		if row[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d has seq %q", i+1, row[0])
		}
		whole = whole || strings.Contains(row[8], strings.TrimSpace(long))
		if uint64(i) < last && row[2] == string(engine.EventNote) {
			notes++
		}
	}
	if !whole {
		t.Error("the appendix does not hold the action's whole text")
	}
	observed, _ := rows(obsC, "")
	upToNote := 0
	for _, row := range observed {
		if row[2] == string(engine.EventNote) {
			t.Fatalf("an observer's appendix holds a note: %q", row)
		}
		if n, _ := strconv.ParseUint(row[0], 10, 64); n <= last {
			upToNote++
		}
	}
	if upToNote != int(last)-notes {
		t.Errorf("the observer's appendix has %d rows up to seq %d, want %d (all but the notes)", upToNote, last, int(last)-notes)
	}
	page1, resp := rows(facC, "?page=1")
	if len(page1) < int(last) || resp.Header.Get("Link") != "" {
		t.Errorf("page 1 of a short log: %d rows, Link %q; want it all and no next page", len(page1), resp.Header.Get("Link"))
	}
	if page2, _ := rows(facC, "?page=2"); len(page2) != 0 {
		t.Errorf("page 2 of a short log has %d rows", len(page2))
	}
}
