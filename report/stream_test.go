package report_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/report/reporttest"
	"cmesim/scenarios"
)

// exampleFlood is a flood by co-csirt of the example scenario: 8 KiB texts,
// as the flooding trainee of the hostile-input tests sent.
func exampleFlood(events int) reporttest.Flood {
	return reporttest.Flood{Team: "co-csirt", Inject: "I01", Peer: "pe-csirt", Events: events, TextBytes: 8 << 10}
}

// buildStreamed builds the report of base with flood in it, one event at
// a time, and returns it with the bytes live on the heap when the builder
// had read the whole log (before Report), over what was live before.
func buildStreamed(t *testing.T, s *scenarios.Scenario, base []engine.Event, flood reporttest.Flood) (*report.Report, uint64) {
	t.Helper()
	before := liveHeap()
	bd, err := report.NewBuilder(s, report.Options{Appendix: "/appendix.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := flood.Each(base, bd.Add); err != nil {
		t.Fatal(err)
	}
	held := liveHeap()
	r, err := bd.Report()
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(bd)
	if held < before {
		return r, 0
	}
	return r, held - before
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestBuildMemoryDoesNotGrowWithLog builds the reports of a log flooded
// with n and 10n events of 8 KiB texts, streamed, and checks that what
// the builder holds and what the report says stay the same size: a log
// ten times longer may cost at most a quarter more.
func TestBuildMemoryDoesNotGrowWithLog(t *testing.T) {
	const n = 10_000 // past every bound, so 10n only adds what is left out
	const factor = 1.25
	s := MustLoad(t, exampleFile)
	base := MustRun(t, s, 1)
	small, heapSmall := buildStreamed(t, s, base, exampleFlood(n))
	large, heapLarge := buildStreamed(t, s, base, exampleFlood(10*n))
	t.Logf("builder holds %d KiB at %d flood events, %d KiB at %d", heapSmall>>10, n, heapLarge>>10, 10*n)
	if heapSmall == 0 || float64(heapLarge) > factor*float64(heapSmall) {
		t.Errorf("the builder holds %d bytes for a log of %d flood events and %d for %d: more than ×%.2f", heapSmall, n, heapLarge, 10*n, factor)
	}
	jsonSmall, jsonLarge := reportJSON(t, small), reportJSON(t, large)
	t.Logf("JSON report: %d KiB, %d KiB", len(jsonSmall)>>10, len(jsonLarge)>>10)
	if float64(len(jsonLarge)) > factor*float64(len(jsonSmall)) {
		t.Errorf("the JSON report is %d bytes at %d flood events and %d at %d: more than ×%.2f", len(jsonSmall), n, len(jsonLarge), 10*n, factor)
	}
	// The counts still cover the whole log.
	if got, want := large.Exercise.Events, len(base)+10*n; got != want {
		t.Errorf("Exercise.Events = %d, want %d", got, want)
	}
	if got, want := large.Summary.Notes, exampleFlood(10*n).Notes(); got != want {
		t.Errorf("Summary.Notes = %d, want %d (every note counted)", got, want)
	}
	x := large.LogExcerpt
	if x == nil {
		t.Fatal("the report of a flooded log has no LogExcerpt")
	}
	if x.Shown != len(large.Log) || x.Shown+x.Omitted != x.Events || x.Events != large.Exercise.Events {
		t.Errorf("LogExcerpt %+v does not add up (Log has %d, the log %d events)", *x, len(large.Log), large.Exercise.Events)
	}
	if x.Appendix != "/appendix.csv" {
		t.Errorf("LogExcerpt.Appendix = %q, want the option's", x.Appendix)
	}
}

func reportJSON(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBuildFloodedHTMLStaysSmall: the HTML report of a log flooded with
// 20,000 actions of 8 KiB (160 MiB of text) stays under 1.5 MiB, cuts its
// texts, says what it left out and links the appendix, and keeps every key
// event of the other teams.
func TestBuildFloodedHTMLStaysSmall(t *testing.T) {
	const maxHTML = 3 << 19 // 1.5 MiB
	s := MustLoad(t, exampleFile)
	base := MustRun(t, s, 1)
	var events []engine.Event
	if err := exampleFlood(20_000).Each(base, func(e *engine.Event) error { events = append(events, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	r, err := report.BuildWith(s, events, report.Options{Appendix: "/api/exercises/x/report/appendix"})
	if err != nil {
		t.Fatal(err)
	}
	html := RenderHTML(t, r)
	t.Logf("HTML: %d KiB for %d events", len(html)>>10, len(events))
	if len(html) > maxHTML {
		t.Errorf("the HTML report of a flooded log is %d bytes, over %d", len(html), maxHTML)
	}
	if !bytes.Contains(html, []byte(`<a href="/api/exercises/x/report/appendix">`)) {
		t.Error("the HTML report does not link the appendix")
	}
	if !bytes.Contains(html, []byte(fmt.Sprintf("%d of the log", r.LogExcerpt.Shown))) {
		t.Error("the HTML report does not say how much of the log it shows")
	}
	for _, l := range r.Log {
		if utf8.RuneCountInString(l.Summary) > report.MaxTextRunes {
			t.Fatalf("event %d's summary is %d characters, over %d", l.Seq, utf8.RuneCountInString(l.Summary), report.MaxTextRunes)
		}
	}
	plain := MustBuild(t, s, base, nil)
	for _, n := range r.Notes {
		if !strings.HasSuffix(n.Text, report.TextEllipsis) || utf8.RuneCountInString(n.Text) != report.MaxTextRunes {
			t.Fatalf("note %d is %d characters long, want cut to %d with an ellipsis", n.Seq, utf8.RuneCountInString(n.Text), report.MaxTextRunes)
		}
	}
	flood := exampleFlood(20_000)
	if len(r.Notes) != report.MaxNotes || r.NotesOmitted != flood.Notes()-report.MaxNotes {
		t.Errorf("%d notes listed and %d omitted, want %d and %d", len(r.Notes), r.NotesOmitted, report.MaxNotes, flood.Notes()-report.MaxNotes)
	}
	coShares := len(FindTeam(t, plain, "co-csirt").Given) + flood.Shares()
	if r.Summary.Shares != plain.Summary.Shares+flood.Shares() || r.SharesOmitted != coShares-report.MaxSharesPerTeam {
		t.Errorf("Summary.Shares %d, SharesOmitted %d", r.Summary.Shares, r.SharesOmitted)
	}
	// Every event before the flood, key or not, is in the excerpt (the
	// lanes' heads), and so is the log's last event.
	kept := map[uint64]bool{}
	for _, l := range r.Log {
		kept[l.Seq] = true
	}
	for _, l := range plain.Log {
		if l.Seq < uint64(len(base)) && !kept[l.Seq] {
			t.Errorf("event %d (%s of %q) is missing from the excerpt", l.Seq, l.Type, l.Team)
		}
	}
	// The flooding team's lane keeps its key events, and its first and last others.
	lanes := map[string]report.LaneCount{}
	for _, c := range r.LogExcerpt.Lanes {
		lanes[c.Team] = c
	}
	co := lanes["co-csirt"]
	if co.Actions != FindTeam(t, r, "co-csirt").Actions || co.Shares != r.Summary.Shares || co.Omitted == 0 {
		t.Errorf("co-csirt's lane %+v does not count the whole log", co)
	}
	if last := r.Log[len(r.Log)-2]; last.Team != "co-csirt" || last.Seq != uint64(len(events)-1) {
		t.Errorf("the excerpt's last flood event is %d (%s), want the log's last, %d", last.Seq, last.Team, len(events)-1)
	}
	// Markdown counts the timeline from the whole log.
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if row := fmt.Sprintf("| %s | %d | %d | %d |", r.Names["co-csirt"], co.Delivered, co.Actions, co.Shares); !strings.Contains(md.String(), row) {
		t.Errorf("the Markdown timeline has no row %q", row)
	}
}

// TestBuildStreamedEqualsBuild: a report built event by event is the
// report Build makes of the same log.
func TestBuildStreamedEqualsBuild(t *testing.T) {
	s := MustLoad(t, exampleFile)
	events := MustRun(t, s, 1)
	bd, err := report.NewBuilder(s, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		e := events[i]
		if err := bd.Add(&e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := bd.Report()
	if err != nil {
		t.Fatal(err)
	}
	if a, b := reportJSON(t, got), reportJSON(t, MustBuild(t, s, events, nil)); !bytes.Equal(a, b) {
		t.Errorf("streamed and slice reports differ:\n%s", firstDiff(a, b))
	}
	if got.LogExcerpt != nil || len(got.Log) != len(events) {
		t.Errorf("a log of %d events gave an excerpt (%d shown): an ordinary log is inlined whole", len(events), len(got.Log))
	}
}

// TestBuilderRejectsBrokenLog: Add says which event breaks the log.
func TestBuilderRejectsBrokenLog(t *testing.T) {
	s := MustLoad(t, exampleFile)
	events := MustRun(t, s, 1)
	for _, tc := range []struct {
		name   string
		mangle func([]engine.Event) []engine.Event
		want   string
	}{
		{"gap", func(ev []engine.Event) []engine.Event { return append(ev[:3:3], ev[4:]...) }, "event 4 has sequence number 5"},
		{"first", func(ev []engine.Event) []engine.Event { return ev[1:] }, "event 1 is"},
		{"time", func(ev []engine.Event) []engine.Event { ev[5].At = ev[4].At - 1; return ev }, "before the event it follows"},
		{"team", func(ev []engine.Event) []engine.Event { ev[5].Team = "nobody"; return ev }, `names team "nobody"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := report.Build(s, tc.mangle(append([]engine.Event(nil), events...)), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
	bd, _ := report.NewBuilder(s, report.Options{})
	if _, err := bd.Report(); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("Report of no events: err = %v, want the log is empty", err)
	}
}

// TestAppendixCSV: the appendix has one row per event with its whole text,
// and a summary cell that cannot start a formula.
func TestAppendixCSV(t *testing.T) {
	s := MustLoad(t, exampleFile)
	base := MustRun(t, s, 1)
	flood := exampleFlood(300)
	flood.TextBytes = 2 * report.MaxTextRunes
	var buf bytes.Buffer
	a, err := report.NewAppendixWriter(&buf, "es", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := flood.Each(base, a.Add); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), 1+len(base)+300; got != want {
		t.Fatalf("%d rows, want a header and %d events", got, want-1)
	}
	if strings.Join(rows[0], ",") != strings.Join(report.AppendixHeader, ",") {
		t.Errorf("header %q", rows[0])
	}
	for i, row := range rows[1:] {
		if row[0] != fmt.Sprint(i+1) {
			t.Fatalf("row %d has seq %s", i+1, row[0])
		}
	}
	note := rows[len(base)] // the flood's first event, a note
	if note[2] != "evaluator.note" || !strings.Contains(note[8], strings.Repeat("x", 2*report.MaxTextRunes)) {
		t.Errorf("the note's row %q does not hold its whole text", note[:8])
	}
	if !strings.Contains(rows[1][8], "creado") {
		t.Errorf("the summary %q is not in Spanish", rows[1][8])
	}
}

// TestExcerptKeepsWhatMatters: in the middle of a flood, an action that
// met an expectation is kept with the answer, and a miss after a flood of
// notes (key events past the lane's bound) is kept too.
func TestExcerptKeepsWhatMatters(t *testing.T) {
	s := MustLoad(t, exampleFile)
	base := MustRun(t, s, 1)
	var events []engine.Event
	if err := exampleFlood(40_000).Each(base, func(e *engine.Event) error { events = append(events, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	at := events[len(events)-1].At
	scored := engine.Event{At: at, Type: engine.EventAction, Actor: "trainee:co-csirt", Team: "co-csirt",
		Data: engine.Details{Inject: "I01", Action: "report", Text: "the one that counted"}}
	met := engine.Event{At: at, Type: engine.EventExpectationMet, Actor: "system", Team: "co-csirt",
		Data: engine.Details{Inject: "I01", Expectation: "ack", Points: 1, MaxPoints: 5}}
	missed := engine.Event{At: at, Type: engine.EventExpectationMissed, Actor: "system", Team: "co-csirt",
		Data: engine.Details{Inject: "I01", Expectation: "ack", Why: engine.Why{Reason: "deadline passed", ReasonCode: engine.ReasonDeadlinePassed}}}
	mid := len(events) / 2
	last := len(events) - 1
	log := slices.Concat(events[:mid], []engine.Event{scored, met}, events[mid:last], []engine.Event{missed}, events[last:])
	for i := range log {
		log[i].Seq = uint64(i + 1)
	}
	r, err := report.Build(s, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[uint64]string{}
	for _, l := range r.Log {
		kept[l.Seq] = l.Type
	}
	for _, want := range []struct {
		seq  int
		what string
	}{{mid + 1, "the scored action"}, {mid + 2, "its answer"}, {len(log) - 1, "the miss after the flood"}} {
		if kept[uint64(want.seq)] != string(log[want.seq-1].Type) {
			t.Errorf("%s (event %d) is not in the excerpt", want.what, want.seq)
		}
	}
	if r.LogExcerpt.Omitted == 0 {
		t.Fatal("nothing was left out: the test does not exercise the bounds")
	}
}

// TestAppendixNamesByScenario checks that an appendix given its scenario
// names teams and actors as the report does, and one without it by id.
func TestAppendixNamesByScenario(t *testing.T) {
	s := MustLoad(t, exampleFile)
	escalate := engine.Event{Seq: 1, Type: engine.EventAction, Team: "co-csirt", Actor: "trainee:co-csirt:ana",
		Data: engine.Details{Action: scenarios.ActionEscalate, Inject: "I02", Target: "mintic"}}
	name := s.PartyName("mintic", "es")
	if name == "mintic" {
		t.Fatal("the example scenario no longer names mintic")
	}
	for _, c := range []struct {
		s    *scenarios.Scenario
		want string
	}{{s, name}, {nil, "mintic"}} {
		var buf bytes.Buffer
		a, err := report.NewAppendixWriter(&buf, "es", c.s)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Add(&escalate); err != nil {
			t.Fatal(err)
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		if rows, err := csv.NewReader(&buf).ReadAll(); err != nil || len(rows) != 2 || !strings.HasSuffix(rows[1][8], " "+c.want) {
			t.Errorf("with scenario %v: %q (%v), want the summary to end with %q", c.s != nil, rows, err, c.want)
		}
	}
}
