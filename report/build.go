package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// Build computes the after-action report of one exercise run from its event
// log and the scenario it ran. baseline may be nil; when given, it must be a
// baseline of the same scenario, and each team is placed against it.
//
// Build checks that the log is whole (it starts with exercise.created,
// sequence numbers run from 1 without gaps, time never goes back) and that
// it belongs to s, and says which event is wrong when it is not.
//
// Build is for a log already in memory; a Builder reads a log of any
// length one event at a time.
func Build(s *scenarios.Scenario, events []engine.Event, baseline *Baseline) (*Report, error) {
	return BuildWith(s, events, Options{Baseline: baseline})
}

// BuildWith is Build with options: the baseline and the language of the
// report's texts (see Options).
func BuildWith(s *scenarios.Scenario, events []engine.Event, opts Options) (*Report, error) {
	bd, err := NewBuilder(s, opts)
	if err != nil {
		return nil, err
	}
	for i := range events {
		if err := bd.Add(&events[i]); err != nil {
			return nil, err
		}
	}
	return bd.Report()
}

// Builder builds a report from a log read one event at a time, for
// instance with engine.ScanLog:
//
//	bd, err := report.NewBuilder(s, opts)
//	…
//	if _, err := engine.ScanLog(r, bd.Add); err != nil { … }
//	rep, err := bd.Report()
//
// What it keeps does not grow with the length of the log beyond what the
// report shows: the scenario's expectations and deliveries, and bounded
// excerpts of everything else (see LaneKeyEvents and the other bounds).
// It may keep the events it is given (a bounded number of them), so they
// must not change until Report returns.
type Builder struct {
	s    *scenarios.Scenario
	opts Options
	b    *builder // from the first event on
	n    int
	last time.Duration
}

// NewBuilder starts the report of a run of s. It fails when s is missing
// or the baseline is not one of s.
func NewBuilder(s *scenarios.Scenario, opts Options) (*Builder, error) {
	if s == nil {
		return nil, errors.New("report: no scenario")
	}
	if opts.Baseline != nil {
		if err := checkBaseline(opts.Baseline, s); err != nil {
			return nil, err
		}
	}
	if opts.Team != "" && s.TeamIndex(opts.Team) < 0 {
		return nil, fmt.Errorf("report: scenario %s has no team %q", s.Exercise.ID, opts.Team)
	}
	return &Builder{s: s, opts: opts}, nil
}

// Add folds the log's next event into the report. It fails, saying which
// event is wrong, when the log is not a whole log of the scenario: it
// starts with exercise.created, sequence numbers run from 1 without gaps,
// time never goes back and every team is one of the scenario's.
func (bd *Builder) Add(e *engine.Event) error {
	if err := bd.check(e); err != nil {
		return err
	}
	if bd.b == nil {
		bd.b = newBuilder(bd.s, e, newLoc(bd.opts.Lang))
		bd.b.team = bd.opts.Team
	}
	bd.n, bd.last = bd.n+1, e.At
	bd.b.apply(e)
	return nil
}

// check rejects an event that does not continue a whole log of the
// scenario.
func (bd *Builder) check(e *engine.Event) error {
	s := bd.s
	if bd.n == 0 {
		if e.Type != engine.EventCreated {
			return fmt.Errorf("report: event 1 is %s; a log starts with %s", e.Type, engine.EventCreated)
		}
		if id := e.Data.Creation().Scenario; id != "" && id != s.Exercise.ID {
			return fmt.Errorf("report: the log is of scenario %q, not %q", id, s.Exercise.ID)
		}
	}
	if e.Seq != uint64(bd.n)+1 {
		return fmt.Errorf("report: event %d has sequence number %d: the log has a gap or a duplicate", bd.n+1, e.Seq)
	}
	if e.At < bd.last {
		return fmt.Errorf("report: event %d (%s) is at %s, before the event it follows (%s)", e.Seq, e.Type, Duration(e.At).TPlus(), Duration(bd.last).TPlus())
	}
	if e.Team != "" && s.TeamIndex(e.Team) < 0 && e.Type != engine.EventIncidentSpread {
		return fmt.Errorf("report: event %d (%s) names team %q, which is not in scenario %s", e.Seq, e.Type, e.Team, s.Exercise.ID)
	}
	return nil
}

// Report computes the report of the events added. It fails when none
// were. The Builder is spent: call Report once.
func (bd *Builder) Report() (*Report, error) {
	b := bd.b
	if b == nil {
		return nil, errors.New("report: the event log is empty")
	}
	bd.b = nil
	b.r.Exercise.Events, b.r.Exercise.End = bd.n, Duration(bd.last)
	b.appendix = bd.opts.Appendix
	b.runDates(bd.opts)
	b.names()
	b.r.TLP = string(b.tlp)
	b.expectations()
	b.injectsAnswered()
	b.teams()
	b.objectives()
	b.evaluationGuides()
	b.capabilities()
	b.network()
	b.r.Communication = b.comm.result()
	b.r.HotWash = b.hotWash()
	b.decisions(bd.opts.Alternatives)
	b.incidents()
	b.summary()
	if bd.opts.Baseline != nil {
		b.standing(bd.opts.Baseline)
	}
	b.findings()
	b.editedAAR(bd.opts.Draft)
	b.localizeProblems()
	b.log()
	b.linkObservedEvents()
	if bd.opts.Team != "" {
		b.scopeToTeam(bd.opts.Team)
	}
	return b.r, nil
}

type teamInject struct{ team, inject string }

type teamIncident struct{ team, incident string }

// instance holds what the log says about one expectation instance beyond
// what engine.State keeps.
type instance struct {
	latency    *Duration // from expectation.met
	answered   *Duration // met, or the last wrong answer
	missReason engine.Why
	judged     judgedScore // judgement.go
}

// builder folds the log into a Report. It runs engine.State alongside, so
// outcomes are exactly the engine's.
type builder struct {
	loc
	s  *scenarios.Scenario
	st *engine.State
	r  *Report

	inst  map[string]*instance
	adhoc map[string]*engine.AdHocInject
	// deliveredTLP is the marking each inject carried when delivered to
	// each team.
	deliveredTLP map[teamInject]string
	acted        map[teamInject]bool
	// firstAction is when each team first acted on each inject.
	firstAction map[teamInject]time.Duration
	injects     map[string]int // index in r.Injects
	human       map[string]bool
	phases      map[teamIncident]int // index in phaseList
	phaseList   []PhaseState
	conseq      map[string][]Consequence // INJECT.EXPECTATION@TEAM → what its miss set off
	spreads     []engine.Event
	// lastShare indexes r.Shares when the latest team.action was a share
	// the report keeps, else -1: expectation.wrong events come right after
	// the action that caused them.
	lastShare   int
	actions     int
	objectiveOf map[string]string // INJECT.EXPECTATION → objective, for ad-hoc injects
	comm        *communication

	// excerpt chooses the events Report.Log inlines; appendix says where
	// the whole log is.
	excerpt  *excerpt
	appendix string
	// shares counts every share action by team (Report.Shares keeps the
	// first MaxSharesPerTeam of each); links aggregates them all.
	shares        map[string]int
	sharesOmitted int
	tlpViolations int
	links         map[teamLink]int // index in linkList
	linkList      []Link
	notes         int
	// tlp is the highest marking of what the log carries (see mark).
	tlp scenarios.TLP

	// rows indexes the report's rows by team, once they are computed.
	rows map[string]*teamRows
	// problems holds the reason of each share problem by its English
	// sentence (Share.Problems keeps the sentences).
	problems map[string]engine.Why
	// team scopes the report to one team (Options.Team): its log excerpt
	// keeps only the events the team could see.
	team string
	// startedAt is the wall-clock time of the start when the log records
	// one: a start the server sent at its scheduled time carries it.
	startedAt time.Time
}

// teamLink is a directed link between two teams.
type teamLink struct{ from, to string }

// newBuilder starts a report from the log's first event.
func newBuilder(s *scenarios.Scenario, first *engine.Event, l loc) *builder {
	created := first.Data.Creation()
	text := s.ExerciseIn(string(l.lang))
	l.useScenario(s)
	b := &builder{
		loc:          l,
		s:            s,
		st:           engine.NewState(s, created.Humans),
		inst:         map[string]*instance{},
		adhoc:        map[string]*engine.AdHocInject{},
		deliveredTLP: map[teamInject]string{},
		acted:        map[teamInject]bool{},
		firstAction:  map[teamInject]time.Duration{},
		injects:      map[string]int{},
		human:        map[string]bool{},
		phases:       map[teamIncident]int{},
		conseq:       map[string][]Consequence{},
		lastShare:    -1,
		tlp:          scenarios.TLPClear,
		objectiveOf:  map[string]string{},
		excerpt:      newExcerpt(),
		shares:       map[string]int{},
		links:        map[teamLink]int{},
		comm:         newCommunication(s, string(l.lang)),
		problems:     map[string]engine.Why{},
		r: &Report{
			Format: Format,
			Lang:   l.lang,
			Exercise: ExerciseInfo{
				ID: s.Exercise.ID, Title: text.Title, Description: strings.TrimSpace(text.Description),
				Version: s.Exercise.Version, Language: s.Exercise.Language, Languages: s.ContentLanguages(),
				Planned: Duration(s.Exercise.Duration.D()),
				Seed:    created.Seed,
			},
		},
	}
	if !s.Exercise.StartTime.IsZero() {
		b.r.Exercise.StartTime = s.Exercise.StartTime.Format(time.RFC3339)
	}
	for _, h := range created.Humans {
		b.human[h] = true
	}
	return b
}

func (b *builder) instance(inject, exp, team string) *instance {
	k := inject + "." + exp + "@" + team
	in := b.inst[k]
	if in == nil {
		in = &instance{}
		b.inst[k] = in
	}
	return in
}

// apply folds one event.
func (b *builder) apply(e *engine.Event) {
	b.st.Apply(e)
	d := &e.Data
	if b.team == "" || e.VisibleTo(b.team) {
		b.excerpt.add(e)
	}
	b.mark(scenarios.TLP(d.TLP))
	b.noteConsequence(e)
	b.comm.add(e)
	switch e.Type {
	case engine.EventStarted:
		switch c := d.Command; {
		case c == nil:
		case c.ReceivedAt != nil: // when the server started it (log version 3)
			b.startedAt = *c.ReceivedAt
		case c.StartAt != nil: // a scheduled start of an older log
			b.startedAt = *c.StartAt
		}
	case engine.EventEnded:
		b.r.Exercise.Ended, b.r.Exercise.EndReason = true, d.Reason
	case engine.EventTeamMode:
		if d.Control().Mode == engine.ModeHuman {
			b.human[e.Team] = true
		}
	case engine.EventInjectSent:
		if d.AdHoc != nil {
			b.adhoc[d.Inject] = d.AdHoc
		}
	case engine.EventInjectDelivered:
		b.deliver(e)
	case engine.EventAction:
		b.action(e)
	case engine.EventExpectationMet:
		in := b.instance(d.Inject, d.Expectation, e.Team)
		in.latency, in.answered = durPtr(d.Latency), durPtr(e.At)
		b.judgement(e)
	case engine.EventExpectationJudged, engine.EventExpectationScored:
		b.judgement(e)
	case engine.EventExpectationWrong:
		in := b.instance(d.Inject, d.Expectation, e.Team)
		in.answered = durPtr(e.At)
		if b.lastShare >= 0 {
			sh := &b.r.Shares[b.lastShare]
			if sh.From == e.Team && sh.Inject == d.Inject && sh.At == Duration(e.At) && !slices.Contains(sh.Problems, d.Reason) {
				sh.Problems = append(sh.Problems, d.Reason)
				b.problems[d.Reason] = d.Why
			}
		}
	case engine.EventExpectationMissed:
		b.instance(d.Inject, d.Expectation, e.Team).missReason = d.Why
	case engine.EventIncidentPhase:
		k := teamIncident{e.Team, d.Incident}
		i, ok := b.phases[k]
		if !ok {
			i = len(b.phaseList)
			b.phases[k] = i
			b.phaseList = append(b.phaseList, PhaseState{Team: e.Team, Incident: d.Incident})
		}
		p := &b.phaseList[i]
		p.Phase = string(d.IncidentDetail().Phase)
		if len(p.Steps) < MaxPhaseSteps {
			p.Steps = append(p.Steps, PhaseStep{Phase: p.Phase, At: Duration(e.At)})
		}
	case engine.EventIncidentSpread:
		b.spreads = append(b.spreads, *e)
	case engine.EventNote:
		b.notes++
		if len(b.r.Notes) < MaxNotes {
			b.r.Notes = append(b.r.Notes, Note{Seq: e.Seq, At: Duration(e.At), By: e.Actor, Team: e.Team, Inject: d.Inject, Objective: d.Objective, Text: cutText(d.Text)})
		}
	}
}

// noteConsequence records an inject delivery or a spread that a miss set off.
func (b *builder) noteConsequence(e *engine.Event) {
	ref, team, ok := missCause(e.Data.Cause)
	if !ok {
		return
	}
	k := ref + "@" + team
	switch e.Type {
	case engine.EventInjectDelivered:
		b.conseq[k] = append(b.conseq[k], Consequence{Kind: "inject", ID: e.Data.Inject, Team: e.Team, At: Duration(e.At)})
	case engine.EventIncidentSpread:
		b.conseq[k] = append(b.conseq[k], Consequence{Kind: "spread", ID: e.Data.IncidentDetail().Spread, Team: e.Team, At: Duration(e.At)})
	}
}

// missCause splits a cause "miss:INJECT.EXPECTATION:TEAM".
func missCause(cause string) (ref, team string, ok bool) {
	rest, ok := strings.CutPrefix(cause, "miss:")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return rest, "", true
	}
	return rest[:i], rest[i+1:], true
}

func (b *builder) deliver(e *engine.Event) {
	d := &e.Data
	b.deliveredTLP[teamInject{e.Team, d.Inject}] = d.TLP
	i, ok := b.injects[d.Inject]
	if !ok {
		info := InjectInfo{ID: d.Inject, Incident: d.Incident, TLP: d.TLP, Severity: d.Severity}
		if in, ok := b.s.Inject(d.Inject); ok {
			info.Title = b.title(in)
		} else if a := b.adhoc[d.Inject]; a != nil {
			info.Title, info.AdHoc = a.Title, true
		}
		i = len(b.r.Injects)
		b.injects[d.Inject] = i
		b.r.Injects = append(b.r.Injects, info)
	}
	b.r.Injects[i].Deliveries = append(b.r.Injects[i].Deliveries, Delivery{Team: e.Team, At: Duration(e.At), Cause: d.Cause})
	if a := b.adhoc[d.Inject]; a != nil {
		for j, x := range d.Expectations {
			if j < len(a.Expectations) {
				b.objectiveOf[d.Inject+"."+x.ID] = a.Expectations[j].Objective
			}
		}
	}
}

func (b *builder) action(e *engine.Event) {
	d := &e.Data
	b.actions++
	k := teamInject{e.Team, d.Inject}
	if !b.acted[k] {
		b.acted[k] = true
		b.firstAction[k] = e.At
	}
	b.lastShare = -1
	if d.Action != scenarios.ActionShare {
		return
	}
	sh := Share{At: Duration(e.At), From: e.Team, To: slices.Clone(d.Peers), TLP: d.TLP, Inject: d.Inject, Actor: e.Actor}
	sh.InjectTLP = b.deliveredTLP[teamInject{e.Team, d.Inject}]
	if sh.InjectTLP != "" && scenarios.TLP(sh.TLP).Rank() < scenarios.TLP(sh.InjectTLP).Rank() {
		sh.TLPViolation = true
		b.tlpViolations++
	}
	b.link(&sh)
	b.shares[e.Team]++
	if b.shares[e.Team] > MaxSharesPerTeam {
		b.sharesOmitted++
		return
	}
	b.lastShare = len(b.r.Shares)
	b.r.Shares = append(b.r.Shares, sh)
}

// link counts a share on the links from its sender to each peer.
func (b *builder) link(sh *Share) {
	for _, to := range sh.To {
		k := teamLink{sh.From, to}
		i, ok := b.links[k]
		if !ok {
			i = len(b.linkList)
			b.links[k] = i
			b.linkList = append(b.linkList, Link{From: sh.From, To: to})
		}
		l := &b.linkList[i]
		l.Count++
		if sh.TLPViolation {
			l.Violations++
		}
		j := slices.IndexFunc(l.TLPs, func(c TLPCount) bool { return c.TLP == sh.TLP })
		if j < 0 {
			l.TLPs = append(l.TLPs, TLPCount{TLP: sh.TLP})
			j = len(l.TLPs) - 1
		}
		l.TLPs[j].Count++
	}
}

// objective returns the objective and capability of an expectation.
func (b *builder) objective(inject, exp string) (string, string) {
	id := b.objectiveOf[inject+"."+exp]
	if id == "" {
		if _, e, ok := b.s.Expectation(inject + "." + exp); ok {
			id = e.Objective
		}
	}
	if o, ok := b.s.Objective(id); ok {
		return id, string(o.Capability)
	}
	return id, ""
}

// injectTitle returns an inject's title, or its id.
func (b *builder) injectTitle(id string) string {
	if i, ok := b.injects[id]; ok && b.r.Injects[i].Title != "" {
		return b.r.Injects[i].Title
	}
	if in, ok := b.s.Inject(id); ok {
		return b.title(in)
	}
	return id
}

// title returns an inject's title in the report's language when the
// scenario translates it, else as written.
func (b *builder) title(in *scenarios.Inject) string {
	return in.TitleIn(string(b.lang))
}

// localizeProblems says the log's reasons for a share's problems in the
// report's language, once the findings have read them.
func (b *builder) localizeProblems() {
	for i := range b.r.Shares {
		for j, p := range b.r.Shares[i].Problems {
			b.r.Shares[i].Problems[j] = b.why(b.problemWhy(p))
		}
	}
}

// mark raises the report's marking to t when t is higher: every event's
// marking counts, for the report reproduces the injects' titles, the
// shares, the messages and the log.
func (b *builder) mark(t scenarios.TLP) {
	if t.Rank() > b.tlp.Rank() {
		b.tlp = t
	}
}

// runDates records when the exercise really ran, in UTC, when the log
// or the caller knows: the start's wall-clock time when the log records
// one (when the server started it, or the scheduled time in an older
// log), else the caller's RunStart.
func (b *builder) runDates(opts Options) {
	start := opts.RunStart
	if !b.startedAt.IsZero() {
		start = b.startedAt
	}
	if !start.IsZero() {
		b.r.Exercise.RunStart = start.UTC().Format(time.RFC3339)
	}
	if !opts.RunEnd.IsZero() {
		b.r.Exercise.RunEnd = opts.RunEnd.UTC().Format(time.RFC3339)
	}
}

// names fills Report.Names with every team's and actor's display name in
// the report's language.
func (b *builder) names() {
	b.r.Names = b.loc.names
}
