package engine

import (
	"fmt"
	"slices"
	"time"

	"cmesim/engine/des"
	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// timerKind says what a scheduled kernel event does when it fires.
type timerKind uint8

const (
	timerDeliver timerKind = iota + 1
	timerSpread
	timerDeadline
	timerBotDone
	timerEnd
	timerDecisionClose // a decision's deadline (decision.go)
	timerDecisionSim   // a simulated team's decision
)

// Kernel priorities: at one instant, spreads and deliveries happen before
// simulated teams finish work, which happens before deadlines fall due; the
// end of the exercise comes last.
const (
	prioSpread   int32 = 5
	prioDeliver  int32 = 10
	prioBotDone  int32 = 20
	prioDeadline int32 = 30
	prioEnd      int32 = 100
)

// timer is the kernel payload: small, held by value, no pointers.
type timer struct {
	kind timerKind
	// inject indexes Exercise.injects; spread indexes Exercise.spreads.
	inject, spread int32
	// team indexes the scenario's teams (-1: none).
	team int32
	// exp indexes Exercise.expectations for deadlines; task for bots.
	exp  int32
	task int32
	// cause indexes Exercise.causes: why an inject or spread was released.
	cause int32
}

// release is something a trigger releases: an inject or a spread.
type release struct {
	inject, spread int
	delay          time.Duration
	// perTeam: the released inject goes to the team that fired the trigger.
	perTeam bool
}

// actionTrigger is an on_action trigger with what it releases.
type actionTrigger struct {
	match *scenarios.ActionMatch
	release
}

// Options configure a new Exercise.
type Options struct {
	// Seed drives every random draw of the simulated teams.
	Seed uint64
	// Humans lists the teams played by people; every other team is simulated.
	Humans []string
	// OnEvent, when set, is called with every event as it is appended.
	OnEvent func(Event)
	// LogBuffer, when it has capacity, is reused for the event log instead
	// of a new slice: batch runs pass the log of their previous run. The
	// caller must not use the events it held afterwards.
	LogBuffer []Event
	// Choose makes simulated teams take the named choice of a decision
	// (decision id → choice id) instead of drawing one, and take it too
	// when nobody decides in time: how a batch explores the paths not
	// taken. It is not recorded in the log, so a
	// run with it cannot be rerun from its log.
	Choose map[string]string
}

// Exercise is one run of a scenario. It owns the kernel, the event log and
// the simulated teams; it is not safe for concurrent use.
type Exercise struct {
	scn  *scenarios.Scenario
	opts Options
	k    *des.Kernel[timer]
	st   *State
	log  []Event

	injects  []*scenarios.Inject // the scenario's, then ad-hoc ones
	injectIx map[string]int
	spreads  []*scenarios.Spread
	incOf    []*scenarios.Incident // incident of each spread
	spreadIx map[string]int
	causes   []string

	after    map[int][]release    // inject → what its first delivery releases
	onMiss   map[string][]release // "I.E" → what its miss releases
	onAction []actionTrigger
	fired    map[string]bool // once-only releases that already fired

	pending   pendingSet
	deadlines map[expectationKey]des.EventID // expectation → deadline timer
	expKeys   []expectationKey               // timer.exp → expectation
	bots      []*bot
	end       time.Duration
	dec       decisionTimers

	// logVersion is the log version of the oldest events of a log rebuilt
	// by RerunLog when older than LogVersion, which Follow compares by
	// too; 0 otherwise.
	logVersion int

	// catalogLang is the language the engine writes generated texts in
	// (simulated actions, forwarded-message headers): the scenario's.
	catalogLang i18n.Lang
}

// New prepares an exercise of scenario s; it starts when a facilitator (or
// Run) sends CmdStart.
func New(s *scenarios.Scenario, opts Options) (*Exercise, error) {
	for _, h := range opts.Humans {
		if s.TeamIndex(h) < 0 {
			return nil, Errorf(CodeNotFound, "unknown team %q", h)
		}
	}
	x := &Exercise{
		scn:         s,
		catalogLang: s.CatalogLang(),
		opts:        opts,
		k:           des.NewWithCapacity[timer](64),
		st:          NewState(s, opts.Humans),
		injectIx:    map[string]int{},
		spreadIx:    map[string]int{},
		after:       map[int][]release{},
		onMiss:      map[string][]release{},
		fired:       map[string]bool{},
		deadlines:   make(map[expectationKey]des.EventID, 64),
		end:         s.Exercise.Duration.D(),
		log:         logBuffer(s, opts.LogBuffer),
	}
	x.opts.LogBuffer = nil
	for i := range s.Injects {
		x.injectIx[s.Injects[i].ID] = i
		x.injects = append(x.injects, &s.Injects[i])
	}
	for i := range s.Incidents {
		inc := &s.Incidents[i]
		for j := range inc.Spread {
			x.spreadIx[inc.Spread[j].ID] = len(x.spreads)
			x.spreads = append(x.spreads, &inc.Spread[j])
			x.incOf = append(x.incOf, inc)
		}
	}
	for i, in := range x.injects {
		x.indexTrigger(in.Trigger, release{inject: i, spread: -1, perTeam: slices.Contains(in.To, scenarios.ToTriggeringTeam)})
	}
	for i, sp := range x.spreads {
		x.indexTrigger(sp.When, release{inject: -1, spread: i})
	}
	root := des.NewStream(opts.Seed)
	x.dec.root = root.Split("decisions")
	for i := range s.Teams {
		x.bots = append(x.bots, newBot(x, i, root.Split("team:"+s.Teams[i].ID)))
	}
	x.emit(Event{Type: EventCreated, Actor: "system", Data: Details{Text: s.Exercise.Title,
		CreationFields: &CreationFields{Seed: opts.Seed, Humans: slices.Clone(opts.Humans), Scenario: s.Exercise.ID}}})
	return x, nil
}

// logBuffer returns an empty log that reuses buf when it has room, or a
// new one sized for about four events per inject and one per team. The
// estimate is linear in the scenario's size, whatever the number of
// recipients; append grows the log past it when a run needs more.
func logBuffer(s *scenarios.Scenario, buf []Event) []Event {
	if cap(buf) > 0 {
		clear(buf[:cap(buf)]) // drop what the old events referenced
		return buf[:0]
	}
	return make([]Event, 0, 16+4*len(s.Injects)+len(s.Teams))
}

// runEstimate is how many deliveries and expectations a run makes if every
// inject reaches every recipient once, each bounded so that a scenario
// whose triggers rarely fire does not reserve much: the state's lists and
// maps start at these sizes and grow past them if needed.
func runEstimate(s *scenarios.Scenario) (deliveries, expectations int) {
	const bound = 1 << 14
	for i := range s.Injects {
		in := &s.Injects[i]
		n := max(1, s.MemberCount(in.To))
		deliveries += n
		expectations += len(in.Expectations) * n
		if deliveries >= bound && expectations >= bound {
			break
		}
	}
	return min(deliveries, bound), min(expectations, bound)
}

func (x *Exercise) indexTrigger(t *scenarios.Trigger, r release) {
	if t == nil {
		return
	}
	r.delay = t.Delay.D()
	switch {
	case t.After != "":
		i := x.injectIx[t.After]
		x.after[i] = append(x.after[i], r)
	case t.OnMiss != "":
		x.onMiss[t.OnMiss] = append(x.onMiss[t.OnMiss], r)
	case t.OnAction != nil:
		x.onAction = append(x.onAction, actionTrigger{match: t.OnAction, release: r})
	case t.OnChoice != "":
		if x.dec.onChoice == nil {
			x.dec.onChoice = map[string][]release{}
		}
		x.dec.onChoice[t.OnChoice] = append(x.dec.onChoice[t.OnChoice], r)
	}
}

// SetOnEvent replaces the callback called with every new event, as when a
// server takes over an exercise rebuilt by Rerun.
func (x *Exercise) SetOnEvent(fn func(Event)) { x.opts.OnEvent = fn }

// Scenario returns the scenario the exercise runs.
func (x *Exercise) Scenario() *scenarios.Scenario { return x.scn }

// Seed returns the seed of the simulated teams' random draws.
func (x *Exercise) Seed() uint64 { return x.opts.Seed }

// Now returns the exercise's virtual time.
func (x *Exercise) Now() time.Duration { return x.k.Now() }

// State returns the current state. Callers must not modify it.
func (x *Exercise) State() *State { return x.st }

// Events returns the log so far. Callers must not modify it.
func (x *Exercise) Events() []Event { return x.log }

// EventsSince returns the events with a sequence number above seq.
func (x *Exercise) EventsSince(seq uint64) []Event {
	if seq >= uint64(len(x.log)) {
		return nil
	}
	return x.log[seq:]
}

// Ended reports whether the exercise is over.
func (x *Exercise) Ended() bool { return x.st.Status == StatusEnded }

// Duration is the planned length of play.
func (x *Exercise) Duration() time.Duration { return x.end }

// NextAt returns the virtual time of the next scheduled happening, if any.
func (x *Exercise) NextAt() (time.Duration, bool) {
	e, ok := x.k.Peek()
	return e.At, ok
}

// AdvanceTo runs the exercise up to virtual time t. It does nothing unless
// the exercise is running: a paused or finished exercise's clock stands still.
func (x *Exercise) AdvanceTo(t time.Duration) {
	// t equal to the clock still plays what a command has just scheduled
	// for this very instant (a trigger without delay), as the live runner
	// does on its next step: a replay must, too.
	if x.st.Status != StatusRunning || t < x.k.Now() {
		return
	}
	x.k.RunUntil(min(t, x.end), x.handle)
}

// RunToEnd starts the exercise if it is ready and plays it to the end as fast
// as possible: the batch mode.
func (x *Exercise) RunToEnd() error {
	if x.st.Status == StatusReady {
		if _, err := x.Apply(Command{Type: CmdStart, By: Principal{Role: RoleFacilitator, Name: "batch"}}); err != nil {
			return err
		}
	}
	if x.st.Status == StatusPaused {
		return Errorf(CodeConflict, "exercise is paused")
	}
	for x.st.Status == StatusRunning {
		x.AdvanceTo(x.end)
	}
	return nil
}

// ApplyAt advances the clock to at and applies cmd there: how a command log
// is replayed.
func (x *Exercise) ApplyAt(at time.Duration, cmd Command) ([]Event, error) {
	x.AdvanceTo(at)
	return x.Apply(cmd)
}

// Apply validates cmd and, if it is accepted, records it at the current
// virtual time. It returns the events the command caused, or an *Error that
// says why it was rejected; a rejected command changes nothing.
func (x *Exercise) Apply(cmd Command) ([]Event, error) {
	first := len(x.log)
	if err := x.apply(cmd); err != nil {
		return nil, err
	}
	return x.log[first:], nil
}

func (x *Exercise) handle(ev des.Event[timer]) {
	t := ev.Payload
	switch t.kind {
	case timerDeliver:
		x.dropPending(ev.ID)
		x.deliver(int(t.inject), int(t.team), x.causes[t.cause])
	case timerSpread:
		x.spread(int(t.spread), x.causes[t.cause])
	case timerDeadline:
		x.deadline(x.expKeys[t.exp])
	case timerBotDone:
		x.bots[t.team].done(int(t.task), ev.ID)
	case timerDecisionClose:
		x.closeDecision(x.dec.keys[t.exp])
	case timerDecisionSim:
		x.simulatedDecision(x.dec.keys[t.exp], int(t.task))
	case timerEnd:
		x.emit(Event{Type: EventEnded, Actor: "system", Audience: []string{Everyone}, Data: Details{Why: because(ReasonDurationReached)}})
		x.stop()
	}
}

// stop clears everything still scheduled once the exercise has ended.
func (x *Exercise) stop() {
	x.k.Reset()
	x.k.AdvanceTo(x.st.Now)
	x.pending.reset()
	for _, b := range x.bots {
		b.reset()
	}
}

// emit appends an event at the current virtual time and folds it into the
// state.
func (x *Exercise) emit(e Event) *Event {
	e.Seq = uint64(len(x.log)) + 1
	e.At = x.k.Now()
	x.log = append(x.log, e)
	x.st.Apply(&x.log[len(x.log)-1])
	if x.opts.OnEvent != nil {
		x.opts.OnEvent(e)
	}
	return &x.log[len(x.log)-1]
}

func (x *Exercise) cause(s string) int32 {
	x.causes = append(x.causes, s)
	return int32(len(x.causes) - 1)
}

// schedule releases r after its delay; triggeringTeam is the team whose
// action or miss fired it (-1 for none).
func (x *Exercise) schedule(r release, triggeringTeam int, cause string) {
	key := fmt.Sprintf("%d/%d", r.inject, r.spread)
	if r.perTeam {
		key += fmt.Sprintf("@%d", triggeringTeam)
	}
	if x.fired[key] {
		return
	}
	x.fired[key] = true
	at := x.k.Now() + r.delay
	if r.spread >= 0 {
		x.k.Schedule(at, prioSpread, timer{kind: timerSpread, spread: int32(r.spread), team: -1, cause: x.cause(cause)})
		return
	}
	x.scheduleDelivery(r.inject, triggeringTeam, at, cause)
}

func (x *Exercise) scheduleDelivery(inject, team int, at time.Duration, cause string) {
	id := x.k.Schedule(at, prioDeliver, timer{kind: timerDeliver, inject: int32(inject), team: int32(team), cause: x.cause(cause)})
	x.pending.add(pendingDelivery{id: id, inject: inject, team: team, at: at})
}

func (x *Exercise) dropPending(id des.EventID) { x.pending.remove(id) }

// teamID returns the id of team index i, or "" for -1.
func (x *Exercise) teamID(i int) string {
	if i < 0 || i >= len(x.scn.Teams) {
		return ""
	}
	return x.scn.Teams[i].ID
}

// deliver sends inject i to its recipients, opening their expectations.
func (x *Exercise) deliver(i, triggeringTeam int, cause string) {
	x.deliverTo(i, x.scn.Members(x.injects[i].To, x.teamID(triggeringTeam)), cause)
}

// deliverTo sends inject i to the given teams (those that do not have it
// yet), opening their expectations.
func (x *Exercise) deliverTo(i int, teams []string, cause string) {
	in := x.injects[i]
	if x.st.Skipped[in.ID] {
		return
	}
	_, seenBefore := x.st.FirstDelivery[in.ID]
	for _, team := range teams {
		if _, ok := x.st.Delivered(team, in.ID); ok {
			continue
		}
		ti := x.scn.TeamIndex(team)
		var open []OpenExpectation
		if len(in.Expectations) > 0 {
			open = make([]OpenExpectation, 0, len(in.Expectations))
		}
		for j := range in.Expectations {
			e := &in.Expectations[j]
			open = append(open, OpenExpectation{ID: e.ID, Action: e.Action, Deadline: x.k.Now() + e.Within.D(), Points: e.Points, Objective: e.Objective, Text: x.scn.RenderPrompt(in, e, team, "")})
		}
		x.emit(Event{Type: EventInjectDelivered, Actor: "system", Team: team, Audience: []string{team},
			Data: Details{Inject: in.ID, Incident: in.Incident, TLP: string(in.TLP), Severity: string(in.Severity), Cause: cause, Expectations: open}})
		if in.Incident != "" && x.st.Phase(team, in.Incident) == "" {
			x.emit(Event{Type: EventIncidentPhase, Actor: "system", Team: team, Audience: []string{team},
				Data: Details{Incident: in.Incident, Inject: in.ID,
					IncidentFields: &IncidentFields{Phase: PhaseDetected}}})
		}
		x.deliverMessage(in, team)
		for _, e := range in.Expectations {
			key := expectationKey{in.ID, e.ID, team}
			x.expKeys = append(x.expKeys, key)
			x.deadlines[key] = x.k.Schedule(x.k.Now()+e.Within.D(), prioDeadline, timer{kind: timerDeadline, exp: int32(len(x.expKeys) - 1), team: int32(ti)})
		}
		x.openDecision(i, team)
		if x.st.Modes[team] == ModeSimulated {
			x.bots[ti].received(i)
		}
	}
	if !seenBefore {
		if _, now := x.st.FirstDelivery[in.ID]; now {
			for _, r := range x.after[i] {
				x.schedule(r, -1, "after:"+in.ID)
			}
		}
	}
}

// expectationOf returns the scenario expectation of inject i with id.
func (x *Exercise) expectationOf(inject string, id string) *scenarios.Expectation {
	i, ok := x.injectIx[inject]
	if !ok {
		return nil
	}
	for j := range x.injects[i].Expectations {
		if x.injects[i].Expectations[j].ID == id {
			return &x.injects[i].Expectations[j]
		}
	}
	return nil
}

// deadline fires when an expectation falls due.
func (x *Exercise) deadline(key expectationKey) {
	delete(x.deadlines, key)
	inject, expID, team := key.inject, key.expectation, key.team
	st := x.st.Expectation(inject, expID, team)
	if st == nil || st.Met {
		return
	}
	reason := because(ReasonDeadlinePassed)
	if st.Wrong > 0 {
		reason = afterWrong(st.LastWrong)
	}
	x.emit(Event{Type: EventExpectationMissed, Actor: "system", Team: team, Audience: []string{team},
		Data: Details{Inject: inject, Expectation: expID, Deadline: st.Deadline, MaxPoints: st.MaxPoints, Why: reason}})
	ti := x.scn.TeamIndex(team)
	ref := inject + "." + expID
	for _, r := range x.onMiss[ref] {
		x.schedule(r, ti, "miss:"+ref+":"+team)
	}
	e := x.expectationOf(inject, expID)
	if e == nil || e.OnMiss == nil {
		return
	}
	if c := e.OnMiss; c.Inject != "" {
		ci := x.injectIx[c.Inject]
		x.schedule(release{inject: ci, spread: -1, delay: c.Delay.D(), perTeam: slices.Contains(x.injects[ci].To, scenarios.ToTriggeringTeam)}, ti, "miss:"+ref+":"+team)
	}
	if c := e.OnMiss; c.Spread != "" {
		x.schedule(release{inject: -1, spread: x.spreadIx[c.Spread], delay: c.Delay.D()}, ti, "miss:"+ref+":"+team)
	}
}

// spread extends an incident to another team and delivers its inject.
func (x *Exercise) spread(i int, cause string) {
	sp, inc := x.spreads[i], x.incOf[i]
	x.emit(Event{Type: EventIncidentSpread, Actor: "system", Team: sp.To,
		Data: Details{Incident: inc.ID, Cause: cause,
			IncidentFields: &IncidentFields{Spread: sp.ID, Sector: sp.Sector}}})
	if sp.Inject != "" {
		x.deliver(x.injectIx[sp.Inject], x.scn.TeamIndex(sp.To), "spread:"+sp.ID)
	}
}
