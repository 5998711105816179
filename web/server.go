package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
)

// Limits on HTTP input.
const (
	// MaxScenarioUpload is the largest scenario a facilitator may upload.
	MaxScenarioUpload = 1 << 20
	// maxJSONBody bounds every other JSON request body.
	maxJSONBody = 64 << 10
	// ipCommandRate and ipCommandBurst bound the WebSocket messages of all
	// connections from one client IP together.
	ipCommandRate  = 1000
	ipCommandBurst = 2000
	// historyRate and historyBurst bound one session's history requests
	// (GET /api/exercises/{id}/events): a console asks at most ten times
	// a click, and each request may look at 20,000 events.
	historyRate  = 20
	historyBurst = 40
	// historyAddressRate and historyAddressBurst bound the history
	// requests of all sessions from one client address together, so that
	// joining many times does not multiply the budget (a room of consoles
	// behind one NAT still pages back freely).
	historyAddressRate  = 200
	historyAddressBurst = 400
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "cmesim_session"

// Config configures a Server.
type Config struct {
	// AdminKey protects creating exercises. It must not be empty.
	AdminKey string
	// AllowedOrigins are browser origins besides the server's own that may
	// open WebSockets ("https://cme.example.org").
	AllowedOrigins []string
	// SecureCookies marks cookies Secure (set when serving TLS).
	SecureCookies bool
	// Log receives the server's log; the zero value logs nothing.
	Log zerolog.Logger
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// AfterFunc runs f once d has passed on the wall clock and returns a
	// function that cancels it (scheduled starts); nil means
	// time.AfterFunc. Tests pass a clock they move by hand, with Now.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// Store keeps exercises, their logs and sessions; nil keeps them in
	// memory only (acknowledgements then do not wait for a disk).
	Store store.Store
	// Cluster, if set, makes this server one of several sharing Store,
	// which must then implement store.Cluster (see ClusterConfig).
	Cluster *ClusterConfig
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; from any other peer the header is ignored.
	TrustedProxies []netip.Prefix
	// MaxSocketsPerSession and MaxSocketsPerIP cap the WebSockets open at
	// once per session and per client address: 0 means the default
	// (DefaultMaxSocketsPerSession, DefaultMaxSocketsPerIP), a negative
	// value no cap.
	MaxSocketsPerSession int
	MaxSocketsPerIP      int
	// WriteTimeout is how long a write to a client's WebSocket may take
	// before the server gives up on that client (0: 10 s). A client that
	// stops reading is dropped sooner when its send queue fills.
	WriteTimeout time.Duration
	// StaffSendQueue is how many messages a staff connection may fall
	// behind before it is dropped (0: DefaultStaffSendQueue); a trainee's
	// connection may fall 256 behind.
	StaffSendQueue int
	// Quotas bound the commands and text per session and team a minute;
	// zero fields mean DefaultQuotas'.
	Quotas Quotas
}

// Server is the live-exercise HTTP server. Create it with New; it is an
// http.Handler.
//
// Server itself creates, restores and closes exercises, holds the route
// table and serves the live exercises (the exercise view, the WebSockets,
// HTTP commands); the other jobs are its fields, each with its own routes
// and only what it needs: auth (sign-in, sessions, route guards, join
// codes), reports, library, schedule, storage and cluster.
type Server struct {
	cfg      Config
	log      zerolog.Logger
	now      func() time.Time
	ctx      context.Context
	cancel   context.CancelFunc
	mux      *http.ServeMux
	handler  http.Handler
	upgrader websocket.Upgrader
	sessions *sessions
	metrics  *metrics

	exercises *exerciseSet // the exercises this server runs or follows
	storage   *storage     // new and damaged exercises, readiness

	auth       *auth       // sign-in, sessions and route guards
	library    *library    // the scenario library (library.go)
	ipCommands *limiterMap // per client address, WebSocket messages
	histories  *limiterMap // per session, history requests
	historyIPs *limiterMap // per client address, history requests
	quotas     *quotas     // per session and team, commands and text
	reports    *reports    // the reports, AAR and debriefs
	schedule   *scheduler  // scheduled starts
	sockets    *socketRegistry
	security   *securityLog
	// securityDone closes once the security log's last summary is written.
	securityDone chan struct{}

	connMu sync.Mutex
	conns  map[*conn]struct{} // open WebSockets, closed by Close

	// cluster shares the exercises with the other servers, if any.
	cluster *cluster
}

// New returns a Server with no exercises.
func New(cfg Config) (*Server, error) {
	if len(cfg.AdminKey) < 16 {
		return nil, errors.New("web: the admin key must be at least 16 characters")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &metrics{}
	s := &Server{
		cfg: cfg, log: cfg.Log, now: now, ctx: ctx, cancel: cancel,
		sessions: newSessions(now), metrics: m, exercises: newExerciseSet(m),
		library:    &library{log: cfg.Log, monteCarlo: make(chan struct{}, 1)},
		ipCommands: newLimiterMap(ipCommandRate, ipCommandBurst),
		histories:  newLimiterMap(historyRate, historyBurst),
		historyIPs: newLimiterMap(historyAddressRate, historyAddressBurst),
		reports:    &reports{log: cfg.Log, ctx: ctx, builds: newReportBuilds(maxReportBuilds)},
		sockets:    newSocketRegistry(cfg.MaxSocketsPerSession, cfg.MaxSocketsPerIP),
		security:   newSecurityLog(cfg.Log, now),
		conns:      map[*conn]struct{}{},
	}
	s.quotas = newQuotas(cfg.Quotas)
	s.schedule = &scheduler{log: cfg.Log, ctx: ctx, now: now, afterFunc: cfg.AfterFunc}
	// Forwarded commands come in bursts (a room acting at once): keep
	// enough idle connections to the owner that a burst reuses them instead
	// of opening new ones (the default keeps 2 per host).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	s.cluster = &cluster{log: cfg.Log, ctx: ctx, store: cfg.Store, exercises: s.exercises, sessions: s.sessions, srv: s,
		forwarder: &http.Client{Timeout: 15 * time.Second, Transport: transport}, expiring: make(chan string, 64)}
	if cfg.Cluster != nil {
		c, ok := cfg.Store.(store.Cluster)
		if !ok {
			return nil, errors.New("web: several servers need a store they can share (PostgreSQL)")
		}
		if cfg.Cluster.Holder.ID == "" || cfg.Cluster.Holder.Address == "" {
			return nil, errors.New("web: a clustered server needs an id and an address the others can reach")
		}
		s.cluster.db, s.cluster.holder, s.cluster.lease = c, cfg.Cluster.Holder, cfg.Cluster.Lease
		if s.cluster.lease == 0 {
			s.cluster.lease = DefaultLease
		}
		if s.cluster.lease < 300*time.Millisecond {
			return nil, errors.New("web: the lease must be at least 300ms")
		}
	}
	writes := &storeHealth{} // the last write to the store outside the logs
	s.storage = &storage{log: cfg.Log, ctx: ctx, store: cfg.Store, writes: writes, exercises: s.exercises}
	s.auth = &auth{log: cfg.Log, ctx: ctx, store: cfg.Store, writes: writes,
		adminKey: cfg.AdminKey, secureCookies: cfg.SecureCookies, proxies: cfg.TrustedProxies,
		sessions: s.sessions, exercises: s.exercises, cluster: s.cluster, closeSockets: s.closeSession,
		metrics: s.metrics, security: s.security,
		joinGuard: newSignInGuard(), adminGuard: newSignInGuard(),
		// Unknown session cookies cost a database query each: bound them,
		// so a flood of made-up cookies cannot load the database. A real
		// client new to this server looks its session up once.
		lookups:   rate.NewLimiter(1000, 2000),
		ipLookups: newLimiterMap(lookupRate, lookupBurst),
		unknown:   newNegativeCache(unknownCookieTTL, now),
	}
	s.upgrader = websocket.Upgrader{
		// Small read buffers (client messages are small and rare) and write
		// buffers lent from a pool only while a message is being written:
		// idle connections then hold no buffers of their own.
		ReadBufferSize:    1024,
		WriteBufferSize:   4096,
		WriteBufferPool:   &sync.Pool{},
		HandshakeTimeout:  10 * time.Second,
		CheckOrigin:       s.checkOrigin,
		EnableCompression: false,
	}
	s.routes()
	s.securityDone = make(chan struct{})
	go func() {
		defer close(s.securityDone)
		s.security.run(ctx.Done(), securityLogPeriod)
	}()
	return s, nil
}

// ServeHTTP serves the API, the WebSockets and the UI.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops every exercise and closes every WebSocket. In a cluster it
// then releases the leases of the exercises it owned, so that the other
// servers take them over at once.
func (s *Server) Close() {
	s.cancel()
	if s.cluster.done != nil {
		<-s.cluster.done
	}
	s.cluster.reloadMu.Lock() // no reload in progress or to come
	defer s.cluster.reloadMu.Unlock()
	s.connMu.Lock()
	for c := range s.conns {
		c.ws.Close()
	}
	s.connMu.Unlock()
	var owned []string
	for _, le := range s.exercises.all() {
		le.stop("the server is shutting down; reconnecting")
		if le.remote == nil && !le.x.Ended() {
			owned = append(owned, le.id)
		}
	}
	if s.cluster.db != nil {
		s.cluster.releaseAll(owned)
	}
	s.cluster.forwarder.CloseIdleConnections()
	<-s.securityDone // the repeated security events are logged
}

// checkOrigin accepts WebSocket upgrades from the server's own origin or a
// configured one; a request without Origin (not a browser) is accepted, as
// the session cookie still has to be valid.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || s.originAllowed(r, origin) {
		return true
	}
	s.security.record(secOriginRejected, s.clientIP(r), "WebSocket from another origin: "+truncate(origin, 100))
	return false
}

// originAllowed reports whether a browser origin is the server's own (same
// host and port) or one of Config.AllowedOrigins.
func (s *Server) originAllowed(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return slices.Contains(s.cfg.AllowedOrigins, strings.TrimRight(origin, "/"))
}

// CreateRequest asks for a new exercise.
type CreateRequest struct {
	// Scenario names a bundled scenario; YAML holds an uploaded one.
	Scenario string `json:"scenario,omitempty"`
	YAML     string `json:"yaml,omitempty"`
	Seed     uint64 `json:"seed,omitempty"`
	// Speed is the pace in multiples of real time; 0 means 1.
	Speed  float64  `json:"speed,omitempty"`
	Humans []string `json:"humans,omitempty"`
	// StartAt schedules the start at a real time (schedule.go).
	StartAt *time.Time `json:"start_at,omitempty"`
}

// ExerciseInfo describes a created exercise to the admin who created it.
type ExerciseInfo struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// TitleLang is the language of Title, in the answers of the admin's
	// API (the exercise list, a creation): the one asked for when the
	// scenario translates its title into it, else the scenario's own.
	TitleLang string        `json:"title_lang,omitempty"`
	Status    engine.Status `json:"status,omitempty"`
	// Now is the exercise's clock (virtual ns), in the exercise list.
	Now     *time.Duration `json:"now,omitempty"`
	Created time.Time      `json:"created"`
	Codes   exerciseCodes  `json:"codes"`
	// TeamNames maps each team's id to its name, for the join codes.
	TeamNames map[string]string `json:"team_names,omitempty"`
	// Damage is set, with Status "damaged", for an exercise whose stored
	// log or scenario cannot be brought back.
	Damage *Damage `json:"damage,omitempty"`
}

// teamNames maps each team of scn to its name.
func teamNames(scn *scenarios.Scenario) map[string]string {
	out := make(map[string]string, len(scn.Teams))
	for _, t := range scn.Teams {
		out[t.ID] = t.Name
	}
	return out
}

// ProblemsError is a scenario that failed validation.
type ProblemsError struct{ Problems scenarios.Problems }

func (e *ProblemsError) Error() string {
	return fmt.Sprintf("the scenario is invalid (%d errors)", len(e.Problems.Errors()))
}

// CreateExercise loads a scenario and starts a new exercise of it, ready
// for a facilitator to start. With a store, the exercise is stored first.
func (s *Server) CreateExercise(req CreateRequest) (*ExerciseInfo, error) {
	var scn *scenarios.Scenario
	var problems scenarios.Problems
	var source []byte
	name := req.Scenario
	switch {
	case req.YAML != "" && req.Scenario != "":
		return nil, engine.Errorf(engine.CodeInvalid, "give either a bundled scenario or an uploaded one, not both")
	case req.YAML != "":
		if len(req.YAML) > MaxScenarioUpload {
			return nil, engine.Errorf(engine.CodeInvalid, "the scenario is larger than %d bytes", MaxScenarioUpload)
		}
		name, source = "upload.yaml", []byte(req.YAML)
		scn, problems = scenarios.Parse(name, source)
	case slices.Contains(scenarios.Library(), req.Scenario):
		scn, problems = scenarios.LoadLibrary(req.Scenario)
		source, _ = scenarios.LibrarySource(req.Scenario)
	case req.Scenario == "":
		return nil, engine.Errorf(engine.CodeInvalid, "choose a bundled scenario or upload one")
	default:
		return nil, engine.Errorf(engine.CodeNotFound, "no bundled scenario named %q", req.Scenario)
	}
	if scn == nil {
		return nil, &ProblemsError{Problems: problems.Errors()}
	}
	speed := req.Speed
	if speed == 0 {
		speed = 1
	}
	if !(speed > 0 && speed <= 10000) {
		return nil, engine.Errorf(engine.CodeInvalid, "speed must be between 0 and 10000")
	}
	for _, h := range req.Humans {
		if scn.TeamIndex(h) < 0 {
			return nil, engine.Errorf(engine.CodeNotFound, "the scenario has no team %q", h)
		}
	}
	if req.StartAt != nil {
		if err := s.schedule.checkStartAt(*req.StartAt); err != nil {
			return nil, err
		}
	}
	id := uuid.NewString()
	codes := newCodes(scn)
	created := s.now()
	if s.cfg.Store != nil {
		codesJSON, _ := json.Marshal(codes)
		meta := &store.Exercise{ID: id, Created: created, Scenario: name, Source: source, Seed: req.Seed, Humans: req.Humans, Speed: speed, Codes: codesJSON, Files: scn.Files()}
		if err := s.storage.storeExercise(meta); err != nil {
			return nil, err
		}
	}
	le := s.newLive(id, scn, codes, created, 0)
	held, _, err := s.cluster.claim(s.ctx, le, nil)
	if err != nil {
		return nil, fmt.Errorf("claiming the new exercise: %w", err)
	}
	if !held {
		// Another server, restoring at this very moment, took it first:
		// it runs there, and this one follows it.
		s.cluster.loadUnknown(id)
		if _, ok := s.exercises.get(id); !ok {
			return nil, errors.New("another server took the new exercise and this one cannot follow it; see the log")
		}
		return &ExerciseInfo{ID: id, Title: scn.Exercise.Title, Created: created, Codes: codes, TeamNames: teamNames(scn)}, nil
	}
	if err := s.launch(le, engine.Options{Seed: req.Seed, Humans: req.Humans}, speed); err != nil {
		return nil, err
	}
	if err := s.schedule.scheduleOnCreate(le, req.StartAt); err != nil {
		le.stop("")
		return nil, err
	}
	// Created means stored: wait for the first events to be written.
	if err := le.persist.waitAll(s.ctx); err != nil {
		le.stop("")
		if c := engine.Code(err); c == codeUnavailable || c == codeNotStored {
			// Not created: the answer invites trying again.
			err = engine.Errorf(codeUnavailable, "the new exercise cannot be stored right now; try again in a moment")
		}
		return nil, err
	}
	s.exercises.register(le)
	s.cluster.notify(store.Notice{Kind: store.NoticeExercise, Exercise: id})
	s.log.Info().Str("exercise", id).Str("scenario", scn.Exercise.ID).Msg("exercise created")
	s.cluster.place(le)
	return &ExerciseInfo{ID: id, Title: scn.Exercise.Title, Created: le.created, Codes: le.codes, TeamNames: teamNames(scn)}, nil
}

// launch creates a new engine for le and starts playing it, recording a
// pace other than real time in the log.
func (s *Server) launch(le *liveExercise, opts engine.Options, speed float64) error {
	opts.OnEvent = le.publish
	x, err := engine.New(le.scn, opts)
	if err != nil {
		return err
	}
	le.run(x, speed)
	if speed != 1 {
		// Record the pace in the log, so every console and the report see it.
		cmd := engine.Command{Type: engine.CmdSetSpeed, By: engine.Principal{Role: engine.RoleFacilitator, Name: "setup"}, Speed: speed}
		if _, err := le.runner.Do(s.ctx, cmd); err != nil {
			le.stop("")
			return err
		}
	}
	return nil
}

// newLive prepares an exercise that this server may own: its log's writer
// starts at durable, and losing the log to another writer reloads it.
func (s *Server) newLive(id string, scn *scenarios.Scenario, codes exerciseCodes, created time.Time, durable uint64) *liveExercise {
	le := newLiveExercise(id, scn, codes, created, s.metrics, newPersister(s.cfg.Store, id, durable, s.log))
	s.schedule.prepareStart(le)
	if s.cluster.db != nil {
		var lost sync.Once
		le.persist.onLost = func() {
			lost.Do(func() { go s.cluster.reload(id, le, "the exercise moved to another server; reconnecting") })
		}
		le.persist.mayWrite = func() bool { return time.Now().UnixNano() < le.leaseUntil.Load() }
		le.tick = func(seq uint64, at time.Duration) {
			s.cluster.notify(store.Notice{Kind: store.NoticeClock, Exercise: id, Seq: seq, At: at})
		}
	}
	return le
}

// Restore brings back every stored exercise by replaying its log, and the
// stored sessions. An exercise that was running resumes paused, with its
// clock where the log stopped: the facilitator resumes it. It returns how
// many exercises were restored; one that cannot be rebuilt is logged and
// skipped, never reset. In a cluster, Restore first listens to the other
// servers, takes the exercises nobody owns and follows the others, then
// keeps doing so until Close.
func (s *Server) Restore(ctx context.Context) (int, error) {
	st := s.cfg.Store
	if st == nil {
		return 0, nil
	}
	var notices <-chan store.Notice
	if s.cluster.db != nil {
		var err error
		if notices, err = s.cluster.db.Listen(s.ctx); err != nil {
			return 0, fmt.Errorf("listening to the other servers: %w", err)
		}
	}
	sessions, err := st.Sessions(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading sessions: %w", err)
	}
	exercises, err := st.Exercises(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading exercises: %w", err)
	}
	n := 0
	for i := range exercises {
		if err := s.restore(ctx, &exercises[i], engine.PauseServerRestarted); err != nil {
			s.log.Error().Err(err).Str("exercise", exercises[i].ID).Msg("cannot restore the exercise; it stays stored, untouched, and is listed as damaged")
			s.storage.markDamaged(ctx, &exercises[i], err)
			continue
		}
		n++
	}
	for _, ss := range sessions {
		s.sessions.load(&Session{Token: ss.Token, Exercise: ss.Exercise, Role: engine.Role(ss.Role), Team: ss.Team, Name: ss.Name, Expires: ss.Expires})
	}
	if notices != nil {
		s.cluster.done = make(chan struct{})
		go s.cluster.loop(notices)
	}
	return n, nil
}

// restore rebuilds a stored exercise from its log: as its owner if this
// server can be (a running exercise then resumes paused, with why as the
// reason; "" says the previous owner stopped), otherwise as a follower of
// the server that owns it.
func (s *Server) restore(ctx context.Context, meta *store.Exercise, why string) error {
	if err := checkLogVersion(meta); err != nil {
		return err
	}
	scn, problems := scenarios.ParseWith(meta.Scenario, meta.Source, scenarios.FileMap(meta.Files))
	if scn == nil {
		return fmt.Errorf("its scenario no longer validates:\n%s", problems.Errors())
	}
	var codes exerciseCodes
	if err := json.Unmarshal(meta.Codes, &codes); err != nil {
		return fmt.Errorf("its join codes are unreadable: %w", err)
	}
	events, err := s.cfg.Store.Events(ctx, meta.ID, 0)
	if err != nil {
		return err
	}
	le := s.newLive(meta.ID, scn, codes, meta.Created, uint64(len(events)))
	held, owner, err := s.cluster.claim(ctx, le, events)
	if err != nil {
		return fmt.Errorf("claiming its lease: %w", err)
	}
	if !held {
		return s.restoreFollower(le, meta, events, owner)
	}
	if err := s.restoreOwned(ctx, le, meta, events, why); err != nil {
		if s.cluster.db != nil {
			// Let another server try: this one cannot run it.
			rctx, cancel := context.WithTimeout(context.Background(), s.cluster.lease/3)
			s.cluster.db.Release(rctx, meta.ID, s.cluster.holder.ID)
			cancel()
		}
		return err
	}
	return nil
}

// restoreOwned rebuilds an exercise this server owns from its log.
func (s *Server) restoreOwned(ctx context.Context, le *liveExercise, meta *store.Exercise, events []engine.Event, why string) error {
	scn := le.scn
	if len(events) == 0 {
		// Stored, but the server stopped before its first event was
		// written: start it afresh with the options it was created with.
		if err := s.launch(le, engine.Options{Seed: meta.Seed, Humans: meta.Humans}, meta.Speed); err != nil {
			return err
		}
		s.exercises.register(le)
		return nil
	}
	x, err := s.replayOwned(ctx, meta, scn, events)
	if err != nil {
		return err
	}
	le.x = x
	le.fan.restored(uint64(len(events))) // stored, so durable
	for i := range events {
		le.record(&events[i])
	}
	for _, e := range x.Events()[len(events):] { // finished the instant the log was cut in
		le.publish(e)
	}
	x.SetOnEvent(le.publish)
	// Read what the log left before the runner starts: from then on only
	// the runner's goroutine may touch x (through le.inspect).
	running := x.State().Status == engine.StatusRunning
	scheduled := x.State().ScheduledStart // nil unless still ready
	le.run(x, x.State().Speed)
	le.start.arm(scheduled) // a time already past starts it at once
	if running {
		if why == "" {
			why = engine.PauseServerStopped
		}
		pause := engine.Command{Type: engine.CmdPause, By: engine.Principal{Role: engine.RoleFacilitator, Name: "server"}, Text: why}
		if _, err := le.runner.Do(ctx, pause); err != nil {
			le.stop("")
			return err
		}
	}
	s.exercises.register(le)
	var count int
	var status engine.Status
	if err := le.inspect(ctx, func(x *engine.Exercise) { count, status = len(x.Events()), x.State().Status }); err != nil {
		// It ended the instant it was restored, or the server is stopping:
		// the log line below is all that is lost.
		count, status = len(events), ""
	}
	s.log.Info().Str("exercise", meta.ID).Int("events", count).Str("status", string(status)).Msg("exercise restored")
	return nil
}

// restoreFollower rebuilds an exercise that another server owns, and
// follows its log.
func (s *Server) restoreFollower(le *liveExercise, meta *store.Exercise, events []engine.Event, owner string) error {
	var x *engine.Exercise
	var err error
	if len(events) == 0 { // its owner has not written the first event yet
		x, err = engine.New(le.scn, engine.Options{Seed: meta.Seed, Humans: meta.Humans})
	} else {
		x, err = replayStored(meta, le.scn, events)
	}
	if err != nil {
		return err
	}
	le.persist = newPersister(nil, meta.ID, 0, s.log)
	le.tick = nil
	le.x = x
	for _, e := range x.Events() {
		le.record(&e)
	}
	s.cluster.follow(le, x, uint64(len(events)), owner)
	s.exercises.register(le)
	s.log.Info().Str("exercise", meta.ID).Int("events", len(events)).Str("owner", owner).Msg("following the exercise")
	return nil
}

// Join signs a participant in with a join code; name is required for
// trainees. It returns the new session.
//
// Codes work on every server: a code this server does not know yet may
// belong to an exercise another server has just created, which this one
// learns of only through a notice; so on a miss it looks the code up in the
// store and loads that exercise before answering. Only a code that is in no
// exercise fails with CodeNotFound; a store that cannot answer gives
// codeUnavailable, which is no failed sign-in.
func (s *Server) Join(ctx context.Context, code, name string) (*Session, error) {
	return s.auth.join(ctx, code, name)
}

// ipCommandLimiter is shared by every WebSocket from one client IP, so
// opening many connections does not multiply what one host may send. It is
// generous: a whole delegation behind one hotel NAT shares it.
func (s *Server) ipCommandLimiter(r *http.Request) *rate.Limiter {
	return s.ipCommands.get(s.clientIP(r))
}

// copyEvents returns a copy of an exercise's log as far as it is durable.
func (le *liveExercise) copyEvents(ctx context.Context) ([]engine.Event, error) {
	var events []engine.Event
	err := le.inspect(ctx, func(x *engine.Exercise) { events = slices.Clone(x.Events()) })
	if err != nil && le.ended() {
		// The runner has stopped (the exercise ended): its log is final and
		// no goroutine changes it any more.
		events, err = slices.Clone(le.x.Events()), nil
	}
	if err != nil {
		return nil, err
	}
	return events[:min(len(events), int(le.fan.deliveredSeq()))], nil
}

// drain discards a request body's rest so the connection can be reused.
func drain(r io.Reader) { io.Copy(io.Discard, io.LimitReader(r, maxJSONBody)) }
