package web_test

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"cmesim/engine"
)

const wallYAML = "../testdata/scenarios/e2e/wall.yaml"

// wallOfMessage decodes the wall post of a delivered inject message.
func wallOfMessage(tb testing.TB, m message) map[string]any {
	tb.Helper()
	var v struct {
		Inject struct {
			Wall map[string]any `json:"wall"`
		} `json:"inject"`
	}
	if err := json.Unmarshal(m.raw, &v); err != nil {
		tb.Fatal(err)
	}
	return v.Inject.Wall
}

// TestWallPosts: scenario wall posts reach their teams with outlet,
// author and figures; a facilitator posts live through the HTTP command
// endpoint (the same pipeline as the WebSocket) to Colombia's team, and
// Peru's trainee never receives Colombia's posts; a trainee cannot post.
func TestWallPosts(t *testing.T) {
	srv := mustServer(t)
	src, err := os.ReadFile(wallYAML)
	if err != nil {
		t.Fatal(err)
	}
	admin := mustAdmin(t, srv)
	var ex created
	if r := admin.postJSON(t, "/api/exercises", map[string]any{"yaml": string(src), "humans": []string{"co-csirt", "pe-csirt"}}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	facC := join(t, srv, ex.Codes.Facilitator, "Fran")
	fac := dial(t, facC, ex.ID, 0)
	coC := join(t, srv, ex.Codes.Teams["co-csirt"], "Ana")
	co := dial(t, coC, ex.ID, 0)
	peC := join(t, srv, ex.Codes.Teams["pe-csirt"], "Pedro")
	pe := dial(t, peC, ex.ID, 0)
	post := func(c *client, command cmd) (*response, uint64) {
		var reply struct{ Seq uint64 }
		r := c.postJSON(t, "/api/exercises/"+ex.ID+"/commands", map[string]any{"type": "command", "command": command}, &reply)
		return r, reply.Seq
	}

	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t) // W01 at 0:05
	w01 := co.next(t, isEvent(engine.EventInjectDelivered, "W01"))
	if got := wallOfMessage(t, w01); got["outlet"] != "La Crónica Andina" || got["author"] != "Redacción Tecnología" || got["reach"] != 85000.0 || got["engagement"] != 1200.0 {
		t.Errorf("W01's wall post = %v", got)
	}

	live := cmd{"type": "send_inject", "adhoc": map[string]any{
		"title": "Minister: no blackout is planned", "body": "The minister of energy rules out cuts.",
		"channel": "social", "from": "cronica", "to": []string{"co-csirt"},
		"wall": map[string]any{"outlet": "Radio Nacional", "author": "@minenergia", "reach": 120000, "engagement": 5300},
	}}
	if r, _ := post(facC, live); r.StatusCode != http.StatusOK {
		t.Fatalf("facilitator's post: %d %s", r.StatusCode, r.body)
	}
	got := co.next(t, isEvent(engine.EventInjectDelivered, "adhoc-1"))
	if w := wallOfMessage(t, got); w["outlet"] != "Radio Nacional" || w["author"] != "@minenergia" || w["reach"] != 120000.0 || w["engagement"] != 5300.0 {
		t.Errorf("the live post on colCERT's wall = %v", w)
	}
	if got.Inject == nil || got.Inject.Channel != "social_media" {
		t.Errorf("the live post's channel = %+v, want social_media", got.Inject)
	}

	if r, _ := post(coC, live); r.StatusCode != http.StatusForbidden {
		t.Errorf("a trainee's post: status %d, want 403: %s", r.StatusCode, r.body)
	}
	bad := cmd{"type": "send_inject", "adhoc": map[string]any{"title": "x", "body": "y", "channel": "email", "from": "cronica", "to": []string{"all"}, "wall": map[string]any{"outlet": "Radio"}}}
	if r, _ := post(facC, bad); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a wall post on e-mail: status %d, want 400: %s", r.StatusCode, r.body)
	}

	// Peru's post comes after Colombia's: once PeCERT has it, it would
	// have had Colombia's.
	peru := cmd{"type": "send_inject", "adhoc": map[string]any{"title": "Lima calm", "body": "Nothing to report.", "channel": "news", "from": "andina", "to": []string{"pe-csirt"}}}
	if r, _ := post(facC, peru); r.StatusCode != http.StatusOK {
		t.Fatalf("post to Peru: %d %s", r.StatusCode, r.body)
	}
	if w := wallOfMessage(t, pe.next(t, isEvent(engine.EventInjectDelivered, "adhoc-2"))); w == nil {
		t.Error("a news post without wall fields has no wall view")
	}
	for _, m := range pe.all {
		if m.isEvent(engine.EventInjectDelivered) && m.Event.Team != "pe-csirt" {
			t.Errorf("PeCERT received another team's delivery: %s", m)
		}
		if m.isEvent(engine.EventInjectSent) {
			t.Errorf("PeCERT received the staff record of a post: %s", m)
		}
	}
}
