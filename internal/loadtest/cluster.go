package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// followTimeout bounds the wait for the other servers to follow the
// exercise the first one created.
const followTimeout = 30 * time.Second

// target is one server a run loads, and what the trainees connected to it
// measured.
type target struct {
	index  int            // in the run's servers, from 0
	base   string         // http://ip:port
	wsBase string         // ws://ip:port
	proc   *serverProcess // nil for a server the tool did not start

	trainees         int
	delivery, rtt    *Recorder
	deliveryAtSocket *Recorder // kernel receive times, where known
	n                shareCounters
	rep              ServerReport
	smp              *sampler
	cpu              float64 // CPU seconds used when the load started
}

// shareCounters are the counts of the clients of one server. Commands,
// acks and errors are the trainees'; unanswered commands, drops and
// reconnects count the facilitator's too.
type shareCounters struct {
	commands, acks, errors, unanswered atomic.Int64
	probeDeliveries, drops, reconnects atomic.Int64
}

func newTarget(index int, base *url.URL) *target {
	ws := *base
	ws.Scheme = "ws"
	if base.Scheme == "https" {
		ws.Scheme = "wss"
	}
	return &target{index: index, base: base.String(), wsBase: ws.String(),
		delivery: NewRecorder(0), rtt: NewRecorder(0), deliveryAtSocket: NewRecorder(0)}
}

// pid is the server's process id, or 0 when the tool did not start it.
func (t *target) pid() int {
	if t.proc == nil {
		return 0
	}
	return t.proc.pid()
}

// share reports the server's part of the run, in which probes recorded
// the ad-hoc injects and accepted of them reached the owner.
func (t *target) share(probes *probeBook, accepted int64) ServerShare {
	role := serverRole(t.rep.Baseline)
	if end := serverRole(t.rep.End); end != role {
		role += " → " + end
	}
	n := &t.n
	first, last := probes.spread(t.index)
	return ServerShare{
		URL: t.base, Role: role, Trainees: t.trainees,
		Delivery: t.delivery.Stats(), DeliveryFirst: first.Stats(), DeliveryLast: last.Stats(),
		DeliveryAtSocket: t.deliveryAtSocket.Stats(), RTT: t.rtt.Stats(),
		Commands: n.commands.Load(), Acks: n.acks.Load(), Errors: n.errors.Load(), Unanswered: n.unanswered.Load(),
		ProbeDeliveries: n.probeDeliveries.Load(), ProbeDeliveriesExpected: accepted * int64(t.trainees),
		Drops: n.drops.Load(), Reconnects: n.reconnects.Load(),
		Server: t.rep,
	}
}

// serverRole says what a server does with the exercise, from its metrics.
func serverRole(m ServerMetrics) string {
	switch {
	case m.running > 0:
		return "owner"
	case m.following > 0:
		return "follower"
	}
	return "neither"
}

// waitFollowers waits until every server but the first follows the
// exercise the first one created: until then, they do not know its join
// codes.
func (r *run) waitFollowers(ctx context.Context, c *http.Client) error {
	if len(r.servers) < 2 {
		return nil
	}
	start := time.Now()
	for i, t := range r.servers[1:] {
		for {
			m, err := scrape(ctx, c, t.base)
			if err == nil && m.following > 0 {
				break
			}
			if time.Since(start) > followTimeout {
				if err == nil {
					err = errors.New("cmesim_exercises_following is 0")
				}
				return fmt.Errorf("server %d does not follow the exercise %s after server 1 created it: %w", i+2, followTimeout, err)
			}
			if err := sleep(ctx, 20*time.Millisecond); err != nil {
				return err
			}
		}
	}
	r.progress("the other servers follow the exercise after %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// checkStore accepts a PostgreSQL URL. Its errors do not repeat the URL,
// which may hold a password.
func checkStore(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("--store must be a postgres:// URL, the PostgreSQL database the servers share")
	}
	return nil
}

// redactURL hides the password of a URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	return u.Redacted()
}
