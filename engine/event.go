package engine

import (
	"encoding/json"
	"slices"
	"time"

	"cmesim/scenarios"
)

// EventType names what an event records.
type EventType string

// The event types. Types that record an accepted command carry the command
// in full (see Event.Command), so the log alone reproduces the exercise.
const (
	// EventCreated is always the first event: it records the seed and the
	// teams humans play at the outset, so a log describes its own run.
	EventCreated  EventType = "exercise.created"
	EventStarted  EventType = "exercise.started"
	EventPaused   EventType = "exercise.paused"
	EventResumed  EventType = "exercise.resumed"
	EventSpeed    EventType = "exercise.speed"
	EventEnded    EventType = "exercise.ended"
	EventTeamMode EventType = "team.mode"

	EventInjectDelivered EventType = "inject.delivered"
	EventInjectReleased  EventType = "inject.released"
	EventInjectSkipped   EventType = "inject.skipped"
	EventInjectDelayed   EventType = "inject.delayed"
	EventInjectSent      EventType = "inject.sent" // an ad-hoc inject composed by a facilitator

	EventAction EventType = "team.action"
	EventNote   EventType = "evaluator.note"

	EventExpectationMet    EventType = "expectation.met"
	EventExpectationWrong  EventType = "expectation.wrong"
	EventExpectationMissed EventType = "expectation.missed"

	EventIncidentPhase  EventType = "incident.phase"
	EventIncidentSpread EventType = "incident.spread"

	// EventMessage is a message, request for information, reply or forward
	// between teams (or from a scenario's actor or peer).
	EventMessage EventType = "message.sent"
)

// The kinds of message an EventMessage carries.
const (
	KindMessage = "message"
	KindRFI     = "rfi"
	KindReply   = "reply"
	KindForward = "forward"
)

// Everyone in an Audience means every participant may see the event.
const Everyone = "*"

// Event is one entry of an exercise's append-only log.
type Event struct {
	// Seq numbers events from 1 without gaps.
	Seq uint64 `json:"seq"`
	// At is the virtual time since T+0.
	At   time.Duration `json:"at"`
	Type EventType     `json:"type"`
	// Actor says who caused the event: "system", "facilitator:NAME",
	// "trainee:TEAM:NAME", "evaluator:NAME" or "sim:TEAM".
	Actor string `json:"actor"`
	// Team is the team the event concerns, if any.
	Team string `json:"team,omitempty"`
	// Audience lists the teams whose trainees may see the event, or holds
	// Everyone. Facilitators, evaluators and observers see every event; an
	// empty audience means only they do.
	Audience []string `json:"audience,omitempty"`
	Data     Details  `json:"data"`
}

// CauseDelayed is the cause of a delivery the facilitator delayed.
const CauseDelayed = "delayed by facilitator"

// The texts of the pauses a server makes on its own, as the text of their
// exercise.paused events (the principal is the facilitator "server"):
// consoles and reports know them and say them in the reader's language.
const (
	// PauseServerRestarted: the server restarted while the exercise ran.
	PauseServerRestarted = "the server restarted; resume when everyone is back"
	// PauseServerStopped: another server took over an exercise whose
	// server stopped while it ran.
	PauseServerStopped = "the server running the exercise stopped; resume when everyone is back"
)

// VisibleTo reports whether a trainee of team may see the event.
func (e *Event) VisibleTo(team string) bool {
	return slices.Contains(e.Audience, Everyone) || (team != "" && slices.Contains(e.Audience, team))
}

// Details is the payload of an event. One type serves every event type so
// that the log has one schema; each type fills only the fields it needs.
// The fields only a few event types use are in groups held by pointer
// (IncidentFields, ControlFields, CreationFields, MessageFields,
// JudgementFields), embedded so that their JSON stays flat: read them with
// IncidentDetail, Control, Creation, Message and Judgement, which allow for
// a group that is missing. Every copy of an event shares its groups: copy a
// group before changing it, or the log's event changes too.
type Details struct {
	Inject      string           `json:"inject,omitempty"`
	Expectation string           `json:"expectation,omitempty"`
	Action      scenarios.Action `json:"action,omitempty"`
	Category    string           `json:"category,omitempty"`
	Severity    string           `json:"severity,omitempty"`
	// Target is the actor an escalation or a request for information goes to.
	Target string `json:"target,omitempty"`
	// Objective is the objective an evaluator's note is about.
	Objective string `json:"objective,omitempty"`
	// Peers are the teams a share goes to.
	Peers []string `json:"peers,omitempty"`
	TLP   string   `json:"tlp,omitempty"`
	Text  string   `json:"text,omitempty"`

	Incident string `json:"incident,omitempty"`
	*IncidentFields
	*ControlFields

	// Deadline is when an expectation falls due (virtual time).
	Deadline time.Duration `json:"deadline,omitempty"`
	// Latency is the time from delivery to the answer.
	Latency   time.Duration `json:"latency,omitempty"`
	Points    float64       `json:"points,omitempty"`
	MaxPoints int           `json:"max_points,omitempty"`
	Late      bool          `json:"late,omitempty"`
	// Why explains a wrong answer, a miss, a TLP violation or an end: the
	// English reason, its code and arguments (reason, reason_code and
	// reason_args in JSON).
	Why
	// Cause names what released an inject: "T+offset", "after:I01",
	// "action:co-csirt:share:I01", "miss:I01.share:co-csirt",
	// "spread:to-peru", "facilitator", CauseDelayed.
	Cause string `json:"cause,omitempty"`
	// AdHoc is the full content of a facilitator's ad-hoc inject.
	AdHoc *AdHocInject `json:"adhoc,omitempty"`
	// Expectations lists what is expected of the receiving team, on delivery.
	Expectations []OpenExpectation `json:"expectations,omitempty"`
	*CreationFields
	// Command is set on events that record an accepted command.
	Command *Command `json:"command,omitempty"`
	*MessageFields
	// Item is the SimCell item a claim or an answer is about: the seq of
	// the event that opened it.
	Item uint64 `json:"item,omitempty"`
	// Provisional marks an expectation.met whose content awaits judgement.
	Provisional bool `json:"provisional,omitempty"`
	*JudgementFields
	// Anonymous and Answers are set on the hot wash survey's events: an
	// anonymous survey (survey.opened, survey.answered) and a participant's
	// answers by question id (survey.answered).
	Anonymous bool              `json:"anonymous,omitempty"`
	Answers   map[string]string `json:"answers,omitempty"`
	// EEG is set on the evaluation guides' events (eeg.go).
	EEG *EEGDetails `json:"eeg,omitempty"`
	// StartAt is set on exercise.start_scheduled: the real time the
	// server is to start the exercise; none means the schedule was
	// cancelled.
	StartAt *time.Time `json:"start_at,omitempty"`
	// DecisionPoint is set on the decision events (decision.go).
	DecisionPoint *DecisionDetails `json:"decision_point,omitempty"`
}

// IncidentFields are set on the incident events: the incident's phase
// (incident.phase) and where it spread (incident.spread).
type IncidentFields struct {
	Phase  Phase  `json:"phase,omitempty"`
	Spread string `json:"spread,omitempty"`
	Sector string `json:"sector,omitempty"`
}

// ControlFields are set on the events of the facilitator's controls: the
// new speed (exercise.speed), an inject's delay (inject.delayed) and a
// team's mode (team.mode).
type ControlFields struct {
	Speed float64       `json:"speed,omitempty"`
	Delay time.Duration `json:"delay,omitempty"`
	Mode  Mode          `json:"mode,omitempty"`
}

// CreationFields are set on the exercise.created event: the seed, the teams
// humans play at the outset and the scenario.
type CreationFields struct {
	Seed     uint64   `json:"seed,omitempty"`
	Humans   []string `json:"humans,omitempty"`
	Scenario string   `json:"scenario,omitempty"`
}

// MessageFields are set on messages: the message's kind, its thread (the
// seq of the thread's first message), the message it replies to or
// forwards, its sender (a team or an actor) and its text attachments.
type MessageFields struct {
	Kind       string   `json:"kind,omitempty"`
	Thread     uint64   `json:"thread,omitempty"`
	ReplyTo    uint64   `json:"reply_to,omitempty"`
	From       string   `json:"from,omitempty"`
	Indicators []string `json:"indicators,omitempty"`
}

// JudgementFields are set on judgements and reconciled scores: the verdict,
// the content points before the timeliness factor, whether a lead evaluator
// decided, and whether the evaluators disagree (see Reconcile).
type JudgementFields struct {
	Rating       Rating  `json:"rating,omitempty"`
	Content      float64 `json:"content,omitempty"`
	Decision     bool    `json:"decision,omitempty"`
	Disagreement bool    `json:"disagreement,omitempty"`
}

// OpenExpectation tells a team what is expected of it and by when, without
// giving away the right answer.
type OpenExpectation struct {
	ID       string           `json:"id"`
	Action   scenarios.Action `json:"action"`
	Deadline time.Duration    `json:"deadline"`
	Points   int              `json:"points"`
	// Objective is the objective the expectation scores.
	Objective string `json:"objective,omitempty"`
	// Text is the expectation's player-facing prompt, if it has one, with
	// its variables filled in for the team.
	Text string `json:"text,omitempty"`
}

// AdHocInject is an inject a facilitator composes during play.
type AdHocInject struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Channel  string   `json:"channel"`
	From     string   `json:"from"`
	To       []string `json:"to"`
	Severity string   `json:"severity,omitempty"`
	TLP      string   `json:"tlp,omitempty"`
	// Expectations are optional; each needs an action, a deadline, points
	// and an objective.
	Expectations []AdHocExpectation `json:"expectations,omitempty"`
	// Wall is the post's outlet, author and figures on the news and social
	// wall, for a news or social_media inject.
	Wall *AdHocWall `json:"wall,omitempty"`
}

// AdHocExpectation is an expectation attached to an ad-hoc inject.
type AdHocExpectation struct {
	ID        string           `json:"id"`
	Action    scenarios.Action `json:"action"`
	Within    time.Duration    `json:"within"`
	Points    int              `json:"points"`
	Objective string           `json:"objective"`
}

// Phase is where an incident stands for one team.
type Phase string

// The incident phases, in order.
const (
	PhaseDetected   Phase = "detected"
	PhaseAnalysed   Phase = "analysed"
	PhaseContained  Phase = "contained"
	PhaseEradicated Phase = "eradicated"
	PhaseRecovered  Phase = "recovered"
)

// Phases lists the incident phases in order.
var Phases = []Phase{PhaseDetected, PhaseAnalysed, PhaseContained, PhaseEradicated, PhaseRecovered}

// Rank returns the position of p in Phases, or -1.
func (p Phase) Rank() int { return slices.Index(Phases, p) }

// Mode says who plays a team.
type Mode string

// The team modes.
const (
	ModeHuman     Mode = "human"
	ModeSimulated Mode = "simulated"
)

// MarshalLog encodes events as JSON Lines, one event a line: the log's
// canonical byte form, compared by the determinism tests.
func MarshalLog(events []Event) ([]byte, error) {
	var out []byte
	for i := range events {
		b, err := json.Marshal(&events[i])
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
		out = append(out, '\n')
	}
	return out, nil
}

// IncidentDetail returns the event's incident fields, or none.
func (d *Details) IncidentDetail() IncidentFields { return valueOf(d.IncidentFields) }

// Control returns the event's control fields, or none.
func (d *Details) Control() ControlFields { return valueOf(d.ControlFields) }

// Creation returns the event's creation fields, or none.
func (d *Details) Creation() CreationFields { return valueOf(d.CreationFields) }

// Message returns the event's message fields, or none.
func (d *Details) Message() MessageFields { return valueOf(d.MessageFields) }

// Judgement returns the event's judgement fields, or none.
func (d *Details) Judgement() JudgementFields { return valueOf(d.JudgementFields) }

// valueOf returns *p, or the zero T when p is nil.
func valueOf[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
