package web

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/gorilla/websocket"
)

// MaxBatchSize is the largest batch frame the server writes: the messages
// already waiting in a connection's queue are sent together, as one
// {"type":"batch","messages":[…]} frame, up to this size. A message that
// is larger on its own goes alone, as it is.
const MaxBatchSize = 64 << 10

// batchOpen and batchClose enclose a batch's messages, which are already
// JSON objects, separated by commas.
var (
	batchOpen  = []byte(`{"type":"batch","messages":[`)
	batchClose = []byte(`]}`)
)

// outgoing is one message queued for clients: its JSON, shared by every
// connection it goes to. (It is not a websocket.PreparedMessage: without
// compression, gorilla frames a message for a server connection without
// allocating, while preparing one allocates a connection's worth of
// buffers per message; that was half of what the server allocated under
// load, docs/performance.md.)
type outgoing struct {
	data []byte
}

// newOutgoing makes b a message that one or more connections send.
func newOutgoing(b []byte) *outgoing { return &outgoing{data: b} }

// batchBuffers holds the buffers batches are built in; a connection holds
// one only while it writes.
var batchBuffers = sync.Pool{New: func() any { return new([]byte) }}

// batchFits reports whether a message of n bytes can join a batch whose
// messages take size bytes so far.
func batchFits(size, n int) bool {
	return len(batchOpen)+size+1+n+len(batchClose) <= MaxBatchSize
}

// appendBatch appends the batch frame of msgs to dst.
func appendBatch(dst []byte, msgs [][]byte) []byte {
	dst = append(dst, batchOpen...)
	for i, m := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, m...)
	}
	return append(dst, batchClose...)
}

// SplitBatch returns the messages a server frame carries: those of a
// batch, in order, or the frame itself. It is for Go clients of the
// protocol (see docs/protocol.md). A batch as the server writes it is
// split without decoding: the frame's structure is checked, each
// message's JSON is left to its reader, and the messages are slices of
// frame, not copies (a reader that reuses frame's buffer must copy them
// first). Any other batch is decoded.
func SplitBatch(frame []byte) ([][]byte, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(frame, " \t\r\n"), []byte(`{"type":"batch"`)) {
		return [][]byte{frame}, nil
	}
	if msgs, ok := splitServerBatch(frame); ok {
		return msgs, nil
	}
	var b struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(frame, &b); err != nil {
		return nil, err
	}
	out := make([][]byte, len(b.Messages))
	for i, m := range b.Messages {
		out[i] = m
	}
	return out, nil
}

// splitServerBatch splits a batch written as appendBatch writes it: the
// messages are JSON objects between batchOpen and batchClose, separated
// by commas. It reports false for anything else.
func splitServerBatch(frame []byte) ([][]byte, bool) {
	body, ok := bytes.CutPrefix(frame, batchOpen)
	if !ok {
		return nil, false
	}
	if body, ok = bytes.CutSuffix(body, batchClose); !ok {
		return nil, false
	}
	var out [][]byte
	for len(body) > 0 {
		n := objectLen(body)
		if n == 0 {
			return nil, false
		}
		out = append(out, body[:n:n])
		body = body[n:]
		if len(body) > 0 {
			if body[0] != ',' || len(body) == 1 {
				return nil, false
			}
			body = body[1:]
		}
	}
	return out, len(out) > 0
}

// objectLen is the length of the JSON object b starts with, found by its
// braces outside strings, or 0 if b does not start with a whole one.
// Strings are skipped to their closing quote (closingQuote).
func objectLen(b []byte) int {
	if len(b) == 0 || b[0] != '{' {
		return 0
	}
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			n := closingQuote(b[i+1:])
			if n < 0 {
				return 0
			}
			i += 1 + n
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				if c != '}' {
					return 0
				}
				return i + 1
			}
		}
	}
	return 0
}

// closingQuote is the index in s, the inside of a JSON string and what
// follows it, of the quote that ends the string, or -1: the first quote
// not escaped by an odd number of backslashes before it. Most strings of a
// message are short keys and values, whose bytes it reads one by one
// (a call to bytes.IndexByte costs more than that); a longer string's
// rest, most of a message's bytes, is skipped with bytes.IndexByte.
func closingQuote(s []byte) int {
	for from := 0; ; {
		q := nextQuote(s, from)
		if q < 0 {
			return -1
		}
		escapes := 0
		for k := q - 1; k >= 0 && s[k] == '\\'; k-- {
			escapes++
		}
		if escapes%2 == 0 {
			return q
		}
		from = q + 1
	}
}

// shortString is how many bytes closingQuote reads one by one before it
// skips the rest of a string with bytes.IndexByte.
const shortString = 16

// nextQuote is the index of the first quote in s at or after from, or -1.
func nextQuote(s []byte, from int) int {
	end := min(len(s), from+shortString)
	for k := from; k < end; k++ {
		if s[k] == '"' {
			return k
		}
	}
	if i := bytes.IndexByte(s[end:], '"'); i >= 0 {
		return end + i
	}
	return -1
}

// writeQueued writes first and, in the same frame, the messages waiting
// behind it in the connection's queue that fit in a batch: one write
// system call for all of them rather than one each, which is what the
// server's CPU goes to when every trainee's action reaches a whole team.
// A message that does not fit is kept for the next write.
func (c *conn) writeQueued(first *outgoing) error {
	next := c.takeQueued(len(first.data))
	if next == nil {
		return c.write(websocket.TextMessage, first.data)
	}
	buf := batchBuffers.Get().(*[]byte)
	defer batchBuffers.Put(buf)
	b := append(append((*buf)[:0], batchOpen...), first.data...)
	n := 1
	for m := next; m != nil; m = c.takeQueued(len(b) - len(batchOpen)) {
		b = append(append(b, ','), m.data...)
		n++
	}
	b = append(b, batchClose...)
	*buf = b
	if err := c.writeFrame(b); err != nil {
		return err
	}
	c.m.messagesOut.Add(int64(n))
	c.m.batches.Add(1)
	return nil
}

// takeQueued returns the next queued message if one is waiting and fits
// in a batch whose messages take size bytes; one that is waiting but does
// not fit is kept in c.carry. It returns nil when the queue is empty or
// closed (the writer's next receive sees the close).
func (c *conn) takeQueued(size int) *outgoing {
	if c.carry != nil {
		return nil
	}
	select {
	case m, ok := <-c.send:
		if !ok {
			return nil
		}
		if !batchFits(size, len(m.data)) {
			c.carry = m
			return nil
		}
		return m
	default:
		return nil
	}
}

// writeFrame writes a batch frame.
func (c *conn) writeFrame(b []byte) error {
	c.setWriteDeadline()
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.failed(err)
		return err
	}
	return nil
}

// writeFirst writes the messages a connection starts with (welcome,
// replay, caught_up, status) in as few batch frames as fit.
func (c *conn) writeFirst(msgs [][]byte) error {
	for len(msgs) > 0 {
		n, size := 1, len(msgs[0])
		for n < len(msgs) && batchFits(size, len(msgs[n])) {
			size += 1 + len(msgs[n])
			n++
		}
		if n == 1 {
			if err := c.write(websocket.TextMessage, msgs[0]); err != nil {
				return err
			}
		} else {
			buf := batchBuffers.Get().(*[]byte)
			*buf = appendBatch((*buf)[:0], msgs[:n])
			err := c.writeFrame(*buf)
			batchBuffers.Put(buf)
			if err != nil {
				return err
			}
			c.m.messagesOut.Add(int64(n))
			c.m.batches.Add(1)
		}
		msgs = msgs[n:]
	}
	return nil
}
