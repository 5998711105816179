package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/postgres"
	"cmesim/store/postgres/pgtest"
	"cmesim/web"
)

// clusterLease is the lease of the servers of the cluster tests: short, so
// that tests of a lost owner are quick.
const clusterLease = time.Second

// clusteredServer starts a server that shares the PostgreSQL database at
// url with others; close stops it (gracefully: it releases its leases).
func clusteredServer(t *testing.T, url string) (srv *testServer, close func()) {
	t.Helper()
	return clusteredServerLease(t, url, clusterLease)
}

// clusteredServerLease is clusteredServer with a lease of its own.
func clusteredServerLease(t *testing.T, url string, lease time.Duration) (srv *testServer, close func()) {
	t.Helper()
	return clusteredServerConfig(t, url, web.Config{Cluster: &web.ClusterConfig{Lease: lease}})
}

// clusteredServerConfig is clusteredServer with a configuration of its own
// (the store, the holder and the admin key are filled in).
func clusteredServerConfig(t *testing.T, url string, cfg web.Config) (srv *testServer, close func()) {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	var handler http.Handler = http.NotFoundHandler()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	holder := store.Holder{ID: uuid.NewString(), Address: "http://" + ts.Listener.Addr().String()}
	if cfg.Cluster == nil {
		cfg.Cluster = &web.ClusterConfig{Lease: clusterLease}
	}
	cfg.AdminKey, cfg.Store, cfg.Cluster.Holder = adminKey, db, holder
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	handler = s
	ts.Start()
	var closed bool
	close = func() {
		if closed {
			return
		}
		closed = true
		ts.Close()
		s.Close()
		db.Close()
	}
	t.Cleanup(close)
	return &testServer{Server: s, URL: ts.URL}, close
}

// on returns a client with c's cookies that talks to another server.
func (c *client) on(srv *testServer) *client {
	return &client{srv: srv, jar: c.jar, http: &http.Client{Jar: c.jar, Timeout: waitTimeout}, who: c.who}
}

// eventually waits for cond, failing the test with what after waitTimeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lastEvent returns the seq of the last event w received.
func lastEvent(w *wsClient) uint64 {
	var seq uint64
	for _, m := range w.all {
		if m.isEvent("") {
			seq = max(seq, m.Seq)
		}
	}
	return seq
}

// TestCluster runs two servers on one PostgreSQL database. The exercise
// belongs to the server that created it; the other follows its log: its
// clients see the same events, their commands are forwarded and
// acknowledged, sessions work on both and signing out ends them on both.
// When the owner shuts down, the other takes the exercise over at once;
// its clients reconnect, the exercise resumes paused where it was, and
// nothing acknowledged is lost.
func TestCluster(t *testing.T) {
	url := pgtest.NewDatabase(t)
	// A lease far longer than waitTimeout: if b waited for a's lease to
	// run out after a shut down, rather than taking over at once, the
	// wait for b to run the exercise would time out.
	const lease = 10 * waitTimeout
	a, closeA := clusteredServerLease(t, url, lease)
	b, _ := clusteredServerLease(t, url, lease)

	ex := mustCreate(t, a, "co-csirt", "pe-csirt")
	eventually(t, "a running the exercise and b following it", func() bool {
		return a.metrics(t)["cmesim_exercises_running"] == 1 && b.metrics(t)["cmesim_exercises_following"] == 1
	})

	fac := join(t, a, ex.Codes.Facilitator, "Fran")
	ana := join(t, b, ex.Codes.Teams["co-csirt"], "Ana") // signs in on the follower
	fw := dial(t, fac, ex.ID, 0)
	aw := dial(t, ana, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.jump(t) // I01 reaches co-csirt
	aw.next(t, isEvent(engine.EventInjectDelivered, "I01"))

	// Ana's command goes through b to a; she has its event before the ack.
	ack := aw.mustAck(t, cmd{"type": "acknowledge", "inject": "I01"})
	gotEvent := false
	for _, m := range aw.all {
		gotEvent = gotEvent || (m.isEvent("") && m.Seq == ack.Seq)
		if m.Type == "ack" && m.ID == ack.ID && !gotEvent {
			t.Fatalf("b acknowledged seq %d before sending its event", ack.Seq)
		}
	}
	acked := fw.find(t, func(m message) bool {
		return m.isEvent(engine.EventAction) && m.Seq <= ack.Seq && m.Event.Data.Command.By.Name == "Ana"
	})
	if acked.Event.Data.Command.Type != engine.CmdAcknowledge {
		t.Fatalf("a has Ana's action %s, want her acknowledgement", acked)
	}
	aw.mustReject(t, "forbidden", cmd{"type": "pause"}) // the owner judges, as for its own clients
	expectError(t, aw.jump(t), "forbidden")

	// The same commands over HTTP, on either server.
	var reply struct{ Seq uint64 }
	resp := ana.on(a).postJSON(t, "/api/exercises/"+ex.ID+"/commands", map[string]any{"type": "command", "command": map[string]string{"type": "classify", "inject": "I01", "category": "phishing", "severity": "medium"}}, &reply)
	if resp.StatusCode != http.StatusOK || reply.Seq <= ack.Seq {
		t.Fatalf("classify over HTTP on a (Ana signed in on b): %d %s", resp.StatusCode, resp.body)
	}
	aw.event(t, reply.Seq)
	aw.find(t, func(m message) bool {
		return m.isEvent(engine.EventAction) && m.Seq > ack.Seq && m.Event.Data.Command.Type == engine.CmdClassify
	})

	// A follower's clients see the status and clock of the exercise.
	st := aw.next(t, func(m message) bool {
		return m.Type == "status" && m.Status != nil && m.Status.Status == engine.StatusRunning
	})
	if len(st.Status.Teams) != 1 || st.Status.Teams[0].ID != "co-csirt" || !strings.Contains(strings.Join(st.Status.Teams[0].Online, ","), "Ana") {
		t.Fatalf("b's status for Ana = %s", st)
	}

	// Sign out on b ends the session on a too.
	eve := join(t, b, ex.Codes.Evaluator, "Eve")
	if r := eve.on(a).get(t, "/api/session", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("b's session on a: %d %s", r.StatusCode, r.body)
	}
	eve.postJSON(t, "/api/logout", map[string]string{}, nil)
	eventually(t, "the session signed out on b to end on a", func() bool {
		return eve.on(a).get(t, "/api/session", nil).StatusCode == http.StatusUnauthorized
	})

	// a shuts down: b takes over at once, not after the lease.
	last := ack.Seq
	closeA()
	eventually(t, "b running the exercise (without waiting for a's lease to expire)", func() bool { return b.metrics(t)["cmesim_exercises_running"] == 1 })
	if err := aw.closeError(t); err == nil || !strings.Contains(err.Error(), "1012") {
		t.Errorf("Ana's connection to b closed with %v, want 1012 (service restart)", err)
	}
	fw2 := dial(t, fac.on(b), ex.ID, 0)
	aw2 := dial(t, ana, ex.ID, lastEvent(aw))
	fw2.find(t, func(m message) bool {
		return m.isEvent(engine.EventPaused) && m.Seq > last && m.Event.Data.Command.By.Name == "server"
	})
	fw2.mustAck(t, cmd{"type": "resume"})
	ack2 := aw2.mustAck(t, cmd{"type": "report", "inject": "I01", "text": "after the takeover"})

	// b's log has both of Ana's actions, once each.
	events := fw2.events(t, 1, ack2.Seq)
	var mine []string
	for _, e := range events {
		if e.Data.Command != nil && e.Data.Command.By.Name == "Ana" {
			mine = append(mine, string(e.Data.Command.Type))
		}
	}
	if got := strings.Join(mine, ","); got != "acknowledge,classify,report" {
		t.Fatalf("Ana's actions in the log: %s", got)
	}
}

// TestClusterLostLease takes the lease of a running exercise away from its
// owner behind its back, as if the owner had stalled past it and another
// server had claimed it: the owner must stop running the exercise and
// follow it instead, and its clients' commands are answered unavailable
// while the new owner does not answer. When that lease expires, a server
// takes the exercise over and play goes on from the log.
func TestClusterLostLease(t *testing.T) {
	url := pgtest.NewDatabase(t)
	a, _ := clusteredServer(t, url)
	b, _ := clusteredServer(t, url)
	ex := mustCreate(t, a, "co-csirt")
	fac := join(t, a, ex.Codes.Facilitator, "Fran")
	fw := dial(t, fac, ex.ID, 0)
	ack := fw.mustAck(t, cmd{"type": "start"})

	db := pgtest.Connect(t, url)
	pgtest.Exec(t, db, `UPDATE exercises SET lease_holder = 'intruder', lease_address = 'http://127.0.0.1:1', lease_until = now() + interval '1 hour' WHERE id = $1`, ex.ID)
	eventually(t, "a to give the exercise up", func() bool {
		m := a.metrics(t)
		return m["cmesim_exercises_running"] == 0 && m["cmesim_exercises_following"] == 1
	})
	if err := fw.closeError(t); err == nil || !strings.Contains(err.Error(), "1012") {
		t.Errorf("the facilitator's connection closed with %v, want 1012 (service restart)", err)
	}
	fw = dial(t, fac, ex.ID, ack.Seq)
	expectError(t, fw.command(t, "", cmd{"type": "note", "text": "anyone there?"}), "unavailable")

	pgtest.Exec(t, db, `UPDATE exercises SET lease_until = now() - interval '1 second' WHERE id = $1`, ex.ID)
	eventually(t, "a server to take the exercise over", func() bool {
		return a.metrics(t)["cmesim_exercises_running"]+b.metrics(t)["cmesim_exercises_running"] == 1
	})
	fw.close(t) // a now runs the exercise or follows b: either way, start afresh
	fw = dial(t, fac, ex.ID, 0)
	paused := fw.find(t, func(m message) bool { return m.isEvent(engine.EventPaused) && m.Seq > ack.Seq })
	if paused.Event.Data.Command.By.Name != "server" {
		t.Fatalf("the exercise was paused by %s, want the server that took it over", paused.Event.Data.Command.By.Name)
	}
	fw.mustAck(t, cmd{"type": "resume"})
	fw.mustAck(t, cmd{"type": "note", "text": "back"})
}

// TestClusterJoinStoredCode joins with the code of an exercise that is in
// the shared store but of which the server has not heard yet (its notice
// is late or lost): the server finds the code in the store, loads the
// exercise and signs the participant in, and the valid code does not count
// as a failed sign-in.
func TestClusterJoinStoredCode(t *testing.T) {
	url := pgtest.NewDatabase(t)
	b, _ := clusteredServer(t, url)

	// Another server wrote the exercise and has not told anyone yet.
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]any{"facilitator": "FACT-2345-6789", "evaluator": "EVAX-2345-6789", "observer": "BSRV-2345-6789",
		"teams": map[string]string{"co-csirt": "TEAM-CCCC-2345", "pe-csirt": "TEAM-PPPP-2345"}}
	codesJSON, _ := json.Marshal(codes)
	id := uuid.NewString()
	if err := db.CreateExercise(context.Background(), &store.Exercise{ID: id, Created: time.Now(), Scenario: "example", Source: src, Seed: 1, Humans: []string{"co-csirt"}, Speed: 1, Codes: codesJSON}); err != nil {
		t.Fatal(err)
	}

	before := b.metrics(t)["cmesim_join_failures_total"]
	ana := join(t, b, "team cccc 2345", "Ana") // case and dashes do not matter here either
	if ana.who.Exercise != id || ana.who.Team != "co-csirt" {
		t.Fatalf("joined %+v, want team co-csirt of %s", ana.who, id)
	}
	if got := b.metrics(t)["cmesim_join_failures_total"]; got != before {
		t.Errorf("failed joins went from %v to %v for a valid code", before, got)
	}
	aw := dial(t, ana, id, 0)
	aw.next(t, isType("status"))

	// A code that is in no exercise still fails, and counts.
	resp := newClient(t, b).postJSON(t, "/api/join", map[string]string{"code": "ZZZZ-ZZZZ-ZZZZ", "name": "Mallory"}, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown code: %d %s", resp.StatusCode, resp.body)
	}
	if got := b.metrics(t)["cmesim_join_failures_total"]; got != before+1 {
		t.Errorf("failed joins = %v after one wrong code, want %v", got, before+1)
	}
}
