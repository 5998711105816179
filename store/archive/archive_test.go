package archive_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
	"cmesim/store/archive"
)

func TestRoundTrip(t *testing.T) {
	src, err := os.ReadFile("../../testdata/scenarios/valid/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, problems := scenarios.Parse("example.yaml", src)
	if s == nil {
		t.Fatal(problems)
	}
	x, _ := engine.New(s, engine.Options{Seed: 5})
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	ex := &store.Exercise{ID: "ex-1", Created: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Scenario: "example.yaml", Source: src, Seed: 5, Speed: 10, Codes: []byte(`{"facilitator":"X"}`)}
	var buf bytes.Buffer
	if err := archive.Write(&buf, ex, x.Events()); err != nil {
		t.Fatal(err)
	}
	got, events, err := archive.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ex) {
		t.Fatalf("exercise=%+v, want %+v", got, ex)
	}
	a, _ := engine.MarshalLog(events)
	b, _ := engine.MarshalLog(x.Events())
	if !bytes.Equal(a, b) {
		t.Fatal("the log changed on the way through the archive")
	}
	t.Run("ErrNotAnArchive", func(t *testing.T) {
		if _, _, err := archive.Read(strings.NewReader("hello")); err == nil || !strings.Contains(err.Error(), "not a cmesim archive") {
			t.Fatalf("err=%v", err)
		}
	})
}
