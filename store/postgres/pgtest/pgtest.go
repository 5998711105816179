// Package pgtest gives tests an empty PostgreSQL database of their own on
// the server named by the environment variable CMESIM_TEST_POSTGRES (which
// scripts/test.sh starts and sets).
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable with the test server's URL.
const EnvURL = "CMESIM_TEST_POSTGRES"

// NewDatabase creates an empty database on the test server, dropped when
// the test ends, and returns its URL. Without a server the test is skipped,
// except under CI=true, where PostgreSQL must be tested and it fails.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal(EnvURL + " is not set, and CI must test PostgreSQL; scripts/test.sh starts a server and sets it")
		}
		tb.Skip(EnvURL + " is not set (scripts/test.sh starts a PostgreSQL and sets it)")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s must be a postgres:// URL: %q", EnvURL, base)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connecting to %s: %v", EnvURL, err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	name := "cmesim_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("creating a database for the test: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("dropping the test's database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Connect opens a plain connection to url, closed when the test ends, to
// look at or change a database behind the store's back.
func Connect(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		tb.Fatalf("connecting to the test database: %v", err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Exec runs one statement on conn, failing the test on error.
func Exec(tb testing.TB, conn *pgx.Conn, sql string, args ...any) {
	tb.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}
