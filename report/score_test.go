package report_test

import (
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/report"
	"cmesim/scenarios"
)

// share returns a share of I01 by co-csirt.
func share(tlp string, peers ...string) engine.Command {
	c := Trainee("co-csirt", engine.CmdShare, "I01")
	c.TLP, c.Peers = tlp, peers
	return c
}

func classify(category, severity string) engine.Command {
	c := Trainee("co-csirt", engine.CmdClassify, "I01")
	c.Category, c.Severity = category, severity
	return c
}

// TestScoring drives the scoring scenario (testdata/report/scoring.yaml,
// every team human) and checks the report against hand-computed values.
// I01 reaches co-csirt at T+0:10 (ack 15m/5 pts, classify 30m/10 pts, share
// with pe-csirt at AMBER 30m/20 pts, whose miss spreads the incident to Peru
// 10m later); I02 at T+0:20 (contain 30m/10 pts, whose miss sends I03).
func TestScoring(t *testing.T) {
	s := MustLoad(t, scoringFile)
	type row struct {
		inject, exp, team string
		outcome           report.Outcome
		points            float64
		latency           time.Duration // -1: none
		reason            string        // substring
	}
	tests := []struct {
		name  string
		cmds  []engine.TimedCommand
		rows  []row
		check func(t *testing.T, r *report.Report)
	}{
		{
			name: "OnTime",
			cmds: []engine.TimedCommand{
				At(12*minute, Trainee("co-csirt", engine.CmdAcknowledge, "I01")),
				At(20*minute, classify("Phishing", "high")),
				At(25*minute+30*time.Second, Trainee("co-csirt", engine.CmdContain, "I02")),
				At(30*minute, share("amber", "pe-csirt")),
			},
			rows: []row{
				{"I01", "ack", "co-csirt", report.OutcomeMet, 5, 2 * minute, ""},
				{"I01", "classify", "co-csirt", report.OutcomeMet, 10, 10 * minute, ""},
				{"I01", "share", "co-csirt", report.OutcomeMet, 20, 20 * minute, ""},
				{"I02", "contain", "co-csirt", report.OutcomeMet, 10, 5*minute + 30*time.Second, ""},
			},
			check: func(t *testing.T, r *report.Report) {
				if got, want := r.Summary.Points, 45.0; got != want {
					t.Fatalf("points=%v, want %v", got, want)
				}
				if got, want := r.Summary.Spreads, 0; got != want {
					t.Fatalf("spreads=%d, want %d", got, want)
				}
				for _, o := range []string{"O1", "O2", "O3"} {
					if got := FindObjective(t, r, o).Rating; got != report.RatingP {
						t.Fatalf("%s rated %s, want P", o, got)
					}
				}
				co := FindTeam(t, r, "co-csirt")
				if len(co.Given) != 1 || co.Given[0].TLP != "amber" || co.Given[0].To[0] != "pe-csirt" || co.Given[0].At.D() != 30*minute {
					t.Fatalf("co-csirt gave %+v", co.Given)
				}
				if pe := FindTeam(t, r, "pe-csirt"); len(pe.Received) != 1 || pe.Received[0].From != "co-csirt" || pe.Received[0].Inject != "I01" {
					t.Fatalf("pe-csirt received %+v", pe.Received)
				}
				if len(co.Unanswered) != 0 {
					t.Fatalf("unanswered=%v", co.Unanswered)
				}
				if !HasFinding(r.Strengths, "prevented", "co-csirt") || !HasFinding(r.Strengths, "sharing", "co-csirt") || !HasFinding(r.Strengths, "fast_ack", "co-csirt") {
					t.Fatalf("strengths=%+v", r.Strengths)
				}
				if len(r.Improvements) != 0 {
					t.Fatalf("improvements=%+v", r.Improvements)
				}
			},
		},
		{
			// Shared at 1.5 × the 30-minute deadline: half the points by the
			// default late factor of 2. The miss at T+0:40 has already let
			// the incident reach Peru at T+0:50.
			name: "Late",
			cmds: []engine.TimedCommand{
				At(55*minute, share("amber", "pe-csirt")),
			},
			rows: []row{
				{"I01", "share", "co-csirt", report.OutcomeLate, 10, 45 * minute, ""},
				{"I01", "ack", "co-csirt", report.OutcomeMissed, 0, -1, "deadline passed"},
			},
			check: func(t *testing.T, r *report.Report) {
				e := FindExpectation(t, r, "I01", "share", "co-csirt")
				if len(e.Consequences) != 1 || e.Consequences[0].Kind != "spread" || e.Consequences[0].At.D() != 50*minute {
					t.Fatalf("consequences=%+v", e.Consequences)
				}
				// O2: 10 of 20 points = 0.5, between M (0.3) and S (0.6).
				if o := FindObjective(t, r, "O2"); o.Rating != report.RatingM || o.Fraction != 0.5 || o.Outcomes.Late != 1 {
					t.Fatalf("O2=%+v", o.ScoreLine)
				}
				if ts := timeStat(FindTeam(t, r, "co-csirt"), "share"); ts.Met != 1 || ts.Median.D() != 45*minute {
					t.Fatalf("share times=%+v", ts)
				}
			},
		},
		{
			name: "WrongClassification",
			cmds: []engine.TimedCommand{
				At(15*minute, classify("phishing", "medium")),
			},
			rows: []row{
				{"I01", "classify", "co-csirt", report.OutcomeWrong, 0, 5 * minute, "severity medium, expected high"},
			},
			check: func(t *testing.T, r *report.Report) {
				if e := FindExpectation(t, r, "I01", "classify", "co-csirt"); e.Wrong != 1 || e.Answered.D() != 15*minute {
					t.Fatalf("classify=%+v", e)
				}
				if !HasFinding(r.Improvements, "classification", "co-csirt") {
					t.Fatalf("improvements=%+v", r.Improvements)
				}
			},
		},
		{
			name: "TLPViolation",
			cmds: []engine.TimedCommand{
				At(20*minute, share("green", "pe-csirt")),
			},
			rows: []row{
				{"I01", "share", "co-csirt", report.OutcomeWrong, 0, 10 * minute, "TLP violation"},
			},
			check: func(t *testing.T, r *report.Report) {
				if got, want := r.Summary.TLPViolations, 1; got != want {
					t.Fatalf("TLP violations=%d, want %d", got, want)
				}
				sh := r.Shares[0]
				if !sh.TLPViolation || sh.InjectTLP != "amber" || len(sh.Problems) != 1 || !strings.HasPrefix(sh.Problems[0], "TLP violation") {
					t.Fatalf("share=%+v", sh)
				}
				if len(r.Network) != 1 || r.Network[0].Violations != 1 || r.Network[0].TLPs[0].TLP != "green" {
					t.Fatalf("network=%+v", r.Network)
				}
				if !HasFinding(r.Improvements, "tlp_violation", "co-csirt") {
					t.Fatalf("improvements=%+v", r.Improvements)
				}
				if r.Plan[0].Priority != report.PriorityHigh {
					t.Fatalf("plan=%+v", r.Plan)
				}
			},
		},
		{
			// Nothing done: the share's miss at T+0:40 spreads the incident to
			// Peru at T+0:50 (I04 to pe-csirt); the contain miss at T+0:50
			// sends I03 to co-csirt.
			name: "MissedWithConsequences",
			rows: []row{
				{"I01", "share", "co-csirt", report.OutcomeMissed, 0, -1, "deadline passed"},
				{"I02", "contain", "co-csirt", report.OutcomeMissed, 0, -1, "deadline passed"},
				{"I03", "ack", "co-csirt", report.OutcomeMissed, 0, -1, ""},
				{"I04", "contain", "pe-csirt", report.OutcomeMissed, 0, -1, ""},
			},
			check: func(t *testing.T, r *report.Report) {
				e := FindExpectation(t, r, "I01", "share", "co-csirt")
				if len(e.Consequences) != 1 || e.Consequences[0] != (report.Consequence{Kind: "spread", ID: "to-peru", Team: "pe-csirt", At: report.Duration(50 * minute)}) {
					t.Fatalf("share consequences=%+v", e.Consequences)
				}
				c := FindExpectation(t, r, "I02", "contain", "co-csirt")
				if len(c.Consequences) != 1 || c.Consequences[0] != (report.Consequence{Kind: "inject", ID: "I03", Team: "co-csirt", At: report.Duration(50 * minute)}) {
					t.Fatalf("contain consequences=%+v", c.Consequences)
				}
				inc := r.Incidents[0]
				if len(inc.Spreads) != 1 {
					t.Fatalf("spreads=%+v", inc.Spreads)
				}
				sp := inc.Spreads[0]
				if sp.To != "pe-csirt" || sp.CauseKind != "miss" || sp.Expectation != "I01.share" || sp.Team != "co-csirt" || sp.At.D() != 50*minute {
					t.Fatalf("spread=%+v", sp)
				}
				if !strings.Contains(sp.Explanation, "colCERT did not share I01") || !strings.Contains(sp.Explanation, "Peru") || strings.Contains(sp.Explanation, "co-csirt") {
					t.Fatalf("explanation=%q", sp.Explanation)
				}
				if !HasFinding(r.Improvements, "spread", "co-csirt") {
					t.Fatalf("improvements=%+v", r.Improvements)
				}
				if got, want := strings.Join(FindTeam(t, r, "co-csirt").Unanswered, ","), "I01,I02,I03"; got != want {
					t.Fatalf("unanswered=%s, want %s", got, want)
				}
				if o := FindObjective(t, r, "O3"); o.Rating != report.RatingU || strings.Join(o.FellShort, ",") != "co-csirt,pe-csirt" {
					t.Fatalf("O3=%+v", o)
				}
				var phases []string
				for _, p := range inc.Teams {
					phases = append(phases, p.Team+":"+p.Phase)
				}
				if got, want := strings.Join(phases, ","), "co-csirt:detected,pe-csirt:detected"; got != want {
					t.Fatalf("phases=%s, want %s", got, want)
				}
			},
		},
		{
			name: "WrongPeer",
			cmds: []engine.TimedCommand{
				At(20*minute, share("amber", "pe-csirt", "ec-csirt")),
			},
			rows: []row{
				{"I01", "share", "co-csirt", report.OutcomeWrong, 0, 10 * minute, "shared with EcuCERT, which is not an expected peer (PeCERT)"},
			},
			check: func(t *testing.T, r *report.Report) {
				if sh := r.Shares[0]; sh.TLPViolation || len(sh.Problems) != 1 {
					t.Fatalf("share=%+v", sh)
				}
				if !HasFinding(r.Improvements, "wrong_peer", "co-csirt") {
					t.Fatalf("improvements=%+v", r.Improvements)
				}
				if ec := FindTeam(t, r, "ec-csirt"); len(ec.Received) != 1 {
					t.Fatalf("ec-csirt received %+v", ec.Received)
				}
			},
		},
		{
			name: "NotDueAtEarlyEnd",
			cmds: []engine.TimedCommand{
				At(30*minute, engine.Command{Type: engine.CmdEnd, By: engine.Principal{Role: engine.RoleFacilitator, Name: "fac"}}),
			},
			rows: []row{
				{"I01", "ack", "co-csirt", report.OutcomeMissed, 0, -1, ""},
				{"I01", "share", "co-csirt", report.OutcomeNotDue, 0, -1, "not yet due when the exercise ended (due T+0:40:00)"},
				{"I02", "contain", "co-csirt", report.OutcomeNotDue, 0, -1, "not yet due"},
			},
			check: func(t *testing.T, r *report.Report) {
				if !r.Exercise.Ended || r.Exercise.End.D() != 30*minute || r.Exercise.EndReason != "ended by the facilitator" {
					t.Fatalf("exercise=%+v", r.Exercise)
				}
				// Ended early, at T+0:30: the two expectations due later
				// are not due; they neither score zero nor count in the
				// points available, only the missed acknowledgement does.
				ack := FindExpectation(t, r, "I01", "ack", "co-csirt")
				notDue := 0
				for _, e := range r.Expectations {
					if e.Team == "co-csirt" && e.Outcome == report.OutcomeNotDue {
						notDue++
					}
				}
				co := r.Teams[0]
				if co.ID != "co-csirt" || co.MaxPoints != float64(ack.MaxPoints) || notDue < 2 || co.Outcomes.NotDue != notDue || co.Outcomes.Unanswered != 0 {
					t.Fatalf("co-csirt max=%v outcomes=%+v, want max %d (the ack alone) and %d (≥ 2) not due", co.MaxPoints, co.Outcomes, ack.MaxPoints, notDue)
				}
				if r.Summary.Outcomes.NotDue == 0 || r.Summary.Outcomes.Unanswered != 0 {
					t.Fatalf("summary outcomes=%+v, want not-due items and no unanswered ones", r.Summary.Outcomes)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := MustBuild(t, s, Play(t, s, tt.cmds...), nil)
			for _, w := range tt.rows {
				e := FindExpectation(t, r, w.inject, w.exp, w.team)
				if e.Outcome != w.outcome || e.Points != w.points {
					t.Fatalf("%s: outcome=%s points=%v, want %s %v (reason %q)", e.Key(), e.Outcome, e.Points, w.outcome, w.points, e.Reason)
				}
				switch {
				case w.latency < 0 && e.Latency != nil:
					t.Fatalf("%s: latency=%v, want none", e.Key(), e.Latency)
				case w.latency >= 0 && (e.Latency == nil || e.Latency.D() != w.latency):
					t.Fatalf("%s: latency=%v, want %v", e.Key(), e.Latency, w.latency)
				}
				if !strings.Contains(e.Reason, w.reason) {
					t.Fatalf("%s: reason=%q, want it to contain %q", e.Key(), e.Reason, w.reason)
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func timeStat(t *report.TeamResult, action string) report.TimeStat {
	for _, ts := range t.Times {
		if ts.Action == action {
			return ts
		}
	}
	return report.TimeStat{}
}

// TestScoring_NoteOnObjective checks that a note tied to an objective is
// listed under that objective, in the notes table and in the log.
func TestScoring_NoteOnObjective(t *testing.T) {
	s := MustLoad(t, scoringFile)
	note := Evaluator("co-csirt", "", "Escalation reasoning was sound.")
	note.Objective = s.Exercise.Objectives[0].ID
	r := MustBuild(t, s, Play(t, s, At(14*minute, note)), nil)
	if len(r.Notes) != 1 || r.Notes[0].Objective != note.Objective {
		t.Fatalf("notes=%+v", r.Notes)
	}
	for _, o := range r.Objectives {
		want := 0
		if o.ID == note.Objective {
			want = 1
		}
		if len(o.Notes) != want {
			t.Errorf("objective %s has notes %+v, want %d", o.ID, o.Notes, want)
		}
	}
	var md, html strings.Builder
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	row := "| " + r.Names["co-csirt"] + " |  | " + note.Objective + " | Escalation reasoning was sound. |"
	if !strings.Contains(md.String(), row) {
		t.Errorf("the Markdown notes table has no row %q", row)
	}
	if !strings.Contains(html.String(), `<a href="#objective-`+note.Objective+`">`+note.Objective+`</a>`) {
		t.Error("the HTML notes table does not link the objective")
	}
}

// TestScoring_NotesAndTeams checks that evaluator notes attach to their team,
// inject and time, and that per-team totals add up.
func TestScoring_NotesAndTeams(t *testing.T) {
	s := MustLoad(t, scoringFile)
	r := MustBuild(t, s, Play(t, s,
		At(11*minute, Trainee("co-csirt", engine.CmdAcknowledge, "I01")),
		At(14*minute, Evaluator("co-csirt", "I01", "Quick triage; good use of the ticket system.")),
	), nil)
	if len(r.Notes) != 1 {
		t.Fatalf("notes=%+v", r.Notes)
	}
	n := r.Notes[0]
	if n.Team != "co-csirt" || n.Inject != "I01" || n.At.D() != 14*minute || n.By != "evaluator:eve" {
		t.Fatalf("note=%+v", n)
	}
	co := FindTeam(t, r, "co-csirt")
	if len(co.Notes) != 1 {
		t.Fatalf("team notes=%+v", co.Notes)
	}
	sum := 0.0
	for _, tr := range r.Teams {
		sum += tr.Points
	}
	if sum != r.Summary.Points || co.Points != 5 || co.MaxPoints != 50 {
		t.Fatalf("team points sum=%v summary=%v co=%v/%v", sum, r.Summary.Points, co.Points, co.MaxPoints)
	}
	if !co.Human || co.Mode != "human" {
		t.Fatalf("co-csirt mode=%s human=%v", co.Mode, co.Human)
	}
}

// TestScoring_AdHoc checks that a facilitator's ad-hoc inject is scored
// under the objective its expectations name.
func TestScoring_AdHoc(t *testing.T) {
	s := MustLoad(t, scoringFile)
	send := Facilitator(engine.CmdSendInject)
	send.AdHoc = &engine.AdHocInject{Title: "Press enquiry", Body: "A journalist calls.", Channel: "phone", To: []string{"co-csirt"},
		Expectations: []engine.AdHocExpectation{{Action: "acknowledge", Within: 10 * minute, Points: 4, Objective: "O1"}}}
	r := MustBuild(t, s, Play(t, s,
		At(5*minute, send),
		At(8*minute, Trainee("co-csirt", engine.CmdAcknowledge, "adhoc-1")),
	), nil)
	e := FindExpectation(t, r, "adhoc-1", "e1", "co-csirt")
	if e.Objective != "O1" || e.Capability != "detection" || e.Outcome != report.OutcomeMet || e.Points != 4 || e.Latency.D() != 3*minute {
		t.Fatalf("ad-hoc expectation=%+v", e)
	}
	if in := r.Injects[0]; in.ID != "adhoc-1" || !in.AdHoc || in.Title != "Press enquiry" || in.Answered != 1 {
		t.Fatalf("inject=%+v", in)
	}
}

// TestCapabilityAgreesWithItsObjective checks that a capability measured
// by one objective (or by several rated alike) gets that objective's
// rating, exercise-wide and per team: the report never rates the same
// points twice, differently (grid-ransomware's O1 has thresholds of its own).
func TestCapabilityAgreesWithItsObjective(t *testing.T) {
	for _, name := range scenarios.Library() {
		s := MustLibrary(t, name)
		for seed := uint64(1); seed <= 8; seed++ {
			r := MustBuild(t, s, MustRun(t, s, seed), nil)
			check := func(who string, objectives, capabilities []report.ScoreLine) {
				for _, c := range capabilities {
					var only []report.ScoreLine
					for _, o := range objectives {
						if o.Capability == c.ID {
							only = append(only, o)
						}
					}
					if len(only) == 1 && (only[0].Rating != c.Rating || only[0].Points != c.Points) {
						t.Errorf("%s seed %d %s: capability %s rated %s for %v points, its one objective %s rated %s for %v",
							name, seed, who, c.ID, c.Rating, c.Points, only[0].ID, only[0].Rating, only[0].Points)
					}
				}
			}
			objectives := make([]report.ScoreLine, len(r.Objectives))
			for i := range r.Objectives {
				objectives[i] = r.Objectives[i].ScoreLine
			}
			check("exercise", objectives, r.Capabilities)
			for _, tr := range r.Teams {
				check(tr.ID, tr.Objectives, tr.Capabilities)
			}
		}
	}
}
