package engine

import (
	"fmt"
	"slices"
	"strings"

	"cmesim/scenarios"
)

// The SimCell (white cell) plays every actor of the scenario that is not a
// team: ministries, regulators, police, vendors. What human players address
// to an actor becomes a SimCell item; facilitators answer it in the actor's
// role (simcell_answer) and may claim it first (simcell_claim) so that other
// controllers see who is on it. Simulated teams' escalations are left out:
// nobody needs to answer a simulation, and thirty simulated CSIRTs would
// bury the humans' items.

// The SimCell commands, for facilitators.
const (
	// CmdSimCellClaim marks a SimCell item as being answered by the sender.
	CmdSimCellClaim CommandType = "simcell_claim"
	// CmdSimCellAnswer answers a SimCell item in the role of its actor.
	CmdSimCellAnswer CommandType = "simcell_answer"
)

// EventSimCellClaimed records that a facilitator took a SimCell item.
const EventSimCellClaimed EventType = "simcell.claimed"

// The kinds of SimCell item: what the team did that reached the actor.
const (
	SimCellEscalation = "escalate"
	SimCellRequest    = "request_info"
	SimCellReport     = "report"
	SimCellReply      = "reply"
)

// SimCellOpened returns the SimCell item an event opens, if it opens one:
// a human team's escalation to an actor, request for information to an
// actor, report (to the regulator of the team's country, see Regulator) or
// reply in a thread whose counterpart is an actor. The report reads logs
// with it, so it is a pure function of the event.
func SimCellOpened(s *scenarios.Scenario, e *Event) (SimCellItem, bool) {
	if !strings.HasPrefix(e.Actor, string(RoleTrainee)+":") {
		return SimCellItem{}, false
	}
	d := &e.Data
	it := SimCellItem{Seq: e.Seq, At: e.At, Team: e.Team, By: e.Actor, Inject: d.Inject, Text: d.Text}
	switch e.Type {
	case EventAction:
		switch d.Action {
		case scenarios.ActionEscalate, scenarios.ActionRequestInfo:
			it.Kind, it.Actor = string(d.Action), d.Target
		case scenarios.ActionReport:
			it.Kind, it.Actor = SimCellReport, Regulator(s, e.Team)
		}
	case EventMessage:
		if m := d.Message(); m.Kind == KindReply && d.Target != "" {
			it.Kind, it.Actor, it.Thread = SimCellReply, d.Target, m.Thread
		}
	}
	if _, ok := s.Actor(it.Actor); !ok || it.Kind == "" {
		return SimCellItem{}, false
	}
	return it, true
}

// Regulator returns the actor a team's reports go to: the regulator of the
// team's country, else the scenario's first regulator, else "".
func Regulator(s *scenarios.Scenario, team string) string {
	country := ""
	if t, ok := s.Team(team); ok {
		country = t.Country
	}
	first := ""
	for _, a := range s.Actors {
		if a.Kind != "regulator" {
			continue
		}
		if country != "" && strings.EqualFold(a.Country, country) {
			return a.ID
		}
		if first == "" {
			first = a.ID
		}
	}
	return first
}

// simcellItem returns the item a SimCell command names.
func (x *Exercise) simcellItem(cmd Command) (*SimCellItem, error) {
	if cmd.Message == 0 {
		return nil, Errorf(CodeInvalid, "%s needs the SimCell item (its seq in message)", cmd.Type)
	}
	it, ok := x.st.SimCellItem(cmd.Message)
	if !ok {
		return nil, Errorf(CodeNotFound, "there is no SimCell item %d", cmd.Message)
	}
	if it.Answered {
		return nil, Errorf(CodeConflict, "SimCell item %d was already answered by %s at %s: a team gets one answer to each item",
			it.Seq, principalName(it.AnsweredBy), tPlus(it.AnsweredAt))
	}
	return it, nil
}

// principalName is the name part of an actor label ("facilitator:Ana").
func principalName(label string) string {
	_, name, ok := strings.Cut(label, ":")
	if !ok {
		return label
	}
	return name
}

// simcellClaim records that a facilitator is answering an item. A claim
// is advisory: another facilitator may take the item over (the event says
// from whom); only answers are exclusive.
func (x *Exercise) simcellClaim(cmd Command) error {
	it, err := x.simcellItem(cmd)
	if err != nil {
		return err
	}
	if it.ClaimedBy == cmd.By.Label() {
		return Errorf(CodeConflict, "you are already answering SimCell item %d", it.Seq)
	}
	d := Details{Item: it.Seq, Target: it.Actor, Inject: it.Inject}
	if it.ClaimedBy != "" {
		d.MessageFields = &MessageFields{From: it.ClaimedBy} // who held it before
	}
	x.emit(cmdEvent(EventSimCellClaimed, cmd, it.Team, nil, d))
	return nil
}

// simcellAnswer answers an item in the role of its actor: a message from
// the actor to the team, in the item's thread (or a new one for an action),
// that only the team sees; optionally with an ad-hoc follow-up inject,
// which is validated before anything is recorded.
func (x *Exercise) simcellAnswer(cmd Command) error {
	it, err := x.simcellItem(cmd)
	if err != nil {
		return err
	}
	text, err := x.simcellText(it, cmd)
	if err != nil {
		return err
	}
	tlp, err := x.simcellTLP(it, cmd.TLP)
	if err != nil {
		return err
	}
	var follow *scenarios.Inject
	var adhoc AdHocInject
	if cmd.AdHoc != nil {
		adhoc = *cmd.AdHoc
		if len(adhoc.To) == 0 {
			adhoc.To = []string{it.Team}
		}
		if adhoc.From == "" {
			adhoc.From = it.Actor
		}
		if follow, err = x.adHocInject(&adhoc); err != nil {
			return err
		}
	}
	seq := x.nextSeq()
	d := Details{Peers: []string{it.Team}, TLP: string(tlp), Text: text, Inject: it.Inject, Item: it.Seq,
		Latency: x.k.Now() - it.At, Cause: fmt.Sprintf("simcell:%d", it.Seq),
		MessageFields: &MessageFields{Kind: KindReply, Thread: it.Thread, From: it.Actor}}
	if it.Thread != 0 {
		d.MessageFields.ReplyTo = it.Seq
	} else {
		d.MessageFields.Thread = seq
	}
	x.emit(cmdEvent(EventMessage, cmd, "", []string{it.Team}, d))
	if follow != nil {
		x.addAdHoc(cmd.By, &adhoc, follow)
	}
	return nil
}

// simcellText is an answer's text: the command's free text, or the actor's
// reply template of the kind the command names, filled in as a simulated
// reply is.
func (x *Exercise) simcellText(it *SimCellItem, cmd Command) (string, error) {
	free := strings.TrimSpace(cmd.Text) != ""
	switch {
	case free && cmd.Kind != "":
		return "", Errorf(CodeInvalid, "an answer has either text or a reply template (kind), not both")
	case free:
		return cmd.Text, nil
	case !slices.Contains(scenarios.ReplyKinds, cmd.Kind):
		return "", Errorf(CodeInvalid, "an answer needs text or a reply template: kind %s", strings.Join(scenarios.ReplyKinds, " or "))
	}
	subject := ""
	if in, ok := x.Inject(it.Inject); ok {
		subject = in.Title
	}
	return x.scn.ReplyText(it.Actor, cmd.Kind, it.Team, subject), nil
}

// simcellTLP is an answer's marking: the command's, else that of what the
// item is about (its message, else its inject), else the exercise default.
func (x *Exercise) simcellTLP(it *SimCellItem, marking string) (scenarios.TLP, error) {
	if marking == "" {
		marking = string(x.scn.Exercise.TLPDefault)
		if m, ok := x.st.Message(it.Seq); ok && m.TLP != "" {
			marking = string(m.TLP)
		} else if in, ok := x.Inject(it.Inject); ok && in.TLP != "" {
			marking = string(in.TLP)
		}
	}
	if err := scenarios.TLPs.Check(marking); err != nil {
		return "", Errorf(CodeInvalid, "%v", err)
	}
	return scenarios.TLP(strings.ToLower(marking)), nil
}
