package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cmesim/engine"
)

// aarDoc is an AAR/IP of the judged example played by co-csirt and
// pe-csirt.
func aarDoc() map[string]any {
	return map[string]any{
		"strengths":    []any{map[string]any{"id": "S1", "text": "colCERT published a clear warning.", "teams": []string{co}}},
		"improvements": []any{map[string]any{"id": "A1", "text": "PeCERT never acknowledged I01.", "priority": "high", "teams": []string{pe}}},
		"plan": []any{map[string]any{"id": "P1", "capability": "detection", "area": "A1", "action": "Staff a 24/7 intake desk.",
			"organisation": pe, "contact": "Luis Rojas", "start": "2026-04-01", "completion": "2026-07-31", "status": "in_progress"}},
	}
}

// TestAAREditOverHTTP edits the AAR/IP over the socket after the end, then
// reads it back, exports the plan, reads the team reports, and restarts the
// server on the same store: the edit survives the store's encoding.
func TestAAREditOverHTTP(t *testing.T) {
	dir := t.TempDir()
	srv, stop := storedServer(t, dir)
	ex := mustCreateJudged(t, srv, co, pe)
	fac := join(t, srv, ex.Codes.Facilitator, "Marta")
	ana := join(t, srv, ex.Codes.Teams[co], "Ana")
	luis := join(t, srv, ex.Codes.Teams[pe], "Luis")
	eve := join(t, srv, ex.Codes.Evaluator, "Eve")
	fw, aw, ew := dial(t, fac, ex.ID, 0), dial(t, ana, ex.ID, 0), dial(t, eve, ex.ID, 0)
	base := "/api/exercises/" + ex.ID

	fw.mustAck(t, cmd{"type": "start"})
	fw.jump(t)
	aw.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	aw.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Do not open mails from nomina-minfin[.]com"})
	fw.mustReject(t, "conflict", cmd{"type": "aar_edit", "aar": aarDoc()})
	if r := ana.get(t, base+"/team-report", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("team report during play: %d, want 409", r.StatusCode)
	}
	fw.mustAck(t, cmd{"type": "end"})
	ew.mustAck(t, cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "met", "text": "Clear and actionable"})

	ew.mustReject(t, "forbidden", cmd{"type": "aar_edit", "aar": aarDoc()})
	bad := aarDoc()
	bad["plan"].([]any)[0].(map[string]any)["organisation"] = "ec-csirt"
	if m := fw.mustReject(t, "invalid", cmd{"type": "aar_edit", "aar": bad}); !strings.Contains(m.String(), "not a real organisation") {
		t.Errorf("a simulated team as organisation: %s", m)
	}
	before := time.Now().UTC().Format(time.DateOnly)
	ack := fw.mustAck(t, cmd{"type": "aar_edit", "aar": aarDoc()})
	after := time.Now().UTC().Format(time.DateOnly)
	edited := fw.event(t, ack.Seq)
	if edited.Type != engine.EventAAREdited || edited.Data.Command.AAR == nil || (edited.Data.Command.AAR.Edited != before && edited.Data.Command.AAR.Edited != after) {
		t.Fatalf("aar_edit recorded %+v, want aar.edited stamped with today", edited)
	}

	var v struct {
		Ended         bool                  `json:"ended"`
		Edited        bool                  `json:"edited"`
		Document      engine.AARDocument    `json:"document"`
		Draft         engine.AARDocument    `json:"draft"`
		Organisations []struct{ ID string } `json:"organisations"`
	}
	if r := fac.get(t, base+"/aar", &v); r.StatusCode != http.StatusOK || !v.Ended || !v.Edited || v.Document.Plan[0].Contact != "Luis Rojas" {
		t.Fatalf("GET aar = %d %+v", r.StatusCode, v)
	}
	var orgs []string
	for _, o := range v.Organisations {
		orgs = append(orgs, o.ID)
	}
	if strings.Join(orgs, ",") != co+","+pe+",minfin-co,mintic" {
		t.Errorf("organisations = %v, want the human teams and the actors", orgs)
	}
	if r := ana.get(t, base+"/aar", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a trainee read the AAR editor: %d", r.StatusCode)
	}

	r := fac.get(t, base+"/improvement-plan.xlsx?lang=fr", nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("plan XLSX: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	book, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(book.GetSheetList()[0])
	book.Close()
	if err != nil || len(rows) != 3 || !strings.HasPrefix(rows[0][0], "TLP:") || rows[1][4] != "Action corrective" || rows[2][4] != "Staff a 24/7 intake desk." || rows[2][9] != "En cours" {
		t.Fatalf("plan XLSX rows = %q (%v)", rows, err)
	}
	if r := fac.get(t, base+"/improvement-plan.csv", nil); r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), "Luis Rojas") || !strings.Contains(string(r.body), "TLP:") {
		t.Errorf("plan CSV: %d %s", r.StatusCode, r.body)
	}
	if r := ana.get(t, base+"/improvement-plan.csv", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("a trainee exported the plan: %d", r.StatusCode)
	}

	// Each team reads its own report; nothing of the other team's answer.
	coReport := ana.get(t, base+"/team-report", nil)
	peReport := luis.get(t, base+"/team-report?team="+co, nil)
	if coReport.StatusCode != http.StatusOK || peReport.StatusCode != http.StatusOK {
		t.Fatalf("team reports: %d %d", coReport.StatusCode, peReport.StatusCode)
	}
	if !strings.Contains(string(coReport.body), "Team report: colCERT") || !strings.Contains(string(peReport.body), "Team report: PeCERT") {
		t.Error("a team report is not its reader's team's (a trainee cannot pick another team)")
	}
	for _, leak := range []string{"nomina-minfin", "Clear and actionable", "evaluator:Eve"} {
		if strings.Contains(string(peReport.body), leak) {
			t.Errorf("PeCERT's report shows %q", leak)
		}
	}
	if !strings.Contains(string(peReport.body), "Staff a 24/7 intake desk.") || strings.Contains(string(coReport.body), "Staff a 24/7 intake desk.") {
		t.Error("the plan item of PeCERT is not in its report alone")
	}
	if r := fac.get(t, base+"/team-report?team="+pe+"&format=json", nil); r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), `"team": "pe-csirt"`) {
		t.Errorf("staff team report: %d %.200s", r.StatusCode, r.body)
	}
	aw.close(t)
	fw.close(t)
	ew.close(t)
	stop()

	srv2, _ := storedServer(t, dir)
	fac.srv = srv2
	var again struct {
		Edited   bool               `json:"edited"`
		Document engine.AARDocument `json:"document"`
	}
	if r := fac.get(t, base+"/aar", &again); r.StatusCode != http.StatusOK || !again.Edited || again.Document.Plan[0].Action != "Staff a 24/7 intake desk." {
		t.Fatalf("after a restart: %d %+v", r.StatusCode, again)
	}
}
