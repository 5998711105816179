package web

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

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

// cluster is this server's part in a cluster of servers sharing one store:
// it holds the leases of the exercises this server owns, follows the others'
// logs, acts on their notices, places new exercises on the least loaded
// server and takes exercises over when their owner goes. Without a cluster
// (db nil) every exercise is this server's and it only loads exercises.
type cluster struct {
	log zerolog.Logger
	// ctx ends when the server closes.
	ctx context.Context
	// store keeps the exercises; db is the same store shared by the
	// servers, nil without a cluster.
	store store.Store
	db    store.Cluster
	// holder is this server, lease the time a lease lasts unrenewed.
	holder store.Holder
	lease  time.Duration
	// exercises are those this server runs or follows, and sessions its
	// signed-in sessions (a sign-out on another server ends one here).
	exercises *exerciseSet
	sessions  *sessions
	// srv restores exercises (Server.restore) and closes the sockets of
	// sessions signed out elsewhere (Server.closeSession).
	srv *Server

	forwarder *http.Client  // forwards commands to exercises' owners
	expiring  chan string   // exercises whose owner's lease is about to expire
	reloadMu  sync.Mutex    // one reload at a time
	done      chan struct{} // closed when loop stops; nil without a cluster
}

// codeUnavailable is the error code of an exercise that is moving between
// servers or whose server does not answer: try again shortly.
const codeUnavailable = "unavailable"

// loop follows the other servers' notices and tends the leases
// until the server closes.
func (c *cluster) loop(notices <-chan store.Notice) {
	defer close(c.done)
	tick := time.NewTicker(c.lease / 3)
	defer tick.Stop()
	c.tendLeases() // register this server at once, for placement
	for {
		select {
		case <-c.ctx.Done():
			return
		case n, ok := <-notices:
			if !ok {
				return
			}
			c.notice(n)
		case <-tick.C:
			c.tendLeases()
		case id := <-c.expiring:
			if le, ok := c.exercises.get(id); ok {
				c.tendLease(le)
			}
		}
	}
}

// notice acts on one notice from the cluster.
func (c *cluster) notice(n store.Notice) {
	le, known := c.exercises.get(n.Exercise)
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
			c.loadUnknown(n.Exercise)
		}
	case store.NoticeLease:
		if known {
			c.tendLease(le)
		}
	case store.NoticeSignOut:
		c.sessions.delete(n.Token)
		c.srv.closeSession(n.Token)
	case store.NoticeResync:
		c.resync()
	}
}

// resync re-reads what notices may have told while they were lost: new
// exercises, the logs followed and the leases.
func (c *cluster) resync() {
	ctx, cancel := context.WithTimeout(c.ctx, c.lease)
	defer cancel()
	all, err := c.store.Exercises(ctx)
	if err != nil {
		c.log.Error().Err(err).Msg("re-reading the exercises failed")
	}
	for _, meta := range all {
		if _, ok := c.exercises.get(meta.ID); !ok {
			c.loadUnknown(meta.ID)
		}
	}
	c.tendLeases()
}

// load brings in an exercise this server does not know yet.
func (c *cluster) load(id string) {
	ctx, cancel := context.WithTimeout(c.ctx, c.lease)
	defer cancel()
	meta, err := c.store.Exercise(ctx, id)
	if err == nil {
		err = c.srv.restore(ctx, meta, "")
	}
	if err != nil {
		c.log.Error().Err(err).Str("exercise", id).Msg("cannot load the exercise")
	}
}

// tendLeases renews the leases of the exercises this server owns, all in
// one statement that also keeps this server registered as live, and takes
// over those whose owner has gone.
func (c *cluster) tendLeases() {
	all := c.exercises.all()
	owned := make([]*liveExercise, 0, len(all))
	for _, le := range all {
		if le.remote == nil && !(le.halted() && !le.x.Ended()) && !c.finished(le) {
			owned = append(owned, le)
		} else {
			c.tendLease(le)
		}
	}
	ids := make([]string, len(owned))
	for i, le := range owned {
		ids[i] = le.id
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.lease/3)
	defer cancel()
	asked := time.Now()
	leases, err := c.db.Renew(ctx, c.holder, ids, c.lease)
	for _, le := range owned {
		lease, ok := leases[le.id]
		if err == nil && !ok {
			err = store.ErrNotFound // the exercise is gone from the store
		}
		c.renewed(le, asked, lease, err)
	}
}

// renewed acts on the outcome of renewing the lease of an exercise this
// server owns, asked at asked: it notes the new expiry, or gives the
// exercise up if another server has it or the lease ran out.
func (c *cluster) renewed(le *liveExercise, asked time.Time, lease store.Lease, err error) {
	switch {
	case err == nil && lease.Held:
		le.leaseUntil.Store(asked.Add(lease.Left).UnixNano())
	case err == nil:
		c.log.Warn().Str("exercise", le.id).Str("holder", lease.Holder.ID).Msg("lost the exercise's lease; following it")
		go c.reload(le.id, le, "the exercise moved to another server; reconnecting")
	case time.Now().UnixNano() > le.leaseUntil.Load():
		c.log.Error().Err(err).Str("exercise", le.id).Msg("cannot renew the exercise's lease and it has expired; stopping it here")
		go c.reload(le.id, le, "the exercise moved to another server; reconnecting")
	default:
		c.log.Warn().Err(err).Str("exercise", le.id).Msg("renewing the exercise's lease failed; retrying")
	}
}

// tendLease renews the lease of an exercise this server owns, or gives the
// exercise up if the lease is lost; for one it follows, it claims the lease
// if the owner's has expired and otherwise notes where the owner is.
func (c *cluster) tendLease(le *liveExercise) {
	if le.halted() && !le.x.Ended() {
		// A reload stopped it and could not load it again (the database
		// was unreachable): try again.
		go c.reload(le.id, le, "")
		return
	}
	if c.finished(le) {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.lease/3)
	defer cancel()
	if le.remote == nil {
		asked := time.Now()
		lease, err := c.db.Claim(ctx, le.id, c.holder, c.lease)
		c.renewed(le, asked, lease, err)
		return
	}
	le.remote.poke() // in case a notice was lost
	lease, err := c.db.Lease(ctx, le.id)
	if err != nil {
		c.log.Warn().Err(err).Str("exercise", le.id).Msg("reading the exercise's lease failed")
		return
	}
	if lease.Holder.ID == c.holder.ID && lease.Left > 0 {
		// Another server handed the exercise to this one (placement).
		c.log.Info().Str("exercise", le.id).Msg("the exercise was handed to this server; taking it over")
		go c.reload(le.id, le, "this server takes the exercise over; reconnecting")
		return
	}
	if lease.Holder.ID != "" && lease.Left > 0 {
		le.remote.setOwner(lease.Holder.Address)
		if lease.Left < c.lease/3 {
			// It expires before the next tick: look again right after, so
			// that an exercise whose owner died waits no longer than the
			// lease.
			time.AfterFunc(lease.Left+10*time.Millisecond, func() {
				select {
				case c.expiring <- le.id:
				default:
				}
			})
		}
		return
	}
	lease, err = c.db.Claim(ctx, le.id, c.holder, c.lease)
	if err != nil || !lease.Held {
		if err == nil {
			le.remote.setOwner(lease.Holder.Address)
		}
		return
	}
	c.log.Info().Str("exercise", le.id).Msg("the exercise's owner has gone; taking it over")
	go c.reload(le.id, le, "this server takes the exercise over; reconnecting")
}

// finished reports whether an exercise has ended, when nobody needs to own
// it any more: every server serves its final log.
func (c *cluster) finished(le *liveExercise) bool {
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
	if err := le.inspect(c.ctx, func(x *engine.Exercise) { ended = x.Ended() }); err != nil {
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
func (c *cluster) reload(id string, old *liveExercise, why string) {
	if !old.reloading.CompareAndSwap(false, true) {
		return // another goroutine is at it
	}
	defer old.reloading.Store(false)
	c.reloadMu.Lock()
	defer c.reloadMu.Unlock()
	if cur, ok := c.exercises.get(id); !ok || cur != old || c.ctx.Err() != nil {
		return // already replaced, or shutting down
	}
	old.stop(why)
	if old.remote == nil && c.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), c.lease/3)
		c.db.Release(ctx, id, c.holder.ID) // let a follower take over at once
		cancel()
	}
	c.load(id)
}

// releaseAll gives up the leases of the exercises this server owned, after
// they have stopped and their logs are written: the others take them over
// without waiting for the leases to expire.
func (c *cluster) releaseAll(owned []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.db.Leave(ctx, c.holder.ID); err != nil {
		c.log.Warn().Err(err).Msg("leaving the servers' list failed; the entry runs out by itself")
	}
	for _, id := range owned {
		if err := c.db.Release(ctx, id, c.holder.ID); err != nil {
			c.log.Warn().Err(err).Str("exercise", id).Msg("releasing the lease failed; it expires by itself")
		}
	}
}

// claim takes the lease of an exercise for this server if it is free. It
// returns the owner's address when another server has it.
func (c *cluster) claim(ctx context.Context, le *liveExercise, events []engine.Event) (held bool, owner string, err error) {
	if c.db == nil || slices.ContainsFunc(events, func(e engine.Event) bool { return e.Type == engine.EventEnded }) {
		le.leaseUntil.Store(math.MaxInt64)
		return true, "", nil // an ended exercise needs no owner
	}
	asked := time.Now()
	lease, err := c.db.Claim(ctx, le.id, c.holder, c.lease)
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
func (c *cluster) notify(n store.Notice) {
	if c.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	if err := c.db.Notify(ctx, n); err != nil && !errors.Is(err, context.Canceled) {
		c.log.Warn().Err(err).Str("kind", string(n.Kind)).Msg("notifying the other servers failed")
	}
}

// loadUnknown loads a stored exercise unless this server knows it already:
// a join, a notice and a creation race may all try at once, and only one
// may build its live copy.
func (c *cluster) loadUnknown(id string) {
	c.reloadMu.Lock()
	defer c.reloadMu.Unlock()
	if _, known := c.exercises.get(id); known {
		return
	}
	c.load(id)
}

// storedCode returns the id of the stored exercise that has code among its
// join codes, or "" if none has. It looks at the exercises this server knows
// too: one it did not know when the code missed may have been registered
// since (a notice of the new exercise arriving meanwhile), and skipping it
// would refuse a valid code.
func (c *cluster) storedCode(ctx context.Context, code string) (string, error) {
	all, err := c.store.Exercises(ctx)
	if err != nil {
		return "", err
	}
	want := normalizeCode(code)
	if want == "" {
		return "", nil // cannot be a code
	}
	for _, meta := range all {
		var codes exerciseCodes
		if json.Unmarshal(meta.Codes, &codes) != nil {
			continue
		}
		if codes.has(want) {
			return meta.ID, nil
		}
	}
	return "", nil
}
