package web

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
	"cmesim/scenarios"
)

// liveExercise is one running exercise: the engine, played by a Runner on
// its own goroutine, and the subscribers that goroutine fans events out to.
// Fields marked "owner" are touched only on the runner's goroutine (inside
// engine.Options.OnEvent or a Runner.Inspect function).
type liveExercise struct {
	id      string
	created time.Time
	scn     *scenarios.Scenario
	codes   exerciseCodes
	runner  *engine.Runner
	metrics *metrics

	persist *persister

	cancel context.CancelFunc
	done   chan struct{}

	// owner: the exercise and the fan-out.
	x       *engine.Exercise
	encoded [][]byte           // encoded event message per seq-1, for replays
	subs    map[*conn]struct{} // connected clients
	// lastStaff is the staff status last broadcast.
	lastStaff *status
}

// exerciseCodes are the join codes of one exercise.
type exerciseCodes struct {
	Facilitator string            `json:"facilitator"`
	Evaluator   string            `json:"evaluator"`
	Observer    string            `json:"observer"`
	Teams       map[string]string `json:"teams"`
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
	return &liveExercise{
		id: id, created: created, scn: s, codes: codes, metrics: m, persist: p,
		subs: map[*conn]struct{}{},
		done: make(chan struct{}),
	}
}

// run starts playing x: its runner at the given pace (the clock stands
// until a facilitator starts or resumes the exercise), the writer of its
// log, and the status loop.
func (le *liveExercise) run(x *engine.Exercise, speed float64) {
	le.x = x
	le.runner = engine.NewRunner(x, engine.NewPacer(engine.RealClock(), speed))
	ctx, cancel := context.WithCancel(context.Background())
	le.cancel = cancel
	go le.persist.run(ctx)
	go func() {
		defer close(le.done)
		le.runner.Run(ctx)
		// Run has returned, so no Inspect can reach the exercise any more:
		// this goroutine is still its owner. Tell everyone it has ended,
		// which the status loop and pushStatus no longer can.
		if x.Ended() {
			le.broadcastStatus(x)
		}
	}()
	go le.statusLoop(ctx)
}

// stop ends the runner, writes the rest of the log and waits for both.
func (le *liveExercise) stop() {
	le.cancel()
	<-le.done
	<-le.persist.stopped
}

// record encodes an event for replays to reconnecting clients (owner).
func (le *liveExercise) record(e *engine.Event) []byte {
	msg := eventMessage{Type: "event", Seq: e.Seq, At: e.At, Event: e}
	if e.Type == engine.EventInjectDelivered && le.x != nil {
		msg.Inject = le.deliveredInject(e.Data.Inject, e.Team, e.Data.Expectations)
	}
	b := encode(msg)
	le.encoded = append(le.encoded, b)
	return b
}

// publish is the engine's OnEvent callback (owner): encode the event once
// and queue it for every subscriber that may see it.
func (le *liveExercise) publish(e engine.Event) {
	b := le.record(&e)
	le.persist.add(e)
	le.metrics.events.Add(1)
	if len(le.subs) == 0 {
		return
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return
	}
	for c := range le.subs {
		if c.maySee(&e) {
			le.queue(c, pm)
		}
	}
}

// queue hands a message to a subscriber, dropping a subscriber whose queue
// is full: a slow client must not hold up the exercise. It reconnects and
// resumes from its last sequence number.
func (le *liveExercise) queue(c *conn, pm *websocket.PreparedMessage) {
	select {
	case c.send <- pm:
	default:
		le.metrics.drops.Add(1)
		le.unsubscribe(c)
	}
}

// unsubscribe removes a subscriber and closes its queue (owner).
func (le *liveExercise) unsubscribe(c *conn) {
	if _, ok := le.subs[c]; !ok {
		return
	}
	delete(le.subs, c)
	close(c.send)
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
	for _, a := range in.Attachments {
		d.Attachments = append(d.Attachments, attachmentView{Name: a.Name, Kind: string(a.Kind), Content: a.Content})
	}
	for _, lang := range slices.Sorted(maps.Keys(in.Translations)) {
		t, b := le.scn.Render(in, team, lang)
		if d.Translations == nil {
			d.Translations = map[string]translation{}
		}
		d.Translations[lang] = translation{Title: t, Body: b}
	}
	d.Expectations = open
	return d
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

// subscribe registers c and returns what it missed since seq (owner), in
// one step so no event can fall between the replay and the live stream.
func (le *liveExercise) subscribe(c *conn, since uint64) [][]byte {
	backlog := le.backlog(c, since)
	le.subs[c] = struct{}{}
	return backlog
}

// backlog returns the encoded events after since that c may see (owner, or
// anyone once the exercise has ended).
func (le *liveExercise) backlog(c *conn, since uint64) [][]byte {
	var out [][]byte
	events := le.x.Events()
	for i := int(min(since, uint64(len(events)))); i < len(events); i++ {
		if c.maySee(&events[i]) {
			out = append(out, le.encoded[i])
		}
	}
	return out
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
	for {
		select {
		case <-ctx.Done():
			return
		case <-le.done:
			return
		case <-t.C:
			le.pushStatus(ctx)
		}
	}
}

// pushStatus sends every subscriber its status, on the owner goroutine.
func (le *liveExercise) pushStatus(ctx context.Context) {
	le.runner.Inspect(ctx, le.broadcastStatus)
}

// broadcastStatus builds the status of every audience (owner), encodes it
// once per audience (staff, then each team) and queues it.
func (le *liveExercise) broadcastStatus(x *engine.Exercise) {
	if len(le.subs) == 0 {
		return
	}
	staff := le.status(x, "")
	le.lastStaff = staff
	prepared := map[string]*websocket.PreparedMessage{}
	for c := range le.subs {
		key := c.statusKey()
		pm, ok := prepared[key]
		if !ok {
			pm, _ = websocket.NewPreparedMessage(websocket.TextMessage, le.statusMessage(x, staff, key))
			prepared[key] = pm
		}
		le.queue(c, pm)
	}
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
	return encode(statusMessage{Type: "status", Seq: x.State().Seq, At: x.Now(), Status: st})
}

// status is the staff view of the exercise (owner).
func (le *liveExercise) status(x *engine.Exercise, _ string) *status {
	st := x.State()
	sum := x.Summarize()
	out := &status{Status: st.Status, Speed: st.Speed, Now: x.Now(), Duration: x.Duration()}
	online := map[string][]string{}
	for c := range le.subs {
		if c.sess.Role == engine.RoleTrainee && !slices.Contains(online[c.sess.Team], c.sess.Name) {
			online[c.sess.Team] = append(online[c.sess.Team], c.sess.Name)
		}
	}
	for _, t := range sum.Teams {
		ts := teamStatus{ID: t.Team, Name: t.Name, Mode: t.Mode, Online: online[t.Team], Score: t.Score, MaxScore: t.MaxScore,
			Met: t.Met, Late: t.Late, Missed: t.Missed + t.Wrong, Open: []openExpectation{}}
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
		if _, delivered := st.FirstDelivery[in.ID]; delivered && !slices.Contains(in.To, scenarios.ToTriggeringTeam) {
			continue
		}
		out.Releasable = append(out.Releasable, releasable{Inject: in.ID, Title: in.Title, PerTeam: slices.Contains(in.To, scenarios.ToTriggeringTeam)})
	}
	return out
}

// teamStatus narrows the staff status to what one team may see.
func (le *liveExercise) teamStatus(staff *status, team string) *status {
	out := &status{Status: staff.Status, Speed: staff.Speed, Now: staff.Now, Duration: staff.Duration}
	for _, t := range staff.Teams {
		if t.ID == team {
			out.Teams = []teamStatus{t}
		}
	}
	return out
}
