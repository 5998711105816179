package engine

import (
	"slices"
	"strings"
	"time"

	"cmesim/scenarios"
)

// MessageInfo is what the state keeps of one message.
type MessageInfo struct {
	Seq    uint64        `json:"seq"`
	Thread uint64        `json:"thread"`
	Kind   string        `json:"kind"`
	From   string        `json:"from"`
	TLP    scenarios.TLP `json:"tlp"`
	At     time.Duration `json:"at"`
	// Audience are the teams that received (or sent) the message.
	Audience []string `json:"audience"`
}

// Thread is a conversation: its first message and who takes part.
type Thread struct {
	ID   uint64 `json:"id"`
	Kind string `json:"kind"`
	// From started the thread: a team or an actor.
	From string `json:"from"`
	// Teams are the teams in the thread; Actor the actor, if one takes part.
	Teams  []string      `json:"teams"`
	Actor  string        `json:"actor,omitempty"`
	Inject string        `json:"inject,omitempty"`
	Opened time.Duration `json:"opened"`
}

// RFIState is one request for information to one team and its answer.
type RFIState struct {
	Thread uint64        `json:"thread"`
	From   string        `json:"from"`
	To     string        `json:"to"`
	Inject string        `json:"inject,omitempty"`
	Asked  time.Duration `json:"asked"`
	// Answered is set by the team's first reply in the thread.
	Answered   bool          `json:"answered,omitempty"`
	AnsweredAt time.Duration `json:"answered_at,omitempty"`
}

// Latency is the time from the request to its first answer.
func (r *RFIState) Latency() time.Duration { return r.AnsweredAt - r.Asked }

// messageState is the part of State that follows messages.
type messageState struct {
	messages map[uint64]*MessageInfo
	threads  map[uint64]*Thread
	// injectThread is the thread an inject delivered as a message opened
	// for a team.
	injectThread map[teamInject]uint64
	// RFIs lists the requests for information in the order they were asked.
	RFIs []RFIState
	// Sent counts the messages each team sent; Violations those sent at a
	// more open TLP than what they carry.
	Sent       map[string]int
	Violations map[string]int
}

func newMessageState() messageState {
	return messageState{messages: map[uint64]*MessageInfo{}, threads: map[uint64]*Thread{},
		injectThread: map[teamInject]uint64{}, Sent: map[string]int{}, Violations: map[string]int{}}
}

// Message returns the message with sequence number seq.
func (st *State) Message(seq uint64) (*MessageInfo, bool) {
	m, ok := st.messages[seq]
	return m, ok
}

// Thread returns the thread with id (its first message's seq).
func (st *State) Thread(id uint64) (*Thread, bool) {
	t, ok := st.threads[id]
	return t, ok
}

// InjectThread returns the thread inject opened for team when it was
// delivered as a message.
func (st *State) InjectThread(team, inject string) (uint64, bool) {
	t, ok := st.injectThread[teamInject{team, inject}]
	return t, ok
}

// Received reports whether a message reached team (or team sent it).
func (m *MessageInfo) Received(team string) bool { return slices.Contains(m.Audience, team) }

// applyMessage folds a message event into the state.
func (st *State) applyMessage(e *Event) {
	d := &e.Data
	m := d.Message()
	st.messages[e.Seq] = &MessageInfo{Seq: e.Seq, Thread: m.Thread, Kind: m.Kind, From: m.From,
		TLP: scenarios.TLP(d.TLP), At: e.At, Audience: e.Audience}
	if e.Team != "" && e.Actor != "system" {
		st.Sent[e.Team]++
	}
	if strings.HasPrefix(d.Reason, violationPrefix) {
		st.Violations[e.Team]++
	}
	if m.Thread == e.Seq {
		t := &Thread{ID: e.Seq, Kind: m.Kind, From: m.From, Teams: e.Audience, Actor: d.Target, Inject: d.Inject, Opened: e.At}
		if t.Actor == "" && !slices.Contains(e.Audience, m.From) {
			t.Actor = m.From
		}
		st.threads[e.Seq] = t
		if d.Inject != "" && e.Actor == "system" {
			for _, p := range d.Peers {
				st.injectThread[teamInject{p, d.Inject}] = e.Seq
			}
		}
		if m.Kind == KindRFI {
			for _, p := range d.Peers {
				st.RFIs = append(st.RFIs, RFIState{Thread: e.Seq, From: m.From, To: p, Inject: d.Inject, Asked: e.At})
			}
		}
		return
	}
	if m.Kind == KindReply {
		for i := range st.RFIs {
			r := &st.RFIs[i]
			if r.Thread == m.Thread && r.To == m.From && !r.Answered {
				r.Answered, r.AnsweredAt = true, e.At
			}
		}
	}
}

// violationPrefix starts the Reason of a message sent at a more open TLP
// than what it carries, as for shares.
const violationPrefix = "TLP violation"
