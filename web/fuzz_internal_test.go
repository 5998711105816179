package web

import (
	"strings"
	"testing"
)

// FuzzDecodeClientMessage feeds arbitrary bytes to the WebSocket message
// decoder: it must never panic, must accept only the message types of the
// protocol, and a command it accepts must have a type.
func FuzzDecodeClientMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"command","id":"c1","command":{"type":"acknowledge","inject":"I01"}}`,
		`{"type":"command","id":"c2","command":{"type":"share","inject":"I01","peers":["pe-csirt"],"tlp":"amber","text":"x"}}`,
		`{"type":"command","command":{"type":"send_inject","adhoc":{"title":"t","body":"b","channel":"email","to":["all"],"expectations":[{"action":"acknowledge","within":600000000000,"points":5,"objective":"O1"}]}}}`,
		`{"type":"command","command":{"type":"delay_inject","inject":"I01","delay":-5}}`,
		`{"type":"command","command":{"type":"set_speed","speed":1e308}}`,
		`{"type":"jump","id":"j"}`,
		`{"type":"command","command":{"type":"start","by":{"role":"facilitator"}}}`,
		`{"type":"command"}`, `{}`, `[]`, `null`, `{"type":"x"}`, `{"type":"jump"} {"type":"jump"}`,
		`{"type":"command","id":"` + strings.Repeat("x", 100) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeClientMessage(data)
		_ = messageID(data)
		if err != nil {
			if m != nil {
				t.Fatal("error with a message")
			}
			return
		}
		switch m.Type {
		case "jump":
		case "command":
			if m.Command == nil || m.Command.Type == "" {
				t.Fatalf("accepted a command without a type: %q", data)
			}
		default:
			t.Fatalf("accepted message type %q", m.Type)
		}
		if len(m.ID) > 64 {
			t.Fatalf("accepted an id of %d bytes", len(m.ID))
		}
	})
}
