// Package browser starts a headless Chromium for end-to-end and screenshot
// tests. The test command installs Debian's chromium; in CI (CI=true) a
// missing browser fails the test instead of skipping it, so a broken set-up
// cannot pass unnoticed.
package browser

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path returns the Chromium executable: $CHROME_PATH, else the first of
// chromium, chromium-browser and google-chrome on PATH, else "".
func Path() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Require returns the Chromium executable for a test that needs one.
// Without one the test is skipped, or fails when CI=true.
func Require(tb testing.TB) string {
	tb.Helper()
	path := Path()
	if path == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("no Chromium found: scripts/test.sh installs Debian's chromium; set CHROME_PATH to use another")
		}
		tb.Skip("no Chromium found (run scripts/test.sh, or set CHROME_PATH)")
	}
	return path
}

// BrowserLifetime is how long a browser from New lives at most.
const BrowserLifetime = 10 * time.Minute

// New starts a headless browser for the test and returns a context for
// chromedp actions in its first tab; everything stops when the test ends.
// Without a browser the test is skipped, or fails when CI=true.
func New(tb testing.TB) context.Context {
	tb.Helper()
	path := Require(tb)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests may run as root in containers
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1366, 768),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound on a whole browser test, so that a hung browser fails it
	// rather than the package's timeout; generous, since a test on two
	// loaded cores under the race detector is slow, and every step waits on
	// a condition with its own timeout.
	ctx, cancelTimeout := context.WithTimeout(ctx, BrowserLifetime)
	tb.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // start the browser now, so failures name the cause
		tb.Fatalf("starting Chromium (%s): %v", path, err)
	}
	return ctx
}

// NewTab opens another tab (its own page and cookies are shared with the
// browser) from a context returned by New.
func NewTab(tb testing.TB, ctx context.Context) context.Context {
	tb.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	tb.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		tb.Fatalf("opening a tab: %v", err)
	}
	return tab
}

// Problems collects what the page of ctx writes to the console as errors or
// warnings, and its uncaught exceptions, from now on. Call the returned func
// to read what was collected so far.
func Problems(ctx context.Context) func() []string {
	var mu sync.Mutex
	var out []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch {
			case m.IsException(), m.Type == chromedp.ConsoleError, m.Type == chromedp.ConsoleWarning:
				mu.Lock()
				out = append(out, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), out...)
	}
}
