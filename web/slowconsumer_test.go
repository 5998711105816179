package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"cmesim/engine"
	"cmesim/web"
)

// Shape of TestSlowConsumer.
const (
	// slowActive clients keep reading: the facilitator, slowEvaluators
	// evaluators and, for the rest, trainees of both teams.
	slowActive     = 500
	slowEvaluators = 19
	slowTrainees   = slowActive - 1 - slowEvaluators
	// slowRcvBuf is the stalled client's socket receive buffer; setting it
	// fixes its size (no autotuning). Not tiny on purpose: with a few KiB,
	// TCP on loopback crawls (tens of KiB a second) once the client reads
	// again, and the server's write deadline expires mid-drain.
	slowRcvBuf = 64 << 10
	// slowMaxRounds bounds the rounds of traffic waiting for the drop.
	slowMaxRounds = 40
)

// noteText is close to the longest text a note may have. Notes are seen by
// staff only, so long ones make a log of many megabytes cheaply.
var noteText = strings.Repeat("Observed: the team triaged the report and checked the indicators. ", 200)[:engine.MaxTextLen-100]

// TestSlowConsumer checks the promise of the bounded send queue: a client
// that stops reading is dropped without holding anyone else up, and
// resumes from its sequence number.
//
// Facilitators first write long notes, several MB of them, which only
// staff see. 500 clients connect and read everything: the facilitator, 19
// evaluators and 480 trainees of both teams. Then an observer connects
// from the start of the log with a fixed receive buffer and never reads
// its socket: the replay of the notes alone is more than the kernel
// buffers between the server and it hold (mostly the server's send buffer,
// which Linux autotunes up to net.ipv4.tcp_wmem's maximum, 4 MB by
// default), so its writer is stuck, and the live traffic that follows
// (notes by the evaluators, shares between the teams, which everyone sees)
// fills its queue of 256 messages. Each round of traffic waits for its
// acks and for every active client to receive it. Once the server has
// dropped the observer, every active client must have received everything
// so far, in order and without gaps, and nobody else may have been dropped,
// while the observer has still not read a byte. Then the observer reads:
// what the kernel and its queue held, in order, then the close code 1013.
// The exercise goes on without it; it reconnects with since=<the last seq
// it read> and gets exactly what it missed, up to the current seq.
//
// The observer has to read within 10 s (the server's writeWait) of its
// writer getting stuck, or the server gives up on the write and closes
// the connection without the 1013: so the stall starts with the replay,
// at a known time, and the queue fills with cheap traffic.
func TestSlowConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 500 WebSockets and pushes tens of MB through them")
	}
	began := time.Now()
	// 500 sockets from one address, and facilitators writing megabytes of
	// notes on purpose: no socket cap per address and no quotas.
	// The write timeout is far longer than the test: on a loaded machine
	// the rounds may take longer than the default 10 s, and the stalled
	// client must be dropped for its full send queue, which is what this
	// test is about, not for a write that timed out. The stalled client is
	// an observer, staff, whose queue is made as short as a trainee's so
	// that a few rounds of traffic fill it.
	srv := mustServerWith(t, web.Config{MaxSocketsPerIP: -1, WriteTimeout: time.Hour, StaffSendQueue: 256,
		Quotas: web.Quotas{SessionCommands: -1, TeamCommands: -1, SessionText: -1, TeamText: -1}})
	// The traffic is mostly notes, which the observer must receive.
	ex := mustCreateObserversReadNotes(t, srv, co, pe)

	// I01 reaches co-csirt and I03 pe-csirt, so trainees of both teams can
	// share. One share of each team first meets the share expectation and
	// moves the incident's phase: from then on every share and every note
	// is exactly one event.
	facC := join(t, srv, ex.Codes.Facilitator, "Fran")
	fac := dial(t, facC, ex.ID, 0)
	fac.mustAck(t, cmd{"type": "start"})
	if m := fac.jump(t); m.Type != "ack" {
		t.Fatalf("jump: %s", m)
	}
	fac.mustAck(t, cmd{"type": "release_inject", "inject": "to-peru"})
	trainees := make([]*client, slowTrainees)
	teamOf := func(i int) string { return []string{co, pe}[i%2] }
	for i := range trainees {
		trainees[i] = join(t, srv, ex.Codes.Teams[teamOf(i)], fmt.Sprintf("%s %03d", teamOf(i), i))
	}
	var last uint64
	for i := range 2 {
		w := dial(t, trainees[i], ex.ID, 0)
		last = w.mustAck(t, shareCommand(teamOf(i), "first")).Seq
		w.close(t)
	}
	base0 := last

	// Long notes, from facilitator tabs that open at the current seq
	// (replaying nothing), each write as many notes as a connection's rate
	// limit allows at once, and close.
	stall := stallBytes()
	notes := 0
	for 2*len(noteText)*notes < stall {
		tabs := make([]*activeClient, 3)
		for i := range tabs {
			tabs[i] = dialActive(t, facC, ex.ID, "", last)
			for k := range 18 {
				tabs[i].send(t, strconv.Itoa(k), cmd{"type": "note", "text": noteText})
			}
		}
		for _, w := range tabs {
			for k := range 18 {
				last = max(last, w.answer(t, strconv.Itoa(k)).Seq)
				notes++
			}
			w.close()
		}
		fac.event(t, last) // decode as it comes, not all at the end
	}
	if got, want := last-base0, uint64(notes); got != want {
		t.Fatalf("%d notes made %d events", want, got)
	}
	base := last

	// The 500 active clients (the facilitator is connected already).
	var active []*activeClient
	t.Cleanup(func() {
		for _, c := range active {
			c.close()
		}
	})
	evaluators := make([]*activeClient, slowEvaluators)
	for i := range evaluators {
		evaluators[i] = dialActive(t, join(t, srv, ex.Codes.Evaluator, fmt.Sprintf("Eva %02d", i)), ex.ID, "", base)
		active = append(active, evaluators[i])
	}
	traineeConns := make([]*activeClient, slowTrainees)
	for i, c := range trainees {
		traineeConns[i] = dialActive(t, c, ex.ID, teamOf(i), 0)
		active = append(active, traineeConns[i])
	}
	connected := time.Now()

	traffic := &traffic{t: t, srv: srv, fac: fac, active: active, evaluators: evaluators, trainees: traineeConns, last: last, shared: last}
	// Two rounds as a baseline, before the stalled client; then the
	// evaluators wait for their rate limits to allow a full burst again.
	const notesPerRound, sharesPerRound = 6, 5
	for range 2 {
		traffic.round(notesPerRound, sharesPerRound)
	}
	traffic.refill()

	// The stalled observer.
	obsC := join(t, srv, ex.Codes.Observer, "")
	stalled := dialStalled(t, obsC, ex.ID)
	// The server subscribes the observer, and so picks the seq of its
	// welcome, just after the upgrade the client has seen: the next
	// round's first events may come before. The welcome says where its
	// stream starts (stalledAt, set when it is read).
	dialedAt := traffic.last
	var stalledAt uint64
	readAtHandshake := stalled.read.Load()
	stalledSince := time.Now()

	// Rounds until the server drops it.
	baseline := len(traffic.rounds)
	for traffic.drops() == 0 {
		if len(traffic.rounds)-baseline == slowMaxRounds {
			t.Fatalf("the stalled observer was not dropped after %d rounds of traffic (seq %d)", slowMaxRounds, traffic.last)
		}
		traffic.round(notesPerRound, sharesPerRound)
	}
	droppedAt := traffic.last
	dropRounds := len(traffic.rounds) - baseline

	// Every round has reached every active client, while the observer has
	// not read a byte since its handshake; nobody else was dropped.
	if n := stalled.read.Load(); n != readAtHandshake {
		t.Fatalf("the stalled client read %d bytes after its handshake", n-readAtHandshake)
	}
	if got := traffic.drops(); got != 1 {
		t.Fatalf("cmesim_send_queue_drops_total = %v, want 1", got)
	}
	// What everyone received by now, checked once the observer has read.
	receivedAtDrop := make([][]uint64, len(active))
	for i, c := range active {
		got, err := c.received()
		if err != nil {
			t.Fatalf("%s stopped reading: %v", c.name, err)
		}
		receivedAtDrop[i] = got
	}

	// The observer reads at last: the replay, caught_up, then the live
	// events its queue held, all in order, then the server's close.
	stuck := time.Since(stalledSince)
	readStart := time.Now()
	var got []uint64
	var lastRead uint64
	var frames, bytesRead int
	caughtUp := false
	rd := &messageReader{ws: stalled.ws}
	for {
		stalled.ws.SetReadDeadline(time.Now().Add(waitTimeout))
		data, err := rd.next()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater {
				t.Fatalf("after %d messages (the last event %d), the stalled client's connection ended with %v, want the close code %d; "+
					"it was stuck for %v",
					frames, lastRead, err, websocket.CloseTryAgainLater, stuck.Round(time.Millisecond))
			}
			if !strings.Contains(ce.Text, "since") {
				t.Errorf("close reason %q does not tell the client to reconnect with since", ce.Text)
			}
			break
		}
		frames++
		bytesRead += len(data)
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("the stalled client received a message that is not JSON (%v): %.200s", err, data)
		}
		switch {
		case frames == 1:
			if m.Type != "welcome" || m.Seq < dialedAt || m.Seq >= droppedAt {
				t.Fatalf("the stalled client's first message is %.300s, want welcome at a seq from %d (when it dialed) to before %d (when it was dropped)", data, dialedAt, droppedAt)
			}
			stalledAt = m.Seq
		case m.Type == "caught_up":
			if caughtUp || m.Seq != stalledAt || lastRead != stalledAt {
				t.Fatalf("the stalled client got %s after event %d, want one caught_up at %d after the replay", m, lastRead, stalledAt)
			}
			caughtUp = true
		case m.Type == "event":
			got = append(got, m.Seq)
			lastRead = m.Seq
		}
	}
	readTime := time.Since(readStart)
	if want := seqRange(1, lastRead); !slices.Equal(got, want) {
		t.Fatalf("the stalled observer received events %s, want %s", summarize(got), summarize(want))
	}
	if !caughtUp || lastRead <= stalledAt || lastRead >= droppedAt {
		t.Fatalf("the stalled observer read up to event %d (caught up: %v); want it past the replay (%d) and short of the traffic when it was dropped (%d)",
			lastRead, caughtUp, stalledAt, droppedAt)
	}

	// The exercise goes on without it.
	for range 3 {
		traffic.round(1, 20)
	}
	if got := traffic.drops(); got != 1 {
		t.Fatalf("cmesim_send_queue_drops_total = %v after the drop, want 1", got)
	}
	last = traffic.last

	// It reconnects with the last seq it read: exactly what it missed, then
	// caught_up at the current seq, like the active staff.
	log := staffLog(t, fac, last)
	obs := dial(t, obsC, ex.ID, lastRead)
	if m := obs.all[0]; m.Type != "welcome" || m.Seq != last {
		t.Fatalf("on reconnecting: first message %s, want welcome at seq %d", m, last)
	}
	var replayed []uint64
	i := 1
	for ; i < len(obs.all) && obs.all[i].Type == "event"; i++ {
		m := obs.all[i]
		replayed = append(replayed, m.Seq)
		if want := log[m.Seq-1]; m.Event.Seq != want.Seq || m.Event.Type != want.Type || m.Event.Data.Text != want.Data.Text {
			t.Fatalf("replayed event %d is %s, want %+v", m.Seq, m, want)
		}
	}
	if want := seqRange(lastRead+1, last); !slices.Equal(replayed, want) {
		t.Fatalf("on reconnecting with since=%d: replayed %s, want %s", lastRead, summarize(replayed), summarize(want))
	}
	if m := obs.all[i]; m.Type != "caught_up" || m.Seq != last {
		t.Fatalf("after the replay: %s, want caught_up at seq %d", m, last)
	}
	if got, _ := evaluators[0].received(); got[len(got)-1] != last {
		t.Fatalf("an active evaluator is at seq %d, the reconnected observer at %d", got[len(got)-1], last)
	}
	ack := fac.mustAck(t, cmd{"type": "note", "text": "welcome back"})
	if m := obs.next(t, obs.live(func(message) bool { return true })); m.Seq != ack.Seq {
		t.Fatalf("live after reconnecting: %s, want the note at seq %d", m, ack.Seq)
	}
	last = ack.Seq
	waitReceived(t, active, last, traffic.shared)

	// Everyone active received exactly what they may see, in order and
	// without gaps: by the time of the drop, and since.
	want := func(c *activeClient, upTo uint64) []uint64 {
		if c.team == "" {
			return seqRange(c.since+1, upTo) // staff see everything
		}
		return visible(log[:upTo], c.team, c.since)
	}
	log = staffLog(t, fac, last)
	for i, c := range active {
		if w := want(c, droppedAt); !slices.Equal(receivedAtDrop[i], w) {
			t.Fatalf("%s had received events %s when the observer was dropped, want %s", c.name, summarize(receivedAtDrop[i]), summarize(w))
		}
		got, err := c.received()
		if err != nil {
			t.Fatalf("%s stopped reading: %v", c.name, err)
		}
		if w := want(c, last); !slices.Equal(got, w) {
			t.Fatalf("%s received events %s, want %s", c.name, summarize(got), summarize(w))
		}
	}
	if got := traffic.drops(); got != 1 {
		t.Fatalf("cmesim_send_queue_drops_total = %v at the end, want 1", got)
	}

	// Everyone leaves; the server ends every connection, the stalled one
	// included.
	for _, c := range active {
		c.hangUp()
	}
	for _, c := range active {
		c.close()
	}
	stalled.ws.Close()
	obs.close(t)
	waitMetric(t, srv, "cmesim_websocket_connections", 1) // the facilitator

	// For the record; no timing is asserted: what shows that nobody waited
	// for the stalled client is that every round reached everyone while it
	// read nothing.
	durations := func(rs []time.Duration) string {
		s := slices.Clone(rs)
		slices.Sort(s)
		return fmt.Sprintf("median %v, max %v", s[len(s)/2].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond))
	}
	t.Logf("%d active clients connected in %v, after %d notes (%.1f MB) in the log",
		len(active)+1, connected.Sub(began).Round(time.Millisecond), notes, float64(2*len(noteText)*notes)/(1<<20))
	t.Logf("the stalled observer was dropped after %d rounds of traffic; it had been stuck for %v when it read %d messages (%.1f MB) in %v, up to event %d of %d",
		dropRounds, stuck.Round(time.Millisecond), frames, float64(bytesRead)/(1<<20), readTime.Round(time.Millisecond), lastRead, droppedAt)
	t.Logf("a round reached every active client in: %s before the stalled client; %s while it was stuck; %s after",
		durations(traffic.rounds[:baseline]), durations(traffic.rounds[baseline:baseline+dropRounds]), durations(traffic.rounds[baseline+dropRounds:]))
}

// stallBytes is more than the server can write to a client that does not
// read before its writes block: mostly the server's socket send buffer,
// which Linux autotunes up to net.ipv4.tcp_wmem's maximum (4 MB unless
// configured otherwise).
func stallBytes() int {
	n := 4 << 20
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 3 {
			if v, err := strconv.Atoi(f[2]); err == nil {
				n = v
			}
		}
	}
	return n + n/2 + 1<<20
}

// shareCommand is a share of the team's inject with the other team.
func shareCommand(team, text string) cmd {
	if team == co {
		return cmd{"type": "share", "inject": "I01", "peers": []string{pe}, "tlp": "amber", "text": text}
	}
	return cmd{"type": "share", "inject": "I03", "peers": []string{co}, "tlp": "amber", "text": text}
}

// traffic plays rounds of commands from the active clients.
type traffic struct {
	t          *testing.T
	srv        *testServer
	fac        *wsClient
	active     []*activeClient
	evaluators []*activeClient
	trainees   []*activeClient
	last       uint64 // the seq of the last event
	shared     uint64 // the seq of the last share, which every trainee sees
	next       int    // the next trainee to share
	n          int
	rounds     []time.Duration
}

// round has every evaluator write up to notes short notes (as its client
// side rate limit allows) and shares trainees share an inject, checks that
// each command is acknowledged and caused one event, and waits until every
// active client has received every event it may see.
func (tr *traffic) round(notes, shares int) {
	t := tr.t
	t.Helper()
	start := time.Now()
	type sent struct {
		c     *activeClient
		id    string
		share bool
	}
	var out []sent
	for i, c := range tr.evaluators {
		for k := 0; k < notes && c.limiter.Allow(); k++ {
			id := fmt.Sprintf("n%d-%d", tr.n, k)
			c.send(t, id, cmd{"type": "note", "text": fmt.Sprintf("round %d, evaluator %d, note %d", tr.n, i, k)})
			out = append(out, sent{c, id, false})
		}
	}
	for range shares {
		c := tr.trainees[tr.next%len(tr.trainees)]
		tr.next++
		id := fmt.Sprintf("s%d", tr.n)
		c.send(t, id, shareCommand(c.team, fmt.Sprintf("IoCs, round %d", tr.n)))
		out = append(out, sent{c, id, true})
	}
	var acked []uint64
	for _, s := range out {
		seq := s.c.answer(t, s.id).Seq
		acked = append(acked, seq)
		if s.share {
			tr.shared = max(tr.shared, seq)
		}
	}
	slices.Sort(acked)
	for i, seq := range acked {
		if seq != tr.last+uint64(i)+1 {
			t.Fatalf("round %d: the acks carry seqs %v, want %d..%d: each share and note should be one event", tr.n, acked, tr.last+1, tr.last+uint64(len(acked)))
		}
	}
	tr.last += uint64(len(acked))
	waitReceived(t, tr.active, tr.last, tr.shared)
	tr.fac.event(t, tr.last)
	tr.rounds = append(tr.rounds, time.Since(start))
	tr.n++
}

// refill waits until every evaluator's rate limit allows a full burst.
func (tr *traffic) refill() {
	var wait time.Duration
	for _, c := range tr.evaluators {
		missing := float64(c.limiter.Burst()) - c.limiter.Tokens()
		wait = max(wait, time.Duration(missing/float64(c.limiter.Limit())*float64(time.Second)))
	}
	time.Sleep(wait) // a rate limit, not a condition: nothing to wait on
}

func (tr *traffic) drops() float64 {
	return tr.srv.metrics(tr.t)["cmesim_send_queue_drops_total"]
}

// activeClient is a WebSocket that reads everything as it arrives and
// keeps what the test checks: the seqs of the events, in order, and the
// answers to its own commands. It is lighter than wsClient, which decodes
// every message, so that 500 of them fit in a test under -race.
type activeClient struct {
	name    string
	team    string // "" for staff
	since   uint64
	ws      *websocket.Conn
	limiter *rate.Limiter // keeps its commands within the server's limit

	last     atomic.Uint64 // the highest event seq received
	progress chan struct{} // poked after every event
	answers  chan message  // acks and errors
	done     chan struct{} // closed when the reader stops
	closed   atomic.Bool

	mu   sync.Mutex
	seqs []uint64 // event seqs in the order received
	err  error    // why the reader stopped
}

// dialActive opens a reading WebSocket for c, replaying from since.
func dialActive(t *testing.T, c *client, exercise, team string, since uint64) *activeClient {
	t.Helper()
	d := websocket.Dialer{Jar: c.jar, HandshakeTimeout: waitTimeout, ReadBufferSize: 2048, WriteBufferSize: 1024}
	ws, _, err := d.Dial(c.srv.wsURL(exercise, since), nil)
	if err != nil {
		t.Fatalf("dial as %s: %v", c.who.Name, err)
	}
	a := &activeClient{name: c.who.Name, team: team, since: since, ws: ws, limiter: rate.NewLimiter(9, 18),
		progress: make(chan struct{}, 1), answers: make(chan message, 32), done: make(chan struct{})}
	go a.read()
	return a
}

func (a *activeClient) read() {
	defer close(a.done)
	rd := &messageReader{ws: a.ws}
	for {
		a.ws.SetReadDeadline(time.Now().Add(time.Minute)) // ends even if nobody closes
		data, err := rd.next()
		if err != nil {
			a.mu.Lock()
			a.err = err
			a.mu.Unlock()
			return
		}
		seq, isEvent, isAnswer := peek(data)
		switch {
		case isEvent:
			a.mu.Lock()
			a.seqs = append(a.seqs, seq)
			a.mu.Unlock()
			if seq > a.last.Load() {
				a.last.Store(seq)
			}
			select {
			case a.progress <- struct{}{}:
			default:
			}
		case isAnswer:
			m := message{raw: data}
			json.Unmarshal(data, &m)
			select {
			case a.answers <- m:
			default: // more answers than commands: answer reports it
			}
		}
	}
}

var eventPrefix = []byte(`{"type":"event","seq":`)

// peek classifies a server message cheaply: an event as the server writes
// it starts with its type and seq, a status with its type; anything else
// is decoded.
func peek(data []byte) (seq uint64, isEvent, isAnswer bool) {
	if rest, ok := bytes.CutPrefix(data, eventPrefix); ok {
		end := bytes.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if end > 0 {
			if n, err := strconv.ParseUint(string(rest[:end]), 10, 64); err == nil {
				return n, true, false
			}
		}
	}
	if bytes.HasPrefix(data, []byte(`{"type":"status"`)) {
		return 0, false, false
	}
	var m struct {
		Type string `json:"type"`
		Seq  uint64 `json:"seq"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return 0, false, false
	}
	return m.Seq, m.Type == "event", m.Type == "ack" || m.Type == "error"
}

// send writes a command with the given id.
func (a *activeClient) send(t *testing.T, id string, c cmd) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": "command", "id": id, "command": c})
	if err != nil {
		t.Fatal(err)
	}
	a.ws.SetWriteDeadline(time.Now().Add(waitTimeout))
	if err := a.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatalf("%s: sending: %v", a.name, err)
	}
}

// answer waits for the next answer, which must be the ack of command id.
func (a *activeClient) answer(t *testing.T, id string) message {
	t.Helper()
	select {
	case m := <-a.answers:
		if m.Type != "ack" || m.ID != id {
			t.Fatalf("%s: want the ack of %s, got %s", a.name, id, m)
		}
		return m
	case <-a.done:
		_, err := a.received()
		t.Fatalf("%s: the connection ended while waiting for the ack of %s: %v", a.name, id, err)
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no ack of %s within %v", a.name, id, waitTimeout)
	}
	return message{}
}

// received returns the event seqs received so far and, once the reader
// has stopped, why.
func (a *activeClient) received() ([]uint64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.seqs), a.err
}

// hangUp says goodbye and closes the socket.
func (a *activeClient) hangUp() {
	if a.closed.Swap(true) {
		return
	}
	a.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	a.ws.Close()
}

// close hangs up and waits for the reader, which stops at once.
func (a *activeClient) close() {
	a.hangUp()
	<-a.done
}

// waitReceived waits until every staff client has received seq staff and
// every trainee seq trainee, failing early if a connection ends.
func waitReceived(t *testing.T, clients []*activeClient, staff, trainee uint64) {
	t.Helper()
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for _, c := range clients {
		want := staff
		if c.team != "" {
			want = trainee
		}
		for c.last.Load() < want {
			select {
			case <-c.progress:
			case <-c.done:
				if c.last.Load() < want {
					_, err := c.received()
					t.Fatalf("%s stopped at seq %d before receiving %d: %v", c.name, c.last.Load(), want, err)
				}
			case <-timeout.C:
				t.Fatalf("%s is at seq %d, %v after it should have received %d", c.name, c.last.Load(), waitTimeout, want)
			}
		}
	}
}

// stalledClient is a WebSocket whose socket nobody reads after the
// handshake, with a fixed receive buffer, so that the kernel stops taking
// data for it once that is full.
type stalledClient struct {
	ws   *websocket.Conn
	read atomic.Int64 // bytes read from the socket
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// dialStalled opens c's WebSocket from the start of the log and reads no
// further than the handshake.
func dialStalled(t *testing.T, c *client, exercise string) *stalledClient {
	t.Helper()
	s := &stalledClient{}
	d := websocket.Dialer{Jar: c.jar, HandshakeTimeout: waitTimeout, ReadBufferSize: 1024,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if err := conn.(*net.TCPConn).SetReadBuffer(slowRcvBuf); err != nil {
				conn.Close()
				return nil, err
			}
			return countingConn{Conn: conn, n: &s.read}, nil
		}}
	ws, _, err := d.Dial(c.srv.wsURL(exercise, 0), nil)
	if err != nil {
		t.Fatalf("dial the stalled client: %v", err)
	}
	s.ws = ws
	t.Cleanup(func() { ws.Close() })
	return s
}

// waitMetric waits until a metric of the server has the value want.
func waitMetric(t *testing.T, srv *testServer, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		got := srv.metrics(t)[name]
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v after %v, want %v", name, got, waitTimeout, want)
		}
		time.Sleep(10 * time.Millisecond) // nothing to wait on but /metrics
	}
}

// seqRange returns from, from+1, ..., to.
func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// summarize shows seqs as runs ("[1-40 42 44-50] (48 events)"), for
// failures.
func summarize(seqs []uint64) string {
	var b strings.Builder
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", seqs[i], seqs[j])
		} else {
			fmt.Fprintf(&b, "%d", seqs[i])
		}
		i = j + 1
	}
	return fmt.Sprintf("[%s] (%d events)", b.String(), len(seqs))
}
