package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cmesim/scenarios"
)

// apply validates and records one command.
func (x *Exercise) apply(cmd Command) error {
	if err := x.authorize(cmd); err != nil {
		return err
	}
	if err := x.checkState(cmd); err != nil {
		return err
	}
	switch {
	case cmd.Type.IsMessage():
		return x.talk(cmd)
	case cmd.Type.IsTeamAction():
		return x.teamAction(cmd)
	case cmd.Type == CmdNote:
		return x.note(cmd)
	case cmd.Type == CmdJudge:
		return x.judgeAnswer(cmd)
	case cmd.Type == CmdSurveyOpen, cmd.Type == CmdSurveyAnswer:
		return x.survey(cmd)
	case cmd.Type == CmdAAREdit:
		return x.editAAR(cmd)
	case isEEGCommand(cmd.Type):
		return x.evaluate(cmd)
	case cmd.Type == CmdDecide, cmd.Type == CmdVote:
		return x.decide(cmd)
	}
	return x.facilitate(cmd)
}

// authorize checks that the sender's role may send this command.
func (x *Exercise) authorize(cmd Command) error {
	p := cmd.By
	switch {
	case cmd.Type.IsTeamCommand():
		if p.Role != RoleTrainee && p.Role != RoleSimulated {
			return Errorf(CodeForbidden, "only a team's trainees can %s", cmd.Type)
		}
		if x.scn.TeamIndex(p.Team) < 0 {
			return Errorf(CodeForbidden, "you are not in a team of this exercise")
		}
		if cmd.Team != "" && cmd.Team != p.Team {
			return Errorf(CodeForbidden, "you can act only for your own team (%s)", p.Team)
		}
		if want := ModeHuman; p.Role == RoleSimulated {
			want = ModeSimulated
			if x.st.Modes[p.Team] != want {
				return Errorf(CodeConflict, "team %s is played by humans", p.Team)
			}
		} else if x.st.Modes[p.Team] != want {
			return Errorf(CodeConflict, "team %s is being played by the simulation; ask the facilitator to hand it to you", p.Team)
		}
	case cmd.Type == CmdNote, cmd.Type == CmdJudge:
		if p.Role != RoleEvaluator && p.Role != RoleFacilitator {
			return Errorf(CodeForbidden, "only evaluators and facilitators can %s", staffVerb(cmd.Type))
		}
	case cmd.Type == CmdSurveyAnswer:
		if p.Role != RoleTrainee && p.Role != RoleEvaluator && p.Role != RoleObserver {
			return Errorf(CodeForbidden, "only participants can answer the hot wash survey")
		}
	case cmd.Type == CmdAAREdit:
		if p.Role != RoleFacilitator {
			return Errorf(CodeForbidden, "only the lead evaluator (a facilitator) can edit the after-action report")
		}
	case isEEGCommand(cmd.Type):
		if err := authorizeEEG(cmd); err != nil {
			return err
		}
	case cmd.Type == CmdSurveyOpen:
		if p.Role != RoleFacilitator {
			return Errorf(CodeForbidden, "only a facilitator can open the hot wash survey")
		}
	case cmd.Type == CmdDecide, cmd.Type == CmdVote:
		if err := x.authorizeDecision(cmd); err != nil {
			return err
		}
	case isFacilitatorCommand(cmd.Type):
		if p.Role != RoleFacilitator {
			return Errorf(CodeForbidden, "only a facilitator can %s", strings.ReplaceAll(string(cmd.Type), "_", " "))
		}
	default:
		return Errorf(CodeInvalid, "unknown command %q", cmd.Type)
	}
	if utf8.RuneCountInString(p.Name) > MaxNameLen {
		return Errorf(CodeInvalid, "name is longer than %d characters", MaxNameLen)
	}
	return nil
}

func isFacilitatorCommand(t CommandType) bool {
	switch t {
	case CmdStart, CmdPause, CmdResume, CmdSetSpeed, CmdReleaseInject, CmdSkipInject, CmdDelayInject,
		CmdSendInject, CmdSetMode, CmdSetPhase, CmdEnd, CmdSimCellClaim, CmdSimCellAnswer, CmdScheduleStart:
		return true
	}
	return false
}

// checkState checks that the exercise is in a state where cmd makes sense.
func (x *Exercise) checkState(cmd Command) error {
	switch st := x.st.Status; {
	case st == StatusEnded && !closingCommand(cmd.Type):
		return Errorf(CodeConflict, "the exercise has ended")
	case st != StatusEnded && (cmd.Type == CmdSurveyOpen || cmd.Type == CmdSurveyAnswer):
		return Errorf(CodeConflict, "the hot wash survey opens once the exercise has ended")
	case st != StatusEnded && cmd.Type == CmdAAREdit:
		return Errorf(CodeConflict, "the after-action report can be edited once the exercise has ended")
	case st == StatusEnded:
	case cmd.Type == CmdStart && st != StatusReady:
		return Errorf(CodeConflict, "the exercise has already started")
	case cmd.Type == CmdStart:
	case cmd.Type == CmdScheduleStart && st != StatusReady:
		return Errorf(CodeConflict, "the exercise has already started")
	case st == StatusReady && cmd.Type != CmdScheduleStart && cmd.Type != CmdSetMode && cmd.Type != CmdSetSpeed && cmd.Type != CmdEnd:
		return Errorf(CodeConflict, "the exercise has not started yet")
	case cmd.Type == CmdPause && st != StatusRunning:
		return Errorf(CodeConflict, "the exercise is not running")
	case cmd.Type == CmdResume && st != StatusPaused:
		return Errorf(CodeConflict, "the exercise is not paused")
	case cmd.Type.IsTeamCommand() && st == StatusPaused:
		return Errorf(CodeConflict, "the exercise is paused")
	}
	if len(cmd.Text) > MaxTextLen {
		return Errorf(CodeInvalid, "text is longer than %d characters", MaxTextLen)
	}
	return nil
}

// cmdEvent is the event that records an accepted command.
func cmdEvent(t EventType, cmd Command, team string, audience []string, d Details) Event {
	if cmd.By.Role != RoleSimulated { // a replay regenerates simulated teams' commands
		c := cmd
		d.Command = &c
	}
	return Event{Type: t, Actor: cmd.By.Label(), Team: team, Audience: audience, Data: d}
}

// teamAction validates and records a team's response to an inject.
func (x *Exercise) teamAction(cmd Command) error {
	team := cmd.By.Team
	action := scenarios.Action(cmd.Type)
	idx, ok := x.injectIx[cmd.Inject]
	if !ok {
		return Errorf(CodeNotFound, "unknown inject %q", cmd.Inject)
	}
	if _, ok := x.st.Delivered(team, cmd.Inject); !ok {
		return Errorf(CodeNotFound, "inject %q has not been delivered to your team", cmd.Inject)
	}
	d := Details{Inject: cmd.Inject, Action: action, Text: cmd.Text}
	audience := []string{team}
	var request *requestTeam
	switch action {
	case scenarios.ActionClassify:
		category, err := x.category(cmd.Category)
		if err != nil {
			return err
		}
		var sev scenarios.Severity
		if err := scenarios.Severities.Check(cmd.Severity); err != nil {
			return Errorf(CodeInvalid, "%v", err)
		}
		sev = scenarios.Severity(strings.ToLower(cmd.Severity))
		d.Category, d.Severity = category, string(sev)
	case scenarios.ActionEscalate, scenarios.ActionRequestInfo:
		if _, ok := x.scn.Actor(cmd.Target); !ok && (action == scenarios.ActionEscalate || x.scn.TeamIndex(cmd.Target) < 0) {
			return Errorf(CodeNotFound, "unknown recipient %q", cmd.Target)
		}
		d.Target = cmd.Target
		if action == scenarios.ActionRequestInfo {
			var err error
			if request, err = x.checkRequest(team, cmd, x.injects[idx]); err != nil {
				return err
			}
		}
	case scenarios.ActionShare:
		peers, tlp, err := x.checkShare(team, cmd)
		if err != nil {
			return err
		}
		d.Peers, d.TLP = peers, string(tlp)
		audience = append(audience, peers...)
	}
	ev := x.emit(cmdEvent(EventAction, cmd, team, audience, d))
	seq := ev.Seq
	x.afterAction(idx, team, action, d, seq)
	if request != nil {
		x.sendRequest(team, cmd, request, seq)
	}
	return nil
}

// checkShare validates a share against the sharing network.
func (x *Exercise) checkShare(team string, cmd Command) ([]string, scenarios.TLP, error) {
	return x.checkLinks(team, "share", cmd.Peers, cmd.TLP)
}

// checkLinks validates what a team sends to peers (a share, a message, a
// reply, a forward) against the sharing network: every peer must be a
// known team (or group, which stands for its members) the team has a link
// with, and the link must allow the TLP. It returns the peers without
// repeats and the canonical TLP. verb names the act in error messages.
func (x *Exercise) checkLinks(team, verb string, names []string, marking string) ([]string, scenarios.TLP, error) {
	if len(names) == 0 {
		return nil, "", Errorf(CodeInvalid, "%s needs at least one peer", verb)
	}
	if len(names) > MaxPeers {
		return nil, "", Errorf(CodeInvalid, "%s names more than %d peers", verb, MaxPeers)
	}
	if err := scenarios.TLPs.Check(marking); err != nil {
		return nil, "", Errorf(CodeInvalid, "%v", err)
	}
	tlp := scenarios.TLP(strings.ToLower(marking))
	var peers []string
	for _, name := range names {
		members := []string{name}
		if x.scn.TeamIndex(name) < 0 {
			members = slices.DeleteFunc(x.scn.Members([]string{name}, ""), func(m string) bool { return m == team })
			if len(members) == 0 || !strings.HasPrefix(name, scenarios.GroupPrefix) {
				return nil, "", Errorf(CodeNotFound, "unknown peer team %q", name)
			}
		} else if name == team {
			return nil, "", Errorf(CodeInvalid, "a team cannot %s with itself", verbWith(verb))
		}
		for _, p := range members {
			allowed := x.scn.AllowedTLP(team, p)
			if len(allowed) == 0 {
				return nil, "", Errorf(CodeForbidden, "your team has no sharing link with %s", p)
			}
			if !slices.Contains(allowed, tlp) {
				return nil, "", Errorf(CodeForbidden, "the link with %s does not allow TLP:%s (allowed: %s)", p, strings.ToUpper(string(tlp)), tlpNames(allowed))
			}
			if !slices.Contains(peers, p) {
				peers = append(peers, p)
			}
		}
	}
	return peers, tlp, nil
}

// verbWith phrases "a team cannot … with itself" for a verb.
func verbWith(verb string) string {
	if verb == "share" {
		return "share"
	}
	return "exchange a " + verb
}

func tlpNames(ts []scenarios.TLP) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = "TLP:" + strings.ToUpper(string(t))
	}
	return strings.Join(out, ", ")
}

// afterAction scores an accepted action against the team's expectations,
// moves incidents on, and fires on_action triggers.
func (x *Exercise) afterAction(idx int, team string, action scenarios.Action, d Details, actionSeq uint64) {
	in := x.injects[idx]
	for i := range in.Expectations {
		e := &in.Expectations[i]
		if e.Action != action {
			continue
		}
		st := x.st.Expectation(in.ID, e.ID, team)
		if st == nil || st.Met {
			continue
		}
		if wrong := x.judge(in, e, team, d); wrong.ReasonCode != "" {
			x.emit(Event{Type: EventExpectationWrong, Actor: "system", Team: team,
				Data: Details{Inject: in.ID, Expectation: e.ID, Why: wrong, Cause: fmt.Sprintf("action:%d", actionSeq)}})
			continue
		}
		if action == scenarios.ActionShare && !x.coversPeers(e, team, in.ID) {
			continue
		}
		latency := x.k.Now() - st.Opened
		late := latency > e.Within.D()
		points := Points(e.Points, latency, e.Within.D(), x.scn.LateFactor())
		met := Details{Inject: in.ID, Expectation: e.ID, Latency: latency, Late: late, Points: round2(points), MaxPoints: e.Points, Deadline: st.Deadline}
		x.emit(Event{Type: EventExpectationMet, Actor: "system", Team: team, Audience: []string{team}, Data: provisional(met, e, actionSeq)})
		if id, ok := x.deadlines[st.key()]; ok {
			x.k.Cancel(id)
			delete(x.deadlines, st.key())
		}
	}
	if in.Incident != "" {
		x.advancePhase(team, in.Incident, in.ID, phaseAfter(action))
	}
	ti := x.scn.TeamIndex(team)
	for _, t := range x.onAction {
		if x.matches(t.match, team, in.ID, action) {
			x.schedule(t.release, ti, fmt.Sprintf("action:%s:%s:%s", team, action, in.ID))
		}
	}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// category returns the canonical "classification/type" of a team's
// classification, which must name a category of the exercise's taxonomy.
func (x *Exercise) category(c string) (string, error) {
	if strings.TrimSpace(c) == "" {
		return "", Errorf(CodeInvalid, "classify needs a category")
	}
	tax := x.scn.Taxonomy()
	if tax == nil {
		return strings.TrimSpace(c), nil
	}
	canonical, ok := tax.Canonical(c)
	if !ok {
		return "", Errorf(CodeInvalid, "unknown category %q: classify with a category of the %s taxonomy, written classification/type such as %s", truncateText(c, 80), tax.ID, tax.Values()[0])
	}
	return canonical, nil
}

// truncateText shortens s to at most n bytes for an error message.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// judge returns why an answer is wrong, or an empty Why when it is right.
func (x *Exercise) judge(in *scenarios.Inject, e *scenarios.Expectation, team string, d Details) Why {
	switch e.Action {
	case scenarios.ActionClassify:
		return judgeClassification(d, e)
	case scenarios.ActionEscalate:
		if d.Target != e.To {
			return because(ReasonWrongTarget, "target", d.Target, "expected_target", e.To)
		}
		return noContent(d)
	case scenarios.ActionPublish, scenarios.ActionReport, scenarios.ActionRequestInfo, scenarios.ActionReply:
		return noContent(d)
	case scenarios.ActionShare:
		if tlp := scenarios.TLP(d.TLP); tlp.Rank() < e.TLP.Rank() || tlp.Rank() < in.TLP.Rank() {
			limit := e.TLP
			if in.TLP.Rank() > limit.Rank() {
				limit = in.TLP
			}
			return because(ReasonShareTLP, "tlp", strings.ToUpper(d.TLP), "limit", strings.ToUpper(string(limit)))
		}
		want := x.scn.Members(e.With, "")
		for _, p := range d.Peers {
			if !slices.Contains(want, p) {
				return because(ReasonWrongPeer, "peer", p, "expected_peers", strings.Join(want, ", "))
			}
		}
	}
	return Why{}
}

// judgeClassification returns why a classification is wrong (its category,
// its severity or both), or an empty Why when it is right.
func judgeClassification(d Details, e *scenarios.Expectation) Why {
	category, severity := !strings.EqualFold(d.Category, e.Category), d.Severity != string(e.Severity)
	switch {
	case category && severity:
		return because(ReasonWrongClassification, "category", d.Category, "expected_category", e.Category, "severity", d.Severity, "expected_severity", string(e.Severity))
	case category:
		return because(ReasonWrongCategory, "category", d.Category, "expected_category", e.Category)
	case severity:
		return because(ReasonWrongSeverity, "severity", d.Severity, "expected_severity", string(e.Severity))
	}
	return Why{}
}

// noContent returns why a written action without text earns nothing, or
// an empty Why when it has text. Its argument is the action's code; the
// English sentence spells it with spaces, as logs always have.
func noContent(d Details) Why {
	if strings.TrimSpace(d.Text) == "" {
		w := because(ReasonNoText, "action", string(d.Action))
		w.Reason = fillReason(reasonEnglish[ReasonNoText], map[string]string{"action": strings.ReplaceAll(string(d.Action), "_", " ")})
		return w
	}
	return Why{}
}

// coversPeers reports whether team has now shared inject with every peer the
// expectation names (other than itself).
func (x *Exercise) coversPeers(e *scenarios.Expectation, team, inject string) bool {
	shared := x.st.SharedWith(team, inject)
	for _, p := range x.scn.Members(e.With, "") {
		if p != team && !slices.Contains(shared, p) {
			return false
		}
	}
	return true
}

func (x *Exercise) matches(m *scenarios.ActionMatch, team, inject string, action scenarios.Action) bool {
	if m.Action != action || (m.Inject != "" && m.Inject != inject) {
		return false
	}
	return m.Team == "" || slices.Contains(x.scn.Members([]string{m.Team}, ""), team)
}

// phaseAfter is the incident phase an action brings a team to.
func phaseAfter(a scenarios.Action) Phase {
	switch a {
	case scenarios.ActionClassify:
		return PhaseAnalysed
	case scenarios.ActionContain:
		return PhaseContained
	case scenarios.ActionReport:
		return PhaseEradicated
	}
	return ""
}

func (x *Exercise) advancePhase(team, incident, inject string, to Phase) {
	if to == "" || to.Rank() <= x.st.Phase(team, incident).Rank() {
		return
	}
	if to == PhaseEradicated && x.st.Phase(team, incident).Rank() < PhaseContained.Rank() {
		return // a report does not eradicate what was never contained
	}
	x.emit(Event{Type: EventIncidentPhase, Actor: "system", Team: team, Audience: []string{team},
		Data: Details{Incident: incident, Inject: inject, IncidentFields: &IncidentFields{Phase: to}}})
}

// note records an evaluator's observation, visible to staff only.
func (x *Exercise) note(cmd Command) error {
	if strings.TrimSpace(cmd.Text) == "" {
		return Errorf(CodeInvalid, "a note needs text")
	}
	if cmd.Team != "" && x.scn.TeamIndex(cmd.Team) < 0 {
		return Errorf(CodeNotFound, "unknown team %q", cmd.Team)
	}
	if cmd.Inject != "" {
		if _, ok := x.injectIx[cmd.Inject]; !ok {
			return Errorf(CodeNotFound, "unknown inject %q", cmd.Inject)
		}
	}
	if cmd.Objective != "" {
		if _, ok := x.scn.Objective(cmd.Objective); !ok {
			return Errorf(CodeNotFound, "unknown objective %q", cmd.Objective)
		}
	}
	x.emit(cmdEvent(EventNote, cmd, cmd.Team, nil, Details{Inject: cmd.Inject, Objective: cmd.Objective, Text: cmd.Text}))
	return nil
}

// facilitate applies a facilitator command.
func (x *Exercise) facilitate(cmd Command) error {
	all := []string{Everyone}
	switch cmd.Type {
	case CmdStart:
		if err := x.checkScheduledStart(cmd); err != nil {
			return err
		}
		if cmd.ReceivedAt != nil {
			at := cmd.ReceivedAt.UTC().Truncate(time.Second)
			cmd.ReceivedAt = &at // the log keeps the time as the engine reads it
		}
		x.emit(cmdEvent(EventStarted, cmd, "", all, Details{Text: x.scn.Exercise.Title}))
		x.k.Schedule(x.end, prioEnd, timer{kind: timerEnd, team: -1})
		for i, in := range x.injects {
			if in.At != nil {
				x.scheduleDelivery(i, -1, in.At.D(), "T+"+scenarios.FormatOffset(in.At.D()))
			}
		}
	case CmdPause:
		x.emit(cmdEvent(EventPaused, cmd, "", all, Details{Text: cmd.Text}))
	case CmdResume:
		x.emit(cmdEvent(EventResumed, cmd, "", all, Details{}))
	case CmdSetSpeed:
		if !(cmd.Speed > 0 && cmd.Speed <= 10000) {
			return Errorf(CodeInvalid, "speed must be between 0 and 10000 times real time")
		}
		x.emit(cmdEvent(EventSpeed, cmd, "", all, Details{ControlFields: &ControlFields{Speed: cmd.Speed}}))
	case CmdEnd:
		x.emit(cmdEvent(EventEnded, cmd, "", all, Details{Why: because(ReasonEndedByFacilitator), Text: cmd.Text}))
		x.stop()
	case CmdSetMode:
		return x.setMode(cmd)
	case CmdSetPhase:
		return x.setPhase(cmd)
	case CmdReleaseInject:
		return x.releaseInject(cmd)
	case CmdSkipInject:
		return x.skipInject(cmd)
	case CmdDelayInject:
		return x.delayInject(cmd)
	case CmdSendInject:
		return x.sendInject(cmd)
	case CmdSimCellClaim:
		return x.simcellClaim(cmd)
	case CmdSimCellAnswer:
		return x.simcellAnswer(cmd)
	case CmdScheduleStart:
		return x.scheduleStart(cmd)
	}
	return nil
}

func (x *Exercise) setMode(cmd Command) error {
	ti := x.scn.TeamIndex(cmd.Team)
	if ti < 0 {
		return Errorf(CodeNotFound, "unknown team %q", cmd.Team)
	}
	if cmd.Mode != ModeHuman && cmd.Mode != ModeSimulated {
		return Errorf(CodeInvalid, "mode must be %q or %q", ModeHuman, ModeSimulated)
	}
	if x.st.Modes[cmd.Team] == cmd.Mode {
		return Errorf(CodeConflict, "team %s is already %s", cmd.Team, cmd.Mode)
	}
	x.emit(cmdEvent(EventTeamMode, cmd, cmd.Team, []string{cmd.Team}, Details{ControlFields: &ControlFields{Mode: cmd.Mode}}))
	if cmd.Mode == ModeSimulated {
		x.bots[ti].adopt()
	} else {
		x.bots[ti].reset()
	}
	return nil
}

func (x *Exercise) setPhase(cmd Command) error {
	if _, ok := x.scn.Incident(cmd.Incident); !ok {
		return Errorf(CodeNotFound, "unknown incident %q", cmd.Incident)
	}
	if x.scn.TeamIndex(cmd.Team) < 0 {
		return Errorf(CodeNotFound, "unknown team %q", cmd.Team)
	}
	if cmd.Phase.Rank() < 0 {
		return Errorf(CodeInvalid, "unknown phase %q", cmd.Phase)
	}
	x.emit(cmdEvent(EventIncidentPhase, cmd, cmd.Team, []string{cmd.Team}, Details{Incident: cmd.Incident,
		IncidentFields: &IncidentFields{Phase: cmd.Phase}}))
	return nil
}

// releaseInject delivers an inject (or fires a spread) now: to the teams
// the command names, or else to the inject's own recipients.
func (x *Exercise) releaseInject(cmd Command) error {
	if si, ok := x.spreadIx[cmd.Inject]; ok {
		if slices.Contains(x.st.Spreads, cmd.Inject) {
			return Errorf(CodeConflict, "spread %s has already happened", cmd.Inject)
		}
		x.emit(cmdEvent(EventInjectReleased, cmd, "", nil, Details{IncidentFields: &IncidentFields{Spread: cmd.Inject}}))
		x.fired[fmt.Sprintf("%d/%d", -1, si)] = true
		x.spread(si, "facilitator")
		return nil
	}
	i, ok := x.injectIx[cmd.Inject]
	if !ok {
		return Errorf(CodeNotFound, "unknown inject %q", cmd.Inject)
	}
	if x.st.Skipped[cmd.Inject] {
		return Errorf(CodeConflict, "inject %s was skipped", cmd.Inject)
	}
	chosen, err := x.releaseTargets(cmd)
	if err != nil {
		return err
	}
	recipients := chosen
	if len(recipients) == 0 {
		recipients = x.scn.Members(x.injects[i].To, "")
	}
	if len(recipients) == 0 {
		return Errorf(CodeInvalid, "inject %s goes to the team that triggers it; name the team to release it to", cmd.Inject)
	}
	waiting := slices.ContainsFunc(recipients, func(t string) bool {
		_, ok := x.st.Delivered(t, cmd.Inject)
		return !ok
	})
	if !waiting {
		return Errorf(CodeConflict, "inject %s has already been delivered to %s", cmd.Inject, strings.Join(recipients, ", "))
	}
	team := ""
	if len(chosen) == 1 {
		team = chosen[0]
	}
	x.emit(cmdEvent(EventInjectReleased, cmd, team, nil, Details{Inject: cmd.Inject, Peers: slices.Clone(chosen)}))
	for _, p := range x.pending.list() {
		// A scheduled delivery to every recipient stays for the teams not
		// chosen; deliver skips the ones that have the inject by then.
		if p.inject == i && (len(chosen) == 0 || (p.team >= 0 && slices.Contains(chosen, x.teamID(p.team)))) {
			x.k.Cancel(p.id)
			x.dropPending(p.id)
		}
	}
	x.deliverTo(i, recipients, "facilitator")
	return nil
}

// releaseTargets returns the teams a release command names (Team, then
// Teams), without repeats, or an error for an unknown one.
func (x *Exercise) releaseTargets(cmd Command) ([]string, error) {
	names := cmd.Teams
	if cmd.Team != "" {
		names = append([]string{cmd.Team}, names...)
	}
	if len(names) > MaxPeers {
		return nil, Errorf(CodeInvalid, "a release names more than %d teams", MaxPeers)
	}
	var out []string
	for _, t := range names {
		if x.scn.TeamIndex(t) < 0 {
			return nil, Errorf(CodeNotFound, "unknown team %q", t)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (x *Exercise) skipInject(cmd Command) error {
	i, ok := x.injectIx[cmd.Inject]
	if !ok {
		return Errorf(CodeNotFound, "unknown inject %q", cmd.Inject)
	}
	if x.st.Skipped[cmd.Inject] {
		return Errorf(CodeConflict, "inject %s is already skipped", cmd.Inject)
	}
	if _, delivered := x.st.FirstDelivery[cmd.Inject]; delivered {
		return Errorf(CodeConflict, "inject %s has already been delivered", cmd.Inject)
	}
	x.emit(cmdEvent(EventInjectSkipped, cmd, "", nil, Details{Inject: cmd.Inject, Text: cmd.Text}))
	for _, p := range x.pending.list() {
		if p.inject == i {
			x.k.Cancel(p.id)
			x.dropPending(p.id)
		}
	}
	return nil
}

func (x *Exercise) delayInject(cmd Command) error {
	i, ok := x.injectIx[cmd.Inject]
	if !ok {
		return Errorf(CodeNotFound, "unknown inject %q", cmd.Inject)
	}
	if cmd.Delay <= 0 || cmd.Delay > x.end {
		return Errorf(CodeInvalid, "delay must be positive and no longer than the exercise")
	}
	var moved []pendingDelivery
	for _, p := range x.pending.list() {
		if p.inject == i {
			moved = append(moved, p)
		}
	}
	if len(moved) == 0 {
		return Errorf(CodeConflict, "inject %s is not scheduled; only a scheduled inject can be delayed", cmd.Inject)
	}
	x.emit(cmdEvent(EventInjectDelayed, cmd, "", nil, Details{Inject: cmd.Inject,
		ControlFields: &ControlFields{Delay: cmd.Delay}}))
	for _, p := range moved {
		x.k.Cancel(p.id)
		x.dropPending(p.id)
		x.scheduleDelivery(i, p.team, p.at+cmd.Delay, CauseDelayed)
	}
	return nil
}

// sendInject delivers a facilitator's ad-hoc inject now.
func (x *Exercise) sendInject(cmd Command) error {
	a := cmd.AdHoc
	if a == nil {
		return Errorf(CodeInvalid, "send_inject needs the inject to send")
	}
	in, err := x.adHocInject(a)
	if err != nil {
		return err
	}
	x.emit(cmdEvent(EventInjectSent, cmd, "", nil, Details{Inject: in.ID, AdHoc: storedAdHoc(a, in)}))
	x.startAdHoc(in)
	return nil
}

// storedAdHoc is an ad-hoc inject as its event records it, with its id.
func storedAdHoc(a *AdHocInject, in *scenarios.Inject) *AdHocInject {
	stored := *a
	stored.ID = in.ID
	return &stored
}

// startAdHoc adds a validated ad-hoc inject to the exercise and delivers it.
func (x *Exercise) startAdHoc(in *scenarios.Inject) {
	x.injectIx[in.ID] = len(x.injects)
	x.injects = append(x.injects, in)
	x.deliver(len(x.injects)-1, -1, "facilitator")
}

// addAdHoc records and delivers an ad-hoc inject that another command
// (which carries it, and is the one the log replays) brings along.
func (x *Exercise) addAdHoc(by Principal, a *AdHocInject, in *scenarios.Inject) {
	x.emit(Event{Type: EventInjectSent, Actor: by.Label(), Data: Details{Inject: in.ID, AdHoc: storedAdHoc(a, in)}})
	x.startAdHoc(in)
}

// adHocInject validates an ad-hoc inject and turns it into a scenario inject.
func (x *Exercise) adHocInject(a *AdHocInject) (*scenarios.Inject, error) {
	switch {
	case strings.TrimSpace(a.Title) == "" || len(a.Title) > MaxTitleLen:
		return nil, Errorf(CodeInvalid, "an inject needs a title of at most %d characters", MaxTitleLen)
	case strings.TrimSpace(a.Body) == "" || len(a.Body) > MaxBodyLen:
		return nil, Errorf(CodeInvalid, "an inject needs a body of at most %d characters", MaxBodyLen)
	case len(a.To) == 0:
		return nil, Errorf(CodeInvalid, "an inject needs recipients")
	case len(a.Expectations) > MaxAdHocExps:
		return nil, Errorf(CodeInvalid, "an inject may carry at most %d expectations", MaxAdHocExps)
	}
	in := &scenarios.Inject{ID: fmt.Sprintf("adhoc-%d", len(x.st.AdHoc)+1), Title: a.Title, Body: a.Body, From: a.From}
	for _, to := range a.To {
		if to != scenarios.ToAll && len(x.scn.Members([]string{to}, "")) == 0 {
			return nil, Errorf(CodeNotFound, "unknown recipient %q", to)
		}
	}
	in.To = slices.Clone(a.To)
	channel, err := scenarios.ParseChannel(a.Channel)
	if err != nil {
		return nil, Errorf(CodeInvalid, "%v", err)
	}
	in.Channel = channel
	if err := adHocWall(in, a.Wall); err != nil {
		return nil, err
	}
	checks := []struct {
		val   string
		check func(string) error
		set   func(string)
	}{
		{orDefault(a.Severity, "medium"), scenarios.Severities.Check, func(v string) { in.Severity = scenarios.Severity(v) }},
		{orDefault(a.TLP, string(x.scn.Exercise.TLPDefault)), scenarios.TLPs.Check, func(v string) { in.TLP = scenarios.TLP(v) }},
	}
	for _, c := range checks {
		if err := c.check(c.val); err != nil {
			return nil, Errorf(CodeInvalid, "%v", err)
		}
		c.set(strings.ToLower(c.val))
	}
	if a.From == "" {
		in.From = "facilitator"
	}
	for i, e := range a.Expectations {
		if err := scenarios.Actions.Check(string(e.Action)); err != nil {
			return nil, Errorf(CodeInvalid, "%v", err)
		}
		if e.Within <= 0 || e.Within > x.end {
			return nil, Errorf(CodeInvalid, "expectation %d needs a deadline within the exercise", i+1)
		}
		if _, ok := x.scn.Objective(e.Objective); !ok {
			return nil, Errorf(CodeNotFound, "unknown objective %q", e.Objective)
		}
		if e.Action == scenarios.ActionClassify || e.Action == scenarios.ActionEscalate || e.Action == scenarios.ActionShare {
			return nil, Errorf(CodeInvalid, "ad-hoc expectations cannot %s: it needs an answer key; put it in the scenario", e.Action)
		}
		if e.Points < 0 || e.Points > 1000 {
			return nil, Errorf(CodeInvalid, "points must be between 0 and 1000")
		}
		id := e.ID
		if id == "" {
			id = fmt.Sprintf("e%d", i+1)
		}
		in.Expectations = append(in.Expectations, scenarios.Expectation{ID: id, Action: e.Action, Within: scenarios.Duration(e.Within), Points: e.Points, Objective: e.Objective})
	}
	return in, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// Inject returns an inject by id, including ad-hoc ones.
func (x *Exercise) Inject(id string) (*scenarios.Inject, bool) {
	i, ok := x.injectIx[id]
	if !ok {
		return nil, false
	}
	return x.injects[i], true
}

// Upcoming is an inject delivery waiting on the clock.
type Upcoming struct {
	Inject string        `json:"inject"`
	Team   string        `json:"team,omitempty"`
	At     time.Duration `json:"at"`
}

// Upcoming lists the scheduled inject deliveries in time order; before the
// start, the injects the scenario schedules at fixed times.
func (x *Exercise) Upcoming() []Upcoming {
	if x.st.Status == StatusReady {
		return x.planned()
	}
	ps := x.pending.list()
	slices.SortStableFunc(ps, func(a, b pendingDelivery) int { return int(a.at - b.at) })
	out := make([]Upcoming, len(ps))
	for i, p := range ps {
		out[i] = Upcoming{Inject: x.injects[p.inject].ID, Team: x.teamID(p.team), At: p.at}
	}
	return out
}

// planned lists the injects with a fixed time, in time order: what Start
// schedules.
func (x *Exercise) planned() []Upcoming {
	var out []Upcoming
	for _, in := range x.injects {
		if in.At != nil {
			out = append(out, Upcoming{Inject: in.ID, At: in.At.D()})
		}
	}
	slices.SortStableFunc(out, func(a, b Upcoming) int { return int(a.At - b.At) })
	return out
}

// DeliveredToAll reports whether inject has reached every team it is
// addressed to (for an inject addressed to the triggering team: never, as
// any team may still trigger it).
func (x *Exercise) DeliveredToAll(inject string) bool {
	i, ok := x.injectIx[inject]
	if !ok || slices.Contains(x.injects[i].To, scenarios.ToTriggeringTeam) {
		return false
	}
	for _, t := range x.scn.Members(x.injects[i].To, "") {
		if _, ok := x.st.Delivered(t, inject); !ok {
			return false
		}
	}
	return true
}
