// Package archive moves an exercise between servers as one file: a gzipped
// tar holding exercise.json (what the store keeps besides the log),
// scenario.yaml (the scenario exactly as it ran), events.jsonl (the log,
// one event a line, as `cmesim run --out` writes it) and files/SHA256, one
// per file the scenario attaches (exercise.json maps their paths).
package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"cmesim/engine"
	"cmesim/store"
)

// Format names the archive layout, recorded in exercise.json.
const Format = "cmesim/archive/v1"

// MaxSize bounds each file read from an archive.
const MaxSize = 1 << 30

// manifest is exercise.json.
type manifest struct {
	Format   string          `json:"format"`
	ID       string          `json:"id"`
	Created  time.Time       `json:"created"`
	Scenario string          `json:"scenario"`
	Seed     uint64          `json:"seed"`
	Humans   []string        `json:"humans,omitempty"`
	Speed    float64         `json:"speed"`
	Codes    json.RawMessage `json:"codes,omitempty"`
	Events   int             `json:"events"`
	// Files maps each file the scenario attaches, by path relative to the
	// scenario, to the SHA-256 of its content, kept as files/SHA256.
	Files map[string]string `json:"files,omitempty"`
	// LogVersion and FirstLogVersion are the exercise's log versions
	// (store.Exercise); an archive written before they existed has
	// neither, and its log is version 1.
	LogVersion      int `json:"log_version,omitempty"`
	FirstLogVersion int `json:"first_log_version,omitempty"`
}

// Write writes an exercise and its log as an archive.
func Write(w io.Writer, e *store.Exercise, events []engine.Event) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	m := manifest{Format: Format, ID: e.ID, Created: e.Created, Scenario: e.Scenario, Seed: e.Seed, Humans: e.Humans, Speed: e.Speed, Codes: e.Codes, Events: len(events)}
	m.FirstLogVersion, m.LogVersion = e.LogVersions()
	members := []member{}
	for _, p := range slices.Sorted(maps.Keys(e.Files)) {
		sum := store.FileDigest(e.Files[p])
		if m.Files == nil {
			m.Files = map[string]string{}
		}
		if !slices.ContainsFunc(members, func(f member) bool { return f.name == "files/"+sum }) {
			members = append(members, member{"files/" + sum, e.Files[p]})
		}
		m.Files[p] = sum
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	log, err := engine.MarshalLog(events)
	if err != nil {
		return err
	}
	for _, f := range append([]member{{"exercise.json", mj}, {"scenario.yaml", e.Source}, {"events.jsonl", log}}, members...) {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: e.Created}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// member is one file of the archive.
type member struct {
	name string
	data []byte
}

// Read reads an archive back. It checks that the log is complete: as many
// events as the manifest says, numbered from 1 without a gap.
func Read(r io.Reader) (*store.Exercise, []engine.Event, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("not a cmesim archive (gzip: %w)", err)
	}
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("not a cmesim archive (tar: %w)", err)
		}
		if hdr.Size > MaxSize {
			return nil, nil, fmt.Errorf("archive member %s is too large", hdr.Name)
		}
		b, err := io.ReadAll(io.LimitReader(tr, MaxSize))
		if err != nil {
			return nil, nil, err
		}
		files[hdr.Name] = b
	}
	for _, name := range []string{"exercise.json", "scenario.yaml", "events.jsonl"} {
		if _, ok := files[name]; !ok {
			return nil, nil, fmt.Errorf("not a cmesim archive: %s is missing", name)
		}
	}
	var m manifest
	if err := json.Unmarshal(files["exercise.json"], &m); err != nil {
		return nil, nil, fmt.Errorf("exercise.json: %w", err)
	}
	if m.Format != Format {
		return nil, nil, fmt.Errorf("archive format %q; this cmesim reads %q", m.Format, Format)
	}
	events, err := readLog(files["events.jsonl"])
	if err != nil {
		return nil, nil, err
	}
	if len(events) != m.Events {
		return nil, nil, fmt.Errorf("events.jsonl holds %d events, exercise.json says %d", len(events), m.Events)
	}
	var codes json.RawMessage
	if len(m.Codes) > 0 {
		var c bytes.Buffer
		if err := json.Compact(&c, m.Codes); err != nil {
			return nil, nil, fmt.Errorf("exercise.json codes: %w", err)
		}
		codes = c.Bytes()
	}
	attached, err := attachedFiles(m.Files, files)
	if err != nil {
		return nil, nil, err
	}
	e := &store.Exercise{ID: m.ID, Created: m.Created, Scenario: m.Scenario, Source: files["scenario.yaml"], Seed: m.Seed, Humans: m.Humans, Speed: m.Speed, Codes: codes, Files: attached,
		LogVersion: max(m.LogVersion, 1), FirstLogVersion: max(m.FirstLogVersion, 1)}
	return e, events, nil
}

// attachedFiles gathers the files the manifest lists, checking that each
// is in the archive with the content its SHA-256 says.
func attachedFiles(listed map[string]string, members map[string][]byte) (map[string][]byte, error) {
	if len(listed) == 0 {
		return nil, nil
	}
	out := make(map[string][]byte, len(listed))
	for p, sum := range listed {
		data, ok := members["files/"+sum]
		if !ok {
			return nil, fmt.Errorf("not a complete cmesim archive: the attached file %s (files/%s) is missing", p, sum)
		}
		if store.FileDigest(data) != sum {
			return nil, fmt.Errorf("archive member files/%s does not match its SHA-256: the archive is damaged", sum)
		}
		out[p] = data
	}
	return out, nil
}

// readLog reads events.jsonl with the engine's one log reader; an archive
// of an exercise that never wrote an event has an empty one.
func readLog(b []byte) ([]engine.Event, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	events, err := engine.ReadLog(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("events.jsonl: %w", err)
	}
	return events, nil
}
