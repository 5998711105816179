package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/store"
)

// forwardedHeader marks a request one server forwards to another, so that
// the receiver never forwards it again.
const forwardedHeader = "X-Cmesim-Forwarded"

// follower serves an exercise that another server owns. A replica of the
// engine, rebuilt from the stored log, follows the log as the owner writes
// it (engine.Exercise.Follow): this server's clients see the same events,
// each once it is durable, and the same status as the owner's clients.
// Their commands are forwarded to the owner over HTTP, as any client could
// send them.
type follower struct {
	st  store.Store
	log zerolog.Logger

	// mu serialises the replica and its fan-out, as the runner goroutine
	// does for an exercise this server owns.
	mu      sync.Mutex
	seq     uint64        // the log is followed up to here
	ended   bool          // the log followed has the exercise's end
	changed chan struct{} // closed and replaced when seq moves
	failed  error         // set when the log cannot be followed

	owner   atomic.Pointer[string] // the owner's base URL, "" if unknown
	clock   atomic.Int64           // the owner's last clock notice (virtual ns)
	wake    chan struct{}
	stopped chan struct{}
	client  *http.Client
}

// follow starts le as a follower of the exercise x replays, whose stored log
// ends at seq, with the owner at address ("" if unknown).
func (c *cluster) follow(le *liveExercise, x *engine.Exercise, seq uint64, address string) {
	f := &follower{st: c.store, log: c.log, seq: seq, changed: make(chan struct{}),
		wake: make(chan struct{}, 1), stopped: make(chan struct{}), client: c.forwarder}
	f.owner.Store(&address)
	f.ended = slices.ContainsFunc(x.Events()[:seq], func(e engine.Event) bool { return e.Type == engine.EventEnded })
	le.remote = f
	le.x = x
	x.SetOnEvent(le.publish)
	ctx, cancel := context.WithCancel(context.Background())
	le.cancel = cancel
	le.fan.deliver(seq)
	go func() {
		defer close(le.done)
		defer close(f.stopped)
		defer close(le.persist.stopped) // a follower writes nothing
		for {
			select {
			case <-ctx.Done():
				return
			case <-f.wake:
				err := f.catchUp(ctx, le)
				switch {
				case err == nil || ctx.Err() != nil:
				case f.diverged():
					c.log.Error().Err(err).Str("exercise", le.id).Msg("this server's replay of the exercise diverges from its log; reloading it")
					go c.reload(le.id, le, "this server lost track of the exercise; reconnecting")
					<-ctx.Done()
					return
				default:
					// Reading the log failed (the database is busy or
					// away): try again shortly; the clients wait.
					c.log.Warn().Err(err).Str("exercise", le.id).Msg("reading the exercise's log failed; retrying")
					time.AfterFunc(time.Second, f.poke)
				}
			}
		}
	}()
	go le.statusLoop(ctx)
}

// poke makes the follower read the log's new events.
func (f *follower) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// setOwner records where the owner can be reached. A new owner's clock
// starts from the log: the old owner's last reading no longer counts.
func (f *follower) setOwner(address string) {
	if old := f.owner.Swap(&address); old == nil || *old != address {
		f.clock.Store(0)
	}
}

// diverged reports whether the replay contradicted the log.
func (f *follower) diverged() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed != nil
}

// endedLog reports whether the log followed so far ends the exercise: then
// nobody needs to own it any more.
func (f *follower) endedLog() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ended
}

// ownerClock is the owner's virtual clock at its last notice.
func (f *follower) ownerClock() time.Duration { return time.Duration(f.clock.Load()) }

// catchUp reads the events written since the last read and follows them,
// then delivers them to the subscribers.
func (f *follower) catchUp(ctx context.Context, le *liveExercise) error {
	f.mu.Lock()
	since := f.seq
	f.mu.Unlock()
	events, err := f.st.Events(ctx, le.id, since)
	if err != nil || len(events) == 0 {
		return err // a read error is retried at the next notice or tick
	}
	f.mu.Lock()
	if err := le.x.Follow(events); err != nil {
		f.failed = err
		close(f.changed)
		f.changed = make(chan struct{})
		f.mu.Unlock()
		return err
	}
	// Deliver before saying the log is followed, so that a forwarded
	// command's ack never overtakes its event.
	f.seq = events[len(events)-1].Seq
	f.ended = f.ended || slices.ContainsFunc(events, func(e engine.Event) bool { return e.Type == engine.EventEnded })
	le.fan.deliver(f.seq)
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return nil
}

// inspect runs fn on the replica.
func (f *follower) inspect(ctx context.Context, le *liveExercise, fn func(*engine.Exercise)) error {
	select {
	case <-f.stopped:
		return engine.Errorf(codeUnavailable, "the exercise is moving to another server; reconnect")
	case <-ctx.Done():
		return ctx.Err()
	default:
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(le.x)
	return nil
}

// waitFor waits until the log is followed up to seq, so that a client has
// the event of its action before the ack, as it would from the owner. It
// gives up quietly after a while: the ack's promise (durability) holds
// anyway.
func (f *follower) waitFor(ctx context.Context, seq uint64) {
	f.poke()
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	for {
		f.mu.Lock()
		done, changed := f.seq >= seq || f.failed != nil, f.changed
		f.mu.Unlock()
		if done {
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			return
		case <-ctx.Done():
			return
		case <-f.stopped:
			return
		}
	}
}

// commandReply is the answer of POST /api/exercises/{id}/commands.
type commandReply struct {
	Seq uint64 `json:"seq"`
}

// forward sends a client's message to the server that owns the exercise,
// as sess, and returns the seq it acknowledged.
func (f *follower) forward(ctx context.Context, le *liveExercise, sess *Session, raw []byte) (uint64, error) {
	owner := *f.owner.Load()
	if owner == "" {
		return 0, engine.Errorf(codeUnavailable, "no server is running the exercise right now; try again in a few seconds")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, owner+"/api/exercises/"+url.PathEscape(le.id)+"/commands", bytes.NewReader(raw))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(forwardedHeader, "1")
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: sess.Token})
	resp, err := f.client.Do(req)
	if err != nil {
		f.log.Warn().Err(err).Str("exercise", le.id).Str("owner", owner).Msg("forwarding a command failed")
		return 0, engine.Errorf(codeUnavailable, "the server running the exercise does not answer; it moves to another server within seconds: try again")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil {
		return 0, engine.Errorf(codeUnavailable, "the server running the exercise broke off its answer; try again")
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error apiError `json:"error"`
		}
		switch {
		case json.Unmarshal(body, &e) != nil || e.Error.Code == "":
			return 0, engine.Errorf(codeUnavailable, "the server running the exercise answered %s; try again", resp.Status)
		case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusNotFound || resp.StatusCode >= 500:
			// This server knows the session and the exercise: the owner
			// not knowing them, or failing, is passing (a restart, a
			// move, a database hiccup).
			return 0, engine.Errorf(codeUnavailable, "the server running the exercise cannot take it right now (%s); try again", e.Error.Message)
		}
		return 0, engine.Errorf(engine.ErrorCode(e.Error.Code), "%s", e.Error.Message)
	}
	var ok commandReply
	if err := json.Unmarshal(body, &ok); err != nil {
		return 0, fmt.Errorf("forwarding to %s: unreadable answer: %w", owner, err)
	}
	f.waitFor(ctx, ok.Seq)
	return ok.Seq, nil
}

// handleCommand applies one client message (the WebSocket protocol's
// "command" or "jump") sent over HTTP and answers with the seq it caused,
// once durable. A server that does not own the exercise forwards it to the
// one that does, once.
func (s *Server) handleCommand(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	if !s.ipCommandLimiter(r).Allow() {
		s.security.record(secRateLimited, s.clientIP(r), "too many HTTP commands")
		tooMany(w, s.log, time.Second, "too many messages; slow down")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessageSize))
	if err != nil {
		writeError(w, s.log, engine.Errorf(engine.CodeInvalid, "the message is larger than %d bytes", MaxMessageSize))
		return
	}
	if le.remote != nil && r.Header.Get(forwardedHeader) != "" {
		writeError(w, s.log, engine.Errorf(codeUnavailable, "this server no longer runs the exercise; try again"))
		return
	}
	_, seq, wait, err := le.pipeline(r.Context(), s, sess, s.clientIP(r), body)
	if wait > 0 {
		setRetryAfter(w, wait)
	}
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, commandReply{Seq: seq})
}
