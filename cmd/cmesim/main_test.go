package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one cmesim invocation did.
type result struct {
	code           int
	stdout, stderr string
}

// cmesim runs the CLI in-process with the given environment. Unless env
// names a config file, it points CMESIM_CONFIG at an empty one, so a
// cmesim.yaml on the test machine cannot change the outcome.
func cmesim(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	vars := map[string]string{}
	for k, v := range env {
		vars[k] = v
	}
	if _, ok := vars["CMESIM_CONFIG"]; !ok {
		vars["CMESIM_CONFIG"] = writeTemp(t, "cmesim.yaml", "# empty\n")
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr, func(k string) string { return vars[k] })
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeTemp writes a file into a new temporary directory and returns its path.
func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// exampleFile is the worked example of the scenario format.
var exampleFile = filepath.Join("..", "..", "testdata", "scenarios", "valid", "example.yaml")

// readExample returns the example scenario's text.
func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (r result) wantCode(t *testing.T, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

func TestRun(t *testing.T) {
	t.Run("NoArgsPrintsHelp", func(t *testing.T) {
		r := cmesim(t, nil)
		r.wantCode(t, exitOK)
		for _, want := range []string{"Usage:", "validate", "describe", "schema", "library", "version"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("help lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("ErrUnknownCommand", func(t *testing.T) {
		r := cmesim(t, nil, "frobnicate")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "--help") {
			t.Fatalf("stderr=%q", r.stderr)
		}
	})

	t.Run("ErrUnknownFlag", func(t *testing.T) {
		cmesim(t, nil, "validate", "--frobnicate", exampleFile).wantCode(t, exitUsage)
	})

	t.Run("HelpSkipsBrokenConfig", func(t *testing.T) {
		bad := writeTemp(t, "cmesim.yaml", "log_level: loud\n")
		cmesim(t, map[string]string{"CMESIM_CONFIG": bad}, "help").wantCode(t, exitOK)
	})
}

// debugRecord returns the "configuration loaded" debug record a run logged
// as JSON on stderr, or nil when there is none.
func debugRecord(t *testing.T, stderr string) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["message"] == "configuration loaded" {
			return rec
		}
	}
	return nil
}

// TestConfigPrecedence checks flag > environment > file > default through
// the real command line, reading the effective settings from the debug log.
func TestConfigPrecedence(t *testing.T) {
	// The data directories do not exist: export, which reads the store,
	// stops at once, after logging the configuration it loaded. (The
	// precedence of every key is internal/config's test.)
	fromFile, fromEnv := filepath.Join(t.TempDir(), "from-file"), filepath.Join(t.TempDir(), "from-env")
	file := writeTemp(t, "cmesim.yaml", "log_level: debug\nlog_format: json\nlisten: 127.0.0.1:9001\ndata_dir: "+fromFile+"\n")
	export := []string{"export", "x", "-o", filepath.Join(t.TempDir(), "x.tar.gz")}

	t.Run("File", func(t *testing.T) {
		r := cmesim(t, nil, append([]string{"--config", file}, export...)...)
		rec := debugRecord(t, r.stderr)
		if rec == nil {
			t.Fatalf("no JSON debug record on stderr: %q", r.stderr)
		}
		if got, want := rec["data_dir"], fromFile; got != want {
			t.Errorf("data_dir=%v, want %v", got, want)
		}
		if got, want := rec["config_file"], file; got != want {
			t.Errorf("config_file=%v, want %v", got, want)
		}
		if !strings.Contains(r.stderr, "no exercise store in "+fromFile) {
			t.Errorf("export did not look in the file's data_dir: %s", r.stderr)
		}
	})

	t.Run("EnvNamesFile", func(t *testing.T) {
		r := cmesim(t, map[string]string{"CMESIM_CONFIG": file}, "version")
		if debugRecord(t, r.stderr) == nil {
			t.Fatalf("CMESIM_CONFIG was not read: %q", r.stderr)
		}
	})

	t.Run("EnvBeatsFile", func(t *testing.T) {
		r := cmesim(t, map[string]string{"CMESIM_DATA_DIR": fromEnv}, append([]string{"--config", file}, export...)...)
		rec := debugRecord(t, r.stderr)
		if rec == nil {
			t.Fatalf("no debug record: %q", r.stderr)
		}
		if got, want := rec["data_dir"], fromEnv; got != want {
			t.Errorf("data_dir=%v, want %v", got, want)
		}
	})

	t.Run("EnvLevelBeatsFile", func(t *testing.T) {
		r := cmesim(t, map[string]string{"CMESIM_LOG_LEVEL": "warn"}, "--config", file, "version")
		r.wantCode(t, exitOK)
		if debugRecord(t, r.stderr) != nil {
			t.Fatalf("debug logged although CMESIM_LOG_LEVEL=warn: %q", r.stderr)
		}
	})

	t.Run("FlagBeatsEnv", func(t *testing.T) {
		r := cmesim(t, map[string]string{"CMESIM_LOG_LEVEL": "warn", "CMESIM_LOG_FORMAT": "console"}, "--config", file, "--log-level", "debug", "--log-format", "json", "version")
		if debugRecord(t, r.stderr) == nil {
			t.Fatalf("--log-level debug --log-format json did not win over the environment: %q", r.stderr)
		}
	})

	t.Run("Default", func(t *testing.T) {
		r := cmesim(t, nil, "--log-level", "debug", "--log-format", "json", "version")
		rec := debugRecord(t, r.stderr)
		if rec == nil {
			t.Fatalf("no debug record: %q", r.stderr)
		}
		if got, want := rec["listen"], "127.0.0.1:8080"; got != want {
			t.Errorf("listen=%v, want %v", got, want)
		}
	})

	t.Run("ErrBadFile", func(t *testing.T) {
		bad := writeTemp(t, "cmesim.yaml", "log_level: loud\n")
		r := cmesim(t, nil, "--config", bad, "version")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, `log_level "loud"`) || !strings.Contains(r.stderr, bad) {
			t.Fatalf("stderr=%q", r.stderr)
		}
		if strings.Contains(r.stderr, "--help") {
			t.Errorf("a configuration error points to --help: %q", r.stderr)
		}
	})

	t.Run("ErrUnknownKey", func(t *testing.T) {
		bad := writeTemp(t, "cmesim.yaml", "listen_addr: :80\n")
		r := cmesim(t, nil, "--config", bad, "version")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, `unknown key "listen_addr"`) {
			t.Fatalf("stderr=%q", r.stderr)
		}
	})

	t.Run("ErrBadFlag", func(t *testing.T) {
		r := cmesim(t, nil, "--log-level", "loud", "version")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "flag --log-level") {
			t.Fatalf("stderr=%q", r.stderr)
		}
	})
}
