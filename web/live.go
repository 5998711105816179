package web

import (
	"context"
	"slices"
	"sync/atomic"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// liveExercise is one exercise as this server serves it: the engine, the
// writer of its log (persister) and the fan-out to its subscribers
// (fanout). Either this server owns it, and a
// Runner plays the engine on its own goroutine, or another server does
// (remote is set), and a replica of the engine follows the log the owner
// writes (see follower). Fields marked "owner" are touched only by whoever
// plays the engine: the runner's goroutine (inside engine.Options.OnEvent
// or a Runner.Inspect function) or the follower under its lock.
//
// Subscribers receive an event only once it is durable: a client never sees
// an event that a crash could take back, so its view stays a prefix of the
// log whichever server it reconnects to.
type liveExercise struct {
	id      string
	created time.Time
	scn     *scenarios.Scenario
	codes   exerciseCodes
	runner  *engine.Runner // nil when another server owns the exercise
	remote  *follower      // set when another server owns the exercise
	metrics *metrics

	persist *persister
	// tick, if set, is told the owner's clock about once a second while
	// the exercise runs (the cluster passes it on to the followers).
	tick func(seq uint64, at time.Duration)

	cancel context.CancelFunc
	done   chan struct{}
	// start is the timer of a scheduled start (owner side; schedule.go).
	start startTimer
	soon  chan struct{} // asks the status loop for a push (statusSoon)
	// leaseUntil is when this server's lease of the exercise ends, by the
	// local clock (Unix ns), in a cluster.
	leaseUntil atomic.Int64
	// reloading is set while a reload replaces this live copy.
	reloading atomic.Bool

	// owner: the exercise.
	x *engine.Exercise
	// lastStaff is the staff status last broadcast (owner).
	lastStaff *status

	// fan sends the exercise's events, once the persister has written
	// them, and its status to its subscribers.
	fan *fanout
}

// exerciseCodes are the join codes of one exercise.
type exerciseCodes struct {
	Facilitator string            `json:"facilitator"`
	Evaluator   string            `json:"evaluator"`
	Observer    string            `json:"observer"`
	Teams       map[string]string `json:"teams"`
}

// entries returns what each of these codes, normalised, signs in as, in
// exercise id.
func (c exerciseCodes) entries(id string) map[string]codeEntry {
	out := map[string]codeEntry{
		normalizeCode(c.Facilitator): {id, engine.RoleFacilitator, ""},
		normalizeCode(c.Evaluator):   {id, engine.RoleEvaluator, ""},
		normalizeCode(c.Observer):    {id, engine.RoleObserver, ""},
	}
	for team, code := range c.Teams {
		out[normalizeCode(code)] = codeEntry{id, engine.RoleTrainee, team}
	}
	delete(out, "") // an empty code signs in as nobody
	return out
}

// has reports whether code, normalised, is one of these codes.
func (c exerciseCodes) has(code string) bool {
	if code == normalizeCode(c.Facilitator) || code == normalizeCode(c.Evaluator) || code == normalizeCode(c.Observer) {
		return true
	}
	for _, tc := range c.Teams {
		if code == normalizeCode(tc) {
			return true
		}
	}
	return false
}

// newCodes makes fresh join codes for an exercise of s.
func newCodes(s *scenarios.Scenario) exerciseCodes {
	c := exerciseCodes{Facilitator: newCode(), Evaluator: newCode(), Observer: newCode(), Teams: map[string]string{}}
	for _, t := range s.Teams {
		c.Teams[t.ID] = newCode()
	}
	return c
}

// newLiveExercise prepares the fan-out and persistence of an exercise; run
// starts it once its engine exists.
func newLiveExercise(id string, s *scenarios.Scenario, codes exerciseCodes, created time.Time, m *metrics, p *persister) *liveExercise {
	le := &liveExercise{
		id: id, created: created, scn: s, codes: codes, metrics: m, persist: p,
		fan:  newFanout(s, m, CoalesceWindow),
		done: make(chan struct{}),
		soon: make(chan struct{}, 1),
	}
	p.onDurable = le.fan.deliver
	return le
}

// run starts playing x: its runner at the given pace (the clock stands
// until a facilitator starts or resumes the exercise), the writer of its
// log, and the status loop.
func (le *liveExercise) run(x *engine.Exercise, speed float64) {
	le.x = x
	le.runner = engine.NewRunner(x, engine.NewPacer(engine.RealClock(), speed))
	// An ad-hoc inject to sixty teams is sixty events: written in one
	// transaction, they reach every trainee in one fan-out.
	le.runner.OnSettled(le.persist.settled)
	ctx, cancel := context.WithCancel(context.Background())
	le.cancel = cancel
	// The log's writer stops after the runner, so that the step the runner
	// is in when stopped is written whole.
	writing, stopWriting := context.WithCancel(context.Background())
	go le.persist.run(writing)
	if le.persist.st != nil {
		go le.watchStorage(ctx)
	}
	go func() {
		defer close(le.done)
		// After the end, the runner goes on serving the closing phase
		// (judgements, notes, the hot wash survey) with the clock stopped.
		le.runner.RunClosing(ctx)
		stopWriting()
		// Run has returned, so no Inspect can reach the exercise any more:
		// this goroutine is still its owner. Tell everyone it has ended,
		// which the status loop and pushStatus no longer can.
		if x.Ended() {
			le.broadcastStatus(x, false)
		}
	}()
	go le.statusLoop(ctx)
}

// watchStorage holds the exercise's clock while its log cannot be written
// and releases it once it can again (engine.Runner.Hold): no deadline
// passes while nothing can be recorded, and consoles are told at once.
//
// Why a hold rather than a pause command: a pause is an event, and the log
// is what cannot be written. A hold is not in the log and need not be: it
// changes only which wall time maps to which virtual time, as a server
// that ran slow would, never what happens at a virtual time, so the log
// replays byte for byte the same. It also keeps the facilitator's choice:
// the release restarts the clock only if the exercise was running, so an
// exercise the outage held resumes by itself, and one the facilitator had
// paused stays paused.
func (le *liveExercise) watchStorage(ctx context.Context) {
	held := false
	for {
		problem, _, changed := le.persist.storageHealth()
		if bad := problem != ""; bad != held {
			hold := le.runner.Release
			if bad {
				hold = le.runner.Hold
			}
			if hold(ctx) != nil {
				return // the runner has stopped
			}
			held = bad
			le.pushStatus(ctx)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		case <-le.done:
			return
		}
	}
}

// storageRefusal is the error a command gets while the exercise's log
// cannot be written, or nil when it can.
func (le *liveExercise) storageRefusal() error {
	problem, _, _ := le.persist.storageHealth()
	if problem == "" {
		return nil
	}
	return engine.Errorf(codeUnavailable, "%s: nothing can be recorded and the exercise's clock is held; try again once the store is back", problem)
}

// stop ends the runner (or the follower), writes the rest of the log, waits
// for both and closes the subscribers' connections with why, so that they
// reconnect to whoever serves the exercise now.
func (le *liveExercise) stop(why string) {
	le.start.disarm()
	le.cancel()
	<-le.done
	<-le.persist.stopped
	le.fan.closeAll(why)
}

// inspect runs fn on the engine, serialised with everything else that
// touches it; it fails once the exercise has stopped.
func (le *liveExercise) inspect(ctx context.Context, fn func(*engine.Exercise)) error {
	if le.remote != nil {
		return le.remote.inspect(ctx, le, fn)
	}
	return le.runner.Inspect(ctx, fn)
}

// record encodes an event for the subscribers and for replays to
// reconnecting clients (owner).
func (le *liveExercise) record(e *engine.Event) {
	msg := eventMessage{Type: "event", Seq: e.Seq, At: e.At, Event: e}
	if e.Type == engine.EventInjectDelivered && le.x != nil {
		msg.Inject = le.deliveredInject(e.Data.Inject, e.Team, e.Data.Expectations)
	}
	le.fan.add(encode(msg), e.Audience, le.variantOf(msg))
}

// publish is the engine's OnEvent callback (owner): encode the event once
// and hand it to the log's writer; deliver sends it on once it is durable.
func (le *liveExercise) publish(e engine.Event) {
	le.record(&e)
	if le.remote == nil { // a follower's events are the owner's
		le.metrics.events.Add(1)
		if e.Type == engine.EventStartScheduled || e.Type == engine.EventStarted {
			le.start.arm(e.Data.StartAt)
		}
	}
	le.persist.add(e)
}

// deliveredInject renders an inject for one receiving team.
func (le *liveExercise) deliveredInject(id, team string, open []engine.OpenExpectation) *deliveredInject {
	in, ok := le.x.Inject(id)
	if !ok {
		return nil
	}
	title, body := le.scn.Render(in, team, "")
	d := &deliveredInject{ID: in.ID, Title: title, Body: body, Channel: string(in.Channel), From: in.From, FromName: le.partyName(in.From),
		Severity: string(in.Severity), TLP: string(in.TLP)}
	for i := range in.Attachments {
		d.Attachments = append(d.Attachments, le.attachmentView(in, i, ""))
	}
	d.Wall = wallOf(in)
	d.Translations = le.translations(in, team)
	d.Expectations = le.expectationViews(in, team, open)
	d.ControllerNotes = in.ControllerNotes
	d.Decision = decisionViewOf(le.scn, in)
	return d
}

// translations renders an inject in every language the scenario declares
// and translates it into; translations into undeclared languages are not
// offered.
func (le *liveExercise) translations(in *scenarios.Inject, team string) map[string]translation {
	var out map[string]translation
	for _, lang := range le.scn.TranslationLanguages() {
		if _, ok := in.Translations[lang]; !ok {
			continue
		}
		t, b := le.scn.Render(in, team, lang)
		tr := translation{Title: t, Body: b, FromName: le.scn.PartyName(in.From, lang)}
		for i := range in.Attachments {
			tr.Attachments = append(tr.Attachments, le.attachmentView(in, i, lang))
		}
		if out == nil {
			out = map[string]translation{}
		}
		out[lang] = tr
	}
	return out
}

func (le *liveExercise) partyName(id string) string {
	if a, ok := le.scn.Actor(id); ok {
		return a.Name
	}
	if t, ok := le.scn.Team(id); ok {
		return t.Name
	}
	return id
}

// halted reports whether the exercise's runner or follower has stopped.
func (le *liveExercise) halted() bool {
	select {
	case <-le.done:
		return true
	default:
		return false
	}
}

// ended reports whether the exercise is over and its runner gone: its log
// and state are final, and any goroutine may read them.
func (le *liveExercise) ended() bool {
	select {
	case <-le.done:
		return le.x.Ended()
	default:
		return false
	}
}

// statusLoop sends status messages about once a second.
func (le *liveExercise) statusLoop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-le.done:
			return
		case <-t.C:
		case <-le.soon:
			// Someone left: tell the others soon, but at most every
			// statusCoalesce, so that a room leaving at once does not cost
			// one status to everyone per leaver.
			if wait := statusCoalesce - time.Since(last); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
			}
		}
		le.pushRoutineStatus(ctx)
		last = time.Now()
	}
}

// statusCoalesce is the shortest time between two status pushes caused by
// clients leaving.
const statusCoalesce = 200 * time.Millisecond

// statusSoon asks the status loop for a status push shortly.
func (le *liveExercise) statusSoon() {
	select {
	case le.soon <- struct{}{}:
	default:
	}
}

// pushStatus sends every subscriber its status at once, on the owner
// goroutine, and tells tick the clock of a running exercise: after a
// change of the exercise's state, which consoles must show together.
func (le *liveExercise) pushStatus(ctx context.Context) { le.push(ctx, false) }

// pushRoutineStatus is pushStatus for the status loop's periodic status,
// which a trainee's connection may hold with its team's records
// (CoalesceWindow): nothing in it changed the exercise's state.
func (le *liveExercise) pushRoutineStatus(ctx context.Context) { le.push(ctx, true) }

func (le *liveExercise) push(ctx context.Context, routine bool) {
	var seq uint64
	var at time.Duration
	running := false
	le.inspect(ctx, func(x *engine.Exercise) {
		le.broadcastStatus(x, routine)
		seq, at, running = x.State().Seq, x.Now(), x.State().Status == engine.StatusRunning
	})
	if running && le.tick != nil {
		le.tick(seq, at)
	}
}

// broadcastStatus builds the status of every audience (owner), encodes it
// once per audience (staff, then each team) and queues it; a routine one
// may wait on trainees' connections.
func (le *liveExercise) broadcastStatus(x *engine.Exercise, routine bool) {
	if le.fan.subscribers() == 0 {
		return
	}
	staff := le.status(x, "")
	le.lastStaff = staff
	le.fan.broadcast(func(key string) []byte { return le.statusMessage(x, staff, key) }, routine)
}

// latestStatus returns the staff status last broadcast, at most a second
// old, or builds one (owner). Building it walks every subscriber, so a burst
// of connections must not build it once each.
func (le *liveExercise) latestStatus(x *engine.Exercise) *status {
	if le.lastStaff == nil {
		le.lastStaff = le.status(x, "")
	}
	return le.lastStaff
}

// statusMessage encodes the status for team, or for staff when team is "".
func (le *liveExercise) statusMessage(x *engine.Exercise, staff *status, team string) []byte {
	st := staff
	if team != "" {
		st = le.teamStatus(staff, team)
	}
	return encode(statusMessage{Type: "status", Seq: x.State().Seq, At: le.now(x), Status: st})
}

// status is the staff view of the exercise (owner).
func (le *liveExercise) status(x *engine.Exercise, _ string) *status {
	st := x.State()
	sum := x.Summarize()
	out := &status{Status: st.Status, Speed: st.Speed, Now: le.now(x), Duration: x.Duration(), SimCell: le.simcellStatus(x), ScheduledStart: st.ScheduledStart}
	if problem, since, _ := le.persist.storageHealth(); problem != "" {
		out.Storage = &storageStatus{Problem: problem, Since: since}
	}
	online := le.fan.online()
	for _, t := range sum.Teams {
		ts := teamStatus{ID: t.Team, Name: t.Name, Mode: t.Mode, Online: online[t.Team], Score: t.Score, MaxScore: t.MaxScore,
			Met: t.Met, Late: t.Late, Missed: t.Missed + t.Wrong, Open: []openExpectation{}, Provisional: t.Provisional, ToJudge: t.ToJudge}
		if ts.Online == nil {
			ts.Online = []string{}
		}
		slices.Sort(ts.Online)
		out.Teams = append(out.Teams, ts)
	}
	index := map[string]int{}
	for i, t := range out.Teams {
		index[t.ID] = i
	}
	for _, e := range st.Expectations {
		if !e.Met && !e.Due {
			t := &out.Teams[index[e.Team]]
			t.Open = append(t.Open, openExpectation{Inject: e.Inject, Expectation: e.Expectation, Action: e.Action, Deadline: e.Deadline})
		}
	}
	for _, u := range x.Upcoming() {
		title := u.Inject
		if in, ok := x.Inject(u.Inject); ok {
			title = in.Title
		}
		out.Upcoming = append(out.Upcoming, upcoming{Inject: u.Inject, Title: title, Team: u.Team, At: u.At})
	}
	for _, in := range le.scn.Injects {
		if in.Trigger == nil || in.Trigger.Release == "" || st.Skipped[in.ID] {
			continue
		}
		if x.DeliveredToAll(in.ID) {
			continue
		}
		out.Releasable = append(out.Releasable, releasable{Inject: in.ID, Title: in.Title, PerTeam: slices.Contains(in.To, scenarios.ToTriggeringTeam)})
	}
	return out
}

// now is the exercise's virtual clock: the engine's, or for a follower the
// owner's last reading when that is ahead of the log.
func (le *liveExercise) now(x *engine.Exercise) time.Duration {
	if le.remote != nil {
		return max(x.Now(), le.remote.ownerClock())
	}
	return x.Now()
}

// teamStatus narrows the staff status to what one team may see.
func (le *liveExercise) teamStatus(staff *status, team string) *status {
	out := &status{Status: staff.Status, Speed: staff.Speed, Now: staff.Now, Duration: staff.Duration, Storage: staff.Storage, ScheduledStart: staff.ScheduledStart}
	for _, t := range staff.Teams {
		if t.ID == team {
			out.Teams = []teamStatus{narrowTeamStatus(t, le.scn.Exercise.PlayerView)}
		}
	}
	return out
}
