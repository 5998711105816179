package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
)

// socketPair returns both ends of a WebSocket: the server's and the
// client's.
func socketPair(t *testing.T) (server, client *websocket.Conn) {
	t.Helper()
	accepted := make(chan *websocket.Conn, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		accepted <- ws
	}))
	t.Cleanup(hs.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return <-accepted, client
}

// jsonOf returns a JSON message of about n bytes whose text is label.
func jsonOf(label string, n int) []byte {
	b := fmt.Appendf(nil, `{"type":"event","label":%q,"pad":"`, label)
	b = append(b, bytes.Repeat([]byte("x"), max(0, n-len(b)-2))...)
	return append(b, `"}`...)
}

// TestWriterBatchesQueuedMessages: the messages waiting in a connection's
// queue go out together in batch frames of at most MaxBatchSize, in order;
// one that does not fit waits for the next frame, and one larger than a
// batch goes alone, as it is. The first messages (welcome, replay) are
// batched the same way.
func TestWriterBatchesQueuedMessages(t *testing.T) {
	srvWS, clientWS := socketPair(t)
	c := &conn{ws: srvWS, m: &metrics{}, srv: &Server{},
		send: make(chan *outgoing, sendQueueLen), replies: make(chan []byte), done: make(chan struct{})}

	first := [][]byte{jsonOf("welcome", 80), jsonOf("replay", 300), jsonOf("caught_up", 60)}
	queued := [][]byte{
		jsonOf("a", 100), jsonOf("b", 200), jsonOf("c", 100), jsonOf("d", 40<<10), // one batch
		jsonOf("e", 30<<10),                // does not fit after d: alone, since f does not fit either
		jsonOf("f", MaxBatchSize+10),       // larger than a batch: alone
		jsonOf("g", 100), jsonOf("h", 100), // the last batch
	}
	for _, b := range queued {
		c.send <- newOutgoing(b)
	}
	c.bye = "moving elsewhere"
	close(c.send) // the writer sends what is queued, then closes
	stopped := make(chan struct{})
	c.wakes.Store(1) // as serveWS makes a connection, for the writer started here
	c.first = first
	go func() {
		defer close(stopped)
		c.writeAll()
	}()

	var got [][]byte
	var frames []string
	for {
		_, frame, err := clientWS.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseServiceRestart {
				t.Fatalf("the connection ended with %v, want close code %d", err, websocket.CloseServiceRestart)
			}
			break
		}
		msgs, err := SplitBatch(frame)
		if err != nil {
			t.Fatalf("frame %d: %v", len(frames)+1, err)
		}
		if len(msgs) > 1 && len(frame) > MaxBatchSize {
			t.Errorf("a batch of %d messages takes %d bytes, more than %d", len(msgs), len(frame), MaxBatchSize)
		}
		frames = append(frames, fmt.Sprint(len(msgs)))
		got = append(got, msgs...)
	}
	<-stopped

	want := append(append([][]byte{}, first...), queued...)
	if len(got) != len(want) {
		t.Fatalf("received %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("message %d is %.60s…, want %.60s…", i+1, got[i], want[i])
		}
	}
	// welcome+replay+caught_up, a–d, e, f, g–h.
	if got, want := strings.Join(frames, " "), "3 4 1 1 2"; got != want {
		t.Errorf("messages per frame: %s, want %s", got, want)
	}
	if n := c.m.messagesOut.Load(); n != int64(len(want)) {
		t.Errorf("messages sent counted %d, want %d", n, len(want))
	}
	if n := c.m.batches.Load(); n != 3 {
		t.Errorf("batches counted %d, want 3", n)
	}
}

// TestSplitBatch: a batch frame gives its messages, any other frame
// itself.
func TestSplitBatch(t *testing.T) {
	one := []byte(`{"type":"ack","id":"c1","seq":3}`)
	if got, err := SplitBatch(one); err != nil || len(got) != 1 || !bytes.Equal(got[0], one) {
		t.Errorf("SplitBatch(%s) = %q, %v", one, got, err)
	}
	frame := appendBatch(nil, [][]byte{one, []byte(`{"type":"status","seq":3}`)})
	got, err := SplitBatch(frame)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], one) || string(got[1]) != `{"type":"status","seq":3}` {
		t.Errorf("SplitBatch(%s) = %q, %v", frame, got, err)
	}
	if _, err := SplitBatch([]byte(`{"type":"batch","messages":[{"type":`)); err == nil {
		t.Error("a truncated batch was taken apart without an error")
	}
	// Strings are read byte by byte for their first 16 bytes, then
	// skipped: escaped quotes and backslashes on either side of that
	// boundary, and braces inside long strings, are still inside them.
	for n := 12; n <= 20; n++ {
		pad := strings.Repeat("x", n)
		msgs := [][]byte{
			[]byte(`{"a":"` + pad + `\"}{","b":"` + pad + `\\\\"}`),
			[]byte(`{"c":"` + pad + `\\","d":["` + pad + `]}\""]}`),
		}
		frame := appendBatch(nil, msgs)
		got, ok := splitServerBatch(frame)
		if !ok || len(got) != 2 || !bytes.Equal(got[0], msgs[0]) || !bytes.Equal(got[1], msgs[1]) {
			t.Errorf("padding %d: split %s into %q (ok %v)", n, frame, got, ok)
		}
	}
}

// FuzzSplitBatch: wherever the fast split of a server batch applies to a
// frame that is JSON, it gives exactly the messages decoding gives.
func FuzzSplitBatch(f *testing.F) {
	for _, s := range []string{
		`{"type":"batch","messages":[{"type":"ack","id":"c1","seq":3},{"type":"status","seq":3}]}`,
		`{"type":"batch","messages":[{"a":"}\"{","b":[{"c":"]"}]},{"d":"\\"}]}`,
		`{"type":"batch","messages":[{}]}`,
		`{"type":"batch","messages":[{"a":1},]}`,
		`{"type":"batch","messages":[[1],{"a":2}]}`,
		`{"type":"batch","messages":[{"a":[}]}`,
		`{"type":"batch","messages":[{"a":"x\\\"}y","b":"\\\\"},{"c":"\\\\\\\""}]}`,
		`{"type":"batch","messages":[{"a":"\\"}]}`,
		`{"type":"batch","messages":[{"a":"0123456789abcde\"}{","b":"0123456789abcdef\\"},{"c":"0123456789abcdefghij\"]}\"x"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		fast, ok := splitServerBatch(frame)
		if !ok || !json.Valid(frame) {
			return
		}
		var b struct {
			Messages []json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(frame, &b); err != nil {
			t.Fatalf("split %q fast, but it does not decode: %v", frame, err)
		}
		if len(b.Messages) != len(fast) {
			t.Fatalf("%q: split into %d messages, decoded into %d", frame, len(fast), len(b.Messages))
		}
		for i := range fast {
			if !bytes.Equal(fast[i], b.Messages[i]) {
				t.Fatalf("%q: message %d split as %q, decoded as %q", frame, i, fast[i], b.Messages[i])
			}
		}
	})
}

// TestAMessageAloneCostsNoAllocation: preparing a message and writing it
// alone to a connection allocates at most the message's own small
// holder, whatever the message's size; under load the server does this
// for thousands of messages a second, and what it allocates sets how
// often the garbage collector runs in the middle of a fan-out.
func TestAMessageAloneCostsNoAllocation(t *testing.T) {
	srvWS, clientWS := socketPair(t)
	c := &conn{ws: srvWS, m: &metrics{}, srv: &Server{}, send: make(chan *outgoing, sendQueueLen)}
	// The client reads the raw stream, not messages: a WebSocket reader
	// allocates for every message, and AllocsPerRun counts what every
	// goroutine allocates, so a reader scheduled in the middle of the
	// writes would be counted as the server's.
	received := make(chan int64, 1)
	go func() {
		n, _ := io.Copy(io.Discard, clientWS.UnderlyingConn())
		received <- n
	}()
	msg := jsonOf("inject", 1500)
	if len(msg) < 126 || len(msg) > 65535 {
		t.Fatalf("the message is %d bytes; the frame size below is for 126 to 65,535", len(msg))
	}
	// A server frame of that size: two header bytes, a 16-bit length, the
	// message unmasked.
	frame := int64(2 + 2 + len(msg))
	const writes = 200
	allocs := testing.AllocsPerRun(writes, func() {
		if err := c.writeQueued(newOutgoing(msg)); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("a message written alone made %.1f allocations, want at most 1", allocs)
	}
	srvWS.Close()
	if n := <-received; n != (writes+1)*frame { // AllocsPerRun runs once more first
		t.Errorf("the client received %d bytes, want %d messages of %d", n, writes+1, frame)
	}
}

// BenchmarkSplitBatch splits what a trainee typically receives with an
// inject while its team's status is held: the status and the delivery in
// one batch (what the load tool does for every frame).
func BenchmarkSplitBatch(b *testing.B) {
	st := &status{Status: engine.StatusRunning, Speed: 10, Now: time.Hour}
	ts := teamStatus{ID: "csirt-07", Name: "CSIRT 07", Online: []string{}, Open: []openExpectation{}}
	for i := range 40 {
		ts.Online = append(ts.Online, fmt.Sprintf("Trainee %d", i))
	}
	for i := range 12 {
		ts.Open = append(ts.Open, openExpectation{Inject: fmt.Sprintf("I%03d", i), Expectation: "ack", Action: "acknowledge", Deadline: time.Duration(i) * time.Minute})
	}
	st.Teams = []teamStatus{ts}
	statusMsg := encode(statusMessage{Type: "status", Seq: 1234, At: time.Hour, Status: st})
	inject := encode(map[string]any{"type": "event", "seq": 1235, "inject": map[string]any{
		"id": "adhoc-17", "title": "Ransomware note found on \"SCADA-02\"", "channel": "email",
		"body": strings.Repeat("The operator reports encrypted files and a note demanding payment. ", 10)}})
	frame := appendBatch(nil, [][]byte{statusMsg, inject})
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if msgs, err := SplitBatch(frame); err != nil || len(msgs) != 2 {
			b.Fatalf("split into %d messages, %v", len(msgs), err)
		}
	}
}
