package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
	"encoding/json"
	"bytes"

	"github.com/gorilla/websocket"

	"cmesim/web"
)

func TestSmoke(t *testing.T) {
	srv, err := web.New(web.Config{AdminKey: "0123456789abcdef0123"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	yaml, _ := os.ReadFile("../testdata/scenarios/valid/example.yaml")
	info, err := srv.CreateExercise(web.CreateRequest{YAML: string(yaml), Speed: 600, Humans: []string{"co-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	dial := func(code, name string) *websocket.Conn {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		b, _ := json.Marshal(map[string]string{"code": code, "name": name})
		resp, err := c.Post(ts.URL+"/api/join", "application/json", bytes.NewReader(b))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("join: %v %v", err, resp.Status)
		}
		d := websocket.Dialer{Jar: jar}
		ws, _, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/api/exercises/"+info.ID+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	fac := dial(info.Codes.Facilitator, "")
	tr := dial(info.Codes.Teams["co-csirt"], "Ana")
	fac.WriteJSON(map[string]any{"type": "command", "id": "1", "command": map[string]any{"type": "start"}})
	deadline := time.Now().Add(3 * time.Second)
	tr.SetReadDeadline(deadline)
	for {
		_, msg, err := tr.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("trainee got %.200s", msg)
		if strings.Contains(string(msg), `"inject.delivered"`) {
			break
		}
	}
	tr.WriteJSON(map[string]any{"type": "command", "id": "a1", "command": map[string]any{"type": "acknowledge", "inject": "I01"}})
	for {
		_, msg, err := tr.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("trainee got %.200s", msg)
		if strings.Contains(string(msg), `"ack"`) || strings.Contains(string(msg), `"error"`) {
			break
		}
	}
}
