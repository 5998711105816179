package engine

import (
	"slices"
	"time"

	"cmesim/scenarios"
)

// SimCellItem is one thing a human team addressed to a scenario actor, for
// the SimCell to answer (see SimCellOpened).
type SimCellItem struct {
	// Seq is the event that opened the item: its id.
	Seq uint64        `json:"seq"`
	At  time.Duration `json:"at"`
	// Team sent it; By is the trainee (an event actor label).
	Team string `json:"team"`
	By   string `json:"by"`
	// Actor is the scenario actor it is addressed to.
	Actor string `json:"actor"`
	// Kind is SimCellEscalation, SimCellRequest, SimCellReport or
	// SimCellReply.
	Kind   string `json:"kind"`
	Inject string `json:"inject,omitempty"`
	// Thread is the thread a reply was written in (0 for actions).
	Thread uint64 `json:"thread,omitempty"`
	Text   string `json:"text,omitempty"`
	// ClaimedBy is the facilitator (event actor label) answering it.
	ClaimedBy string        `json:"claimed_by,omitempty"`
	ClaimedAt time.Duration `json:"claimed_at,omitempty"`
	// Answered is set by the answer, the message with seq Answer.
	Answered   bool          `json:"answered,omitempty"`
	AnsweredBy string        `json:"answered_by,omitempty"`
	AnsweredAt time.Duration `json:"answered_at,omitempty"`
	Answer     uint64        `json:"answer,omitempty"`
}

// Age is how long the item has waited at virtual time now, or waited
// until its answer.
func (it *SimCellItem) Age(now time.Duration) time.Duration {
	if it.Answered {
		return it.AnsweredAt - it.At
	}
	return now - it.At
}

// simcellState is the part of State that follows the SimCell's items.
type simcellState struct {
	scn       *scenarios.Scenario
	simcell   []SimCellItem
	simcellIx map[uint64]int
}

func newSimCellState(s *scenarios.Scenario) simcellState {
	return simcellState{scn: s, simcellIx: map[uint64]int{}}
}

// SimCellItem returns the item opened by event seq.
func (st *State) SimCellItem(seq uint64) (*SimCellItem, bool) {
	i, ok := st.simcellIx[seq]
	if !ok {
		return nil, false
	}
	return &st.simcell[i], true
}

// SimCellQueue returns the items not yet answered, oldest first.
func (st *State) SimCellQueue() []SimCellItem {
	var out []SimCellItem
	for _, it := range st.simcell {
		if !it.Answered {
			out = append(out, it)
		}
	}
	return out
}

// SimCellAnswered returns the latest n answered items, latest answer first.
func (st *State) SimCellAnswered(n int) []SimCellItem {
	var out []SimCellItem
	for _, it := range st.simcell {
		if it.Answered {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b SimCellItem) int { return int(b.Answer) - int(a.Answer) })
	return out[:min(n, len(out))]
}

// applySimCell folds the events that open, claim or answer SimCell items.
func (st *State) applySimCell(e *Event) {
	switch e.Type {
	case EventAction, EventMessage:
		if it, ok := SimCellOpened(st.scn, e); ok {
			st.simcellIx[e.Seq] = len(st.simcell)
			st.simcell = append(st.simcell, it)
			return
		}
		if e.Type == EventMessage && e.Data.Item != 0 {
			if it, ok := st.SimCellItem(e.Data.Item); ok {
				it.Answered, it.AnsweredBy, it.AnsweredAt, it.Answer = true, e.Actor, e.At, e.Seq
			}
		}
	case EventSimCellClaimed:
		if it, ok := st.SimCellItem(e.Data.Item); ok {
			it.ClaimedBy, it.ClaimedAt = e.Actor, e.At
		}
	}
}
