package web

import (
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Close codes of WebSockets the server closes for a reason of the client's
// own (see docs/protocol.md).
const (
	// CloseSessionEnded: the session was signed out or has expired; sign
	// in again before reconnecting.
	CloseSessionEnded = 4001
	// CloseTooManySockets: the session or the client's address already
	// has as many WebSockets open as allowed; close another first.
	CloseTooManySockets = 4029
)

// Default WebSocket caps (Config.MaxSocketsPerSession, MaxSocketsPerIP).
const (
	DefaultMaxSocketsPerSession = 8
	DefaultMaxSocketsPerIP      = 256
)

// socketRegistry knows the open WebSockets by session and counts them by
// client address, to cap both and to close a session's sockets when it
// ends.
type socketRegistry struct {
	perSession, perIP int // caps; negative means none

	mu        sync.Mutex
	bySession map[string]map[*conn]struct{}
	byIP      map[string]int
}

func newSocketRegistry(perSession, perIP int) *socketRegistry {
	if perSession == 0 {
		perSession = DefaultMaxSocketsPerSession
	}
	if perIP == 0 {
		perIP = DefaultMaxSocketsPerIP
	}
	return &socketRegistry{perSession: perSession, perIP: perIP, bySession: map[string]map[*conn]struct{}{}, byIP: map[string]int{}}
}

// add registers c, or refuses it with the reason when its session or its
// address is at its cap.
func (r *socketRegistry) add(c *conn) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	token := c.sess.Token
	if r.perSession >= 0 && len(r.bySession[token]) >= r.perSession {
		return fmt.Errorf("too many connections for this session (at most %d); close another tab first", r.perSession)
	}
	if r.perIP >= 0 && r.byIP[c.ip] >= r.perIP {
		return fmt.Errorf("too many connections from your address (at most %d)", r.perIP)
	}
	if r.bySession[token] == nil {
		r.bySession[token] = map[*conn]struct{}{}
	}
	r.bySession[token][c] = struct{}{}
	r.byIP[c.ip]++
	return nil
}

// remove forgets c.
func (r *socketRegistry) remove(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	token := c.sess.Token
	delete(r.bySession[token], c)
	if len(r.bySession[token]) == 0 {
		delete(r.bySession, token)
	}
	if r.byIP[c.ip]--; r.byIP[c.ip] <= 0 {
		delete(r.byIP, c.ip)
	}
}

// ofSession returns the open sockets of a session.
func (r *socketRegistry) ofSession(token string) []*conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*conn, 0, len(r.bySession[token]))
	for c := range r.bySession[token] {
		out = append(out, c)
	}
	return out
}

// closeSession closes every open socket of a session that has ended.
func (s *Server) closeSession(token string) {
	for _, c := range s.sockets.ofSession(token) {
		c.kick(CloseSessionEnded, "your session has ended; sign in again")
	}
}

// kick closes the connection for a reason of the client's own: it sends
// the close code and reason, stops handling the client's messages, and
// gives the client a moment to answer the close before the reader gives
// up. Safe to call from any goroutine, more than once.
func (c *conn) kick(code int, reason string) {
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.ws.SetReadDeadline(time.Now().Add(2 * time.Second))
}

// refuse closes a connection that was never registered with code and
// reason.
func refuse(ws *websocket.Conn, code int, reason string) {
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	ws.Close()
}
