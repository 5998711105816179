package web_test

import (
	"net/http"
	"strings"
	"testing"

	"cmesim/engine"
)

// TestHostileMessages sends a table of hostile messages to a running server
// over a real WebSocket: each is refused with the expected code, changes
// nothing, and leaves the connection usable; free text full of markup is
// stored as text, never interpreted.
func TestHostileMessages(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co, pe)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	ana := dial(t, anaC, ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))

	for _, tt := range []struct {
		name string
		w    *wsClient
		raw  string
		code string
	}{
		{"WrongTypeSpeed", fac, `{"type":"command","id":"h1","command":{"type":"set_speed","speed":"fast"}}`, "invalid"},
		{"HugeSpeed", fac, `{"type":"command","id":"h2","command":{"type":"set_speed","speed":1e308}}`, "invalid"},
		{"NaNLikeSpeed", fac, `{"type":"command","id":"h3","command":{"type":"set_speed","speed":-0.0}}`, "invalid"},
		{"HugeDelay", fac, `{"type":"command","id":"h4","command":{"type":"delay_inject","inject":"I02","delay":9223372036854775807}}`, "invalid"},
		{"NegativeDelay", fac, `{"type":"command","id":"h5","command":{"type":"delay_inject","inject":"I02","delay":-600000000000}}`, "invalid"},
		{"DelayOverflowsInt64", fac, `{"type":"command","id":"h6","command":{"type":"delay_inject","inject":"I02","delay":1e30}}`, "invalid"},
		{"OtherTeamsInject", ana, `{"type":"command","id":"h7","command":{"type":"acknowledge","inject":"I03"}}`, "not_found"},
		{"OtherTeamsID", ana, `{"type":"command","id":"h8","command":{"type":"acknowledge","inject":"I01","team":"pe-csirt"}}`, "forbidden"},
		{"ForgedRole", ana, `{"type":"command","id":"h9","command":{"type":"end","by":{"role":"facilitator"}}}`, "invalid"},
		{"ForgedRoleOutside", ana, `{"type":"command","id":"h10","role":"facilitator","command":{"type":"end"}}`, "invalid"},
		{"TraineeEnds", ana, `{"type":"command","id":"h11","command":{"type":"end"}}`, "forbidden"},
		{"ReplayedSeq", ana, `{"type":"command","id":"h12","seq":1,"command":{"type":"acknowledge","inject":"I01"}}`, "invalid"},
		{"ShareOutsideNetwork", ana, `{"type":"command","id":"h13","command":{"type":"share","inject":"I01","peers":["pe-csirt"],"tlp":"red"}}`, "forbidden"},
		{"ShareWithUnknownTeam", ana, `{"type":"command","id":"h14","command":{"type":"share","inject":"I01","peers":["../../etc"],"tlp":"amber"}}`, "not_found"},
		{"PeersNotAList", ana, `{"type":"command","id":"h15","command":{"type":"share","inject":"I01","peers":"pe-csirt","tlp":"amber"}}`, "invalid"},
		{"HugeText", ana, `{"type":"command","id":"h16","command":{"type":"report","inject":"I01","text":"` + strings.Repeat("A", 9000) + `"}}`, "invalid"},
		{"NullCommand", ana, `{"type":"command","id":"h17","command":null}`, "invalid"},
		{"ControlCharsInType", ana, `{"type":"command\u0000","id":"h18"}`, "invalid"},
		{"DeepNesting", ana, `{"type":"command","id":"h19","command":` + strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat(`}`, 200) + `}`, "invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.w.send(t, tt.raw)
			m := tt.w.answer(t, strings.SplitN(strings.SplitN(tt.raw, `"id":"`, 2)[1], `"`, 2)[0])
			expectError(t, m, tt.code)
		})
	}
	// Nothing above reached the log: the next event is the one this causes.
	before := fac.all
	ack := ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01", "text": `<script>window.pwned=1</script><img src=x onerror=alert(1)>`})
	ev := ana.event(t, ack.Seq-1)
	if ev.Data.Text != `<script>window.pwned=1</script><img src=x onerror=alert(1)>` {
		t.Fatalf("free text changed on the way: %q", ev.Data.Text)
	}
	for _, m := range before {
		if m.Event != nil && m.Event.Type == engine.EventEnded {
			t.Fatal("a hostile message ended the exercise")
		}
	}
	// The report renders it as text.
	rep := join(t, srv, ex.Codes.Observer, "Olga").get(t, "/api/exercises/"+ex.ID+"/report?format=html", nil)
	if rep.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", rep.StatusCode)
	}
	if strings.Contains(string(rep.body), "<script>window.pwned") || !strings.Contains(string(rep.body), "&lt;script&gt;window.pwned") {
		t.Fatal("the report does not escape free text")
	}
}
