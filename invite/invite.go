// Package invite writes calendar invitations (iCalendar, RFC 5545) to an
// exercise: one per team, in the team's time zone, with its join link.
package invite

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"cmesim/countries"
	"cmesim/scenarios"
)

// localFormat is an iCalendar local date-time, read with its TZID.
const localFormat = "20060102T150405"

// Invitation is what one team's invitation says.
type Invitation struct {
	// UID identifies the event, stable across re-sends so that a calendar
	// updates it rather than adding a second one.
	UID   string
	Title string
	Team  *scenarios.Team
	// Start is the scheduled start of play; the event lasts the
	// exercise's planned duration.
	Start    time.Time
	Duration time.Duration
	// Link is the team's join link (it holds the team's join code).
	Link string
	// Stamp is when the invitation was written (DTSTAMP).
	Stamp time.Time
}

// ForTeam describes the invitation of team t to exercise id of scenario s.
func ForTeam(id string, s *scenarios.Scenario, t *scenarios.Team, start time.Time, link string, stamp time.Time) Invitation {
	return Invitation{
		UID:      fmt.Sprintf("%s.%s@cmesim", id, t.ID),
		Title:    fmt.Sprintf("%s (%s)", s.Exercise.Title, t.Name),
		Team:     t,
		Start:    start,
		Duration: s.Exercise.Duration.D(),
		Link:     link,
		Stamp:    stamp,
	}
}

// ICS returns the invitation as an iCalendar file (CRLF lines, folded at
// 75 octets, text escaped by the library). Times are local to the team's
// time zone (DTSTART;TZID=...), described by a VTIMEZONE with the offset in
// force at the start: exact for this one event, which does not repeat.
func (in Invitation) ICS() (string, error) {
	loc, err := time.LoadLocation(in.Team.TimeZone)
	if err != nil {
		return "", fmt.Errorf("team %s: time zone %q: %w", in.Team.ID, in.Team.TimeZone, err)
	}
	start := in.Start.In(loc)
	end := start.Add(in.Duration).In(loc)

	cal := ics.NewCalendarFor("cmesim")
	cal.SetMethod(ics.MethodPublish)
	tz := cal.AddTimezone(loc.String())
	std := tz.AddStandard()
	abbr, offset := start.Zone()
	std.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
	std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(offset))
	std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(offset))
	std.AddProperty(ics.ComponentProperty(ics.PropertyTzname), abbr)

	ev := cal.AddEvent(in.UID)
	ev.SetDtStampTime(in.Stamp)
	ev.SetSequence(int(in.Stamp.Unix() / 60)) // a later re-send supersedes an earlier one
	ev.SetProperty(ics.ComponentPropertyDtStart, start.Format(localFormat), ics.WithTZID(loc.String()))
	ev.SetProperty(ics.ComponentPropertyDtEnd, end.Format(localFormat), ics.WithTZID(loc.String()))
	ev.SetSummary(in.Title)
	ev.SetLocation(in.Link)
	ev.SetURL(in.Link)
	ev.SetDescription(in.description(start, end))
	return cal.Serialize(ics.WithNewLine("\r\n")), nil
}

// description is the invitation's text: who, when locally, how to join.
func (in Invitation) description(start, end time.Time) string {
	lang := "en"
	if len(in.Team.Languages) > 0 {
		lang = in.Team.Languages[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Team: %s", in.Team.Name)
	if c, ok := countries.Lookup(in.Team.Country); ok {
		fmt.Fprintf(&b, " (%s)", c.Names.In(lang))
	}
	fmt.Fprintf(&b, "\nStart: %s, %s time (%s)\nEnd: %s\n", start.Format("Mon 2 Jan 2006 15:04"), in.Team.TimeZone, start.Format("-07:00"), end.Format("Mon 2 Jan 2006 15:04"))
	fmt.Fprintf(&b, "Join: %s\nThe link holds your team's join code: share it only with your team.", in.Link)
	return b.String()
}

// utcOffset writes an offset in seconds as iCalendar does: +0530, -0500.
func utcOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds%3600/60)
}
