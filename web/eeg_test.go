package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"cmesim/engine"
)

// TestEvaluationGuideOverTheSocket checks the EEG commands end to end over
// the socket: staff receive the critical tasks and trainees do not; an
// evaluator's observation (linked to an earlier event) and rating reach the
// facilitator and, only when the scenario lets them read notes, observers;
// trainees never; an observer's report without notes keeps the rating but
// not the observation.
func TestEvaluationGuideOverTheSocket(t *testing.T) {
	src := eegYAML(t)
	for _, allowed := range []bool{false, true} {
		t.Run(fmt.Sprint(allowed), func(t *testing.T) {
			yaml := strings.Replace(src, "  tlp_default: amber\n", fmt.Sprintf("  tlp_default: amber\n  observers_read_notes: %v\n", allowed), 1)
			srv := mustServer(t)
			var ex created
			if r := mustAdmin(t, srv).postJSON(t, "/api/exercises", map[string]any{"yaml": yaml, "humans": []string{co}}, &ex); r.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", r.StatusCode, r.body)
			}
			facC := join(t, srv, ex.Codes.Facilitator, "Fran")
			anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
			var staffView, traineeView struct {
				CriticalTasks map[string][]struct {
					ID           string   `json:"id"`
					Expectations []string `json:"expectations"`
				} `json:"critical_tasks"`
			}
			facC.get(t, "/api/exercises/"+ex.ID, &staffView)
			anaC.get(t, "/api/exercises/"+ex.ID, &traineeView)
			if tasks := staffView.CriticalTasks["O1"]; len(tasks) != 1 || tasks[0].ID != "triage" || !slices.Equal(tasks[0].Expectations, []string{"I01.ack", "I01.classify"}) {
				t.Fatalf("staff critical tasks = %+v", staffView.CriticalTasks)
			}
			if traineeView.CriticalTasks != nil {
				t.Fatalf("a trainee received critical tasks: %+v", traineeView.CriticalTasks)
			}
			fac := dial(t, facC, ex.ID, 0)
			started := fac.mustAck(t, cmd{"type": "start"})
			eva := dial(t, join(t, srv, ex.Codes.Evaluator, "Eva"), ex.ID, 0)
			obsC := join(t, srv, ex.Codes.Observer, "Olga")
			obs := dial(t, obsC, ex.ID, 0)
			ana := dial(t, anaC, ex.ID, 0)
			const seen = "Watched the team triage the first report."
			observed := eva.mustAck(t, cmd{"type": "observe", "objective": "O1", "team": co, "text": seen,
				"eeg": map[string]any{"task": "triage", "events": []uint64{started.Seq}}})
			if e := fac.event(t, observed.Seq); e.Type != engine.EventObserved || e.Data.EEG == nil || !slices.Equal(e.Data.EEG.Events, []uint64{started.Seq}) {
				t.Fatalf("the facilitator received %+v", e)
			}
			eva.mustReject(t, string(engine.CodeNotFound), cmd{"type": "observe", "objective": "O1", "text": "x", "eeg": map[string]any{"events": []uint64{observed.Seq + 10}}})
			eva.mustReject(t, string(engine.CodeForbidden), cmd{"type": "override_rating", "objective": "O1", "text": "x", "eeg": map[string]any{"grade": "P"}})
			rated := eva.mustAck(t, cmd{"type": "rate_objective", "objective": "O1", "text": "Sound triage", "eeg": map[string]any{"grade": "S"}})
			after := fac.mustAck(t, cmd{"type": "pause"})
			obs.event(t, after.Seq)
			ana.event(t, after.Seq)
			isEEG := func(m message) bool { return m.Event != nil && strings.HasPrefix(string(m.Event.Type), "eeg.") }
			if slices.ContainsFunc(ana.all, isEEG) {
				t.Fatal("a trainee received an evaluation guide's event")
			}
			if got := slices.ContainsFunc(obs.all, isEEG); got != allowed {
				t.Fatalf("observer received the guide's events: %v, want %v", got, allowed)
			}
			if e := fac.event(t, rated.Seq); e.Type != engine.EventObjectiveRated || e.Data.EEG.Grade != engine.GradeS {
				t.Fatalf("the rating reached the facilitator as %+v", e)
			}
			r := obsC.get(t, "/api/exercises/"+ex.ID+"/report?format=json", nil)
			if r.StatusCode != http.StatusOK || bytes.Contains(r.body, []byte(seen)) != allowed || !bytes.Contains(r.body, []byte(`"rated_by": "evaluators"`)) {
				t.Fatalf("observer's report (status %d): observation shown %v (want %v), or no evaluators' rating", r.StatusCode, bytes.Contains(r.body, []byte(seen)), allowed)
			}
		})
	}
}
