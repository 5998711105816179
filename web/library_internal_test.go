package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cmesim/internal/i18n"
	"cmesim/scenarios"
)

// TestMonteCarloStopsWhenCancelled checks that a preview whose request is
// gone stops instead of playing its thousand runs.
func TestMonteCarloStopsWhenCancelled(t *testing.T) {
	s, problems := scenarios.LoadLibrary("csirtamericas-network")
	if s == nil {
		t.Fatal(problems)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := monteCarlo(ctx, s, i18n.Lang("en")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestMonteCarloOneAtATime checks that a second preview while one runs is
// refused with 429 rather than queued.
func TestMonteCarloOneAtATime(t *testing.T) {
	srv, err := New(Config{AdminKey: "test-admin-key-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.library.monteCarlo <- struct{}{} // a preview is running
	rec := httptest.NewRecorder()
	src, _ := scenarios.LibrarySource("grid-ransomware")
	body, _ := json.Marshal(map[string]string{"yaml": string(src)})
	req := httptest.NewRequest(http.MethodPost, "/api/admin/montecarlo", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	srv.library.handleMonteCarlo(rec, req)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("second preview: %d %s", rec.Code, rec.Body)
	}
}
