package web

import (
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Kinds of security event, as logged in the "event" field.
const (
	secSignInFailed    = "signin_failed"        // a wrong join code
	secAdminKeyWrong   = "admin_key_wrong"      // a wrong admin key
	secOriginRejected  = "origin_rejected"      // a cross-origin or non-JSON state change
	secRateLimited     = "rate_limited"         // a request or message over a rate limit
	secSlowClient      = "slow_client_dropped"  // a WebSocket dropped for falling behind
	secQuotaExceeded   = "quota_exceeded"       // a command over its session's or team's quota
	secSocketLimit     = "socket_limit"         // a WebSocket over its session's or address's cap
	secLookupLimited   = "session_lookup_limit" // a cookie lookup over its address's budget
	securityLogPeriod  = time.Minute            // how long repeats of one event are summed up
	securityLogMaxKeys = 10000                  // distinct (event, client) pairs counted per period
)

// securityLog logs security events as structured warnings without letting
// a flood flood the log: the first event of a kind from one client in a
// period is logged at once; the repeats are counted and logged as one line
// with the count when the period ends (flush).
type securityLog struct {
	log zerolog.Logger
	now func() time.Time

	mu     sync.Mutex
	counts map[securityKey]*securityCount
}

// securityKey is one kind of event from one client.
type securityKey struct{ kind, client string }

// securityCount is what happened for one key in the current period.
type securityCount struct {
	first  time.Time
	repeat int    // events after the first, not logged yet
	detail string // the last repeat's detail
}

func newSecurityLog(log zerolog.Logger, now func() time.Time) *securityLog {
	return &securityLog{log: log, now: now, counts: map[securityKey]*securityCount{}}
}

// record notes one security event of kind from client; detail says what
// happened in words.
func (l *securityLog) record(kind, client, detail string) {
	l.mu.Lock()
	k := securityKey{kind, client}
	c, seen := l.counts[k]
	if !seen && len(l.counts) >= securityLogMaxKeys {
		// Too many clients at once (a distributed flood): count the rest
		// together rather than remember each.
		k.client = "*"
		c, seen = l.counts[k]
	}
	if seen {
		c.repeat++
		c.detail = detail
		l.mu.Unlock()
		return
	}
	l.counts[k] = &securityCount{first: l.now()}
	l.mu.Unlock()
	l.log.Warn().Str("event", kind).Str("client", k.client).Int("count", 1).Msg(detail)
}

// flush logs one line per (kind, client) that repeated since its first
// event, with how many times, and starts a new period.
func (l *securityLog) flush() {
	l.mu.Lock()
	counts := l.counts
	l.counts = map[securityKey]*securityCount{}
	l.mu.Unlock()
	now := l.now()
	for k, c := range counts {
		if c.repeat == 0 {
			continue
		}
		l.log.Warn().Str("event", k.kind).Str("client", k.client).Int("count", c.repeat).
			Dur("period", now.Sub(c.first)).Msg("repeated: " + c.detail)
	}
}

// run flushes every period until done closes, then once more.
func (l *securityLog) run(done <-chan struct{}, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush()
		case <-done:
			l.flush()
			return
		}
	}
}
