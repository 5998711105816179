package web

import (
	"context"
	"crypto/subtle"
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
	"unicode/utf8"

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
	// Quotas bound the commands and text per session and team a minute;
	// zero fields mean DefaultQuotas'.
	Quotas Quotas
}

// Server is the live-exercise HTTP server. Create it with New; it is an
// http.Handler.
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

	mu        sync.RWMutex
	exercises map[string]*liveExercise
	order     []string                // exercise ids in creation order
	codes     map[string]codeEntry    // normalised code → who it admits
	damaged   map[string]ExerciseInfo // stored exercises that cannot be restored
	writes    storeHealth             // the last write of a session

	joinGuard  *signInGuard // per client address, wrong join codes
	adminGuard *signInGuard // per client address, wrong admin keys
	// monteCarlo holds a token while a Monte Carlo preview runs (library.go).
	monteCarlo chan struct{}
	ipCommands *limiterMap   // per client address, WebSocket messages
	quotas     *quotas       // per session and team, commands and text
	reports    *reportBuilds // report builds running
	sockets    *socketRegistry
	security   *securityLog
	// securityDone closes once the security log's last summary is written.
	securityDone chan struct{}

	connMu sync.Mutex
	conns  map[*conn]struct{} // open WebSockets, closed by Close

	// With a cluster: the shared store, this server, the lease time, the
	// client that forwards commands to other servers, and the cluster loop.
	cluster     store.Cluster
	holder      store.Holder
	lease       time.Duration
	forwarder   *http.Client
	expiring    chan string   // exercises whose owner's lease is about to expire
	lookups     *rate.Limiter // database lookups of sessions signed in elsewhere
	ipLookups   *limiterMap   // the same, per client address
	unknown     *negativeCache
	reloadMu    sync.Mutex    // one reload at a time
	clusterDone chan struct{} // closed when the cluster loop stops; nil without one
}

// codeEntry is who a join code admits.
type codeEntry struct {
	exercise string
	role     engine.Role
	team     string
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
	s := &Server{
		cfg: cfg, log: cfg.Log, now: now, ctx: ctx, cancel: cancel,
		sessions: newSessions(now), metrics: &metrics{},
		exercises: map[string]*liveExercise{}, codes: map[string]codeEntry{},
		joinGuard: newSignInGuard(), adminGuard: newSignInGuard(), monteCarlo: make(chan struct{}, 1),
		ipCommands: newLimiterMap(ipCommandRate, ipCommandBurst),
		reports:    newReportBuilds(maxReportBuilds),
		sockets:    newSocketRegistry(cfg.MaxSocketsPerSession, cfg.MaxSocketsPerIP),
		security:   newSecurityLog(cfg.Log, now),
		ipLookups:  newLimiterMap(lookupRate, lookupBurst),
		unknown:    newNegativeCache(unknownCookieTTL, now),
		conns:      map[*conn]struct{}{},
	}
	s.quotas = newQuotas(cfg.Quotas)
	if cfg.Cluster != nil {
		c, ok := cfg.Store.(store.Cluster)
		if !ok {
			return nil, errors.New("web: several servers need a store they can share (PostgreSQL)")
		}
		if cfg.Cluster.Holder.ID == "" || cfg.Cluster.Holder.Address == "" {
			return nil, errors.New("web: a clustered server needs an id and an address the others can reach")
		}
		s.cluster, s.holder, s.lease = c, cfg.Cluster.Holder, cfg.Cluster.Lease
		if s.lease == 0 {
			s.lease = DefaultLease
		}
		if s.lease < 300*time.Millisecond {
			return nil, errors.New("web: the lease must be at least 300ms")
		}
	}
	// Forwarded commands come in bursts (a room acting at once): keep
	// enough idle connections to the owner that a burst reuses them instead
	// of opening new ones (the default keeps 2 per host).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	s.forwarder = &http.Client{Timeout: 15 * time.Second, Transport: transport}
	s.expiring = make(chan string, 64)
	// Unknown session cookies cost a database query each: bound them, so
	// a flood of made-up cookies cannot load the database. A real client
	// new to this server looks its session up once.
	s.lookups = rate.NewLimiter(1000, 2000)
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
	if s.clusterDone != nil {
		<-s.clusterDone
	}
	s.reloadMu.Lock() // no reload in progress or to come
	defer s.reloadMu.Unlock()
	s.connMu.Lock()
	for c := range s.conns {
		c.ws.Close()
	}
	s.connMu.Unlock()
	s.mu.Lock()
	les := make([]*liveExercise, 0, len(s.exercises))
	for _, le := range s.exercises {
		les = append(les, le)
	}
	s.mu.Unlock()
	var owned []string
	for _, le := range les {
		le.stop("the server is shutting down; reconnecting")
		if le.remote == nil && !le.x.Ended() {
			owned = append(owned, le.id)
		}
	}
	if s.cluster != nil {
		s.releaseAll(owned)
	}
	s.forwarder.CloseIdleConnections()
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
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	Status engine.Status `json:"status,omitempty"`
	// Now is the exercise's clock (virtual ns), in the exercise list.
	Now     *time.Duration `json:"now,omitempty"`
	Created time.Time      `json:"created"`
	Codes   exerciseCodes  `json:"codes"`
	// Damage is set, with Status "damaged", for an exercise whose stored
	// log or scenario cannot be brought back.
	Damage *Damage `json:"damage,omitempty"`
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
		if err := s.checkStartAt(*req.StartAt); err != nil {
			return nil, err
		}
	}
	id := uuid.NewString()
	codes := newCodes(scn)
	created := s.now()
	if s.cfg.Store != nil {
		codesJSON, _ := json.Marshal(codes)
		meta := &store.Exercise{ID: id, Created: created, Scenario: name, Source: source, Seed: req.Seed, Humans: req.Humans, Speed: speed, Codes: codesJSON, Files: scn.Files()}
		if err := s.storeExercise(meta); err != nil {
			return nil, err
		}
	}
	le := s.newLive(id, scn, codes, created, 0)
	held, _, err := s.claim(s.ctx, le, nil)
	if err != nil {
		return nil, fmt.Errorf("claiming the new exercise: %w", err)
	}
	if !held {
		// Another server, restoring at this very moment, took it first:
		// it runs there, and this one follows it.
		s.loadUnknown(id)
		if _, ok := s.exercise(id); !ok {
			return nil, errors.New("another server took the new exercise and this one cannot follow it; see the log")
		}
		return &ExerciseInfo{ID: id, Title: scn.Exercise.Title, Created: created, Codes: codes}, nil
	}
	if err := s.launch(le, engine.Options{Seed: req.Seed, Humans: req.Humans}, speed); err != nil {
		return nil, err
	}
	if err := s.scheduleOnCreate(le, req.StartAt); err != nil {
		le.stop("")
		return nil, err
	}
	// Created means stored: wait for the first events to be written.
	if err := le.persist.waitAll(s.ctx); err != nil {
		le.stop("")
		if engine.Code(err) == codeUnavailable {
			err = engine.Errorf(codeUnavailable, "the new exercise cannot be stored right now; try again in a moment")
		}
		return nil, err
	}
	s.register(le)
	s.notify(store.Notice{Kind: store.NoticeExercise, Exercise: id})
	s.log.Info().Str("exercise", id).Str("scenario", scn.Exercise.ID).Msg("exercise created")
	s.place(le)
	return &ExerciseInfo{ID: id, Title: scn.Exercise.Title, Created: le.created, Codes: le.codes}, nil
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
	s.prepareStart(le)
	if s.cluster != nil {
		var lost sync.Once
		le.persist.onLost = func() {
			lost.Do(func() { go s.reload(id, le, "the exercise moved to another server; reconnecting") })
		}
		le.persist.mayWrite = func() bool { return time.Now().UnixNano() < le.leaseUntil.Load() }
		le.tick = func(seq uint64, at time.Duration) {
			s.notify(store.Notice{Kind: store.NoticeClock, Exercise: id, Seq: seq, At: at})
		}
	}
	return le
}

// register makes an exercise and its codes known to the server, or
// replaces the live copy of one it knows.
func (s *Server) register(le *liveExercise) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, known := s.exercises[le.id]; known {
		s.exercises[le.id] = le
		return
	}
	s.exercises[le.id] = le
	s.order = append(s.order, le.id)
	for key, entry := range le.codes.entries(le.id) {
		s.codes[key] = entry
	}
	s.metrics.exercises.Add(1)
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
	if s.cluster != nil {
		var err error
		if notices, err = s.cluster.Listen(s.ctx); err != nil {
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
		if err := s.restore(ctx, &exercises[i], "the server restarted; resume when everyone is back"); err != nil {
			s.log.Error().Err(err).Str("exercise", exercises[i].ID).Msg("cannot restore the exercise; it stays stored, untouched, and is listed as damaged")
			s.markDamaged(ctx, &exercises[i], err)
			continue
		}
		n++
	}
	for _, ss := range sessions {
		s.sessions.load(&Session{Token: ss.Token, Exercise: ss.Exercise, Role: engine.Role(ss.Role), Team: ss.Team, Name: ss.Name, Expires: ss.Expires})
	}
	if notices != nil {
		s.clusterDone = make(chan struct{})
		go s.clusterLoop(notices)
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
	held, owner, err := s.claim(ctx, le, events)
	if err != nil {
		return fmt.Errorf("claiming its lease: %w", err)
	}
	if !held {
		return s.restoreFollower(le, meta, events, owner)
	}
	if err := s.restoreOwned(ctx, le, meta, events, why); err != nil {
		if s.cluster != nil {
			// Let another server try: this one cannot run it.
			rctx, cancel := context.WithTimeout(context.Background(), s.lease/3)
			s.cluster.Release(rctx, meta.ID, s.holder.ID)
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
		s.register(le)
		return nil
	}
	x, err := s.replayOwned(ctx, meta, scn, events)
	if err != nil {
		return err
	}
	le.x = x
	le.delivered = uint64(len(events)) // stored, so durable
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
			why = "the server running the exercise stopped; resume when everyone is back"
		}
		pause := engine.Command{Type: engine.CmdPause, By: engine.Principal{Role: engine.RoleFacilitator, Name: "server"}, Text: why}
		if _, err := le.runner.Do(ctx, pause); err != nil {
			le.stop("")
			return err
		}
	}
	s.register(le)
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
	s.follow(le, x, uint64(len(events)), owner)
	s.register(le)
	s.log.Info().Str("exercise", meta.ID).Int("events", len(events)).Str("owner", owner).Msg("following the exercise")
	return nil
}

func (s *Server) exercise(id string) (*liveExercise, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	le, ok := s.exercises[id]
	return le, ok
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
	name = strings.TrimSpace(name)
	entry, ok := s.codeEntry(code)
	if !ok && s.cluster != nil && normalizeCode(code) != "" {
		id, err := s.storedCode(ctx, code)
		if err != nil {
			s.log.Error().Err(err).Msg("looking a join code up in the store failed")
			return nil, engine.Errorf(codeUnavailable, "the exercise store does not answer; try again in a moment")
		}
		if id != "" {
			s.loadUnknown(id)
			entry, ok = s.codeEntry(code)
			if !ok {
				return nil, engine.Errorf(codeUnavailable, "this exercise cannot be opened on this server right now; try again in a moment")
			}
		}
	}
	if !ok {
		s.metrics.joinsFailed.Add(1)
		return nil, engine.Errorf(engine.CodeNotFound, "no exercise has this code; check it with your facilitator")
	}
	if entry.role == engine.RoleTrainee && name == "" {
		return nil, engine.Errorf(engine.CodeInvalid, "enter your name so your team and the facilitator know who acted")
	}
	if utf8.RuneCountInString(name) > engine.MaxNameLen || strings.ContainsAny(name, "\x00\r\n") {
		return nil, engine.Errorf(engine.CodeInvalid, "a name has at most %d characters on one line", engine.MaxNameLen)
	}
	if name == "" {
		name = string(entry.role)
	}
	sess, err := s.newSession(entry.exercise, entry.role, entry.team, name)
	if err != nil {
		return nil, err
	}
	s.metrics.joins.Add(1)
	return sess, nil
}

// codeEntry looks a join code up among the exercises this server knows.
func (s *Server) codeEntry(code string) (codeEntry, bool) {
	key := normalizeCode(code)
	if key == "" {
		return codeEntry{}, false // cannot be a code
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	entry, ok := s.codes[key]
	return entry, ok
}

// storedCode returns the id of the stored exercise that has code among its
// join codes, or "" if none has. It looks at the exercises this server knows
// too: one it did not know when the code missed may have been registered
// since (a notice of the new exercise arriving meanwhile), and skipping it
// would refuse a valid code.
func (s *Server) storedCode(ctx context.Context, code string) (string, error) {
	all, err := s.cfg.Store.Exercises(ctx)
	if err != nil {
		return "", err
	}
	want := normalizeCode(code)
	if want == "" {
		return "", nil // cannot be a code
	}
	for _, meta := range all {
		var codes exerciseCodes
		if json.Unmarshal(meta.Codes, &codes) != nil {
			continue
		}
		if codes.has(want) {
			return meta.ID, nil
		}
	}
	return "", nil
}

// loadUnknown loads a stored exercise unless this server knows it already:
// a join, a notice and a creation race may all try at once, and only one
// may build its live copy.
func (s *Server) loadUnknown(id string) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if _, known := s.exercise(id); known {
		return
	}
	s.load(id)
}

// ipCommandLimiter is shared by every WebSocket from one client IP, so
// opening many connections does not multiply what one host may send. It is
// generous: a whole delegation behind one hotel NAT shares it.
func (s *Server) ipCommandLimiter(r *http.Request) *rate.Limiter {
	return s.ipCommands.get(s.clientIP(r))
}

// adminKeyMatches compares in constant time.
func (s *Server) adminKeyMatches(key string) bool {
	return subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.AdminKey)) == 1
}

// newSession signs someone in and, with a store, keeps the session across
// restarts; if the store cannot keep it, the sign-in fails.
func (s *Server) newSession(exercise string, role engine.Role, team, name string) (*Session, error) {
	sess := s.sessions.create(exercise, role, team, name)
	if s.cfg.Store != nil {
		if err := s.putSession(sess); err != nil {
			s.sessions.delete(sess.Token)
			return nil, err
		}
	}
	return sess, nil
}

// endSession signs a session out, here, in the store and on the other
// servers.
func (s *Server) endSession(token string) {
	s.sessions.delete(token)
	s.closeSession(token)
	if s.cfg.Store != nil {
		if err := s.cfg.Store.DeleteSession(s.ctx, token); err != nil {
			s.log.Error().Err(err).Msg("deleting a session failed")
		}
	}
	s.notify(store.Notice{Kind: store.NoticeSignOut, Token: token})
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
	return events[:min(len(events), int(le.deliveredSeq()))], nil
}

// drain discards a request body's rest so the connection can be reused.
func drain(r io.Reader) { io.Copy(io.Discard, io.LimitReader(r, maxJSONBody)) }
