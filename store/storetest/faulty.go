package storetest

import (
	"context"
	"sync"

	"cmesim/engine"
	"cmesim/store"
)

// Faulty wraps a Store and makes it fail on demand, to test how its user
// copes with a store it cannot write (a full disk), one that stops
// answering (a hung disk or database), or one that is down altogether.
// It starts healthy; reads pass through unless it is down.
type Faulty struct {
	store.Store

	mu      sync.Mutex
	writes  error         // writes fail with it, when set
	down    error         // everything fails with it, Ping included, when set
	stalled chan struct{} // writes wait until it is closed, when set
}

// NewFaulty wraps s.
func NewFaulty(s store.Store) *Faulty { return &Faulty{Store: s} }

// FailWrites makes every write (Append, CreateExercise, PutSession,
// DeleteSession) fail with err, writing nothing, until Heal.
func (f *Faulty) FailWrites(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = err
}

// GoDown makes every call fail with err, until Heal: the database is
// unreachable.
func (f *Faulty) GoDown(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = err
}

// StallWrites makes every write wait, without an answer, until Heal (or
// its context ends first: it then writes nothing and returns the
// context's error, as Append promises).
func (f *Faulty) StallWrites() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stalled == nil {
		f.stalled = make(chan struct{})
	}
}

// Heal ends every fault: stalled writes go on to the wrapped store.
func (f *Faulty) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes, f.down = nil, nil
	if f.stalled != nil {
		close(f.stalled)
		f.stalled = nil
	}
}

// read returns the error a read fails with now, if any.
func (f *Faulty) read() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.down
}

// write waits while writes are stalled and returns the error a write
// fails with, if any.
func (f *Faulty) write(ctx context.Context) error {
	for {
		f.mu.Lock()
		stalled, err := f.stalled, f.down
		if err == nil {
			err = f.writes
		}
		f.mu.Unlock()
		if stalled == nil {
			return err
		}
		select {
		case <-stalled:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Append implements store.Store.
func (f *Faulty) Append(ctx context.Context, exercise string, events []engine.Event) error {
	if err := f.write(ctx); err != nil {
		return err
	}
	return f.Store.Append(ctx, exercise, events)
}

// CreateExercise implements store.Store.
func (f *Faulty) CreateExercise(ctx context.Context, e *store.Exercise) error {
	if err := f.write(ctx); err != nil {
		return err
	}
	return f.Store.CreateExercise(ctx, e)
}

// PutSession implements store.Store.
func (f *Faulty) PutSession(ctx context.Context, s store.Session) error {
	if err := f.write(ctx); err != nil {
		return err
	}
	return f.Store.PutSession(ctx, s)
}

// DeleteSession implements store.Store.
func (f *Faulty) DeleteSession(ctx context.Context, token string) error {
	if err := f.write(ctx); err != nil {
		return err
	}
	return f.Store.DeleteSession(ctx, token)
}

// Exercise implements store.Store.
func (f *Faulty) Exercise(ctx context.Context, id string) (*store.Exercise, error) {
	if err := f.read(); err != nil {
		return nil, err
	}
	return f.Store.Exercise(ctx, id)
}

// Exercises implements store.Store.
func (f *Faulty) Exercises(ctx context.Context) ([]store.Exercise, error) {
	if err := f.read(); err != nil {
		return nil, err
	}
	return f.Store.Exercises(ctx)
}

// Events implements store.Store.
func (f *Faulty) Events(ctx context.Context, exercise string, since uint64) ([]engine.Event, error) {
	if err := f.read(); err != nil {
		return nil, err
	}
	return f.Store.Events(ctx, exercise, since)
}

// LastSeq implements store.Store.
func (f *Faulty) LastSeq(ctx context.Context, exercise string) (uint64, error) {
	if err := f.read(); err != nil {
		return 0, err
	}
	return f.Store.LastSeq(ctx, exercise)
}

// Sessions implements store.Store.
func (f *Faulty) Sessions(ctx context.Context) ([]store.Session, error) {
	if err := f.read(); err != nil {
		return nil, err
	}
	return f.Store.Sessions(ctx)
}

// Ping implements store.Pinger: it fails while the store is down, and
// otherwise asks the wrapped store if it can.
func (f *Faulty) Ping(ctx context.Context) error {
	if err := f.read(); err != nil {
		return err
	}
	if p, ok := f.Store.(store.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

var (
	_ store.Store  = (*Faulty)(nil)
	_ store.Pinger = (*Faulty)(nil)
)

// RaiseLogVersion implements store.LogVersioner: it is a write, and does
// nothing if the wrapped store does not record log versions.
func (f *Faulty) RaiseLogVersion(ctx context.Context, exercise string, v int) error {
	if err := f.write(ctx); err != nil {
		return err
	}
	if lv, ok := f.Store.(store.LogVersioner); ok {
		return lv.RaiseLogVersion(ctx, exercise, v)
	}
	return nil
}
