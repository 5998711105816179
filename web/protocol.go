package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// MaxMessageSize is the largest WebSocket message a client may send.
const MaxMessageSize = 64 << 10

// clientMessage is what a client sends over the socket (see docs/protocol.md).
type clientMessage struct {
	Type    string         `json:"type"`
	ID      string         `json:"id,omitempty"`
	Command *clientCommand `json:"command,omitempty"`
}

// clientCommand is a command as a client writes it. It has no "by": the
// server stamps the sender from the session, so a client cannot forge a
// role or a team.
type clientCommand struct {
	Type     engine.CommandType  `json:"type"`
	Inject   string              `json:"inject,omitempty"`
	Team     string              `json:"team,omitempty"`
	Teams    []string            `json:"teams,omitempty"`
	Category string              `json:"category,omitempty"`
	Severity string              `json:"severity,omitempty"`
	Target   string              `json:"target,omitempty"`
	Peers    []string            `json:"peers,omitempty"`
	TLP      string              `json:"tlp,omitempty"`
	Text     string              `json:"text,omitempty"`
	Speed    float64             `json:"speed,omitempty"`
	Delay    time.Duration       `json:"delay,omitempty"`
	Mode     engine.Mode         `json:"mode,omitempty"`
	Incident string              `json:"incident,omitempty"`
	Phase    engine.Phase        `json:"phase,omitempty"`
	AdHoc    *engine.AdHocInject `json:"adhoc,omitempty"`
	// Objective is the objective a note is about.
	Objective string `json:"objective,omitempty"`
	// Message, Kind and Indicators are for message, reply and forward.
	Message    uint64   `json:"message,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Indicators []string `json:"indicators,omitempty"`
	// Expectation, Rating and Points are for judge.
	Expectation string        `json:"expectation,omitempty"`
	Rating      engine.Rating `json:"rating,omitempty"`
	Points      *float64      `json:"points,omitempty"`
	// Anonymous is for survey_open, Answers for survey_answer.
	Anonymous bool              `json:"anonymous,omitempty"`
	Answers   map[string]string `json:"answers,omitempty"`
	// AAR is the edited AAR/IP an aar_edit carries.
	AAR *engine.AARDocument `json:"aar,omitempty"`
	// EEG is for observe, rate_objective and override_rating.
	EEG *engine.EEGDetails `json:"eeg,omitempty"`
	// StartAt is for schedule_start (none cancels the schedule).
	StartAt *time.Time `json:"start_at,omitempty"`
	// DecisionPoint is for decide and vote.
	DecisionPoint *engine.DecisionChoice `json:"decision_point,omitempty"`
}

// errProtocol marks a malformed message.
var errProtocol = errors.New("protocol")

// decodeClientMessage parses one message strictly: unknown fields, trailing
// data and wrong types are errors that say what was wrong.
func decodeClientMessage(data []byte) (*clientMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m clientMessage
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: malformed message: %s", errProtocol, jsonProblem(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: malformed message: more than one JSON value", errProtocol)
	}
	if len(m.ID) > 64 {
		return nil, fmt.Errorf("%w: id is longer than 64 characters", errProtocol)
	}
	switch m.Type {
	case "command":
		if m.Command == nil {
			return nil, fmt.Errorf("%w: a command message needs a command", errProtocol)
		}
		if m.Command.Type == "" {
			return nil, fmt.Errorf("%w: the command needs a type", errProtocol)
		}
	case "jump":
	case "":
		return nil, fmt.Errorf("%w: the message needs a type", errProtocol)
	default:
		return nil, fmt.Errorf("%w: unknown message type %q (expected command or jump)", errProtocol, truncate(m.Type, 40))
	}
	return &m, nil
}

// messageID returns the id of a message that failed to decode, when one can
// still be read from it, so the error names the message it answers.
func messageID(data []byte) string {
	var m struct {
		ID string `json:"id"`
	}
	json.Unmarshal(data, &m) // best effort: a wrong field elsewhere still leaves the id
	if len(m.ID) > 64 {
		return ""
	}
	return m.ID
}

// jsonProblem turns a decoding error into a short explanation without
// echoing large input back.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	}
	return truncate(err.Error(), 120)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// command turns a client command into an engine command from principal p.
func (c *clientCommand) command(p engine.Principal) engine.Command {
	return engine.Command{
		Type: c.Type, By: p, Inject: c.Inject, Team: c.Team, Teams: c.Teams, Category: c.Category, Severity: c.Severity,
		Target: c.Target, Peers: c.Peers, TLP: c.TLP, Text: c.Text, Speed: c.Speed, Delay: c.Delay,
		Mode: c.Mode, Incident: c.Incident, Phase: c.Phase, AdHoc: c.AdHoc, Objective: c.Objective,
		Message: c.Message, Kind: c.Kind, Indicators: c.Indicators,
		Expectation: c.Expectation, Rating: c.Rating, Points: c.Points,
		Anonymous: c.Anonymous, Answers: c.Answers, AAR: c.AAR, EEG: c.EEG, StartAt: c.StartAt, DecisionPoint: c.DecisionPoint,
	}
}

// stamp adds to a client's command what only the server may say, from
// its clock as it receives the command: the day of an aar_edit, so the
// report can say when the lead evaluator edited the AAR/IP, and the moment
// of a start, so the report says when the exercise really ran. Both are in
// the command, so replays keep them.
func stamp(cmd engine.Command, now time.Time) engine.Command {
	switch {
	case cmd.Type == engine.CmdAAREdit && cmd.AAR != nil:
		d := *cmd.AAR
		d.Edited = now.UTC().Format(time.DateOnly)
		cmd.AAR = &d
	case cmd.Type == engine.CmdStart:
		at := now.UTC().Truncate(time.Second)
		cmd.ReceivedAt = &at
	}
	return cmd
}

// Server messages.

type welcomeMessage struct {
	Type     string  `json:"type"`
	Exercise string  `json:"exercise"`
	You      youInfo `json:"you"`
	Seq      uint64  `json:"seq"`
}

type youInfo struct {
	Role engine.Role `json:"role"`
	Team string      `json:"team,omitempty"`
	Name string      `json:"name,omitempty"`
}

type eventMessage struct {
	Type   string           `json:"type"`
	Seq    uint64           `json:"seq"`
	At     time.Duration    `json:"at"`
	Event  *engine.Event    `json:"event"`
	Inject *deliveredInject `json:"inject,omitempty"`
}

// deliveredInject is an inject as its receiving team reads it.
type deliveredInject struct {
	ID           string                 `json:"id"`
	Title        string                 `json:"title"`
	Body         string                 `json:"body"`
	Channel      string                 `json:"channel"`
	From         string                 `json:"from"`
	FromName     string                 `json:"from_name"`
	Severity     string                 `json:"severity"`
	TLP          string                 `json:"tlp"`
	Attachments  []attachmentView       `json:"attachments,omitempty"`
	Translations map[string]translation `json:"translations,omitempty"`
	Expectations []expectationView      `json:"expectations,omitempty"`
	// ControllerNotes are the inject's notes for staff; trainees never
	// receive them.
	ControllerNotes string `json:"controller_notes,omitempty"`
	// Wall is set on news and social_media injects: the post's outlet,
	// author and figures on the news and social wall.
	Wall *wallView `json:"wall,omitempty"`
	// Decision is the inject's decision point, if it has one.
	Decision *decisionView `json:"decision,omitempty"`
}

// attachmentView is an attachment of a delivered inject on the wire.
type attachmentView struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Content string `json:"content"`
	// URL, Size and Type describe an attached file (Content is then
	// empty); Inline says the browser may show it in the page.
	URL    string `json:"url,omitempty"`
	Size   int64  `json:"size,omitempty"`
	Type   string `json:"type,omitempty"`
	Inline bool   `json:"inline,omitempty"`
}

// translation is a delivered inject in one of the scenario's declared
// languages: its title, body, sender's name and attachments.
type translation struct {
	Title       string           `json:"title"`
	Body        string           `json:"body"`
	FromName    string           `json:"from_name,omitempty"`
	Attachments []attachmentView `json:"attachments,omitempty"`
}

type seqMessage struct {
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	Seq  uint64 `json:"seq"`
}

type errorMessage struct {
	Type    string `json:"type"`
	ID      string `json:"id,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type statusMessage struct {
	Type   string        `json:"type"`
	Seq    uint64        `json:"seq"`
	At     time.Duration `json:"at"`
	Status *status       `json:"status"`
}

// status is the live state a console shows.
type status struct {
	Status     engine.Status `json:"status"`
	Speed      float64       `json:"speed"`
	Now        time.Duration `json:"now"`
	Duration   time.Duration `json:"duration"`
	Teams      []teamStatus  `json:"teams"`
	Upcoming   []upcoming    `json:"upcoming,omitempty"`
	Releasable []releasable  `json:"releasable,omitempty"`
	// Storage is set while the exercise's log cannot be written: its
	// clock is then held and commands are refused.
	Storage *storageStatus `json:"storage,omitempty"`
	// SimCell is the SimCell queue, for staff only.
	SimCell *simcellView `json:"simcell,omitempty"`
	// ScheduledStart is when the server starts the exercise, while a
	// start is scheduled (schedule.go).
	ScheduledStart *time.Time `json:"scheduled_start,omitempty"`
}

// storageStatus says why an exercise's log cannot be written, and since
// when.
type storageStatus struct {
	Problem string    `json:"problem"`
	Since   time.Time `json:"since"`
}

type teamStatus struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Mode     engine.Mode       `json:"mode"`
	Online   []string          `json:"online"`
	Score    float64           `json:"score"`
	MaxScore int               `json:"max_score"`
	Met      int               `json:"met"`
	Late     int               `json:"late"`
	Missed   int               `json:"missed"`
	Open     []openExpectation `json:"open"`
	// Provisional is the part of Score awaiting the evaluators' judgement,
	// over ToJudge expectations.
	Provisional float64 `json:"provisional,omitempty"`
	ToJudge     int     `json:"to_judge,omitempty"`
}

type openExpectation struct {
	Inject      string           `json:"inject"`
	Expectation string           `json:"expectation"`
	Action      scenarios.Action `json:"action"`
	Deadline    time.Duration    `json:"deadline"`
}

type upcoming struct {
	Inject string        `json:"inject"`
	Title  string        `json:"title"`
	Team   string        `json:"team,omitempty"`
	At     time.Duration `json:"at"`
}

type releasable struct {
	Inject string `json:"inject"`
	Title  string `json:"title"`
	// PerTeam says the inject goes to one team, which release must name.
	PerTeam bool `json:"per_team,omitempty"`
}

// encode marshals a server message; the types above always encode.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("web: encoding a server message: " + err.Error())
	}
	return b
}
