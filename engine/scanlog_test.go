package engine_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"cmesim/engine"
)

// TestScanLog: ScanLog hands over the events ReadLogPrefix returns, and
// stops where and as ReadLogPrefix does, on whole and damaged logs alike.
func TestScanLog(t *testing.T) {
	events := runExample(t)
	log, err := engine.MarshalLog(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(log), "\n"), "\n")
	with := func(i int, s string) string {
		c := append([]string(nil), lines...)
		c[i] = s
		return strings.Join(c, "\n") + "\n"
	}
	for _, tc := range []struct{ name, log string }{
		{"whole", string(log)},
		{"blank lines", strings.ReplaceAll(string(log), "\n", "\n\n")},
		{"empty", ""},
		{"not JSON", with(3, "garbage")},
		{"bad JSON", with(3, `{"seq": 4, "type": }`)},
		{"no type", with(3, `{"seq":4,"at":0}`)},
		{"gap", with(3, strings.Replace(lines[3], `"seq":4`, `"seq":9`, 1))},
		{"first not created", strings.Join(lines[1:], "\n")},
		{"too long", with(3, `{"seq":4,"type":"x","text":"`+strings.Repeat("a", engine.MaxLogLine)+`"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := engine.ReadLogPrefix(strings.NewReader(tc.log))
			if whole := strings.HasPrefix(tc.name, "whole") || tc.name == "blank lines"; whole != (wantErr == nil) {
				t.Fatalf("ReadLogPrefix: %v (the case is wrong)", wantErr)
			}
			var got []engine.Event
			n, err := engine.ScanLog(strings.NewReader(tc.log), func(e *engine.Event) error {
				got = append(got, *e)
				return nil
			})
			if n != len(got) || !reflect.DeepEqual(got, want) {
				t.Fatalf("ScanLog handed over %d events (said %d), ReadLogPrefix read %d", len(got), n, len(want))
			}
			var le, wantLE *engine.LogError
			if errors.As(wantErr, &wantLE) != errors.As(err, &le) || (le != nil && *le != *wantLE) {
				t.Fatalf("ScanLog stopped with %v, ReadLogPrefix with %v", err, wantErr)
			}
		})
	}
	t.Run("fn's error", func(t *testing.T) {
		stop := errors.New("enough")
		n, err := engine.ScanLog(bytes.NewReader(log), func(e *engine.Event) error {
			if e.Seq == 5 {
				return stop
			}
			return nil
		})
		if n != 4 || err != stop {
			t.Fatalf("n = %d, err = %v; want 4 and fn's error as it is", n, err)
		}
	})
}
