package loadtest_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"cmesim/internal/loadtest"
	"cmesim/web"
)

// TestFlood: in flood mode, after a reference phase one trainee opens many
// WebSockets on its session and floods long reports; the server keeps
// DefaultMaxSocketsPerSession of them and refuses the rest with 4029,
// accepts no more text than the session's quota, and every other
// trainee's command is still acknowledged. The report compares the other
// teams' latency in the two phases.
func TestFlood(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("Run", func(t *testing.T) { checkFlood(t) })
	checkNoLeaks(t, before) // the server has stopped too
}

// checkFlood runs a short flood against an in-process server and checks
// its report.
func checkFlood(t *testing.T) {
	cfg := shortConfig(mustServer(t))
	cfg.Duration = 2 * time.Second
	cfg.Flood = 20
	rep, err := loadtest.Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	f := rep.Flood
	if rep.Mode != "flood" || f == nil {
		t.Fatalf("mode %q, flood report %v", rep.Mode, f)
	}
	if f.Opened != web.DefaultMaxSocketsPerSession || f.Refused != int64(cfg.Flood-web.DefaultMaxSocketsPerSession) || f.Dropped != 0 || f.Failed != 0 {
		t.Errorf("flood sockets: %d opened, %d refused, %d dropped, %d failed; want %d opened and the other %d refused",
			f.Opened, f.Refused, f.Dropped, f.Failed, web.DefaultMaxSocketsPerSession, cfg.Flood-web.DefaultMaxSocketsPerSession)
	}
	if f.TextBytes != loadtest.DefaultFloodText || f.Acked < 1 || f.Errors["quota_exceeded"] < 1 || f.Sent < f.Acked+f.Errors["quota_exceeded"] {
		t.Errorf("flood: %d bytes a report, %d sent, %d accepted, refused %v; want some accepted and then quota_exceeded", f.TextBytes, f.Sent, f.Acked, f.Errors)
	}
	// At most the session's minute of text, and what it earns back while
	// the run lasts, plus one report.
	quota := float64(web.DefaultQuotas.SessionText)
	if limit := int64(quota+quota*rep.WindowSeconds/60) + int64(f.TextBytes); f.AcceptedTextBytes > limit {
		t.Errorf("the server accepted %d bytes of flooding text, more than the session's quota allows (%d)", f.AcceptedTextBytes, limit)
	}
	if f.FloodEvents < f.Acked || f.ReferenceEvents < 1 || f.RSSBytes[0] <= 0 || f.RSSBytes[2] <= 0 {
		t.Errorf("server: %d events before, %d during (%d flooding reports accepted); RSS %v", f.ReferenceEvents, f.FloodEvents, f.Acked, f.RSSBytes)
	}
	for _, st := range []struct {
		name string
		s    loadtest.Stats
	}{{"reference RTT", f.ReferenceRTT}, {"flood RTT", f.FloodRTT}, {"reference delivery", f.ReferenceDelivery}, {"flood delivery", f.FloodDelivery}} {
		if st.s.Count == 0 || st.s.P99 <= 0 {
			t.Errorf("%s: %+v, want samples", st.name, st.s)
		}
	}
	if f.RTTRatioP99 <= 0 || f.DeliveryRatioP99 <= 0 {
		t.Errorf("ratios %v %v, want both", f.RTTRatioP99, f.DeliveryRatioP99)
	}
	// The other trainees (the flooder's teammates too) were not refused.
	if c := rep.Counts; c.ErrorsTotal != 0 || c.Acks != c.Commands || c.Drops != 0 {
		t.Errorf("trainees: %d commands, %d acked, errors %v, %d drops; want every command acknowledged", c.Commands, c.Acks, c.Errors, c.Drops)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"flooding report actions", "refused (4029)", "command round trip, during", "during / before"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report lacks %q:\n%s", want, text.String())
		}
	}
	if v := rep.Check(loadtest.Gates{MaxRTTP99: time.Nanosecond, MaxDrops: -1}); len(v) != 2 || !strings.Contains(v[1], "during the flood") {
		t.Errorf("violations %v, want the round trip overall and during the flood", v)
	}
	t.Logf("\n%s", text.String())
}
