package engine_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// simcellScenario is the example scenario with reply templates for the
// Ministry of ICT, a regulator in colCERT's country and one in Peru, and an
// inject from the ministry that expects colCERT's reply.
func simcellScenario(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	src, err := os.ReadFile(exampleFile)
	if err != nil {
		tb.Fatal(err)
	}
	y := strings.Replace(string(src), `  - id: mintic
    name: Ministry of ICT
    kind: national_authority
    country: CO
`, `  - id: mintic
    name: Ministry of ICT
    kind: national_authority
    country: CO
    replies:
      rfi: "{team} to {requester}: on {subject}, the ministry has nothing more yet."
      message: "{team} to {requester}: noted, about {subject}."
  - id: sbs-pe
    name: Banking Superintendence (Peru)
    kind: regulator
    country: PE
  - id: crc-co
    name: Communications Regulation Commission
    kind: regulator
    country: CO
`, 1)
	y += `
  - id: I11
    title: The ministry asks for a status update
    at: "00:12"
    channel: email
    from: mintic
    to: [co-csirt]
    tlp: green
    body: Please send the minister a status update.
    expectations:
      - { id: answer, action: reply, within: 30m, points: 5, objective: O2 }
`
	s, problems := scenarios.Parse("simcell.yaml", []byte(y))
	if problems.HasErrors() {
		tb.Fatalf("scenario:\n%s", problems)
	}
	return s
}

func newSimCell(tb testing.TB) *engine.Exercise {
	tb.Helper()
	x, err := engine.New(simcellScenario(tb), engine.Options{Seed: 5, Humans: []string{"co-csirt"}})
	if err != nil {
		tb.Fatal(err)
	}
	MustApply(tb, x, 0, facilitator(engine.CmdStart))
	return x
}

func escalate(team, inject, target, text string) engine.Command {
	c := trainee(team, engine.CmdEscalate, inject)
	c.Target, c.Text = target, text
	return c
}

func answer(name string, item uint64, kind, text string) engine.Command {
	c := facilitator(engine.CmdSimCellAnswer)
	c.By.Name, c.Message, c.Kind, c.Text = name, item, kind, text
	return c
}

func claim(name string, item uint64) engine.Command {
	c := facilitator(engine.CmdSimCellClaim)
	c.By.Name, c.Message = name, item
	return c
}

// playSimCell has colCERT escalate, request information from an actor and
// from a team, report, and reply to the ministry's inject; it returns the
// exercise at T+0:20.
func playSimCell(tb testing.TB) *engine.Exercise {
	tb.Helper()
	x := newSimCell(tb)
	MustApply(tb, x, 11*time.Minute, escalate("co-csirt", "I01", "mintic", "Phishing wave at MinFin; we need a decision on blocking."))
	rfi := trainee("co-csirt", engine.CmdRequestInfo, "I01")
	rfi.Target, rfi.Text = "minfin-co", "How many mailboxes got it?"
	MustApply(tb, x, 12*time.Minute, rfi)
	peer := trainee("co-csirt", engine.CmdRequestInfo, "I01")
	peer.Target, peer.Text = "pe-csirt", "Seen it?"
	MustApply(tb, x, 13*time.Minute, peer) // to a team: a message, not a SimCell item
	rep := trainee("co-csirt", engine.CmdReport, "I01")
	rep.Text = "Incident report: phishing against MinFin."
	MustApply(tb, x, 14*time.Minute, rep)
	thread, ok := x.State().InjectThread("co-csirt", "I11")
	if !ok {
		tb.Fatal("I11 opened no thread")
	}
	MustApply(tb, x, 15*time.Minute, replyTo("co-csirt", thread, "Status: contained at MinFin."))
	x.AdvanceTo(20 * time.Minute)
	return x
}

func TestSimCell_Queue(t *testing.T) {
	x := playSimCell(t)
	q := x.State().SimCellQueue()
	type row struct {
		kind, actor string
		at          time.Duration
	}
	var got []row
	for _, it := range q {
		got = append(got, row{it.Kind, it.Actor, it.At})
		if it.Team != "co-csirt" || it.By != "trainee:co-csirt:ana" || it.Text == "" {
			t.Errorf("item %+v: want colCERT's, by ana, with its text", it)
		}
	}
	want := []row{
		{engine.SimCellEscalation, "mintic", 11 * time.Minute},
		{engine.SimCellRequest, "minfin-co", 12 * time.Minute},
		{engine.SimCellReport, "crc-co", 14 * time.Minute}, // the regulator of the team's country, not Peru's
		{engine.SimCellReply, "mintic", 15 * time.Minute},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("queue = %+v\nwant    %+v", got, want)
	}
	if th := q[3].Thread; th == 0 {
		t.Error("a reply item has no thread")
	}
	if age := q[0].Age(x.Now()); age != 9*time.Minute {
		t.Errorf("the escalation's age at T+0:20 = %v, want 9m", age)
	}
	for _, it := range q {
		if strings.HasPrefix(it.By, "sim:") {
			t.Errorf("a simulated team's action is in the queue: %+v", it)
		}
	}
}

func TestSimCell_AnswerInRole(t *testing.T) {
	x := playSimCell(t)
	q := x.State().SimCellQueue()
	esc, reply := q[0], q[3]

	evs := MustApply(t, x, 21*time.Minute, answer("Ana", esc.Seq, scenarios.ReplyMessage, ""))
	ans := find(evs, engine.EventMessage, "")
	if ans == nil {
		t.Fatalf("no answer message in %v", types(evs))
	}
	d := ans.Data
	if d.Message().From != "mintic" || d.Message().Kind != engine.KindReply || d.Item != esc.Seq || d.Message().Thread != ans.Seq || d.Latency != 10*time.Minute {
		t.Errorf("answer = %+v", d)
	}
	if want := "Ministry of ICT to colCERT: noted, about "; !strings.HasPrefix(d.Text, want) {
		t.Errorf("answer text = %q, want the ministry's template filled in (%q…)", d.Text, want)
	}
	if !ans.VisibleTo("co-csirt") || ans.VisibleTo("pe-csirt") || ans.Actor != "facilitator:Ana" || d.Command == nil {
		t.Errorf("answer audience %v actor %q: want colCERT only, from the facilitator, with the command", ans.Audience, ans.Actor)
	}
	it, _ := x.State().SimCellItem(esc.Seq)
	if !it.Answered || it.AnsweredBy != "facilitator:Ana" || it.Answer != ans.Seq || it.Age(time.Hour) != 10*time.Minute {
		t.Errorf("answered item = %+v", it)
	}
	if n := len(x.State().SimCellQueue()); n != 3 {
		t.Errorf("%d items left, want 3", n)
	}

	// The team answers the ministry in the new thread: a new item.
	MustApply(t, x, 22*time.Minute, replyTo("co-csirt", ans.Seq, "Blocking now."))
	q = x.State().SimCellQueue()
	last := q[len(q)-1]
	if last.Kind != engine.SimCellReply || last.Actor != "mintic" || last.Thread != ans.Seq {
		t.Errorf("the team's answer in the SimCell thread opened %+v", last)
	}

	// A free-text answer in the reply's thread, with a follow-up inject.
	c := answer("Ben", reply.Seq, "", "Thanks; the minister will call at noon.")
	c.AdHoc = &engine.AdHocInject{Title: "Minister's call", Body: "The minister wants a call at noon.", Channel: "phone"}
	evs = MustApply(t, x, 23*time.Minute, c)
	if got := types(evs); !slices.Equal(got, []engine.EventType{engine.EventMessage, engine.EventInjectSent, engine.EventInjectDelivered}) {
		t.Fatalf("answer with a follow-up recorded %v", got)
	}
	d = evs[0].Data
	if d.Message().Thread != reply.Thread || d.Message().ReplyTo != reply.Seq || d.TLP != "green" || d.Text != "Thanks; the minister will call at noon." {
		t.Errorf("answer in the thread = %+v (want the thread's TLP:GREEN)", d)
	}
	if evs[1].Data.Command != nil || evs[1].Data.AdHoc.From != "mintic" || !slices.Equal(evs[1].Data.AdHoc.To, []string{"co-csirt"}) {
		t.Errorf("follow-up = %+v: want from the actor, to the team, without a second copy of the command", evs[1].Data)
	}
	if evs[2].Team != "co-csirt" {
		t.Errorf("follow-up delivered to %q", evs[2].Team)
	}
}

func TestSimCell_Refusals(t *testing.T) {
	x := playSimCell(t)
	q := x.State().SimCellQueue()
	MustApply(t, x, 21*time.Minute, claim("Ana", q[0].Seq))
	MustApply(t, x, 21*time.Minute, claim("Ben", q[0].Seq)) // a claim may be taken over
	if it, _ := x.State().SimCellItem(q[0].Seq); it.ClaimedBy != "facilitator:Ben" || it.ClaimedAt != 21*time.Minute {
		t.Errorf("claimed item = %+v", it)
	}
	MustApply(t, x, 22*time.Minute, answer("Ben", q[0].Seq, scenarios.ReplyRFI, ""))
	byTrainee := answer("x", q[1].Seq, "", "hi")
	byTrainee.By = engine.Principal{Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}
	for _, tt := range []struct {
		name string
		cmd  engine.Command
		code engine.ErrorCode
		msg  string
	}{
		{"second answer", answer("Ana", q[0].Seq, "", "Me too"), engine.CodeConflict, "already answered by Ben at T+0:22:00"},
		{"claim of an answered item", claim("Ana", q[0].Seq), engine.CodeConflict, "already answered"},
		{"claim twice", func() engine.Command {
			MustApply(t, x, 23*time.Minute, claim("Ana", q[1].Seq))
			return claim("Ana", q[1].Seq)
		}(), engine.CodeConflict, "already answering"},
		{"no item", answer("Ana", 0, "", "hi"), engine.CodeInvalid, "needs the SimCell item"},
		{"unknown item", answer("Ana", 2, "", "hi"), engine.CodeNotFound, "no SimCell item 2"},
		{"no text nor template", answer("Ana", q[1].Seq, "", " "), engine.CodeInvalid, "needs text or a reply template"},
		{"text and template", answer("Ana", q[1].Seq, "rfi", "hi"), engine.CodeInvalid, "not both"},
		{"bad TLP", func() engine.Command { c := answer("Ana", q[1].Seq, "", "hi"); c.TLP = "purple"; return c }(), engine.CodeInvalid, "TLP"},
		{"bad follow-up", func() engine.Command {
			c := answer("Ana", q[1].Seq, "", "hi")
			c.AdHoc = &engine.AdHocInject{Title: "x", Channel: "email"}
			return c
		}(), engine.CodeInvalid, "body"},
		{"by a trainee", byTrainee, engine.CodeForbidden, "only a facilitator"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(x.Events())
			_, err := x.Apply(tt.cmd)
			if engine.Code(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v (%s), want %s containing %q", err, engine.Code(err), tt.code, tt.msg)
			}
			if len(x.Events()) != before {
				t.Fatal("a refused command left events")
			}
		})
	}
}

func TestSimCell_DeterminismAndReplay(t *testing.T) {
	play := func() *engine.Exercise {
		x := playSimCell(t)
		q := x.State().SimCellQueue()
		MustApply(t, x, 21*time.Minute, claim("Ana", q[1].Seq))
		c := answer("Ana", q[1].Seq, "", "About 40 mailboxes.")
		c.AdHoc = &engine.AdHocInject{Title: "MinFin follow-up", Body: "MinFin sends the mailbox list.", Channel: "email"}
		MustApply(t, x, 25*time.Minute, c)
		MustApply(t, x, 26*time.Minute, answer("Ben", q[2].Seq, scenarios.ReplyRFI, ""))
		x.AdvanceTo(x.Duration())
		return x
	}
	a, b := play(), play()
	la, _ := engine.MarshalLog(a.Events())
	lb, _ := engine.MarshalLog(b.Events())
	if !bytes.Equal(la, lb) {
		t.Fatal("two runs with one seed differ")
	}
	y, err := engine.Rerun(a.Scenario(), a.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ly, _ := engine.MarshalLog(y.Events()); !bytes.Equal(ly, la) {
		t.Fatal("the rerun differs from the run")
	}
	st, err := engine.Fold(a.Scenario(), a.Events())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.SimCellQueue(), a.State().SimCellQueue(); !slices.EqualFunc(got, want, func(p, q engine.SimCellItem) bool { return p == q }) || len(got) != 2 {
		t.Fatalf("folded queue %+v, live %+v (want the 2 unanswered)", got, want)
	}
	if got := st.SimCellAnswered(10); len(got) != 2 || got[0].AnsweredBy != "facilitator:Ben" || got[1].ClaimedBy != "facilitator:Ana" {
		t.Fatalf("folded answered items = %+v", got)
	}
}
