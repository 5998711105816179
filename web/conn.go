package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"cmesim/engine"
)

// Connection limits.
const (
	sendQueueLen = 256              // messages a trainee may fall behind before it is dropped
	writeWait    = 10 * time.Second // default time allowed to write one message (Config.WriteTimeout)
	pongWait     = 60 * time.Second // time allowed between pongs
	pingPeriod   = 30 * time.Second // how often the server pings
	// commandRate and commandBurst limit how fast one connection sends.
	commandRate  = 10
	commandBurst = 20
)

// conn is one participant's WebSocket. Its reader goroutine reads and
// applies messages; a writer goroutine, started when there is something
// to write and gone when there is not (writer.go), is the only one that
// writes.
type conn struct {
	ws   *websocket.Conn
	sess *Session
	le   *liveExercise
	m    *metrics
	srv  *Server
	ip   string // the client's address

	// send carries the messages the exercise's fan-out queues for the
	// connection; it is sent on and closed only under the exercise's
	// fanout.mu (fanout.queue, unsubscribe).
	send chan *outgoing
	// carry is a message the writer took from send that did not fit in
	// the batch it was writing; it goes first next time.
	carry *outgoing
	// held are records the fan-out holds for the connection until the
	// coalescing window ends or another message goes, and heldSize their
	// bytes in a batch; guarded by the exercise's fanout.mu (coalesce.go).
	held      []*outgoing
	heldSize  int
	heldUntil time.Time
	// lag lengthens the connection's coalescing window by a fixed part
	// of a quarter of it, different for each connection.
	lag time.Duration
	// delivering holds the events being delivered to the connection, while
	// the exercise's fanout.mu is held (fanout.deliver).
	delivering []delivery
	// replies carries answers to this client's own messages from the reader.
	replies chan []byte
	// done closes when the reader stops.
	done chan struct{}
	// wakes counts the calls to wake the writer has not yet answered,
	// plus one while a writer runs (writer.go).
	wakes atomic.Int32
	// first are the messages the connection starts with, for its first
	// writer; ping fires every pingPeriod and sets pingDue for the writer.
	first   [][]byte
	ping    *time.Timer
	pingDue atomic.Bool
	// finished is set, by the writer, once the writer has closed the
	// connection: a writer woken after that has nothing to do.
	finished bool
	// onIdle, when set (by tests, before the first writer starts), is
	// called each time a writer ends with no wake unanswered.
	onIdle  func()
	limiter *rate.Limiter // this connection's messages
	perIP   *rate.Limiter // all connections from the same address
	// bye, set before send is closed, says why the server closes the
	// connection; empty means the client fell too far behind.
	bye string
	// closing is set once the server has closed the connection for a
	// reason of the client's own (kick): nothing it sends counts any more.
	closing atomic.Bool
}

// valid reports whether the connection's session is still signed in and
// unexpired.
func (c *conn) valid() bool {
	_, ok := c.srv.sessions.get(c.sess.Token)
	return ok
}

// maySee reports whether the connection's session may receive an event
// with the given audience (engine.Event.Audience).
func (c *conn) maySee(audience []string) bool { return maySee(c.sess, audience) }

// maySee reports whether sess may receive an event with the given
// audience (engine.Event.Audience): staff every event, a trainee those
// for everyone or for their team.
func maySee(sess *Session, audience []string) bool {
	if sess.IsStaff() {
		return true
	}
	return sess.Role == engine.RoleTrainee && (slices.Contains(audience, engine.Everyone) || slices.Contains(audience, sess.Team))
}

// DefaultStaffSendQueue is how many messages a staff connection may fall
// behind before it is dropped (Config.StaffSendQueue), sixteen times a
// trainee's: a facilitator, evaluator or observer receives every team's
// events, at 10,000 trainees some 2,000 a second, so a pause of their
// browser of a fraction of a second must not count as falling behind.
// Staff are few, and the queue holds pointers to messages that every
// recipient shares.
const DefaultStaffSendQueue = 16 * sendQueueLen

// queueLen is how many messages a connection of sess may fall behind
// before it is dropped.
func (s *Server) queueLen(sess *Session) int {
	switch {
	case !sess.IsStaff():
		return sendQueueLen
	case s.cfg.StaffSendQueue > 0:
		return s.cfg.StaffSendQueue
	}
	return DefaultStaffSendQueue
}

// statusKey names the status a connection receives: "" for staff, who see
// every team, otherwise the trainee's team.
func (c *conn) statusKey() string {
	if c.sess.IsStaff() {
		return ""
	}
	return c.sess.Team
}

// serveWS upgrades the request and runs the connection until it closes.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise, since uint64) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	c := &conn{
		ws: ws, sess: sess, le: le, m: s.metrics, srv: s, ip: s.clientIP(r),
		send:    make(chan *outgoing, s.queueLen(sess)),
		lag:     coalesceLag(),
		replies: make(chan []byte, 16),
		done:    make(chan struct{}),
		limiter: rate.NewLimiter(commandRate, commandBurst),
		perIP:   s.ipCommandLimiter(r),
	}
	c.wakes.Store(1) // held for the first writer, which startWriter starts
	if err := s.sockets.add(c); err != nil {
		s.security.record(secSocketLimit, c.ip, err.Error())
		refuse(ws, CloseTooManySockets, err.Error())
		return
	}
	if !c.valid() { // signed out while the socket opened
		s.sockets.remove(c)
		refuse(ws, CloseSessionEnded, "your session has ended; sign in again")
		return
	}
	s.metrics.connections.Add(1)
	s.connMu.Lock()
	s.conns[c] = struct{}{}
	s.connMu.Unlock()
	forget := func() {
		s.connMu.Lock()
		delete(s.conns, c)
		s.connMu.Unlock()
		s.metrics.connections.Add(-1)
		s.sockets.remove(c)
	}

	backlog, seq := le.fan.subscribe(c, since)
	var final []byte // the current status, sent after the replay
	err = le.inspect(r.Context(), func(x *engine.Exercise) {
		// The status goes right after the replay, so a console does not
		// wait for the next tick to show the clock and the teams.
		final = le.statusMessage(x, le.latestStatus(x), c.statusKey())
	})
	if err != nil && le.ended() {
		// The exercise is over and its runner gone: its state is final.
		final, err = le.statusMessage(le.x, le.status(le.x, ""), c.statusKey()), nil
	}
	if err != nil {
		le.fan.leave(c)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "exercise is not running here; reconnect"), time.Now().Add(c.srv.writeWait()))
		ws.Close()
		forget()
		return
	}
	welcome := encode(welcomeMessage{Type: "welcome", Exercise: le.id, You: youInfo{Role: sess.Role, Team: sess.Team, Name: sess.Name}, Seq: seq})
	first := append([][]byte{welcome}, backlog...)
	first = append(first, encode(seqMessage{Type: "caught_up", Seq: seq}))
	if final != nil {
		first = append(first, final)
	}

	c.startWriter(first)
	// The handler returns and the reader runs on a goroutine of its own:
	// net/http holds a connection's buffers, request and handler stack
	// for as long as its handler runs, about half of an idle WebSocket's
	// memory.
	go func() {
		defer forget()
		c.readLoop(s.ctx)
		// Leave the exercise; closing c.send ends the writer for good.
		le.fan.leave(c)
		le.statusSoon()
	}()
}

// readLoop reads messages until the client leaves or breaks the protocol.
func (c *conn) readLoop(ctx context.Context) {
	defer func() {
		close(c.done)
		c.wake() // to say goodbye
	}()
	c.ws.SetReadLimit(MaxMessageSize)
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil || c.closing.Load() {
			return // closed, timed out, or too big (gorilla has sent 1009)
		}
		c.ws.SetReadDeadline(time.Now().Add(pongWait))
		c.m.messagesIn.Add(1)
		if kind != websocket.TextMessage {
			c.m.rejected.Add(1)
			c.reply(errorMessage{Type: "error", Code: string(engine.CodeInvalid), Message: "send JSON text messages"})
			continue
		}
		if !c.holdOff(ctx, c.handle(ctx, data)) {
			return
		}
	}
}

// holdOff waits before the next read (and reports false if the server
// stops meanwhile). A client sending faster than its rate then has its
// messages wait in the network buffers rather than cost the server a read
// and an answer each: a flood over a few sockets stays cheap to refuse.
func (c *conn) holdOff(ctx context.Context, wait time.Duration) bool {
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// refill is how long until l has a token again.
func refill(l *rate.Limiter) time.Duration {
	missing := 1 - l.Tokens()
	if missing <= 0 || l.Limit() <= 0 {
		return 0
	}
	return time.Duration(missing / float64(l.Limit()) * float64(time.Second))
}

// handle applies one client message and answers it. It returns how long
// to wait before reading the next one: after a message over the rate
// limit, until the limit allows one again.
func (c *conn) handle(ctx context.Context, data []byte) time.Duration {
	if !c.valid() {
		c.kick(CloseSessionEnded, "your session has ended; sign in again")
		return 0
	}
	if !c.limiter.Allow() || !c.perIP.Allow() { // every message counts, well-formed or not
		c.m.rejected.Add(1)
		c.srv.security.record(secRateLimited, c.ip, "too many WebSocket messages")
		c.reply(errorMessage{Type: "error", ID: messageID(data), Code: codeTooMany, Message: "too many messages; slow down"})
		return max(refill(c.limiter), refill(c.perIP))
	}
	id, seq, _, err := c.le.pipeline(ctx, c.srv, c.sess, c.ip, data)
	if err != nil {
		c.replyErr(id, err)
		return 0
	}
	ack := encode(seqMessage{Type: "ack", ID: id, Seq: seq})
	if !c.le.fan.queueAfterEvents(c, ack) {
		c.replyBytes(ack) // dropped meanwhile: the writer is closing anyway
	}
	return 0
}

// pipeline is the one path from a client's raw message to the engine, for
// the WebSocket and the HTTP command endpoint alike: it decodes the message
// strictly, checks who may jump the clock and the sender's quotas, counts
// it, and executes it. It returns the message's id (for the answer), the
// seq of the last event it caused once durable, or an *engine.Error fit
// for the client with, for a quota, how long to wait before trying again.
func (le *liveExercise) pipeline(ctx context.Context, s *Server, sess *Session, client string, raw []byte) (id string, seq uint64, wait time.Duration, err error) {
	m := s.metrics
	msg, err := decodeClientMessage(raw)
	if err != nil {
		m.rejected.Add(1)
		return messageID(raw), 0, 0, engine.Errorf(engine.CodeInvalid, "%s", strings.TrimPrefix(err.Error(), "protocol: "))
	}
	if err := mayJump(msg, sess); err != nil {
		m.rejected.Add(1)
		return msg.ID, 0, 0, err
	}
	if err := s.checkSchedule(msg); err != nil {
		m.rejected.Add(1)
		return msg.ID, 0, 0, err
	}
	if wait, err := s.checkQuota(sess, client, msg); err != nil {
		m.rejected.Add(1)
		return msg.ID, 0, wait, err
	}
	m.commands.Add(1)
	seq, err = le.execute(ctx, sess, msg, raw)
	if err != nil {
		m.rejected.Add(1)
		return msg.ID, 0, 0, err
	}
	return msg.ID, seq, 0, nil
}

// execute carries out a client's jump or command for sess and returns the
// seq of the log's last event it caused, once that is durable: an ack is a
// promise that the action is in the log, whatever happens to the server.
// When another server owns the exercise, the message is forwarded to it.
func (le *liveExercise) execute(ctx context.Context, sess *Session, msg *clientMessage, raw []byte) (uint64, error) {
	if err := mayJump(msg, sess); err != nil {
		return 0, err
	}
	if le.remote != nil {
		return le.remote.forward(ctx, le, sess, raw)
	}
	seq, err := le.apply(ctx, sess, msg)
	if err != nil && le.moving(err) {
		return 0, engine.Errorf(codeUnavailable, "the exercise is moving to another server; reconnect and check whether your action is in the timeline")
	}
	return seq, err
}

// moving reports whether err comes from the exercise stopping here rather
// than from the command: the server is shutting down or handing the
// exercise over, and the command may or may not be in the log.
func (le *liveExercise) moving(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return le.halted() && !le.x.Ended()
}

// apply runs a jump or command on this server's runner and waits until its
// events are durable.
func (le *liveExercise) apply(ctx context.Context, sess *Session, msg *clientMessage) (uint64, error) {
	if err := le.storageRefusal(); err != nil {
		return 0, err
	}
	var seq uint64
	switch msg.Type {
	case "jump":
		var err error
		if seq, err = le.runner.JumpToNext(ctx); err != nil {
			return 0, err
		}
	case "command":
		evs, err := le.runner.Do(ctx, stamp(msg.Command.command(sess.Principal()), time.Now()))
		if err != nil {
			return 0, err
		}
		if len(evs) > 0 {
			seq = evs[len(evs)-1].Seq
		}
	}
	if err := le.persist.wait(ctx, seq); err != nil {
		return 0, err
	}
	if msg.Type == "jump" || changesStatus(msg.Command.Type) {
		le.pushStatus(ctx)
	}
	return seq, nil
}

// mayJump refuses a jump of the clock by anyone but a facilitator.
func mayJump(msg *clientMessage, sess *Session) error {
	if msg.Type == "jump" && sess.Role != engine.RoleFacilitator {
		return engine.Errorf(engine.CodeForbidden, "only a facilitator can jump the clock")
	}
	return nil
}

// changesStatus reports whether a command changes what the status shows
// at once (the clock, a team's mode, a judged score), so it is pushed
// without waiting for the next tick.
func changesStatus(t engine.CommandType) bool {
	switch t {
	case engine.CmdStart, engine.CmdPause, engine.CmdResume, engine.CmdSetSpeed, engine.CmdEnd, engine.CmdSetMode,
		engine.CmdSimCellClaim, engine.CmdSimCellAnswer, engine.CmdJudge, engine.CmdScheduleStart:
		return true
	}
	return false
}

// codeTooMany is the error code of a rate-limited message.
const codeTooMany = "too_many_requests"

func (c *conn) replyErr(id string, err error) {
	var e *engine.Error
	if errors.As(err, &e) {
		c.reply(errorMessage{Type: "error", ID: id, Code: string(e.Code), Message: e.Message})
		return
	}
	c.reply(errorMessage{Type: "error", ID: id, Code: string(engine.CodeInternal), Message: "internal error"})
}

// reply queues an answer for the writer; a client that does not read its
// answers is not waited for.
func (c *conn) reply(v any) { c.replyBytes(encode(v)) }

func (c *conn) replyBytes(b []byte) {
	select {
	case c.replies <- b:
		c.wake()
	case <-time.After(c.srv.writeWait()):
	}
}

// writeWait is how long one write to a client may take.
func (s *Server) writeWait() time.Duration {
	if s.cfg.WriteTimeout > 0 {
		return s.cfg.WriteTimeout
	}
	return writeWait
}
