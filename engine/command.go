package engine

import (
	"time"

	"cmesim/scenarios"
)

// Role is what a participant may do in an exercise.
type Role string

// The roles.
const (
	RoleFacilitator Role = "facilitator"
	RoleTrainee     Role = "trainee"
	RoleEvaluator   Role = "evaluator"
	RoleObserver    Role = "observer"
	// RoleSimulated is the model that plays a team without humans.
	RoleSimulated Role = "sim"
	// RoleSystem is the engine itself (deadlines, triggers, the clock).
	RoleSystem Role = "system"
)

// Principal is who sends a command.
type Principal struct {
	Role Role   `json:"role"`
	Team string `json:"team,omitempty"`
	Name string `json:"name,omitempty"`
}

// Label returns the principal as an event's Actor string.
func (p Principal) Label() string {
	switch p.Role {
	case RoleSimulated:
		return "sim:" + p.Team
	case RoleTrainee:
		return "trainee:" + p.Team + ":" + p.Name
	case RoleSystem, "":
		return "system"
	}
	return string(p.Role) + ":" + p.Name
}

// CommandType names a command.
type CommandType string

// Facilitator commands.
const (
	CmdStart         CommandType = "start"
	CmdPause         CommandType = "pause"
	CmdResume        CommandType = "resume"
	CmdSetSpeed      CommandType = "set_speed"
	CmdReleaseInject CommandType = "release_inject"
	CmdSkipInject    CommandType = "skip_inject"
	CmdDelayInject   CommandType = "delay_inject"
	CmdSendInject    CommandType = "send_inject"
	CmdSetMode       CommandType = "set_mode"
	CmdSetPhase      CommandType = "set_phase"
	CmdEnd           CommandType = "end"
)

// Team commands: one per scenario action.
const (
	CmdAcknowledge CommandType = CommandType(scenarios.ActionAcknowledge)
	CmdClassify    CommandType = CommandType(scenarios.ActionClassify)
	CmdContain     CommandType = CommandType(scenarios.ActionContain)
	CmdEscalate    CommandType = CommandType(scenarios.ActionEscalate)
	CmdShare       CommandType = CommandType(scenarios.ActionShare)
	CmdRequestInfo CommandType = CommandType(scenarios.ActionRequestInfo)
	CmdPublish     CommandType = CommandType(scenarios.ActionPublish)
	CmdReport      CommandType = CommandType(scenarios.ActionReport)
)

// Team commands that talk: a new message (or request for information) to
// peer teams, a reply in a thread, a forward of a message to other peers.
const (
	CmdMessage CommandType = "message"
	CmdReply   CommandType = CommandType(scenarios.ActionReply)
	CmdForward CommandType = "forward"
)

// CmdNote is an evaluator's (or facilitator's) observation.
const CmdNote CommandType = "note"

// Command is a request to change an exercise. The engine validates it
// against the sender's role and team and the exercise's state, and either
// rejects it with an *Error or records it as events.
type Command struct {
	Type CommandType `json:"type"`
	By   Principal   `json:"by"`
	// Inject is the inject acted on or managed.
	Inject string `json:"inject,omitempty"`
	// Team is the team a facilitator command or a note concerns.
	Team string `json:"team,omitempty"`
	// Teams are the teams release_inject delivers to (with Team, if set);
	// none means the inject's own recipients.
	Teams    []string `json:"teams,omitempty"`
	Category string   `json:"category,omitempty"`
	Severity string   `json:"severity,omitempty"`
	Target   string   `json:"target,omitempty"`
	Peers    []string `json:"peers,omitempty"`
	TLP      string   `json:"tlp,omitempty"`
	Text     string   `json:"text,omitempty"`
	Speed    float64  `json:"speed,omitempty"`
	// Delay is how long delay_inject postpones an inject.
	Delay    time.Duration `json:"delay,omitempty"`
	Mode     Mode          `json:"mode,omitempty"`
	Incident string        `json:"incident,omitempty"`
	Phase    Phase         `json:"phase,omitempty"`
	AdHoc    *AdHocInject  `json:"adhoc,omitempty"`
	// Objective is the objective a note is about.
	Objective string `json:"objective,omitempty"`
	// Message is the sequence number of the message a reply answers or a
	// forward passes on.
	Message uint64 `json:"message,omitempty"`
	// Kind is a new message's kind: "message" (the default) or "rfi".
	Kind string `json:"kind,omitempty"`
	// Indicators are text attachments of a message (indicators of
	// compromise, one a line).
	Indicators []string `json:"indicators,omitempty"`
	// Expectation, Rating and Points are a judgement's: the expectation
	// judged (of Inject, answered by Team), the verdict and the content
	// points (none: the rating's default, see Rating.DefaultPoints).
	Expectation string   `json:"expectation,omitempty"`
	Rating      Rating   `json:"rating,omitempty"`
	Points      *float64 `json:"points,omitempty"`
	// Anonymous asks survey_open for an anonymous hot wash survey.
	Anonymous bool `json:"anonymous,omitempty"`
	// Answers are a survey_answer's answers by question id: a rating
	// question's "1" to "5", a text question's text.
	Answers map[string]string `json:"answers,omitempty"`
	// AAR is the edited after-action report and improvement plan an
	// aar_edit carries (aar.go).
	AAR *AARDocument `json:"aar,omitempty"`
	// EEG is an observation's critical task and linked events, or a
	// rating's grade (eeg.go); the objective is Objective, the text Text.
	EEG *EEGDetails `json:"eeg,omitempty"`
	// StartAt is the real time schedule_start sets; nil cancels the
	// schedule (schedule.go).
	StartAt *time.Time `json:"start_at,omitempty"`
	// DecisionPoint names the decision and the choice of decide and vote.
	DecisionPoint *DecisionChoice `json:"decision_point,omitempty"`
	// ReceivedAt is the real time a server started the exercise (a
	// facilitator's start as it arrived, or the scheduled start as its
	// timer fired), which the server stamps (a client cannot send it), so
	// that the log, and the report, say when the exercise really began.
	// The engine only records it, in UTC to the second.
	ReceivedAt *time.Time `json:"received_at,omitempty"`
}

// IsTeamAction reports whether the command is one of the team actions.
func (c CommandType) IsTeamAction() bool {
	switch c {
	case CmdAcknowledge, CmdClassify, CmdContain, CmdEscalate, CmdShare, CmdRequestInfo, CmdPublish, CmdReport:
		return true
	}
	return false
}

// IsMessage reports whether the command is one of the message commands.
func (c CommandType) IsMessage() bool {
	return c == CmdMessage || c == CmdReply || c == CmdForward
}

// IsTeamCommand reports whether only a team's players may send the command:
// a team action or a message command.
func (c CommandType) IsTeamCommand() bool { return c.IsTeamAction() || c.IsMessage() }

// TimedCommand is a command stamped with the virtual time it arrived: the
// unit of a command log.
type TimedCommand struct {
	At      time.Duration `json:"at"`
	Command Command       `json:"command"`
}

// Limits on free text in commands, so one client cannot bloat the log.
const (
	MaxTextLen   = 8 << 10
	MaxTitleLen  = 200
	MaxBodyLen   = 32 << 10
	MaxPeers     = 100
	MaxNameLen   = 80
	MaxAdHocExps = 20
	// MaxIndicators and MaxIndicatorLen bound a message's attachments.
	MaxIndicators   = 50
	MaxIndicatorLen = 512
)
