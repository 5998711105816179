package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
	"cmesim/store/sqlite"
)

// TestCrashRecovery kills a real `cmesim serve` with SIGKILL at random
// moments, 20 times, while a facilitator and two trainees send actions over
// WebSockets. After every restart the exercise comes back from the SQLite
// store; at the end every action the server acknowledged is in the log
// exactly once, the sequence numbers run from 1 without a gap, and a
// replay of the seed and commands reproduces the log and the state.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a server 20 times")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	seed := rng.Uint64()
	rng = rand.New(rand.NewPCG(seed, 2))
	t.Logf("kill timing seed %d", seed)

	srv := startServer(t, bin, data)
	ex := srv.createExample(t, 3)

	people := []*person{
		{name: "Maria", code: ex.Codes.Facilitator, facilitator: true},
		{name: "Ana", code: ex.Codes.Teams["co-csirt"]},
		{name: "Luis", code: ex.Codes.Teams["pe-csirt"]},
	}
	for _, p := range people {
		p.client = newHTTPClient(t)
		srv.post(t, p.client, "/api/join", map[string]string{"code": p.code, "name": p.name}, nil)
	}

	acked := map[string]bool{} // unique texts the server acknowledged
	var mu sync.Mutex
	const kills = 20
	for round := 0; round <= kills; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, p := range people {
			ws := p.dial(t, srv.url, ex.ID)
			if p.facilitator {
				prepare(t, ws, round)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for text := range p.act(ctx, ws, round) {
					mu.Lock()
					acked[text] = true
					mu.Unlock()
				}
			}()
		}
		if round == kills {
			time.Sleep(300 * time.Millisecond)
			cancel()
			wg.Wait()
			srv.stop(t)
			break
		}
		time.Sleep(time.Duration(100+rng.IntN(500)) * time.Millisecond)
		srv.kill(t)
		cancel()
		wg.Wait()
		srv = startServer(t, bin, data)
	}

	db, err := sqlite.Open(filepath.Join(data, "cmesim.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events := storedLog(t, db, ex.ID)
	seen := map[string]int{}
	for _, e := range events {
		if e.Data.Command != nil && strings.HasPrefix(e.Data.Command.Text, "crash-") {
			seen[e.Data.Command.Text]++
		}
	}
	if len(acked) < 2*kills {
		t.Fatalf("only %d actions acknowledged in %d rounds: the test did not exercise the server", len(acked), kills)
	}
	for text := range acked {
		if seen[text] != 1 {
			t.Errorf("acknowledged action %q is in the log %d times, want once", text, seen[text])
		}
	}
	scn, problems := scenarios.LoadFile(exampleFile)
	if scn == nil {
		t.Fatal(problems)
	}
	replayed, err := engine.Rerun(scn, events, nil)
	if err != nil {
		t.Fatalf("the stored log does not replay: %v", err)
	}
	folded, err := engine.Fold(scn, events)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(folded, replayed.State()) {
		t.Fatal("the state folded from the log differs from the replayed state")
	}
	t.Logf("%d events, %d acknowledged actions, %d kills", len(events), len(acked), kills)
}

const crashAdminKey = "crash-test-admin-key-0123456789"

// storedLog returns an exercise's stored log, failing the test unless its
// sequence numbers run from 1 without a gap or a duplicate.
func storedLog(t *testing.T, st store.Store, exercise string) []engine.Event {
	t.Helper()
	events, err := st.Events(context.Background(), exercise, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		if e.Seq != uint64(i)+1 {
			t.Fatalf("event %d has seq %d: the log has a gap or a duplicate", i+1, e.Seq)
		}
	}
	return events
}

// exampleExercise is the answer to creating an exercise.
type exampleExercise struct {
	ID    string
	Codes struct {
		Facilitator string
		Teams       map[string]string
	}
}

// createExample signs in as admin and creates an exercise of the example
// scenario at 30× speed, with both teams played by people.
func (s *server) createExample(t *testing.T, seed uint64) exampleExercise {
	t.Helper()
	admin := newHTTPClient(t)
	s.post(t, admin, "/api/admin/login", map[string]string{"key": crashAdminKey}, nil)
	src, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var ex exampleExercise
	s.post(t, admin, "/api/exercises", map[string]any{"yaml": string(src), "speed": 30, "seed": seed, "humans": []string{"co-csirt", "pe-csirt"}}, &ex)
	return ex
}

// buildBinary compiles cmesim once for the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cmesim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a `cmesim serve` process.
type server struct {
	cmd *exec.Cmd
	url string
	log *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t *testing.T, bin, data string) *server {
	t.Helper()
	addr := freePort(t)
	var log bytes.Buffer
	cmd := exec.Command(bin, "serve", "--listen", addr, "--data", data, "--admin-key", crashAdminKey, "--exercise", "none", "--log-format", "json")
	cmd.Env = append(os.Environ(), "CMESIM_CONFIG=/dev/null")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, log: &log}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not become ready:\n%s", log.String())
	return nil
}

func (s *server) kill(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("server did not stop:\n%s", s.log.String())
	}
}

func newHTTPClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func (s *server) post(t *testing.T, c *http.Client, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := c.Post(s.url+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var msg bytes.Buffer
		msg.ReadFrom(resp.Body)
		t.Fatalf("POST %s: %s %s", path, resp.Status, msg.String())
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// person is a participant with a session that survives restarts.
type person struct {
	name, code  string
	facilitator bool
	client      *http.Client
	n           int
}

func (p *person) dial(t *testing.T, base, exercise string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{Jar: p.client.Jar, HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/exercises/"+exercise+"/ws", nil)
	if err != nil {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("%s: dial: %v %s", p.name, err, status)
	}
	return ws
}

type wsMessage struct {
	Type    string
	ID      string
	Code    string
	Message string
	Status  struct{ Status string }
}

// prepare gets the exercise running: started in the first round, resumed
// after a restart, and moved to the first inject so trainees can act.
func prepare(t *testing.T, ws *websocket.Conn, round int) {
	t.Helper()
	cmd := "resume"
	if round == 0 {
		cmd = "start"
	}
	send := func(v any) {
		ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if err := ws.WriteJSON(v); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "command", "id": "p1", "command": map[string]string{"type": cmd}})
	if round == 0 {
		send(map[string]any{"type": "jump", "id": "p2"})
	}
}

// act sends uniquely labelled actions until ctx is done or the connection
// breaks, and yields the label of each one the server acknowledged.
func (p *person) act(ctx context.Context, ws *websocket.Conn, round int) func(func(string) bool) {
	return func(yield func(string) bool) {
		defer ws.Close()
		pending := map[string]string{}
		var mu sync.Mutex
		acks := make(chan string, 64)
		go func() {
			defer close(acks)
			rd := &wsReader{ws: ws}
			for {
				ws.SetReadDeadline(time.Now().Add(10 * time.Second))
				var m wsMessage
				if err := rd.readJSON(&m); err != nil {
					return
				}
				if m.Type == "ack" {
					mu.Lock()
					text, ok := pending[m.ID]
					mu.Unlock()
					if ok {
						acks <- text
					}
				}
			}
		}()
		tick := time.NewTicker(130 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case text, ok := <-acks:
				if !ok {
					return
				}
				if !yield(text) {
					return
				}
			case <-tick.C:
				p.n++
				id := fmt.Sprintf("%s-%d-%d", p.name, round, p.n)
				text := "crash-" + id
				cmd := map[string]any{"type": "report", "inject": "I01", "text": text}
				if p.facilitator {
					cmd = map[string]any{"type": "note", "text": text}
				}
				mu.Lock()
				pending[id] = text
				mu.Unlock()
				ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if err := ws.WriteJSON(map[string]any{"type": "command", "id": id, "command": cmd}); err != nil {
					return
				}
			}
		}
	}
}
