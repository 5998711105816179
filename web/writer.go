package web

import (
	"errors"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// A connection has no goroutine waiting to write. wake starts one when
// something is queued for the connection (a message, a reply, a ping that
// is due, the reader's end), and that writer writes everything waiting,
// then ends. Among 5,000 connections, most of them idle most of the time,
// that is 5,000 fewer goroutine stacks for the server to keep and for the
// garbage collector to scan.
//
// wakes counts the calls to wake the writer has not yet answered, plus one
// while a writer runs; the one call that brings it from zero to one starts
// a writer, so at most one runs at a time. A writer reads the count, writes
// whatever is waiting, and takes off what it read: whatever was queued
// with a wake after it read the count leaves the count above zero and the
// writer looks again. A connection is made with the count at one, held
// for the first writer, which startWriter starts once the connection has
// subscribed.

// startWriter starts the connection's first writer, which writes first
// (the welcome, the replay, caught_up and the status) and then what was
// queued meanwhile, and the timer that has the writer ping the client.
func (c *conn) startWriter(first [][]byte) {
	c.first = first
	c.ping = time.AfterFunc(pingPeriod, func() {
		c.pingDue.Store(true)
		c.wake()
	})
	go c.writeAll()
}

// wake makes sure a writer runs to write what was just queued. Safe to
// call from any goroutine; it does not wait.
func (c *conn) wake() {
	if c.wakes.Add(1) == 1 {
		go c.writeAll()
	}
}

// writeAll writes until nothing is waiting and no wake is unanswered.
func (c *conn) writeAll() {
	for {
		n := c.wakes.Load()
		if !c.finished {
			c.writeWaiting()
		}
		if c.wakes.Add(-n) == 0 {
			if c.onIdle != nil {
				c.onIdle()
			}
			return
		}
	}
}

// writeWaiting writes the connection's first messages if not yet written,
// then what is waiting: queued messages, replies and a ping that is due.
// It closes the connection, and marks it finished, once the reader has
// stopped, the queue is closed or a write fails.
func (c *conn) writeWaiting() {
	if c.first != nil {
		first := c.first
		c.first = nil
		if err := c.writeFirst(first); err != nil {
			c.finish()
			return
		}
	}
	for {
		select {
		case <-c.done:
			c.sayGoodbye(websocket.CloseNormalClosure, "")
			return
		default:
		}
		if m := c.carry; m != nil {
			c.carry = nil
			if err := c.writeQueued(m); err != nil {
				c.finish()
				return
			}
			continue
		}
		select {
		case m, ok := <-c.send:
			if !ok {
				c.closeQueue()
				return
			}
			if err := c.writeQueued(m); err != nil {
				c.finish()
				return
			}
		case b := <-c.replies:
			if err := c.write(websocket.TextMessage, b); err != nil {
				c.finish()
				return
			}
		default:
			if c.pingDue.Swap(false) {
				c.pingClient()
			}
			return
		}
	}
}

// closeQueue closes a connection whose queue the fan-out closed: dropped
// for falling behind, or the exercise moved.
func (c *conn) closeQueue() {
	code, why := websocket.CloseTryAgainLater, "too slow; reconnect with since"
	if c.bye != "" {
		code, why = websocket.CloseServiceRestart, c.bye
	} else {
		c.srv.security.record(secSlowClient, c.ip, "a WebSocket fell too far behind and was dropped")
	}
	c.sayGoodbye(code, why)
}

// pingClient pings the client, or closes the connection of a session that
// was signed out elsewhere or has expired, and sets the next ping.
func (c *conn) pingClient() {
	if !c.valid() {
		c.kick(CloseSessionEnded, "your session has ended; sign in again")
	} else if err := c.write(websocket.PingMessage, nil); err != nil {
		c.finish()
		return
	}
	c.ping.Reset(pingPeriod)
}

// sayGoodbye sends a close message with code and why, then closes the
// connection.
func (c *conn) sayGoodbye(code int, why string) {
	c.setWriteDeadline()
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, why))
	c.finish()
}

// finish closes the connection, which ends the reader too, and stops the
// pings; writers woken after it write nothing.
func (c *conn) finish() {
	c.finished = true
	if c.ping != nil {
		c.ping.Stop()
	}
	c.ws.Close()
}

func (c *conn) write(kind int, b []byte) error {
	c.setWriteDeadline()
	if err := c.ws.WriteMessage(kind, b); err != nil {
		c.failed(err)
		return err
	}
	if kind == websocket.TextMessage {
		c.m.messagesOut.Add(1)
	}
	return nil
}

// setWriteDeadline gives the next write the server's write timeout.
func (c *conn) setWriteDeadline() {
	c.ws.SetWriteDeadline(time.Now().Add(c.srv.writeWait()))
}

// failed counts a write that timed out: a client that stopped reading
// while too little happened to fill its queue is closed this way, not by a
// drop.
func (c *conn) failed(err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.m.writeTimeouts.Add(1)
	}
}
