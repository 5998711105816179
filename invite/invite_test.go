package invite

import (
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"cmesim/scenarios"
)

func TestInvitationParsesBack(t *testing.T) {
	s, problems := scenarios.LoadFile("../testdata/scenarios/valid/example.yaml")
	if s == nil {
		t.Fatal(problems)
	}
	start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC) // 09:00 in Bogotá
	stamp := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	link := "https://ex.example.org/?code=ABCD-EFGH-JKLM&team=" + strings.Repeat("x", 80) // long: folded
	for _, tc := range []struct {
		team, tz, local string
	}{{"co-csirt", "America/Bogota", "20260310T090000"}, {"pe-csirt", "America/Lima", "20260310T090000"}} {
		team, _ := s.Team(tc.team)
		text, err := ForTeam("ex1", s, team, start, link, stamp).ICS()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(text, "\r\n") {
			if len(line) > 75 {
				t.Errorf("line longer than 75 octets: %q", line)
			}
		}
		cal, err := ics.ParseCalendar(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		events := cal.Events()
		if len(events) != 1 {
			t.Fatalf("%d events", len(events))
		}
		ev := events[0]
		dtstart := ev.GetProperty(ics.ComponentPropertyDtStart)
		if got := dtstart.ICalParameters["TZID"]; len(got) != 1 || got[0] != tc.tz || dtstart.Value != tc.local {
			t.Errorf("%s: DTSTART %v %s, want TZID=%s %s", tc.team, got, dtstart.Value, tc.tz, tc.local)
		}
		at, err := ev.GetStartAt()
		if err != nil || !at.Equal(start) {
			t.Errorf("%s: start %v (%v), want %v", tc.team, at, err, start)
		}
		end, err := ev.GetEndAt()
		if err != nil || end.Sub(at) != 2*time.Hour {
			t.Errorf("%s: end %v (%v), want two hours after the start", tc.team, end, err)
		}
		if u := ev.GetProperty(ics.ComponentPropertyUrl); u == nil || u.Value != link {
			t.Errorf("%s: URL %v", tc.team, u)
		}
		if d := ev.GetProperty(ics.ComponentPropertyDescription); d == nil || !strings.Contains(d.Value, link) || !strings.Contains(d.Value, "Start: Tue 10 Mar 2026 09:00") {
			t.Errorf("%s: description %v", tc.team, d)
		}
		tzs := cal.Timezones()
		if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != tc.tz {
			t.Fatalf("%s: VTIMEZONE %v", tc.team, tzs)
		}
		if !strings.Contains(text, "TZOFFSETTO:-0500") {
			t.Errorf("%s: no -0500 offset:\n%s", tc.team, text)
		}
	}
}

func TestDaylightSavingOffset(t *testing.T) {
	team := &scenarios.Team{ID: "us", Name: "CISA; \"US\", test", Country: "US", TimeZone: "America/New_York"}
	s := &scenarios.Scenario{Exercise: scenarios.Exercise{Title: "Summer, drill", Duration: scenarios.Duration(time.Hour)}}
	text, err := ForTeam("x", s, team, time.Date(2026, 7, 1, 13, 0, 0, 0, time.UTC), "https://h/?code=1", time.Now()).ICS()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "TZOFFSETTO:-0400") || !strings.Contains(text, "DTSTART;TZID=America/New_York:20260701T090000") {
		t.Errorf("summer time not used:\n%s", text)
	}
	if !strings.Contains(text, `SUMMARY:Summer\, drill (CISA\; "US"\, test)`) {
		t.Errorf("text not escaped:\n%s", text)
	}
}
