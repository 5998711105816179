package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/web"
)

// secretNeedles returns what must never reach a trainee: each line of the
// scenario's staff-only texts (criteria, controller notes), raw and as JSON
// writes it.
func secretNeedles(tb testing.TB, scn *scenarios.Scenario) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, text := range scn.StaffOnlyText() {
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if len(line) < 12 {
				continue
			}
			out = append(out, []byte(line))
			j, _ := json.Marshal(line)
			out = append(out, j[1:len(j)-1])
		}
	}
	if len(out) == 0 {
		tb.Fatalf("scenario %s has no staff-only text to look for", scn.Exercise.ID)
	}
	return out
}

// traineeSeat is one trainee of a team: an HTTP client whose every answer is
// kept, and a WebSocket.
type traineeSeat struct {
	team     string
	c        *client
	ws       *wsClient
	received [][]byte
}

func (s *traineeSeat) keep(r *response) { s.received = append(s.received, r.body) }

// command sends a team command over HTTP, keeping the answer (an ack or a
// refusal: either is read by the trainee).
func (s *traineeSeat) command(tb testing.TB, exercise string, c cmd) {
	tb.Helper()
	s.keep(s.c.postJSON(tb, "/api/exercises/"+exercise+"/commands", map[string]any{"type": "command", "command": c}, nil))
}

// TestTraineesNeverReceiveStaffOnlyText plays every bundled scenario to its
// end with every team human, through everything that can carry an
// expectation or an inject to a trainee (deliveries, wrong answers, misses,
// met expectations, status, facilitator releases, replays after the end)
// and checks that no byte a trainee receives, on its WebSocket or from any
// HTTP endpoint it may call, holds an evaluator's criteria, a controller
// note or an expected answer. Staff receive the criteria.
func TestTraineesNeverReceiveStaffOnlyText(t *testing.T) {
	for _, name := range scenarios.Library() {
		t.Run(name, func(t *testing.T) {
			scn, _ := scenarios.LoadLibrary(name)
			needles := secretNeedles(t, scn)
			// The facilitator jumps through the whole exercise as fast as
			// it can: a network-scale scenario needs more jumps a minute
			// than the per-session quota meant for people allows.
			srv := mustServerWith(t, web.Config{Quotas: web.Quotas{SessionCommands: -1}})
			var teams []string
			for _, tm := range scn.Teams {
				teams = append(teams, tm.ID)
			}
			admin := mustAdmin(t, srv)
			var ex created
			if r := admin.postJSON(t, "/api/exercises", map[string]any{"scenario": name, "humans": teams}, &ex); r.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", r.StatusCode, r.body)
			}
			facC := join(t, srv, ex.Codes.Facilitator, "Fran")
			fac := dial(t, facC, ex.ID, 0)
			var seats []*traineeSeat
			for _, team := range teams {
				s := &traineeSeat{team: team, c: join(t, srv, ex.Codes.Teams[team], "Ana "+team)}
				s.ws = dial(t, s.c, ex.ID, 0)
				for _, path := range []string{"/api/session", "/api/exercises/" + ex.ID, "/api/exercises/" + ex.ID + "/report", "/api/exercises/" + ex.ID + "/report?format=json", "/api/exercises", "/api/library"} {
					s.keep(s.c.get(t, path, nil))
				}
				seats = append(seats, s)
			}
			facCmd := func(c map[string]any) (uint64, bool) {
				var reply struct{ Seq uint64 }
				r := facC.postJSON(t, "/api/exercises/"+ex.ID+"/commands", c, &reply)
				return reply.Seq, r.StatusCode == http.StatusOK
			}
			if _, ok := facCmd(map[string]any{"type": "command", "command": cmd{"type": "start"}}); !ok {
				t.Fatal("start refused")
			}
			// Release what waits for the facilitator, for every team.
			for _, in := range scn.Injects {
				if in.Trigger == nil || in.Trigger.Release == "" {
					continue
				}
				if slices.Contains(in.To, scenarios.ToTriggeringTeam) {
					for _, team := range teams {
						facCmd(map[string]any{"type": "command", "command": cmd{"type": "release_inject", "inject": in.ID, "team": team}})
					}
					continue
				}
				facCmd(map[string]any{"type": "command", "command": cmd{"type": "release_inject", "inject": in.ID}})
			}
			var seen uint64
			delivered := 0
			for i := 0; ; i++ {
				if i > 1000 {
					t.Fatal("the exercise did not end after 1000 jumps")
				}
				seq, ok := facCmd(map[string]any{"type": "jump"})
				if !ok {
					break // ended: nothing left to jump to
				}
				for _, e := range fac.events(t, seen, seq) {
					if e.Type != engine.EventInjectDelivered {
						continue
					}
					delivered++
					seat := seats[slices.Index(teams, e.Team)]
					seat.command(t, ex.ID, cmd{"type": "acknowledge", "inject": e.Data.Inject})
					in, _ := scn.Inject(e.Data.Inject)
					for _, x := range in.Expectations {
						if x.Action != scenarios.ActionClassify {
							continue
						}
						// A wrong answer (its reason names the right one),
						// and for every other inject the right answer.
						seat.command(t, ex.ID, cmd{"type": "classify", "inject": in.ID, "category": "test/test", "severity": "low"})
						if delivered%2 == 0 {
							seat.command(t, ex.ID, cmd{"type": "classify", "inject": in.ID, "category": x.Category, "severity": string(x.Severity)})
						}
					}
				}
				seen = max(seen, seq)
			}
			t.Logf("%d deliveries, %d events", delivered, seen)
			if delivered < len(scn.Injects) {
				t.Fatalf("only %d deliveries in the whole exercise", delivered)
			}
			fac.next(t, isEvent(engine.EventEnded, ""))
			staffSawCriteria := false
			for _, m := range fac.all {
				for _, n := range needles {
					staffSawCriteria = staffSawCriteria || bytes.Contains(m.raw, n)
				}
			}
			if !staffSawCriteria {
				t.Error("the facilitator never received the criteria or controller notes")
			}
			var reasons int
			for _, s := range seats {
				s.ws.next(t, isEvent(engine.EventEnded, ""))
				late := dial(t, s.c, ex.ID, 0) // a replay after the end
				late.next(t, isStatus(engine.StatusEnded))
				for _, w := range []*wsClient{s.ws, late} {
					for _, m := range w.all {
						s.received = append(s.received, m.raw)
						if m.isEvent(engine.EventExpectationMissed) && m.Event.Data.Reason != "" {
							reasons++
						}
					}
				}
				for _, b := range s.received {
					for _, n := range needles {
						if bytes.Contains(b, n) {
							t.Fatalf("trainee of %s received staff-only text %q in %.400s", s.team, n, b)
						}
					}
					if bytes.Contains(b, []byte(`expected \"`)) || bytes.Contains(b, []byte(`expected "`)) {
						t.Fatalf("trainee of %s received an expected answer in %.400s", s.team, b)
					}
				}
			}
			if reasons == 0 {
				t.Error("no trainee was told of a missed expectation: the test did not exercise misses")
			}
		})
	}
}

// TestPlayerView checks what trainees see of expectations and scores at
// each level of exercise.player_view, while staff see everything.
func TestPlayerView(t *testing.T) {
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "        objective: O1\n        prompt: Classify what {{team.name}} sees.\n        criteria: Phishing, and high because of the MFA-approved logins.\n      - id: share"
	for _, tc := range []struct {
		view                       string
		exps, text, points, scored bool
	}{
		{"none", false, false, false, false},
		{"action", true, false, false, false},
		{"prompt", true, true, false, false},
		{"points", true, true, true, true},
	} {
		t.Run(tc.view, func(t *testing.T) {
			yaml := strings.Replace(string(src), "        objective: O1\n      - id: share", prompt, 1)
			yaml = strings.Replace(yaml, "  tlp_default: amber\n", "  tlp_default: amber\n  player_view: "+tc.view+"\n", 1)
			srv := mustServer(t)
			var ex created
			if r := mustAdmin(t, srv).postJSON(t, "/api/exercises", map[string]any{"yaml": yaml, "humans": []string{co, pe}}, &ex); r.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", r.StatusCode, r.body)
			}
			fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
			anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
			ana := dial(t, anaC, ex.ID, 0)
			var info struct {
				PlayerView string `json:"player_view"`
				Taxonomy   struct {
					ID         string `json:"id"`
					Categories []struct{ Value, Class, Label string }
				} `json:"taxonomy"`
			}
			anaC.get(t, "/api/exercises/"+ex.ID, &info)
			if info.PlayerView != tc.view || info.Taxonomy.ID != "rsit" || len(info.Taxonomy.Categories) < 30 {
				t.Fatalf("exercise info: %+v", info)
			}
			fac.mustAck(t, cmd{"type": "start"})
			fac.jump(t)
			got := ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
			staff := fac.next(t, isEvent(engine.EventInjectDelivered, "I01"))
			if n := len(staff.Event.Data.Expectations); n != 3 || staff.Event.Data.Expectations[1].Text != "Classify what colCERT sees." || staff.Event.Data.Expectations[1].Points != 10 {
				t.Fatalf("staff delivery lacks the expectations: %s", staff.raw)
			}
			if !bytes.Contains(staff.raw, []byte("Phishing, and high because")) {
				t.Fatalf("staff delivery lacks the criteria: %s", staff.raw)
			}
			if bytes.Contains(got.raw, []byte("Phishing, and high because")) {
				t.Fatalf("trainee delivery holds the criteria: %s", got.raw)
			}
			for _, list := range [][]engine.OpenExpectation{got.Event.Data.Expectations, got.Inject.Expectations} {
				if (len(list) == 3) != tc.exps {
					t.Fatalf("trainee expectations %+v, want shown=%v", list, tc.exps)
				}
				if !tc.exps {
					continue
				}
				c := list[1]
				if c.Action != scenarios.ActionClassify || c.Deadline == 0 || (c.Text == "Classify what colCERT sees.") != tc.text || (c.Points == 10) != tc.points {
					t.Fatalf("trainee expectation %+v, want text=%v points=%v", c, tc.text, tc.points)
				}
			}
			ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})
			met := fac.next(t, isEvent(engine.EventExpectationMet, "I01"))
			st := ana.next(t, func(m message) bool { return m.Type == "status" && m.Seq >= met.Seq })
			if tm := st.Status.Teams[0]; (tm.Score > 0) != tc.scored || (len(tm.Open) > 0) != tc.exps {
				t.Fatalf("trainee status %s, want score shown=%v open shown=%v", st.raw, tc.scored, tc.exps)
			}
			if tc.exps {
				m := ana.next(t, isEvent(engine.EventExpectationMet, "I01"))
				if (m.Event.Data.Points > 0) != tc.points {
					t.Fatalf("trainee met event %s, want points shown=%v", m.raw, tc.points)
				}
			} else {
				ana.expectNoMessage(t, 0, isEvent(engine.EventExpectationMet, ""))
			}
		})
	}
}

// TestObserversReadNotesOnlyWhenAllowed checks observers' sockets and
// reports against exercise.observers_read_notes.
func TestObserversReadNotesOnlyWhenAllowed(t *testing.T) {
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, allowed := range []bool{false, true} {
		t.Run(fmt.Sprint(allowed), func(t *testing.T) {
			yaml := strings.Replace(string(src), "  tlp_default: amber\n", fmt.Sprintf("  tlp_default: amber\n  observers_read_notes: %v\n", allowed), 1)
			srv := mustServer(t)
			var ex created
			if r := mustAdmin(t, srv).postJSON(t, "/api/exercises", map[string]any{"yaml": yaml, "humans": []string{co}}, &ex); r.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", r.StatusCode, r.body)
			}
			fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
			fac.mustAck(t, cmd{"type": "start"})
			eva := dial(t, join(t, srv, ex.Codes.Evaluator, "Eva"), ex.ID, 0)
			obsC := join(t, srv, ex.Codes.Observer, "Olga")
			obs := dial(t, obsC, ex.ID, 0)
			note := eva.mustAck(t, cmd{"type": "note", "team": co, "objective": "O1", "text": "Triage reasoning was sound."})
			if e := eva.event(t, note.Seq); e.Data.Objective != "O1" {
				t.Fatalf("the note does not name its objective: %+v", e.Data)
			}
			if e := fac.event(t, note.Seq); e.Type != engine.EventNote {
				t.Fatalf("the facilitator did not receive the note: %+v", e)
			}
			after := fac.mustAck(t, cmd{"type": "pause"})
			obs.event(t, after.Seq)
			gotNote := slices.ContainsFunc(obs.all, func(m message) bool { return m.isEvent(engine.EventNote) })
			late := dial(t, obsC, ex.ID, 0) // and in a replay
			late.event(t, after.Seq)
			gotNote = gotNote || slices.ContainsFunc(late.all, func(m message) bool { return m.isEvent(engine.EventNote) })
			if gotNote != allowed {
				t.Fatalf("observer received the note: %v, want %v", gotNote, allowed)
			}
			r := obsC.get(t, "/api/exercises/"+ex.ID+"/report?format=json", nil)
			if r.StatusCode != http.StatusOK || bytes.Contains(r.body, []byte("Triage reasoning was sound.")) != allowed {
				t.Fatalf("observer's report (status %d) holds the note: %v, want %v", r.StatusCode, !allowed, allowed)
			}
		})
	}
}

// mustCreateObserversReadNotes is mustCreate with a scenario that lets
// observers read evaluators' notes.
func mustCreateObserversReadNotes(tb testing.TB, srv *testServer, humans ...string) created {
	tb.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		tb.Fatal(err)
	}
	yaml := strings.Replace(string(src), "  tlp_default: amber\n", "  tlp_default: amber\n  observers_read_notes: true\n", 1)
	var out created
	if r := mustAdmin(tb, srv).postJSON(tb, "/api/exercises", map[string]any{"yaml": yaml, "humans": humans}, &out); r.StatusCode != http.StatusCreated {
		tb.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	return out
}
