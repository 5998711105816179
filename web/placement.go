package web

import (
	"cmp"
	"context"
	"slices"

	"cmesim/store"
)

// Placement of new exercises across the servers sharing a store.
//
// A server that creates an exercise owns it first. If another live server
// (one whose lease tick has registered it, see store.Cluster.Renew) is less
// loaded, the creator hands the lease over and follows the exercise; the
// other takes it over at once. Load is, in this order: the participants
// (unexpired sessions) of the exercises a server owns, then the number of
// those exercises; the creator does not count the new exercise, keeps it
// on a tie, and other servers tie-break by ID. An exercise is placed once,
// when it is created: running exercises do not move.

// leastLoaded returns the server a new exercise should go to: the first of
// loads by (participants, exercises), self winning ties. self's own entry
// counts the new exercise, which it already owns; it is left out. If
// self is not listed (not registered yet), it counts as unloaded.
func leastLoaded(loads []store.ServerLoad, self store.Holder) store.Holder {
	best := store.ServerLoad{Holder: self}
	for _, l := range loads {
		if l.Holder.ID == self.ID {
			best = store.ServerLoad{Holder: self, Exercises: max(l.Exercises-1, 0), Participants: l.Participants}
		}
	}
	for _, l := range loads {
		if l.Holder.ID != self.ID && lighter(l, best) {
			best = l
		}
	}
	return best.Holder
}

// lighter reports whether a is less loaded than b.
func lighter(a, b store.ServerLoad) bool {
	return cmp.Or(cmp.Compare(a.Participants, b.Participants), cmp.Compare(a.Exercises, b.Exercises)) < 0
}

// place hands a new exercise this server owns to the least-loaded server,
// if that is another, and follows it from then on. A failure leaves it
// here: placement spreads load, it is never why a creation fails.
func (c *cluster) place(le *liveExercise) {
	if c.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.lease/3)
	defer cancel()
	loads, err := c.db.Servers(ctx)
	if err != nil {
		c.log.Warn().Err(err).Str("exercise", le.id).Msg("reading the servers' load failed; the new exercise stays here")
		return
	}
	to := leastLoaded(loads, c.holder)
	if to.ID == c.holder.ID {
		return
	}
	moved, err := c.db.Transfer(ctx, le.id, c.holder.ID, to, c.lease)
	if err != nil || !moved {
		c.log.Warn().Err(err).Str("exercise", le.id).Msg("handing the new exercise over failed; it stays here")
		return
	}
	i := slices.IndexFunc(loads, func(l store.ServerLoad) bool { return l.Holder.ID == to.ID })
	c.log.Info().Str("exercise", le.id).Str("server", to.ID).Int("participants", loads[i].Participants).
		Int("exercises", loads[i].Exercises).Msg("new exercise placed on a less loaded server")
	c.reload(le.id, le, "")
}
