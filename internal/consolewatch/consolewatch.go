// Package consolewatch opens a console of a running exercise (a staff
// member's or a trainee's) in headless Chromium and samples, once a period, how the page keeps up: how
// long the page takes to answer a trivial script (a page whose main thread
// is busy drawing answers late, and so would a click), whether its socket is
// online, the newest event its timeline shows, and its JavaScript heap.
//
// It measures what a facilitator's browser does while a load runs against
// the server (cmesim loadtest --url …): a staff console receives every
// team's events, thousands a second in a large exercise, and a trainee's
// those of a team of dozens.
package consolewatch

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"
)

// Options says which console to watch and for how long.
type Options struct {
	URL      string // the server's base URL
	AdminKey string // to read the exercise's join codes
	// Exercise is the exercise's id; "" waits for one to exist and takes
	// the newest.
	Exercise string
	// Role is the console: "facilitator" (the default), "evaluator",
	// "observer" or "trainee".
	Role string
	// Team is the team a trainee's console joins; "" takes the first in
	// the order of the team ids.
	Team     string
	Duration time.Duration // how long to sample, from the console's opening
	Every    time.Duration // the sampling period (default 1 s)
	Chromium string        // the browser's executable
	// Sampled, if set, is called with each sample as it is taken.
	Sampled func(Sample)
}

// Sample is what the console showed at one moment.
type Sample struct {
	At time.Duration // since the console opened
	// Answer is how long the page took to evaluate the sampling script: a
	// page that is drawing answers when it is done.
	Answer  time.Duration
	State   string // the socket's state as the page shows it (online, connecting, offline)
	Path    string // the page's path
	Entries int    // the timeline's entries
	Newest  uint64 // the seq of the newest event in the timeline
	HeapMB  float64
	Err     string // the evaluation's error, if it failed
}

// Report is a watch's samples.
type Report struct {
	Exercise string
	Role     string
	Samples  []Sample
}

// Watch opens the console and samples it until opts.Duration has passed or
// ctx ends.
func Watch(ctx context.Context, opts Options) (*Report, error) {
	if opts.Role == "" {
		opts.Role = "facilitator"
	}
	if opts.Every <= 0 {
		opts.Every = time.Second
	}
	id, code, err := joinCode(ctx, opts)
	if err != nil {
		return nil, err
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(opts.Chromium), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1366, 768))...)
	defer cancelAlloc()
	page, cancelPage := chromedp.NewContext(alloc)
	defer cancelPage()
	// The tab first, on the page's own context: a tab opened by a step
	// with a timeout would close when the step ends.
	if err := chromedp.Do(page); err != nil {
		return nil, fmt.Errorf("starting Chromium (%s): %w", opts.Chromium, err)
	}
	join, cancelJoin := context.WithTimeout(page, time.Minute)
	err = chromedp.Do(join, chromedp.Navigate(opts.URL+"/"), chromedp.WaitReady(chromedp.CSS("body")),
		chromedp.SendKeys(chromedp.CSS("#join-code"), code, chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS("#join-name"), "Console watch", chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS("#join-submit"), chromedp.NodeVisible))
	cancelJoin()
	if err != nil {
		return nil, fmt.Errorf("joining as %s: %w", opts.Role, err)
	}
	rep := &Report{Exercise: id, Role: opts.Role}
	start := time.Now()
	tick := time.NewTicker(opts.Every)
	defer tick.Stop()
	for time.Since(start) < opts.Duration {
		s := sample(page, opts.Every)
		s.At = time.Since(start)
		rep.Samples = append(rep.Samples, s)
		if opts.Sampled != nil {
			opts.Sampled(s)
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
		if ctx.Err() != nil { // also when a tick came with the end
			return rep, nil
		}
	}
	return rep, nil
}

// sampleScript reads the console's state in one evaluation.
const sampleScript = `JSON.stringify({
  state: document.querySelector('#conn-state')?.dataset.state || '',
  path: location.pathname,
  entries: document.querySelectorAll('#timeline li[data-seq]').length,
  newest: Number(document.querySelector('#timeline li[data-seq]')?.dataset.seq || 0),
  heap: ((performance.memory || {}).usedJSHeapSize || 0) / 1048576,
})`

// sample evaluates sampleScript, waiting for the page's answer up to a
// minute: a late answer is what is measured, not a failure.
func sample(page context.Context, every time.Duration) Sample {
	ctx, cancel := context.WithTimeout(page, max(time.Minute, every))
	defer cancel()
	began := time.Now()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](sampleScript))
	s := Sample{Answer: time.Since(began)}
	if err != nil {
		s.Err = err.Error()
		return s
	}
	var v struct {
		State   string  `json:"state"`
		Path    string  `json:"path"`
		Entries int     `json:"entries"`
		Newest  uint64  `json:"newest"`
		Heap    float64 `json:"heap"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		s.Err = err.Error()
		return s
	}
	s.State, s.Path, s.Entries, s.Newest, s.HeapMB = v.State, v.Path, v.Entries, v.Newest, v.Heap
	return s
}

// listedExercise is what joinCode reads of an exercise in the admin's
// list: its id and join codes by role (and "teams").
type listedExercise struct {
	ID    string         `json:"id"`
	Codes map[string]any `json:"codes"`
}

// joinCode signs in with the admin key and returns the exercise's id and
// the join code of opts.Role, waiting (until ctx ends) for an exercise to
// exist when opts.Exercise is "".
func joinCode(ctx context.Context, opts Options) (id, code string, err error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	call := func(method, path string, body any, out any) error {
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, opts.URL+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(b, out)
	}
	if err := call(http.MethodPost, "/api/admin/login", map[string]string{"key": opts.AdminKey}, nil); err != nil {
		return "", "", err
	}
	for {
		var list []listedExercise
		if err := call(http.MethodGet, "/api/exercises", nil, &list); err != nil {
			return "", "", err
		}
		i := len(list) - 1
		if opts.Exercise != "" {
			i = slices.IndexFunc(list, func(x listedExercise) bool { return x.ID == opts.Exercise })
		}
		if i >= 0 {
			code := roleCode(list[i].Codes, opts.Role, opts.Team)
			if code == "" {
				return "", "", fmt.Errorf("exercise %s has no %s code", list[i].ID, strconv.Quote(cmp.Or(opts.Team, opts.Role)))
			}
			return list[i].ID, code, nil
		}
		select {
		case <-ctx.Done():
			return "", "", errors.New("no exercise to watch")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// roleCode picks the join code of a role from an exercise's codes: a
// staff role's own, or for "trainee" the code of team (or of the first
// team by id when team is ""). It returns "" when there is none.
func roleCode(codes map[string]any, role, team string) string {
	if role != "trainee" {
		code, _ := codes[role].(string)
		return code
	}
	teams, _ := codes["teams"].(map[string]any)
	if team == "" {
		ids := slices.Sorted(maps.Keys(teams))
		if len(ids) == 0 {
			return ""
		}
		team = ids[0]
	}
	code, _ := teams[team].(string)
	return code
}

// Summary is a report in a few figures.
type Summary struct {
	Samples                      int
	AnswerP50, AnswerP90, Answer time.Duration // Answer is the slowest
	NotOnline                    int           // samples whose socket was not online
	Failed                       int           // samples whose evaluation failed
	Newest                       uint64        // the newest event the timeline showed
}

// Summary sums the report's samples up.
func (r *Report) Summary() Summary {
	s := Summary{Samples: len(r.Samples)}
	var answers []time.Duration
	for _, x := range r.Samples {
		switch {
		case x.Err != "":
			s.Failed++
			continue
		case x.State != "online":
			s.NotOnline++
		}
		answers = append(answers, x.Answer)
		s.Newest = max(s.Newest, x.Newest)
	}
	if len(answers) > 0 {
		slices.Sort(answers)
		at := func(q float64) time.Duration { return answers[int(q*float64(len(answers)-1))] }
		s.AnswerP50, s.AnswerP90, s.Answer = at(0.5), at(0.9), answers[len(answers)-1]
	}
	return s
}

// WriteText writes the summary as the command prints it.
func (r *Report) WriteText(w io.Writer) error {
	s := r.Summary()
	_, err := fmt.Fprintf(w, "%s console of exercise %s: %d samples; page answered in p50 %v, p90 %v, slowest %v; %d not online, %d failed; newest event shown %d\n",
		r.Role, r.Exercise, s.Samples, s.AnswerP50.Round(time.Millisecond), s.AnswerP90.Round(time.Millisecond), s.Answer.Round(time.Millisecond), s.NotOnline, s.Failed, s.Newest)
	return err
}
