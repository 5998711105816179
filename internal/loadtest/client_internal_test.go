package loadtest

import (
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestPeekDelivery(t *testing.T) {
	for _, tc := range []struct {
		name      string
		msg       string
		ok        bool
		seq       uint64
		id, title string
	}{
		{"OK", `{"type":"event","seq":42,"at":5,"event":{"seq":42,"at":5,"type":"inject.delivered","actor":"system","team":"csirt-001","audience":["csirt-001"],"data":{"inject":"adhoc-3","cause":"facilitator"}},"inject":{"id":"adhoc-3","title":"Load probe 3","body":"x"}}`,
			true, 42, "adhoc-3", "Load probe 3"},
		{"Escaped", `{"type":"event","seq":7,"at":5,"event":{"type":"inject.delivered"},"inject":{"id":"I01","title":"A \"quoted\" title"}}`, false, 0, "", ""},
		{"OtherEvent", `{"type":"event","seq":8,"at":5,"event":{"type":"team.action","data":{"inject":"I01"}}}`, false, 0, "", ""},
		{"Status", `{"type":"status","seq":8}`, false, 0, "", ""},
		{"NoInjectObject", `{"type":"event","seq":9,"at":5,"event":{"type":"inject.delivered","data":{"inject":"I01"}}}`, false, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seq, id, title, ok := peekDelivery([]byte(tc.msg))
			if ok != tc.ok || seq != tc.seq || id != tc.id || title != tc.title {
				t.Fatalf("peekDelivery=(%d, %q, %q, %v), want (%d, %q, %q, %v)", seq, id, title, ok, tc.seq, tc.id, tc.title, tc.ok)
			}
		})
	}
}

func TestGiveUpCountsWhatIsStillUnanswered(t *testing.T) {
	r := &run{}
	srv := &target{}
	waiting := make(chan answer, 1)
	quiet := newWSClient(r, srv, &participant{}, true)
	busy := newWSClient(r, srv, &participant{}, true)
	busy.pending["c1"] = pending{sent: time.Now()}
	busy.pending["c2"] = pending{sent: time.Now(), done: waiting}
	giveUp([]*wsClient{quiet, busy})
	if got := r.n.unanswered.Load(); got != 2 {
		t.Errorf("unanswered=%d, want the 2 commands still pending", got)
	}
	if got := srv.n.unanswered.Load(); got != 2 {
		t.Errorf("the server's unanswered=%d, want 2", got)
	}
	if busy.outstanding() != 0 {
		t.Errorf("%d commands still pending after giveUp", busy.outstanding())
	}
	select {
	case a := <-waiting:
		if a.ok || a.code != "lost" {
			t.Errorf("the waiting caller got %+v, want a lost answer", a)
		}
	default:
		t.Error("the caller waiting for c2 got no answer")
	}
}

// A probe whose answer was lost with its connection may still have been
// applied; once a trainee has it, every trainee must, and a trainee that
// lacks it is a missing delivery, not a probe left out of the count.
func TestProbeWithoutAnswerCountsOnceReceived(t *testing.T) {
	var b probeBook
	start := time.Now()
	for k := 1; k <= 4; k++ {
		b.sending(k, start)
	}
	b.received(1, 0, start.Add(10*time.Millisecond), time.Time{}) // acknowledged
	b.refused(2)
	b.unanswered(3)
	b.received(3, 0, start.Add(30*time.Millisecond), time.Time{}) // applied, its answer lost
	b.unanswered(4)                                               // never applied, or never seen
	if got := b.accepted(); got != 2 {
		t.Errorf("accepted()=%d, want 2: the acknowledged probe and the unanswered one a trainee received", got)
	}
	first, _ := b.spread(allServers)
	if got := first.Stats().Count; got != 2 {
		t.Errorf("spread counts %d probes, want 2", got)
	}
	b.received(4, 0, start.Add(40*time.Millisecond), time.Time{})
	if got := b.accepted(); got != 3 {
		t.Errorf("accepted()=%d after probe 4 reached a trainee, want 3", got)
	}
}

func TestDroppedCountsTheFacilitatorApart(t *testing.T) {
	r := &run{}
	tooSlow := &websocket.CloseError{Code: websocket.CloseTryAgainLater}
	r.dropped(tooSlow, false)
	r.dropped(tooSlow, true)
	r.dropped(errors.New("connection reset"), true)
	if got := r.n.facilitatorDrops.Load(); got != 1 {
		t.Errorf("facilitator drops=%d, want 1", got)
	}
	if slow, other := r.n.dropsTooSlow.Load(), r.n.dropsError.Load(); slow != 2 || other != 1 {
		t.Errorf("too slow %d, errors %d; want 2 and 1", slow, other)
	}
}
