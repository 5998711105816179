package web_test

// Helpers of the browser end-to-end tests (e2e_test.go): a real server
// behind a WebSocket gate the test controls, and one headless Chromium in
// which every person (facilitator, trainees) has a browser context of their
// own, so no two people share cookies or local storage.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
	"cmesim/web"
)

// stepTimeout bounds every wait and every browser action of the e2e tests,
// so a broken page fails the test with a diagnosis instead of hanging it.
const stepTimeout = 60 * time.Second

// e2eServer is a web.Server on a real listener, behind a wsGate.
type e2eServer struct {
	*web.Server
	URL  string
	gate *wsGate
}

// startE2E starts a server with no exercises; it stops when the test ends
// (after the browsers, which are cleaned up first).
func startE2E(t *testing.T) *e2eServer {
	t.Helper()
	srv, err := web.New(web.Config{AdminKey: adminKey})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	gate := newWSGate(srv)
	ts := httptest.NewServer(gate)
	t.Cleanup(func() {
		gate.releaseAll()
		srv.Close() // closes the WebSockets, which httptest does not track
		ts.Close()
	})
	return &e2eServer{Server: srv, URL: ts.URL, gate: gate}
}

// createExercise creates an exercise of the example scenario directly (the
// admin page is tested once, in TestE2EExercise) with both teams played by
// humans, at real-time speed: virtual time stands practically still unless
// the facilitator jumps or speeds it up, so what happens when is decided by
// the test.
func (s *e2eServer) createExercise(t *testing.T) *web.ExerciseInfo {
	t.Helper()
	return s.createFrom(t, exampleYAML, "co-csirt", "pe-csirt")
}

// createFrom creates an exercise of the scenario file at path with the
// teams humans played by humans.
func (s *e2eServer) createFrom(t *testing.T, path string, humans ...string) *web.ExerciseInfo {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CreateExercise(web.CreateRequest{YAML: string(src), Humans: humans})
	if err != nil {
		t.Fatalf("CreateExercise: %v", err)
	}
	return info
}

// openFirstInject has the facilitator and colCERT trainee Ana join the
// exercise at baseURL with their browsers in lang; the facilitator starts
// it and jumps to I01, and Ana opens I01. It returns both, the
// facilitator first.
func openFirstInject(t *testing.T, baseURL string, info *web.ExerciseInfo, lang string) []*person {
	t.Helper()
	people := newPeopleIn(t, browser.New(t), lang, "facilitator", "co-csirt trainee")
	fac, ana := people[0], people[1]
	ana.joinTyped(baseURL, info.Codes.Teams["co-csirt"], anaName)
	ana.waitLive("/trainee.html")
	fac.joinTyped(baseURL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	fac.click("#btn-start")
	fac.waitJS("status running", `document.querySelector('#status').dataset.status === 'running' && !document.querySelector('#btn-jump').disabled`)
	fac.click("#btn-jump")
	ana.waitJS("I01 in the inbox", `document.querySelector('#inbox [data-inject="I01"]')`)
	ana.click(`#inbox [data-inject="I01"]`)
	ana.waitJS("I01 open", `document.querySelector('#inject-detail').dataset.selectedInject === 'I01'`)
	return people
}

// wsGate sits in front of the server and lets a test cut one person's
// WebSocket the hard way (closing the TCP connection under the server, with
// no close frame, as a network failure would) and hold that person's
// reconnection attempts until released. People are told apart by their
// session cookie.
type wsGate struct {
	next http.Handler

	mu       sync.Mutex
	conns    map[string][]net.Conn    // session token → hijacked WebSocket connections
	held     map[string]chan struct{} // session token → closed when released
	attempts map[string]int           // session token → upgrades held so far
	dropAck  map[string]int           // session token → 1: cut the connection instead of writing the next ack; 2: done
}

func newWSGate(next http.Handler) *wsGate {
	return &wsGate{next: next, conns: map[string][]net.Conn{}, held: map[string]chan struct{}{}, attempts: map[string]int{}, dropAck: map[string]int{}}
}

func (g *wsGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/ws") {
		g.next.ServeHTTP(w, r)
		return
	}
	token := ""
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		token = c.Value
	}
	g.mu.Lock()
	ch := g.held[token]
	if ch != nil {
		g.attempts[token]++
	}
	g.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-r.Context().Done():
			return
		}
	}
	g.next.ServeHTTP(&hijackRecorder{ResponseWriter: w, wrap: func(c net.Conn) net.Conn {
		gc := &gatedConn{Conn: c, g: g, token: token}
		g.mu.Lock()
		g.conns[token] = append(g.conns[token], gc)
		g.mu.Unlock()
		return gc
	}}, r)
}

// dropNextAck makes the gate cut token's connection when the server writes
// the next ack to it: the command has been applied and logged, but its
// sender does not learn it from the ack.
func (g *wsGate) dropNextAck(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropAck[token] = 1
}

// droppedAck reports whether the armed ack drop has happened.
func (g *wsGate) droppedAck(token string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.dropAck[token] == 2
}

// gatedConn is a hijacked WebSocket connection that can lose an ack.
type gatedConn struct {
	net.Conn
	g     *wsGate
	token string
}

func (c *gatedConn) Write(b []byte) (int, error) {
	// Server frames are not masked: a frame's JSON is there as it is.
	if bytes.Contains(b, []byte(`{"type":"ack"`)) {
		c.g.mu.Lock()
		drop := c.g.dropAck[c.token] == 1
		if drop {
			c.g.dropAck[c.token] = 2
		}
		c.g.mu.Unlock()
		if drop {
			c.Conn.Close()
			return 0, net.ErrClosed
		}
	}
	return c.Conn.Write(b)
}

// hold makes the gate keep token's next WebSocket upgrades waiting.
func (g *wsGate) hold(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[token] == nil {
		g.held[token] = make(chan struct{})
		g.attempts[token] = 0
	}
}

// heldAttempts is how many upgrades of token wait or waited since hold.
func (g *wsGate) heldAttempts(token string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.attempts[token]
}

// release lets token's waiting and future upgrades through.
func (g *wsGate) release(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if ch := g.held[token]; ch != nil {
		close(ch)
		delete(g.held, token)
	}
}

func (g *wsGate) releaseAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for token, ch := range g.held {
		close(ch)
		delete(g.held, token)
	}
}

// kill closes token's WebSocket connections at the TCP level and returns
// how many it closed.
func (g *wsGate) kill(token string) int {
	g.mu.Lock()
	conns := g.conns[token]
	delete(g.conns, token)
	g.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}

// hijackRecorder gives the WebSocket upgrader a wrapped connection when it
// hijacks the request's. (gorilla/websocket reads and writes through the
// net.Conn it gets; it uses the bufio.ReadWriter's buffers only as memory.)
type hijackRecorder struct {
	http.ResponseWriter
	wrap func(net.Conn) net.Conn
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("the response writer cannot be hijacked")
	}
	c, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return h.wrap(c), rw, nil
}

// person is one participant at their own browser: a browser context of
// the shared Chromium, with its own cookies, storage and tab.
type person struct {
	t        *testing.T
	name     string
	lang     string // the language the person's pages start in (en, es, pt, fr)
	ctx      context.Context
	problems func() []string
	frames   *frameLog

	mu       sync.Mutex
	expected []string // console messages the test causes on purpose
}

// cspProbe runs in every document before the page's scripts and reports
// Content-Security-Policy violations on the console, where Problems sees
// them (Chromium logs them too; this makes sure whatever its wording).
const cspProbe = `document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`

// newPeople opens a browser context in the browser of root for each name,
// with the pages in English. (One after the other: opening them at once is
// slower.)
func newPeople(t *testing.T, root context.Context, names ...string) []*person {
	t.Helper()
	return newPeopleIn(t, root, "en", names...)
}

// newPeopleIn is newPeople with the pages in lang: the language the page
// would keep from its join page (localStorage "cmesim.lang"), set before
// any script of a page runs, so a test does not depend on the browser's
// languages.
func newPeopleIn(t *testing.T, root context.Context, lang string, names ...string) []*person {
	t.Helper()
	people := make([]*person, len(names))
	for i, name := range names {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		people[i] = &person{t: t, name: name, ctx: ctx, lang: lang}
		if err := people[i].open(); err != nil {
			t.Fatalf("%s: opening a browser context: %v", name, err)
		}
	}
	return people
}

// open creates p's browser context and tab (without a step timeout, which
// would close them when it ends) and starts watching them.
func (p *person) open() error {
	if err := chromedp.Do(p.ctx); err != nil {
		return err
	}
	p.frames = recordFrames(p.ctx)
	p.problems = browser.Problems(p.ctx)
	if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		return fmt.Errorf("installing the CSP probe: %w", err)
	}
	if p.lang != "" {
		setLang := fmt.Sprintf(`try { localStorage.setItem('cmesim.lang', %s); } catch (e) { /* about:blank has no storage */ }`, js(p.lang))
		if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: setLang}); err != nil {
			return fmt.Errorf("setting the language: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	return chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768))
}

// do runs browser actions within stepTimeout.
func (p *person) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v\n%s", p.name, err, p.diag())
	}
}

// evalJS evaluates a JavaScript expression in p's page within stepTimeout
// (awaiting it when it is a promise) and decodes its value.
func evalJS[T any](p *person, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: evaluating %.200s: %v\n%s", p.name, js, err, p.diag())
	}
	return v
}

// waitJS polls a JavaScript condition until it holds, for at most
// stepTimeout. The condition may throw or run during a navigation: that
// counts as not yet.
func (p *person) waitJS(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s did not happen within %s (condition %s; last error: %v)\n%s", p.name, what, stepTimeout, cond, lastErr, p.diag())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// navigate loads url and waits for its body.
func (p *person) navigate(url string) {
	p.t.Helper()
	p.do(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
}

// click clicks the first element matching a CSS selector once it is
// visible and enabled.
func (p *person) click(sel string) {
	p.t.Helper()
	p.waitJS("enabled "+sel, fmt.Sprintf(`(() => { const el = document.querySelector(%s); return el && !el.disabled && el.getClientRects().length > 0; })()`, js(sel)))
	p.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// typeInto types text into an input, as a person would.
func (p *person) typeInto(sel, text string) {
	p.t.Helper()
	p.do(chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// choose selects value in a <select> and tells the page, as a change by a
// person would.
func (p *person) choose(sel, value string) {
	p.t.Helper()
	p.waitJS("option "+value+" in "+sel, fmt.Sprintf(`[...document.querySelector(%s).options].some((o) => o.value === %s)`, js(sel), js(value)))
	evalJS[chromedp.Void](p, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.focus(); el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); el.blur(); })()`, js(sel), js(value)))
}

// text returns the text of the first element matching sel, "" when none.
func (p *person) text(sel string) string {
	p.t.Helper()
	return evalJS[string](p, fmt.Sprintf(`document.querySelector(%s)?.textContent ?? ''`, js(sel)))
}

// count returns the number of elements matching sel.
func (p *person) count(sel string) int {
	p.t.Helper()
	return evalJS[int](p, fmt.Sprintf(`document.querySelectorAll(%s).length`, js(sel)))
}

// texts returns the texts of every element matching sel.
func (p *person) texts(sel string) []string {
	p.t.Helper()
	return evalJS[[]string](p, fmt.Sprintf(`[...document.querySelectorAll(%s)].map((e) => e.textContent)`, js(sel)))
}

// sessionToken returns p's session cookie (HttpOnly, so read over CDP).
func (p *person) sessionToken() string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		p.t.Fatalf("%s: reading cookies: %v", p.name, err)
	}
	for _, c := range res.Cookies {
		if c.Name == web.SessionCookie {
			return c.Value
		}
	}
	p.t.Fatalf("%s: no %s cookie", p.name, web.SessionCookie)
	return ""
}

// waitLive waits until p is on path with the socket caught up: online and
// the first status shown.
func (p *person) waitLive(path string) {
	p.t.Helper()
	p.waitJS("the live page "+path, fmt.Sprintf(`location.pathname === %s && document.querySelector('#conn-state')?.dataset.state === 'online' && ['ready', 'running', 'paused', 'ended'].includes(document.querySelector('#status')?.dataset.status)`, js(path)))
}

// joinTyped joins on the landing page by typing the code and the name.
func (p *person) joinTyped(baseURL, code, name string) {
	p.t.Helper()
	p.navigate(baseURL + "/")
	p.typeInto("#join-code", code)
	if name != "" {
		p.typeInto("#join-name", name)
	}
	p.click("#join-submit")
}

// joinLink joins with the link the admin page hands out: it tries at once,
// finds that a team code needs a name, and the trainee types it.
func (p *person) joinLink(link, name string) {
	p.t.Helper()
	p.expectProblem("the server responded with a status of 400 (Bad Request)") // the attempt without a name
	p.navigate(link)
	p.waitJS("the name field after the automatic attempt", `document.body.classList.contains('needs-name') && document.activeElement === document.querySelector('#join-name')`)
	p.typeInto("#join-name", name)
	p.click("#join-submit")
}

// barrier makes the facilitator p pause and resume the running exercise
// and waits until p's timeline shows the new resume. Every event applied
// before the pause (a command a trainee's page sent twice, say, whose ack
// the page has already settled) has a lower seq, and a page receives
// events in seq order: after barrier, p's timeline holds all of them. It
// replaces waiting a while for something that should not happen.
func (p *person) barrier() {
	p.t.Helper()
	n := p.count(`#timeline li[data-type="exercise.resumed"]`)
	p.click("#btn-pause")
	p.waitJS("status paused", `document.querySelector('#status').textContent === 'paused' && !document.querySelector('#btn-resume').disabled`)
	p.click("#btn-resume")
	p.waitJS("the resume in the timeline", fmt.Sprintf(`document.querySelector('#status').textContent === 'running' && document.querySelectorAll('#timeline li[data-type="exercise.resumed"]').length === %d`, n+1))
}

// waitClockTicks waits until p's #clock has shown n different values: the
// clock runs. It waits on the page, not for a fixed time, so a loaded
// machine only makes it slower.
func (p *person) waitClockTicks(n int) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("the clock to show %d different times", n), fmt.Sprintf(`(() => {
		const seen = (window.__clockSeen ??= new Set());
		seen.add(document.querySelector('#clock').textContent);
		if (seen.size < %d) return false;
		window.__clockSeen = undefined;
		return true;
	})()`, n))
}

// sampleText reads sel's text in every page of people every 100 ms for d.
func sampleText(people []*person, sel string, d time.Duration) [][]string {
	out := make([][]string, len(people))
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		for i, p := range people {
			out[i] = append(out[i], p.text(sel))
		}
	}
	return out
}

// screenshot saves the viewport at width×height as name.png in dir.
func (p *person) screenshot(dir, name string, width, height int64) {
	p.t.Helper()
	p.do(chromedp.EmulateViewport(width, height))
	// Show the top of the page and of every pane the test scrolled by clicking.
	evalJS[chromedp.Void](p, `(() => { window.scrollTo(0, 0); for (const el of document.querySelectorAll('*')) if (el.scrollTop) el.scrollTop = 0; })()`)
	// Let the layout settle: two animation frames after the resize.
	evalJS[bool](p, `new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot %s", path)
}

// noHorizontalScroll fails when the page is wider than the viewport.
func (p *person) noHorizontalScroll(width, height int64) {
	p.t.Helper()
	p.do(chromedp.EmulateViewport(width, height))
	if evalJS[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
		p.t.Errorf("%s: the page scrolls sideways at %d×%d (scrollWidth %d)", p.name, width, height, evalJS[int](p, `document.documentElement.scrollWidth`))
	}
	p.do(chromedp.EmulateViewport(1366, 768))
}

// expectProblem allows one console message containing substr: the
// browser logs every HTTP error answer to a fetch, also the ones the test
// causes on purpose (a trainee asking for the report) and the ones the UI
// expects (the admin page's probe for a session, the join link's attempt
// without a name).
func (p *person) expectProblem(substr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected = append(p.expected, substr)
}

// checkProblems fails the test for console errors, warnings, exceptions
// and CSP violations of p's pages so far, but for the expected ones.
func (p *person) checkProblems() {
	p.t.Helper()
	p.mu.Lock()
	expected := slices.Clone(p.expected)
	p.mu.Unlock()
	for _, m := range p.problems() {
		i := slices.IndexFunc(expected, func(e string) bool { return strings.Contains(m, e) })
		if i >= 0 {
			expected = slices.Delete(expected, i, i+1)
			continue
		}
		p.t.Errorf("%s: browser console: %s", p.name, m)
	}
}

// diag describes p's page for a failure message.
func (p *person) diag() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href,
		conn: document.querySelector('#conn-state')?.textContent,
		status: document.querySelector('#status')?.textContent,
		clock: document.querySelector('#clock')?.textContent,
		errors: [...document.querySelectorAll('#errors .alert-text, .form-error:not([hidden])')].map((e) => e.textContent),
		dialog: document.querySelector('dialog[open]')?.textContent,
	})`))
	if err != nil {
		s = "(page state unavailable: " + err.Error() + ")"
	}
	if probs := p.problems(); len(probs) > 0 {
		s += fmt.Sprintf("\nconsole: %q", probs)
	}
	return "page: " + s
}

// frameLog records the messages a page receives over its WebSockets, as
// the browser's network layer saw them: what the server sent to this
// person, whatever the page did with it. A batch frame is recorded as the
// messages it carries, so that a check sees each message on its own
// whether or not the server happened to coalesce it with others.
type frameLog struct {
	mu       sync.Mutex
	messages []string
	grew     chan struct{} // closed, and replaced, when messages are added
}

func recordFrames(ctx context.Context) *frameLog {
	fl := &frameLog{grew: make(chan struct{})}
	events := chromedp.Events(ctx, network.WebSocketFrameReceived)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			if ev.Response != nil && ev.Response.Opcode == 1 {
				fl.record(ev.Response.PayloadData)
			}
		}
	}()
	return fl
}

// record adds the messages of one text frame. A frame that is not a
// well-formed batch is kept whole, for events to report.
func (fl *frameLog) record(frame []byte) {
	msgs, err := web.SplitBatch(frame)
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if err != nil {
		fl.messages = append(fl.messages, string(frame))
	}
	for _, m := range msgs {
		fl.messages = append(fl.messages, string(m))
	}
	close(fl.grew)
	fl.grew = make(chan struct{})
}

// all returns the messages received so far, batches split.
func (fl *frameLog) all() []string {
	msgs, _ := fl.sofar()
	return msgs
}

// sofar returns the messages received so far and a channel closed when
// more arrive.
func (fl *frameLog) sofar() ([]string, <-chan struct{}) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return append([]string(nil), fl.messages...), fl.grew
}

// wireEvent is an event message as a client receives it.
type wireEvent struct {
	Type  string `json:"type"`
	Seq   uint64 `json:"seq"`
	Event struct {
		Type     string   `json:"type"`
		Team     string   `json:"team"`
		Audience []string `json:"audience"`
		Data     struct {
			Inject string   `json:"inject"`
			Action string   `json:"action"`
			Peers  []string `json:"peers"`
			TLP    string   `json:"tlp"`
			Text   string   `json:"text"`
		} `json:"data"`
	} `json:"event"`
	Inject *struct {
		ID string `json:"id"`
	} `json:"inject"`
}

// events decodes the event messages among the recorded messages.
func (fl *frameLog) events(t *testing.T) []wireEvent {
	t.Helper()
	return decodeEvents(t, fl.all())
}

// decodeEvents decodes the event messages among msgs.
func decodeEvents(t *testing.T, msgs []string) []wireEvent {
	t.Helper()
	var out []wireEvent
	for _, f := range msgs {
		var m wireEvent
		if err := json.Unmarshal([]byte(f), &m); err != nil {
			t.Fatalf("a WebSocket message is not JSON: %v: %.200s", err, f)
		}
		if m.Type == "event" {
			out = append(out, m)
		}
	}
	return out
}

// waitEvent waits, for at most stepTimeout, until a recorded message is
// an event of type eventType. The browser reports a socket's messages in
// the order they arrived, so once it is there every message the server
// sent before it is there too.
func (p *person) waitEvent(eventType string) {
	p.t.Helper()
	timeout := time.NewTimer(stepTimeout)
	defer timeout.Stop()
	for seen := 0; ; {
		msgs, grew := p.frames.sofar()
		for _, ev := range decodeEvents(p.t, msgs[seen:]) {
			if ev.Event.Type == eventType {
				return
			}
		}
		seen = len(msgs)
		select {
		case <-grew:
		case <-timeout.C:
			p.t.Fatalf("%s: no %s event on the socket within %s\n%s", p.name, eventType, stepTimeout, p.diag())
		}
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// screenshotDir is $CMESIM_SCREENSHOTS (created if needed) or a temporary
// directory of the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CMESIM_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stepper logs how long each step of a test took.
type stepper struct {
	t     *testing.T
	start time.Time
	last  time.Time
	name  string
}

func newStepper(t *testing.T) *stepper {
	now := time.Now()
	return &stepper{t: t, start: now, last: now}
}

// step ends the current step and starts the next one.
func (s *stepper) step(name string) {
	s.t.Helper()
	s.end()
	s.name = name
}

func (s *stepper) end() {
	s.t.Helper()
	now := time.Now()
	if s.name != "" {
		s.t.Logf("step %-52s %6.2fs (total %5.2fs)", s.name, now.Sub(s.last).Seconds(), now.Sub(s.start).Seconds())
	}
	s.last = now
	s.name = ""
}

// shootAt saves a screenshot of p's page at width×height scrolled to the
// element sel, as NAME.png in dir.
func (p *person) shootAt(dir, name, sel string, width, height int64) {
	p.t.Helper()
	p.do(chromedp.EmulateViewport(width, height))
	evalJS[bool](p, `new Promise((done) => { document.querySelector(`+js(sel)+`).scrollIntoView({block: 'start'}); requestAnimationFrame(() => requestAnimationFrame(() => done(true))); })`)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.do(chromedp.EmulateViewport(deskW, deskH))
}

// closingRig is the server side the judging, hot wash, evaluation guide
// and AAR/IP browser tests share: an exercise in which people play colCERT
// and PeCERT, a facilitator's socket and colCERT trainee Ana's socket.
type closingRig struct {
	s       *e2eServer
	info    *web.ExerciseInfo
	control *wsClient
	ana     *wsClient
}

// startClosingRig creates the exercise of yaml and opens the facilitator's
// socket (as controlName) and Ana's.
func startClosingRig(t *testing.T, yaml, controlName string) closingRig {
	t.Helper()
	s := startE2E(t)
	info, err := s.CreateExercise(web.CreateRequest{YAML: yaml, Humans: []string{co, pe}})
	if err != nil {
		t.Fatal(err)
	}
	api := &testServer{Server: s.Server, URL: s.URL}
	return closingRig{
		s:       s,
		info:    info,
		control: dial(t, join(t, api, info.Codes.Facilitator, controlName), info.ID, 0),
		ana:     dial(t, join(t, api, info.Codes.Teams[co], "Ana"), info.ID, 0),
	}
}
