package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long the server has to exit after SIGTERM before it is
// killed.
const stopGrace = 5 * time.Second

// clusterLease is the lease of servers sharing a store: serve's default,
// given explicitly so that a run does not depend on it.
const clusterLease = 15 * time.Second

// serverOptions are what the servers of one run share.
type serverOptions struct {
	key   string // the admin key
	store string // a postgres:// URL, or "" for a SQLite database of its own
}

// startServers starts cfg.Servers servers, one after the other (the first
// creates the database's tables). On failure it returns those it started,
// for stopServers.
func startServers(ctx context.Context, cfg Config) ([]*serverProcess, error) {
	exe := cfg.ServerExe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("finding the cmesim executable to start: %w", err)
		}
	}
	what := exe + " serve"
	if cfg.Servers > 1 {
		what = fmt.Sprintf("%d × %s", cfg.Servers, what)
	}
	if cfg.Store != "" {
		what += " on " + redactURL(cfg.Store)
	}
	fmt.Fprintf(cfg.Progress, "loadtest: starting %s\n", what)
	opts := serverOptions{key: randomKey(), store: cfg.Store}
	var procs []*serverProcess
	for i := range cfg.Servers {
		sp, err := startServer(ctx, exe, opts)
		if err != nil {
			if cfg.Servers > 1 {
				err = fmt.Errorf("server %d: %w", i+1, err)
			}
			return procs, err
		}
		procs = append(procs, sp)
	}
	return procs, nil
}

// stopServers stops the servers, the last started first: stopping the
// first, which owns the exercise, would have another take it over.
func stopServers(procs []*serverProcess) error {
	var first error
	for i := len(procs) - 1; i >= 0; i-- {
		if err := procs[i].stop(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// serverProcess is a cmesim serve the tool started and owns.
type serverProcess struct {
	cmd     *exec.Cmd
	dir     string // temporary: config, data and log
	logPath string
	url     string
	key     string
	exited  chan struct{}
	waitErr error
}

// startServer runs exe as "cmesim serve" on a free loopback port with the
// admin key of opts, a temporary data directory (its SQLite store, on the
// same disk as os.TempDir, unless opts has a PostgreSQL store, which it
// then shares with the run's other servers, advertising its own address)
// and its log in a temporary file, and waits until it is ready. A port
// taken between choosing and binding it is retried.
func startServer(ctx context.Context, exe string, opts serverOptions) (*serverProcess, error) {
	var lastErr error
	for range 3 {
		sp, err := startServerOnce(ctx, exe, opts)
		if err == nil {
			return sp, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func startServerOnce(ctx context.Context, exe string, opts serverOptions) (*serverProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cmesim-loadtest-")
	if err != nil {
		return nil, err
	}
	sp := &serverProcess{dir: dir, logPath: filepath.Join(dir, "server.log"), key: opts.key, exited: make(chan struct{})}
	sp.url = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	fail := func(err error) (*serverProcess, error) {
		sp.stop()
		return nil, err
	}
	config := filepath.Join(dir, "cmesim.yaml")
	settings := "log_level: info\nlog_format: json\n"
	if !canSpread(net.IPv4(127, 0, 0, 1)) {
		// Every trainee will connect from 127.0.0.1: lift the server's cap
		// of WebSockets per client address.
		settings += "max_sockets_per_ip: 0\n"
	}
	if err := os.WriteFile(config, []byte(settings), 0o600); err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return fail(err)
	}
	logFile, err := os.OpenFile(sp.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close() // the child has its own descriptor
	args := []string{"serve", "--config", config, "--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		"--data", data, "--exercise", "none"}
	if opts.store != "" {
		args = append(args, "--advertise", sp.url, "--lease", clusterLease.String())
	}
	sp.cmd = exec.Command(exe, args...)
	// The admin key and the store's URL (which may hold a password) go in
	// the environment rather than on the command line, where every user of
	// the machine could read them.
	sp.cmd.Env = append(serverEnv(os.Environ()), "CMESIM_ADMIN_KEY="+sp.key)
	if opts.store != "" {
		sp.cmd.Env = append(sp.cmd.Env, "CMESIM_STORE="+opts.store)
	}
	sp.cmd.Stdout, sp.cmd.Stderr = logFile, logFile
	sp.cmd.SysProcAttr = childAttr()
	if err := sp.cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting %s serve: %w", exe, err))
	}
	go func() {
		sp.waitErr = sp.cmd.Wait()
		close(sp.exited)
	}()
	if err := sp.waitReady(ctx, 20*time.Second); err != nil {
		return fail(err)
	}
	return sp, nil
}

// serverEnv is the tool's environment without CMESIM_ settings, so the
// server is configured only by what the tool passes.
func serverEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "CMESIM_") {
			out = append(out, kv)
		}
	}
	return out
}

// waitReady polls /readyz until it answers ok, the server exits or the
// timeout passes.
func (sp *serverProcess) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sp.url+"/readyz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-sp.exited:
			return fmt.Errorf("the server exited before it was ready (%v); its log:\n%s", sp.waitErr, sp.logTail(20))
		case <-ctx.Done():
			return fmt.Errorf("the server was not ready within %s; its log:\n%s", timeout, sp.logTail(20))
		case <-tick.C:
		}
	}
}

// pid is the server's process id.
func (sp *serverProcess) pid() int { return sp.cmd.Process.Pid }

// stop ends the server (SIGTERM, then SIGKILL after stopGrace) and removes
// its temporary directory. It is safe to call on a half-started server.
func (sp *serverProcess) stop() error {
	var err error
	if sp.cmd != nil && sp.cmd.Process != nil {
		select {
		case <-sp.exited:
		default:
			sp.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-sp.exited:
			case <-time.After(stopGrace):
				sp.cmd.Process.Kill()
				<-sp.exited
				err = errors.New("the server did not stop within 5 s of SIGTERM and was killed")
			}
		}
	}
	if sp.dir != "" {
		os.RemoveAll(sp.dir)
	}
	return err
}

// logTail returns the last n lines of the server's log.
func (sp *serverProcess) logTail(n int) string {
	b, err := os.ReadFile(sp.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + string(bytes.Join(lines, []byte("\n  ")))
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the server binds it; startServer retries then.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomKey() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
