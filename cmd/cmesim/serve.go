package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cmesim/web"
)

// serveOptions are the flags of cmesim serve that are not config keys.
type serveOptions struct {
	exercise string
	speed    float64
}

func (a *app) newServeCommand() *cobra.Command {
	var opts serveOptions
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--exercise NAME|none]",
		Short: "Run the live exercise server: facilitator panel and trainee consoles",
		Long: `Serve runs the web server for live exercises. Facilitators create an
exercise from the bundled library or an uploaded scenario on the admin page
and drive it from the facilitator console; trainees join with their team's
code; observers and evaluators watch and take notes.

With no configuration it listens on 127.0.0.1:8080, creates one exercise of
the grid-ransomware scenario (--exercise none to skip) and prints the links:
the facilitator's, and the admin page with its key (random unless admin_key
is configured).`,
		Example: `  cmesim serve
  cmesim serve --listen :8080 --exercise none
  CMESIM_ADMIN_KEY=a-long-secret-key cmesim serve`,
		Args: argsUsage(cobra.NoArgs),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			return a.serve(cmd.Context(), opts)
		}),
	}
	f := cmd.Flags()
	f.String("listen", "", "host:port to listen on (default 127.0.0.1:8080; env CMESIM_LISTEN)")
	f.String("admin-key", "", "key that protects creating exercises (default: random, printed; env CMESIM_ADMIN_KEY)")
	f.String("allowed-origins", "", "extra browser origins allowed to open WebSockets, comma separated (env CMESIM_ALLOWED_ORIGINS)")
	f.String("tls-cert", "", "PEM certificate `file`; with --tls-key, serve HTTPS (env CMESIM_TLS_CERT)")
	f.String("tls-key", "", "PEM private key `file` (env CMESIM_TLS_KEY)")
	f.StringVar(&opts.exercise, "exercise", "grid-ransomware", "bundled scenario to create an exercise of at start, or none")
	f.Float64Var(&opts.speed, "speed", 1, "pace of that exercise, in multiples of real time")
	return cmd
}

func (a *app) serve(ctx context.Context, opts serveOptions) error {
	key := a.cfg.AdminKey
	if key == "" {
		key = randomKey()
	}
	var origins []string
	if a.cfg.AllowedOrigins != "" {
		origins = strings.Split(a.cfg.AllowedOrigins, ",")
	}
	useTLS := a.cfg.TLSCert != "" || a.cfg.TLSKey != ""
	if useTLS && (a.cfg.TLSCert == "" || a.cfg.TLSKey == "") {
		return usageError(errors.New("serve: set both tls_cert and tls_key, or neither"))
	}
	srv, err := web.New(web.Config{AdminKey: key, AllowedOrigins: origins, SecureCookies: useTLS, Log: a.log})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	base := scheme + linkHost(ln.Addr().String())
	var fac *web.ExerciseInfo
	if opts.exercise != "" && opts.exercise != "none" {
		if fac, err = srv.CreateExercise(web.CreateRequest{Scenario: opts.exercise, Seed: 1, Speed: opts.speed}); err != nil {
			ln.Close()
			return fmt.Errorf("serve: creating the %s exercise: %w", opts.exercise, err)
		}
	}
	printLinks(a.stdout, base, key, a.cfg.AdminKey == "", fac)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- hs.ServeTLS(ln, a.cfg.TLSCert, a.cfg.TLSKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	a.log.Info().Str("listen", ln.Addr().String()).Msg("serving")
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info().Msg("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Close() // ends exercises and their WebSockets, so Shutdown need not wait for them
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// linkHost turns a listening address into one a browser on this machine can
// open: a wildcard host becomes localhost.
func linkHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func randomKey() string {
	buf := make([]byte, 18)
	rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// printLinks tells the person who started the server where to go.
func printLinks(w io.Writer, base, key string, generated bool, ex *web.ExerciseInfo) {
	fmt.Fprintf(w, "cmesim is serving on %s\n\n", base)
	if ex != nil {
		fmt.Fprintf(w, "  Facilitator of %q:\n    %s/?code=%s\n\n", ex.Title, base, ex.Codes.Facilitator)
	}
	fmt.Fprintf(w, "  Admin page (create exercises):\n    %s/admin.html\n", base)
	if generated {
		fmt.Fprintf(w, "    admin key: %s   (random for this run; set admin_key to keep one)\n", key)
	}
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
}
