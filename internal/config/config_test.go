package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"cmesim/internal/config"
)

// newFlags returns a flag set defining every config flag, parsed from args.
func newFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("log-level", "", "")
	fs.String("log-format", "", "")
	fs.String("listen", "", "")
	fs.String("data", "", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

// env returns a getenv backed by a map.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// writeFile writes a config file into a new temporary directory.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), config.FileName)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		cfg, err := config.LoadFrom(newFlags(t), env(nil), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg, config.Default(); got != want {
			t.Fatalf("config=%+v, want %+v", got, want)
		}
		if got, want := cfg.Listen, "127.0.0.1:8080"; got != want {
			t.Fatalf("Listen=%q, want %q", got, want)
		}
		if got, want := cfg.LogFormat, "auto"; got != want {
			t.Fatalf("LogFormat=%q, want %q", got, want)
		}
	})

	t.Run("Precedence", func(t *testing.T) {
		file := writeFile(t, "log_level: warn\nlog_format: console\nlisten: 127.0.0.1:9000\ndata_dir: /srv/file\n")
		vars := map[string]string{"CMESIM_LOG_FORMAT": "json", "CMESIM_LISTEN": "0.0.0.0:9001", "CMESIM_DATA_DIR": "/srv/env"}
		flags := newFlags(t, "--listen", ":9002")

		cfg, err := config.LoadFrom(flags, env(vars), file, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, got, want string }{
			{"LogLevel (file beats default)", cfg.LogLevel, "warn"},
			{"LogFormat (env beats file)", cfg.LogFormat, "json"},
			{"DataDir (env beats file)", cfg.DataDir, "/srv/env"},
			{"Listen (flag beats env and file)", cfg.Listen, ":9002"},
			{"File", cfg.File, file},
		} {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
	})

	t.Run("UnchangedFlagDoesNotOverride", func(t *testing.T) {
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		fs.String("log-level", "error", "") // a default, never given
		cfg, err := config.LoadFrom(fs, env(map[string]string{"CMESIM_LOG_LEVEL": "debug"}), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.LogLevel, "debug"; got != want {
			t.Fatalf("LogLevel=%q, want %q", got, want)
		}
	})

	t.Run("EmptyEnvIsUnset", func(t *testing.T) {
		file := writeFile(t, "log_level: error\n")
		cfg, err := config.LoadFrom(nil, env(map[string]string{"CMESIM_LOG_LEVEL": ""}), file, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.LogLevel, "error"; got != want {
			t.Fatalf("LogLevel=%q, want %q", got, want)
		}
	})

	t.Run("ValuesAreNormalised", func(t *testing.T) {
		cfg, err := config.LoadFrom(newFlags(t, "--log-level", "DEBUG"), env(nil), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.LogLevel, "debug"; got != want {
			t.Fatalf("LogLevel=%q, want %q", got, want)
		}
	})

	t.Run("SearchDirs", func(t *testing.T) {
		file := writeFile(t, "listen: 127.0.0.1:7000\n")
		dirs := []string{filepath.Join(t.TempDir(), "missing"), filepath.Dir(file)}
		cfg, err := config.LoadFrom(nil, env(nil), "", dirs)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Listen, "127.0.0.1:7000"; got != want {
			t.Fatalf("Listen=%q, want %q", got, want)
		}
		if got, want := cfg.File, file; got != want {
			t.Fatalf("File=%q, want %q", got, want)
		}
	})

	t.Run("EnvNamesConfigFile", func(t *testing.T) {
		file := writeFile(t, "log_level: error\n")
		cfg, err := config.LoadFrom(nil, env(map[string]string{"CMESIM_CONFIG": file}), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.LogLevel, "error"; got != want {
			t.Fatalf("LogLevel=%q, want %q", got, want)
		}
	})

	t.Run("EmptyFile", func(t *testing.T) {
		cfg, err := config.LoadFrom(nil, env(nil), writeFile(t, "# nothing set\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.LogLevel, "info"; got != want {
			t.Fatalf("LogLevel=%q, want %q", got, want)
		}
	})

	t.Run("ShippedDefaultFile", func(t *testing.T) {
		cfg, err := config.LoadFrom(nil, env(nil), filepath.Join("..", "..", "configs", config.FileName), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := config.Default()
		want.File = cfg.File
		if cfg != want {
			t.Fatalf("configs/cmesim.yaml gives %+v, want the defaults %+v", cfg, want)
		}
	})
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		file  string // config file text; "" for none
		env   map[string]string
		flags []string
		want  []string // substrings of the error
	}{
		{name: "ErrSyntax", file: "log_level: [debug\n", want: []string{"config file", "line"}},
		{name: "ErrNotAMapping", file: "- debug\n", want: []string{"config file", "key: value pairs"}},
		{name: "ErrMappingValue", file: "listen: {host: a}\n", want: []string{"listen must be a single value, not a mapping"}},
		{name: "ErrUnknownKey", file: "log_levle: debug\n", want: []string{`unknown key "log_levle"`, `did you mean "log_level"`, "known keys: log_level, log_format, listen, data_dir"}},
		{name: "ErrNestedKey", file: "log:\n  level: debug\n", want: []string{`unknown key "log.level"`}},
		{name: "ErrBadLevelInFile", file: "log_level: loud\n", want: []string{`log_level "loud"`, "from config file", "expected one of debug, info, warn, error"}},
		{name: "ErrBadFormatInEnv", env: map[string]string{"CMESIM_LOG_FORMAT": "xml"}, want: []string{`log_format "xml"`, "environment variable CMESIM_LOG_FORMAT", "auto, console, json"}},
		{name: "ErrBadListenFlag", flags: []string{"--listen", "8080"}, want: []string{`listen "8080"`, "flag --listen", "host:port"}},
		{name: "ErrBadPort", file: "listen: 'localhost:http'\n", want: []string{"port must be a number"}},
		{name: "ErrListValue", file: "listen: [a, b]\n", want: []string{"listen must be a single value"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := ""
			if c.file != "" {
				file = writeFile(t, c.file)
			}
			_, err := config.LoadFrom(newFlags(t, c.flags...), env(c.env), file, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}

	t.Run("ErrMissingNamedFile", func(t *testing.T) {
		_, err := config.LoadFrom(nil, env(nil), filepath.Join(t.TempDir(), "nope.yaml"), nil)
		if err == nil || !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("err=%v, want a missing-file error", err)
		}
	})
}

// TestLoadErrorsHideSecrets checks that no configuration error repeats a
// secret, wherever it was written.
func TestLoadErrorsHideSecrets(t *testing.T) {
	const secret = "hunter2"
	for _, c := range []struct {
		name string
		file string
		env  map[string]string
		want string // what the error says instead
	}{
		{name: "ShortAdminKeyInEnv", env: map[string]string{"CMESIM_ADMIN_KEY": secret}, want: "admin_key (7 characters, not shown)"},
		{name: "ShortAdminKeyInFile", file: "admin_key: " + secret + "\n", want: "admin_key (7 characters, not shown)"},
		{name: "StoreURLPassword", env: map[string]string{"CMESIM_STORE": "mysql://cmesim:" + secret + "@db/cmesim"}, want: `store "mysql://cmesim:xxxxx@db/cmesim"`},
		{name: "StoreQueryPassword", env: map[string]string{"CMESIM_STORE": "mysql://db/cmesim?password=" + secret}, want: "password=xxxxx"},
		{name: "StoreNotAURL", env: map[string]string{"CMESIM_STORE": secret}, want: "store (7 characters, not shown)"},
		{name: "SecretAloneInFile", file: secret + "-and-more-of-the-key\n", want: "key: value pairs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := ""
			if c.file != "" {
				file = writeFile(t, c.file)
			}
			_, err := config.LoadFrom(newFlags(t), env(c.env), file, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:4]) {
				t.Errorf("error %q shows the secret", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
}
