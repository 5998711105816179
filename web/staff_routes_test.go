package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestJoinCodesAndQR checks that the facilitator and the administrator can
// read an exercise's codes and each team's QR code (SVG, not cached), and
// that nobody else can.
func TestJoinCodesAndQR(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	admin := mustAdmin(t, srv)

	for name, c := range map[string]*client{"facilitator": fac, "admin": admin} {
		var codes exerciseCodes
		r := c.get(t, "/api/exercises/"+ex.ID+"/codes", &codes)
		expectStatus(t, r, http.StatusOK, "")
		if codes.Teams["co-csirt"] != ex.Codes.Teams["co-csirt"] || codes.Facilitator != ex.Codes.Facilitator {
			t.Errorf("%s: codes = %+v, want those of the exercise", name, codes)
		}
		r = c.get(t, "/api/exercises/"+ex.ID+"/qr/co-csirt", nil)
		expectStatus(t, r, http.StatusOK, "")
		if ct := r.Header.Get("Content-Type"); ct != "image/svg+xml" {
			t.Errorf("%s: QR content type %q", name, ct)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: QR Cache-Control %q, want no-store", name, cc)
		}
		if body := string(r.body); !strings.HasPrefix(body, "<svg") || !strings.Contains(body, `<path fill="#000" d="M`) {
			t.Errorf("%s: QR body is not an SVG drawing: %.200s", name, body)
		}
	}
	expectStatus(t, fac.get(t, "/api/exercises/"+ex.ID+"/qr/nobody", nil), http.StatusNotFound, "not_found")

	evaluator := join(t, srv, ex.Codes.Evaluator, "")
	observer := join(t, srv, ex.Codes.Observer, "")
	trainee := join(t, srv, ex.Codes.Teams["co-csirt"], "Ana")
	for _, c := range []*client{evaluator, observer, trainee} {
		expectStatus(t, c.get(t, "/api/exercises/"+ex.ID+"/codes", nil), http.StatusForbidden, "forbidden")
		expectStatus(t, c.get(t, "/api/exercises/"+ex.ID+"/qr/pe-csirt", nil), http.StatusForbidden, "forbidden")
	}
	expectStatus(t, newClient(t, srv).get(t, "/api/exercises/"+ex.ID+"/qr/co-csirt", nil), http.StatusUnauthorized, "unauthorized")
}

// debriefAnswer is part of GET /api/exercises/{id}/debrief.
type debriefAnswer struct {
	Team         string  `json:"team"`
	Status       string  `json:"status"`
	Text         string  `json:"text"`
	Score        float64 `json:"score"`
	MaxScore     int     `json:"max_score"`
	Met          int     `json:"met"`
	Missed       int     `json:"missed"`
	Expectations []struct {
		Inject, Expectation, Outcome string
	} `json:"expectations"`
}

// TestDebrief checks that a trainee reads their own team's results once the
// exercise has ended (not before, and never another team's), and that
// staff read any team's at any time.
func TestDebrief(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, "co-csirt", "pe-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	ana := join(t, srv, ex.Codes.Teams["co-csirt"], "Ana")
	path := "/api/exercises/" + ex.ID + "/debrief"

	facWS := dial(t, fac, ex.ID, 0)
	anaWS := dial(t, ana, ex.ID, 0)
	facWS.mustAck(t, cmd{"type": "start"})
	facWS.jump(t)
	anaWS.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})

	expectStatus(t, ana.get(t, path, nil), http.StatusConflict, "conflict")
	var during debriefAnswer
	expectStatus(t, fac.get(t, path+"?team=co-csirt", &during), http.StatusOK, "")
	if during.Status != "running" || during.Met != 1 || during.Score != 5 {
		t.Errorf("staff debrief during play = %+v, want running, 1 met, 5 points", during)
	}

	facWS.mustAck(t, cmd{"type": "end", "text": "Time is up in the room"})
	var mine debriefAnswer
	expectStatus(t, ana.get(t, path+"?team=pe-csirt", &mine), http.StatusOK, "") // ?team is ignored for trainees
	if mine.Team != "co-csirt" || mine.Status != "ended" || mine.Text != "Time is up in the room" || mine.Score != 5 || mine.MaxScore != 30 || len(mine.Expectations) != 3 {
		t.Errorf("trainee debrief = %+v, want co-csirt's, ended with the reason, 5/30 over 3 expectations", mine)
	}
	expectStatus(t, fac.get(t, path+"?team=nowhere", nil), http.StatusNotFound, "not_found")
}
