package web

import (
	"fmt"
	"slices"
	"testing"

	"cmesim/engine"
)

// queueOnly returns a connection of sess with a queue of queueLen
// messages and no writer: the test reads the queue itself.
func queueOnly(sess *Session, queueLen int) *conn {
	c := &conn{sess: sess, send: make(chan *outgoing, queueLen)}
	c.wakes.Store(1) // as if a writer were running: wake starts none
	return c
}

// TestRecipients checks that the fan-out visits, for each audience, every
// subscriber that may see the event, once, and only the staff and the
// teams named unless the event is for everyone; and that a subscriber that
// leaves is no longer visited.
func TestRecipients(t *testing.T) {
	f := newFanout(nil, &metrics{}, 0)
	sub := func(role engine.Role, team string) *conn {
		c := &conn{sess: &Session{Role: role, Team: team}}
		f.addSub(c)
		return c
	}
	fac, obs := sub(engine.RoleFacilitator, ""), sub(engine.RoleObserver, "")
	a1, a2, b1 := sub(engine.RoleTrainee, "a"), sub(engine.RoleTrainee, "a"), sub(engine.RoleTrainee, "b")
	c1 := sub(engine.RoleTrainee, "c")
	all := []*conn{fac, obs, a1, a2, b1, c1}
	visited := func(audience []string) []*conn {
		var out []*conn
		for c := range f.recipients(audience) {
			out = append(out, c)
		}
		return out
	}
	same := func(got, want []*conn) bool {
		return len(got) == len(want) && !slices.ContainsFunc(want, func(c *conn) bool { return !slices.Contains(got, c) })
	}
	cases := []struct {
		name     string
		audience []string
		want     []*conn
	}{
		{"staff only", nil, []*conn{fac, obs}},
		{"one team", []string{"a"}, []*conn{fac, obs, a1, a2}},
		{"two teams, one twice", []string{"b", "a", "b"}, []*conn{fac, obs, a1, a2, b1}},
		{"a team nobody watches", []string{"z"}, []*conn{fac, obs}},
		{"everyone", []string{engine.Everyone}, all},
	}
	for _, tc := range cases {
		if got := visited(tc.audience); !same(got, tc.want) {
			t.Errorf("%s: visited %d connections, want %d", tc.name, len(got), len(tc.want))
		}
		// Every subscriber maySee lets through is visited.
		got := visited(tc.audience)
		for _, c := range all {
			if c.maySee(tc.audience) && !slices.Contains(got, c) {
				t.Errorf("%s: a %s of team %q may see it but is not visited", tc.name, c.sess.Role, c.sess.Team)
			}
		}
	}
	f.removeSub(a1)
	if got := visited([]string{"a"}); !same(got, []*conn{fac, obs, a2}) {
		t.Errorf("after a1 left: visited %d connections, want 3", len(got))
	}
	f.removeSub(a2)
	if _, ok := f.byAudience["a"]; ok {
		t.Error("team a's empty set is kept after its last subscriber left")
	}
}

// BenchmarkFanoutDeliver measures the fan-out's own work for an inject to
// everyone: one event added and delivered to n trainees in 60 teams, each
// connection's queue then drained as its writer would. No sockets: this is
// the part of a delivery that is cmesim's code (docs/performance.md). The
// reported allocations are per inject, whatever n is.
//
//	go test -run '^$' -bench FanoutDeliver -benchmem ./web/
func BenchmarkFanoutDeliver(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("trainees=%d", n), func(b *testing.B) {
			f := newFanout(nil, &metrics{}, CoalesceWindow)
			conns := make([]*conn, n)
			f.mu.Lock()
			for i := range conns {
				conns[i] = queueOnly(&Session{Role: engine.RoleTrainee, Team: fmt.Sprintf("team-%02d", i%60)}, 1)
				f.addSub(conns[i])
			}
			f.mu.Unlock()
			inject := jsonOf("inject.delivered", 1000)
			b.ReportAllocs()
			for b.Loop() {
				f.add(inject, []string{engine.Everyone}, eventVariant{})
				f.deliver(uint64(len(f.events.encoded)))
				for _, c := range conns {
					if m := <-c.send; len(m.data) != len(inject) {
						b.Fatalf("a trainee was queued %d bytes, want the inject's %d", len(m.data), len(inject))
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
		})
	}
}

// TestStaffFallFurtherBehind: a connection that reads nothing is dropped
// when its queue is full, a trainee's after 256 messages; a staff
// connection, which receives every team's events, after
// DefaultStaffSendQueue (or Config.StaffSendQueue), and each drop is
// counted.
func TestStaffFallFurtherBehind(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want int
	}{
		{"Default", Config{}, DefaultStaffSendQueue},
		{"Configured", Config{StaffSendQueue: 300}, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{cfg: tc.cfg}
			m := &metrics{}
			f := newFanout(nil, m, 0)
			staff := &Session{Role: engine.RoleFacilitator}
			trainee := &Session{Role: engine.RoleTrainee, Team: "a"}
			fac, tr := queueOnly(staff, s.queueLen(staff)), queueOnly(trainee, s.queueLen(trainee))
			f.mu.Lock()
			f.addSub(fac)
			f.addSub(tr)
			f.mu.Unlock()
			subscribed := func(c *conn) bool {
				f.mu.Lock()
				defer f.mu.Unlock()
				_, ok := f.subs[c]
				return ok
			}
			publish := func(n int) {
				for range n {
					f.add([]byte(`{"type":"event"}`), []string{engine.Everyone}, eventVariant{})
				}
				f.deliver(uint64(len(f.events.encoded)))
			}
			publish(sendQueueLen)
			if !subscribed(tr) || !subscribed(fac) {
				t.Fatalf("after %d messages: trainee subscribed %v, staff %v; want both", sendQueueLen, subscribed(tr), subscribed(fac))
			}
			publish(1)
			if subscribed(tr) {
				t.Errorf("the trainee is still subscribed %d messages behind", sendQueueLen+1)
			}
			publish(tc.want - sendQueueLen - 1)
			if !subscribed(fac) {
				t.Fatalf("the staff connection was dropped %d messages behind, want it kept up to %d", tc.want, tc.want)
			}
			publish(1)
			if subscribed(fac) {
				t.Errorf("the staff connection is still subscribed %d messages behind", tc.want+1)
			}
			if got := m.drops.Load(); got != 2 {
				t.Errorf("drops=%d, want 2", got)
			}
		})
	}
}

// TestHistoryLooksAtABoundedNumberOfEvents checks that a history call
// holding the fan-out's lock looks at no more than historyScan events, and
// that following its next seqs still finds every event of a team that
// owns one event in ten thousand, newest first, and only delivered ones.
func TestHistoryLooksAtABoundedNumberOfEvents(t *testing.T) {
	f := newFanout(nil, &metrics{}, 0)
	const n = 3*historyScan + 123
	var want []uint64
	for seq := uint64(1); seq <= n; seq++ {
		audience := []string{"b"}
		if seq%10_000 == 7 {
			audience = []string{"a"}
			want = append(want, seq)
		}
		f.add([]byte(fmt.Sprintf(`{"seq":%d}`, seq)), audience, eventVariant{})
	}
	f.add([]byte(`{"seq":"not durable yet"}`), []string{"a"}, eventVariant{})
	f.restored(n)
	slices.Reverse(want)

	ana := &Session{Role: engine.RoleTrainee, Team: "a"}
	var got []uint64
	calls := 0
	for before := uint64(n + 2); before != 0; calls++ {
		page, next := f.history(ana, before, 2)
		if len(page) > 2 || (next != 0 && before-next > historyScan) {
			t.Fatalf("before %d: %d events, next %d: more than the limit or the scan", before, len(page), next)
		}
		for _, b := range page {
			var seq uint64
			if _, err := fmt.Sscanf(string(b), `{"seq":%d}`, &seq); err != nil {
				t.Fatalf("before %d: %s", before, b)
			}
			got = append(got, seq)
		}
		before = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the pages held %v, want %v", got, want)
	}
	if calls < n/historyScan {
		t.Errorf("%d calls for %d events: the scan is not bounded", calls, n)
	}
	// Staff get every delivered event; a page of 3 right below seq 10.
	page, next := f.history(&Session{Role: engine.RoleFacilitator}, 10, 3)
	if len(page) != 3 || string(page[0]) != `{"seq":9}` || next != 7 {
		t.Errorf("staff before 10: %q, next %d; want seqs 9, 8, 7 and next 7", page, next)
	}
}

// BenchmarkHistory measures one history call, the time it holds the
// fan-out's lock: a staff page of 1,000 events, and a trainee's call that
// looks at historyScan events to find one in sixty.
func BenchmarkHistory(b *testing.B) {
	f := newFanout(nil, &metrics{}, 0)
	const n = 100_000
	for seq := range n {
		team := fmt.Sprintf("t%d", seq%60)
		f.add([]byte(`{"type":"event"}`), []string{team}, eventVariant{})
	}
	f.restored(n)
	for _, c := range []struct {
		name string
		sess *Session
	}{
		{"staff", &Session{Role: engine.RoleFacilitator}},
		{"trainee", &Session{Role: engine.RoleTrainee, Team: "t7"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if page, _ := f.history(c.sess, n+1, 1000); len(page) == 0 {
					b.Fatal("an empty page")
				}
			}
		})
	}
}

// TestHistoryWhileEventsCome reads history while events are added and
// delivered (run with -race): history looks at a copy of the records, not
// under the fan-out's lock, which is safe only because they are only ever
// appended to.
func TestHistoryWhileEventsCome(t *testing.T) {
	f := newFanout(nil, &metrics{}, 0)
	const n = 20_000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for seq := uint64(1); seq <= n; seq++ {
			f.add([]byte(fmt.Sprintf(`{"seq":%d}`, seq)), []string{"a"}, eventVariant{})
			f.restored(seq)
		}
	}()
	ana := &Session{Role: engine.RoleTrainee, Team: "a"}
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		page, _ := f.history(ana, n+1, 50)
		for i := 1; i < len(page); i++ {
			var a, b uint64
			fmt.Sscanf(string(page[i-1]), `{"seq":%d}`, &a)
			fmt.Sscanf(string(page[i]), `{"seq":%d}`, &b)
			if b != a-1 {
				t.Fatalf("a page while events come holds %d after %d", b, a)
			}
		}
	}
}
