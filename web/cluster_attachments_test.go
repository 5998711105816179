package web_test

import (
	"net/http"
	"os"
	"testing"

	"cmesim/engine"
	"cmesim/store/postgres/pgtest"
)

// TestClusterAttachment runs two servers on one PostgreSQL database: the
// server that follows an exercise another one created serves its attached
// files, which it has only from the database.
func TestClusterAttachment(t *testing.T) {
	url := pgtest.NewDatabase(t)
	a, _ := clusteredServer(t, url)
	b, _ := clusteredServer(t, url)
	var ex created
	if r := mustAdmin(t, a).postJSON(t, "/api/exercises", map[string]any{"scenario": "telecom-supply-chain", "humans": []string{"br-telecom"}}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	eventually(t, "b following the exercise", func() bool { return b.metrics(t)["cmesim_exercises_following"] == 1 })
	fac := join(t, a, ex.Codes.Facilitator, "")
	bia := join(t, b, ex.Codes.Teams["br-telecom"], "Bia") // on the follower
	fw, bw := dial(t, fac, ex.ID, 0), dial(t, bia, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})
	fw.jump(t)
	bw.next(t, isEvent(engine.EventInjectDelivered, "T01"))
	r := bia.get(t, "/api/exercises/"+ex.ID+"/injects/T01/attachments/2", nil)
	expectStatus(t, r, http.StatusOK, "")
	want, _ := os.ReadFile("../scenarios/attachments/telecom/nms-push-alert.png")
	if string(r.body) != string(want) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the follower served %d bytes of %q, want the PNG's %d", len(r.body), r.Header.Get("Content-Type"), len(want))
	}
}
