package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"cmesim/engine"
	"cmesim/store"
)

// storeHealth remembers whether the server's last write outside the event
// logs (a session, a new exercise) failed, why and when.
type storeHealth struct {
	mu      sync.Mutex
	problem string
	at      time.Time
}

// writeFailureCounts is how long a failed write outside the event logs
// keeps the server from being ready, unless a later one succeeds first:
// such writes are rare, and an idle server must become ready again once
// its store recovers.
const writeFailureCounts = 10 * time.Second

// record notes the outcome of a write.
func (h *storeHealth) record(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.problem, h.at = "", time.Now()
	if err != nil {
		h.problem = describeStoreError(err)
	}
}

// current returns the problem of a recent failed write, "" if none.
func (h *storeHealth) current() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.at) > writeFailureCounts {
		return ""
	}
	return h.problem
}

// pingTimeout bounds the readiness check's question to the store.
const pingTimeout = time.Second

// notReady returns why the server should not be sent new work ("" if it
// is ready): it is shutting down, its store does not answer, its last
// write of a session failed, or an exercise it runs cannot write its log.
func (s *Server) notReady(ctx context.Context) string {
	if s.ctx.Err() != nil {
		return "shutting down"
	}
	if p, ok := s.cfg.Store.(store.Pinger); ok {
		ctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err := p.Ping(ctx)
		cancel()
		if err != nil {
			s.log.Warn().Err(err).Msg("readiness: the exercise store does not answer")
			return "the exercise store does not answer"
		}
	}
	if problem := s.writes.current(); problem != "" {
		return "the last sign-in could not be stored: " + problem
	}
	for _, id := range s.exercises.ids() {
		le, ok := s.exercises.get(id)
		if !ok || le.remote != nil {
			continue
		}
		if problem, since, _ := le.persist.storageHealth(); problem != "" {
			return fmt.Sprintf("exercise %s: %s (since %s)", id, problem, since.UTC().Format(time.RFC3339))
		}
	}
	return ""
}

// Damage says why an exercise in the store could not be brought back.
type Damage struct {
	// Reason is what went wrong, as the server's log says it.
	Reason string `json:"reason"`
	// LastGoodSeq is the seq of the last event of its log that reads back
	// intact ("cmesim export --salvage" recovers the log up to it).
	LastGoodSeq uint64 `json:"last_good_seq"`
}

// StatusDamaged is the status listed for an exercise whose stored log or
// scenario cannot be brought back.
const StatusDamaged engine.Status = "damaged"

// markDamaged lists a stored exercise that could not be restored, so that
// it is never silently dropped: admins see it with why and where its log
// stops, and it stays in the store untouched.
func (s *Server) markDamaged(ctx context.Context, meta *store.Exercise, err error) {
	d := Damage{Reason: err.Error()}
	var damaged *store.DamagedLogError
	if errors.As(err, &damaged) {
		d.LastGoodSeq = damaged.LastGood
	} else if last, lerr := s.cfg.Store.LastSeq(ctx, meta.ID); lerr == nil {
		d.LastGoodSeq = last
	}
	info := ExerciseInfo{ID: meta.ID, Title: meta.Scenario, Status: StatusDamaged, Created: meta.Created, Damage: &d}
	s.exercises.markDamaged(info)
}

// storeExercise stores a new exercise, within storeWait; a store that
// cannot take it makes creating it fail as unavailable.
func (s *Server) storeExercise(meta *store.Exercise) error {
	ctx, cancel := context.WithTimeout(s.ctx, storeWait)
	defer cancel()
	err := s.cfg.Store.CreateExercise(ctx, meta)
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.New(problemStalled)
	}
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("storing the exercise: %w", err)
	}
	s.writes.record(err)
	if err != nil {
		s.log.Error().Err(err).Str("exercise", meta.ID).Msg("storing a new exercise failed")
		return engine.Errorf(codeUnavailable, "the new exercise cannot be stored right now (%s); try again in a moment", describeStoreError(err))
	}
	return nil
}
