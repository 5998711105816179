package loadtest_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"cmesim/internal/loadtest"
	"cmesim/store/sqlite"
	"cmesim/web"
)

// TestRunMessages checks that with MessageEvery the trainees message other
// teams, every message is accepted, and the trainees of the addressed
// teams receive them (the sender's own team is not counted).
func TestRunMessages(t *testing.T) {
	cfg := shortConfig(mustServer(t))
	cfg.MessageEvery = time.Second
	rep, err := loadtest.Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	c := rep.Counts
	if c.TeamMessagesSent < int64(cfg.Trainees) {
		t.Fatalf("messages sent = %d, want at least one per trainee (%d)", c.TeamMessagesSent, cfg.Trainees)
	}
	if c.ErrorsTotal != 0 {
		t.Fatalf("errors: %v", c.Errors)
	}
	// Each message reaches 1–3 teams of 4 trainees; some sent near the end
	// may arrive after the window.
	if c.TeamMessagesReceived < c.TeamMessagesSent || c.TeamMessagesReceived > 12*c.TeamMessagesSent {
		t.Fatalf("messages received = %d for %d sent, want 4 to 12 per message", c.TeamMessagesReceived, c.TeamMessagesSent)
	}
	if rep.MessageDelivery.Count != c.TeamMessagesReceived || rep.MessageDelivery.P50 <= 0 {
		t.Fatalf("message delivery stats %+v for %d receptions", rep.MessageDelivery, c.TeamMessagesReceived)
	}
	if rep.Settings.MessageEvery != "1s" {
		t.Fatalf("settings: message_every %q", rep.Settings.MessageEvery)
	}
}

// BenchmarkLiveServerMessages is BenchmarkLiveServer's SQLite run with
// every trainee also sending a message to 1–3 other teams every 30 s, for
// a profile of message fan-out:
//
//	go test -run '^$' -bench LiveServerMessages -benchtime 1x -cpuprofile /tmp/cpu.out ./internal/loadtest/
func BenchmarkLiveServerMessages(b *testing.B) {
	for b.Loop() {
		db, err := sqlite.Open(filepath.Join(b.TempDir(), "cmesim.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		srv, err := web.New(web.Config{AdminKey: adminKey, Store: db})
		if err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		rep, err := loadtest.Run(b.Context(), loadtest.Config{URL: ts.URL, AdminKey: adminKey, Duration: 20 * time.Second, MessageEvery: 30 * time.Second})
		ts.Close()
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ms(rep.Delivery.P99), "delivery-p99-ms")
		b.ReportMetric(ms(rep.MessageDelivery.P99), "message-p99-ms")
		b.ReportMetric(ms(rep.RTT.P99), "rtt-p99-ms")
		if testing.Verbose() {
			fmt.Println()
			rep.WriteText(b.Output())
		}
	}
}
