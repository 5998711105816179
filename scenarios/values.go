package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// scalar is implemented by the value types of the format that are written as
// a single YAML scalar and need their own parsing (durations, enumerations).
type scalar interface {
	parseScalar(s string) error
}

// enum lists the allowed spellings of one enumeration, in documentation order.
type enum struct {
	name   string
	values []string
}

func (e enum) parse(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, allowed := range e.values {
		if v == allowed {
			return v, nil
		}
	}
	msg := fmt.Sprintf("unknown %s %q; expected one of %s", e.name, s, strings.Join(e.values, ", "))
	if guess := closest(v, e.values); guess != "" {
		msg = fmt.Sprintf("unknown %s %q; did you mean %q?", e.name, s, guess)
	}
	return "", fmt.Errorf("%s", msg)
}

// TLP is a Traffic Light Protocol 2.0 marking that limits how far shared
// information may travel.
type TLP string

// The TLP 2.0 levels, from the most to the least open.
const (
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// TLPs is the TLP enumeration, from the most to the least open.
var TLPs = enum{"TLP level", []string{"clear", "green", "amber", "amber+strict", "red"}}

func (t *TLP) parseScalar(s string) error {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "tlp:")
	if s == "white" { // TLP 1.0 spelling of clear
		s = "clear"
	}
	v, err := TLPs.parse(s)
	*t = TLP(v)
	return err
}

// Rank orders TLP levels from 0 (clear) to 4 (red); -1 for an unset level.
func (t TLP) Rank() int {
	for i, v := range TLPs.values {
		if string(t) == v {
			return i
		}
	}
	return -1
}

// Severity rates how bad an inject's news is, and is the answer a classify
// expectation wants.
type Severity string

// The severity levels.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities is the severity enumeration.
var Severities = enum{"severity", []string{"low", "medium", "high", "critical"}}

// Rank orders severities from 0 (low) to 3 (critical); -1 for an unset one.
func (v Severity) Rank() int {
	for i, s := range Severities.values {
		if string(v) == s {
			return i
		}
	}
	return -1
}

func (v *Severity) parseScalar(s string) error {
	p, err := Severities.parse(s)
	*v = Severity(p)
	return err
}

// Channel is how an inject reaches a team.
type Channel string

// Channels is the channel enumeration.
var Channels = enum{"channel", []string{"email", "phone", "news", "ticket", "threat_intel", "social_media", "chat", "meeting"}}

func (v *Channel) parseScalar(s string) error {
	p, err := ParseChannel(s)
	*v = p
	return err
}

// Action is a kind of response a team can make to an inject.
type Action string

// The actions teams can take.
const (
	ActionAcknowledge Action = "acknowledge"
	ActionClassify    Action = "classify"
	ActionContain     Action = "contain"
	ActionEscalate    Action = "escalate"
	ActionShare       Action = "share"
	ActionRequestInfo Action = "request_info"
	ActionPublish     Action = "publish"
	ActionReport      Action = "report"
	// ActionReply answers a message or request in its thread.
	ActionReply Action = "reply"
)

// Actions is the action enumeration.
var Actions = enum{"action", []string{"acknowledge", "classify", "contain", "escalate", "share", "request_info", "publish", "report", "reply"}}

func (v *Action) parseScalar(s string) error {
	p, err := Actions.parse(strings.ReplaceAll(s, "-", "_"))
	*v = Action(p)
	return err
}

// Capability is the skill an objective exercises; the report totals scores
// per capability.
type Capability string

// Capabilities is the capability enumeration.
var Capabilities = enum{"capability", []string{"detection", "analysis", "containment", "coordination", "information_sharing", "escalation", "public_communication", "recovery"}}

func (v *Capability) parseScalar(s string) error {
	p, err := Capabilities.parse(strings.ReplaceAll(s, "-", "_"))
	*v = Capability(p)
	return err
}

// ActorKind is the role of a non-CSIRT actor.
type ActorKind string

// ActorKinds is the actor-kind enumeration.
var ActorKinds = enum{"actor kind", []string{"national_authority", "regulator", "operator", "media", "vendor", "law_enforcement", "international_organization", "public"}}

func (v *ActorKind) parseScalar(s string) error {
	p, err := ActorKinds.parse(strings.ReplaceAll(s, "-", "_"))
	*v = ActorKind(p)
	return err
}

// AttachmentKind says what an attachment holds.
type AttachmentKind string

// AttachmentKinds is the attachment-kind enumeration.
var AttachmentKinds = enum{"attachment kind", []string{"ioc", "log", "text", "email", "advisory"}}

func (v *AttachmentKind) parseScalar(s string) error {
	p, err := AttachmentKinds.parse(s)
	*v = AttachmentKind(p)
	return err
}

// Weekday is a day of the week written as its English three-letter name.
type Weekday time.Weekday

var weekdays = enum{"weekday", []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}}

func (v *Weekday) parseScalar(s string) error {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 3 {
		s = s[:3]
	}
	p, err := weekdays.parse(s)
	for i, d := range weekdays.values {
		if d == p {
			*v = Weekday(i)
		}
	}
	return err
}

// Duration is a span of virtual time. It is written "HH:MM", "HH:MM:SS" or as
// a Go duration such as "45m" or "1h30m".
type Duration time.Duration

func (d *Duration) parseScalar(s string) error {
	v, err := ParseDuration(s)
	*d = Duration(v)
	return err
}

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats the duration as the format writes it: "H:MM" or "H:MM:SS".
func (d Duration) String() string { return FormatOffset(time.Duration(d)) }

// ParseDuration reads "HH:MM", "HH:MM:SS" or a Go duration ("90m", "1h30m").
// Negative durations are rejected.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration; write \"HH:MM\" or a duration such as \"45m\"")
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) > 3 {
			return 0, fmt.Errorf("bad duration %q; expected HH:MM or HH:MM:SS", s)
		}
		var total time.Duration
		units := []time.Duration{time.Hour, time.Minute, time.Second}
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || len(p) == 0 || (i > 0 && (n > 59 || len(p) != 2)) || n > 10000 {
				return 0, fmt.Errorf("bad duration %q; expected HH:MM or HH:MM:SS", s)
			}
			total += time.Duration(n) * units[i]
		}
		return total, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return 0, fmt.Errorf("duration %q has no unit; write \"%sm\" or \"HH:MM\"", s, s)
		}
		return 0, fmt.Errorf("bad duration %q; expected HH:MM or a duration such as \"45m\"", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return v, nil
}

// FormatOffset writes a virtual time as "H:MM" (or "H:MM:SS" when it has
// seconds), the way MSELs show T+ offsets.
func FormatOffset(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	sec := (d % time.Minute) / time.Second
	if sec != 0 {
		return fmt.Sprintf("%s%d:%02d:%02d", sign, h, m, sec)
	}
	return fmt.Sprintf("%s%d:%02d", sign, h, m)
}

// ClockTime is a time of day, "HH:MM", used for working hours.
type ClockTime time.Duration

func (c *ClockTime) parseScalar(s string) error {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("bad time of day %q; expected HH:MM between 00:00 and 23:59", s)
	}
	*c = ClockTime(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
	return nil
}

// SinceMidnight returns the time of day as an offset from midnight.
func (c ClockTime) SinceMidnight() time.Duration { return time.Duration(c) }

// Timestamp is a calendar time written in RFC 3339.
type Timestamp struct{ time.Time }

func (t *Timestamp) parseScalar(s string) error {
	v, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("bad timestamp %q; expected RFC 3339 such as 2026-03-10T09:00:00-05:00", s)
	}
	t.Time = v
	return nil
}

// Check returns an error, with a suggestion, when s is not one of the
// enumeration's values (compared case-insensitively).
func (e enum) Check(s string) error {
	_, err := e.parse(s)
	return err
}

// Values lists the enumeration's values in documentation order.
func (e enum) Values() []string { return append([]string(nil), e.values...) }
