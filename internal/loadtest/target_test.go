package loadtest_test

import (
	"strings"
	"testing"
	"time"

	"cmesim/internal/loadtest"
	"cmesim/scenarios"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want string // the reduced URL, or "" when refused
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://127.42.0.9:1", "http://127.42.0.9:1"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"https://LocalHost", "https://LocalHost"},
		{"http://10.0.0.1:8080", ""},
		{"http://192.168.1.20:8080", ""},
		{"http://0.0.0.0:8080", ""},
		{"http://[::]:8080", ""},
		{"http://example.org", ""},
		{"http://127.0.0.1.nip.io:8080", ""},
		{"http://localhost.example.org", ""},
		{"http://[::ffff:10.0.0.1]:80", ""},
		{"ftp://127.0.0.1", ""},
		{"ws://127.0.0.1:8080", ""},
		{"127.0.0.1:8080", ""},
		{"http://user:pw@127.0.0.1:8080", ""},
		{"http://127.0.0.1:8080/api/exercises", ""},
		{"http://127.0.0.1:8080?x=1", ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			u, err := loadtest.CheckLoopback(tc.url)
			switch {
			case tc.want == "" && err == nil:
				t.Fatalf("CheckLoopback(%q)=%v, want it refused", tc.url, u)
			case tc.want != "" && err != nil:
				t.Fatalf("CheckLoopback(%q): %v, want %s", tc.url, err, tc.want)
			case tc.want != "" && u.String() != tc.want:
				t.Fatalf("CheckLoopback(%q)=%s, want %s", tc.url, u, tc.want)
			}
		})
	}
	t.Run("ErrorSaysWhy", func(t *testing.T) {
		_, err := loadtest.CheckLoopback("http://10.1.2.3:8080")
		if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
			t.Fatalf("err=%v, want it to say the host is not loopback", err)
		}
	})
}

func TestScenario(t *testing.T) {
	for _, tc := range []struct {
		name   string
		teams  int
		length time.Duration
	}{
		{"OneTeam", 1, time.Hour},
		{"Default", 35, 11 * time.Minute},
		{"MoreTeamsThanCountries", 120, 2 * time.Hour},
		{"Max", loadtest.MaxTeams, 14 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, problems := scenarios.Parse("loadtest.yaml", []byte(loadtest.Scenario(tc.teams, tc.length)))
			if len(problems) > 0 || s == nil {
				t.Fatalf("generated scenario has problems:\n%s", problems)
			}
			if got, want := len(s.Teams), tc.teams; got != want {
				t.Fatalf("teams=%d, want %d", got, want)
			}
			if len(s.Injects) == 0 {
				t.Fatal("no injects")
			}
			if got := s.Exercise.Duration.D(); got < tc.length {
				t.Fatalf("duration=%s, want at least %s", got, tc.length)
			}
			for _, in := range s.Injects {
				if len(in.Expectations) != 1 || in.Expectations[0].Action != scenarios.ActionAcknowledge {
					t.Fatalf("inject %s: expectations %+v, want one acknowledgement", in.ID, in.Expectations)
				}
			}
			if tc.teams > 1 {
				allowed := s.AllowedTLP(loadtest.TeamID(0), loadtest.TeamID(tc.teams-1))
				if got, want := len(allowed), 3; got != want {
					t.Fatalf("TLP levels between two teams=%v, want clear, green and amber", allowed)
				}
			}
		})
	}
}
