package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"cmesim/engine"
)

// Quotas bound what one session and one team may send in a minute, so that
// one participant flooding actions cannot grow the log, the store and
// everyone's consoles without bound. Commands sent through a WebSocket and
// through POST /api/exercises/{id}/commands count alike. In each field, 0
// means the default (DefaultQuotas) and a negative value no quota.
type Quotas struct {
	// SessionCommands and TeamCommands are the commands (and jumps) a
	// minute of one session, and of all the sessions of one team.
	SessionCommands int
	TeamCommands    int
	// SessionText and TeamText are the bytes of free text (texts, ad-hoc
	// inject titles and bodies) a minute of one session and of one team.
	SessionText int
	TeamText    int
}

// DefaultQuotas are the quotas of a Config that sets none: far above what
// people type, far below what a script sends.
var DefaultQuotas = Quotas{SessionCommands: 120, TeamCommands: 600, SessionText: 128 << 10, TeamText: 512 << 10}

// codeQuota is the error code of a command over its session's or team's
// quota.
const codeQuota = "quota_exceeded"

// withDefaults replaces the zero fields by DefaultQuotas'.
func (q Quotas) withDefaults() Quotas {
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	return Quotas{
		SessionCommands: pick(q.SessionCommands, DefaultQuotas.SessionCommands),
		TeamCommands:    pick(q.TeamCommands, DefaultQuotas.TeamCommands),
		SessionText:     pick(q.SessionText, DefaultQuotas.SessionText),
		TeamText:        pick(q.TeamText, DefaultQuotas.TeamText),
	}
}

// quotas keeps the buckets of Quotas: commands may come in bursts of half
// a minute's worth, text in bursts of a minute's. A nil map is no quota.
type quotas struct {
	q                       Quotas
	sessionCmds, teamCmds   *limiterMap
	sessionTexts, teamTexts *limiterMap
}

func newQuotas(q Quotas) *quotas {
	q = q.withDefaults()
	perMinute := func(n, burst int) *limiterMap {
		if n < 0 {
			return nil
		}
		return newLimiterMap(rate.Limit(float64(n)/60), max(1, burst))
	}
	return &quotas{
		q:            q,
		sessionCmds:  perMinute(q.SessionCommands, q.SessionCommands/2),
		teamCmds:     perMinute(q.TeamCommands, q.TeamCommands/2),
		sessionTexts: perMinute(q.SessionText, q.SessionText),
		teamTexts:    perMinute(q.TeamText, q.TeamText),
	}
}

// take charges one message of sess (text bytes of free text) to its
// session's and team's quotas, or charges nothing and returns a
// codeQuota error saying which quota is used up, and how long to wait.
func (q *quotas) take(sess *Session, text int) (time.Duration, error) {
	type charge struct {
		l     *rate.Limiter
		n     int
		whose string
		what  string
		per   int
	}
	var charges []charge
	add := func(m *limiterMap, key string, n int, whose, what string, per int) {
		if m != nil && n > 0 {
			charges = append(charges, charge{m.get(key), n, whose, what, per})
		}
	}
	add(q.sessionCmds, sess.Token, 1, "your session", "commands", q.q.SessionCommands)
	add(q.sessionTexts, sess.Token, text, "your session", "bytes of text", q.q.SessionText)
	if sess.Role == engine.RoleTrainee && sess.Team != "" {
		teamKey := sess.Exercise + "\x00" + sess.Team
		add(q.teamCmds, teamKey, 1, "your team", "commands", q.q.TeamCommands)
		add(q.teamTexts, teamKey, text, "your team", "bytes of text", q.q.TeamText)
	}
	now := time.Now()
	taken := make([]*rate.Reservation, 0, len(charges))
	for _, c := range charges {
		r := c.l.ReserveN(now, c.n)
		if !r.OK() || r.DelayFrom(now) > 0 {
			wait := r.DelayFrom(now)
			if !r.OK() {
				wait = time.Minute
			}
			r.CancelAt(now)
			for _, t := range taken {
				t.CancelAt(now)
			}
			wait = max(wait, time.Second)
			return wait, engine.Errorf(codeQuota, "%s has sent more than %d %s in a minute; wait %d s", c.whose, c.per, c.what, int(math.Ceil(wait.Seconds())))
		}
		taken = append(taken, r)
	}
	return 0, nil
}

// textBytes is the free text a message carries.
func textBytes(msg *clientMessage) int {
	if msg.Command == nil {
		return 0
	}
	n := len(msg.Command.Text)
	for _, ind := range msg.Command.Indicators {
		n += len(ind)
	}
	if a := msg.Command.AdHoc; a != nil {
		n += len(a.Title) + len(a.Body)
	}
	return n
}

// checkQuota charges a decoded message to its sender's quotas, logging a
// refusal as a security event; it returns how long to wait with the error.
func (s *Server) checkQuota(sess *Session, client string, msg *clientMessage) (time.Duration, error) {
	wait, err := s.quotas.take(sess, textBytes(msg))
	if err != nil {
		s.security.record(secQuotaExceeded, client, fmt.Sprintf("%s (%s %s of exercise %s)", err, sess.Role, sess.Team, sess.Exercise))
	}
	return wait, err
}

// maxReportBuilds is how many reports the server builds at once; more are
// refused with 503 and Retry-After rather than held in memory together.
const maxReportBuilds = 2

// reportBuilds caps concurrent report builds and shares one build among
// the requests for the same report that arrive while it runs.
type reportBuilds struct {
	slots chan struct{}
	group singleflight.Group
}

func newReportBuilds(n int) *reportBuilds {
	return &reportBuilds{slots: make(chan struct{}, n)}
}

// errReportsBusy says every report slot is taken.
var errReportsBusy = errors.New("the server is building other reports")

// build returns the bytes build makes for key, sharing a build in progress
// for the same key, or errReportsBusy when too many other builds run.
func (b *reportBuilds) build(ctx context.Context, key string, build func() ([]byte, error)) ([]byte, error) {
	ch := b.group.DoChan(key, func() (any, error) {
		select {
		case b.slots <- struct{}{}:
		default:
			return nil, errReportsBusy
		}
		defer func() { <-b.slots }()
		return build()
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
