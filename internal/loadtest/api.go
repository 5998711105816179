package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"time"
)

// participant is one person at the exercise: a cookie jar for their
// session and the loopback address they connect from.
type participant struct {
	name  string
	team  string // empty for the facilitator
	local *net.TCPAddr
	jar   http.CookieJar
	http  *http.Client
}

// localAddrKey carries a participant's source address to the dialer.
type localAddrKey struct{}

// dialer connects to the target from a participant's source address, and
// only ever to a loopback address.
type dialer struct{ net.Dialer }

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing to connect to %s: not a loopback address", addr)
	}
	nd := d.Dialer
	if a, ok := ctx.Value(localAddrKey{}).(*net.TCPAddr); ok && a != nil {
		nd.LocalAddr = a
	}
	return nd.DialContext(ctx, network, addr)
}

// newTransport returns the HTTP transport participants share. Keep-alives
// are off so that every request dials from its participant's address.
func newTransport(d *dialer) *http.Transport {
	return &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true, ResponseHeaderTimeout: 30 * time.Second}
}

func newParticipant(name, team string, local *net.TCPAddr, tr http.RoundTripper) *participant {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &participant{name: name, team: team, local: local, jar: jar, http: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}}
}

// ctx adds the participant's source address to ctx.
func (p *participant) ctx(ctx context.Context) context.Context {
	return context.WithValue(ctx, localAddrKey{}, p.local)
}

// apiError is the server's JSON error.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// post sends a JSON request and decodes a JSON answer into out.
func (p *participant) post(ctx context.Context, base, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(p.ctx(ctx), http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error    apiError `json:"error"`
			Problems []string `json:"problems"`
		}
		json.Unmarshal(b, &e)
		e.Error.Status = resp.StatusCode
		if e.Error.Code == "" {
			e.Error.Message = string(bytes.TrimSpace(b))
		}
		return &e.Error
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// created is the answer to POST /api/exercises.
type created struct {
	ID    string `json:"id"`
	Codes struct {
		Facilitator string            `json:"facilitator"`
		Teams       map[string]string `json:"teams"`
	} `json:"codes"`
}

// createExercise signs in as admin and uploads the scenario.
func createExercise(ctx context.Context, admin *participant, base, key, yaml string, speed float64, humans []string) (*created, error) {
	if err := admin.post(ctx, base, "/api/admin/login", map[string]string{"key": key}, nil); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	var c created
	req := map[string]any{"yaml": yaml, "seed": 1, "speed": speed, "humans": humans}
	if err := admin.post(ctx, base, "/api/exercises", req, &c); err != nil {
		return nil, fmt.Errorf("creating the exercise: %w", err)
	}
	return &c, nil
}

// join signs the participant in with code, retrying while the server
// answers 429 (too many failed sign-ins from one address) until ctx ends.
// A failure to connect is retried twice: under a burst of thousands of
// connections the kernel may refuse one.
func (p *participant) join(ctx context.Context, base, code string) error {
	backoff, failures := time.Second, 0
	for {
		err := p.post(ctx, base, "/api/join", map[string]string{"code": code, "name": p.name}, nil)
		e, ok := err.(*apiError)
		switch {
		case err == nil || ctx.Err() != nil:
			return err
		case !ok && failures < 2:
			failures++
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return err
			}
			continue
		case !ok || e.Status != http.StatusTooManyRequests:
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (the server kept answering 429 Too Many Requests to joins from %v)", ctx.Err(), p.local)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 4*time.Second)
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
