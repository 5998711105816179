package logging_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"cmesim/internal/logging"
)

func TestNew(t *testing.T) {
	t.Run("JSON", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := logging.New(&buf, "info", "json")
		if err != nil {
			t.Fatal(err)
		}
		log.Info().Str("scenario", "x").Msg("loaded")
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("not one JSON object: %q: %v", buf.String(), err)
		}
		for k, want := range map[string]string{"level": "info", "message": "loaded", "scenario": "x"} {
			if got := rec[k]; got != want {
				t.Errorf("%s=%v, want %q", k, got, want)
			}
		}
		if _, ok := rec["time"]; !ok {
			t.Error("no time field")
		}
	})

	t.Run("AutoIsJSONWhenNotATerminal", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := logging.New(&buf, "info", "auto")
		if err != nil {
			t.Fatal(err)
		}
		log.Info().Msg("hello")
		if !json.Valid(bytes.TrimSpace(buf.Bytes())) {
			t.Fatalf("auto format to a buffer is not JSON: %q", buf.String())
		}
	})

	t.Run("Console", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := logging.New(&buf, "info", "console")
		if err != nil {
			t.Fatal(err)
		}
		log.Warn().Str("team", "co-csirt").Msg("late")
		out := buf.String()
		for _, want := range []string{"WRN", "late", "team=co-csirt"} {
			if !strings.Contains(out, want) {
				t.Errorf("console output %q lacks %q", out, want)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("console output to a non-terminal is coloured: %q", out)
		}
	})

	t.Run("Level", func(t *testing.T) {
		var buf bytes.Buffer
		log, err := logging.New(&buf, "warn", "json")
		if err != nil {
			t.Fatal(err)
		}
		log.Debug().Msg("debug")
		log.Info().Msg("info")
		log.Warn().Msg("warn")
		log.Error().Msg("error")
		if got, want := strings.Count(buf.String(), "\n"), 2; got != want {
			t.Fatalf("%d lines logged at warn, want %d: %q", got, want, buf.String())
		}
	})

	t.Run("ErrLevel", func(t *testing.T) {
		if _, err := logging.New(&bytes.Buffer{}, "loud", "json"); err == nil || !strings.Contains(err.Error(), "debug, info, warn or error") {
			t.Fatalf("err=%v, want unknown log level", err)
		}
	})

	t.Run("ErrFormat", func(t *testing.T) {
		if _, err := logging.New(&bytes.Buffer{}, "info", "xml"); err == nil || !strings.Contains(err.Error(), "auto, console or json") {
			t.Fatalf("err=%v, want unknown log format", err)
		}
	})
}

func TestIsTerminal(t *testing.T) {
	if logging.IsTerminal(&bytes.Buffer{}) {
		t.Fatal("a buffer is not a terminal")
	}
}
