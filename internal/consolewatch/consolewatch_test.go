package consolewatch_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"cmesim/internal/browser"
	"cmesim/internal/consolewatch"
	"cmesim/web"
)

const adminKey = "consolewatch-admin-key-0123456789"

// TestWatchSamplesAConsole opens the facilitator's and a trainee's
// console of a new exercise and samples each until its timeline shows an
// event over a live socket.
func TestWatchSamplesAConsole(t *testing.T) {
	for _, c := range []struct{ role, page string }{
		{"facilitator", "/facilitator.html"},
		{"trainee", "/trainee.html"},
	} {
		t.Run(c.role, func(t *testing.T) { watchOnce(t, c.role, c.page) })
	}
}

func watchOnce(t *testing.T, role, page string) {
	chromium := browser.Require(t)
	srv, err := web.New(web.Config{AdminKey: adminKey})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	// Started in a second: a trainee's timeline shows nothing before.
	start := time.Now().Add(time.Second)
	info, err := srv.CreateExercise(web.CreateRequest{Scenario: "grid-ransomware", StartAt: &start})
	if err != nil {
		t.Fatal(err)
	}
	// Long enough for a loaded machine; the watch stops at the first live sample.
	const patience = 2 * time.Minute
	ctx, stop := context.WithTimeout(context.Background(), patience)
	defer stop()
	rep, err := consolewatch.Watch(ctx, consolewatch.Options{
		URL: ts.URL, AdminKey: adminKey, Role: role, Duration: patience, Every: 100 * time.Millisecond, Chromium: chromium,
		Sampled: func(s consolewatch.Sample) {
			if s.State == "online" && s.Newest > 0 {
				stop() // seen live: enough
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Exercise != info.ID || rep.Role != role {
		t.Errorf("watched the %s console of %s, want the %s's of %s", rep.Role, rep.Exercise, role, info.ID)
	}
	last := rep.Samples[len(rep.Samples)-1]
	if last.State != "online" || last.Path != page || last.Newest == 0 || last.Entries == 0 || last.Err != "" {
		t.Fatalf("last sample %+v, want %s online with the exercise's events", last, page)
	}
	if s := rep.Summary(); s.Samples != len(rep.Samples) || s.Newest != last.Newest || s.Answer <= 0 {
		t.Errorf("summary %+v of %d samples ending at event %d", s, len(rep.Samples), last.Newest)
	}
}

func TestSummary(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	rep := &consolewatch.Report{Samples: []consolewatch.Sample{
		{Answer: ms(30), State: "online", Newest: 5},
		{Answer: ms(10), State: "connecting"},
		{Answer: ms(50), State: "online", Newest: 9},
		{Answer: ms(60000), Err: "context deadline exceeded"},
		{Answer: ms(20), State: "online", Newest: 7},
		{Answer: ms(40), State: "online", Newest: 8},
	}}
	want := consolewatch.Summary{Samples: 6, AnswerP50: ms(30), AnswerP90: ms(40), Answer: ms(50), NotOnline: 1, Failed: 1, Newest: 9}
	if got := rep.Summary(); got != want {
		t.Errorf("Summary()=%+v, want %+v", got, want)
	}
}
