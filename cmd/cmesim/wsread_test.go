package main

import (
	"encoding/json"

	"github.com/gorilla/websocket"

	"cmesim/web"
)

// wsReader reads the messages a server sends on a WebSocket one at a
// time, taking batch frames apart (see docs/protocol.md).
type wsReader struct {
	ws      *websocket.Conn
	pending [][]byte // the rest of the last frame's messages
}

// readJSON decodes the next message into v, reading a frame when none is
// pending.
func (r *wsReader) readJSON(v any) error {
	for len(r.pending) == 0 {
		_, frame, err := r.ws.ReadMessage()
		if err != nil {
			return err
		}
		if r.pending, err = web.SplitBatch(frame); err != nil {
			return err
		}
	}
	m := r.pending[0]
	r.pending = r.pending[1:]
	return json.Unmarshal(m, v)
}
