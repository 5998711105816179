package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults and limits of a run.
const (
	DefaultTrainees   = 1000
	DefaultTeams      = 35
	DefaultDuration   = 60 * time.Second
	DefaultInterval   = 10 * time.Second
	DefaultSpeed      = 10
	DefaultAdHocEvery = 2 * time.Second
	// MaxDuration caps how long a run loads the server.
	MaxDuration = 10 * time.Minute
	// MaxConnections caps the trainees (or idle connections) of a run.
	MaxConnections = 50_000
	// MaxServers caps the servers a run starts.
	MaxServers = 16
	// setupTimeout bounds creating the exercise and connecting everyone.
	setupTimeout = 5 * time.Minute
	// settleTimeout bounds the wait for the last answers and deliveries
	// after the load stops.
	settleTimeout = 5 * time.Second
	// workers is how many joins or dials run at once.
	workers = 32
)

// Config describes one load test.
type Config struct {
	// URL is a running server to load (loopback only, see CheckLoopback)
	// and AdminKey its admin key. With no URL, the tool starts a server
	// itself: ServerExe serve (default: this executable).
	URL       string
	AdminKey  string
	ServerExe string
	// Store, a postgres:// URL, is the database of the servers the tool
	// starts (default: a SQLite database of each one's own). Servers is
	// how many it starts on it (default 1): the first owns the exercise,
	// the others follow it, and the trainees are spread over all of them.
	Store   string
	Servers int

	// Trainees join round-robin across Teams generated teams.
	Trainees int
	Teams    int
	// Duration is how long the load runs once the exercise has started.
	Duration time.Duration
	// Interval is how often each trainee acts.
	Interval time.Duration
	// Speed is the exercise's pace (multiples of real time).
	Speed float64
	// AdHocEvery is how often the facilitator sends an ad-hoc inject to
	// every team, whose delivery latency the trainees measure.
	AdHocEvery time.Duration
	// MessageEvery, when positive, makes each trainee also send a message
	// every MessageEvery (from a random start) to 1–3 other teams at
	// TLP:GREEN, whose delivery latency the recipients measure.
	MessageEvery time.Duration

	// Flood, when positive, adds one trainee who floods: the load runs
	// twice Duration, the first half as usual (the reference), and in the
	// second this trainee opens Flood WebSockets on its one session and
	// sends report actions of FloodText bytes of text on each as fast as
	// the server answers. The report compares the other teams' latency in
	// the two halves (Report.Flood).
	Flood     int
	FloodText int

	// Idle, when positive, makes the run open that many trainee
	// connections that do nothing (no actions, no ad-hoc injects) and
	// hold them for Duration, to measure memory per connection.
	Idle int

	// Progress receives a line per stage of the run; nil discards them.
	Progress io.Writer
}

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	if c.Trainees == 0 {
		c.Trainees = DefaultTrainees
	}
	if c.Teams == 0 {
		c.Teams = DefaultTeams
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Speed == 0 {
		c.Speed = DefaultSpeed
	}
	if c.AdHocEvery == 0 {
		c.AdHocEvery = DefaultAdHocEvery
	}
	if c.Servers == 0 {
		c.Servers = 1
	}
	if c.Flood > 0 && c.FloodText == 0 {
		c.FloodText = DefaultFloodText
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return c
}

// Validate reports the first setting that cannot work. Zero values stand
// for the defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	connections := c.Trainees
	if c.Idle > 0 {
		connections = c.Idle
	}
	switch {
	case c.Trainees < 1 || c.Trainees > MaxConnections:
		return fmt.Errorf("trainees must be between 1 and %d", MaxConnections)
	case c.Idle < 0 || c.Idle > MaxConnections:
		return fmt.Errorf("idle connections must be at most %d", MaxConnections)
	case c.Teams < 1 || c.Teams > MaxTeams:
		return fmt.Errorf("teams must be between 1 and %d", MaxTeams)
	case c.Duration < time.Second || c.Duration > MaxDuration:
		return fmt.Errorf("duration must be between 1s and %s", MaxDuration)
	case c.Interval < 100*time.Millisecond:
		return errors.New("interval must be at least 100ms (the server allows 10 messages a second per connection)")
	case c.AdHocEvery < 100*time.Millisecond:
		return errors.New("the ad-hoc inject period must be at least 100ms")
	case c.MessageEvery != 0 && c.MessageEvery < time.Second:
		return errors.New("the message period must be at least 1s (or 0: no messages)")
	case !(c.Speed > 0 && c.Speed <= 10000):
		return errors.New("speed must be greater than 0 and at most 10000")
	case time.Duration(c.Speed*float64(c.loadTime()+time.Minute)) > maxScenarioLength:
		return errors.New("speed × (duration + 1m) is longer than the 14 days a scenario may last (twice the duration with --flood)")
	case c.Flood < 0 || c.Flood > MaxFloodSockets:
		return fmt.Errorf("flood sockets must be between 0 and %d", MaxFloodSockets)
	case c.Flood > 0 && (c.FloodText < 1 || c.FloodText > DefaultFloodText):
		return fmt.Errorf("the flood's text must be between 1 and %d bytes", DefaultFloodText)
	case c.Flood > 0 && c.Idle > 0:
		return errors.New("--flood and --idle do not go together")
	case c.Flood > 0 && (c.Teams < 2 || c.Trainees < 2*c.Teams):
		return errors.New("--flood needs at least 2 teams and 2 trainees a team: the flooder's team is compared with the others")
	case c.Servers < 1 || c.Servers > MaxServers:
		return fmt.Errorf("servers must be between 1 and %d", MaxServers)
	case c.Servers > connections:
		return fmt.Errorf("%d servers need at least as many trainees", c.Servers)
	case c.Store != "" && c.URL != "":
		return errors.New("--store is for the servers the tool starts; a server given by --url has its own store")
	case c.Servers > 1 && c.URL != "":
		return errors.New("--servers starts that many servers; it cannot be used with --url")
	case c.Servers > 1 && c.Store == "":
		return fmt.Errorf("--servers %d needs --store postgres://…: servers share an exercise only through a PostgreSQL database", c.Servers)
	}
	if c.Store != "" {
		if err := checkStore(c.Store); err != nil {
			return err
		}
	}
	if c.URL != "" {
		if _, err := CheckLoopback(c.URL); err != nil {
			return err
		}
		if c.AdminKey == "" {
			return errors.New("--url needs the server's --admin-key")
		}
	}
	return nil
}

// loadTime is how long the load runs: twice Duration with a flood.
func (c Config) loadTime() time.Duration {
	if c.Flood > 0 {
		return 2 * c.Duration
	}
	return c.Duration
}

// Gates are the limits that make a run fail: the regression gate.
type Gates struct {
	// MaxDeliveryP99 and MaxRTTP99 bound the 99th percentiles; 0 means no
	// limit.
	MaxDeliveryP99 time.Duration
	MaxRTTP99      time.Duration
	// MaxDrops bounds the connections the server dropped or that failed;
	// negative means no limit.
	MaxDrops int
	// MaxLost bounds what went missing or came twice (Report.Lost): ad-hoc
	// deliveries that never arrived or arrived twice, and trainee commands
	// never answered; negative means no limit.
	MaxLost int
}

// Check returns what the report breaks of the gates, or nothing: the
// latency gates first (SlowOnly tells them apart), then the drops and the
// losses.
func (r *Report) Check(g Gates) []string {
	slow, broken := r.check(g)
	return append(slow, broken...)
}

// SlowOnly reports whether the run broke gates and every one of them is a
// latency bound: a p99 over its limit, with no more drops and losses than
// allowed and samples for every bounded percentile. One stall of the machine makes one
// such run; a slow server makes every run slow.
func (r *Report) SlowOnly(g Gates) bool {
	slow, broken := r.check(g)
	return len(slow) > 0 && len(broken) == 0
}

// check returns the latency bounds the report exceeds and, apart, the
// other gates it breaks (a percentile with no samples is one of those).
func (r *Report) check(g Gates) (slow, broken []string) {
	p99 := func(what string, st Stats, limit time.Duration) {
		switch {
		case limit <= 0:
		case st.Count == 0:
			broken = append(broken, fmt.Sprintf("%s p99: no samples to compare with %s", what, Millis(limit)))
		case time.Duration(st.P99) > limit:
			slow = append(slow, fmt.Sprintf("%s p99 %s exceeds %s", what, st.P99, Millis(limit)))
		}
	}
	p99("inject delivery", r.Delivery, g.MaxDeliveryP99)
	p99("command round trip", r.RTT, g.MaxRTTP99)
	if r.Flood != nil {
		p99("other teams' command round trip during the flood", r.Flood.FloodRTT, g.MaxRTTP99)
	}
	if drops := r.Drops(); g.MaxDrops >= 0 && drops > int64(g.MaxDrops) {
		broken = append(broken, fmt.Sprintf("%d connections dropped or failed, more than %d", drops, g.MaxDrops))
	}
	if lost := r.Lost(); g.MaxLost >= 0 && lost > int64(g.MaxLost) {
		c := r.Counts
		broken = append(broken, fmt.Sprintf("%d lost, more than %d: %d ad-hoc deliveries missing, %d received twice, %d commands unanswered",
			lost, g.MaxLost, c.ProbeDeliveriesMissing, c.Duplicates, c.Unanswered))
	}
	return slow, broken
}

// Lost is what the run should have had once and did not: ad-hoc
// deliveries missing, ad-hoc injects a trainee received twice, and
// trainee commands that got no answer (lost with a connection, or still
// waiting when the run ended).
func (r *Report) Lost() int64 {
	c := r.Counts
	return c.ProbeDeliveriesMissing + c.Duplicates + c.Unanswered
}

// Drops is the larger of the connections the clients saw close
// unexpectedly and those the servers say they dropped for a full queue.
func (r *Report) Drops() int64 {
	return max(r.Counts.Drops, r.queueDrops())
}

// queueDrops is how many clients the servers dropped for a full send
// queue while the tool watched.
func (r *Report) queueDrops() int64 {
	if len(r.Servers) == 0 {
		return r.Server.queueDrops()
	}
	var n int64
	for _, s := range r.Servers {
		n += s.Server.queueDrops()
	}
	return n
}

// counters are the run's event counts, updated by every client.
type counters struct {
	commands, acks, unanswered, writeErrors               atomic.Int64
	skippedNoInject, skippedOffline                       atomic.Int64
	facilitatorCommands, facilitatorAcks                  atomic.Int64
	probeDeliveries, scheduledDeliveries, staffDeliveries atomic.Int64
	duplicates                                            atomic.Int64
	messagesSent, messagesReceived                        atomic.Int64
	messages, frames, events, statuses, malformed         atomic.Int64
	unstampedFrames                                       atomic.Int64
	dropsTooSlow, dropsError, facilitatorDrops            atomic.Int64
	reconnects, reconnectFailures                         atomic.Int64
}

// run is the state one Run shares with its clients.
type run struct {
	cfg       Config
	servers   []*target // the first creates and owns the exercise
	spread    bool      // trainees connect from 127.1.x.y
	dialer    *dialer
	transport *http.Transport
	wsDialer  websocket.Dialer
	exercise  string
	buffers   sync.Pool

	delivery, rtt, facilitatorRTT *Recorder
	messageDelivery               *Recorder
	deliveryAtSocket              *Recorder // kernel receive times, where known
	probes                        probeBook
	flood                         *flooder // nil without Config.Flood
	metricsClient                 *http.Client
	n                             counters
	errMu                         sync.Mutex
	errs                          map[string]int64

	// clientCtx ends reconnect attempts at shutdown; wg counts readers,
	// actors the trainees' action loops.
	clientCtx    context.Context
	cancelClient context.CancelFunc
	wg, actors   sync.WaitGroup
}

func newRun(cfg Config) *run {
	d := &dialer{Dialer: net.Dialer{Timeout: 10 * time.Second}}
	r := &run{
		cfg: cfg, dialer: d, transport: newTransport(d),
		wsDialer: websocket.Dialer{
			HandshakeTimeout: 15 * time.Second,
			ReadBufferSize:   4096,
			WriteBufferSize:  1024,
			WriteBufferPool:  &sync.Pool{}, // trainees write rarely: share write buffers
		},
		buffers:  sync.Pool{New: func() any { return new(bytes.Buffer) }},
		delivery: NewRecorder(0), rtt: NewRecorder(0), facilitatorRTT: NewRecorder(0), messageDelivery: NewRecorder(0),
		deliveryAtSocket: NewRecorder(0),
		errs:             map[string]int64{},
	}
	r.clientCtx, r.cancelClient = context.WithCancel(context.Background())
	return r
}

func (r *run) countError(code string) {
	if code == "" {
		code = "unknown"
	}
	r.errMu.Lock()
	r.errs[code]++
	r.errMu.Unlock()
}

// dropped accounts for a connection the server closed or that failed, a
// trainee's or the facilitator's.
func (r *run) dropped(err error, trainee bool) {
	if !trainee {
		r.n.facilitatorDrops.Add(1)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code == websocket.CloseTryAgainLater {
		r.n.dropsTooSlow.Add(1)
		return
	}
	r.n.dropsError.Add(1)
}

func (r *run) progress(format string, args ...any) {
	fmt.Fprintf(r.cfg.Progress, "loadtest: "+format+"\n", args...)
}

// participant returns the i-th trainee (or, for i < 0, a staff member)
// with its own cookie jar.
func (r *run) participant(i int, name, team string) *participant {
	var local *net.TCPAddr
	if r.spread && i >= 0 {
		local = sourceAddr(i)
	}
	return newParticipant(name, team, local, r.transport)
}

// Run carries out one load test and reports what it measured. It returns
// an error when the test could not be run (the server did not start, joins
// failed); a run that merely missed its targets returns a report, which
// Check compares with the gates.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	trainees := cfg.Trainees
	if cfg.Idle > 0 {
		trainees = cfg.Idle
	}
	if err := raiseFileLimit(trainees + 256); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, setupTimeout+cfg.loadTime()+time.Minute)
	defer cancel()

	rep = newReport(cfg, trainees)
	bases, key := []string{cfg.URL}, cfg.AdminKey
	var procs []*serverProcess
	if cfg.URL == "" {
		defer func() {
			if serr := stopServers(procs); serr != nil && err == nil {
				err = serr
			}
		}()
		if procs, err = startServers(ctx, cfg); err != nil {
			return nil, err
		}
		bases, key = nil, procs[0].key
		for _, sp := range procs {
			bases = append(bases, sp.url)
		}
		rep.StartedServer = true
	}
	r := newRun(cfg)
	defer r.transport.CloseIdleConnections()
	for i, base := range bases {
		u, err := CheckLoopback(base)
		if err != nil {
			return nil, err
		}
		u, ip, err := resolveLoopback(ctx, u)
		if err != nil {
			return nil, err
		}
		t := newTarget(i, u)
		if procs != nil {
			t.proc = procs[i]
			t.rep.PID = t.proc.pid()
		}
		r.servers = append(r.servers, t)
		if i == 0 {
			r.spread = canSpread(ip)
		}
	}
	rep.Target = r.servers[0].base
	if err := r.play(ctx, rep, key, trainees); err != nil {
		for i, sp := range procs {
			name := "server"
			if len(procs) > 1 {
				name = fmt.Sprintf("server %d", i+1)
			}
			err = fmt.Errorf("%w\n%s log (last lines):\n%s", err, name, sp.logTail(15))
		}
		return nil, err
	}
	return rep, nil
}

// play creates the exercise, connects everyone, loads the servers and
// fills in the report.
func (r *run) play(ctx context.Context, rep *Report, key string, trainees int) (err error) {
	cfg := r.cfg
	setupStart := time.Now()
	metricsClient := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: r.dialer.DialContext}}
	defer metricsClient.CloseIdleConnections()

	r.metricsClient = metricsClient
	length := time.Duration(cfg.Speed * float64(cfg.loadTime()+time.Minute))
	humans := make([]string, cfg.Teams)
	for i := range humans {
		humans[i] = TeamID(i)
	}
	owner := r.servers[0]
	admin := r.participant(-1, "admin", "")
	ex, err := createExercise(ctx, admin, owner.base, key, Scenario(cfg.Teams, length), cfg.Speed, humans)
	if err != nil {
		return err
	}
	r.exercise = ex.ID
	if err := r.waitFollowers(ctx, metricsClient); err != nil {
		return err
	}
	defer func() {
		for _, t := range r.servers {
			if t.smp != nil {
				t.smp.finish()
			}
		}
	}()
	for _, t := range r.servers {
		if t.rep.Baseline, err = scrape(ctx, metricsClient, t.base); err != nil {
			return err
		}
		t.smp = startSampler(metricsClient, t.base, t.pid(), t.rep.Baseline)
	}

	// Everyone who connects is closed at the end, whatever happens.
	var clients []*wsClient
	defer func() { r.shutdown(clients) }()

	fac := newWSClient(r, owner, r.participant(-1, "load-facilitator", ""), false)
	if err := fac.p.join(ctx, owner.base, ex.Codes.Facilitator); err != nil {
		return fmt.Errorf("facilitator join: %w", err)
	}
	if err := fac.connect(ctx); err != nil {
		return fmt.Errorf("facilitator WebSocket: %w", err)
	}
	clients = append(clients, fac)

	if len(r.servers) > 1 {
		r.progress("joining %d trainees in %d teams across %d servers", trainees, cfg.Teams, len(r.servers))
	} else {
		r.progress("joining %d trainees in %d teams", trainees, cfg.Teams)
	}
	ts := make([]*wsClient, trainees)
	for i := range ts {
		t := r.servers[i%len(r.servers)]
		t.trainees++
		ts[i] = newWSClient(r, t, r.participant(i, fmt.Sprintf("load-%04d", i+1), TeamID(i%cfg.Teams)), true)
	}
	if err := parallel(ctx, len(ts), func(i int) error {
		return ts[i].p.join(ctx, ts[i].srv.base, ex.Codes.Teams[ts[i].p.team])
	}); err != nil {
		return fmt.Errorf("trainee join: %w", err)
	}
	if cfg.Flood > 0 {
		// Its own address, after the trainees'.
		k := (trainees + joinsPerSource - 1) / joinsPerSource * joinsPerSource
		r.flood = newFlooder(r, owner, r.participant(k, "load-flooder", floodTeam), cfg.FloodText)
		if err := r.flood.p.join(ctx, owner.base, ex.Codes.Teams[floodTeam]); err != nil {
			return fmt.Errorf("flooder join: %w", err)
		}
	}
	joined := time.Now()
	r.progress("joined in %s; connecting", joined.Sub(setupStart).Round(time.Millisecond))
	var connected atomic.Int64
	var clientsMu sync.Mutex
	err = parallel(ctx, len(ts), func(i int) error {
		if err := ts[i].connect(ctx); err != nil {
			return err
		}
		connected.Add(1)
		clientsMu.Lock()
		clients = append(clients, ts[i])
		clientsMu.Unlock()
		return nil
	})
	if err != nil {
		return fmt.Errorf("trainee WebSocket (%d connected): %w", connected.Load(), err)
	}
	rep.Counts.Connected = int(connected.Load())
	rep.JoinSeconds = joined.Sub(setupStart).Seconds()
	rep.ConnectSeconds = time.Since(joined).Seconds()
	if err := fac.do(ctx, commandField{Type: "start", Text: "load test"}); err != nil {
		return fmt.Errorf("starting the exercise: %w", err)
	}
	if r.flood != nil {
		r.progress("%d connected in %s; loading for %s, then for %s more with one trainee of %s flooding over %d sockets", trainees+1, time.Since(joined).Round(time.Millisecond), cfg.Duration, cfg.Duration, floodTeam, cfg.Flood)
	} else {
		r.progress("%d connected in %s; loading for %s", trainees+1, time.Since(joined).Round(time.Millisecond), cfg.Duration)
	}

	windowStart := time.Now()
	for _, t := range r.servers {
		t.cpu = cpuSeconds(t.pid())
	}
	toolCPU := cpuSeconds(0)
	if cfg.Idle > 0 {
		err = sleep(ctx, cfg.Duration) // the idle phase
	} else {
		err = r.load(ctx, fac, ts)
	}
	if err != nil {
		return err
	}
	rep.WindowSeconds = time.Since(windowStart).Seconds()
	for _, t := range r.servers {
		if now := cpuSeconds(t.pid()); t.pid() > 0 && t.cpu >= 0 && now >= 0 {
			t.rep.CPUSeconds = now - t.cpu
		}
	}
	if now := cpuSeconds(0); toolCPU >= 0 && now >= 0 {
		rep.ToolCPUSeconds = now - toolCPU
	}
	r.settle(ctx, clients, trainees)
	giveUp(clients)

	for _, t := range r.servers {
		end, err := scrape(ctx, metricsClient, t.base)
		if err != nil {
			return err
		}
		t.rep.End = end
		t.smp.add(end)
		if ps, ok := readProcStatus(t.pid()); ok && t.pid() > 0 {
			t.rep.Proc = &ps
		}
		t.rep.Peak = t.smp.finish()
	}
	if err := fac.do(ctx, commandField{Type: "end", Text: "load test over"}); err != nil {
		r.progress("ending the exercise: %v", err)
	}
	r.fill(rep, trainees)
	return nil
}

// load runs the active phase: trainees act every interval from a random
// start, the facilitator sends an ad-hoc inject every AdHocEvery.
func (r *run) load(ctx context.Context, fac *wsClient, ts []*wsClient) error {
	cfg := r.cfg
	stop := make(chan struct{})
	for _, c := range ts {
		r.actors.Add(1)
		go c.actLoop(stop, rand.N(cfg.Interval), cfg.Interval)
		if cfg.MessageEvery > 0 {
			r.actors.Add(1)
			go c.messageLoop(stop, rand.N(cfg.MessageEvery), cfg.MessageEvery)
		}
	}
	defer func() {
		close(stop)
		r.actors.Wait()
	}()
	defer r.flood.stop() // before the actors stop
	r.mark(ctx, 0)
	window := time.NewTimer(cfg.Duration)
	defer window.Stop()
	tick := time.NewTicker(cfg.AdHocEvery)
	defer tick.Stop()
	for k := 1; ; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-window.C:
			if r.flood == nil || r.flood.start.Load() != 0 {
				r.mark(ctx, 2)
				return nil
			}
			r.mark(ctx, 1)
			r.progress("flooding")
			r.flood.begin(ctx, cfg.Flood)
			window.Reset(cfg.Duration)
			continue
		case <-tick.C:
		}
		cmd := commandField{Type: "send_inject", AdHoc: &adHoc{
			Title: fmt.Sprintf("%s%d", probePrefix, k), Body: "A probe of the load test: how long it takes to reach every trainee.",
			Channel: "email", To: []string{"all"}, Severity: "low",
		}}
		if _, err := fac.send(cmd, k, false); err == nil {
			r.n.facilitatorCommands.Add(1)
			k++
		}
	}
}

// mark keeps the owner's metrics at the i-th boundary of a flood run.
func (r *run) mark(ctx context.Context, i int) {
	if r.flood == nil {
		return
	}
	if m, err := scrape(ctx, r.metricsClient, r.servers[0].base); err == nil {
		r.flood.marks[i] = m
	}
}

// settle waits, up to settleTimeout, for the answers to every command and
// for every trainee to receive every accepted probe.
func (r *run) settle(ctx context.Context, clients []*wsClient, trainees int) {
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		busy := r.n.probeDeliveries.Load() < int64(r.probes.accepted()*trainees)
		for _, c := range clients {
			if busy {
				break
			}
			busy = c.outstanding() > 0
		}
		if !busy {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// giveUp counts the commands still waiting for an answer after settle as
// unanswered: the server had the load's whole end and settleTimeout more.
func giveUp(clients []*wsClient) {
	for _, c := range clients {
		c.failPending()
	}
}

// shutdown closes every client: a close frame first, so the server sees
// ordinary departures, then the connections of those that have not gone,
// then it waits for every goroutine the clients started.
func (r *run) shutdown(clients []*wsClient) {
	for _, c := range clients {
		c.sayGoodbye()
	}
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	r.cancelClient()
	for _, c := range clients {
		c.close()
	}
	<-done
}

// parallel runs fn(0..n-1) on a few goroutines and returns the first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// sampler scrapes the server's metrics twice a second and keeps the peak.
type sampler struct {
	mu   sync.Mutex
	peak ServerMetrics
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func startSampler(c *http.Client, base string, pid int, first ServerMetrics) *sampler {
	s := &sampler{peak: first, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			m, err := scrape(ctx, c, base)
			cancel()
			if err == nil {
				if ps, ok := readProcStatus(pid); ok && pid > 0 {
					m.RSSBytes = max(m.RSSBytes, ps.VmRSSBytes)
				}
				s.add(m)
			}
		}
	}()
	return s
}

// add folds one scrape into the peak.
func (s *sampler) add(m ServerMetrics) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.peak
	p.RSSBytes = max(p.RSSBytes, m.RSSBytes)
	p.HeapAllocBytes = max(p.HeapAllocBytes, m.HeapAllocBytes)
	p.Connections = max(p.Connections, m.Connections)
	p.SendQueueDrops = max(p.SendQueueDrops, m.SendQueueDrops)
	p.Goroutines = max(p.Goroutines, m.Goroutines)
	p.MessagesSent = max(p.MessagesSent, m.MessagesSent)
	p.CommandsTotal = max(p.CommandsTotal, m.CommandsTotal)
	p.RejectedTotal = max(p.RejectedTotal, m.RejectedTotal)
	p.EventsTotal = max(p.EventsTotal, m.EventsTotal)
	p.ExercisesLoaded = max(p.ExercisesLoaded, m.ExercisesLoaded)
}

// finish stops sampling and returns the peak.
func (s *sampler) finish() ServerMetrics {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// newReport starts the report with the run's settings.
func newReport(cfg Config, trainees int) *Report {
	mode := "active"
	switch {
	case cfg.Idle > 0:
		mode = "idle"
	case cfg.Flood > 0:
		mode = "flood"
	}
	return &Report{
		Mode: mode, Started: time.Now().UTC().Truncate(time.Second),
		Settings: Settings{Trainees: trainees, Teams: cfg.Teams, Duration: cfg.Duration.String(), Interval: cfg.Interval.String(),
			Speed: cfg.Speed, AdHocEvery: cfg.AdHocEvery.String(), MessageEvery: durationOrEmpty(cfg.MessageEvery), Flood: cfg.Flood, FloodText: cfg.FloodText},
		Machine: Machine{OS: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(),
			LoadAverage: [2]float64{loadAverage(), 0}},
	}
}

// fill copies the measurements into the report.
func (r *run) fill(rep *Report, trainees int) {
	rep.Delivery, rep.RTT, rep.FacilitatorRTT = r.delivery.Stats(), r.rtt.Stats(), r.facilitatorRTT.Stats()
	rep.MessageDelivery = r.messageDelivery.Stats()
	first, last := r.probes.spread(allServers)
	rep.DeliveryFirst, rep.DeliveryLast = first.Stats(), last.Stats()
	rep.DeliveryAtSocket, rep.DeliveryLastAtSocket = r.deliveryAtSocket.Stats(), r.probes.socketSpread().Stats()
	n := &r.n
	c := &rep.Counts
	c.Commands, c.Acks, c.Unanswered = n.commands.Load(), n.acks.Load(), n.unanswered.Load()
	c.WriteErrors = n.writeErrors.Load()
	c.SkippedNoInject, c.SkippedOffline = n.skippedNoInject.Load(), n.skippedOffline.Load()
	c.FacilitatorCommands, c.FacilitatorAcks = n.facilitatorCommands.Load(), n.facilitatorAcks.Load()
	r.errMu.Lock()
	c.Errors = map[string]int64{}
	for k, v := range r.errs {
		c.Errors[k] = v
		c.ErrorsTotal += v
	}
	r.errMu.Unlock()
	c.ProbesAccepted = int64(r.probes.accepted())
	c.ProbeDeliveries = n.probeDeliveries.Load()
	c.ProbeDeliveriesExpected = c.ProbesAccepted * int64(trainees)
	c.ProbeDeliveriesMissing = max(0, c.ProbeDeliveriesExpected-c.ProbeDeliveries)
	c.ScheduledDeliveries, c.StaffDeliveries = n.scheduledDeliveries.Load(), n.staffDeliveries.Load()
	c.Duplicates = n.duplicates.Load()
	c.TeamMessagesSent, c.TeamMessagesReceived = n.messagesSent.Load(), n.messagesReceived.Load()
	c.Messages, c.Frames, c.Events, c.Statuses, c.Malformed = n.messages.Load(), n.frames.Load(), n.events.Load(), n.statuses.Load(), n.malformed.Load()
	c.UnstampedFrames = n.unstampedFrames.Load()
	c.DropsTooSlow, c.DropsError = n.dropsTooSlow.Load(), n.dropsError.Load()
	c.FacilitatorDrops = n.facilitatorDrops.Load()
	c.Drops = c.DropsTooSlow + c.DropsError
	c.Reconnects, c.ReconnectFailures = n.reconnects.Load(), n.reconnectFailures.Load()

	for i, t := range r.servers {
		connections := int64(t.trainees)
		if i == 0 {
			connections++ // the facilitator
		}
		t.rep.finish(connections)
	}
	rep.Server = r.servers[0].rep
	if r.cfg.Store != "" {
		rep.Store = redactURL(r.cfg.Store)
	}
	if len(r.servers) > 1 {
		for _, t := range r.servers {
			rep.Servers = append(rep.Servers, t.share(&r.probes, c.ProbesAccepted))
		}
	}
	if r.flood != nil {
		rep.Flood = r.flood.report(r.cfg.Flood)
	}
	if ps, ok := readProcStatus(0); ok {
		rep.ToolPeakRSSBytes = ps.VmHWMBytes
	}
	rep.Machine.LoadAverage[1] = loadAverage()
}
