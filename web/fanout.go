package web

import (
	"iter"
	"slices"
	"sync"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// fanout hands an exercise's events, once durable, and its status to the
// connections subscribed to it: each event encoded once per variant
// (staff, trainees), a connection's messages queued in order, and a
// trainee's records held for a window to go out in one frame
// (coalesce.go). It keeps every event's encoding, so that a connection
// that subscribes late replays what it missed. Methods that say "the
// caller holds f.mu" are for code that already holds it; the others lock
// it themselves.
type fanout struct {
	mu        sync.Mutex
	scn       *scenarios.Scenario // who may read evaluators' notes
	metrics   *metrics
	events    eventRecords
	delivered uint64 // events up to this seq are durable and delivered
	subs      map[*conn]struct{}
	// byAudience holds the same subscribers by what they may see: staff
	// under staffAudience, trainees under their team, so that an event
	// for one team visits that team's connections and the staff's, not
	// every connection of the exercise.
	byAudience map[string]map[*conn]struct{}
	// touched is deliver's list of the connections it queues for, kept
	// between calls to save allocating it.
	touched []*conn
	// window is how long records may be held (CoalesceWindow; 0 holds
	// nothing); holding orders the subscribers that hold some by the end
	// of their window, and flushTimer runs the flush due at flushAt.
	window     time.Duration
	holding    holdQueue
	flushTimer *time.Timer
	flushAt    time.Time
}

// eventRecords is what a fan-out keeps of every event, by seq-1. Only
// ever appended to: a copy taken under the fan-out's lock may be read
// after it is released, since the elements before the copy's length never
// change.
type eventRecords struct {
	encoded  [][]byte       // the encoded event message
	audience [][]string     // the event's audience
	variants []eventVariant // what trainees and observers get of it
}

// newFanout returns the fan-out of an exercise of s with no subscribers,
// holding records for window.
func newFanout(s *scenarios.Scenario, m *metrics, window time.Duration) *fanout {
	return &fanout{scn: s, metrics: m, window: window,
		subs: map[*conn]struct{}{}, byAudience: map[string]map[*conn]struct{}{}}
}

// add keeps the encoding, audience and variants of the next event (seq
// one more than the last added); deliver sends it once it is durable.
func (f *fanout) add(encoded []byte, audience []string, v eventVariant) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events.encoded = append(f.events.encoded, encoded)
	f.events.audience = append(f.events.audience, audience)
	f.events.variants = append(f.events.variants, v)
}

// restored records that the exercise's first n events were stored, and
// sent, before this server took the exercise over: they are replayed to
// connections that subscribe, never delivered as new ones.
func (f *fanout) restored(n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delivered = n
}

// broadcast queues for every subscriber the message messageFor returns
// for its status key (statusKey), encoded once per key; a routine one may
// wait on a trainee's connection with its team's records. messageFor runs
// with f.mu held, so it must not call the fan-out.
func (f *fanout) broadcast(messageFor func(key string) []byte, routine bool) {
	prepared := map[string]*outgoing{}
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs {
		key := c.statusKey()
		m, ok := prepared[key]
		if !ok {
			m = newOutgoing(messageFor(key))
			prepared[key] = m
		}
		f.send(c, m, routine && !c.sess.IsStaff())
	}
}

// online returns the names of the trainees connected, by team, each name
// once.
func (f *fanout) online() map[string][]string {
	out := map[string][]string{}
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs {
		if c.sess.Role == engine.RoleTrainee && !slices.Contains(out[c.sess.Team], c.sess.Name) {
			out[c.sess.Team] = append(out[c.sess.Team], c.sess.Name)
		}
	}
	return out
}

// closeAll sends every subscriber what it holds, then closes its
// connection with why, so that it reconnects to whoever serves the
// exercise now.
func (f *fanout) closeAll(why string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs {
		c.bye = why
		f.release(c, nil) // what is held goes before the goodbye
		f.unsubscribe(c)
	}
}

// deliver sends subscribers the events up to seq, which are durable, each
// prepared once for all of them. The events made durable together are
// queued one connection after the other, each connection's back to back,
// so that its writer finds them all waiting and sends them in one batch.
func (f *fanout) deliver(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq = min(seq, uint64(len(f.events.encoded)))
	touched := f.touched[:0]
	for ; f.delivered < seq; f.delivered++ {
		if len(f.subs) == 0 {
			continue
		}
		var prepared [2]*outgoing
		for c := range f.recipients(f.events.audience[f.delivered]) {
			b, key, ok := f.encodingFor(c.sess, f.delivered)
			if !ok {
				continue
			}
			if prepared[key] == nil {
				prepared[key] = newOutgoing(b)
			}
			if len(c.delivering) == 0 {
				touched = append(touched, c)
			}
			hold := c.holdsRecordsOf(f.events.variants[f.delivered].recordOf)
			c.delivering = append(c.delivering, delivery{prepared[key], hold})
		}
	}
	for _, c := range touched {
		for _, d := range c.delivering {
			if _, ok := f.subs[c]; !ok {
				break // dropped for a full queue
			}
			f.send(c, d.m, d.hold)
		}
		clear(c.delivering)
		c.delivering = c.delivering[:0]
	}
	clear(touched)
	f.touched = touched[:0]
}

// staffAudience is the key of byAudience under which the staff's
// connections are (no team has an empty id).
const staffAudience = ""

// audienceKey is where c is kept in byAudience: staffAudience for staff,
// the team for a trainee, and for anyone else a key no event names.
func audienceKey(c *conn) string {
	switch {
	case c.sess.IsStaff():
		return staffAudience
	case c.sess.Role == engine.RoleTrainee:
		return c.sess.Team
	}
	return "\x00" + string(c.sess.Role)
}

// recipients yields the subscribers who may be able to see an event with
// the given audience: every one for an event to everyone, otherwise the
// staff and the trainees of the teams named, each once. encodingFor still
// decides. The caller holds f.mu.
func (f *fanout) recipients(audience []string) iter.Seq[*conn] {
	return func(yield func(*conn) bool) {
		if slices.Contains(audience, engine.Everyone) {
			for c := range f.subs {
				if !yield(c) {
					return
				}
			}
			return
		}
		for c := range f.byAudience[staffAudience] {
			if !yield(c) {
				return
			}
		}
		for i, team := range audience {
			if team == staffAudience || slices.Contains(audience[:i], team) {
				continue
			}
			for c := range f.byAudience[team] {
				if !yield(c) {
					return
				}
			}
		}
	}
}

// addSub and removeSub keep subs and byAudience together; the caller
// holds f.mu.
func (f *fanout) addSub(c *conn) {
	f.subs[c] = struct{}{}
	k := audienceKey(c)
	if f.byAudience[k] == nil {
		f.byAudience[k] = map[*conn]struct{}{}
	}
	f.byAudience[k][c] = struct{}{}
}

func (f *fanout) removeSub(c *conn) {
	delete(f.subs, c)
	k := audienceKey(c)
	delete(f.byAudience[k], c)
	if len(f.byAudience[k]) == 0 {
		delete(f.byAudience, k)
	}
}

// queue hands a message to a subscriber, dropping a subscriber whose queue
// is full: a slow client must not hold up the exercise. It reconnects and
// resumes from its last sequence number. The caller holds f.mu.
func (f *fanout) queue(c *conn, m *outgoing) {
	select {
	case c.send <- m:
		c.wake()
	default:
		f.metrics.drops.Add(1)
		f.unsubscribe(c)
	}
}

// unsubscribe removes a subscriber and closes its queue; the caller holds
// f.mu.
func (f *fanout) unsubscribe(c *conn) {
	if _, ok := f.subs[c]; !ok {
		return
	}
	f.removeSub(c)
	clear(c.held)
	c.held, c.heldSize = nil, 0
	close(c.send)
	c.wake() // to close the connection
}

// queueAfterEvents queues a message for c behind the events already queued
// for it: an ack of seq then always follows the event with seq, which was
// delivered before the ack was made. It reports false if c is no longer
// subscribed.
func (f *fanout) queueAfterEvents(c *conn, b []byte) bool {
	m := newOutgoing(b)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[c]; !ok {
		return false
	}
	f.release(c, m)
	_, ok := f.subs[c] // releasing what c held may have filled its queue
	return ok
}

// leave removes a subscriber that disconnected.
func (f *fanout) leave(c *conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unsubscribe(c)
}

// subscribe registers c and returns the delivered events after since that
// it may see and the seq they end at, in one step so that no event can fall
// between the replay and the live stream.
func (f *fanout) subscribe(c *conn, since uint64) ([][]byte, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for i := min(since, f.delivered); i < f.delivered; i++ {
		if b, _, ok := f.encodingFor(c.sess, i); ok {
			out = append(out, b)
		}
	}
	f.addSub(c)
	return out, f.delivered
}

// deliveredSeq returns the seq of the last event delivered.
func (f *fanout) deliveredSeq() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delivered
}

// subscribers returns how many connections are subscribed.
func (f *fanout) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// historyScan bounds how many events one history call looks at (a
// trainee's events may be one in sixty): 0.2–0.4 ms on a loaded two-core
// machine (BenchmarkHistory).
const historyScan = 20_000

// history returns, newest first, the encodings of at most limit events
// before seq before that sess may receive, looking at no more than
// historyScan events, and the seq to ask for next (the lowest looked at),
// 0 when no event precedes them. Only delivered (durable) events count.
// It looks without holding f.mu, on a copy of the records taken under it.
func (f *fanout) history(sess *Session, before uint64, limit int) ([][]byte, uint64) {
	f.mu.Lock()
	events, delivered := f.events, f.delivered
	f.mu.Unlock()
	top := min(before, delivered+1) // events 1 … top-1 may be returned
	var out [][]byte
	seq := top
	for scanned := 0; seq > 1 && len(out) < limit && scanned < historyScan; scanned++ {
		seq--
		if b, _, ok := events.encodingFor(sess, f.scn, seq-1); ok {
			out = append(out, b)
		}
	}
	if seq <= 1 {
		return out, 0
	}
	return out, seq
}

// encodingFor returns the encoding of event i that sess receives and
// which one it is (0 staff, 1 trainees), or false when sess may not
// receive it. The caller holds f.mu.
func (f *fanout) encodingFor(sess *Session, i uint64) ([]byte, int, bool) {
	return f.events.encodingFor(sess, f.scn, i)
}

// encodingFor returns the encoding of event i that sess receives in an
// exercise of scn and which one it is (0 staff, 1 trainees), or false
// when sess may not receive it.
func (r *eventRecords) encodingFor(sess *Session, scn *scenarios.Scenario, i uint64) ([]byte, int, bool) {
	v := r.variants[i]
	if !maySee(sess, r.audience[i]) {
		return nil, 0, false
	}
	switch {
	case sess.IsStaff():
		if v.note && !mayReadNotes(sess, scn) {
			return nil, 0, false
		}
	case v.hidden:
		return nil, 0, false
	case v.trainee != nil:
		return v.trainee, 1, true
	}
	return r.encoded[i], 0, true
}
