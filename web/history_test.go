package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"cmesim/engine"
)

// historyPage mirrors the answer of GET /api/exercises/{id}/events; each
// event stays as the server wrote it.
type historyPage struct {
	Events []json.RawMessage `json:"events"`
	Next   uint64            `json:"next"`
}

// readHistory reads an exercise's history as c, from before back to the
// first event, limit events a request, and returns it oldest first.
func readHistory(t *testing.T, c *client, exercise string, before uint64, limit int) [][]byte {
	t.Helper()
	var out [][]byte
	for requests := 0; before != 0; requests++ {
		if requests > 1000 {
			t.Fatal("the history does not end")
		}
		var page historyPage
		resp := c.get(t, fmt.Sprintf("/api/exercises/%s/events?before=%d&limit=%d", exercise, before, limit), &page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("history before %d: status %d: %s", before, resp.StatusCode, resp.body)
		}
		if len(page.Events) > limit {
			t.Fatalf("history before %d: %d events, more than the limit %d", before, len(page.Events), limit)
		}
		if page.Next >= before {
			t.Fatalf("history before %d: next %d does not go back", before, page.Next)
		}
		for _, e := range page.Events {
			out = append(out, e)
		}
		before = page.Next
	}
	slices.Reverse(out)
	return out
}

// TestHistoryIsTheReplay checks that each role's history pages, read back
// to the first event, are byte for byte the event messages a WebSocket of
// the same session replays: a trainee's copy without what trainees must
// not read, nothing of the other team's, no note for an observer the
// scenario does not let read them.
func TestHistoryIsTheReplay(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv, co)
	facC := join(t, srv, ex.Codes.Facilitator, "Fran")
	fac := dial(t, facC, ex.ID, 0)
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	ana := dial(t, anaC, ex.ID, 0)
	obsC := join(t, srv, ex.Codes.Observer, "Olga")
	evalC := join(t, srv, ex.Codes.Evaluator, "Eva")

	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})
	ana.mustAck(t, cmd{"type": "classify", "inject": "I01", "category": "phishing", "severity": "high"})
	fac.mustAck(t, cmd{"type": "note", "team": co, "text": "quick to classify"})
	fac.mustAck(t, cmd{"type": "send_inject", "adhoc": adhoc("For Peru only", pe)})
	fac.jump(t)
	last := ana.mustAck(t, cmd{"type": "share", "inject": "I01", "peers": []string{pe}, "tlp": "green"}).Seq
	staffLog(t, fac, last) // every event up to last delivered

	for _, who := range []struct {
		name string
		c    *client
	}{{"facilitator", facC}, {"trainee", anaC}, {"observer", obsC}, {"evaluator", evalC}} {
		t.Run(who.name, func(t *testing.T) {
			w := dial(t, who.c, ex.ID, 0)
			var replay [][]byte
			for _, m := range w.all {
				if m.Type == "event" {
					replay = append(replay, m.raw)
				}
			}
			if len(replay) < 5 {
				t.Fatalf("the replay holds %d events; the test needs more", len(replay))
			}
			for _, limit := range []int{1, 3, 1000} {
				got := readHistory(t, who.c, ex.ID, w.caughtUp+1, limit)
				if len(got) != len(replay) {
					t.Fatalf("limit %d: the history holds %d events, the replay %d", limit, len(got), len(replay))
				}
				for i := range got {
					if !bytes.Equal(got[i], replay[i]) {
						t.Fatalf("limit %d: event %d of the history\n%s\nis not the replay's\n%s", limit, i, got[i], replay[i])
					}
				}
			}
			// A page in the middle starts right below before.
			mid := w.all[len(w.all)/2].Seq
			page := readHistory(t, who.c, ex.ID, mid, 1000)
			for _, b := range page {
				var m message
				if err := json.Unmarshal(b, &m); err != nil || m.Seq >= mid {
					t.Fatalf("history before %d holds %s", mid, b)
				}
			}
		})
	}
}

// TestHistoryRefusesBadInput checks the history's answers to requests
// that are not an event's seq and a page size.
func TestHistoryRefusesBadInput(t *testing.T) {
	t.Parallel()
	srv := mustServer(t)
	ex := mustCreate(t, srv)
	facC := join(t, srv, ex.Codes.Facilitator, "Fran")
	for _, q := range []string{"", "before=", "before=0", "before=-3", "before=x", "before=5&limit=0", "before=5&limit=1001", "before=5&limit=two", "before=99999999999999999999"} {
		resp := facC.get(t, "/api/exercises/"+ex.ID+"/events?"+q, nil)
		if resp.StatusCode != http.StatusBadRequest || resp.apiError(t).Error.Code != "invalid" {
			t.Errorf("?%s: status %d %s, want 400 invalid", q, resp.StatusCode, resp.body)
		}
	}
	// Far past the log: the newest events.
	var page historyPage
	if resp := facC.get(t, "/api/exercises/"+ex.ID+"/events?before=18446744073709551615", &page); resp.StatusCode != http.StatusOK || len(page.Events) == 0 || page.Next != 0 {
		t.Errorf("before the largest seq: status %d, %d events, next %d; want the log", resp.StatusCode, len(page.Events), page.Next)
	}
	// Another exercise's session, and none.
	other := mustCreate(t, srv)
	if resp := facC.get(t, "/api/exercises/"+other.ID+"/events?before=5", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another exercise's history: status %d, want 403", resp.StatusCode)
	}
	if resp := newClient(t, srv).get(t, "/api/exercises/"+ex.ID+"/events?before=5", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no session: status %d, want 401", resp.StatusCode)
	}
}

// TestHistoryBudgetPerSession checks that one session's history requests
// are held to a budget on the server's clock (40 at once, 20 a second):
// past it, 429 with Retry-After and nothing read, while another session of
// the same exercise still reads; the budget refills with time.
func TestHistoryBudgetPerSession(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := mustServerWith(t, clockConfig(clock))
	ex := mustCreate(t, srv, co)
	facC := join(t, srv, ex.Codes.Facilitator, "Fran")
	obsC := join(t, srv, ex.Codes.Observer, "Oz")
	path := "/api/exercises/" + ex.ID + "/events?before=18446744073709551615&limit=1"
	for i := range 40 {
		if resp := facC.get(t, path, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d of the burst: status %d %s, want 200", i+1, resp.StatusCode, resp.body)
		}
	}
	resp := facC.get(t, path, nil)
	expectStatus(t, resp, http.StatusTooManyRequests, "too_many_requests")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("a refused history request without Retry-After")
	}
	if resp := obsC.get(t, path, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("another session: status %d %s, want 200", resp.StatusCode, resp.body)
	}
	clock.Advance(time.Second)
	for i := range 20 {
		if resp := facC.get(t, path, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d a second later: status %d %s, want 200", i+1, resp.StatusCode, resp.body)
		}
	}
	expectStatus(t, facC.get(t, path, nil), http.StatusTooManyRequests, "too_many_requests")
}

// TestHistoryBudgetPerAddress checks that joining again does not multiply
// the history budget: the sessions of one client address share 400 at once
// (200 a second), then are refused whichever session asks.
func TestHistoryBudgetPerAddress(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := mustServerWith(t, clockConfig(clock))
	ex := mustCreate(t, srv, co)
	path := "/api/exercises/" + ex.ID + "/events?before=18446744073709551615&limit=1"
	for s := range 10 {
		c := join(t, srv, ex.Codes.Observer, fmt.Sprintf("Oz %d", s))
		for i := range 40 {
			if resp := c.get(t, path, nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("session %d, request %d: status %d %s, want 200", s+1, i+1, resp.StatusCode, resp.body)
			}
		}
	}
	fresh := join(t, srv, ex.Codes.Facilitator, "Fran")
	expectStatus(t, fresh.get(t, path, nil), http.StatusTooManyRequests, "too_many_requests")
	clock.Advance(time.Second)
	if resp := fresh.get(t, path, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a second later: status %d %s, want 200", resp.StatusCode, resp.body)
	}
}
