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
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"cmesim/internal/config"
	"cmesim/scenarios"
	"cmesim/store"
	"cmesim/store/postgres"
	"cmesim/store/sqlite"
	"cmesim/web"
)

// serveOptions are the flags of cmesim serve that are not config keys.
type serveOptions struct {
	exercise string
	// exerciseGiven says --exercise was given rather than defaulted.
	exerciseGiven bool
	speed         *speedFlag
}

func (a *app) newServeCommand() *cobra.Command {
	opts := serveOptions{speed: newSpeedFlag(1, false, maxLiveSpeed)}
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--exercise NAME|none]",
		Short: "Run the live exercise server: facilitator panel and trainee consoles",
		Long: `Serve runs the web server for live exercises. Facilitators create an
exercise from the bundled library or an uploaded scenario on the admin page
and drive it from the facilitator console; trainees join with their team's
code; observers and evaluators watch and take notes.

With no configuration it listens on 127.0.0.1:8080, keeps its exercises in
an embedded SQLite database under the user's data directory (--data), and,
when the database holds none yet, creates one exercise of the
grid-ransomware scenario (--exercise none to skip). It prints the links: the
facilitator's, and the admin page with its key (random unless admin_key is
configured). After a restart, exercises come back from the database: a
running one resumes paused, and every acknowledged action is in its log.`,
		Example: `  cmesim serve
  cmesim serve --listen :8080 --exercise none
  CMESIM_ADMIN_KEY=a-long-secret-key cmesim serve`,
		Args: argsUsage(cobra.NoArgs),
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			opts.exerciseGiven = cmd.Flags().Changed("exercise")
			return a.serve(cmd.Context(), opts)
		}),
	}
	f := cmd.Flags()
	f.String("listen", "", "host:port to listen on (default 127.0.0.1:8080; env CMESIM_LISTEN)")
	f.String("admin-key", "", "key that protects creating exercises (default: random, printed; env CMESIM_ADMIN_KEY)")
	f.String("allowed-origins", "", "extra browser origins allowed to open WebSockets and send changes, comma separated (env CMESIM_ALLOWED_ORIGINS)")
	f.String("trusted-proxies", "", "reverse proxies (CIDR prefixes or addresses, comma separated) whose X-Forwarded-For names the client (env CMESIM_TRUSTED_PROXIES)")
	f.String("max-sockets-per-ip", "", "WebSockets open at once from one client address, 0 for no cap (default 256; env CMESIM_MAX_SOCKETS_PER_IP)")
	f.String("session-quota", "", "commands and bytes of text one session may send a minute, or off (default 120/128KiB; env CMESIM_SESSION_QUOTA)")
	f.String("team-quota", "", "commands and bytes of text one team may send a minute, or off (default 600/512KiB; env CMESIM_TEAM_QUOTA)")
	f.String("data", "", "directory of the exercise store (default $XDG_DATA_HOME/cmesim or ~/.local/share/cmesim; env CMESIM_DATA_DIR)")
	f.String("store", "", "a postgres:// URL to keep exercises in PostgreSQL instead of SQLite (env CMESIM_STORE)")
	f.String("advertise", "", "with a PostgreSQL store, the base URL other servers reach this one at (env CMESIM_ADVERTISE)")
	f.String("lease", "", "with a PostgreSQL store, how long an exercise waits for a new server when its own dies (default 15s; env CMESIM_LEASE)")
	f.String("tls-cert", "", "PEM certificate `file`; with --tls-key, serve HTTPS (env CMESIM_TLS_CERT)")
	f.String("tls-key", "", "PEM private key `file` (env CMESIM_TLS_KEY)")
	f.StringVar(&opts.exercise, "exercise", "grid-ransomware", "bundled scenario to create an exercise of at start, or none")
	f.Var(opts.speed, "speed", "pace of that exercise: a multiple of real time such as 1x or 60x")
	return cmd
}

// serverGCPercent is the garbage collector's target for the server: half
// Go's default, trading a little CPU (the server is mostly idle) for memory,
// so 10,000 idle WebSockets stay under 500 MB. GOGC overrides it.
const serverGCPercent = 50

func (a *app) serve(ctx context.Context, opts serveOptions) error {
	if a.getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	create := opts.exercise != "" && opts.exercise != "none" // an exercise to create in an empty store
	if create && !slices.Contains(scenarios.Library(), opts.exercise) {
		return usageError(fmt.Errorf("serve: --exercise %q: no bundled scenario has that name (cmesim library lists them; none creates no exercise; upload your own on the admin page)", opts.exercise))
	}
	dataDir := a.cfg.DataPath(a.getenv)
	key := a.cfg.AdminKey
	if key == "" {
		var err error
		if key, err = adminKeyFile(dataDir); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	var origins []string
	if a.cfg.AllowedOrigins != "" {
		origins = strings.Split(a.cfg.AllowedOrigins, ",")
	}
	useTLS := a.cfg.TLSCert != "" || a.cfg.TLSKey != ""
	if useTLS && (a.cfg.TLSCert == "" || a.cfg.TLSKey == "") {
		return usageError(errors.New("serve: set both tls_cert and tls_key, or neither"))
	}
	db, where, err := a.openServerStore(ctx, dataDir)
	if err != nil {
		return fmt.Errorf("serve: opening the exercise store: %w", err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	base := scheme + linkHost(ln.Addr().String())
	var cluster *web.ClusterConfig
	if _, shared := db.(store.Cluster); shared {
		advertise := a.cfg.Advertise
		if advertise == "" {
			advertise = scheme + advertiseHost(ln.Addr().String())
		}
		cluster = &web.ClusterConfig{Holder: store.Holder{ID: uuid.NewString(), Address: advertise}, Lease: a.cfg.LeaseDuration()}
		a.log.Info().Str("advertise", advertise).Str("lease", a.cfg.Lease).Msg("sharing the store with other servers")
	}
	srv, err := web.New(web.Config{AdminKey: key, AllowedOrigins: origins, SecureCookies: useTLS, Log: a.log, Store: db, Cluster: cluster,
		TrustedProxies: a.cfg.TrustedProxyPrefixes(), MaxSocketsPerIP: a.cfg.SocketsPerIP(), Quotas: quotasOf(a.cfg)})
	if err != nil {
		return err
	}
	defer srv.Close()
	restored, err := srv.Restore(ctx)
	if err != nil {
		return fmt.Errorf("serve: restoring exercises: %w", err)
	}
	a.log.Info().Str("store", where).Int("exercises", restored).Msg("exercise store open")
	var fac *web.ExerciseInfo
	if create && restored > 0 && opts.exerciseGiven {
		a.log.Info().Str("exercise", opts.exercise).Int("exercises", restored).Msg("the store already holds exercises: --exercise creates one only in an empty store; create more on the admin page")
	}
	if create && restored == 0 {
		if fac, err = srv.CreateExercise(web.CreateRequest{Scenario: opts.exercise, Seed: 1, Speed: opts.speed.value}); err != nil {
			ln.Close()
			return fmt.Errorf("serve: creating the %s exercise: %w", opts.exercise, err)
		}
	}
	printLinks(a.stdout, base, key, a.cfg.AdminKey == "", fac, srv.Exercises(ctx))
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

// openServerStore opens the configured store: embedded SQLite in the data
// directory, or PostgreSQL for `store: postgres://…`. It also says where the
// store is, for the log (without a password).
func (a *app) openServerStore(ctx context.Context, dataDir string) (store.Store, string, error) {
	if a.cfg.Store != "" {
		db, err := postgres.Open(ctx, a.cfg.Store)
		if err != nil {
			return nil, "", err
		}
		where := "postgres"
		if u, err := url.Parse(a.cfg.Store); err == nil {
			where = u.Redacted()
		}
		return db, where, nil
	}
	path := filepath.Join(dataDir, "cmesim.db")
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, "", err
	}
	return db, path, nil
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

// advertiseHost is the host:port other machines reach a listening address
// at: a wildcard host becomes this machine's name.
func advertiseHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return net.JoinHostPort(host, port)
}

// adminKeyFile returns the admin key kept in dir/admin.key, making a random
// one on first use, so the key stays the same across restarts.
func adminKeyFile(dir string) (string, error) {
	path := filepath.Join(dir, "admin.key")
	if b, err := os.ReadFile(path); err == nil {
		if key := strings.TrimSpace(string(b)); len(key) >= 16 {
			return key, nil
		}
		return "", fmt.Errorf("%s holds no usable admin key (16 characters or more); remove it to make a new one", path)
	}
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	key := base64.RawURLEncoding.EncodeToString(buf)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", err
	}
	return key, nil
}

// printLinks tells the person who started the server where to go.
func printLinks(w io.Writer, base, key string, generated bool, created *web.ExerciseInfo, all []web.ExerciseInfo) {
	fmt.Fprintf(w, "cmesim is serving on %s\n\n", base)
	for _, ex := range all {
		note := ""
		if created == nil || ex.ID != created.ID {
			note = fmt.Sprintf(" (restored, %s)", ex.Status)
		}
		fmt.Fprintf(w, "  Facilitator of %q%s:\n    %s/?code=%s\n    exercise id %s (for export, report --exercise, invite)\n\n", ex.Title, note, base, ex.Codes.Facilitator, ex.ID)
	}
	fmt.Fprintf(w, "  Admin page (create exercises):\n    %s/admin.html\n", base)
	if generated {
		fmt.Fprintf(w, "    admin key: %s   (kept in the data directory; set admin_key to choose one)\n", key)
	}
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
}

// quotasOf turns the configured session and team quotas into the server's.
func quotasOf(c config.Config) web.Quotas {
	sq, tq := c.SessionQuotas(), c.TeamQuotas()
	return web.Quotas{SessionCommands: sq.Commands, SessionText: sq.TextBytes, TeamCommands: tq.Commands, TeamText: tq.TextBytes}
}
