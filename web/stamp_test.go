package web_test

import (
	"testing"
	"time"

	"cmesim/engine"
)

// TestStartCarriesItsRealTime: a facilitator's start is stamped with the
// time the server received it, which the report then gives as the day
// the exercise ran; a client cannot send that time itself.
func TestStartCarriesItsRealTime(t *testing.T) {
	srv := mustServer(t)
	ex := mustCreate(t, srv)
	facC := join(t, srv, ex.Codes.Facilitator, "")
	fac := dial(t, facC, ex.ID, 0)

	forged := cmd{"type": "start", "received_at": "2001-01-01T00:00:00Z"}
	expectError(t, fac.command(t, "", forged), string(engine.CodeInvalid))

	before := time.Now().UTC().Truncate(time.Second)
	ack := fac.mustAck(t, cmd{"type": "start"})
	after := time.Now().UTC()
	started := fac.event(t, ack.Seq)
	if started.Type != engine.EventStarted {
		t.Fatalf("the start's last event is %s, want %s", started.Type, engine.EventStarted)
	}
	c := started.Data.Command
	if c == nil || c.ReceivedAt == nil {
		t.Fatalf("the start event's command carries no received_at: %+v", c)
	}
	if at := *c.ReceivedAt; at.Before(before) || at.After(after) {
		t.Errorf("received_at = %v, want between %v and %v", at, before, after)
	}

	fac.mustAck(t, cmd{"type": "end"})
	var rep struct {
		Exercise struct {
			RunStart string `json:"run_start"`
		} `json:"exercise"`
	}
	facC.get(t, "/api/exercises/"+ex.ID+"/report?format=json", &rep)
	if want := c.ReceivedAt.Format(time.RFC3339); rep.Exercise.RunStart != want {
		t.Errorf("the report's run_start = %q, want the start's %q", rep.Exercise.RunStart, want)
	}
}
