package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"cmesim/engine"
	"cmesim/store"
)

// auth signs people in and out and checks who may call what: the admin's
// sign-in with the admin key, the participants' with join codes, the
// session cookie, the route guards (session, admin, member, codeKeeper) and
// the join codes and their QR codes that facilitators hand out. A session
// signed in on another server of a cluster is looked up in the shared store.
type auth struct {
	log zerolog.Logger
	// ctx ends when the server closes.
	ctx context.Context
	// store keeps the sessions across restarts; nil keeps them in memory.
	store store.Store
	// writes records whether the last write to the store succeeded.
	writes *storeHealth

	adminKey      string
	secureCookies bool
	proxies       []netip.Prefix // see Config.TrustedProxies

	sessions  *sessions
	exercises *exerciseSet
	// cluster finds exercises and sessions known only to other servers,
	// and tells them of sign-outs.
	cluster *cluster
	// closeSockets closes the WebSockets of a session that has ended
	// (Server.closeSession).
	closeSockets func(token string)
	metrics      *metrics
	security     *securityLog

	joinGuard  *signInGuard   // per client address, wrong join codes
	adminGuard *signInGuard   // per client address, wrong admin keys
	lookups    *rate.Limiter  // store lookups of sessions signed in elsewhere
	ipLookups  *limiterMap    // the same, per client address
	unknown    *negativeCache // cookies the store did not know
}

func (a *auth) setSessionCookie(w http.ResponseWriter, sess *Session) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.Expires,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.secureCookies,
	})
}

// sessionOf returns the request's session, if it has a valid one.
func (a *auth) sessionOf(r *http.Request) (*Session, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, false
	}
	if sess, ok := a.sessions.get(c.Value); ok {
		return sess, true
	}
	return a.clusterSession(clientAddress(r, a.proxies), c.Value) // signed in on another server?
}

// session requires a valid session.
func (a *auth) session(next func(http.ResponseWriter, *http.Request, *Session)) http.HandlerFunc {
	return a.signedIn("sign in with your join code first", next)
}

// signedIn requires a valid session, and answers a request without one
// with hint, which says how to sign in.
func (a *auth) signedIn(hint string, next func(http.ResponseWriter, *http.Request, *Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := a.sessionOf(r)
		if !ok {
			writeError(w, a.log, engine.Errorf(codeUnauthorized, "%s", hint))
			return
		}
		next(w, r, sess)
	}
}

// admin requires an admin session.
func (a *auth) admin(next http.HandlerFunc) http.HandlerFunc {
	return a.signedIn("sign in with the admin key first", func(w http.ResponseWriter, r *http.Request, sess *Session) {
		if sess.Role != RoleAdmin {
			writeError(w, a.log, engine.Errorf(codeUnauthorized, "sign in with the admin key first"))
			return
		}
		next(w, r)
	})
}

// member requires a session of the exercise named in the path.
func (a *auth) member(next func(http.ResponseWriter, *http.Request, *Session, *liveExercise)) http.HandlerFunc {
	return a.session(func(w http.ResponseWriter, r *http.Request, sess *Session) {
		le, ok := a.exercises.get(r.PathValue("id"))
		if !ok {
			writeError(w, a.log, engine.Errorf(engine.CodeNotFound, "no such exercise"))
			return
		}
		if sess.Exercise != le.id {
			writeError(w, a.log, engine.Errorf(engine.CodeForbidden, "your session belongs to another exercise"))
			return
		}
		next(w, r, sess, le)
	})
}

func (a *auth) handleAdminLogin(w http.ResponseWriter, r *http.Request) {
	ip := clientAddress(r, a.proxies)
	if !a.admit(w, a.adminGuard, ip, "admin sign-ins refused after too many wrong keys") {
		return
	}
	var req struct {
		Key string `json:"key"`
	}
	err := readJSON(w, r, maxJSONBody, &req)
	if err == nil && !a.adminKeyMatches(req.Key) {
		a.metrics.joinsFailed.Add(1)
		a.security.record(secAdminKeyWrong, ip, "wrong admin key")
		err = engine.Errorf(codeUnauthorized, "wrong admin key")
	}
	if err != nil {
		a.signInFailed(w, a.adminGuard, ip, err)
		return
	}
	sess, err := a.newSession("", RoleAdmin, "", "admin")
	if err != nil {
		writeError(w, a.log, err)
		return
	}
	a.setSessionCookie(w, sess)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// handleJoin signs in with a join code. The code is checked first: a right
// one always gets in (unless its address is past its failures and trying
// faster than one a second), and only failures count against the address.
func (a *auth) handleJoin(w http.ResponseWriter, r *http.Request) {
	ip := clientAddress(r, a.proxies)
	if !a.admit(w, a.joinGuard, ip, "join attempts refused after too many wrong codes") {
		return
	}
	var req struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := readJSON(w, r, maxJSONBody, &req); err != nil {
		a.signInFailed(w, a.joinGuard, ip, err)
		return
	}
	sess, err := a.join(r.Context(), req.Code, req.Name)
	if err != nil {
		if engine.Code(err) != engine.CodeNotFound {
			writeError(w, a.log, err) // a right code with a bad name, or the store failing: no guess
			return
		}
		a.security.record(secSignInFailed, ip, "wrong join code")
		a.signInFailed(w, a.joinGuard, ip, err)
		return
	}
	a.setSessionCookie(w, sess)
	writeJSON(w, http.StatusOK, joinResponse{Exercise: sess.Exercise, Role: sess.Role, Team: sess.Team, Name: sess.Name, Page: pageFor(sess.Role)})
}

// admit reports whether g lets a sign-in attempt from ip through; if not,
// it answers 429 and records why (refused).
func (a *auth) admit(w http.ResponseWriter, g *signInGuard, ip, refused string) bool {
	ok, wait := g.admit(ip)
	if !ok {
		a.tooManyAttempts(w, ip, refused, wait)
	}
	return ok
}

// signInFailed counts a failed sign-in against the address and answers
// err, or 429 with Retry-After once the address is past its budget.
func (a *auth) signInFailed(w http.ResponseWriter, g *signInGuard, ip string, err error) {
	if over, wait := g.fail(ip); over {
		a.tooManyAttempts(w, ip, "too many failed sign-ins", wait)
		return
	}
	writeError(w, a.log, err)
}

// tooManyAttempts records sign-ins refused from ip, and why, and answers
// 429 with how long to wait.
func (a *auth) tooManyAttempts(w http.ResponseWriter, ip, why string, wait time.Duration) {
	a.security.record(secRateLimited, ip, why)
	tooMany(w, a.log, wait, "too many failed attempts; wait %d s and try again", int(wait.Seconds()+0.999))
}

func (a *auth) handleSession(w http.ResponseWriter, _ *http.Request, sess *Session) {
	writeJSON(w, http.StatusOK, joinResponse{Exercise: sess.Exercise, Role: sess.Role, Team: sess.Team, Name: sess.Name, Page: pageFor(sess.Role)})
}

func (a *auth) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		a.endSession(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: a.secureCookies})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// join signs a participant in with a join code (see Server.Join).
func (a *auth) join(ctx context.Context, code, name string) (*Session, error) {
	name = strings.TrimSpace(name)
	entry, ok := a.exercises.codeEntry(code)
	if !ok && a.cluster.db != nil && normalizeCode(code) != "" {
		id, err := a.cluster.storedCode(ctx, code)
		if err != nil {
			a.log.Error().Err(err).Msg("looking a join code up in the store failed")
			return nil, engine.Errorf(codeUnavailable, "the exercise store does not answer; try again in a moment")
		}
		if id != "" {
			a.cluster.loadUnknown(id)
			entry, ok = a.exercises.codeEntry(code)
			if !ok {
				return nil, engine.Errorf(codeUnavailable, "this exercise cannot be opened on this server right now; try again in a moment")
			}
		}
	}
	if !ok {
		a.metrics.joinsFailed.Add(1)
		return nil, engine.Errorf(engine.CodeNotFound, "no exercise has this code; check it with your facilitator")
	}
	if entry.role == engine.RoleTrainee && name == "" {
		return nil, engine.Errorf(engine.CodeInvalid, "enter your name so your team and the facilitator know who acted")
	}
	if utf8.RuneCountInString(name) > engine.MaxNameLen || strings.ContainsAny(name, "\x00\r\n") {
		return nil, engine.Errorf(engine.CodeInvalid, "a name has at most %d characters on one line", engine.MaxNameLen)
	}
	if name == "" {
		name = string(entry.role)
	}
	sess, err := a.newSession(entry.exercise, entry.role, entry.team, name)
	if err != nil {
		return nil, err
	}
	a.metrics.joins.Add(1)
	return sess, nil
}

// adminKeyMatches compares in constant time.
func (a *auth) adminKeyMatches(key string) bool {
	return subtle.ConstantTimeCompare([]byte(key), []byte(a.adminKey)) == 1
}

// newSession signs someone in and, with a store, keeps the session across
// restarts; if the store cannot keep it, the sign-in fails.
func (a *auth) newSession(exercise string, role engine.Role, team, name string) (*Session, error) {
	sess := a.sessions.create(exercise, role, team, name)
	if a.store != nil {
		if err := a.putSession(sess); err != nil {
			a.sessions.delete(sess.Token)
			return nil, err
		}
	}
	return sess, nil
}

// endSession signs a session out, here, in the store and on the other
// servers.
func (a *auth) endSession(token string) {
	a.sessions.delete(token)
	a.closeSockets(token)
	if a.store != nil {
		if err := a.store.DeleteSession(a.ctx, token); err != nil {
			a.log.Error().Err(err).Msg("deleting a session failed")
		}
	}
	a.cluster.notify(store.Notice{Kind: store.NoticeSignOut, Token: token})
}

// putSession stores a session, within storeWait: a sign-in that could not
// be stored fails rather than hand out a session that a restart, or
// another server, would not know.
func (a *auth) putSession(sess *Session) error {
	ctx, cancel := context.WithTimeout(a.ctx, storeWait)
	defer cancel()
	// A store may not give up on a write it has taken when ctx ends: stop
	// waiting for it anyway. A session stored after all, late, is harmless
	// (nobody has its token).
	done := make(chan error, 1)
	go func() {
		done <- a.store.PutSession(ctx, store.Session{Token: sess.Token, Exercise: sess.Exercise, Role: string(sess.Role), Team: sess.Team, Name: sess.Name, Expires: sess.Expires})
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.New(problemStalled)
	}
	a.writes.record(err)
	if err != nil {
		a.log.Error().Err(err).Msg("storing a session failed; the sign-in is refused")
		return engine.Errorf(codeUnavailable, "signing in cannot be recorded right now (%s); try again in a moment", describeStoreError(err))
	}
	return nil
}

// clusterSession looks up a session another server signed in, for a
// client at address ip. Lookups are budgeted in all, and the cookies the
// database does not know per address; such a cookie is not looked up again
// for a while either. Made-up cookies cannot use up the lookups real
// trainees need, and the real sessions of many trainees behind one address
// cost that address nothing: a server forwarding its trainees' commands to
// the exercise's owner is such an address.
func (a *auth) clusterSession(ip, token string) (*Session, bool) {
	if a.cluster.db == nil || len(token) < 16 || len(token) > 128 || a.unknown.has(token) {
		return nil, false
	}
	// The address's budget is checked before the lookup and charged after
	// it, only when no session was found. Lookups in flight at once from
	// one address may overdraw it by their number; the budget in all
	// still bounds what the database is asked.
	budget := a.ipLookups.get(ip)
	if budget.Tokens() < 1 {
		a.security.record(secLookupLimited, ip, "too many unknown session cookies")
		return nil, false
	}
	if !a.lookups.Allow() {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(a.ctx, 5*time.Second)
	defer cancel()
	ss, err := a.cluster.db.Session(ctx, token)
	if err != nil {
		budget.Allow() // no session found: the address pays for the lookup
		if errors.Is(err, store.ErrNotFound) {
			a.unknown.add(token)
		} else {
			a.log.Warn().Err(err).Msg("looking up a session failed")
		}
		return nil, false
	}
	sess := &Session{Token: ss.Token, Exercise: ss.Exercise, Role: engine.Role(ss.Role), Team: ss.Team, Name: ss.Name, Expires: ss.Expires}
	a.sessions.load(sess)
	return a.sessions.get(token)
}
