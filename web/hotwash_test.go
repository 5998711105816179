package web_test

import (
	"net/http"
	"os"
	"testing"

	"cmesim/engine"
	"cmesim/internal/i18n"
)

// TestHotWashClosingPhaseRestore ends an exercise, judges an answer and
// runs the hot wash survey after the end over the socket, then restarts
// the server on the same store: the ended exercise with its closing-phase
// events is restored, still takes closing commands, and refuses the others.
func TestHotWashClosingPhaseRestore(t *testing.T) {
	dir := t.TempDir()
	srv, stop := storedServer(t, dir)
	ex := mustCreateJudged(t, srv, co, pe)
	fac := join(t, srv, ex.Codes.Facilitator, "Fran")
	ana := join(t, srv, ex.Codes.Teams[co], "Ana")
	eve := join(t, srv, ex.Codes.Evaluator, "Eve")
	fw, aw, ew := dial(t, fac, ex.ID, 0), dial(t, ana, ex.ID, 0), dial(t, eve, ex.ID, 0)

	fw.mustAck(t, cmd{"type": "start"})
	fw.jump(t)
	aw.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	aw.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Do not open mails from nomina-minfin[.]com"})
	aw.mustReject(t, "conflict", cmd{"type": "survey_answer", "answers": map[string]string{"structured": "4"}})
	endAck := fw.mustAck(t, cmd{"type": "end"})
	end := fw.event(t, endAck.Seq).At

	judge := cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "met", "text": "after the end"}
	ack := ew.mustAck(t, judge)
	if scored := fw.event(t, ack.Seq); scored.Type != engine.EventExpectationScored || scored.Data.Points != 10 || scored.At != end {
		t.Fatalf("the judgement after the end scored %+v, want 10 points at the end time %v", scored, end)
	}
	aw.mustReject(t, "conflict", cmd{"type": "acknowledge", "inject": "I01"})
	fw.mustReject(t, "conflict", cmd{"type": "resume"})
	aw.mustReject(t, "conflict", cmd{"type": "survey_answer", "answers": map[string]string{"structured": "4"}}) // not open yet
	fw.mustAck(t, cmd{"type": "survey_open"})
	aw.next(t, isEvent(engine.EventSurveyOpened, ""))
	ack = aw.mustAck(t, cmd{"type": "survey_answer", "answers": map[string]string{"structured": "4", "strengths": "La coordinación"}})
	if got := fw.event(t, ack.Seq); got.Type != engine.EventSurveyAnswered || got.Actor != "trainee:"+co+":Ana" || got.Data.Answers["strengths"] != "La coordinación" {
		t.Fatalf("the facilitator got %+v, want Ana's answers", got)
	}
	aw.close(t)
	fw.close(t)
	ew.close(t)
	stop()

	srv2, _ := storedServer(t, dir)
	fac.srv, ana.srv, eve.srv = srv2, srv2, srv2
	fw2 := dial(t, fac, ex.ID, 0)
	fw2.next(t, isStatus(engine.StatusEnded))
	if got := fw2.event(t, ack.Seq); got.Type != engine.EventSurveyAnswered {
		t.Fatalf("event %d after the restart is %s, want the survey answer", ack.Seq, got.Type)
	}
	aw2 := dial(t, ana, ex.ID, ack.Seq)
	ack2 := aw2.mustAck(t, cmd{"type": "survey_answer", "answers": map[string]string{"structured": "5"}})
	if ack2.Seq != ack.Seq+1 {
		t.Fatalf("the answer after the restart is seq %d, want %d", ack2.Seq, ack.Seq+1)
	}
	ew2 := dial(t, eve, ex.ID, 0)
	ew2.mustAck(t, cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "partly"})
	aw2.mustReject(t, "conflict", cmd{"type": "contain", "inject": "I01"})
}

// TestHotWashScenarioQuestions checks that a scenario's own hot wash
// questions reach the consoles with their translations and are the ones
// the server takes answers to.
func TestHotWashScenarioQuestions(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(src) + `
hot_wash:
  - id: useful
    kind: rating
    text: The exercise was useful.
    translations: { es: { text: El ejercicio fue útil. } }
`
	var ex created
	if r := mustAdmin(t, srv).postJSON(t, "/api/exercises", map[string]any{"yaml": yaml, "humans": []string{co}}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	ana := join(t, srv, ex.Codes.Teams[co], "Ana")
	var view struct {
		HotWash []struct {
			ID           string            `json:"id"`
			Kind         string            `json:"kind"`
			Text         string            `json:"text"`
			Translations map[string]string `json:"translations"`
		} `json:"hot_wash"`
	}
	ana.get(t, "/api/exercises/"+ex.ID, &view)
	if len(view.HotWash) != 1 || view.HotWash[0].ID != "useful" || view.HotWash[0].Kind != "rating" || view.HotWash[0].Translations["es"] != "El ejercicio fue útil." {
		t.Fatalf("the trainee's exercise view has hot_wash %+v", view.HotWash)
	}
	fw, aw := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0), dial(t, ana, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.mustAck(t, cmd{"type": "end"})
	fw.mustAck(t, cmd{"type": "survey_open", "anonymous": true})
	aw.mustReject(t, "invalid", cmd{"type": "survey_answer", "answers": map[string]string{"structured": "4"}})
	ack := aw.mustAck(t, cmd{"type": "survey_answer", "answers": map[string]string{"useful": "5"}})
	if got := fw.event(t, ack.Seq); got.Actor != "trainee:"+co || got.Data.Command == nil || got.Data.Command.By.Name != "" {
		t.Fatalf("the anonymous answer was recorded as %+v", got)
	}
}

// TestHotWashDefaultQuestions checks that the exercise view of a scenario
// without questions of its own lists the engine's default hot wash
// questions, in order and without text (the consoles keep no copy of the
// list), and that every one has its text in every catalog.
func TestHotWashDefaultQuestions(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	var view struct {
		HotWash []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
			Text string `json:"text"`
		} `json:"hot_wash"`
	}
	join(t, srv, ex.Codes.Teams[co], "Ana").get(t, "/api/exercises/"+ex.ID, &view)
	if len(view.HotWash) != len(engine.HotWashQuestions) {
		t.Fatalf("the exercise view lists %d hot wash questions, want the engine's %d: %+v", len(view.HotWash), len(engine.HotWashQuestions), view.HotWash)
	}
	for i, q := range engine.HotWashQuestions {
		got := view.HotWash[i]
		if got.ID != q.ID || got.Kind != string(q.Kind) || got.Text != "" {
			t.Errorf("question %d is %+v, want %s (%s) without text", i, got, q.ID, q.Kind)
		}
		for _, l := range i18n.Langs {
			if !i18n.Has(l, "hotwash.q."+q.ID) {
				t.Errorf("the %s catalog has no text for the hot wash question %s", l, q.ID)
			}
		}
	}
}
