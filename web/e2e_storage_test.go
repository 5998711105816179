package web_test

import (
	"fmt"
	"os"
	"testing"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/store"
	"cmesim/web"
)

// TestE2ENotStored has a Spanish-speaking trainee acknowledge an inject
// as the exercise's disk fills up: the action is applied but cannot be
// stored, and the console says so in Spanish and does not send it again;
// once the disk has room, the acknowledgement is in the stored log once
// and the console shows it done.
func TestE2ENotStored(t *testing.T) {
	srv, faulty, db := faultyServer(t)
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	info, err := srv.CreateExercise(web.CreateRequest{YAML: string(src), Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	people := openFirstInject(t, srv.URL, info, "es")
	fac, ana := people[0], people[1]

	faulty.FailWrites(fmt.Errorf("disk full: %w", store.ErrNoSpace))
	ack := `#inject-detail [data-action="acknowledge"]`
	ana.click(ack)
	want := i18n.T(i18n.Spanish, "error.not_stored")
	ana.waitJS("the not-stored answer, in Spanish", `document.querySelector(`+js(ack)+`).dataset.state === 'error'`+
		` && !document.querySelector('#action-error').hidden && document.querySelector('#action-error').textContent.includes(`+js(want)+`)`)
	shots := shotsDir(t)
	ana.checkAxe("an action applied but not stored")
	for _, size := range [][2]int64{{deskW, deskH}, {phoneW, phoneH}} {
		ana.shootAt(shots, fmt.Sprintf("not-stored-es-trainee-%dx%d", size[0], size[1]), "#inject-detail", size[0], size[1])
		ana.noHorizontalScroll(size[0], size[1])
	}

	faulty.Heal()
	ana.waitJS("the acknowledgement, stored, in the console", `document.querySelector(`+js(ack)+`).dataset.done === 'true'`)
	// A barrier: the facilitator's pause is stored after anything the
	// console could have sent again before it.
	fac.waitJS("the pause button", `!document.querySelector('#btn-pause').disabled`)
	fac.click("#btn-pause")
	ana.waitEvent(string(engine.EventPaused))
	acks := 0
	for _, e := range storedLog(t, db, info.ID) {
		if e.Type == engine.EventAction && e.Team == "co-csirt" && e.Data.Action == "acknowledge" && e.Data.Inject == "I01" {
			acks++
		}
	}
	if acks != 1 {
		t.Fatalf("the stored log has %d acknowledgements of I01 by co-csirt, want 1", acks)
	}
	for _, p := range people {
		p.checkProblems()
	}
}
