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

// persister writes one exercise's events to the store, in order and in
// batches, on its own goroutine, and tells waiters when a sequence number is
// durable. The exercise's goroutine only queues events, so a slow disk
// delays acknowledgements and delivery, never the exercise clock. Without a
// store every event counts as durable at once.
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
	durable uint64        // last sequence number known to be stored
	failed  error         // set when the store refuses the log for good
	changed chan struct{} // closed and replaced whenever durable or failed change
	wake    chan struct{}
	stopped chan struct{}
}

func newPersister(st store.Store, id string, durable uint64, log zerolog.Logger) *persister {
	return &persister{st: st, id: id, log: log, durable: durable, last: durable,
		changed: make(chan struct{}), wake: make(chan struct{}, 1), stopped: make(chan struct{})}
}

// add queues an event; it never blocks.
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
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// waitAll blocks until every event added so far is durable.
func (p *persister) waitAll(ctx context.Context) error {
	p.mu.Lock()
	last := p.last
	p.mu.Unlock()
	return p.wait(ctx, last)
}

// wait blocks until seq is durable or ctx is done.
func (p *persister) wait(ctx context.Context, seq uint64) error {
	for {
		p.mu.Lock()
		durable, failed, changed := p.durable, p.failed, p.changed
		p.mu.Unlock()
		if durable >= seq {
			return nil
		}
		if failed != nil {
			return failed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.stopped:
			return engine.Errorf(engine.CodeInternal, "the exercise's log is no longer being written")
		}
	}
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
			p.flush(final)
			cancel()
			return
		}
	}
}

// flush writes everything queued, retrying a failing store every second
// (the events stay queued, and their acknowledgements wait).
func (p *persister) flush(ctx context.Context) {
	for {
		p.mu.Lock()
		batch := p.queue
		p.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		if p.mayWrite != nil && !p.mayWrite() {
			select {
			case <-time.After(50 * time.Millisecond):
				continue
			case <-ctx.Done():
				return
			}
		}
		err := p.st.Append(ctx, p.id, batch)
		if err == nil {
			p.mu.Lock()
			p.queue = p.queue[len(batch):]
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
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
			if errors.Is(err, store.ErrSequence) && p.onLost != nil {
				p.onLost()
			}
			return
		}
		p.log.Error().Err(err).Str("exercise", p.id).Int("events", len(batch)).Msg("writing the event log failed; retrying")
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return
		}
	}
}
