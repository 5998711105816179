package report_test

import (
	"io"
	"testing"

	"cmesim/engine"
	"cmesim/report"
)

// TestEventsWithoutTheirGroups builds the report and the appendix of a log
// whose events lack the groups of rarer fields their types carry
// (engine.MessageFields and the others), as a log written by hand or by
// another tool may: a group is a pointer, and reading a field through a
// missing one must not panic anywhere in the engine's state or the report.
func TestEventsWithoutTheirGroups(t *testing.T) {
	s := MustLoad(t, exampleFile)
	log := MustRun(t, s, 1)
	bare := []engine.EventType{
		engine.EventSpeed, engine.EventTeamMode, engine.EventInjectReleased, engine.EventInjectDelayed,
		engine.EventIncidentPhase, engine.EventIncidentSpread, engine.EventMessage,
		engine.EventExpectationJudged, engine.EventExpectationScored, engine.EventSimCellClaimed,
	}
	created := log[0]
	created.Data.CreationFields = nil
	events := []engine.Event{created}
	for _, e := range log[1 : len(log)-1] {
		e.Seq = uint64(len(events) + 1)
		events = append(events, e)
	}
	end := log[len(log)-1]
	for _, typ := range bare {
		events = append(events, engine.Event{Seq: uint64(len(events) + 1), At: end.At, Type: typ, Actor: "trainee:co-csirt:ana",
			Team: "co-csirt", Audience: []string{"co-csirt"}, Data: engine.Details{Inject: "I01", Expectation: "ack"}})
	}
	end.Seq = uint64(len(events) + 1)
	events = append(events, end)

	r, err := report.Build(s, events, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []func(io.Writer) error{r.WriteJSON, r.WriteHTML, r.WriteMarkdown, r.WriteCSV} {
		if err := w(io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	a, err := report.NewAppendixWriter(io.Discard, "es", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		if err := a.Add(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if st, err := engine.Fold(s, events); err != nil || st == nil {
		t.Fatalf("Fold: %v", err)
	}
}
