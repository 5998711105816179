package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"cmesim/engine"
)

// A console keeps only the newest events it received (the staff's
// timeline 5,000); the events before them come from here, a page at a
// time, exactly as the WebSocket replays them to the same session.

// historyPage and historyMaxPage are how many events a history request
// returns by default and at most.
const (
	historyPage    = 200
	historyMaxPage = 1000
)

// historyView is the answer of GET /api/exercises/{id}/events.
type historyView struct {
	// Events are event messages as the WebSocket sends them, newest first.
	Events []json.RawMessage `json:"events"`
	// Next is the before of the next page, 0 when no event is left.
	Next uint64 `json:"next"`
}

// handleHistory answers GET /api/exercises/{id}/events?before=SEQ&limit=N:
// the events before seq SEQ that the session may see, newest first, at
// most N (historyPage by default, historyMaxPage at most). A page may hold
// fewer than N while Next is not 0: the server looks at a bounded number
// of events per request (a trainee may see one in sixty).
//
// A request draws on the session's and the client address's budgets of
// history requests (on the server's clock) and on the address's budget of
// commands: a console asks a few times a click, a script asking without
// end is slowed down.
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	now, ip := s.now(), s.clientIP(r)
	if !s.histories.get(sess.Token).AllowN(now, 1) || !s.historyIPs.get(ip).AllowN(now, 1) || !s.ipCommands.get(ip).Allow() {
		s.security.record(secRateLimited, ip, "too many history requests")
		tooMany(w, s.log, time.Second, "too many requests; slow down")
		return
	}
	q := r.URL.Query()
	before, err := strconv.ParseUint(q.Get("before"), 10, 64)
	if err != nil || before < 1 {
		writeError(w, s.log, engine.Errorf(engine.CodeInvalid, "before must be an event's seq, a number from 1"))
		return
	}
	limit := historyPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > historyMaxPage {
			writeError(w, s.log, engine.Errorf(engine.CodeInvalid, "limit must be a number from 1 to %d", historyMaxPage))
			return
		}
		limit = n
	}
	encoded, next := le.fan.history(sess, before, limit)
	view := historyView{Events: make([]json.RawMessage, len(encoded)), Next: next}
	for i, b := range encoded {
		view.Events[i] = b
	}
	writeJSON(w, http.StatusOK, view)
}
