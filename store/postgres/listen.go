package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"cmesim/store"
)

// ListenBuffer is the capacity of the channel Listen returns. A receiver
// that falls further behind loses notices and gets a NoticeResync instead.
const ListenBuffer = 4096

// How Listen reconnects: at once, then after waits that double from
// minBackoff up to maxBackoff (each shortened at random by up to half, so
// that servers cut off together do not come back together). Each attempt
// to connect and LISTEN may take up to connectTimeout.
const (
	minBackoff     = 100 * time.Millisecond
	maxBackoff     = 3 * time.Second
	connectTimeout = 15 * time.Second
)

// Listen implements store.Cluster. It opens a connection of its own, not
// one of the pool's, and LISTENs on Channel; it fails only if that first
// connection or LISTEN fails. The notices that servers send after Listen
// returns are delivered on the channel in the order they were committed;
// payloads that are not a notice are skipped.
//
// Listen never waits for the receiver and never holds more than
// ListenBuffer notices: when a notice finds the channel full, Listen takes
// back the notices still waiting in it and delivers a NoticeResync in
// their place, then the new notice; the receiver, which re-reads
// everything on a resync, misses nothing, and gets at most one resync per
// ListenBuffer notices however far behind it falls. When the connection
// breaks, Listen reconnects (see minBackoff), LISTENs again and then
// delivers a NoticeResync, as notices sent meanwhile are lost.
//
// The channel is closed when ctx is done or the DB is closed; Close waits
// for that, so no goroutine of Listen outlives Close.
func (db *DB) Listen(ctx context.Context) (<-chan store.Notice, error) {
	db.lmu.Lock()
	if db.closed() {
		db.lmu.Unlock()
		return nil, db.errClosed()
	}
	db.listeners.Add(1)
	db.lmu.Unlock()

	lctx, cancel := context.WithCancel(ctx)
	l := &listener{
		db:     db,
		cfg:    db.pool.Config().ConnConfig,
		ctx:    lctx,
		cancel: cancel,
		out:    make(chan store.Notice, ListenBuffer),
	}
	l.helpers.Go(l.watch)
	conn, err := l.connect()
	if err != nil {
		l.stop()
		db.listeners.Done()
		if ctx.Err() == nil && db.closed() {
			return nil, db.errClosed()
		}
		return nil, fmt.Errorf("listening for notices on the database %s: %w", db.name, err)
	}
	l.conn = conn
	go l.run()
	return l.out, nil
}

// listener is one Listen. Its goroutine, run, reads the notifications of
// its connection and delivers them, the only one to send on out; a helper,
// watch, stops it when the DB closes.
type listener struct {
	db      *DB
	cfg     *pgx.ConnConfig
	ctx     context.Context // done when Listen's ctx is done or the DB closes
	cancel  context.CancelFunc
	conn    *pgx.Conn // run's alone
	out     chan store.Notice
	helpers sync.WaitGroup
}

// run receives notifications until the listener stops, reconnecting when
// the connection breaks; then it closes the channel.
func (l *listener) run() {
	defer l.db.listeners.Done()
	defer close(l.out)
	defer l.stop()
	for {
		n, err := l.conn.WaitForNotification(l.ctx)
		if n != nil {
			if notice, ok := decode(n); ok {
				l.deliver(notice)
				l.db.handedOn.Add(1)
			}
		}
		if err == nil {
			continue
		}
		closeConn(l.conn)
		l.conn = nil
		if !l.reconnect() {
			return
		}
		l.deliver(store.Notice{Kind: store.NoticeResync})
	}
}

// deliver hands n to the receiver without ever waiting. If the channel is
// full, it first empties it and puts a NoticeResync in the notices' place:
// the receiver has not taken them yet, so the resync, which it will take
// first, covers them. Only run sends on the channel, so emptying it makes
// room.
func (l *listener) deliver(n store.Notice) {
	select {
	case l.out <- n:
		return
	default:
	}
	for {
		select {
		case <-l.out:
			continue
		default:
		}
		break
	}
	l.out <- store.Notice{Kind: store.NoticeResync}
	if n.Kind != store.NoticeResync {
		l.out <- n
	}
}

// watch stops the listener when the DB closes.
func (l *listener) watch() {
	select {
	case <-l.ctx.Done():
	case <-l.db.closing:
		l.cancel()
	}
}

// stop cancels the listener's context and waits for its helper.
func (l *listener) stop() {
	l.cancel()
	l.helpers.Wait()
}

// connect opens a connection and LISTENs on Channel.
func (l *listener) connect() (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(l.ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		closeConn(conn)
		return nil, err
	}
	return conn, nil
}

// reconnect connects anew, at once and then with growing waits between
// attempts, until it succeeds (true) or the listener stops (false).
func (l *listener) reconnect() bool {
	var wait time.Duration
	for {
		if wait > 0 {
			t := time.NewTimer(wait - rand.N(wait/2))
			select {
			case <-t.C:
			case <-l.ctx.Done():
				t.Stop()
				return false
			}
		}
		if l.ctx.Err() != nil {
			return false
		}
		if conn, err := l.connect(); err == nil {
			l.conn = conn
			return true
		}
		wait = min(max(2*wait, minBackoff), maxBackoff)
	}
}

// closeConn closes a connection, waiting a moment at most for a server
// that does not answer.
func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Close(ctx)
}

// decode reads a notice from a notification; ok is false if it is not one.
func decode(n *pgconn.Notification) (notice store.Notice, ok bool) {
	if n.Channel != Channel || json.Unmarshal([]byte(n.Payload), &notice) != nil || notice.Kind == "" {
		return store.Notice{}, false
	}
	return notice, true
}
