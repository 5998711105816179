package web

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/store"
)

// How the log's writer copes with a store that cannot be written.
const (
	// stallAfter is how long one write may go unanswered before the log
	// counts as not writable: the clock is then held and commands refused.
	stallAfter = time.Second
	// storeWait bounds how long a command waits for its events to be
	// stored, and a sign-in for its session, before the answer is
	// "not_stored" (or "unavailable") rather than nothing.
	storeWait = 2 * time.Second
	// retryEvery is how often a failing write is tried again.
	retryEvery = time.Second
)

// persister writes one exercise's events to the store, in order and in
// batches, on its own goroutine, and tells waiters when a sequence number is
// durable. The exercise's goroutine only queues events, so a slow disk
// delays acknowledgements and delivery, never the exercise clock. Without a
// store every event counts as durable at once.
//
// A write that fails for a reason that may pass (a full disk, a database
// that does not answer) is retried until it succeeds; meanwhile the
// persister reports a problem (see health), which the exercise turns into
// a held clock and refused commands, and waiters are answered at once
// instead of waiting for the store to come back.
type persister struct {
	st  store.Store
	id  string
	log zerolog.Logger
	// onDurable, if set, is called with the last durable seq each time it
	// moves, outside the persister's lock. Set it before run.
	onDurable func(seq uint64)
	// onLost, if set, is called once if the store refuses the log because
	// another writer has moved it on (store.ErrSequence): another server
	// has taken the exercise over.
	onLost func()
	// mayWrite, if set, is asked before every write: a server whose lease
	// of the exercise may have run out must not write its log (another
	// server may be writing it); the events wait until it may again.
	mayWrite func() bool

	mu      sync.Mutex
	queue   []engine.Event
	last    uint64        // last sequence number added
	ready   uint64        // last sequence number of a whole step: the writer writes up to it
	durable uint64        // last sequence number known to be stored
	failed  error         // set when the store refuses the log for good
	changed chan struct{} // closed and replaced whenever durable, failed or problem change
	// problem says why the log cannot be written right now ("" when it
	// can), since when, and health is closed and replaced when it changes.
	problem      string
	problemSince time.Time
	health       chan struct{}
	writing      uint64 // numbers the write in progress, for the stall watchdog; 0 when none
	wake         chan struct{}
	stopped      chan struct{}
}

func newPersister(st store.Store, id string, durable uint64, log zerolog.Logger) *persister {
	return &persister{st: st, id: id, log: log, durable: durable, last: durable, ready: durable,
		changed: make(chan struct{}), health: make(chan struct{}), wake: make(chan struct{}, 1), stopped: make(chan struct{})}
}

// add queues an event; it never blocks. The writer writes it once
// settled says that the step of the exercise it belongs to is over, so
// that the events of one step are written together, in one transaction,
// and handed to the subscribers together.
func (p *persister) add(e engine.Event) {
	p.mu.Lock()
	p.last = e.Seq
	if p.st == nil {
		p.mu.Unlock()
		p.markDurable(e.Seq)
		return
	}
	p.queue = append(p.queue, e)
	p.mu.Unlock()
}

// settled lets the writer write what has been added and, if that is
// anything new, wakes it: every event of the exercise's last step has been
// added. It never blocks.
func (p *persister) settled() {
	p.mu.Lock()
	more := p.ready != p.last
	p.ready = p.last
	p.mu.Unlock()
	if !more {
		return
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// markDurable records that the log is written up to seq: it tells
// onDurable first, so that whoever waits for seq finds its events already
// handed to the subscribers.
func (p *persister) markDurable(seq uint64) {
	if p.onDurable != nil {
		p.onDurable(seq)
	}
	p.mu.Lock()
	p.durable = seq
	p.signal()
	p.mu.Unlock()
}

// signal wakes the waiters; the caller holds mu.
func (p *persister) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// setProblem records why the log cannot be written, or with "" that it
// can again; the caller holds mu.
func (p *persister) setProblem(problem string) {
	if problem == p.problem {
		return
	}
	if p.problem == "" {
		p.problemSince = time.Now()
	}
	p.problem = problem
	close(p.health)
	p.health = make(chan struct{})
	p.signal()
}

// storageHealth returns why the log cannot be written right now ("" if it
// can), since when, and a channel closed when that changes.
func (p *persister) storageHealth() (problem string, since time.Time, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.problem, p.problemSince, p.health
}

// waitAll blocks until every event added so far is durable (see wait).
func (p *persister) waitAll(ctx context.Context) error {
	p.mu.Lock()
	last := p.last
	p.mu.Unlock()
	return p.wait(ctx, last)
}

// wait blocks until seq is durable or ctx is done. It gives up with a
// "not_stored" error as soon as the log cannot be written, or after
// storeWait: the events are then applied and queued but not stored, and
// will be once the store takes them.
func (p *persister) wait(ctx context.Context, seq uint64) error {
	var timeout <-chan time.Time
	for {
		p.mu.Lock()
		durable, failed, problem, changed := p.durable, p.failed, p.problem, p.changed
		p.mu.Unlock()
		if durable >= seq {
			return nil
		}
		if failed != nil {
			return failed
		}
		if problem != "" {
			return notStored(problem)
		}
		if timeout == nil {
			t := time.NewTimer(storeWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return notStored("the exercise store has not confirmed the write in time")
		case <-p.stopped:
			return engine.Errorf(engine.CodeInternal, "the exercise's log is no longer being written")
		}
	}
}

// codeNotStored is the error code of a command that was applied but whose
// events the store has not confirmed in time: it must not be sent again,
// unlike one answered codeUnavailable, which may not have been applied.
const codeNotStored = "not_stored"

// notStored is the answer to a command applied while the log could not be
// written: it is not acknowledged, since a crash now would lose it, but it
// is not lost either, and sending it again would apply it twice.
func notStored(problem string) error {
	return engine.Errorf(codeNotStored, "%s: your action was applied but is not stored yet; it will appear in the timeline once the store recovers, so do not send it again", problem)
}

// run writes queued events until ctx is done, then writes what is left.
func (p *persister) run(ctx context.Context) {
	defer close(p.stopped)
	if p.st == nil {
		<-ctx.Done()
		return
	}
	for {
		select {
		case <-p.wake:
			p.flush(ctx)
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			p.settled() // whatever was added is all there will be
			p.flush(final)
			cancel()
			return
		}
	}
}

// flush writes everything queued, retrying a failing store every
// retryEvery (the events stay queued, and their acknowledgements wait).
func (p *persister) flush(ctx context.Context) {
	var blockedSince time.Time // since when mayWrite has refused
	for {
		p.mu.Lock()
		batch := p.queue
		if len(batch) > 0 && p.ready < batch[len(batch)-1].Seq {
			// A step still under way: write the whole ones before it (the
			// queue holds consecutive sequence numbers).
			n := 0
			if p.ready >= batch[0].Seq {
				n = int(p.ready-batch[0].Seq) + 1
			}
			batch = batch[:n]
		}
		p.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		if p.mayWrite != nil && !p.mayWrite() {
			if blockedSince.IsZero() {
				blockedSince = time.Now()
			} else if time.Since(blockedSince) > stallAfter {
				p.mu.Lock()
				p.setProblem("this server cannot renew its hold on the exercise in the shared store")
				p.mu.Unlock()
			}
			select {
			case <-time.After(50 * time.Millisecond):
				continue
			case <-ctx.Done():
				return
			}
		}
		blockedSince = time.Time{}
		err := p.append(ctx, batch)
		if err == nil {
			p.mu.Lock()
			p.queue = p.queue[len(batch):]
			if p.problem != "" {
				p.log.Warn().Str("exercise", p.id).Dur("outage", time.Since(p.problemSince)).Msg("the event log is written again")
			}
			p.setProblem("")
			p.mu.Unlock()
			p.markDurable(batch[len(batch)-1].Seq)
			continue
		}
		if errors.Is(err, store.ErrSequence) || errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
			p.log.Error().Err(err).Str("exercise", p.id).Msg("cannot write the event log; acknowledgements stop")
			p.mu.Lock()
			p.failed = engine.Errorf(engine.CodeInternal, "the exercise's log cannot be written")
			if errors.Is(err, store.ErrSequence) {
				p.failed = engine.Errorf(codeUnavailable, "another server has taken the exercise over; reconnect and send it again")
			}
			p.signal()
			p.mu.Unlock()
			if errors.Is(err, store.ErrSequence) && p.onLost != nil {
				p.onLost()
			}
			return
		}
		p.mu.Lock()
		if p.problem == "" || p.problem == problemStalled {
			p.log.Error().Err(err).Str("exercise", p.id).Int("events", len(batch)).Msg("writing the event log failed; the clock is held and it is retried until it works")
		} else {
			p.log.Debug().Err(err).Str("exercise", p.id).Msg("writing the event log failed again")
		}
		p.setProblem(describeStoreError(err))
		p.mu.Unlock()
		select {
		case <-time.After(retryEvery):
		case <-ctx.Done():
			return
		}
	}
}

// problemStalled is the problem of a write the store has not answered
// within stallAfter.
const problemStalled = "the exercise store does not answer"

// append writes a batch, reporting problemStalled if the store takes more
// than stallAfter to answer: it may take much longer to fail (a database
// that stopped answering fails a write after 30 s), and no one should
// wait that long to learn it.
func (p *persister) append(ctx context.Context, batch []engine.Event) error {
	p.mu.Lock()
	p.writing++
	write := p.writing
	p.mu.Unlock()
	watchdog := time.AfterFunc(stallAfter, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.writing == write { // still the same write
			p.log.Error().Str("exercise", p.id).Dur("after", stallAfter).Msg("the store has not answered a write of the event log; the clock is held")
			p.setProblem(problemStalled)
		}
	})
	err := p.st.Append(ctx, p.id, batch)
	watchdog.Stop()
	p.mu.Lock()
	p.writing++ // the watchdog, if it fires now, leaves the outcome alone
	p.mu.Unlock()
	return err
}

// describeStoreError says in a few words, fit for a facilitator, why the
// store refused a write; the details go to the server's log.
func describeStoreError(err error) string {
	if errors.Is(err, store.ErrNoSpace) {
		return "the disk of the exercise store is full"
	}
	return "the exercise store refuses writes"
}
