package engine

import (
	"slices"
	"strings"
	"time"

	"cmesim/engine/des"
	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// bot plays a team that has no humans: a pool of analysts working through a
// queue of tasks. Each delivered inject is first acknowledged; then each of
// its other expectations becomes a task of its own, so several analysts can
// work on one inject at once. A task waits in the queue whenever every
// analyst is busy, and the most severe, earliest waiting task is served first. How long
// a step takes is drawn from the team profile's log-normal response times,
// slowed outside working hours; the team's skill decides whether a
// classification is right and whether a share or escalation happens at all.
type bot struct {
	x       *Exercise
	team    int
	id      string
	profile *scenarios.Profile
	loc     *time.Location
	timing  *des.Stream
	skill   *des.Stream

	tasks   []task
	queue   taskQueue // tasks waiting for an analyst
	busy    int
	running []des.EventID
}

// task is one piece of work on one inject.
type task struct {
	inject int
	// exp indexes the inject's expectations; -1 is a plain acknowledgement.
	exp int
	// arrival orders tasks of equal severity.
	arrival time.Duration
	// rank is the task's severity rank (see severity): higher is served first.
	rank int
	// thread, when set, is a thread to answer (inject is then -1).
	thread uint64
}

func newBot(x *Exercise, team int, stream *des.Stream) *bot {
	t := &x.scn.Teams[team]
	return &bot{
		x: x, team: team, id: t.ID, profile: &t.Profile, loc: t.Location(),
		timing: stream.Split("timing"), skill: stream.Split("skill"),
	}
}

// received queues the acknowledgement of a newly delivered inject.
func (b *bot) received(inject int) {
	ack := -1
	for i, e := range b.x.injects[inject].Expectations {
		if e.Action == scenarios.ActionAcknowledge {
			ack = i
		}
	}
	b.enqueue(task{inject: inject, exp: ack})
}

// acknowledged queues the rest of an inject's expectations, one task each.
func (b *bot) acknowledged(inject int) {
	for i, e := range b.x.injects[inject].Expectations {
		if e.Action != scenarios.ActionAcknowledge {
			b.enqueue(task{inject: inject, exp: i})
		}
	}
}

// adopt takes over a team from its humans: every expectation still unmet
// becomes a task, in the order the expectations were opened, and then every
// request for information still unanswered.
func (b *bot) adopt() {
	defer func() {
		for _, r := range b.x.st.RFIs {
			if r.To == b.id && !r.Answered {
				if _, fromInject := b.x.st.InjectThread(b.id, r.Inject); !fromInject {
					b.ask(r.Thread)
				}
			}
		}
	}()
	for _, e := range b.x.st.Expectations {
		if e.Team != b.id || e.Met {
			continue
		}
		i := b.x.injectIx[e.Inject]
		for j, se := range b.x.injects[i].Expectations {
			if se.ID == e.Expectation {
				b.enqueue(task{inject: i, exp: j})
			}
		}
	}
}

// ask queues the answer to a thread a team opened with this one.
func (b *bot) ask(thread uint64) {
	b.enqueue(task{inject: -1, exp: -1, thread: thread})
}

// enqueue queues a task that arrives now.
func (b *bot) enqueue(t task) {
	t.arrival = b.x.k.Now()
	t.rank = b.severity(t)
	b.tasks = append(b.tasks, t)
	b.queue.push(b.tasks, len(b.tasks)-1)
	b.work()
}

// reset drops all work, as when humans take the team back.
func (b *bot) reset() {
	for _, id := range b.running {
		b.x.k.Cancel(id)
	}
	b.running, b.queue, b.tasks, b.busy = nil, taskQueue{}, nil, 0
}

func (b *bot) analysts() int { return max(1, b.profile.Analysts) }

// work hands waiting tasks to free analysts.
func (b *bot) work() {
	for b.busy < b.analysts() && b.queue.len() > 0 {
		next := b.queue.pop(b.tasks)
		b.busy++
		d := b.serviceTime(b.action(b.tasks[next]))
		id := b.x.k.Schedule(b.x.k.Now()+d, prioBotDone, timer{kind: timerBotDone, team: int32(b.team), task: int32(next)})
		b.running = append(b.running, id)
	}
}

// severity ranks a task: its inject's severity, or medium for a thread.
func (b *bot) severity(t task) int {
	if t.inject < 0 {
		return scenarios.Severity("medium").Rank()
	}
	return b.x.injects[t.inject].Severity.Rank()
}

func (b *bot) action(t task) scenarios.Action {
	if t.thread != 0 {
		return scenarios.ActionReply
	}
	if t.exp >= 0 {
		return b.x.injects[t.inject].Expectations[t.exp].Action
	}
	return scenarios.ActionAcknowledge
}

// serviceTime draws how long an analyst takes for one action, in whole
// seconds, slowed outside working hours.
func (b *bot) serviceTime(a scenarios.Action) time.Duration {
	r := b.profile.Timing(a)
	d := b.timing.LogNormal(r.Median.D(), r.Spread)
	if b.offHours(b.x.k.Now()) {
		d = time.Duration(float64(d) * b.profile.WorkingHours.OffHoursFactor)
	}
	return max(time.Second, d.Round(time.Second))
}

// offHours reports whether virtual time t falls outside the team's working
// hours in its own time zone.
func (b *bot) offHours(t time.Duration) bool {
	w, start := b.profile.WorkingHours, b.x.scn.Exercise.StartTime
	if w == nil || start.IsZero() {
		return false
	}
	local := start.Add(t).In(b.loc)
	days := w.Days
	if len(days) == 0 {
		days = []scenarios.Weekday{1, 2, 3, 4, 5}
	}
	if !slices.Contains(days, scenarios.Weekday(local.Weekday())) {
		return true
	}
	now := time.Duration(local.Hour())*time.Hour + time.Duration(local.Minute())*time.Minute
	from, to := w.Start.SinceMidnight(), w.End.SinceMidnight()
	if from < to {
		return now < from || now >= to
	}
	return now < from && now >= to // working hours that cross midnight
}

// done is called when an analyst finishes task ti.
func (b *bot) done(ti int, id des.EventID) {
	b.busy--
	b.running = slices.DeleteFunc(b.running, func(r des.EventID) bool { return r == id })
	t := b.tasks[ti]
	if t.thread != 0 {
		b.answer(t.thread)
	} else {
		b.perform(t)
	}
	if b.action(t) == scenarios.ActionAcknowledge {
		b.acknowledged(t.inject)
	}
	b.work()
}

// perform sends the command for a task.
func (b *bot) perform(t task) {
	in := b.x.injects[t.inject]
	cmd := Command{Type: CmdAcknowledge, By: Principal{Role: RoleSimulated, Team: b.id}, Inject: in.ID}
	if t.exp >= 0 {
		e := &in.Expectations[t.exp]
		if st := b.x.st.Expectation(in.ID, e.ID, b.id); st != nil && st.Met {
			return
		}
		skilled := b.skill.Bernoulli(b.profile.Skill)
		cmd.Type = CommandType(e.Action)
		switch e.Action {
		case scenarios.ActionClassify:
			cmd.Category, cmd.Severity = e.Category, string(e.Severity)
			if !skilled {
				cmd.Severity = b.wrongSeverity(e.Severity)
			}
		case scenarios.ActionEscalate:
			if !skilled {
				return // the escalation never happens
			}
			cmd.Target = e.To
		case scenarios.ActionShare:
			if !skilled {
				return // the team keeps the information to itself
			}
			cmd.TLP = string(e.TLP)
			for _, peer := range b.x.scn.Members(e.With, "") {
				if peer != b.id {
					cmd.Peers = append(cmd.Peers, peer)
				}
			}
		case scenarios.ActionRequestInfo:
			cmd.Target = in.From
		case scenarios.ActionReply:
			thread, ok := b.x.st.InjectThread(b.id, in.ID)
			if !ok {
				return
			}
			b.answer(thread)
			return
		}
		if writtenActions[e.Action] {
			lang := b.x.catalogLang
			cmd.Text = i18n.T(lang, "sim.action_text", "action", i18n.T(lang, "sim.action."+string(e.Action)), "team", b.id, "inject", in.ID)
		}
	}
	// A rejection here means the situation changed (the exercise was paused,
	// the team handed back); the step is dropped.
	_ = b.x.apply(cmd)
}

// writtenActions are the actions whose text is their substance: without
// text they earn nothing.
var writtenActions = map[scenarios.Action]bool{
	scenarios.ActionEscalate: true, scenarios.ActionRequestInfo: true, scenarios.ActionPublish: true, scenarios.ActionReport: true,
}

func (b *bot) wrongSeverity(right scenarios.Severity) string {
	others := slices.DeleteFunc(scenarios.Severities.Values(), func(s string) bool { return s == string(right) })
	return others[b.skill.IntN(len(others))]
}

// answer replies in a thread with the scenario's reply template for this
// team (or a default), unless the team has already answered it.
func (b *bot) answer(thread uint64) {
	t, ok := b.x.st.Thread(thread)
	if !ok {
		return
	}
	for _, r := range b.x.st.RFIs {
		if r.Thread == thread && r.To == b.id && r.Answered {
			return
		}
	}
	kind := scenarios.ReplyMessage
	if t.Kind == KindRFI {
		kind = scenarios.ReplyRFI
	}
	subject := ""
	if in, ok := b.x.Inject(t.Inject); ok {
		subject = in.Title
	}
	cmd := Command{Type: CmdReply, By: Principal{Role: RoleSimulated, Team: b.id}, Message: thread,
		Text: b.x.scn.ReplyText(b.id, kind, t.From, subject)}
	if kind == scenarios.ReplyRFI {
		cmd.Indicators, cmd.TLP = b.sharesBack(thread, t)
	}
	_ = b.x.apply(cmd) // rejected only when the situation changed, as in perform
}

// sharesBack returns what a simulated team that was asked for information
// about an inject shares with its answer: the indicators of the inject's
// ioc attachments, when the inject reached the team too, marked no more
// openly than the inject and the request, at a level the link with the
// requester allows. Without such indicators, or without such a level, the
// answer is its text alone (nil, "": the request's own marking).
func (b *bot) sharesBack(thread uint64, t *Thread) ([]string, string) {
	in, ok := b.x.Inject(t.Inject)
	if !ok {
		return nil, ""
	}
	if _, delivered := b.x.st.Delivered(b.id, in.ID); !delivered {
		return nil, ""
	}
	indicators := iocLines(in)
	if len(indicators) == 0 {
		return nil, ""
	}
	tlp := in.TLP
	if m, ok := b.x.st.Message(thread); ok && m.TLP.Rank() > tlp.Rank() {
		tlp = m.TLP
	}
	if tlp == "" || !slices.Contains(b.x.scn.AllowedTLP(b.id, t.From), tlp) {
		return nil, ""
	}
	return indicators, string(tlp)
}

// iocLines returns the indicators an inject's ioc attachments list, one a
// line (blank lines and # comments skipped), within a message's bounds.
func iocLines(in *scenarios.Inject) []string {
	var out []string
	for _, a := range in.Attachments {
		if a.Kind != "ioc" || a.Content == "" {
			continue
		}
		for _, line := range strings.Split(a.Content, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || len(line) > MaxIndicatorLen {
				continue
			}
			if len(out) == MaxIndicators {
				return out
			}
			out = append(out, line)
		}
	}
	return out
}
