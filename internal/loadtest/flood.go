package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Flood defaults and limits.
const (
	// DefaultFloodText is the text of each flooding report: the longest a
	// text may be.
	DefaultFloodText = 8 << 10
	// MaxFloodSockets caps the WebSockets the flooding trainee tries.
	MaxFloodSockets = 1000
	// floodWindow is how many reports one flooding socket keeps on the
	// wire without an answer.
	floodWindow = 4
	// closeTooManySockets is the close code of a WebSocket the server
	// refuses because its session or address has too many open.
	closeTooManySockets = 4029
)

// floodTeam is the team of the flooding trainee; the comparison is made
// among the trainees of the other teams.
var floodTeam = TeamID(0)

// flooder is one trainee who, in the second phase of a run with
// Config.Flood, opens many WebSockets on its one session and sends report
// actions with long texts on each as fast as the server answers, the way
// a script would.
type flooder struct {
	r    *run
	srv  *target
	p    *participant
	text string

	// start is when the flood began (Unix nanoseconds), 0 before.
	start atomic.Int64
	// The trainees of the other teams' command round trips and ad-hoc
	// deliveries, by the phase the command or the inject was sent in.
	refRTT, floodRTT           *Recorder
	refDelivery, floodDelivery *Recorder
	// marks are the owner's metrics when the load began, when the flood
	// began and when it ended.
	marks [3]ServerMetrics

	opened, refused, dropped, failed atomic.Int64
	sent, acked                      atomic.Int64
	errMu                            sync.Mutex
	errs                             map[string]int64

	inject      atomic.Pointer[string] // an inject delivered to the team
	injectKnown chan struct{}          // closed once inject is set
	injectOnce  sync.Once

	stopping         chan struct{}
	stopOnce         sync.Once
	writers, readers sync.WaitGroup
	wsMu             sync.Mutex
	sockets          []*websocket.Conn
}

func newFlooder(r *run, srv *target, p *participant, textLen int) *flooder {
	sentence := "Situation report: indicators of compromise on the operator network, more to follow. "
	return &flooder{
		r: r, srv: srv, p: p, text: strings.Repeat(sentence, textLen/len(sentence)+1)[:textLen],
		refRTT: NewRecorder(0), floodRTT: NewRecorder(0), refDelivery: NewRecorder(0), floodDelivery: NewRecorder(0),
		errs: map[string]int64{}, injectKnown: make(chan struct{}), stopping: make(chan struct{}),
	}
}

// record files a latency sample of another team's trainee, of a command or
// inject sent at sent, under the phase it was sent in.
func (f *flooder) record(team string, sent time.Time, d time.Duration, delivery bool) {
	if team == floodTeam {
		return
	}
	start := f.start.Load()
	during := start != 0 && sent.UnixNano() >= start
	switch {
	case delivery && during:
		f.floodDelivery.Add(d)
	case delivery:
		f.refDelivery.Add(d)
	case during:
		f.floodRTT.Add(d)
	default:
		f.refRTT.Add(d)
	}
}

// begin opens the flooding sockets, sockets of them at once, and starts
// flooding on those the server accepts.
func (f *flooder) begin(ctx context.Context, sockets int) {
	f.start.Store(time.Now().UnixNano())
	parallel(ctx, sockets, func(int) error {
		c := newWSClient(f.r, f.srv, f.p, false)
		ws, err := c.dial(ctx)
		if err != nil {
			f.failed.Add(1)
			return nil // the flood goes on with the sockets it has
		}
		f.wsMu.Lock()
		f.sockets = append(f.sockets, ws)
		f.wsMu.Unlock()
		slots := make(chan struct{}, floodWindow)
		ready, gone := make(chan struct{}), make(chan struct{})
		f.readers.Add(1)
		go f.read(ws, slots, ready, gone)
		f.writers.Add(1)
		go f.write(ws, slots, ready, gone)
		return nil
	})
}

// read accounts for what the server sends one flooding socket: the close
// code of a refused socket, inject deliveries (what to report on), and
// answers, each of which frees a slot of the window.
func (f *flooder) read(ws *websocket.Conn, slots, ready, gone chan struct{}) {
	defer f.readers.Done()
	defer close(gone)
	var readyOnce sync.Once
	handle := func(b []byte) {
		if _, id, _, ok := peekDelivery(b); ok {
			f.inject.Store(&id)
			f.injectOnce.Do(func() { close(f.injectKnown) })
			return
		}
		if bytes.HasPrefix(b, eventPrefix) || bytes.HasPrefix(b, []byte(`{"type":"status"`)) {
			return
		}
		var m serverMessage
		if json.Unmarshal(b, &m) != nil {
			return
		}
		switch m.Type {
		case "caught_up":
			readyOnce.Do(func() {
				f.opened.Add(1)
				close(ready)
			})
		case "ack", "error":
			if m.Type == "ack" {
				f.acked.Add(1)
			} else {
				f.errMu.Lock()
				f.errs[m.Code]++
				f.errMu.Unlock()
			}
			select {
			case <-slots:
			default:
			}
		}
	}
	for {
		_, b, err := ws.ReadMessage()
		if err == nil {
			err = eachMessage(b, handle)
		}
		if err != nil {
			var ce *websocket.CloseError
			switch {
			case errors.As(err, &ce) && ce.Code == closeTooManySockets:
				f.refused.Add(1)
			case f.stopped():
			default:
				f.dropped.Add(1)
			}
			return
		}
	}
}

// write sends reports on one socket, floodWindow at most unanswered, from
// when the socket is subscribed and an inject is known until the flood
// stops or the socket closes.
func (f *flooder) write(ws *websocket.Conn, slots, ready, gone chan struct{}) {
	defer f.writers.Done()
	for _, wait := range []chan struct{}{ready, f.injectKnown} {
		select {
		case <-wait:
		case <-gone:
			return
		case <-f.stopping:
			return
		}
	}
	for k := 1; ; k++ {
		select {
		case slots <- struct{}{}:
		case <-gone:
			return
		case <-f.stopping:
			return
		}
		b, err := json.Marshal(clientCommand{Type: "command", ID: "f" + strconv.Itoa(k), Command: commandField{Type: "report", Inject: *f.inject.Load(), Text: f.text}})
		if err != nil {
			return
		}
		ws.SetWriteDeadline(time.Now().Add(writeWait))
		if ws.WriteMessage(websocket.TextMessage, b) != nil {
			return
		}
		f.sent.Add(1)
	}
}

// stopped reports whether the flood is over.
func (f *flooder) stopped() bool {
	select {
	case <-f.stopping:
		return true
	default:
		return false
	}
}

// stop ends the flood: the writers stop, the sockets say goodbye, and
// those the server does not close within a moment are closed.
func (f *flooder) stop() {
	if f == nil {
		return
	}
	f.stopOnce.Do(func() { close(f.stopping) })
	f.writers.Wait()
	f.wsMu.Lock()
	sockets := f.sockets
	f.wsMu.Unlock()
	for _, ws := range sockets {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	}
	done := make(chan struct{})
	go func() {
		f.readers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	for _, ws := range sockets {
		ws.Close()
	}
	<-done
}

// report sums the flood up.
func (f *flooder) report(sockets int) *FloodReport {
	rep := &FloodReport{
		Team: floodTeam, Sockets: sockets, TextBytes: len(f.text),
		Opened: f.opened.Load(), Refused: f.refused.Load(), Dropped: f.dropped.Load(), Failed: f.failed.Load(),
		Sent: f.sent.Load(), Acked: f.acked.Load(), Errors: map[string]int64{},
		ReferenceRTT: f.refRTT.Stats(), FloodRTT: f.floodRTT.Stats(),
		ReferenceDelivery: f.refDelivery.Stats(), FloodDelivery: f.floodDelivery.Stats(),
	}
	f.errMu.Lock()
	for k, v := range f.errs {
		rep.Errors[k] = v
	}
	f.errMu.Unlock()
	rep.AcceptedTextBytes = rep.Acked * int64(len(f.text))
	rep.RTTRatioP50 = ratio(rep.FloodRTT.P50, rep.ReferenceRTT.P50)
	rep.RTTRatioP99 = ratio(rep.FloodRTT.P99, rep.ReferenceRTT.P99)
	rep.DeliveryRatioP99 = ratio(rep.FloodDelivery.P99, rep.ReferenceDelivery.P99)
	m := f.marks
	rep.ReferenceEvents, rep.FloodEvents = m[1].EventsTotal-m[0].EventsTotal, m[2].EventsTotal-m[1].EventsTotal
	rep.RSSBytes = [3]int64{m[0].RSSBytes, m[1].RSSBytes, m[2].RSSBytes}
	return rep
}

// ratio is a/b, or 0 when b is.
func ratio(a, b Millis) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// FloodReport compares, in a run with Config.Flood, the latency of the
// trainees of the teams other than the flooder's before the flood (the
// reference) and during it, and says what the flood did and what the
// server let through.
type FloodReport struct {
	// Team is the flooding trainee's team, left out of the comparison.
	Team string `json:"team"`
	// Sockets is how many WebSockets the flooder tried, on one session;
	// Opened the server subscribed, Refused it closed at once with 4029,
	// Dropped it closed later, Failed did not connect.
	Sockets int   `json:"sockets"`
	Opened  int64 `json:"opened"`
	Refused int64 `json:"refused"`
	Dropped int64 `json:"dropped"`
	Failed  int64 `json:"failed"`
	// TextBytes is the text of each report; Sent the reports written,
	// Acked those the server accepted (AcceptedTextBytes of text) and
	// Errors the others by error code.
	TextBytes         int              `json:"text_bytes"`
	Sent              int64            `json:"sent"`
	Acked             int64            `json:"acked"`
	AcceptedTextBytes int64            `json:"accepted_text_bytes"`
	Errors            map[string]int64 `json:"errors"`
	// The other teams' command round trip and ad-hoc inject delivery
	// before and during the flood, and the ratios during / before.
	ReferenceRTT      Stats   `json:"reference_rtt"`
	FloodRTT          Stats   `json:"flood_rtt"`
	ReferenceDelivery Stats   `json:"reference_delivery"`
	FloodDelivery     Stats   `json:"flood_delivery"`
	RTTRatioP50       float64 `json:"rtt_ratio_p50"`
	RTTRatioP99       float64 `json:"rtt_ratio_p99"`
	DeliveryRatioP99  float64 `json:"delivery_ratio_p99"`
	// ReferenceEvents and FloodEvents are the events the server logged in
	// each phase; RSSBytes its resident memory when the load began, when
	// the flood began and when it ended.
	ReferenceEvents int64    `json:"reference_events"`
	FloodEvents     int64    `json:"flood_events"`
	RSSBytes        [3]int64 `json:"rss_bytes"`
}
