package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// writeWait bounds one write to the server.
const writeWait = 5 * time.Second

// subscribeTimeout bounds the wait for the server to subscribe a new
// connection to the exercise.
const subscribeTimeout = 2 * time.Minute

// probePrefix starts the title of the facilitator's ad-hoc probe injects;
// the probe's number follows it.
const probePrefix = "Load probe "

// eventPrefix starts every event message; typeKey starts the event's
// type within it, and delivered is the type of an inject's delivery.
var (
	eventPrefix = []byte(`{"type":"event","seq":`)
	typeKey     = []byte(`"type":"`)
	delivered   = []byte(`inject.delivered`)
)

// eventType returns the type of the event in rest, an event message after
// eventPrefix: the server writes the message's seq and time, then the
// event's seq and time, then its type, so the first "type" key after the
// prefix is the event's (the quoted key cannot occur inside a string,
// where quotes are escaped). Reading it there, rather than searching the
// whole message for a type, keeps the tool's share of the CPU small.
func eventType(rest []byte) ([]byte, bool) {
	i := bytes.Index(rest, typeKey)
	if i < 0 {
		return nil, false
	}
	typ, _, ok := bytes.Cut(rest[i+len(typeKey):], []byte(`"`))
	return typ, ok
}

// injectObject starts the inject a delivery carries.
var injectObject = []byte(`"inject":{"id":"`)

// peekDelivery reads the seq, inject id and title of an inject.delivered
// event message without decoding the whole message (its body and
// attachments can be long), so that the tool's share of the CPU it shares
// with the server stays small. It reports false for any other message, or
// when the strings hold escapes; the caller then decodes the message.
func peekDelivery(b []byte) (seq uint64, id, title string, ok bool) {
	rest, ok := bytes.CutPrefix(b, eventPrefix)
	if !ok {
		return 0, "", "", false
	}
	if typ, ok := eventType(rest); !ok || !bytes.Equal(typ, delivered) {
		return 0, "", "", false
	}
	end := bytes.IndexByte(rest, ',')
	if end <= 0 {
		return 0, "", "", false
	}
	seq, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	if err != nil {
		return 0, "", "", false
	}
	i := bytes.Index(rest, injectObject)
	if i < 0 {
		return 0, "", "", false
	}
	rest = rest[i+len(injectObject):]
	idB, rest, ok := bytes.Cut(rest, []byte(`","title":"`))
	if !ok {
		return 0, "", "", false
	}
	titleB, _, ok := bytes.Cut(rest, []byte(`"`))
	if !ok || bytes.IndexByte(idB, '\\') >= 0 || bytes.IndexByte(titleB, '\\') >= 0 {
		return 0, "", "", false
	}
	return seq, string(idB), string(titleB), true
}

// errOffline means the client has no connection at the moment (it is
// reconnecting or shutting down).
var errOffline = errors.New("not connected")

// wsClient is one participant's WebSocket. Its reader goroutine reads,
// measures and reconnects; writes come from one other goroutine at a time
// (the trainee's action ticker or the facilitator's loop) and are
// serialised by wmu.
type wsClient struct {
	r       *run
	srv     *target // the server it joined and connects to
	p       *participant
	trainee bool

	wmu     sync.Mutex
	ws      *websocket.Conn // nil while reconnecting
	closing bool

	seq uint64 // last event seq seen; only the reader touches it
	// arrived is when the frame being handled reached the client's socket
	// (the kernel's receive timestamp), or zero where that is not known;
	// only the reader touches it.
	arrived time.Time

	// ready closes when the server has sent the replay and caught_up: it
	// has subscribed the client, which now receives live events.
	ready     chan struct{}
	readyOnce sync.Once

	mu            sync.Mutex
	pending       map[string]pending
	nextID        int
	lastScheduled string // latest scheduled inject delivered to the team
	lastProbe     string // latest ad-hoc inject delivered to the team
	probesSeen    map[int]bool
	acted         int
}

// pending is a command waiting for its ack.
type pending struct {
	sent  time.Time
	probe int         // the probe number of a send_inject, else 0
	done  chan answer // for callers that wait; nil otherwise
}

// answer is the server's ack or error for one command.
type answer struct {
	ok      bool
	code    string
	message string
}

// serverMessage holds the fields of a server message the tool reads.
type serverMessage struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Seq     uint64 `json:"seq"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Event   *struct {
		Type string `json:"type"`
	} `json:"event"`
	Inject *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"inject"`
}

// clientCommand is a command message (see docs/protocol.md).
type clientCommand struct {
	Type    string       `json:"type"`
	ID      string       `json:"id"`
	Command commandField `json:"command"`
}

type commandField struct {
	Type   string   `json:"type"`
	Inject string   `json:"inject,omitempty"`
	Text   string   `json:"text,omitempty"`
	Peers  []string `json:"peers,omitempty"`
	TLP    string   `json:"tlp,omitempty"`
	AdHoc  *adHoc   `json:"adhoc,omitempty"`
}

type adHoc struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Channel  string   `json:"channel"`
	To       []string `json:"to"`
	Severity string   `json:"severity"`
}

func newWSClient(r *run, srv *target, p *participant, trainee bool) *wsClient {
	return &wsClient{r: r, srv: srv, p: p, trainee: trainee, pending: map[string]pending{}, ready: make(chan struct{})}
}

// dial opens the WebSocket, asking for the events after the last one seen.
func (c *wsClient) dial(ctx context.Context) (*websocket.Conn, error) {
	d := c.r.wsDialer
	d.Jar = c.p.jar
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := c.r.dialer.DialContext(c.p.ctx(ctx), network, addr)
		if err != nil {
			return nil, err
		}
		return withArrivals(conn), nil
	}
	u := c.srv.wsBase + "/api/exercises/" + c.r.exercise + "/ws"
	if c.seq > 0 {
		u += "?since=" + strconv.FormatUint(c.seq, 10)
	}
	ws, resp, err := d.DialContext(ctx, u, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return ws, err
}

// connect opens the first connection, starts the reader and waits until
// the server has subscribed the client (caught_up): the upgrade alone does
// not mean the exercise sends it anything yet. A failed dial is retried
// twice.
func (c *wsClient) connect(ctx context.Context) error {
	ws, err := c.dial(ctx)
	for failures := 0; err != nil && failures < 2 && ctx.Err() == nil; failures++ {
		if sleep(ctx, 200*time.Millisecond) != nil {
			break
		}
		ws, err = c.dial(ctx)
	}
	if err != nil {
		return err
	}
	c.wmu.Lock()
	c.ws = ws
	c.wmu.Unlock()
	c.r.wg.Add(1)
	go c.readLoop(ws)
	select {
	case <-c.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(subscribeTimeout):
		return fmt.Errorf("connected, but no caught_up from the server within %s", subscribeTimeout)
	}
}

// readLoop reads until the tool shuts the client down, reconnecting with
// since whenever the server drops the connection.
func (c *wsClient) readLoop(ws *websocket.Conn) {
	defer c.r.wg.Done()
	for {
		err := c.read(ws)
		ws.Close()
		c.wmu.Lock()
		closing := c.closing
		c.ws = nil
		c.wmu.Unlock()
		if closing {
			return
		}
		c.r.dropped(err, c.trainee)
		c.srv.n.drops.Add(1)
		c.failPending()
		if ws = c.reconnect(); ws == nil {
			return
		}
	}
}

// reconnect dials again with since, backing off, until it succeeds or the
// client is shut down.
func (c *wsClient) reconnect() *websocket.Conn {
	backoff := 100 * time.Millisecond
	for {
		wait := backoff/2 + rand.N(backoff)
		select {
		case <-c.r.clientCtx.Done():
			return nil
		case <-time.After(wait):
		}
		ws, err := c.dial(c.r.clientCtx)
		if err != nil {
			c.r.n.reconnectFailures.Add(1)
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		c.wmu.Lock()
		if c.closing {
			c.wmu.Unlock()
			ws.Close()
			return nil
		}
		c.ws = ws
		c.wmu.Unlock()
		c.r.n.reconnects.Add(1)
		c.srv.n.reconnects.Add(1)
		return ws
	}
}

// read handles messages until the connection fails or closes.
func (c *wsClient) read(ws *websocket.Conn) error {
	socket, _ := ws.NetConn().(interface{ lastArrival() time.Time })
	for {
		_, rd, err := ws.NextReader()
		if err != nil {
			return err
		}
		buf := c.r.buffers.Get().(*bytes.Buffer)
		buf.Reset()
		_, err = buf.ReadFrom(rd)
		now := time.Now()
		if socket != nil {
			// A read the kernel did not stamp (it turns stamping on for
			// the whole system a moment after the first socket asks)
			// counts as arriving when it was read.
			if c.arrived = socket.lastArrival(); c.arrived.IsZero() {
				c.arrived = now
				c.r.n.unstampedFrames.Add(1)
			}
		}
		if err == nil {
			c.r.n.frames.Add(1)
			if eachMessage(buf.Bytes(), func(b []byte) { c.handle(b, now) }) != nil {
				c.r.n.malformed.Add(1)
			}
		}
		if buf.Cap() <= 256<<10 {
			c.r.buffers.Put(buf)
		}
		if err != nil {
			return err
		}
	}
}

// handle accounts for one server message received at now.
func (c *wsClient) handle(b []byte, now time.Time) {
	n := &c.r.n
	n.messages.Add(1)
	// Status messages are most of the traffic and tell the tool nothing
	// it measures: skip decoding them (the server writes "type" first).
	if bytes.HasPrefix(b, []byte(`{"type":"status"`)) {
		n.statuses.Add(1)
		return
	}
	// Most events are other trainees' actions: only their seq matters,
	// which the server writes second.
	if rest, ok := bytes.CutPrefix(b, eventPrefix); ok {
		typ, ok := eventType(rest)
		end := bytes.IndexByte(rest, ',')
		if ok && end > 0 && !bytes.Equal(typ, delivered) {
			if seq, err := strconv.ParseUint(string(rest[:end]), 10, 64); err == nil {
				n.events.Add(1)
				c.seq = max(c.seq, seq)
				if c.trainee && bytes.Equal(typ, messageSent) {
					c.messageReceived(rest, now)
				}
				return
			}
		}
	}
	// An inject delivery: the inject's id and title come first in its
	// "inject" object (an object only there: in the event's data,
	// "inject" is a string).
	if seq, id, title, ok := peekDelivery(b); ok {
		n.events.Add(1)
		c.seq = max(c.seq, seq)
		c.delivered(id, title, now)
		return
	}
	var m serverMessage
	if err := json.Unmarshal(b, &m); err != nil {
		n.malformed.Add(1)
		return
	}
	switch m.Type {
	case "event":
		n.events.Add(1)
		c.seq = max(c.seq, m.Seq)
		if m.Event != nil && m.Event.Type == "inject.delivered" && m.Inject != nil {
			c.delivered(m.Inject.ID, m.Inject.Title, now)
		}
	case "ack", "error":
		c.answered(m, now)
	case "caught_up":
		c.readyOnce.Do(func() { close(c.ready) })
	}
}

// delivered accounts for an inject delivered to the client's team (or,
// for the facilitator, to any team).
func (c *wsClient) delivered(id, title string, now time.Time) {
	n := &c.r.n
	if !c.trainee {
		n.staffDeliveries.Add(1)
		return
	}
	if s, ok := strings.CutPrefix(title, probePrefix); ok {
		k, err := strconv.Atoi(s)
		c.mu.Lock()
		c.lastProbe = id
		dup := c.probesSeen[k]
		if c.probesSeen == nil {
			c.probesSeen = map[int]bool{}
		}
		c.probesSeen[k] = true
		c.mu.Unlock()
		if dup {
			// The protocol promises nothing twice, even across reconnects.
			n.duplicates.Add(1)
			return
		}
		if sent, ok := c.r.probes.received(k, c.srv.index, now, c.arrived); ok && err == nil {
			if f := c.r.flood; f != nil {
				f.record(c.p.team, sent, now.Sub(sent), true)
			}
			c.r.delivery.Add(now.Sub(sent))
			c.srv.delivery.Add(now.Sub(sent))
			if !c.arrived.IsZero() {
				c.r.deliveryAtSocket.Add(c.arrived.Sub(sent))
				c.srv.deliveryAtSocket.Add(c.arrived.Sub(sent))
			}
			n.probeDeliveries.Add(1)
			c.srv.n.probeDeliveries.Add(1)
		}
		return
	}
	n.scheduledDeliveries.Add(1)
	c.mu.Lock()
	c.lastScheduled = id
	c.mu.Unlock()
}

// answered matches an ack or error to the command it answers.
func (c *wsClient) answered(m serverMessage, now time.Time) {
	c.mu.Lock()
	p, ok := c.pending[m.ID]
	delete(c.pending, m.ID)
	c.mu.Unlock()
	ack := m.Type == "ack"
	if !ack && c.trainee {
		c.srv.n.errors.Add(1)
	}
	if !ok {
		if !ack {
			c.r.countError(m.Code)
		}
		return
	}
	switch {
	case ack && c.trainee:
		if f := c.r.flood; f != nil {
			f.record(c.p.team, p.sent, now.Sub(p.sent), false)
		}
		c.r.n.acks.Add(1)
		c.r.rtt.Add(now.Sub(p.sent))
		c.srv.n.acks.Add(1)
		c.srv.rtt.Add(now.Sub(p.sent))
	case ack:
		c.r.n.facilitatorAcks.Add(1)
		c.r.facilitatorRTT.Add(now.Sub(p.sent))
	default:
		c.r.countError(m.Code)
		if p.probe > 0 {
			c.r.probes.refused(p.probe)
		}
	}
	if p.done != nil {
		p.done <- answer{ok: ack, code: m.Code, message: m.Message}
	}
}

// failPending gives up on the commands a lost connection took with it.
func (c *wsClient) failPending() {
	c.mu.Lock()
	lost := c.pending
	c.pending = map[string]pending{}
	c.mu.Unlock()
	for _, p := range lost {
		c.r.n.unanswered.Add(1)
		c.srv.n.unanswered.Add(1)
		if p.probe > 0 {
			c.r.probes.unanswered(p.probe)
		}
		if p.done != nil {
			p.done <- answer{code: "lost", message: "the connection closed before the answer"}
		}
	}
}

// outstanding is how many commands await an answer.
func (c *wsClient) outstanding() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// send writes a command and registers it as pending. With wait, it
// returns a channel that receives the answer.
func (c *wsClient) send(cmd commandField, probe int, wait bool) (<-chan answer, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closing || c.ws == nil {
		return nil, errOffline
	}
	c.mu.Lock()
	c.nextID++
	id := "c" + strconv.Itoa(c.nextID)
	p := pending{probe: probe}
	if wait {
		p.done = make(chan answer, 1)
	}
	c.mu.Unlock()
	b, err := json.Marshal(clientCommand{Type: "command", ID: id, Command: cmd})
	if err != nil {
		return nil, err
	}
	if probe > 0 {
		// The delivery latency starts here, just before the write.
		c.r.probes.sending(probe, time.Now())
	}
	p.sent = time.Now()
	c.mu.Lock()
	c.pending[id] = p
	c.mu.Unlock()
	c.ws.SetWriteDeadline(p.sent.Add(writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		if probe > 0 {
			c.r.probes.unanswered(probe) // the server may have read it all
		}
		c.r.n.writeErrors.Add(1)
		return nil, err
	}
	return p.done, nil
}

// do sends a command and waits for its answer.
func (c *wsClient) do(ctx context.Context, cmd commandField) error {
	done, err := c.send(cmd, 0, true)
	if err != nil {
		return err
	}
	c.r.n.facilitatorCommands.Add(1)
	select {
	case a := <-done:
		if !a.ok {
			return errors.New(a.code + ": " + a.message)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(30 * time.Second):
		return errors.New("no answer within 30 s")
	}
}

// act sends the trainee's next action: alternately an acknowledgement of
// and a report on the latest inject the team received.
func (c *wsClient) act() {
	c.mu.Lock()
	inject := c.lastScheduled
	if inject == "" {
		inject = c.lastProbe
	}
	k := c.acted
	if inject != "" {
		c.acted++
	}
	c.mu.Unlock()
	if inject == "" {
		c.r.n.skippedNoInject.Add(1)
		return
	}
	cmd := commandField{Type: "acknowledge", Inject: inject}
	if k%2 == 1 {
		cmd = commandField{Type: "report", Inject: inject, Text: "Load-test situation report."}
	}
	switch _, err := c.send(cmd, 0, false); {
	case errors.Is(err, errOffline):
		c.r.n.skippedOffline.Add(1)
	case err == nil:
		c.r.n.commands.Add(1)
		c.srv.n.commands.Add(1)
	}
}

// actLoop acts every interval, starting after first, until stop closes.
func (c *wsClient) actLoop(stop <-chan struct{}, first, every time.Duration) {
	defer c.r.actors.Done()
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		c.act()
		t.Reset(every)
	}
}

// sayGoodbye marks the client as closing and sends a close frame; the
// reader ends when the server answers it (or when close forces it).
func (c *wsClient) sayGoodbye() {
	c.wmu.Lock()
	c.closing = true
	ws := c.ws
	c.wmu.Unlock()
	if ws != nil {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	}
}

// close closes the connection, ending the reader.
func (c *wsClient) close() {
	c.wmu.Lock()
	c.closing = true
	ws := c.ws
	c.wmu.Unlock()
	if ws != nil {
		ws.Close()
	}
}

// probeBook remembers when each probe was sent and when the first and
// the last trainee received it, of all trainees and of each server's, and
// when it reached the last trainee's socket.
//
// A probe the server refused never reaches a trainee. One whose answer
// never came (its connection was lost, or the write failed halfway) may
// or may not have been applied: it counts as accepted once any trainee
// receives it, and then every trainee must, as for an acknowledged one.
type probeBook struct {
	mu           sync.Mutex
	sent         map[int]time.Time
	first, last  map[probeAt]time.Time
	lastAtSocket map[int]time.Time
	refusals     map[int]bool // answered with an error
	noAnswer     map[int]bool // no answer came
}

// probeAt names the arrival of probe k at the trainees of the server with
// index srv, or at any trainee for allServers.
type probeAt struct{ k, srv int }

// allServers stands for the trainees of every server in a probeAt.
const allServers = -1

func (b *probeBook) sending(k int, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sent == nil {
		b.sent, b.refusals, b.noAnswer = map[int]time.Time{}, map[int]bool{}, map[int]bool{}
		b.first, b.last = map[probeAt]time.Time{}, map[probeAt]time.Time{}
		b.lastAtSocket = map[int]time.Time{}
	}
	b.sent[k] = t
}

// received notes that a trainee of server srv received probe k at t, its
// socket at arrived (zero if unknown), and returns when it was sent.
func (b *probeBook) received(k, srv int, t, arrived time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sent, ok := b.sent[k]
	if !ok {
		return sent, false
	}
	if l, ok := b.lastAtSocket[k]; !arrived.IsZero() && (!ok || arrived.After(l)) {
		b.lastAtSocket[k] = arrived
	}
	for _, at := range []probeAt{{k, allServers}, {k, srv}} {
		if f, ok := b.first[at]; !ok || t.Before(f) {
			b.first[at] = t
		}
		if l, ok := b.last[at]; !ok || t.After(l) {
			b.last[at] = t
		}
	}
	return sent, true
}

// spread returns, per probe that reached every trainee it should, the
// time from sending to the first trainee's receipt and to the last one's,
// among the trainees of server srv (allServers: of every server).
func (b *probeBook) spread(srv int) (first, last *Recorder) {
	first, last = NewRecorder(0), NewRecorder(0)
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, sent := range b.sent {
		at := probeAt{k, srv}
		if f, ok := b.first[at]; ok && !b.refusals[k] {
			first.Add(f.Sub(sent))
			last.Add(b.last[at].Sub(sent))
		}
	}
	return first, last
}

// socketSpread returns, per probe that reached every trainee it should,
// the time from sending until it reached the last trainee's socket.
func (b *probeBook) socketSpread() *Recorder {
	last := NewRecorder(0)
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, sent := range b.sent {
		if l, ok := b.lastAtSocket[k]; ok && !b.refusals[k] {
			last.Add(l.Sub(sent))
		}
	}
	return last
}

// refused notes that the server answered probe k with an error.
func (b *probeBook) refused(k int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refusals != nil {
		b.refusals[k] = true
	}
}

// unanswered notes that probe k got no answer.
func (b *probeBook) unanswered(k int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.noAnswer != nil {
		b.noAnswer[k] = true
	}
}

// accepted is how many probes the server applied: those it acknowledged,
// and those without an answer that a trainee received.
func (b *probeBook) accepted() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k := range b.sent {
		_, received := b.first[probeAt{k, allServers}]
		if !b.refusals[k] && (received || !b.noAnswer[k]) {
			n++
		}
	}
	return n
}
