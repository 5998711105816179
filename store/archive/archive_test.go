package archive_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
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
	ex := &store.Exercise{ID: "ex-1", Created: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Scenario: "example.yaml", Source: src, Seed: 5, Speed: 10, Codes: []byte(`{"facilitator":"X"}`),
		LogVersion: engine.LogVersion, FirstLogVersion: 1}
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

// TestAttachedFiles checks that attached files travel in the archive, each
// content once, and that a damaged or missing one is refused.
func TestAttachedFiles(t *testing.T) {
	csv := []byte("type,value\nipv4,203.0.113.88\n")
	ex := &store.Exercise{ID: "ex-2", Created: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Scenario: "s.yaml", Source: []byte("x"), Speed: 1,
		Files: map[string][]byte{"a/iocs.csv": csv, "copy.csv": csv, "shot.png": {0x89, 'P', 'N', 'G'}}}
	var buf bytes.Buffer
	if err := archive.Write(&buf, ex, nil); err != nil {
		t.Fatal(err)
	}
	got, _, err := archive.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Files, ex.Files) {
		t.Fatalf("files = %q, want %q", got.Files, ex.Files)
	}
	if n := bytes.Count(gunzip(t, buf.Bytes()), csv); n != 1 {
		t.Fatalf("the shared CSV is %d times in the archive, want once", n)
	}
	damaged := bytes.Replace(gunzip(t, buf.Bytes()), []byte("203.0.113.88"), []byte("203.0.113.99"), 1)
	if _, _, err := archive.Read(bytes.NewReader(regzip(t, damaged))); err == nil || !strings.Contains(err.Error(), "does not match its SHA-256") {
		t.Fatalf("a damaged file: err = %v", err)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func regzip(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOldArchiveLogVersion reads an archive written before log versions
// existed: its exercise.json names none, so its log is version 1.
func TestOldArchiveLogVersion(t *testing.T) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	members := []struct{ name, body string }{
		{"exercise.json", `{"format":"cmesim/archive/v1","id":"old","created":"2026-03-10T09:00:00Z","scenario":"s.yaml","seed":1,"speed":1,"events":1}`},
		{"scenario.yaml", "x"},
		{"events.jsonl", `{"seq":1,"at":0,"type":"exercise.created","actor":"system","data":{"scenario":"s"}}` + "\n"},
	}
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o600, Size: int64(len(m.body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := archive.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.LogVersion != 1 || got.FirstLogVersion != 1 {
		t.Fatalf("an archive without log versions reads back with versions %d and %d, want 1 and 1", got.FirstLogVersion, got.LogVersion)
	}
}
