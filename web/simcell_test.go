package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
)

// simcellStatus is the SimCell part of a staff status message.
type simcellStatus struct {
	Status struct {
		SimCell *struct {
			Open []struct {
				Seq       uint64            `json:"seq"`
				At        time.Duration     `json:"at"`
				Team      string            `json:"team"`
				By        string            `json:"by"`
				Actor     string            `json:"actor"`
				Kind      string            `json:"kind"`
				ClaimedBy string            `json:"claimed_by"`
				Template  string            `json:"template"`
				Templates map[string]string `json:"templates"`
			} `json:"open"`
			Answered []struct {
				Seq        uint64 `json:"seq"`
				AnsweredBy string `json:"answered_by"`
			} `json:"answered"`
		} `json:"simcell"`
	} `json:"status"`
}

func simcellOf(tb testing.TB, m message) simcellStatus {
	tb.Helper()
	var s simcellStatus
	if err := json.Unmarshal(m.raw, &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestSimCellCommands plays the SimCell through both command paths: a
// trainee escalates to an actor, staff see the item in their status (and
// the team does not), one facilitator claims it over the WebSocket,
// another answers it from the actor's template over HTTP, the team alone
// receives the answer, and a second answer is refused as a conflict.
func TestSimCellCommands(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co, pe)
	fran := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	gusC := join(t, srv, ex.Codes.Facilitator, "Gus")
	ana := dial(t, join(t, srv, ex.Codes.Teams[co], "Ana"), ex.ID, 0)
	pia := dial(t, join(t, srv, ex.Codes.Teams[pe], "Pia"), ex.ID, 0)
	fran.mustAck(t, cmd{"type": "start"})
	fran.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	esc := ana.mustAck(t, cmd{"type": "escalate", "inject": "I01", "target": "mintic", "text": "Ministry: please decide on blocking."})

	open := func(pred func(simcellStatus) bool) simcellStatus {
		t.Helper()
		return simcellOf(t, fran.next(t, func(m message) bool { return m.Type == "status" && pred(simcellOf(t, m)) }))
	}
	st := open(func(s simcellStatus) bool { return s.Status.SimCell != nil && len(s.Status.SimCell.Open) == 1 })
	it := st.Status.SimCell.Open[0]
	if it.Seq != esc.Seq || it.Team != co || it.By != "Ana" || it.Actor != "mintic" || it.Kind != "escalate" || it.At < 10*time.Minute || it.At > 11*time.Minute || it.Template != "message" {
		t.Fatalf("the queue's item = %+v", it)
	}
	if got := it.Templates["message"]; !strings.HasPrefix(got, "Ministry of ICT here. Thank you for your message about Suspicious e-mails") {
		t.Errorf("the item's message template = %q, want the default filled in for the ministry", got)
	}
	teamStatus := ana.next(t, func(m message) bool { return m.Type == "status" })
	if strings.Contains(string(teamStatus.raw), "simcell") {
		t.Errorf("a team's status carries the SimCell queue: %s", teamStatus)
	}

	fran.mustAck(t, cmd{"type": "simcell_claim", "message": esc.Seq})
	open(func(s simcellStatus) bool {
		return s.Status.SimCell != nil && len(s.Status.SimCell.Open) == 1 && s.Status.SimCell.Open[0].ClaimedBy == "Fran"
	})

	var reply struct{ Seq uint64 }
	resp := gusC.postJSON(t, "/api/exercises/"+ex.ID+"/commands",
		map[string]any{"type": "command", "command": cmd{"type": "simcell_answer", "message": esc.Seq, "kind": "message"}}, &reply)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("answer over HTTP: %d %s", resp.StatusCode, resp.body)
	}
	got := ana.next(t, isEvent(engine.EventMessage, ""))
	if e := got.Event; e.Seq != reply.Seq || e.Data.Message().From != "mintic" || e.Data.Item != esc.Seq || e.Actor != "facilitator:Gus" || !strings.HasPrefix(e.Data.Text, "Ministry of ICT here.") {
		t.Errorf("the team receives %+v (answer seq %d)", e, reply.Seq)
	}
	// Events reach a socket in log order: once PeCERT has the pause that
	// follows the answer, it would have had the answer.
	fran.mustAck(t, cmd{"type": "pause"})
	pia.next(t, isEvent(engine.EventPaused, ""))
	for _, m := range pia.all {
		if m.isEvent(engine.EventMessage) {
			t.Errorf("PeCERT received the answer to colCERT: %s", m)
		}
	}
	st = open(func(s simcellStatus) bool { return s.Status.SimCell != nil && len(s.Status.SimCell.Answered) > 0 })
	if a := st.Status.SimCell.Answered; len(st.Status.SimCell.Open) != 0 || len(a) != 1 || a[0].Seq != esc.Seq || a[0].AnsweredBy != "Gus" {
		t.Errorf("answered items = %+v", a)
	}

	m := fran.mustReject(t, string(engine.CodeConflict), cmd{"type": "simcell_answer", "message": esc.Seq, "text": "Same here"})
	if !strings.Contains(m.Message, "already answered by Gus") {
		t.Errorf("second answer refused with %q", m.Message)
	}
	ana.mustReject(t, string(engine.CodeForbidden), cmd{"type": "simcell_answer", "message": esc.Seq, "text": "I am the ministry"})
}
