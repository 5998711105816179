package engine

import (
	"fmt"
	"slices"
	"strings"

	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// talk validates and records a message command: a new message or request
// for information, a reply, or a forward.
func (x *Exercise) talk(cmd Command) error {
	if err := checkIndicators(cmd.Indicators); err != nil {
		return err
	}
	switch cmd.Type {
	case CmdMessage:
		return x.newMessage(cmd)
	case CmdReply:
		return x.reply(cmd)
	}
	return x.forward(cmd)
}

// checkIndicators bounds a message's text attachments.
func checkIndicators(ind []string) error {
	if len(ind) > MaxIndicators {
		return Errorf(CodeInvalid, "a message may carry at most %d indicators", MaxIndicators)
	}
	for _, s := range ind {
		if strings.TrimSpace(s) == "" || len(s) > MaxIndicatorLen {
			return Errorf(CodeInvalid, "each indicator needs text of at most %d characters", MaxIndicatorLen)
		}
	}
	return nil
}

// nextSeq is the sequence number the next event will get.
func (x *Exercise) nextSeq() uint64 { return uint64(len(x.log)) + 1 }

// newMessage starts a thread with peer teams.
func (x *Exercise) newMessage(cmd Command) error {
	team := cmd.By.Team
	kind := orDefault(cmd.Kind, KindMessage)
	if kind != KindMessage && kind != KindRFI {
		return Errorf(CodeInvalid, "a message's kind must be %q or %q", KindMessage, KindRFI)
	}
	if strings.TrimSpace(cmd.Text) == "" {
		return Errorf(CodeInvalid, "a message needs text")
	}
	limit := scenarios.TLP("")
	if cmd.Inject != "" {
		if _, ok := x.st.Delivered(team, cmd.Inject); !ok {
			return Errorf(CodeNotFound, "inject %q has not been delivered to your team", cmd.Inject)
		}
		in, _ := x.Inject(cmd.Inject)
		limit = in.TLP
	}
	if cmd.Incident != "" {
		if _, ok := x.scn.Incident(cmd.Incident); !ok {
			return Errorf(CodeNotFound, "unknown incident %q", cmd.Incident)
		}
	}
	peers, tlp, err := x.checkLinks(team, "message", cmd.Peers, cmd.TLP)
	if err != nil {
		return err
	}
	seq := x.nextSeq()
	d := Details{Peers: peers, TLP: string(tlp), Text: cmd.Text, Inject: cmd.Inject, Incident: cmd.Incident, Why: violation(tlp, limit),
		MessageFields: &MessageFields{Kind: kind, Thread: seq, From: team, Indicators: slices.Clone(cmd.Indicators)}}
	x.emit(cmdEvent(EventMessage, cmd, team, append([]string{team}, peers...), d))
	x.askBots(seq, peers)
	return nil
}

// violation says why a message marked tlp is more open than the
// information it carries (marked limit), or an empty Why when it is not.
func violation(tlp, limit scenarios.TLP) Why {
	if limit == "" || tlp.Rank() >= limit.Rank() {
		return Why{}
	}
	return because(ReasonMessageTLP, "tlp", strings.ToUpper(string(tlp)), "limit", strings.ToUpper(string(limit)))
}

// received returns the message seq if it reached team.
func (x *Exercise) received(team string, seq uint64) (*MessageInfo, *Thread, error) {
	m, ok := x.st.Message(seq)
	if !ok || !m.Received(team) {
		return nil, nil, Errorf(CodeNotFound, "message %d has not reached your team", seq)
	}
	t, _ := x.st.Thread(m.Thread)
	return m, t, nil
}

// reply answers a message in its thread: by default to the message's
// sender, or to the thread's teams the command names.
func (x *Exercise) reply(cmd Command) error {
	team := cmd.By.Team
	if cmd.Message == 0 {
		return Errorf(CodeInvalid, "a reply needs the message it answers")
	}
	m, t, err := x.received(team, cmd.Message)
	if err != nil {
		return err
	}
	if strings.TrimSpace(cmd.Text) == "" {
		return Errorf(CodeInvalid, "a reply needs text")
	}
	names, actor := cmd.Peers, ""
	if len(names) == 0 {
		names, actor = x.replyRecipients(team, m, t)
	}
	for _, p := range names {
		if !slices.Contains(t.Teams, p) {
			return Errorf(CodeInvalid, "%s is not in this thread; forward the message to bring in another team", p)
		}
	}
	marking := orDefault(cmd.TLP, string(m.TLP))
	var peers []string
	tlp := scenarios.TLP(strings.ToLower(marking))
	if len(names) > 0 {
		if peers, tlp, err = x.checkLinks(team, "reply", names, marking); err != nil {
			return err
		}
	} else if err := scenarios.TLPs.Check(marking); err != nil {
		return Errorf(CodeInvalid, "%v", err)
	}
	if len(peers) == 0 && actor == "" {
		return Errorf(CodeInvalid, "this reply has nobody to go to")
	}
	d := Details{Peers: peers, Target: actor, TLP: string(tlp), Text: cmd.Text, Inject: t.Inject, Why: violation(tlp, m.TLP),
		MessageFields: &MessageFields{Kind: KindReply, Thread: t.ID, ReplyTo: m.Seq, From: team, Indicators: slices.Clone(cmd.Indicators)}}
	ev := x.emit(cmdEvent(EventMessage, cmd, team, append([]string{team}, peers...), d))
	if th, ok := x.st.InjectThread(team, t.Inject); ok && th == t.ID {
		if idx, ok := x.injectIx[t.Inject]; ok {
			judged := d
			judged.Action = scenarios.ActionReply
			x.afterAction(idx, team, scenarios.ActionReply, judged, ev.Seq)
		}
	}
	return nil
}

// replyRecipients is who a reply goes to by default: the sender of the
// message answered (a team or the thread's actor), or, when the team
// answers its own message, the others it went to.
func (x *Exercise) replyRecipients(team string, m *MessageInfo, t *Thread) ([]string, string) {
	switch {
	case m.From != team && x.scn.TeamIndex(m.From) >= 0:
		return []string{m.From}, ""
	case m.From != team:
		return nil, m.From
	}
	return slices.DeleteFunc(slices.Clone(m.Audience), func(p string) bool { return p == team }), t.Actor
}

// forward passes a message the team received to other peers, as a new
// thread that quotes it.
func (x *Exercise) forward(cmd Command) error {
	team := cmd.By.Team
	if cmd.Message == 0 {
		return Errorf(CodeInvalid, "a forward needs the message it passes on")
	}
	m, _, err := x.received(team, cmd.Message)
	if err != nil {
		return err
	}
	if m.TLP == scenarios.TLPRed {
		return Errorf(CodeForbidden, "message %d is TLP:RED: it is for its recipients only and cannot be forwarded", m.Seq)
	}
	peers, tlp, err := x.checkLinks(team, "forward", cmd.Peers, orDefault(cmd.TLP, string(m.TLP)))
	if err != nil {
		return err
	}
	orig := &x.log[m.Seq-1].Data
	indicators := append(slices.Clone(cmd.Indicators), orig.Message().Indicators...)
	if len(indicators) > MaxIndicators {
		return Errorf(CodeInvalid, "a message may carry at most %d indicators", MaxIndicators)
	}
	quoted := orig.Text
	if in, ok := x.Inject(orig.Inject); ok && quoted == "" {
		quoted = in.Title // a scripted message is its inject
	}
	text := strings.TrimSpace(cmd.Text + "\n\n" + i18n.T(x.catalogLang, "msg.forwarded_header", "from", x.scn.PartyName(m.From, x.scn.Exercise.Language)) + "\n" + truncateText(quoted, MaxTextLen))
	seq := x.nextSeq()
	d := Details{Peers: peers, TLP: string(tlp), Text: text, Incident: orig.Incident, Why: violation(tlp, m.TLP),
		MessageFields: &MessageFields{Kind: KindForward, Thread: seq, ReplyTo: m.Seq, From: team, Indicators: indicators}}
	x.emit(cmdEvent(EventMessage, cmd, team, append([]string{team}, peers...), d))
	x.askBots(seq, peers)
	return nil
}

// requestTeam is the request for information a request_info addressed to
// a team sends it, checked before the action is recorded.
type requestTeam struct {
	peer string
	tlp  scenarios.TLP
}

// checkRequest validates a request_info addressed to a team against the
// sharing network; the request is marked as the command says or else as
// the inject it is about.
func (x *Exercise) checkRequest(team string, cmd Command, in *scenarios.Inject) (*requestTeam, error) {
	if x.scn.TeamIndex(cmd.Target) < 0 {
		return nil, nil
	}
	peers, tlp, err := x.checkLinks(team, "request", []string{cmd.Target}, orDefault(cmd.TLP, string(in.TLP)))
	if err != nil {
		return nil, err
	}
	return &requestTeam{peer: peers[0], tlp: tlp}, nil
}

// sendRequest delivers a request for information to the team asked, as
// the first message of a thread it can answer.
func (x *Exercise) sendRequest(team string, cmd Command, r *requestTeam, actionSeq uint64) {
	seq := x.nextSeq()
	in, _ := x.Inject(cmd.Inject)
	d := Details{Peers: []string{r.peer}, TLP: string(r.tlp), Text: cmd.Text, Inject: cmd.Inject, Incident: in.Incident,
		Cause: fmt.Sprintf("action:%d", actionSeq), Why: violation(r.tlp, in.TLP),
		MessageFields: &MessageFields{Kind: KindRFI, Thread: seq, From: team}}
	x.emit(Event{Type: EventMessage, Actor: cmd.By.Label(), Team: team, Audience: []string{team, r.peer}, Data: d})
	x.askBots(seq, d.Peers)
}

// deliverMessage opens the thread of an inject that reaches team as a
// message from its sender (a peer team or an actor).
func (x *Exercise) deliverMessage(in *scenarios.Inject, team string) {
	if !x.scn.DeliveredAsMessage(in) || in.From == team {
		return
	}
	kind := KindMessage
	if slices.ContainsFunc(in.Expectations, func(e scenarios.Expectation) bool { return e.Action == scenarios.ActionReply }) {
		kind = KindRFI
	}
	audience, sender := []string{team}, ""
	if x.scn.TeamIndex(in.From) >= 0 {
		audience, sender = []string{in.From, team}, in.From
	}
	// The text is the inject itself, which clients show in the reader's
	// language; the message carries only its id.
	x.emit(Event{Type: EventMessage, Actor: "system", Team: sender, Audience: audience, Data: Details{
		Peers: []string{team}, TLP: string(in.TLP), Inject: in.ID, Incident: in.Incident, Cause: "inject:" + in.ID,
		MessageFields: &MessageFields{Kind: kind, Thread: x.nextSeq(), From: in.From}}})
}

// askBots hands a new thread to the simulated teams among its recipients.
func (x *Exercise) askBots(thread uint64, peers []string) {
	for _, p := range peers {
		if ti := x.scn.TeamIndex(p); ti >= 0 && x.st.Modes[p] == ModeSimulated {
			x.bots[ti].ask(thread)
		}
	}
}
