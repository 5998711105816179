package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
	"cmesim/web"
)

// adminKey is the admin key of every test server.
const adminKey = "test-admin-key-0123456789"

// waitTimeout bounds every wait for a message: generous for -race on a busy
// machine, short enough that a broken test fails instead of hanging.
const waitTimeout = 30 * time.Second

// exampleYAML is the scenario every test plays: two national CSIRTs
// (co-csirt, pe-csirt) in one sharing group that allows TLP up to amber.
// I01 goes to co-csirt at T+10m, I02 follows it by 20 minutes, I03 reaches
// pe-csirt when the incident spreads (spread "to-peru").
const exampleYAML = "../testdata/scenarios/valid/example.yaml"

// testServer is a web.Server behind a real HTTP listener.
type testServer struct {
	*web.Server
	URL string
}

// mustServer starts a server with no exercises; it is closed when the test
// ends.
func mustServer(tb testing.TB) *testServer {
	tb.Helper()
	return mustServerWith(tb, web.Config{})
}

// exerciseCodes mirrors the codes of POST /api/exercises.
type exerciseCodes struct {
	Facilitator string            `json:"facilitator"`
	Evaluator   string            `json:"evaluator"`
	Observer    string            `json:"observer"`
	Teams       map[string]string `json:"teams"`
}

// created is the answer to POST /api/exercises.
type created struct {
	ID    string        `json:"id"`
	Title string        `json:"title"`
	Codes exerciseCodes `json:"codes"`
}

// mustCreate signs in as admin and uploads the example scenario as YAML,
// with the given teams played by humans, at real-time speed: virtual time
// then stands practically still during a test, and tests move it with
// jump, so what happens when is deterministic. It costs one attempt of the
// per-IP join limit (10).
func mustCreate(tb testing.TB, srv *testServer, humans ...string) created {
	tb.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		tb.Fatal(err)
	}
	admin := mustAdmin(tb, srv)
	var out created
	resp := admin.postJSON(tb, "/api/exercises", map[string]any{"yaml": string(src), "humans": humans}, &out)
	if got, want := resp.StatusCode, http.StatusCreated; got != want {
		tb.Fatalf("create: status %d, want %d: %s", got, want, resp.body)
	}
	if out.ID == "" || out.Codes.Facilitator == "" || len(out.Codes.Teams) != 2 {
		tb.Fatalf("create: incomplete answer %s", resp.body)
	}
	return out
}

// client is one browser: an HTTP client with its own cookie jar.
type client struct {
	srv  *testServer
	http *http.Client
	jar  http.CookieJar
	// who is the join answer (empty for the admin).
	who joinAnswer
}

// joinAnswer is the answer to POST /api/join and GET /api/session.
type joinAnswer struct {
	Exercise string `json:"exercise"`
	Role     string `json:"role"`
	Team     string `json:"team"`
	Name     string `json:"name"`
	Page     string `json:"page"`
}

// newClient returns a client with an empty cookie jar.
func newClient(tb testing.TB, srv *testServer) *client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &client{srv: srv, jar: jar, http: &http.Client{Jar: jar, Timeout: waitTimeout}}
}

// mustAdmin returns a client signed in with the admin key.
func mustAdmin(tb testing.TB, srv *testServer) *client {
	tb.Helper()
	c := newClient(tb, srv)
	if resp := c.postJSON(tb, "/api/admin/login", map[string]string{"key": adminKey}, nil); resp.StatusCode != http.StatusOK {
		tb.Fatalf("admin login: status %d: %s", resp.StatusCode, resp.body)
	}
	return c
}

// join signs a new browser in with a join code (name is needed for
// trainees). Each join costs one attempt of the per-IP join limit (10).
func join(tb testing.TB, srv *testServer, code, name string) *client {
	tb.Helper()
	c := newClient(tb, srv)
	resp := c.postJSON(tb, "/api/join", map[string]string{"code": code, "name": name}, &c.who)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("join as %q: status %d: %s", name, resp.StatusCode, resp.body)
	}
	return c
}

// response is an HTTP answer with its body read.
type response struct {
	*http.Response
	body []byte
}

// errorBody is the JSON error of the HTTP API.
type errorBody struct {
	Error struct {
		Code     string   `json:"code"`
		Message  string   `json:"message"`
		Problems []string `json:"problems"`
	} `json:"error"`
}

// apiError decodes the response as an API error.
func (r *response) apiError(tb testing.TB) errorBody {
	tb.Helper()
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error.Code == "" {
		tb.Fatalf("not an API error (%v): %s", err, r.body)
	}
	return e
}

// do sends a request with a raw body and reads the whole answer.
func (c *client) do(tb testing.TB, method, path, contentType string, body io.Reader) *response {
	tb.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return &response{Response: resp, body: b}
}

// get fetches path; when out is not nil and the status is 200 it decodes
// the JSON body into out.
func (c *client) get(tb testing.TB, path string, out any) *response {
	tb.Helper()
	r := c.do(tb, http.MethodGet, path, "", nil)
	decodeBody(tb, r, out)
	return r
}

// postJSON posts body as JSON; when out is not nil and the status is 2xx it
// decodes the answer into out.
func (c *client) postJSON(tb testing.TB, path string, body, out any) *response {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	r := c.do(tb, http.MethodPost, path, "application/json", bytes.NewReader(b))
	decodeBody(tb, r, out)
	return r
}

func decodeBody(tb testing.TB, r *response, out any) {
	tb.Helper()
	if out == nil || r.StatusCode/100 != 2 {
		return
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		tb.Fatalf("%s %s: decoding %s: %v", r.Request.Method, r.Request.URL.Path, r.body, err)
	}
}

// metrics reads /metrics as name → value.
func (srv *testServer) metrics(tb testing.TB) map[string]float64 {
	tb.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if !ok {
			tb.Fatalf("metrics: bad line %q", line)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			tb.Fatalf("metrics: bad value in %q", line)
		}
		out[name] = v
	}
	return out
}

// message is any server → client message (docs/protocol.md).
type message struct {
	Type     string        `json:"type"`
	ID       string        `json:"id"`
	Seq      uint64        `json:"seq"`
	At       time.Duration `json:"at"`
	Exercise string        `json:"exercise"`
	You      *joinAnswer   `json:"you"`
	Event    *engine.Event `json:"event"`
	Inject   *inject       `json:"inject"`
	Status   *status       `json:"status"`
	Code     string        `json:"code"`
	Message  string        `json:"message"`

	// raw is the message as received.
	raw []byte
}

func (m message) String() string { return fmt.Sprintf("%.300s", m.raw) }

// isEvent reports whether m is an event message of type t ("" for any).
func (m message) isEvent(t engine.EventType) bool {
	return m.Type == "event" && m.Event != nil && (t == "" || m.Event.Type == t)
}

// inject is a delivered inject as a team reads it.
type inject struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Body         string `json:"body"`
	Channel      string `json:"channel"`
	From         string `json:"from"`
	FromName     string `json:"from_name"`
	Severity     string `json:"severity"`
	TLP          string `json:"tlp"`
	Attachments  []struct{ Name, Kind, Content string }
	Translations map[string]struct{ Title, Body string }
	Expectations []engine.OpenExpectation `json:"expectations"`
}

// status is the body of a status message.
type status struct {
	Status     engine.Status   `json:"status"`
	Speed      float64         `json:"speed"`
	Now        time.Duration   `json:"now"`
	Duration   time.Duration   `json:"duration"`
	Teams      []teamStatus    `json:"teams"`
	Upcoming   json.RawMessage `json:"upcoming"`
	Releasable json.RawMessage `json:"releasable"`
}

type teamStatus struct {
	ID     string      `json:"id"`
	Mode   engine.Mode `json:"mode"`
	Online []string    `json:"online"`
	Score  float64     `json:"score"`
	Met    int         `json:"met"`
	Open   []struct {
		Inject, Expectation string
	} `json:"open"`
}

// wsClient is one WebSocket of a client. A goroutine reads every frame into
// a channel; the test reads that channel with deadlines, so no read blocks
// longer than waitTimeout.
type wsClient struct {
	ws *websocket.Conn

	frames chan []byte
	stop   chan struct{}
	done   chan struct{} // closed when the reader stops
	err    error         // why the reader stopped; read after done

	// Only the test goroutine touches the fields below.
	all     []message // every message received, in order
	pending []message // received and not yet taken by next
	closed  bool
	ids     int
	// caughtUp is the seq of the caught_up message.
	caughtUp uint64
}

// wsURL is the WebSocket address of an exercise.
func (srv *testServer) wsURL(exercise string, since uint64) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/exercises/" + exercise + "/ws?since=" + strconv.FormatUint(since, 10)
}

// dial opens the client's WebSocket to an exercise, replaying from since,
// and reads up to its caught_up message.
func dial(tb testing.TB, c *client, exercise string, since uint64) *wsClient {
	tb.Helper()
	d := websocket.Dialer{Jar: c.jar, HandshakeTimeout: waitTimeout}
	ws, resp, err := d.Dial(c.srv.wsURL(exercise, since), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		tb.Fatalf("dial %s as %s: %v (HTTP %d)", exercise, c.who.Name, err, status)
	}
	w := &wsClient{ws: ws, frames: make(chan []byte, 4096), stop: make(chan struct{}), done: make(chan struct{})}
	go w.read()
	tb.Cleanup(func() { w.close(tb) })
	w.caughtUp = w.next(tb, isType("caught_up")).Seq
	return w
}

// live narrows pred to events that happened after the connection caught up.
func (w *wsClient) live(pred func(message) bool) func(message) bool {
	return func(m message) bool { return m.isEvent("") && m.Seq > w.caughtUp && pred(m) }
}

// messageReader reads the messages a server sends on a WebSocket one at a
// time, taking those of a batch frame apart (see docs/protocol.md): it is
// the one place the tests read what the server sends.
type messageReader struct {
	ws      *websocket.Conn
	pending [][]byte // the rest of the last frame's messages
}

// next returns the next message, reading a frame when none is pending.
func (r *messageReader) next() ([]byte, error) {
	for len(r.pending) == 0 {
		_, frame, err := r.ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		if r.pending, err = web.SplitBatch(frame); err != nil {
			return nil, fmt.Errorf("a batch frame that is not JSON (%w): %.200s", err, frame)
		}
	}
	m := r.pending[0]
	r.pending = r.pending[1:]
	return m, nil
}

func (w *wsClient) read() {
	defer close(w.done)
	rd := &messageReader{ws: w.ws}
	for {
		w.ws.SetReadDeadline(time.Now().Add(time.Minute)) // the reader ends even if nobody closes
		data, err := rd.next()
		if err != nil {
			w.err = err
			return
		}
		select {
		case w.frames <- data:
		case <-w.stop:
			return
		}
	}
}

// close closes the connection and waits for its reader.
func (w *wsClient) close(tb testing.TB) {
	if w.closed {
		return
	}
	w.closed = true
	w.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	w.ws.Close()
	close(w.stop)
	select {
	case <-w.done:
	case <-time.After(waitTimeout):
		tb.Errorf("the WebSocket reader did not stop")
	}
}

// receive waits until deadline for one more message and records it. It
// returns false on timeout and, with the reader's error, when the
// connection has closed.
func (w *wsClient) receive(tb testing.TB, deadline time.Time) (message, bool, error) {
	tb.Helper()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var data []byte
	select {
	case data = <-w.frames:
	case <-w.done:
		select { // frames read before the connection closed come first
		case data = <-w.frames:
		default:
			return message{}, false, w.err
		}
	case <-timer.C:
		return message{}, false, nil
	}
	m := message{raw: data}
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatalf("the server sent a message that is not JSON (%v): %s", err, data)
	}
	if m.Type == "" {
		tb.Fatalf("the server sent a message without a type: %s", data)
	}
	w.all = append(w.all, m)
	w.pending = append(w.pending, m)
	return m, true, nil
}

// next returns the first message not yet taken by next that satisfies
// pred, waiting for it at most waitTimeout. Messages that do not match
// stay available to later calls, so the order in which an ack and its
// events arrive does not matter.
func (w *wsClient) next(tb testing.TB, pred func(message) bool) message {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for i := 0; ; {
		if i < len(w.pending) {
			if m := w.pending[i]; pred(m) {
				w.pending = slices.Delete(w.pending, i, i+1)
				return m
			}
			i++
			continue
		}
		_, ok, err := w.receive(tb, deadline)
		if !ok {
			if err != nil {
				tb.Fatalf("the connection closed while waiting for a message: %v", err)
			}
			tb.Fatalf("no matching message within %v; first and last messages:\n%s...\n%s", waitTimeout, w.head(4), w.tail(8))
		}
	}
}

// find returns the first message ever received that satisfies pred,
// waiting for it at most waitTimeout; it does not take it from next.
func (w *wsClient) find(tb testing.TB, pred func(message) bool) message {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for i := 0; ; {
		if i < len(w.all) {
			if pred(w.all[i]) {
				return w.all[i]
			}
			i++
			continue
		}
		_, ok, err := w.receive(tb, deadline)
		if !ok {
			if err != nil {
				tb.Fatalf("the connection closed while waiting for a message: %v", err)
			}
			tb.Fatalf("no matching message within %v; first and last messages:\n%s...\n%s", waitTimeout, w.head(4), w.tail(8))
		}
	}
}

// expectNoMessage fails if a message satisfying pred is pending or arrives
// within d.
func (w *wsClient) expectNoMessage(tb testing.TB, d time.Duration, pred func(message) bool) {
	tb.Helper()
	for _, m := range w.pending {
		if pred(m) {
			tb.Fatalf("unexpected message %s", m)
		}
	}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		m, ok, _ := w.receive(tb, deadline)
		if !ok {
			return
		}
		if pred(m) {
			tb.Fatalf("unexpected message %s", m)
		}
	}
}

// closeError waits for the server to close the connection and returns why.
func (w *wsClient) closeError(tb testing.TB) error {
	tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		_, ok, err := w.receive(tb, deadline)
		if ok {
			continue
		}
		if err == nil {
			tb.Fatalf("the server did not close the connection within %v", waitTimeout)
		}
		return err
	}
}

// head and tail format the first and last n messages, for failures.
func (w *wsClient) head(n int) string {
	var b strings.Builder
	for _, m := range w.all[:min(n, len(w.all))] {
		fmt.Fprintf(&b, "\t%s\n", m)
	}
	return b.String()
}

func (w *wsClient) tail(n int) string {
	var b strings.Builder
	for _, m := range w.all[max(0, len(w.all)-n):] {
		fmt.Fprintf(&b, "\t%s\n", m)
	}
	return b.String()
}

// send writes one text message: a string or []byte as is, anything else
// as JSON.
func (w *wsClient) send(tb testing.TB, msg any) {
	tb.Helper()
	var data []byte
	switch m := msg.(type) {
	case string:
		data = []byte(m)
	case []byte:
		data = m
	default:
		var err error
		if data, err = json.Marshal(msg); err != nil {
			tb.Fatal(err)
		}
	}
	w.sendFrame(tb, websocket.TextMessage, data)
}

func (w *wsClient) sendFrame(tb testing.TB, kind int, data []byte) {
	tb.Helper()
	w.ws.SetWriteDeadline(time.Now().Add(waitTimeout))
	if err := w.ws.WriteMessage(kind, data); err != nil {
		tb.Fatalf("sending: %v", err)
	}
}

// cmd is a command as a client writes it.
type cmd map[string]any

// command sends a command with the given id (a fresh one when empty) and
// returns the server's answer to it: an ack or an error.
func (w *wsClient) command(tb testing.TB, id string, c cmd) message {
	tb.Helper()
	if id == "" {
		w.ids++
		id = fmt.Sprintf("c%d", w.ids)
	}
	w.send(tb, map[string]any{"type": "command", "id": id, "command": c})
	return w.answer(tb, id)
}

// jump sends a jump and returns the server's answer to it.
func (w *wsClient) jump(tb testing.TB) message {
	tb.Helper()
	w.ids++
	id := fmt.Sprintf("j%d", w.ids)
	w.send(tb, map[string]any{"type": "jump", "id": id})
	return w.answer(tb, id)
}

// answer waits for the ack or error with the given id.
func (w *wsClient) answer(tb testing.TB, id string) message {
	tb.Helper()
	return w.next(tb, func(m message) bool { return (m.Type == "ack" || m.Type == "error") && m.ID == id })
}

// mustAck sends a command and fails unless it is acknowledged.
func (w *wsClient) mustAck(tb testing.TB, c cmd) message {
	tb.Helper()
	m := w.command(tb, "", c)
	if m.Type != "ack" {
		tb.Fatalf("%v: want an ack, got %s", c, m)
	}
	return m
}

// mustReject sends a command and fails unless it is refused with code.
func (w *wsClient) mustReject(tb testing.TB, code string, c cmd) message {
	tb.Helper()
	return expectError(tb, w.command(tb, "", c), code)
}

// expectError fails unless m is an error with the given code.
func expectError(tb testing.TB, m message, code string) message {
	tb.Helper()
	if m.Type != "error" || m.Code != code {
		tb.Fatalf("want error %q, got %s", code, m)
	}
	if m.Message == "" {
		tb.Fatalf("error without a message: %s", m)
	}
	return m
}

// event returns the event with sequence number seq, waiting for it.
func (w *wsClient) event(tb testing.TB, seq uint64) *engine.Event {
	tb.Helper()
	return w.find(tb, func(m message) bool { return m.isEvent("") && m.Seq == seq }).Event
}

// events returns the events received so far with from < seq <= to, in the
// order received; to waits for the event with seq to first.
func (w *wsClient) events(tb testing.TB, from, to uint64) []*engine.Event {
	tb.Helper()
	if to > from {
		w.event(tb, to)
	}
	var out []*engine.Event
	for _, m := range w.all {
		if m.isEvent("") && m.Seq > from && m.Seq <= to {
			out = append(out, m.Event)
		}
	}
	return out
}

// isType matches messages of type t.
func isType(t string) func(message) bool {
	return func(m message) bool { return m.Type == t }
}

// isEvent matches events of type t about inject ("" for any).
func isEvent(t engine.EventType, inject string) func(message) bool {
	return func(m message) bool { return m.isEvent(t) && (inject == "" || m.Event.Data.Inject == inject) }
}

// isStatus matches status messages in state st.
func isStatus(st engine.Status) func(message) bool {
	return func(m message) bool { return m.Type == "status" && m.Status != nil && m.Status.Status == st }
}

// types lists the types of events, for failure messages.
func types(evs []*engine.Event) []engine.EventType {
	out := make([]engine.EventType, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}
