package web

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"cmesim/engine"
	"cmesim/store"
)

// ClusterConfig lets several servers share one store.Cluster (PostgreSQL).
// Every server serves every exercise's clients; each running exercise is
// owned by one server at a time, the holder of its lease in the database,
// which plays it and writes its log. The others follow the log through the
// database's notices and forward their clients' commands to the owner. When
// the owner dies its lease expires and another server takes the exercise
// over by replaying the log; it resumes paused, as after a restart.
type ClusterConfig struct {
	// Holder is this server: a unique id and the base URL at which the
	// other servers reach it.
	Holder store.Holder
	// Lease is how long a lease lasts without renewal: how long an
	// exercise stays without an owner after its owner dies. Leases are
	// renewed every third of it. Zero means DefaultLease.
	Lease time.Duration
}

// DefaultLease is the lease time when ClusterConfig.Lease is zero.
const DefaultLease = 15 * time.Second

// codeUnavailable is the error code of an exercise that is moving between
// servers or whose server does not answer: try again shortly.
const codeUnavailable = "unavailable"

// clusterLoop follows the other servers' notices and tends the leases
// until the server closes.
func (s *Server) clusterLoop(notices <-chan store.Notice) {
	defer close(s.clusterDone)
	tick := time.NewTicker(s.lease / 3)
	defer tick.Stop()
	s.tendLeases() // register this server at once, for placement
	for {
		select {
		case <-s.ctx.Done():
			return
		case n, ok := <-notices:
			if !ok {
				return
			}
			s.notice(n)
		case <-tick.C:
			s.tendLeases()
		case id := <-s.expiring:
			if le, ok := s.exercises.get(id); ok {
				s.tendLease(le)
			}
		}
	}
}

// notice acts on one notice from the cluster.
func (s *Server) notice(n store.Notice) {
	le, known := s.exercises.get(n.Exercise)
	switch n.Kind {
	case store.NoticeEvents:
		if known && le.remote != nil {
			le.remote.poke()
		}
	case store.NoticeClock:
		if known && le.remote != nil {
			le.remote.clock.Store(int64(n.At))
		}
	case store.NoticeExercise:
		if !known {
			s.loadUnknown(n.Exercise)
		}
	case store.NoticeLease:
		if known {
			s.tendLease(le)
		}
	case store.NoticeSignOut:
		s.sessions.delete(n.Token)
		s.closeSession(n.Token)
	case store.NoticeResync:
		s.resync()
	}
}

// resync re-reads what notices may have told while they were lost: new
// exercises, the logs followed and the leases.
func (s *Server) resync() {
	ctx, cancel := context.WithTimeout(s.ctx, s.lease)
	defer cancel()
	all, err := s.cfg.Store.Exercises(ctx)
	if err != nil {
		s.log.Error().Err(err).Msg("re-reading the exercises failed")
	}
	for _, meta := range all {
		if _, ok := s.exercises.get(meta.ID); !ok {
			s.loadUnknown(meta.ID)
		}
	}
	s.tendLeases()
}

// load brings in an exercise this server does not know yet.
func (s *Server) load(id string) {
	ctx, cancel := context.WithTimeout(s.ctx, s.lease)
	defer cancel()
	meta, err := s.cfg.Store.Exercise(ctx, id)
	if err == nil {
		err = s.restore(ctx, meta, "")
	}
	if err != nil {
		s.log.Error().Err(err).Str("exercise", id).Msg("cannot load the exercise")
	}
}

// tendLeases renews the leases of the exercises this server owns, all in
// one statement that also keeps this server registered as live, and takes
// over those whose owner has gone.
func (s *Server) tendLeases() {
	all := s.exercises.all()
	owned := make([]*liveExercise, 0, len(all))
	for _, le := range all {
		if le.remote == nil && !(le.halted() && !le.x.Ended()) && !s.finished(le) {
			owned = append(owned, le)
		} else {
			s.tendLease(le)
		}
	}
	ids := make([]string, len(owned))
	for i, le := range owned {
		ids[i] = le.id
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.lease/3)
	defer cancel()
	asked := time.Now()
	leases, err := s.cluster.Renew(ctx, s.holder, ids, s.lease)
	for _, le := range owned {
		lease, ok := leases[le.id]
		if err == nil && !ok {
			err = store.ErrNotFound // the exercise is gone from the store
		}
		s.renewed(le, asked, lease, err)
	}
}

// renewed acts on the outcome of renewing the lease of an exercise this
// server owns, asked at asked: it notes the new expiry, or gives the
// exercise up if another server has it or the lease ran out.
func (s *Server) renewed(le *liveExercise, asked time.Time, lease store.Lease, err error) {
	switch {
	case err == nil && lease.Held:
		le.leaseUntil.Store(asked.Add(lease.Left).UnixNano())
	case err == nil:
		s.log.Warn().Str("exercise", le.id).Str("holder", lease.Holder.ID).Msg("lost the exercise's lease; following it")
		go s.reload(le.id, le, "the exercise moved to another server; reconnecting")
	case time.Now().UnixNano() > le.leaseUntil.Load():
		s.log.Error().Err(err).Str("exercise", le.id).Msg("cannot renew the exercise's lease and it has expired; stopping it here")
		go s.reload(le.id, le, "the exercise moved to another server; reconnecting")
	default:
		s.log.Warn().Err(err).Str("exercise", le.id).Msg("renewing the exercise's lease failed; retrying")
	}
}

// tendLease renews the lease of an exercise this server owns, or gives the
// exercise up if the lease is lost; for one it follows, it claims the lease
// if the owner's has expired and otherwise notes where the owner is.
func (s *Server) tendLease(le *liveExercise) {
	if le.halted() && !le.x.Ended() {
		// A reload stopped it and could not load it again (the database
		// was unreachable): try again.
		go s.reload(le.id, le, "")
		return
	}
	if s.finished(le) {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.lease/3)
	defer cancel()
	if le.remote == nil {
		asked := time.Now()
		lease, err := s.cluster.Claim(ctx, le.id, s.holder, s.lease)
		s.renewed(le, asked, lease, err)
		return
	}
	le.remote.poke() // in case a notice was lost
	lease, err := s.cluster.Lease(ctx, le.id)
	if err != nil {
		s.log.Warn().Err(err).Str("exercise", le.id).Msg("reading the exercise's lease failed")
		return
	}
	if lease.Holder.ID == s.holder.ID && lease.Left > 0 {
		// Another server handed the exercise to this one (placement).
		s.log.Info().Str("exercise", le.id).Msg("the exercise was handed to this server; taking it over")
		go s.reload(le.id, le, "this server takes the exercise over; reconnecting")
		return
	}
	if lease.Holder.ID != "" && lease.Left > 0 {
		le.remote.setOwner(lease.Holder.Address)
		if lease.Left < s.lease/3 {
			// It expires before the next tick: look again right after, so
			// that an exercise whose owner died waits no longer than the
			// lease.
			time.AfterFunc(lease.Left+10*time.Millisecond, func() {
				select {
				case s.expiring <- le.id:
				default:
				}
			})
		}
		return
	}
	lease, err = s.cluster.Claim(ctx, le.id, s.holder, s.lease)
	if err != nil || !lease.Held {
		if err == nil {
			le.remote.setOwner(lease.Holder.Address)
		}
		return
	}
	s.log.Info().Str("exercise", le.id).Msg("the exercise's owner has gone; taking it over")
	go s.reload(le.id, le, "this server takes the exercise over; reconnecting")
}

// finished reports whether an exercise has ended, when nobody needs to own
// it any more: every server serves its final log.
func (s *Server) finished(le *liveExercise) bool {
	if le.remote != nil {
		// By the log, not the replay: the replay may have played the end
		// before the owner wrote it, and if the owner died meanwhile the
		// exercise still needs one.
		return le.remote.endedLog()
	}
	if le.ended() {
		return true
	}
	ended := false
	if err := le.inspect(s.ctx, func(x *engine.Exercise) { ended = x.Ended() }); err != nil {
		return false
	}
	if ended {
		// Its lease is no longer renewed; the closing phase's commands
		// (judgements, notes, the hot wash) may still be written, as by
		// any server that restores an ended exercise (claim).
		le.leaseUntil.Store(math.MaxInt64)
	}
	return ended
}

// reload replaces an exercise's live copy old with a new one rebuilt from
// the store: when this server takes it over, gives it up, or cannot follow
// its log. Clients of old are disconnected with why and reconnect.
func (s *Server) reload(id string, old *liveExercise, why string) {
	if !old.reloading.CompareAndSwap(false, true) {
		return // another goroutine is at it
	}
	defer old.reloading.Store(false)
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if cur, ok := s.exercises.get(id); !ok || cur != old || s.ctx.Err() != nil {
		return // already replaced, or shutting down
	}
	old.stop(why)
	if old.remote == nil && s.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.lease/3)
		s.cluster.Release(ctx, id, s.holder.ID) // let a follower take over at once
		cancel()
	}
	s.load(id)
}

// releaseAll gives up the leases of the exercises this server owned, after
// they have stopped and their logs are written: the others take them over
// without waiting for the leases to expire.
func (s *Server) releaseAll(owned []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.cluster.Leave(ctx, s.holder.ID); err != nil {
		s.log.Warn().Err(err).Msg("leaving the servers' list failed; the entry runs out by itself")
	}
	for _, id := range owned {
		if err := s.cluster.Release(ctx, id, s.holder.ID); err != nil {
			s.log.Warn().Err(err).Str("exercise", id).Msg("releasing the lease failed; it expires by itself")
		}
	}
}

// claim takes the lease of an exercise for this server if it is free. It
// returns the owner's address when another server has it.
func (s *Server) claim(ctx context.Context, le *liveExercise, events []engine.Event) (held bool, owner string, err error) {
	if s.cluster == nil || slices.ContainsFunc(events, func(e engine.Event) bool { return e.Type == engine.EventEnded }) {
		le.leaseUntil.Store(math.MaxInt64)
		return true, "", nil // an ended exercise needs no owner
	}
	asked := time.Now()
	lease, err := s.cluster.Claim(ctx, le.id, s.holder, s.lease)
	if err != nil {
		return false, "", err
	}
	if lease.Held {
		le.leaseUntil.Store(asked.Add(lease.Left).UnixNano())
	}
	return lease.Held, lease.Holder.Address, nil
}

// notify sends a notice to the other servers, logging a failure: notices
// speed the cluster up, and the lease ticks repair what one misses.
func (s *Server) notify(n store.Notice) {
	if s.cluster == nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.cluster.Notify(ctx, n); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn().Err(err).Str("kind", string(n.Kind)).Msg("notifying the other servers failed")
	}
}

// clusterSession looks up a session another server signed in, for a
// client at address ip. Lookups are budgeted per address (and in all), and
// a cookie the database does not know is not looked up again for a while,
// so made-up cookies cannot use up the lookups real trainees need.
func (s *Server) clusterSession(ip, token string) (*Session, bool) {
	if s.cluster == nil || len(token) < 16 || len(token) > 128 || s.unknown.has(token) {
		return nil, false
	}
	if !s.ipLookups.get(ip).Allow() {
		s.security.record(secLookupLimited, ip, "too many unknown session cookies")
		return nil, false
	}
	if !s.lookups.Allow() {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	ss, err := s.cluster.Session(ctx, token)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.unknown.add(token)
		} else {
			s.log.Warn().Err(err).Msg("looking up a session failed")
		}
		return nil, false
	}
	sess := &Session{Token: ss.Token, Exercise: ss.Exercise, Role: engine.Role(ss.Role), Team: ss.Team, Name: ss.Name, Expires: ss.Expires}
	s.sessions.load(sess)
	return s.sessions.get(token)
}
