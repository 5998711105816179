package engine_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// messagesScenario is the example scenario with a third team linked to
// colCERT only, reply templates for PeCERT, and two scripted messages from
// PeCERT: a request colCERT is expected to answer, and a TLP:RED note.
func messagesScenario(tb testing.TB) *scenarios.Scenario {
	tb.Helper()
	src, err := os.ReadFile(exampleFile)
	if err != nil {
		tb.Fatal(err)
	}
	y := string(src)
	y = strings.Replace(y, "      analysts: 2\n      skill: 0.6\n", `      analysts: 2
      skill: 0.6
    replies:
      rfi: "PeCERT to {requester}: nothing new on {subject} yet."
  - id: ar-csirt
    name: CERT.ar
    country: AR
    timezone: America/Argentina/Buenos_Aires
    sector: national
    profile: { analysts: 1, skill: 0.5 }
`, 1)
	y = strings.Replace(y, "      tlp: [clear, green, amber]\n", `      tlp: [clear, green, amber]
    - between: [co-csirt, ar-csirt]
      tlp: [clear, green, amber]
`, 1)
	y += `
  - id: I09
    title: PeCERT asks about the phishing kit
    at: "00:05"
    channel: email
    from: pe-csirt
    to: [co-csirt]
    tlp: amber
    body: Have you seen the kit's admin panel? Please answer.
    expectations:
      - id: answer
        action: reply
        within: 20m
        points: 5
        objective: O2

  - id: I10
    title: PeCERT private note
    at: "00:06"
    channel: email
    from: pe-csirt
    to: [co-csirt]
    tlp: red
    body: For your eyes only.
`
	s, problems := scenarios.Parse("messages.yaml", []byte(y))
	if problems.HasErrors() {
		tb.Fatalf("scenario:\n%s", problems)
	}
	return s
}

func newMessages(tb testing.TB, humans ...string) *engine.Exercise {
	tb.Helper()
	x, err := engine.New(messagesScenario(tb), engine.Options{Seed: 11, Humans: humans})
	if err != nil {
		tb.Fatal(err)
	}
	MustApply(tb, x, 0, facilitator(engine.CmdStart))
	return x
}

func message(team string, tlp, text string, peers ...string) engine.Command {
	c := trainee(team, engine.CmdMessage, "")
	c.TLP, c.Text, c.Peers = tlp, text, peers
	return c
}

func replyTo(team string, seq uint64, text string) engine.Command {
	c := trainee(team, engine.CmdReply, "")
	c.Message, c.Text = seq, text
	return c
}

func forwardTo(team string, seq uint64, tlp string, peers ...string) engine.Command {
	c := trainee(team, engine.CmdForward, "")
	c.Message, c.TLP, c.Peers, c.Text = seq, tlp, peers, "FYI"
	return c
}

// threadOf returns the messages of thread id a team sees.
func threadOf(x *engine.Exercise, team string, id uint64) []engine.Event {
	var out []engine.Event
	for _, e := range x.Events() {
		if e.Type == engine.EventMessage && e.Data.Message().Thread == id && e.VisibleTo(team) {
			out = append(out, e)
		}
	}
	return out
}

func TestMessages_ThreadBetweenTwoHumanTeams(t *testing.T) {
	x := newMessages(t, "co-csirt", "pe-csirt", "ar-csirt")
	sent := MustApply(t, x, time.Minute, message("co-csirt", "amber", "Seen 185.220.101.7?", "pe-csirt"))
	root := find(sent, engine.EventMessage, "co-csirt")
	if root == nil || root.Data.Message().Thread != root.Seq || root.Data.Message().Kind != engine.KindMessage {
		t.Fatalf("message event = %+v", sent)
	}
	rep := find(MustApply(t, x, 2*time.Minute, replyTo("pe-csirt", root.Seq, "Yes, blocked here.")), engine.EventMessage, "pe-csirt")
	if rep.Data.Message().Thread != root.Seq || rep.Data.Message().ReplyTo != root.Seq || rep.Data.TLP != "amber" || rep.Data.Reason != "" {
		t.Fatalf("reply = %+v", rep.Data)
	}
	for team, want := range map[string]int{"co-csirt": 2, "pe-csirt": 2, "ar-csirt": 0} {
		if got := len(threadOf(x, team, root.Seq)); got != want {
			t.Errorf("%s sees %d messages of the thread, want %d", team, got, want)
		}
	}
	// A team outside the thread can neither reply to it nor forward it.
	for _, c := range []engine.Command{replyTo("ar-csirt", root.Seq, "me too"), forwardTo("ar-csirt", root.Seq, "amber", "co-csirt")} {
		if _, err := x.Apply(c); engine.Code(err) != engine.CodeNotFound {
			t.Errorf("%s by a team outside the thread: %v, want not_found", c.Type, err)
		}
	}
}

func TestMessages_Rejections(t *testing.T) {
	x := newMessages(t, "co-csirt", "pe-csirt", "ar-csirt")
	x.AdvanceTo(7 * time.Minute) // past the scripted I10
	var red uint64
	for _, e := range x.Events() {
		if e.Type == engine.EventMessage && e.Data.Inject == "I10" {
			red = e.Seq
		}
	}
	if red == 0 {
		t.Fatal("the scripted TLP:RED message was not delivered")
	}
	long := strings.Repeat("x", engine.MaxTextLen+1)
	for _, tt := range []struct {
		name string
		cmd  engine.Command
		code engine.ErrorCode
		msg  string
	}{
		{"unknown recipient", message("co-csirt", "amber", "hi", "xx-csirt"), engine.CodeNotFound, "unknown peer team"},
		{"no link", message("pe-csirt", "green", "hi", "ar-csirt"), engine.CodeForbidden, "no sharing link"},
		{"TLP not allowed", message("co-csirt", "red", "hi", "pe-csirt"), engine.CodeForbidden, "does not allow TLP:RED"},
		{"oversize text", message("co-csirt", "amber", long, "pe-csirt"), engine.CodeInvalid, "longer than"},
		{"no text", message("co-csirt", "amber", " ", "pe-csirt"), engine.CodeInvalid, "needs text"},
		{"itself", message("co-csirt", "amber", "hi", "co-csirt"), engine.CodeInvalid, "itself"},
		{"reply never received", replyTo("ar-csirt", red, "hi"), engine.CodeNotFound, "has not reached your team"},
		{"reply to nothing", replyTo("co-csirt", 99999, "hi"), engine.CodeNotFound, "has not reached your team"},
		{"forward RED", forwardTo("co-csirt", red, "red", "ar-csirt"), engine.CodeForbidden, "TLP:RED"},
		{"too many indicators", func() engine.Command {
			c := message("co-csirt", "amber", "hi", "pe-csirt")
			c.Indicators = make([]string, engine.MaxIndicators+1)
			return c
		}(), engine.CodeInvalid, "indicators"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(x.Events())
			_, err := x.Apply(tt.cmd)
			if engine.Code(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v (%s), want %s containing %q", err, engine.Code(err), tt.code, tt.msg)
			}
			if len(x.Events()) != before {
				t.Fatal("a rejected command left events")
			}
		})
	}
}

func TestMessages_TLPOnReplyAndForward(t *testing.T) {
	x := newMessages(t, "co-csirt", "pe-csirt", "ar-csirt")
	root := find(MustApply(t, x, time.Minute, message("pe-csirt", "amber", "Kit panel at 10.0.0.1", "co-csirt")), engine.EventMessage, "")
	c := replyTo("co-csirt", root.Seq, "Thanks")
	c.TLP = "green"
	rep := find(MustApply(t, x, 2*time.Minute, c), engine.EventMessage, "")
	if !strings.HasPrefix(rep.Data.Reason, "TLP violation: sent as TLP:GREEN, the information is TLP:AMBER") {
		t.Errorf("a reply more open than the message is not flagged: %q", rep.Data.Reason)
	}
	fwd := find(MustApply(t, x, 3*time.Minute, forwardTo("co-csirt", root.Seq, "clear", "ar-csirt")), engine.EventMessage, "")
	if !strings.HasPrefix(fwd.Data.Reason, "TLP violation") || fwd.Data.Message().Kind != engine.KindForward || fwd.Data.Message().Thread != fwd.Seq {
		t.Errorf("forward = %+v", fwd.Data)
	}
	if !strings.Contains(fwd.Data.Text, "Kit panel at 10.0.0.1") {
		t.Errorf("the forward does not quote the message: %q", fwd.Data.Text)
	}
	ok := find(MustApply(t, x, 4*time.Minute, forwardTo("co-csirt", root.Seq, "amber", "ar-csirt")), engine.EventMessage, "")
	if ok.Data.Reason != "" {
		t.Errorf("a forward at the same TLP is flagged: %q", ok.Data.Reason)
	}
	// The forward opens a thread of its own: PeCERT is not in it.
	if n := len(threadOf(x, "pe-csirt", fwd.Seq)); n != 0 {
		t.Errorf("the original sender sees %d messages of the forward's thread", n)
	}
	if got := x.State().Violations["co-csirt"]; got != 2 {
		t.Errorf("co-csirt violations = %d, want 2", got)
	}
}

func TestMessages_SimulatedTeamAnswersRFI(t *testing.T) {
	x := newMessages(t, "co-csirt")
	c := message("co-csirt", "amber", "Do you see the same campaign?", "pe-csirt")
	c.Kind = engine.KindRFI
	root := find(MustApply(t, x, time.Minute, c), engine.EventMessage, "")
	x.AdvanceTo(x.Duration())
	var answer *engine.Event
	for _, e := range threadOf(x, "co-csirt", root.Seq) {
		if e.Data.Message().Kind == engine.KindReply && e.Team == "pe-csirt" {
			answer = &e
			break
		}
	}
	if answer == nil {
		t.Fatal("the simulated team never answered")
	}
	if answer.Actor != "sim:pe-csirt" || answer.Data.Text != "PeCERT to colCERT: nothing new on the situation yet." {
		t.Errorf("answer = %s %q", answer.Actor, answer.Data.Text)
	}
	var rfi *engine.RFIState
	for i, r := range x.State().RFIs {
		if r.Thread == root.Seq {
			rfi = &x.State().RFIs[i]
		}
	}
	if rfi == nil || !rfi.Answered || rfi.Latency() != answer.At-root.At || rfi.Latency() <= 0 {
		t.Fatalf("rfi = %+v", rfi)
	}
	for _, ts := range x.Summarize().Teams {
		if ts.Team == "pe-csirt" && (ts.RFIs != 1 || ts.Answered != 1 || ts.AnswerTime == "") {
			t.Errorf("summary of pe-csirt = %+v", ts)
		}
	}
}

// TestMessages_SimulatedTeamSharesBack: a simulated team asked about an
// inject it received too answers with the inject's indicators, marked no
// more openly than the inject (AMBER, the scenario's default) or the
// request (GREEN); a request about no inject gets the text alone.
func TestMessages_SimulatedTeamSharesBack(t *testing.T) {
	s := messagesScenario(t)
	s.Injects[0].To = []string{"co-csirt", "pe-csirt"}
	x, err := engine.New(s, engine.Options{Seed: 11, Humans: []string{"pe-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, x, 0, facilitator(engine.CmdStart))
	x.AdvanceTo(11 * time.Minute) // I01 reached both teams
	c := message("pe-csirt", "green", "What do you have on this campaign?", "co-csirt")
	c.Kind, c.Inject = engine.KindRFI, "I01"
	root := find(MustApply(t, x, x.Now(), c), engine.EventMessage, "")
	x.AdvanceTo(x.Duration())
	var answer *engine.Event
	for _, e := range threadOf(x, "pe-csirt", root.Seq) {
		if e.Data.Message().Kind == engine.KindReply && e.Team == "co-csirt" {
			answer = &e
			break
		}
	}
	if answer == nil {
		t.Fatal("the simulated team never answered")
	}
	want := []string{"hxxps://nomina-minfin[.]com/login", "185.220.101.7"}
	if strings.Join(answer.Data.Message().Indicators, " ") != strings.Join(want, " ") || answer.Data.TLP != "amber" || answer.Data.Reason != "" {
		t.Errorf("answer shares %q at TLP:%s (%q), want %q at TLP:AMBER without a violation", answer.Data.Message().Indicators, answer.Data.TLP, answer.Data.Reason, want)
	}

	y, err := engine.New(s, engine.Options{Seed: 11, Humans: []string{"pe-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	MustApply(t, y, 0, facilitator(engine.CmdStart))
	c = message("pe-csirt", "green", "Anything new?", "co-csirt")
	c.Kind = engine.KindRFI
	root = find(MustApply(t, y, time.Minute, c), engine.EventMessage, "")
	y.AdvanceTo(y.Duration())
	answered := false
	for _, e := range threadOf(y, "pe-csirt", root.Seq) {
		if e.Data.Message().Kind == engine.KindReply && e.Team == "co-csirt" {
			answered = true
			if len(e.Data.Message().Indicators) > 0 || e.Data.TLP != "green" {
				t.Errorf("an answer about no inject shares %q at TLP:%s, want the text alone at the request's GREEN", e.Data.Message().Indicators, e.Data.TLP)
			}
		}
	}
	if !answered {
		t.Error("the simulated team never answered the request about no inject")
	}
}

func TestMessages_ReplyExpectation(t *testing.T) {
	answered := func(reply bool) engine.Outcome {
		x := newMessages(t, "co-csirt", "pe-csirt")
		x.AdvanceTo(5 * time.Minute)
		thread, ok := x.State().InjectThread("co-csirt", "I09")
		if !ok {
			t.Fatal("the scripted request opened no thread")
		}
		if e := x.Events()[thread-1]; e.Data.Message().Kind != engine.KindRFI || e.Team != "pe-csirt" || !e.VisibleTo("co-csirt") || !e.VisibleTo("pe-csirt") {
			t.Fatalf("scripted message = %+v", e)
		}
		if reply {
			MustApply(t, x, 10*time.Minute, replyTo("co-csirt", thread, "No panel seen."))
		}
		MustApply(t, x, 30*time.Minute, trainee("co-csirt", engine.CmdAcknowledge, "I01"))
		return x.State().Expectation("I09", "answer", "co-csirt").Outcome()
	}
	if got := answered(true); got != engine.OutcomeMet {
		t.Errorf("answered in time: %s, want met", got)
	}
	if got := answered(false); got != engine.OutcomeMissed {
		t.Errorf("never answered: %s, want missed", got)
	}
}

// TestMessages_DeterministicAndReplayable runs the same play twice and
// rebuilds it from its log: simulated answers and all.
func TestMessages_DeterministicAndReplayable(t *testing.T) {
	play := func() *engine.Exercise {
		x := newMessages(t, "co-csirt")
		c := message("co-csirt", "amber", "Anything on 185.220.101.7?", "group:andean")
		c.Kind = engine.KindRFI
		root := find(MustApply(t, x, time.Minute, c), engine.EventMessage, "")
		MustApply(t, x, 2*time.Minute, forwardTo("co-csirt", root.Seq, "green", "ar-csirt"))
		x.AdvanceTo(6 * time.Minute)
		thread, _ := x.State().InjectThread("co-csirt", "I09")
		MustApply(t, x, 8*time.Minute, replyTo("co-csirt", thread, "Not yet."))
		x.AdvanceTo(x.Duration())
		return x
	}
	a, b := play(), play()
	la, _ := engine.MarshalLog(a.Events())
	lb, _ := engine.MarshalLog(b.Events())
	if !bytes.Equal(la, lb) {
		t.Fatal("two runs with one seed differ")
	}
	simulated := 0
	for _, e := range a.Events() {
		if e.Type == engine.EventMessage && strings.HasPrefix(e.Actor, "sim:") {
			simulated++
		}
	}
	if simulated < 2 {
		t.Fatalf("%d simulated messages, want the RFI answered by pe-csirt and ar-csirt's answer to the forward", simulated)
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
	if len(st.RFIs) != len(a.State().RFIs) || st.Violations["co-csirt"] != 1 {
		t.Fatalf("folded RFIs %+v violations %v", st.RFIs, st.Violations)
	}
}
