package scenarios_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"cmesim/scenarios"
)

// describeLines runs Describe and returns its lines with runs of spaces
// collapsed, so tests do not depend on column widths.
func describeLines(t *testing.T, s *scenarios.Scenario) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := scenarios.Describe(&buf, s); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return lines
}

// indexOfLine returns the index of the first line equal to want, or -1.
func indexOfLine(lines []string, want string) int {
	for i, l := range lines {
		if l == want {
			return i
		}
	}
	return -1
}

func TestDescribe(t *testing.T) {
	s, problems := scenarios.LoadFile(filepath.Join("..", "testdata", "scenarios", "valid", "example.yaml"))
	if s == nil {
		t.Fatalf("example does not load:\n%v", problems)
	}
	lines := describeLines(t, s)

	want := []string{
		"Phishing wave against two ministries",
		"id: example-phishing",
		"version: 1.0",
		"duration: 2:00",
		"languages: en (default), es",
		"start time: 2026-03-10T09:00:00-05:00 (Tuesday)",
		// Objectives: O1 = ack 5 + classify 10 + escalate 10 + contain 10.
		"ID CAPABILITY POINTS TEXT",
		"O1 detection 35 Detect and triage the phishing campaign within 30 minutes.",
		"O2 information_sharing 15 Share indicators of compromise with peer CSIRTs quickly.",
		"Total: 50 points available to all teams together.",
		"ID NAME COUNTRY TIMEZONE SECTOR ANALYSTS SKILL",
		"co-csirt colCERT CO America/Bogota national 3 0.80",
		"pe-csirt PeCERT PE America/Lima national 2 0.60",
		"minfin-co operator CO Ministry of Finance (Colombia)",
		"andean co-csirt, pe-csirt Andean CSIRT network",
		"group:andean clear, green, amber co-csirt, pe-csirt",
		"INC1 government co-csirt Spear-phishing campaign against finance ministries",
		"to-peru INC1 pe-csirt government I03 consequence of I01.share miss + 10m",
		"T+0:10 I01 co-csirt email medium Suspicious e-mails reported by the ministry",
		"after I01 + 20m I02 co-csirt phone medium Ministry asks for guidance",
		"spread to-peru: consequence of I01.share miss + 10m I03 pe-csirt email high Same campaign reaches Peru",
		"I01 ack acknowledge 0:15 5 1 O1 -",
		"I01 classify classify 0:30 10 1 O1 category fraud/phishing, severity high",
		"I01 share share 0:45 15 1 O2 with pe-csirt at most TLP:AMBER; on miss: spread to-peru + 10m",
		"I02 escalate escalate 0:30 10 1 O1 to mintic",
	}
	last := -1
	for _, w := range want {
		i := indexOfLine(lines, w)
		if i < 0 {
			t.Errorf("no line %q in:\n%s", w, strings.Join(lines, "\n"))
			continue
		}
		if i < last {
			t.Errorf("line %q is out of order", w)
		}
		last = i
	}
}

// describeScenario exercises $team counting and every kind of trigger.
const describeScenario = `format: cmesim/v1
exercise:
  id: counting
  title: Counting
  duration: 4h
  objectives:
    - { id: O1, text: Respond., capability: detection }
teams:
  - { id: t1, name: One, country: CO, timezone: America/Bogota }
  - { id: t2, name: Two, country: PE, timezone: America/Lima }
  - { id: t3, name: Three, country: CL, timezone: America/Santiago }
actors:
  - { id: ops, name: Operator, kind: operator }
groups:
  - { id: g, name: G, members: [t2, t3] }
injects:
  - id: A
    title: First report
    at: "00:10"
    channel: email
    from: ops
    to: [t1, t2]
    body: Something happened.
    expectations:
      - { id: ack, action: acknowledge, within: 15m, points: 5, objective: O1, on_miss: { inject: C } }
  - id: C
    title: Reminder
    channel: phone
    from: ops
    to: [$team]
    body: Please answer.
    expectations:
      - { id: ack, action: acknowledge, within: 15m, points: 10, objective: O1 }
  - id: B
    title: Follow-up on a publication
    trigger: { on_action: { action: publish, team: group:g }, delay: 5m }
    channel: phone
    from: ops
    to: [$team, t1]
    body: We read your advisory.
    expectations:
      - { id: ack, action: acknowledge, within: 15m, points: 1, objective: O1 }
  - id: F
    title: Thanks for acknowledging
    trigger: { on_action: { action: acknowledge, inject: A } }
    channel: chat
    from: ops
    to: [$team]
    body: Thanks.
    expectations:
      - { id: ack, action: acknowledge, within: 15m, points: 2, objective: O1 }
  - id: M
    title: Missed
    trigger: { on_miss: A.ack }
    channel: chat
    from: ops
    to: [$team]
    body: You missed it.
  - id: R
    title: Released
    trigger: { release: facilitator }
    channel: meeting
    from: ops
    to: [t3]
    body: Facilitator's call.
`

func TestDescribeCounting(t *testing.T) {
	s, problems := scenarios.Parse("counting.yaml", []byte(describeScenario))
	if s == nil {
		t.Fatalf("test scenario does not load:\n%v", problems)
	}
	lines := describeLines(t, s)
	for _, w := range []string{
		// A: 5 × 2 teams; C (to the team that missed A.ack): 10 × 2;
		// B (t1 plus whoever of group g publishes): 1 × 3;
		// F (whoever acknowledges A): 2 × 2.
		"O1 detection 37 Respond.",
		"consequence of A.ack miss C $team phone medium Reminder",
		"when a team of group:g publishes + 5m B $team, t1 phone medium Follow-up on a publication",
		"when a team acknowledges A F $team chat medium Thanks for acknowledging",
		"when A.ack is missed M $team chat medium Missed",
		"released by facilitator R t3 meeting medium Released",
		"C ack acknowledge 0:15 10 2 O1 -",
		"B ack acknowledge 0:15 1 3 O1 -",
		"Network links: none",
	} {
		if indexOfLine(lines, w) < 0 {
			t.Errorf("no line %q in:\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

func TestDescribeErrors(t *testing.T) {
	t.Run("ErrNil", func(t *testing.T) {
		if err := scenarios.Describe(&bytes.Buffer{}, nil); err == nil {
			t.Fatal("no error for a nil scenario")
		}
	})
	t.Run("ErrWrite", func(t *testing.T) {
		s, problems := scenarios.Parse("counting.yaml", []byte(describeScenario))
		if s == nil {
			t.Fatal(problems)
		}
		want := errors.New("disk full")
		if err := scenarios.Describe(failingWriter{want}, s); !errors.Is(err, want) {
			t.Fatalf("err=%v, want %v", err, want)
		}
	})
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }
