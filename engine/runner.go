package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Runner plays an exercise live: one goroutine (the one calling Run) owns
// the Exercise and its Pacer, advances virtual time with the wall clock, and
// applies the commands other goroutines send through Do. Nothing else
// touches the exercise while Run is running.
type Runner struct {
	x     *Exercise
	pacer *Pacer

	// held freezes the clock whatever the exercise's status (see Hold);
	// touched only by the goroutine running Run.
	held bool
	// settled is called whenever the exercise has caught up (OnSettled).
	settled func()

	mu       sync.Mutex
	requests []request
	wake     chan struct{}
	done     chan struct{}
}

// request is a command waiting for the owning goroutine, or a function to
// run there (for reads that must see a consistent state).
type request struct {
	cmd   Command
	fn    func(*Exercise)
	reply chan reply
	// state settles who has the request: the runner takes it (pending →
	// taken) or its sender, giving up, withdraws it (pending → withdrawn).
	// A withdrawn request is never run, so a sender that gave up can trust
	// that neither its command nor its function touches anything later.
	state *atomic.Int32
}

// The states of a request.
const (
	requestPending int32 = iota
	requestTaken
	requestWithdrawn
)

type reply struct {
	events []Event
	err    error
}

// NewRunner prepares to play x at the pacer's speed. The pacer starts
// following the wall clock when the exercise starts.
func NewRunner(x *Exercise, p *Pacer) *Runner {
	return &Runner{x: x, pacer: p, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// Run plays the exercise until it ends or ctx is cancelled. It returns nil
// when the exercise ended, and ctx's error otherwise. See RunClosing for a
// runner that goes on serving the closing phase after the end.
func (r *Runner) Run(ctx context.Context) error {
	return r.run(ctx, false)
}

// RunClosing plays the exercise like Run, then, once it has ended, goes on
// applying the commands of the closing phase (judgements, notes, the hot
// wash survey) with the clock stopped at the end, until ctx is cancelled;
// it returns ctx's error.
func (r *Runner) RunClosing(ctx context.Context) error {
	return r.run(ctx, true)
}

// OnSettled has fn called, on the runner's goroutine, each time the
// exercise has caught up with everything asked of it — every waiting
// command applied, virtual time brought up to the clock — just before the
// runner waits again, and once more when it stops. Every event of a step
// (a command, an inject to sixty teams, deadlines passing together) has
// then been emitted: a writer of the log that waits for fn writes them
// together rather than in pieces. fn must not block. Set it before Run.
func (r *Runner) OnSettled(fn func()) { r.settled = fn }

// settle calls the OnSettled function, if any.
func (r *Runner) settle() {
	if r.settled != nil {
		r.settled()
	}
}

func (r *Runner) run(ctx context.Context, closing bool) error {
	defer close(r.done)
	defer r.failPending()
	defer r.settle()
	// A runner may take over an exercise rebuilt from its log: its clock
	// carries on from where the log stopped.
	r.pacer.JumpTo(r.x.Now())
	if r.x.st.Status == StatusRunning {
		r.pacer.Start()
	}
	for closing || !r.x.Ended() {
		r.settle()
		next, has := r.x.NextAt()
		running := r.x.st.Status == StatusRunning
		switch r.pacer.Wait(ctx, next, has && running, r.wake) {
		case WaitCancelled:
			return ctx.Err()
		case WaitWoken:
			r.serve()
		case WaitReached:
			r.advance()
		}
	}
	return nil
}

// advance brings the exercise up to the pacer's virtual time.
func (r *Runner) advance() {
	if r.x.st.Status == StatusRunning {
		r.x.AdvanceTo(r.pacer.Now())
	}
}

// serve applies every waiting request in arrival order.
func (r *Runner) serve() {
	r.mu.Lock()
	reqs := r.requests
	r.requests = nil
	r.mu.Unlock()
	for _, q := range reqs {
		if !q.state.CompareAndSwap(requestPending, requestTaken) {
			continue // its sender gave up
		}
		r.advance()
		if q.fn != nil {
			q.fn(r.x)
			q.reply <- reply{}
			continue
		}
		evs, err := r.x.Apply(q.cmd)
		if err == nil {
			r.followPacer(q.cmd)
		}
		// Copy: the log's backing array may move on the next append.
		q.reply <- reply{events: append([]Event(nil), evs...), err: err}
	}
}

// followPacer mirrors clock commands on the pacer.
func (r *Runner) followPacer(cmd Command) {
	switch cmd.Type {
	case CmdStart, CmdResume:
		r.pacer.JumpTo(r.x.Now())
		if !r.held {
			r.pacer.Resume()
		}
	case CmdPause, CmdEnd:
		r.pacer.Pause()
	case CmdSetSpeed:
		r.pacer.SetSpeed(cmd.Speed)
	}
}

func (r *Runner) enqueue(ctx context.Context, q request) (reply, error) {
	if err := ctx.Err(); err != nil {
		return reply{}, err
	}
	q.reply = make(chan reply, 1)
	q.state = new(atomic.Int32)
	r.mu.Lock()
	r.requests = append(r.requests, q)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	select {
	case rep := <-q.reply:
		return rep, nil
	case <-r.done:
		select { // served just before the loop stopped
		case rep := <-q.reply:
			return rep, nil
		default:
			return reply{}, Errorf(CodeConflict, "the exercise is no longer running")
		}
	case <-ctx.Done():
		if q.state.CompareAndSwap(requestPending, requestWithdrawn) {
			return reply{}, ctx.Err()
		}
		// The runner has taken it: its outcome is moments away.
		return <-q.reply, nil
	}
}

// Do sends a command to the exercise and waits for its outcome: the events
// it caused, or the *Error that rejected it.
func (r *Runner) Do(ctx context.Context, cmd Command) ([]Event, error) {
	rep, err := r.enqueue(ctx, request{cmd: cmd})
	if err != nil {
		return nil, err
	}
	return rep.events, rep.err
}

// Inspect runs fn on the owning goroutine, with the exercise brought up to
// the current virtual time, and waits for it: the safe way to read state
// from another goroutine. fn must not keep references to what it reads.
//
// It fails, without running fn, when the runner stops before it could:
// fn has then not read anything.
func (r *Runner) Inspect(ctx context.Context, fn func(*Exercise)) error {
	rep, err := r.enqueue(ctx, request{fn: fn})
	if err != nil {
		return err
	}
	return rep.err // set when the runner stopped with the request queued
}

// JumpToNext moves virtual time forward to the next scheduled inject
// delivery (the facilitator's "next inject" button), or, when no inject is
// scheduled, to the next scheduled happening (a deadline, a simulated
// team's work). Everything due on the way is played — deadlines that pass
// are missed. It returns the sequence number of the log's last event
// afterwards. Only a running exercise can jump.
func (r *Runner) JumpToNext(ctx context.Context) (uint64, error) {
	var seq uint64
	var jumpErr error
	err := r.Inspect(ctx, func(x *Exercise) {
		if x.st.Status != StatusRunning {
			jumpErr = Errorf(CodeConflict, "the clock can jump only while the exercise runs")
			return
		}
		if r.held {
			jumpErr = Errorf(CodeConflict, "the clock is held; it cannot jump until it is released")
			return
		}
		var next time.Duration
		if upcoming := x.Upcoming(); len(upcoming) > 0 {
			next = upcoming[0].At
		} else if at, ok := x.NextAt(); ok {
			next = at // no inject ahead: the next deadline or piece of simulated work
		} else {
			jumpErr = Errorf(CodeConflict, "nothing is scheduled ahead")
			return
		}
		r.pacer.JumpTo(next)
		x.AdvanceTo(next)
		seq = x.st.Seq
	})
	if err != nil {
		return 0, err
	}
	return seq, jumpErr
}

// Hold freezes the exercise's virtual clock, whatever its status, until
// Release: nothing scheduled becomes due meanwhile. Unlike a pause, a hold
// is not a command and leaves no event in the log; the log replays the same
// with or without it, since it only changes which wall time maps to which
// virtual time, never what happens at a virtual time. A server holds the
// clock while it cannot write the log, so that no deadline passes while
// nothing can be recorded. Commands still apply; starting or resuming a
// held exercise changes its status, and its clock follows on Release.
func (r *Runner) Hold(ctx context.Context) error {
	return r.Inspect(ctx, func(*Exercise) {
		r.held = true
		r.pacer.Pause()
	})
}

// Release ends a Hold: the clock follows the wall clock again from where
// it was held if the exercise runs, and stays where it is otherwise.
func (r *Runner) Release(ctx context.Context) error {
	return r.Inspect(ctx, func(x *Exercise) {
		if !r.held {
			return
		}
		r.held = false
		if x.st.Status == StatusRunning {
			r.pacer.JumpTo(x.Now())
			r.pacer.Resume()
		}
	})
}

// failPending answers requests that arrive after the loop stopped.
func (r *Runner) failPending() {
	r.mu.Lock()
	reqs := r.requests
	r.requests = nil
	r.mu.Unlock()
	for _, q := range reqs {
		if q.state.CompareAndSwap(requestPending, requestTaken) {
			q.reply <- reply{err: Errorf(CodeConflict, "the exercise is no longer running")}
		}
	}
}
