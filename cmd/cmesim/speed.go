package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// The fastest paces the commands accept, in multiples of real time.
const (
	maxRunSpeed  = 100000 // cmesim run --speed Nx, played in-process
	maxLiveSpeed = 10000  // a live exercise: the engine refuses a faster set_speed
)

// parseSpeed reads a pace: "max" (as fast as possible, +Inf) when allowMax,
// or a multiple of real time written "60x", "60" or "0.5x", at most limit.
// Every command with a --speed flag reads it with this function.
func parseSpeed(s string, allowMax bool, limit float64) (float64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "max" && allowMax {
		return math.Inf(1), nil
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(s, "×"), "x"), 64)
	if err != nil || !(v > 0) || v > limit {
		return 0, fmt.Errorf("bad speed %q: %s", s, speedForms(allowMax, limit))
	}
	return v, nil
}

// speedForms says which paces a command accepts.
func speedForms(allowMax bool, limit float64) string {
	forms := fmt.Sprintf("use a multiple of real time such as 1x, 10x, 60x (at most %gx)", limit)
	if allowMax {
		return "use max or " + strings.TrimPrefix(forms, "use ")
	}
	return forms
}

// speedFlag is a --speed flag read with parseSpeed, so a bad value is a
// usage error naming the accepted forms.
type speedFlag struct {
	value    float64
	allowMax bool
	limit    float64
}

var _ pflag.Value = (*speedFlag)(nil)

// newSpeedFlag returns a speed flag holding def; allowMax lets it be "max".
func newSpeedFlag(def float64, allowMax bool, limit float64) *speedFlag {
	return &speedFlag{value: def, allowMax: allowMax, limit: limit}
}

// String formats the pace as "max" or "Nx".
func (f *speedFlag) String() string {
	if math.IsInf(f.value, 1) {
		return "max"
	}
	return strconv.FormatFloat(f.value, 'g', -1, 64) + "x"
}

// Set parses a pace with parseSpeed.
func (f *speedFlag) Set(s string) error {
	v, err := parseSpeed(s, f.allowMax, f.limit)
	if err != nil {
		return err
	}
	f.value = v
	return nil
}

// Type names the flag's value in help.
func (f *speedFlag) Type() string { return "speed" }

// Max reports whether the pace is "as fast as possible".
func (f *speedFlag) Max() bool { return math.IsInf(f.value, 1) }
