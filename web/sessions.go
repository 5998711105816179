package web

import (
	"sync"
	"time"

	"cmesim/engine"
)

// RoleAdmin may create exercises; it belongs to no exercise.
const RoleAdmin engine.Role = "admin"

// Session is a signed-in participant: who they are in which exercise.
type Session struct {
	Token    string
	Exercise string
	Role     engine.Role
	Team     string
	Name     string
	Expires  time.Time
}

// Principal is the session as the engine knows a command's sender.
func (s *Session) Principal() engine.Principal {
	return engine.Principal{Role: s.Role, Team: s.Team, Name: s.Name}
}

// IsStaff reports whether the session sees every event of its exercise.
func (s *Session) IsStaff() bool {
	switch s.Role {
	case engine.RoleFacilitator, engine.RoleEvaluator, engine.RoleObserver:
		return true
	}
	return false
}

// sessionTTL is how long a session lasts: a long exercise day and then some.
const sessionTTL = 24 * time.Hour

// sessions holds the signed-in sessions in memory.
type sessions struct {
	mu        sync.Mutex
	byID      map[string]*Session
	now       func() time.Time
	lastSweep time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{byID: map[string]*Session{}, now: now}
}

// create stores a new session for the given identity.
func (s *sessions) create(exercise string, role engine.Role, team, name string) *Session {
	sess := &Session{Token: newToken(), Exercise: exercise, Role: role, Team: team, Name: name, Expires: s.now().Add(sessionTTL)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire()
	s.byID[sess.Token] = sess
	return sess
}

// get returns a live session by token.
func (s *sessions) get(token string) (*Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[token]
	if !ok || s.now().After(sess.Expires) {
		return nil, false
	}
	return sess, true
}

func (s *sessions) delete(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, token)
}

// expire drops expired sessions at most once a minute; the caller holds mu.
func (s *sessions) expire() {
	now := s.now()
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, v := range s.byID {
		if now.After(v.Expires) {
			delete(s.byID, k)
		}
	}
}

// load adds a session restored from a store, unless it has expired.
func (s *sessions) load(sess *Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !sess.Expires.IsZero() && s.now().After(sess.Expires) {
		return
	}
	s.byID[sess.Token] = sess
}
