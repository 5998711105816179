package store

import (
	"encoding/binary"

	"cmesim/engine"
)

// The decision payloads (engine/decision.go) are rare, so they are encoded
// as a nested record with a mask of its own behind one presence bit of the
// event (evDecisionPoint) and one of the command (cmDecisionPoint).

// Presence bits of a DecisionDetails.
const (
	dpID = iota
	dpChoice
	dpBy
	dpChoices
	dpCause
	dpVotes
	dpBits
)

// appendDecisionDetails writes an event's decision payload.
func appendDecisionDetails(dst []byte, d *engine.DecisionDetails) []byte {
	var m uint64
	set := func(bit int, ok bool) {
		if ok {
			m |= 1 << bit
		}
	}
	set(dpID, d.ID != "")
	set(dpChoice, d.Choice != "")
	set(dpBy, d.By != "")
	set(dpChoices, d.Choices != nil)
	set(dpCause, d.Cause != "")
	set(dpVotes, d.Votes != nil)
	dst = binary.AppendUvarint(dst, m)
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	if has(dpID) {
		dst = appendString(dst, d.ID)
	}
	if has(dpChoice) {
		dst = appendString(dst, d.Choice)
	}
	if has(dpBy) {
		dst = appendString(dst, d.By)
	}
	if has(dpChoices) {
		dst = appendStrings(dst, d.Choices)
	}
	if has(dpCause) {
		dst = appendString(dst, d.Cause)
	}
	if has(dpVotes) {
		dst = binary.AppendUvarint(dst, uint64(len(d.Votes)))
		for _, v := range d.Votes {
			dst = appendString(dst, v.Choice)
			dst = binary.AppendVarint(dst, int64(v.Votes))
		}
	}
	return dst
}

// decisionDetails reads what appendDecisionDetails wrote.
func (r *reader) decisionDetails() *engine.DecisionDetails {
	m := r.mask(dpBits)
	if r.err != nil {
		return nil
	}
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	d := new(engine.DecisionDetails)
	if has(dpID) {
		d.ID = r.string()
	}
	if has(dpChoice) {
		d.Choice = r.string()
	}
	if has(dpBy) {
		d.By = r.string()
	}
	if has(dpChoices) {
		d.Choices = r.strings()
	}
	if has(dpCause) {
		d.Cause = r.string()
	}
	if has(dpVotes) {
		n := r.count()
		d.Votes = make([]engine.ChoiceVotes, 0, n)
		for range n {
			c := r.string()
			d.Votes = append(d.Votes, engine.ChoiceVotes{Choice: c, Votes: r.int()})
		}
	}
	return d
}

// appendDecisionChoice writes a command's decision and choice.
func appendDecisionChoice(dst []byte, c *engine.DecisionChoice) []byte {
	return appendString(appendString(dst, c.ID), c.Choice)
}

// decisionChoice reads what appendDecisionChoice wrote.
func (r *reader) decisionChoice() *engine.DecisionChoice {
	id := r.string()
	return &engine.DecisionChoice{ID: id, Choice: r.string()}
}
