package web

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"cmesim/engine"
)

// Sign-in budgets, per client address and separately for join codes and
// admin keys: a delegation that mistypes codes does not lock its admin out.
const (
	// failRate and failBurst bound failed sign-ins: 10 at once, then one
	// every 3 s.
	failRate  = rate.Limit(1.0 / 3)
	failBurst = 10
	// blockedRate and blockedBurst bound the attempts, right or wrong, of
	// an address that has used its failures up: a correct code typed at a
	// human pace still gets in, while guessing is held to one try a second
	// (2^59 codes stay out of reach).
	blockedRate  = rate.Limit(1)
	blockedBurst = 3
	// lookupRate and lookupBurst bound, per client address, the database
	// lookups of cookies this server does not know that find no session
	// (several servers): made-up cookies. A lookup that finds one costs
	// the address nothing, so a delegation behind one address, or a
	// server forwarding its trainees' commands, is never limited.
	lookupRate  = rate.Limit(20)
	lookupBurst = 200
	// unknownCookieTTL is how long a cookie the database does not know is
	// answered 401 without asking it again.
	unknownCookieTTL = 30 * time.Second
	// maxTracked bounds every per-address map: past it, it is forgotten
	// rather than grown.
	maxTracked = 100000
)

// limiterMap holds one token bucket per key, created on first use.
type limiterMap struct {
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	rate  rate.Limit
	burst int
}

func newLimiterMap(r rate.Limit, burst int) *limiterMap {
	return &limiterMap{m: map[string]*rate.Limiter{}, rate: r, burst: burst}
}

// get returns key's bucket.
func (lm *limiterMap) get(key string) *rate.Limiter {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	l, ok := lm.m[key]
	if !ok {
		if len(lm.m) >= maxTracked { // forget everyone rather than grow without bound
			clear(lm.m)
		}
		l = rate.NewLimiter(lm.rate, lm.burst)
		lm.m[key] = l
	}
	return l
}

// waitFor is how long until l has n tokens again (at least a second, as
// Retry-After counts whole seconds).
func waitFor(l *rate.Limiter, n float64) time.Duration {
	missing := n - l.Tokens()
	if missing <= 0 || l.Limit() <= 0 {
		return time.Second
	}
	return max(time.Second, time.Duration(missing/float64(l.Limit())*float64(time.Second)))
}

// signInGuard limits the failed sign-ins of one kind (join codes, or admin
// keys) per client address. Only failures count, so a room behind one
// address can all join at once; an address that has used its failures up
// is held to a slow pace of attempts, and still gets in with a right code.
type signInGuard struct {
	failures *limiterMap
	blocked  *limiterMap
}

func newSignInGuard() *signInGuard {
	return &signInGuard{failures: newLimiterMap(failRate, failBurst), blocked: newLimiterMap(blockedRate, blockedBurst)}
}

// admit reports whether an attempt from ip may be checked; when not, it
// returns how long to wait.
func (g *signInGuard) admit(ip string) (bool, time.Duration) {
	if g.failures.get(ip).Tokens() >= 1 {
		return true, 0
	}
	b := g.blocked.get(ip)
	if b.Allow() {
		return true, 0
	}
	return false, waitFor(b, 1)
}

// fail records a failed attempt from ip. It reports whether the address
// is now past its budget of failures, and how long until it is not.
func (g *signInGuard) fail(ip string) (bool, time.Duration) {
	f := g.failures.get(ip)
	if f.Allow() {
		return false, 0
	}
	return true, waitFor(f, 1)
}

// tooMany answers 429 with Retry-After.
func tooMany(w http.ResponseWriter, log zerolog.Logger, wait time.Duration, format string, args ...any) {
	setRetryAfter(w, wait)
	writeError(w, log, engine.Errorf(codeTooMany, format, args...))
}

// setRetryAfter sets the Retry-After header to wait, in whole seconds
// rounded up.
func setRetryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(wait, time.Second).Seconds()))))
}

// clientIP is the address of the request's client: the peer's, or, when
// the peer is one of Config.TrustedProxies, the last address in
// X-Forwarded-For that is not a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	return clientAddress(r, s.cfg.TrustedProxies)
}

// clientAddress is the address of the request's client, trusting
// X-Forwarded-For only from proxies (see Server.clientIP).
func clientAddress(r *http.Request, proxies []netip.Prefix) string {
	peer := peerIP(r)
	if len(proxies) == 0 || !trusted(proxies, peer) {
		return peer
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return peer // a malformed list: trust nothing in it
		}
		if !trusted(proxies, a.Unmap().String()) {
			return a.Unmap().String()
		}
	}
	return peer
}

// trusted reports whether ip is one of the proxies.
func trusted(proxies []netip.Prefix, ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor splits X-Forwarded-For headers into their addresses, in
// order (client first).
func forwardedFor(headers []string) []string {
	var out []string
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// peerIP is the address of the TCP peer.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

// negativeCache remembers, for a while, tokens the store does not know.
type negativeCache struct {
	mu  sync.Mutex
	m   map[string]time.Time // token → until when it is known to be unknown
	ttl time.Duration
	now func() time.Time
}

func newNegativeCache(ttl time.Duration, now func() time.Time) *negativeCache {
	return &negativeCache{m: map[string]time.Time{}, ttl: ttl, now: now}
}

// has reports whether token was found unknown less than ttl ago.
func (n *negativeCache) has(token string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	until, ok := n.m[token]
	if ok && n.now().After(until) {
		delete(n.m, token)
		return false
	}
	return ok
}

// add remembers token as unknown.
func (n *negativeCache) add(token string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) >= maxTracked {
		now := n.now()
		for k, until := range n.m {
			if now.After(until) {
				delete(n.m, k)
			}
		}
		if len(n.m) >= maxTracked {
			clear(n.m)
		}
	}
	n.m[token] = n.now().Add(n.ttl)
}
