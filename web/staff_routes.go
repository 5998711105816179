package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"cmesim/engine"
)

// codeKeeper requires the facilitator of the exercise in the path or an
// administrator: the only people who hand out join codes. (Evaluators and
// observers are staff too, but a team's code would let them act as it.)
func (a *auth) codeKeeper(next func(http.ResponseWriter, *http.Request, *liveExercise)) http.HandlerFunc {
	return a.session(func(w http.ResponseWriter, r *http.Request, sess *Session) {
		le, ok := a.exercises.get(r.PathValue("id"))
		if !ok {
			writeError(w, a.log, engine.Errorf(engine.CodeNotFound, "no such exercise"))
			return
		}
		if sess.Role != RoleAdmin && (sess.Exercise != le.id || sess.Role != engine.RoleFacilitator) {
			writeError(w, a.log, engine.Errorf(engine.CodeForbidden, "join codes are for the facilitator and the administrator"))
			return
		}
		next(w, r, le)
	})
}

// handleCodes answers the exercise's join codes.
func (a *auth) handleCodes(w http.ResponseWriter, _ *http.Request, le *liveExercise) {
	writeJSON(w, http.StatusOK, le.codes)
}

// codeOf returns the join code of a role (facilitator, evaluator,
// observer) or of a team.
func (c exerciseCodes) codeOf(who string) (string, bool) {
	switch who {
	case "facilitator":
		return c.Facilitator, true
	case "evaluator":
		return c.Evaluator, true
	case "observer":
		return c.Observer, true
	}
	code, ok := c.Teams[who]
	return code, ok
}

// joinLink is the link that joins with code, on the host the request came
// to.
func joinLink(r *http.Request, code string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/?code=%s", scheme, r.Host, code)
}

// handleJoinQR answers the QR code of a join link as SVG: GET
// /api/exercises/{id}/qr/{who}, who a team id or a staff role.
func (a *auth) handleJoinQR(w http.ResponseWriter, r *http.Request, le *liveExercise) {
	code, ok := le.codes.codeOf(r.PathValue("who"))
	if !ok {
		writeError(w, a.log, engine.Errorf(engine.CodeNotFound, "no team or role %q in this exercise", truncate(r.PathValue("who"), 40)))
		return
	}
	q, err := qrcode.New(joinLink(r, code), qrcode.Medium)
	if err != nil {
		writeError(w, a.log, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(qrSVG(q.Bitmap()))
}

// qrSVG draws a QR code's modules (true is dark) as one SVG path, one
// unit per module, quiet zone included.
func qrSVG(bits [][]bool) []byte {
	n := len(bits)
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, n, n, path.String())
}

// debrief is one team's results, for its trainees once the exercise has
// ended (and for staff at any time).
type debrief struct {
	Team   string        `json:"team"`
	Name   string        `json:"name"`
	Status engine.Status `json:"status"`
	Now    time.Duration `json:"now"`
	Reason string        `json:"reason,omitempty"`
	// ReasonCode names Reason for translation (engine.ReasonCode).
	ReasonCode engine.ReasonCode    `json:"reason_code,omitempty"`
	Text       string               `json:"text,omitempty"`
	Score      float64              `json:"score"`
	MaxScore   int                  `json:"max_score"`
	Met        int                  `json:"met"`
	Late       int                  `json:"late"`
	Missed     int                  `json:"missed"`
	Actions    int                  `json:"actions"`
	Results    []debriefExpectation `json:"expectations"`
}

// debriefExpectation is how one expectation went for the team.
type debriefExpectation struct {
	Inject      string         `json:"inject"`
	Title       string         `json:"title"`
	Expectation string         `json:"expectation"`
	Action      string         `json:"action"`
	Outcome     engine.Outcome `json:"outcome"`
	Points      float64        `json:"points"`
	MaxPoints   int            `json:"max_points"`
	Deadline    time.Duration  `json:"deadline"`
	MetAt       *time.Duration `json:"met_at,omitempty"`
	Objective   string         `json:"objective,omitempty"`
	// Provisional says the points await the evaluators' judgement.
	Provisional bool `json:"provisional,omitempty"`
}

// handleDebrief answers a team's results: GET /api/exercises/{id}/debrief.
// A trainee gets their own team's once the exercise has ended; staff name
// the team (?team=ID) and may ask at any time.
func (rp *reports) handleDebrief(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	team := sess.Team
	if sess.IsStaff() {
		team = r.URL.Query().Get("team")
	} else if sess.Role != engine.RoleTrainee {
		writeError(w, rp.log, engine.Errorf(engine.CodeForbidden, "the debrief is for the exercise's teams and staff"))
		return
	}
	t, ok := le.scn.Team(team)
	if !ok {
		writeError(w, rp.log, engine.Errorf(engine.CodeNotFound, "no team %q in this exercise", truncate(team, 40)))
		return
	}
	events, err := le.copyEvents(r.Context())
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	st, err := engine.Fold(le.scn, events)
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	if !sess.IsStaff() && st.Status != engine.StatusEnded {
		writeError(w, rp.log, engine.Errorf(engine.CodeConflict, "the debrief opens when the exercise ends"))
		return
	}
	writeJSON(w, http.StatusOK, le.debriefOf(st, events, t.ID, t.Name))
}

// debriefOf gathers team's results from the folded state and the log.
func (le *liveExercise) debriefOf(st *engine.State, events []engine.Event, team, name string) debrief {
	out := debrief{Team: team, Name: name, Status: st.Status, Now: st.Now, Score: st.Score[team], Actions: st.Actions[team], Results: []debriefExpectation{}}
	for _, e := range events {
		if e.Type == engine.EventEnded {
			out.Reason, out.ReasonCode, out.Text = e.Data.Reason, e.Data.ReasonCode, e.Data.Text
		}
	}
	titles := map[string]string{}
	for _, in := range le.scn.Injects {
		titles[in.ID] = in.Title
	}
	for _, a := range st.AdHoc {
		titles[a.ID] = a.Title
	}
	for _, e := range st.Expectations {
		if e.Team != team {
			continue
		}
		d := debriefExpectation{Inject: e.Inject, Title: titles[e.Inject], Expectation: e.Expectation, Action: string(e.Action), Outcome: e.Outcome(),
			Points: e.Points, MaxPoints: e.MaxPoints, Deadline: e.Deadline, Objective: e.Objective, Provisional: e.Provisional}
		if e.Met {
			at := e.MetAt
			d.MetAt = &at
		}
		out.MaxScore += e.MaxPoints
		switch d.Outcome {
		case engine.OutcomeMet:
			out.Met++
		case engine.OutcomeLate:
			out.Late++
		case engine.OutcomeMissed, engine.OutcomeWrong:
			out.Missed++
		}
		out.Results = append(out.Results, d)
	}
	return out
}
