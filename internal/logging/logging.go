// Package logging builds cmesim's zerolog logger from the configured level
// and format: a human-readable console format for people at a terminal and
// one JSON object a line for log collectors.
package logging

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// New returns a logger writing to w that drops messages less severe than
// level (debug, info, warn or error). format is "console", "json", or "auto"
// (or ""), which picks console when w is a terminal and JSON otherwise. The
// console format is coloured only on a terminal.
func New(w io.Writer, level, format string) (zerolog.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return zerolog.Nop(), err
	}
	tty := IsTerminal(w)
	switch strings.ToLower(format) {
	case "", "auto":
		if tty {
			w = consoleWriter(w, true)
		}
	case "console":
		w = consoleWriter(w, tty)
	case "json":
	default:
		return zerolog.Nop(), fmt.Errorf("unknown log format %q; expected auto, console or json", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// ParseLevel reads one of debug, info, warn or error.
func ParseLevel(level string) (zerolog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "debug":
		return zerolog.DebugLevel, nil
	case "", "info":
		return zerolog.InfoLevel, nil
	case "warn":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	}
	return zerolog.NoLevel, fmt.Errorf("unknown log level %q; expected debug, info, warn or error", level)
}

// IsTerminal reports whether w is a terminal (a *os.File on a TTY).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

func consoleWriter(w io.Writer, color bool) zerolog.ConsoleWriter {
	return zerolog.ConsoleWriter{Out: w, NoColor: !color, TimeFormat: time.TimeOnly}
}
