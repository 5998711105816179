// Package config loads cmesim's settings from, in rising precedence, built-in
// defaults, a YAML config file, CMESIM_* environment variables and
// command-line flags.
//
// Every key has one name in each place: the file key log_level is the
// environment variable CMESIM_LOG_LEVEL and the flag --log-level. A flag
// counts only when it was given on the command line; an environment variable
// only when it is set and not empty. Errors name the key, the bad value and
// where it came from, so a facilitator can fix the right place; secrets
// (the admin key, a store URL's password) are never part of an error.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// FileName is the base name of the config file searched for.
const FileName = "cmesim.yaml"

// EnvPrefix starts the name of every environment variable cmesim reads.
const EnvPrefix = "CMESIM_"

// EnvConfigFile names the config file when --config is not given.
const EnvConfigFile = EnvPrefix + "CONFIG"

// The log formats: auto picks a human-readable console format when the log
// goes to a terminal and JSON otherwise.
const (
	FormatAuto    = "auto"
	FormatConsole = "console"
	FormatJSON    = "json"
)

// LogLevels are the accepted log levels, from the most to the least verbose.
var LogLevels = []string{"debug", "info", "warn", "error"}

// LogFormats are the accepted log formats.
var LogFormats = []string{FormatAuto, FormatConsole, FormatJSON}

// Config is cmesim's effective configuration.
type Config struct {
	// LogLevel is the least severe level logged: debug, info, warn or error.
	LogLevel string
	// LogFormat is auto, console or json.
	LogFormat string
	// Listen is the host:port the web server listens on.
	Listen string
	// DataDir holds the exercise store (event logs) and other state; empty
	// means the user's data directory (see DataPath).
	DataDir string
	// AdminKey protects creating exercises; when empty, cmesim serve makes
	// a random one at start and prints it in the admin link.
	AdminKey string
	// AllowedOrigins lists, comma-separated, the browser origins besides the
	// server's own that may open WebSockets (say, a reverse proxy's).
	AllowedOrigins string
	// Store chooses the exercise store: empty for embedded SQLite in
	// DataDir, or a postgres:// URL.
	Store string
	// Advertise is the base URL at which the other servers sharing a
	// PostgreSQL store reach this one; empty means http(s)://this host and
	// the listening port.
	Advertise string
	// Lease is how long an exercise waits for a new owner when the server
	// running it dies, with several servers on one PostgreSQL store (a Go
	// duration such as "15s").
	Lease string
	// TLSCert and TLSKey, both set, make cmesim serve HTTPS with these PEM
	// files (and mark cookies Secure).
	TLSCert string
	TLSKey  string
	// TrustedProxies lists, comma-separated, the CIDR prefixes (or single
	// addresses) of reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies string
	// MaxSocketsPerIP caps the WebSockets open at once from one client
	// address; "0" means no cap.
	MaxSocketsPerIP string
	// SessionQuota and TeamQuota are the commands and bytes of free text
	// one session and one team may send a minute, as "120/128KiB", or
	// "off".
	SessionQuota string
	TeamQuota    string
	// File is the config file that was read, or "" when none was.
	File string
}

// Default returns the configuration used when nothing overrides it.
func Default() Config {
	var c Config
	for _, k := range keys {
		*k.field(&c) = k.def
	}
	return c
}

// key describes one setting in all the places it can be set.
type key struct {
	name  string // file key
	flag  string // flag name, without "--"
	scope Scope  // the narrowest scope that reads it
	def   string
	field func(*Config) *string
	check func(string) (string, error) // normalises or rejects a value
	// redact, when set, marks a secret: errors show what it returns
	// instead of the value.
	redact func(string) string
}

// shown is how an error names the value v of key k: quoted, or redacted
// for a secret.
func (k key) shown(v string) string {
	if k.redact != nil {
		return k.redact(v)
	}
	return strconv.Quote(v)
}

// redactKey hides a secret key entirely, giving only its length.
func redactKey(v string) string {
	return fmt.Sprintf("(%d characters, not shown)", len(v))
}

// redactURL hides the password of a URL (in its user information or a
// password query parameter), or the whole value when it is no URL.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" {
		return redactKey(v)
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return strconv.Quote(u.Redacted())
}

func (k key) env() string { return EnvPrefix + strings.ToUpper(k.name) }

var keys = []key{
	{name: "log_level", scope: ScopeLog, flag: "log-level", def: "info", field: func(c *Config) *string { return &c.LogLevel }, check: oneOf("log level", LogLevels)},
	{name: "log_format", scope: ScopeLog, flag: "log-format", def: FormatAuto, field: func(c *Config) *string { return &c.LogFormat }, check: oneOf("log format", LogFormats)},
	{name: "listen", scope: ScopeServer, flag: "listen", def: "127.0.0.1:8080", field: func(c *Config) *string { return &c.Listen }, check: checkListen},
	{name: "data_dir", scope: ScopeStore, flag: "data", def: "", field: func(c *Config) *string { return &c.DataDir }, check: func(v string) (string, error) { return v, nil }},
	{name: "admin_key", scope: ScopeServer, flag: "admin-key", def: "", field: func(c *Config) *string { return &c.AdminKey }, check: checkAdminKey, redact: redactKey},
	{name: "allowed_origins", scope: ScopeServer, flag: "allowed-origins", def: "", field: func(c *Config) *string { return &c.AllowedOrigins }, check: checkOrigins},
	{name: "store", scope: ScopeStore, flag: "store", def: "", field: func(c *Config) *string { return &c.Store }, check: checkStore, redact: redactURL},
	{name: "advertise", scope: ScopeServer, flag: "advertise", def: "", field: func(c *Config) *string { return &c.Advertise }, check: checkAdvertise},
	{name: "lease", scope: ScopeServer, flag: "lease", def: "15s", field: func(c *Config) *string { return &c.Lease }, check: checkLease},
	{name: "tls_cert", scope: ScopeServer, flag: "tls-cert", def: "", field: func(c *Config) *string { return &c.TLSCert }, check: checkFile},
	{name: "tls_key", scope: ScopeServer, flag: "tls-key", def: "", field: func(c *Config) *string { return &c.TLSKey }, check: checkFile},
}

// checkStore accepts "" (embedded SQLite) or a PostgreSQL URL.
func checkStore(v string) (string, error) {
	if v == "" || strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
		return v, nil
	}
	return "", errors.New(`must be empty (embedded SQLite in data_dir) or a postgres:// URL`)
}

// checkAdvertise accepts "" or an http(s) base URL without a path.
func checkAdvertise(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return "", errors.New("must be the base URL other servers reach this one at, such as http://10.0.0.5:8080")
	}
	return strings.TrimRight(v, "/"), nil
}

// checkLease accepts a duration from 1s to 10m.
func checkLease(v string) (string, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second || d > 10*time.Minute {
		return "", errors.New("must be a duration from 1s to 10m, such as 15s")
	}
	return d.String(), nil
}

// LeaseDuration is Lease as a duration.
func (c Config) LeaseDuration() time.Duration {
	d, _ := time.ParseDuration(c.Lease)
	return d
}

// checkFile accepts "" or the path of a readable file.
func checkFile(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	f, err := os.Open(v)
	if err != nil {
		return "", fmt.Errorf("cannot read the file: %w", errors.Unwrap(err))
	}
	f.Close()
	return v, nil
}

// checkAdminKey rejects keys too short to resist guessing.
func checkAdminKey(v string) (string, error) {
	if v != "" && len(v) < 16 {
		return "", errors.New("must be at least 16 characters (or empty to generate one at start)")
	}
	return v, nil
}

// checkOrigins accepts a comma-separated list of http(s) origins.
func checkOrigins(v string) (string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return "", fmt.Errorf("origin %q must start with http:// or https://", o)
		}
		out = append(out, o)
	}
	return strings.Join(out, ","), nil
}

// Keys lists the config file keys in documentation order.
func Keys() []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.name
	}
	return out
}

// SearchDirs returns the directories searched for cmesim.yaml when no file
// is named: ./configs, the directory of the running binary, and /etc/cmesim.
func SearchDirs() []string {
	dirs := []string{"configs"}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	return append(dirs, "/etc/cmesim")
}

// Load builds the configuration from flags (only those given on the command
// line count; flags the set does not define are skipped), the environment
// read through getenv, and a config file: configFile when not empty, else
// the file named by $CMESIM_CONFIG, else the first cmesim.yaml found in
// SearchDirs. No file found is not an error; a named file that is missing is.
func Load(flags *pflag.FlagSet, getenv func(string) string, configFile string) (Config, error) {
	return LoadFrom(flags, getenv, configFile, SearchDirs())
}

// Scope says which settings a command reads, so that a bad value of a
// setting it does not read (a short admin key, a bad listen address)
// cannot stop it: an offline command validates no server setting.
type Scope int

const (
	// ScopeLog is the log's settings (log_level, log_format), which every
	// command reads.
	ScopeLog Scope = iota
	// ScopeStore adds the store's (data_dir, store): the commands that
	// open it.
	ScopeStore
	// ScopeServer is every setting: the server's.
	ScopeServer
)

// LoadFor is Load for a command that reads the settings of scope: the
// others keep their defaults, whatever the file, environment or flags say.
func LoadFor(scope Scope, flags *pflag.FlagSet, getenv func(string) string, configFile string) (Config, error) {
	return loadFrom(scope, flags, getenv, configFile, SearchDirs())
}

// LoadFrom is Load with the directories to search for cmesim.yaml given
// explicitly, so tests do not depend on the machine's /etc.
func LoadFrom(flags *pflag.FlagSet, getenv func(string) string, configFile string, dirs []string) (Config, error) {
	return loadFrom(ScopeServer, flags, getenv, configFile, dirs)
}

func loadFrom(scope Scope, flags *pflag.FlagSet, getenv func(string) string, configFile string, dirs []string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if configFile == "" {
		configFile = getenv(EnvConfigFile)
	}
	file, err := findFile(configFile, dirs)
	if err != nil {
		return Config{}, err
	}
	fileValues, err := readFile(file)
	if err != nil {
		return Config{}, err
	}
	cfg := Config{File: file}
	for _, k := range keys {
		if k.scope > scope {
			*k.field(&cfg) = k.def
			continue
		}
		val, from := k.def, "default"
		if v, ok := fileValues[k.name]; ok {
			val, from = v, "config file "+file
		}
		if v := getenv(k.env()); v != "" {
			val, from = v, "environment variable "+k.env()
		}
		if f := flagOf(flags, k.flag); f != nil && f.Changed {
			val, from = f.Value.String(), "flag --"+k.flag
		}
		norm, err := k.check(val)
		if err != nil {
			return Config{}, fmt.Errorf("%s %s (from %s): %w", k.name, k.shown(val), from, err)
		}
		*k.field(&cfg) = norm
	}
	return cfg, nil
}

func flagOf(flags *pflag.FlagSet, name string) *pflag.Flag {
	if flags == nil {
		return nil
	}
	return flags.Lookup(name)
}

// findFile returns the config file to read: explicit when given (it must
// exist), else the first FileName in dirs, else "".
func findFile(explicit string, dirs []string) (string, error) {
	if explicit != "" {
		info, err := os.Stat(explicit)
		if err != nil {
			return "", fmt.Errorf("config file %s: %w", explicit, unwrapPath(err))
		}
		if info.IsDir() {
			return "", fmt.Errorf("config file %s is a directory", explicit)
		}
		return explicit, nil
	}
	for _, dir := range dirs {
		p := filepath.Join(dir, FileName)
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p, nil
		}
	}
	return "", nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile reads a YAML config file with viper and returns its values as
// strings, rejecting unknown keys and values that are not single scalars.
func readFile(file string) (map[string]string, error) {
	out := map[string]string{}
	if file == "" {
		return out, nil
	}
	v := viper.New()
	v.SetConfigFile(file)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		var pe viper.ConfigParseError
		if errors.As(err, &pe) {
			err = pe.Unwrap()
		}
		return nil, fmt.Errorf("config file %s: %s", file, parseMessage(err))
	}
	known := Keys()
	for _, name := range v.AllKeys() {
		if parent, _, nested := strings.Cut(name, "."); nested && slices.Contains(known, parent) {
			return nil, fmt.Errorf("config file %s: %s must be a single value, not a mapping", file, parent)
		}
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("config file %s: unknown key %q%s; known keys: %s", file, name, suggest(name, known), strings.Join(known, ", "))
		}
	}
	for _, name := range known {
		if !v.InConfig(name) {
			continue
		}
		switch val := v.Get(name).(type) {
		case nil: // "key:" with no value leaves the default
		case string:
			out[name] = val
		case bool, int, int64, uint64, float64:
			out[name] = fmt.Sprint(val)
		case []any:
			return nil, fmt.Errorf("config file %s: %s must be a single value, not a list", file, name)
		default:
			return nil, fmt.Errorf("config file %s: %s must be a single value, not %T", file, name, val)
		}
	}
	return out, nil
}

// quotedText matches the text YAML errors quote from the file, such as
// "cannot unmarshal !!str `…`", which may be a secret written in the wrong
// place.
var quotedText = regexp.MustCompile("`[^`]*`")

// parseMessage turns a YAML parse error into one line, without the text it
// quotes from the file.
func parseMessage(err error) string {
	msg := strings.TrimPrefix(unwrapPath(err).Error(), "yaml: ")
	msg = quotedText.ReplaceAllString(msg, "a value")
	if strings.Contains(msg, "cannot unmarshal") {
		msg += " (the file must hold key: value pairs such as \"log_level: info\")"
	}
	return strings.Join(strings.Fields(msg), " ")
}

// suggest returns ` (did you mean "x"?)` when name is a likely typo of a
// known key: the same letters apart from '-' and '_', or at most two edits.
func suggest(name string, known []string) string {
	norm := strings.ReplaceAll(name, "-", "_")
	for _, k := range known {
		if k == norm || editDistance(name, k) <= 2 {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// oneOf accepts one of allowed, case-insensitively, and returns it in lower case.
func oneOf(what string, allowed []string) func(string) (string, error) {
	return func(s string) (string, error) {
		v := strings.ToLower(strings.TrimSpace(s))
		if slices.Contains(allowed, v) {
			return v, nil
		}
		return "", fmt.Errorf("unknown %s; expected one of %s", what, strings.Join(allowed, ", "))
	}
}

// checkListen accepts host:port with a numeric port; the host may be empty
// (all interfaces).
func checkListen(s string) (string, error) {
	s = strings.TrimSpace(s)
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", errors.New("expected host:port such as 127.0.0.1:8080 or :8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", errors.New("port must be a number from 0 to 65535")
	}
	return s, nil
}

// DataPath returns the directory for cmesim's data: DataDir when set, else
// $XDG_DATA_HOME/cmesim, else ~/.local/share/cmesim, else ./cmesim-data.
func (c Config) DataPath(getenv func(string) string) string {
	if c.DataDir != "" {
		return c.DataDir
	}
	if x := getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "cmesim")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "cmesim")
	}
	return "cmesim-data"
}
