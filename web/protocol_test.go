package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/web"
)

// Teams of the example scenario.
const (
	co = "co-csirt"
	pe = "pe-csirt"
)

// adhoc is an ad-hoc inject to send with send_inject.
func adhoc(title string, to ...string) map[string]any {
	return map[string]any{
		"title": title, "body": "The regulator asks for a situation report.", "channel": "email",
		"from": "mintic", "to": to, "severity": "high", "tlp": "green",
		"expectations": []map[string]any{{"action": "acknowledge", "within": 10 * time.Minute, "points": 5, "objective": "O1"}},
	}
}

// flow follows an exercise through the facilitator's eyes: the facilitator
// sees every event, so it can check what each command caused.
type flow struct {
	fac  *wsClient
	seen uint64 // the last seq the test has accounted for
}

// run sends c on w and checks that it is acknowledged, that the ack's seq
// is the last event it caused, and that it caused exactly the events want
// (as the facilitator sees them). It returns those events.
func (f *flow) run(t *testing.T, w *wsClient, c cmd, want ...engine.EventType) []*engine.Event {
	t.Helper()
	ack := w.mustAck(t, c)
	if ack.Seq <= f.seen {
		t.Fatalf("%v: ack seq %d, want more than %d", c["type"], ack.Seq, f.seen)
	}
	evs := f.fac.events(t, f.seen, ack.Seq)
	if got := types(evs); !slices.Equal(got, want) {
		t.Fatalf("%v caused %v, want %v", c["type"], got, want)
	}
	for i, e := range evs {
		if got, want := e.Seq, f.seen+uint64(i)+1; got != want {
			t.Fatalf("%v: event %d has seq %d, want %d", c["type"], i, got, want)
		}
	}
	f.seen = ack.Seq
	return evs
}

// jump jumps the clock and waits for the events want, which it returns.
func (f *flow) jump(t *testing.T, want ...engine.EventType) []*engine.Event {
	t.Helper()
	if m := f.fac.jump(t); m.Type != "ack" {
		t.Fatalf("jump: %s", m)
	}
	evs := f.fac.events(t, f.seen, f.seen+uint64(len(want)))
	if got := types(evs); !slices.Equal(got, want) {
		t.Fatalf("jump caused %v, want %v", got, want)
	}
	f.seen += uint64(len(want))
	return evs
}

// TestCommands plays every command of docs/protocol.md once, in the order
// a real exercise would use them, and checks each ack and the events it
// caused.
func TestCommands(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co, pe)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	ana := dial(t, join(t, srv, ex.Codes.Teams[co], "Ana"), ex.ID, 0)
	eva := dial(t, join(t, srv, ex.Codes.Evaluator, "Eve"), ex.ID, 0)
	f := &flow{fac: fac, seen: 1} // seq 1 is exercise.created

	welcome := fac.find(t, isType("welcome"))
	if welcome.Exercise != ex.ID || welcome.Seq != 1 || welcome.You.Role != "facilitator" || welcome.You.Name != "Fran" {
		t.Fatalf("welcome = %s", welcome)
	}
	if e := fac.event(t, 1); e.Type != engine.EventCreated {
		t.Fatalf("event 1 is %s, want %s", e.Type, engine.EventCreated)
	}

	// Facilitator: start the clock and jump to the first inject.
	evs := f.run(t, fac, cmd{"type": "start"}, engine.EventStarted)
	if got, want := evs[0].Data.Command.By, (engine.Principal{Role: engine.RoleFacilitator, Name: "Fran"}); got != want {
		t.Errorf("start by %+v, want %+v", got, want)
	}
	fac.next(t, isStatus(engine.StatusRunning))
	ana.next(t, isEvent(engine.EventStarted, ""))

	evs = f.jump(t, engine.EventInjectDelivered, engine.EventIncidentPhase)
	if e := evs[0]; e.Data.Inject != "I01" || e.Team != co || e.At != 10*time.Minute || len(e.Data.Expectations) != 3 {
		t.Fatalf("first jump delivered %+v, want I01 to %s at T+10m with 3 expectations", e, co)
	}
	m := ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	in := m.Inject
	if in == nil || in.ID != "I01" || in.Title != "Suspicious e-mails reported by the ministry" || !strings.Contains(in.Body, "Dear colCERT") ||
		in.FromName != "Ministry of Finance (Colombia)" || in.Channel != "email" || in.Severity != "medium" || in.TLP != "amber" {
		t.Fatalf("ana reads inject %+v", in)
	}
	if len(in.Attachments) != 1 || in.Attachments[0].Name != "iocs.txt" || !strings.Contains(in.Translations["es"].Body, "colCERT") {
		t.Errorf("attachments %+v, translations %+v", in.Attachments, in.Translations)
	}
	if len(in.Expectations) != 3 || in.Expectations[0].Deadline != 25*time.Minute {
		t.Errorf("expectations %+v, want 3, the first due at T+25m", in.Expectations)
	}

	// Trainee: every team action on I01.
	evs = f.run(t, ana, cmd{"type": "acknowledge", "inject": "I01", "text": "on it"}, engine.EventAction, engine.EventExpectationMet)
	if e := evs[0]; e.Actor != "trainee:co-csirt:Ana" || e.Team != co || e.Data.Action != scenarios.ActionAcknowledge ||
		e.Data.Command.By != (engine.Principal{Role: engine.RoleTrainee, Team: co, Name: "Ana"}) {
		t.Errorf("acknowledge recorded as %+v", e)
	}
	if e := evs[1]; e.Data.Expectation != "ack" || e.Data.Points != 5 {
		t.Errorf("acknowledge met %+v, want ack for 5 points", e.Data)
	}
	evs = f.run(t, ana, cmd{"type": "classify", "inject": "I01", "category": "phishing", "severity": "high"},
		engine.EventAction, engine.EventExpectationMet, engine.EventIncidentPhase)
	if d := evs[0].Data; d.Category != "fraud/phishing" || d.Severity != "high" || evs[2].Data.IncidentDetail().Phase != engine.PhaseAnalysed {
		t.Errorf("classify recorded %+v, phase %s", d, evs[2].Data.IncidentDetail().Phase)
	}
	evs = f.run(t, ana, cmd{"type": "contain", "inject": "I01", "text": "domain sinkholed"}, engine.EventAction, engine.EventIncidentPhase)
	if evs[1].Data.IncidentDetail().Phase != engine.PhaseContained {
		t.Errorf("contain moved the incident to %s", evs[1].Data.IncidentDetail().Phase)
	}
	evs = f.run(t, ana, cmd{"type": "escalate", "inject": "I01", "target": "mintic", "text": "ministry informed"}, engine.EventAction)
	if evs[0].Data.Target != "mintic" {
		t.Errorf("escalate recorded %+v", evs[0].Data)
	}
	evs = f.run(t, ana, cmd{"type": "share", "inject": "I01", "peers": []string{pe}, "tlp": "amber", "text": "IoCs attached"},
		engine.EventAction, engine.EventExpectationMet)
	if e := evs[0]; !slices.Equal(e.Data.Peers, []string{pe}) || e.Data.TLP != "amber" || !slices.Equal(e.Audience, []string{co, pe}) {
		t.Errorf("share recorded as %+v", e)
	}
	evs = f.run(t, ana, cmd{"type": "request_info", "inject": "I01", "target": pe, "text": "seen this?"}, engine.EventAction, engine.EventMessage)
	if evs[0].Data.Target != pe {
		t.Errorf("request_info recorded %+v", evs[0].Data)
	}
	if e := evs[1]; e.Data.Message().Kind != engine.KindRFI || e.Data.Message().Thread != e.Seq || !slices.Equal(e.Audience, []string{co, pe}) {
		t.Errorf("a request to a team reaches it as %+v", e)
	}
	evs = f.run(t, ana, cmd{"type": "message", "peers": []string{pe}, "tlp": "green", "text": "call at 10?", "indicators": []string{"185.220.101.7"}}, engine.EventMessage)
	if e := evs[0]; e.Data.Message().Kind != engine.KindMessage || !slices.Equal(e.Data.Message().Indicators, []string{"185.220.101.7"}) || !slices.Equal(e.Audience, []string{co, pe}) {
		t.Errorf("message recorded as %+v", e)
	}

	f.run(t, ana, cmd{"type": "publish", "inject": "I01", "text": "public advisory"}, engine.EventAction)
	evs = f.run(t, ana, cmd{"type": "report", "inject": "I01", "text": "final report"}, engine.EventAction, engine.EventIncidentPhase)
	if evs[1].Data.IncidentDetail().Phase != engine.PhaseEradicated {
		t.Errorf("report moved the incident to %s", evs[1].Data.IncidentDetail().Phase)
	}
	// The trainee sees its own team's events live.
	ana.find(t, func(m message) bool {
		return m.isEvent(engine.EventAction) && m.Event.Data.Action == scenarios.ActionReport
	})

	// Facilitator: the clock.
	f.run(t, fac, cmd{"type": "pause", "text": "coffee"}, engine.EventPaused)
	ana.next(t, isStatus(engine.StatusPaused))
	f.run(t, fac, cmd{"type": "resume"}, engine.EventResumed)
	ana.next(t, isStatus(engine.StatusRunning))
	evs = f.run(t, fac, cmd{"type": "set_speed", "speed": 2}, engine.EventSpeed)
	if evs[0].Data.Control().Speed != 2 {
		t.Errorf("set_speed recorded %+v", evs[0].Data)
	}
	fac.next(t, func(m message) bool { return m.Type == "status" && m.Status.Speed == 2 })

	// Facilitator: the injects. I02 follows I01 by 20 minutes.
	evs = f.run(t, fac, cmd{"type": "delay_inject", "inject": "I02", "delay": 5 * time.Minute}, engine.EventInjectDelayed)
	if evs[0].Data.Control().Delay != 5*time.Minute {
		t.Errorf("delay_inject recorded %+v", evs[0].Data)
	}
	f.run(t, fac, cmd{"type": "skip_inject", "inject": "I02", "text": "not needed"}, engine.EventInjectSkipped)
	// I03 comes from colCERT: it also reaches PeCERT as a message in a thread.
	evs = f.run(t, fac, cmd{"type": "release_inject", "inject": "I03"}, engine.EventInjectReleased, engine.EventInjectDelivered, engine.EventIncidentPhase, engine.EventMessage)
	if e := evs[3]; e.Data.Message().From != co || e.Data.Inject != "I03" || !slices.Equal(e.Audience, []string{co, pe}) {
		t.Errorf("I03 as a message: %+v", e)
	}
	if e := evs[1]; e.Data.Inject != "I03" || e.Team != pe || e.Data.Cause != "facilitator" {
		t.Errorf("release_inject delivered %+v", e)
	}
	evs = f.run(t, fac, cmd{"type": "send_inject", "adhoc": adhoc("Regulator calls", co)}, engine.EventInjectSent, engine.EventInjectDelivered)
	if e := evs[1]; e.Data.Inject != "adhoc-1" || e.Team != co {
		t.Errorf("send_inject delivered %+v", e)
	}
	if m := ana.next(t, isEvent(engine.EventInjectDelivered, "adhoc-1")); m.Inject == nil || m.Inject.Title != "Regulator calls" || m.Inject.FromName != "Ministry of ICT" {
		t.Errorf("ana reads the ad-hoc inject as %s", m)
	}

	// Facilitator: teams and incidents.
	evs = f.run(t, fac, cmd{"type": "set_mode", "team": pe, "mode": "simulated"}, engine.EventTeamMode)
	if evs[0].Data.Control().Mode != engine.ModeSimulated || evs[0].Team != pe {
		t.Errorf("set_mode recorded %+v", evs[0])
	}
	fac.next(t, func(m message) bool {
		return m.Type == "status" && slices.ContainsFunc(m.Status.Teams, func(ts teamStatus) bool { return ts.ID == pe && ts.Mode == engine.ModeSimulated })
	})
	f.run(t, fac, cmd{"type": "set_mode", "team": pe, "mode": "human"}, engine.EventTeamMode)
	evs = f.run(t, fac, cmd{"type": "set_phase", "team": co, "incident": "INC1", "phase": "recovered"}, engine.EventIncidentPhase)
	if evs[0].Data.IncidentDetail().Phase != engine.PhaseRecovered {
		t.Errorf("set_phase recorded %+v", evs[0].Data)
	}

	// Notes from the facilitator and the evaluator.
	evs = f.run(t, fac, cmd{"type": "note", "team": co, "inject": "I01", "text": "fast triage"}, engine.EventNote)
	if e := evs[0]; e.Team != co || e.Data.Text != "fast triage" || len(e.Audience) != 0 {
		t.Errorf("note recorded as %+v", e)
	}
	evs = f.run(t, eva, cmd{"type": "note", "text": "good coordination"}, engine.EventNote)
	if evs[0].Actor != "evaluator:Eve" {
		t.Errorf("evaluator note by %q", evs[0].Actor)
	}

	// The next happening is the ad-hoc inject's deadline (T+20m).
	evs = f.jump(t, engine.EventExpectationMissed)
	if e := evs[0]; e.Data.Inject != "adhoc-1" || e.Team != co {
		t.Errorf("second jump caused %+v", e)
	}
	ana.next(t, isEvent(engine.EventExpectationMissed, "adhoc-1"))

	f.run(t, fac, cmd{"type": "end", "text": "time"}, engine.EventEnded)
	ana.next(t, isEvent(engine.EventEnded, ""))
	fac.next(t, isStatus(engine.StatusEnded))
	ana.next(t, isStatus(engine.StatusEnded))

	// The trainee never saw what was not for its team.
	for _, m := range ana.all {
		if m.isEvent("") && !m.Event.VisibleTo(co) {
			t.Errorf("ana received %s", m)
		}
	}
}

// TestRejections sends every kind of bad message and forbidden command,
// checks the error code, that the command did not run, and that the
// connection still works afterwards.
func TestRejections(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co, pe)
	facC := join(t, srv, ex.Codes.Facilitator, "Fran")
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	luisC := join(t, srv, ex.Codes.Teams[pe], "Luis")
	evaC := join(t, srv, ex.Codes.Evaluator, "Eve")
	obsC := join(t, srv, ex.Codes.Observer, "Olga")

	// Before the start.
	fac := dial(t, facC, ex.ID, 0)
	ana := dial(t, anaC, ex.ID, 0)
	fac.mustReject(t, "conflict", cmd{"type": "pause"})
	fac.mustReject(t, "conflict", cmd{"type": "release_inject", "inject": "I01"})
	ana.mustReject(t, "conflict", cmd{"type": "acknowledge", "inject": "I01"})
	// A forged sender cannot start the exercise.
	ana.send(t, `{"type":"command","id":"forged","command":{"type":"start","by":{"role":"facilitator","name":"Fran"}}}`)
	expectError(t, ana.answer(t, "forged"), "invalid")
	fac.expectNoMessage(t, 200*time.Millisecond, isEvent(engine.EventStarted, ""))

	// Start, deliver I01 to co-csirt, spread the incident to pe-csirt (I03).
	fac.mustAck(t, cmd{"type": "start"})
	fac.mustReject(t, "conflict", cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	fac.mustAck(t, cmd{"type": "release_inject", "inject": "to-peru"})
	fac.next(t, isEvent(engine.EventInjectDelivered, "I03"))
	fac.mustReject(t, "conflict", cmd{"type": "release_inject", "inject": "to-peru"})
	ana.close(t)
	fac.close(t)

	// works checks that a trainee of co-csirt's connection still works.
	works := func(t *testing.T, w *wsClient) {
		t.Helper()
		ack := w.mustAck(t, cmd{"type": "acknowledge", "inject": "I01", "text": "still here"})
		w.event(t, ack.Seq)
	}
	// invalid sends raw text and expects an invalid error with id (if any).
	invalid := func(t *testing.T, w *wsClient, raw, id string) {
		t.Helper()
		w.send(t, raw)
		m := w.next(t, isType("error"))
		expectError(t, m, "invalid")
		if m.ID != id {
			t.Errorf("%s: error id %q, want %q", raw, m.ID, id)
		}
		works(t, w)
	}

	t.Run("MalformedJSON", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		invalid(t, ana, `{"type":"command","id":"m1","command":{`, "")
		invalid(t, ana, `not json`, "")
	})
	t.Run("EmptyObject", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		invalid(t, ana, `{}`, "")
		invalid(t, ana, `{"type":"command","id":"e1"}`, "e1")
		invalid(t, ana, `{"type":"command","id":"e2","command":{}}`, "e2")
	})
	t.Run("UnknownMessageType", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		invalid(t, ana, `{"type":"subscribe","id":"u1"}`, "u1")
		invalid(t, ana, `{"type":"ack","id":"u2","seq":3}`, "u2")
	})
	t.Run("UnknownCommandType", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		ana.mustReject(t, "invalid", cmd{"type": "delete_everything"})
		works(t, ana)
	})
	t.Run("UnknownField", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		fac := dial(t, facC, ex.ID, 0)
		// A trainee forging a facilitator's pause: refused, and the
		// exercise keeps running (works would get a conflict if paused).
		invalid(t, ana, `{"type":"command","id":"f1","command":{"type":"pause","by":{"role":"facilitator","name":"Fran"}}}`, "f1")
		fac.expectNoMessage(t, 200*time.Millisecond, fac.live(isEvent(engine.EventPaused, "")))
		// Forging a team on a team action.
		invalid(t, ana, `{"type":"command","id":"f2","command":{"type":"share","inject":"I01","peers":["pe-csirt"],"tlp":"red","by":{"role":"trainee","team":"pe-csirt"}}}`, "f2")
		invalid(t, ana, `{"type":"jump","id":"f3","force":true}`, "f3")
	})
	t.Run("WrongFieldType", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		invalid(t, ana, `{"type":"command","id":"w1","command":{"type":"set_speed","speed":"fast"}}`, "w1")
		invalid(t, ana, `{"type":"command","id":"w2","command":{"type":"share","inject":"I01","peers":"pe-csirt","tlp":"green"}}`, "w2")
		invalid(t, ana, `{"type":"command","id":"w3","command":"acknowledge"}`, "w3")
		invalid(t, ana, `{"type":"jump","id":7}`, "")
		invalid(t, ana, `["command"]`, "")
	})
	t.Run("TwoJSONValues", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		ana.send(t, `{"type":"command","id":"d1","command":{"type":"acknowledge","inject":"I01"}} {"type":"jump"}`)
		expectError(t, ana.next(t, isType("error")), "invalid")
		ana.expectNoMessage(t, 100*time.Millisecond, ana.live(isEvent(engine.EventAction, "")))
		works(t, ana)
	})
	t.Run("LongID", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		invalid(t, ana, fmt.Sprintf(`{"type":"jump","id":%q}`, strings.Repeat("x", 65)), "")
	})
	t.Run("BinaryFrame", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		ana.sendFrame(t, websocket.BinaryMessage, []byte(`{"type":"command","id":"b1","command":{"type":"acknowledge","inject":"I01"}}`))
		expectError(t, ana.next(t, isType("error")), "invalid")
		works(t, ana)
	})
	t.Run("TraineeFacilitatorCommand", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		for _, c := range []cmd{
			{"type": "pause"},
			{"type": "end"},
			{"type": "set_mode", "team": co, "mode": "simulated"},
			{"type": "release_inject", "inject": "I02"},
			{"type": "send_inject", "adhoc": adhoc("Fake", co)},
			{"type": "note", "text": "I am the evaluator now"},
		} {
			ana.mustReject(t, "forbidden", c)
		}
		expectError(t, ana.jump(t), "forbidden")
		works(t, ana)
	})
	t.Run("OtherTeamsInject", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		luis := dial(t, luisC, ex.ID, 0)
		luis.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I01"})
		ana.mustReject(t, "not_found", cmd{"type": "contain", "inject": "I03"})
		works(t, ana)
		luis.mustAck(t, cmd{"type": "acknowledge", "inject": "I03"})
	})
	t.Run("TeamFieldOtherTeam", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		ana.mustReject(t, "forbidden", cmd{"type": "acknowledge", "inject": "I01", "team": pe})
		works(t, ana)
	})
	t.Run("TLPViolation", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		m := ana.mustReject(t, "forbidden", cmd{"type": "share", "inject": "I01", "peers": []string{pe}, "tlp": "red", "text": "all of it"})
		if !strings.Contains(m.Message, "TLP:RED") || !strings.Contains(m.Message, "TLP:AMBER") {
			t.Errorf("message %q should name the TLP and the allowed ones", m.Message)
		}
		ana.mustReject(t, "not_found", cmd{"type": "share", "inject": "I01", "peers": []string{"xx-csirt"}, "tlp": "green"})
		ana.mustReject(t, "invalid", cmd{"type": "share", "inject": "I01", "peers": []string{co}, "tlp": "green"})
		ana.expectNoMessage(t, 100*time.Millisecond, ana.live(func(m message) bool { return m.Event.Data.TLP == "red" }))
		works(t, ana)
	})
	t.Run("UnknownInject", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		fac := dial(t, facC, ex.ID, 0)
		ana.mustReject(t, "not_found", cmd{"type": "acknowledge", "inject": "I99"})
		fac.mustReject(t, "not_found", cmd{"type": "release_inject", "inject": "I99"})
		fac.mustReject(t, "not_found", cmd{"type": "skip_inject", "inject": "I99"})
		fac.mustReject(t, "not_found", cmd{"type": "set_mode", "team": "xx-csirt", "mode": "human"})
		fac.mustReject(t, "invalid", cmd{"type": "set_speed", "speed": 20000})
		works(t, ana)
		fac.mustAck(t, cmd{"type": "note", "text": "still here"})
	})
	t.Run("ObserverSendsAnything", func(t *testing.T) {
		obs := dial(t, obsC, ex.ID, 0)
		fac := dial(t, facC, ex.ID, 0)
		for _, c := range []cmd{
			{"type": "note", "text": "observing"},
			{"type": "start"},
			{"type": "pause"},
			{"type": "acknowledge", "inject": "I01"},
		} {
			obs.mustReject(t, "forbidden", c)
		}
		expectError(t, obs.jump(t), "forbidden")
		// Still connected: it sees the next event, but not the note,
		// which the scenario does not let observers read.
		note := fac.mustAck(t, cmd{"type": "note", "text": "not for the observer"})
		pause := fac.mustAck(t, cmd{"type": "pause"})
		fac.mustAck(t, cmd{"type": "resume"})
		obs.event(t, pause.Seq)
		for _, e := range obs.events(t, note.Seq-1, pause.Seq) {
			if e.Type == engine.EventNote {
				t.Fatalf("the observer received a note: %+v", e)
			}
		}
	})
	t.Run("Evaluator", func(t *testing.T) {
		eva := dial(t, evaC, ex.ID, 0)
		ack := eva.mustAck(t, cmd{"type": "note", "team": co, "text": "good triage"})
		if e := eva.event(t, ack.Seq); e.Type != engine.EventNote || e.Actor != "evaluator:Eve" {
			t.Errorf("note recorded as %+v", e)
		}
		eva.mustReject(t, "invalid", cmd{"type": "note"})
		eva.mustReject(t, "forbidden", cmd{"type": "start"})
		eva.mustReject(t, "forbidden", cmd{"type": "pause"})
		eva.mustReject(t, "forbidden", cmd{"type": "acknowledge", "inject": "I01"})
		expectError(t, eva.jump(t), "forbidden")
		eva.mustAck(t, cmd{"type": "note", "text": "still here"})
	})
	t.Run("WhilePaused", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		fac := dial(t, facC, ex.ID, 0)
		fac.mustAck(t, cmd{"type": "pause"})
		ana.mustReject(t, "conflict", cmd{"type": "acknowledge", "inject": "I01"})
		fac.mustReject(t, "conflict", cmd{"type": "pause"})
		fac.mustAck(t, cmd{"type": "resume"})
		fac.mustReject(t, "conflict", cmd{"type": "resume"})
		works(t, ana)
	})
	t.Run("RateLimit", func(t *testing.T) {
		eva := dial(t, evaC, ex.ID, 0)
		const n = 60
		for i := range n {
			eva.send(t, map[string]any{"type": "command", "id": fmt.Sprintf("r%d", i), "command": cmd{"type": "note", "text": "burst"}})
		}
		limited := 0
		for i := range n {
			m := eva.answer(t, fmt.Sprintf("r%d", i))
			switch {
			case m.Type == "ack":
			case m.Code == "too_many_requests" && i >= 20: // the burst is 20
				limited++
			default:
				t.Fatalf("message %d: %s", i, m)
			}
		}
		if limited == 0 {
			t.Fatalf("%d commands in a burst were all accepted", n)
		}
		// The limit refills: the connection works again shortly.
		deadline := time.Now().Add(waitTimeout)
		for {
			m := eva.command(t, "", cmd{"type": "note", "text": "after the burst"})
			if m.Type == "ack" {
				break
			}
			expectError(t, m, "too_many_requests")
			if time.Now().After(deadline) {
				t.Fatal("the rate limit never refilled")
			}
			time.Sleep(50 * time.Millisecond) // waiting for the token bucket, not for a message
		}
	})
	t.Run("Oversized", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		big := fmt.Sprintf(`{"type":"command","id":"big","command":{"type":"acknowledge","inject":"I01","text":%q}}`, strings.Repeat("x", web.MaxMessageSize))
		ana.send(t, big)
		if err := ana.closeError(t); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
			t.Fatalf("closed with %v, want close code %d", err, websocket.CloseMessageTooBig)
		}
		// Only that connection is gone; the session reconnects.
		works(t, dial(t, anaC, ex.ID, 0))
	})
	t.Run("AfterEnd", func(t *testing.T) {
		ana := dial(t, anaC, ex.ID, 0)
		fac := dial(t, facC, ex.ID, 0)
		fac.mustAck(t, cmd{"type": "end"})
		ana.next(t, isEvent(engine.EventEnded, ""))
		ana.mustReject(t, "conflict", cmd{"type": "acknowledge", "inject": "I01"})
		fac.mustReject(t, "conflict", cmd{"type": "pause"})
		fac.mustReject(t, "conflict", cmd{"type": "end"})
		expectError(t, fac.jump(t), "conflict")
		// Malformed messages are still answered.
		invalidAfterEnd := `{"type":"nope","id":"n1"}`
		ana.send(t, invalidAfterEnd)
		expectError(t, ana.answer(t, "n1"), "invalid")
	})
}

// checkIsolation fails if a trainee's connection received anything that is
// not for its team: an event of another team that is not a share naming
// its team, any event outside its audience, an inject delivered to another
// team, or a status showing other teams or what is coming.
func checkIsolation(t *testing.T, w *wsClient, team string) {
	t.Helper()
	for _, m := range w.all {
		switch m.Type {
		case "event":
			e := m.Event
			if !e.VisibleTo(team) {
				t.Errorf("%s received an event outside its audience: %s", team, m)
			}
			sharedWithUs := e.Type == engine.EventAction && e.Data.Action == scenarios.ActionShare && slices.Contains(e.Data.Peers, team)
			// A message between teams is the sender's and its recipients'.
			ourMessage := e.Type == engine.EventMessage && (slices.Contains(e.Data.Peers, team) || e.Data.Message().From == team)
			if e.Team != "" && e.Team != team && !sharedWithUs && !ourMessage {
				t.Errorf("%s received an event of team %s: %s", team, e.Team, m)
			}
			if m.Inject != nil && e.Team != team {
				t.Errorf("%s received an inject delivered to %s: %s", team, e.Team, m)
			}
		case "status":
			st := m.Status
			if len(st.Teams) != 1 || st.Teams[0].ID != team || st.Upcoming != nil || st.Releasable != nil {
				t.Errorf("%s received the status %s", team, m)
			}
		case "welcome":
			if m.You.Role != "trainee" || m.You.Team != team {
				t.Errorf("%s was welcomed as %+v", team, m.You)
			}
		}
	}
}

// seqs returns the sequence numbers of the events a connection received,
// in order.
func seqs(w *wsClient) []uint64 {
	var out []uint64
	for _, m := range w.all {
		if m.isEvent("") {
			out = append(out, m.Seq)
		}
	}
	return out
}

// visible returns the sequence numbers of the events of log (indexed by
// seq-1) a trainee of team may see, from seq from on.
func visible(log []*engine.Event, team string, from uint64) []uint64 {
	var out []uint64
	for _, e := range log {
		if e.Seq > from && e.VisibleTo(team) {
			out = append(out, e.Seq)
		}
	}
	return out
}

// staffLog checks that a staff connection received every event from 1 to
// last exactly once and in order, and returns them.
func staffLog(t *testing.T, w *wsClient, last uint64) []*engine.Event {
	t.Helper()
	evs := w.events(t, 0, last)
	for i, e := range evs {
		if e.Seq != uint64(i)+1 {
			t.Fatalf("staff events are %v, want 1..%d without gaps or duplicates", seqs(w), last)
		}
	}
	if uint64(len(evs)) != last {
		t.Fatalf("staff received %d events, want %d", len(evs), last)
	}
	return evs
}

// TestTeamIsolation plays an exercise with both teams human and checks that
// each trainee receives exactly the events of its team and the shares
// addressed to it, live and in replays, while staff receive everything.
func TestTeamIsolation(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co, pe)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	obs := dial(t, join(t, srv, ex.Codes.Observer, "Olga"), ex.ID, 0)
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	luisC := join(t, srv, ex.Codes.Teams[pe], "Luis")
	ana := dial(t, anaC, ex.ID, 0)
	luis := dial(t, luisC, ex.ID, 0)

	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t) // I01 to co-csirt
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})
	ana.mustAck(t, cmd{"type": "classify", "inject": "I01", "category": "malicious-code/infected-system", "severity": "low"}) // wrong: staff only
	ana.mustAck(t, cmd{"type": "share", "inject": "I01", "peers": []string{pe}, "tlp": "amber", "text": "IoCs for you"})
	luis.next(t, func(m message) bool { return m.isEvent(engine.EventAction) && m.Event.Data.Text == "IoCs for you" })

	// The incident spreads to Peru; both teams act.
	fac.mustAck(t, cmd{"type": "release_inject", "inject": "to-peru"})
	luis.next(t, isEvent(engine.EventInjectDelivered, "I03"))
	luis.mustAck(t, cmd{"type": "acknowledge", "inject": "I03"})
	luis.mustAck(t, cmd{"type": "contain", "inject": "I03", "text": "blocked at the gateway"})
	luis.mustAck(t, cmd{"type": "share", "inject": "I03", "peers": []string{co}, "tlp": "green", "text": "blocked here too"})
	ana.next(t, func(m message) bool { return m.isEvent(engine.EventAction) && m.Event.Data.Text == "blocked here too" })
	ana.mustAck(t, cmd{"type": "contain", "inject": "I01"})

	// Private and shared facilitator injects, notes, phases and modes.
	fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("Only for Peru", pe)})
	fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("Only for Colombia", co)})
	fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("For the network", "group:andean")})
	fac.mustAck(t, cmd{"type": "note", "team": co, "inject": "I01", "text": "wrong classification"})
	fac.mustAck(t, cmd{"type": "set_phase", "team": pe, "incident": "INC1", "phase": "eradicated"})
	fac.mustAck(t, cmd{"type": "set_mode", "team": co, "mode": "simulated"})

	// A late joiner of each team replays everything so far.
	ana2 := dial(t, anaC, ex.ID, 0)
	luis2 := dial(t, luisC, ex.ID, 0)

	// Let time run: the simulated co-csirt works, I02 arrives, deadlines
	// fall due for both teams.
	for i := 0; ; i++ {
		if m := fac.jump(t); m.Type != "ack" {
			t.Fatalf("jump: %s", m)
		}
		if slices.ContainsFunc(fac.all, isEvent(engine.EventInjectDelivered, "I02")) {
			break
		}
		if i == 10 || slices.ContainsFunc(fac.all, isEvent(engine.EventEnded, "")) {
			t.Fatalf("I02 was not delivered after %d jumps", i+1)
		}
	}
	fac.mustAck(t, cmd{"type": "set_mode", "team": co, "mode": "human"})
	ack := fac.mustAck(t, cmd{"type": "end"})
	last := ack.Seq

	log := staffLog(t, fac, last)
	obs.event(t, last)
	var withoutNotes []uint64
	for _, e := range log {
		if e.Type != engine.EventNote {
			withoutNotes = append(withoutNotes, e.Seq)
		}
	}
	if got := seqs(obs); !slices.Equal(got, withoutNotes) {
		t.Errorf("the observer received events %v, want every event but the notes: %v", got, withoutNotes)
	}
	teamsSeen := map[string]bool{}
	for _, e := range log {
		teamsSeen[e.Team] = true
	}
	if !teamsSeen[co] || !teamsSeen[pe] {
		t.Fatalf("the exercise should involve both teams; events: %v", types(log))
	}
	for _, tc := range []struct {
		team  string
		conns []*wsClient
	}{{co, []*wsClient{ana, ana2}}, {pe, []*wsClient{luis, luis2}}} {
		want := visible(log, tc.team, 0)
		for _, w := range tc.conns {
			w.next(t, isEvent(engine.EventEnded, ""))
			checkIsolation(t, w, tc.team)
			if got := seqs(w); !slices.Equal(got, want) {
				t.Errorf("%s received events %v, want %v", tc.team, got, want)
			}
		}
	}
	// A trainee reconnecting after the end still gets its team's log.
	late := dial(t, luisC, ex.ID, 0)
	late.next(t, isStatus(engine.StatusEnded))
	checkIsolation(t, late, pe)
	if got, want := seqs(late), visible(log, pe, 0); !slices.Equal(got, want) {
		t.Errorf("after the end, %s replays %v, want %v", pe, got, want)
	}
}

// TestReconnect checks that a trainee who reconnects with since=<last seq>
// receives exactly the visible events it missed, then caught_up, then live
// events.
func TestReconnect(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	bea := dial(t, join(t, srv, ex.Codes.Teams[co], "Bea"), ex.ID, 0)
	ana := dial(t, anaC, ex.ID, 0)

	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ack := ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})
	ana.event(t, ack.Seq)
	got := seqs(ana)
	lastSeen := got[len(got)-1]
	ana.close(t)

	// While Ana is away: her team's actions, staff-only events, another
	// team's (simulated) events, a private inject for her team.
	bea.mustAck(t, cmd{"type": "classify", "inject": "I01", "category": "phishing", "severity": "high"})
	fac.mustAck(t, cmd{"type": "note", "team": co, "text": "Ana dropped out"})
	fac.mustAck(t, cmd{"type": "release_inject", "inject": "to-peru"})
	fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("While you were away", co)})
	fac.jump(t)
	ack = bea.mustAck(t, cmd{"type": "share", "inject": "I01", "peers": []string{pe}, "tlp": "green"})
	log := staffLog(t, fac, ack.Seq)
	missed := visible(log, co, lastSeen)
	if len(missed) < 4 || len(missed) == len(visible(log, "", lastSeen)) {
		t.Fatalf("the test should miss some visible and some invisible events; visible: %v", missed)
	}

	ana = dial(t, anaC, ex.ID, lastSeen)
	welcome := ana.all[0]
	if welcome.Type != "welcome" || welcome.Seq != ack.Seq || welcome.You.Name != "Ana" || welcome.You.Team != co {
		t.Fatalf("first message %s, want welcome at seq %d", welcome, ack.Seq)
	}
	var replayed []uint64
	i := 1
	for ; i < len(ana.all) && ana.all[i].Type == "event"; i++ {
		replayed = append(replayed, ana.all[i].Seq)
	}
	if !slices.Equal(replayed, missed) {
		t.Fatalf("replayed %v, want exactly the missed visible events %v", replayed, missed)
	}
	if m := ana.all[i]; m.Type != "caught_up" || m.Seq != ack.Seq {
		t.Fatalf("after the replay: %s, want caught_up at seq %d", m, ack.Seq)
	}

	// Then live events, each once.
	ack = fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("Back online", co)})
	m := ana.next(t, func(m message) bool { return m.isEvent(engine.EventInjectDelivered) && m.Seq > welcome.Seq })
	if m.Seq != ack.Seq || m.Inject.Title != "Back online" {
		t.Fatalf("live: %s, want the delivery at seq %d", m, ack.Seq)
	}
	ack = ana.mustAck(t, cmd{"type": "acknowledge", "inject": m.Event.Data.Inject})
	ana.event(t, ack.Seq)
	ana.expectNoMessage(t, 100*time.Millisecond, func(m message) bool { return m.isEvent("") && m.Seq > ack.Seq })
	all := seqs(ana)
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Fatalf("events %v are out of order or duplicated", all)
	}
	checkIsolation(t, ana, co)

	// since beyond the log replays nothing; since=0 replays everything.
	if got := seqs(dial(t, anaC, ex.ID, 1<<40)); len(got) != 0 {
		t.Errorf("since beyond the log replayed %v", got)
	}
	full := dial(t, anaC, ex.ID, 0)
	log = staffLog(t, fac, ack.Seq)
	if got, want := seqs(full), visible(log, co, 0); !slices.Equal(got, want) {
		t.Errorf("since=0 replayed %v, want %v", got, want)
	}
}
