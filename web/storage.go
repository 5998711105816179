package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/store"
)

// storage keeps new exercises in the store, lists those the store holds
// but cannot give back, and answers whether the server is ready for work
// (GET /readyz), which mostly means whether its store is.
type storage struct {
	log zerolog.Logger
	// ctx ends when the server closes.
	ctx context.Context
	// store keeps the exercises; nil keeps them in memory only.
	store store.Store
	// writes records whether the last write to the store succeeded.
	writes    *storeHealth
	exercises *exerciseSet
}

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
func (st *storage) notReady(ctx context.Context) string {
	if st.ctx.Err() != nil {
		return "shutting down"
	}
	if p, ok := st.store.(store.Pinger); ok {
		ctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err := p.Ping(ctx)
		cancel()
		if err != nil {
			st.log.Warn().Err(err).Msg("readiness: the exercise store does not answer")
			return "the exercise store does not answer"
		}
	}
	if problem := st.writes.current(); problem != "" {
		return "the last sign-in could not be stored: " + problem
	}
	for _, id := range st.exercises.ids() {
		le, ok := st.exercises.get(id)
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
func (st *storage) markDamaged(ctx context.Context, meta *store.Exercise, err error) {
	d := Damage{Reason: err.Error()}
	var damaged *store.DamagedLogError
	if errors.As(err, &damaged) {
		d.LastGoodSeq = damaged.LastGood
	} else if last, lerr := st.store.LastSeq(ctx, meta.ID); lerr == nil {
		d.LastGoodSeq = last
	}
	info := ExerciseInfo{ID: meta.ID, Title: meta.Scenario, Status: StatusDamaged, Created: meta.Created, Damage: &d}
	st.exercises.markDamaged(info)
}

// storeExercise stores a new exercise, within storeWait; a store that
// cannot take it makes creating it fail as unavailable.
func (st *storage) storeExercise(meta *store.Exercise) error {
	ctx, cancel := context.WithTimeout(st.ctx, storeWait)
	defer cancel()
	err := st.store.CreateExercise(ctx, meta)
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.New(problemStalled)
	}
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("storing the exercise: %w", err)
	}
	st.writes.record(err)
	if err != nil {
		st.log.Error().Err(err).Str("exercise", meta.ID).Msg("storing a new exercise failed")
		return engine.Errorf(codeUnavailable, "the new exercise cannot be stored right now (%s); try again in a moment", describeStoreError(err))
	}
	return nil
}

func (st *storage) handleReady(w http.ResponseWriter, r *http.Request) {
	if why := st.notReady(r.Context()); why != "" {
		http.Error(w, "not ready: "+why, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
