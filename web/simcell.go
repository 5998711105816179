package web

import (
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// simcellAnsweredShown is how many answered SimCell items the staff status
// carries, latest first, so that the console can show recent answers
// without the status growing with the exercise.
const simcellAnsweredShown = 10

// simcellView is the SimCell queue in the staff status: every item not
// yet answered, oldest first, and the latest answered ones. Teams' status
// never carries it.
type simcellView struct {
	Open     []simcellItem `json:"open"`
	Answered []simcellItem `json:"answered,omitempty"`
}

// simcellItem is one SimCell item on the wire (engine.SimCellItem with
// names instead of event actor labels, and its reply templates filled in).
type simcellItem struct {
	Seq        uint64        `json:"seq"`
	At         time.Duration `json:"at"`
	Team       string        `json:"team"`
	By         string        `json:"by"`
	Actor      string        `json:"actor"`
	Kind       string        `json:"kind"`
	Inject     string        `json:"inject,omitempty"`
	Thread     uint64        `json:"thread,omitempty"`
	Text       string        `json:"text,omitempty"`
	ClaimedBy  string        `json:"claimed_by,omitempty"`
	ClaimedAt  time.Duration `json:"claimed_at,omitempty"`
	AnsweredBy string        `json:"answered_by,omitempty"`
	AnsweredAt time.Duration `json:"answered_at,omitempty"`
	// Template is the reply template the console offers first: rfi for a
	// request for information, message otherwise. Templates holds each
	// template as the answer would send it.
	Template  string            `json:"template"`
	Templates map[string]string `json:"templates,omitempty"`
}

// simcellStatus builds the SimCell part of the staff status (owner).
func (le *liveExercise) simcellStatus(x *engine.Exercise) *simcellView {
	st := x.State()
	v := &simcellView{Open: []simcellItem{}}
	for _, it := range st.SimCellQueue() {
		item := le.simcellItem(&it)
		item.Templates = map[string]string{}
		subject := ""
		if in, ok := x.Inject(it.Inject); ok {
			subject = in.Title
		}
		for _, kind := range scenarios.ReplyKinds {
			item.Templates[kind] = le.scn.ReplyText(it.Actor, kind, it.Team, subject)
		}
		v.Open = append(v.Open, item)
	}
	for _, it := range st.SimCellAnswered(simcellAnsweredShown) {
		v.Answered = append(v.Answered, le.simcellItem(&it))
	}
	return v
}

func (le *liveExercise) simcellItem(it *engine.SimCellItem) simcellItem {
	out := simcellItem{Seq: it.Seq, At: it.At, Team: it.Team, By: personName(it.By), Actor: it.Actor, Kind: it.Kind,
		Inject: it.Inject, Thread: it.Thread, Text: it.Text, ClaimedBy: personName(it.ClaimedBy), ClaimedAt: it.ClaimedAt,
		AnsweredBy: personName(it.AnsweredBy), AnsweredAt: it.AnsweredAt, Template: scenarios.ReplyMessage}
	if it.Kind == engine.SimCellRequest {
		out.Template = scenarios.ReplyRFI
	}
	return out
}

// personName is the person in an event actor label: "Ana" of
// "facilitator:Ana" and of "trainee:co-csirt:Ana".
func personName(label string) string {
	role, rest, ok := strings.Cut(label, ":")
	if !ok {
		return label
	}
	if role == string(engine.RoleTrainee) {
		_, rest, _ = strings.Cut(rest, ":")
	}
	return rest
}
