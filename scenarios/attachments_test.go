package scenarios_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"cmesim/scenarios"
)

// withFileAttachments returns the example scenario with attachments of
// inject I01 naming the given files, one per line (the first file: at
// line fileLine).
func withFileAttachments(t *testing.T, files ...string) (src []byte, fileLine int) {
	t.Helper()
	b, err := os.ReadFile("../testdata/scenarios/valid/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const anchor = "          185.220.101.7\n"
	var add strings.Builder
	for i, f := range files {
		fmt.Fprintf(&add, "      - name: file-%d\n        kind: ioc\n        file: %s\n", i, f)
	}
	s := string(b)
	at := strings.Index(s, anchor)
	if at < 0 {
		t.Fatal("the example changed: no anchor")
	}
	at += len(anchor)
	fileLine = strings.Count(s[:at], "\n") + 3
	return []byte(s[:at] + add.String() + s[at:]), fileLine
}

// loadWith loads src as dir/scenario.yaml of fsys.
func loadWith(t *testing.T, fsys fstest.MapFS, src []byte) (*scenarios.Scenario, scenarios.Problems) {
	t.Helper()
	fsys["dir/scenario.yaml"] = &fstest.MapFile{Data: src}
	return scenarios.Load(fsys, "dir/scenario.yaml", "scenario.yaml")
}

// wantError checks that problems hold an error at line:col 9 (the value of
// file:) that says each of words.
func wantError(t *testing.T, problems scenarios.Problems, line int, words ...string) {
	t.Helper()
	for _, p := range problems.Errors() {
		if p.Pos.Line != line || p.Pos.Col != 15 {
			continue
		}
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(p.Message, w)
		}
		if ok {
			return
		}
	}
	t.Fatalf("no error at line %d saying %q; problems:\n%s", line, words, problems)
}

func TestAttachmentFiles(t *testing.T) {
	csv := []byte("type,value\nipv4,185.220.101.7\n")
	png := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}
	src, _ := withFileAttachments(t, "files/iocs.csv", "./files/../shot.png", "files/iocs.csv")
	s, problems := loadWith(t, fstest.MapFS{"dir/files/iocs.csv": {Data: csv}, "dir/shot.png": {Data: png}}, src)
	if s == nil {
		t.Fatal(problems)
	}
	in, _ := s.Inject("I01")
	a := in.Attachments[1]
	sum := sha256.Sum256(csv)
	if a.File != "files/iocs.csv" || a.Size != int64(len(csv)) || a.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("attachment = %+v", a)
	}
	if b, ok := s.AttachmentFile(&in.Attachments[2]); !ok || string(b) != string(png) {
		t.Fatalf("AttachmentFile(shot.png) = %q, %v", b, ok)
	}
	if _, ok := s.AttachmentFile(&in.Attachments[0]); ok {
		t.Fatal("a text attachment has a file")
	}
	files := s.Files()
	if len(files) != 2 || string(files["files/iocs.csv"]) != string(csv) || string(files["shot.png"]) != string(png) {
		t.Fatalf("Files() = %v", files)
	}

	// The scenario loads again from its text and the files it kept, as a
	// store restores it, and not without them.
	again, problems := scenarios.ParseWith("scenario.yaml", src, files)
	if again == nil {
		t.Fatal(problems)
	}
	_, problems = scenarios.Parse("scenario.yaml", src)
	if !strings.Contains(problems.Errors().String(), "without its files") {
		t.Fatalf("Parse without files: %s", problems)
	}
}

func TestAttachmentFileRefused(t *testing.T) {
	ok := fstest.MapFS{"dir/iocs.csv": {Data: []byte("a,b\n")}, "outside.csv": {Data: []byte("secret")}}
	for _, c := range []struct {
		name, file string
		words      []string
	}{
		{"Missing", "nope.csv", []string{`"nope.csv"`, "does not exist"}},
		{"Escape", "../outside.csv", []string{"no .."}},
		{"EscapeInside", "a/../../outside.csv", []string{"no .."}},
		{"Absolute", "/etc/passwd", []string{"not absolute"}},
		{"Drive", "C:/x.csv", []string{"not absolute"}},
		{"Backslash", `sub\iocs.csv`, []string{"forward slashes"}},
		{"Directory", ".", []string{"not a valid file path"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, line := withFileAttachments(t, c.file)
			s, problems := loadWith(t, ok, src)
			if s != nil {
				t.Fatal("loaded")
			}
			wantError(t, problems, line, c.words...)
		})
	}
	t.Run("BothContentAndFile", func(t *testing.T) {
		src, _ := withFileAttachments(t)
		src = []byte(strings.Replace(string(src), "          185.220.101.7\n", "          185.220.101.7\n        file: iocs.csv\n", 1))
		if _, problems := loadWith(t, ok, src); !strings.Contains(problems.Errors().String(), "both content and a file") {
			t.Fatalf("problems: %s", problems)
		}
	})
}

func TestAttachmentFileLimits(t *testing.T) {
	t.Cleanup(func() { scenarios.SetAttachmentLimits(0, 0) })
	fsys := fstest.MapFS{"dir/a.bin": {Data: make([]byte, 600)}, "dir/b.bin": {Data: make([]byte, 500)}}
	src, line := withFileAttachments(t, "a.bin", "b.bin")

	scenarios.SetAttachmentLimits(512, 0)
	_, problems := loadWith(t, fsys, src)
	wantError(t, problems, line, `"a.bin" is 600 bytes`, "limit is 512", "--max-attachment-size")

	scenarios.SetAttachmentLimits(1000, 1000)
	_, problems = loadWith(t, fsys, src)
	wantError(t, problems, line+3, `"b.bin"`, "1100 bytes", "limit is 1000", "--max-attachments-size")

	scenarios.SetAttachmentLimits(0, 0)
	if perFile, perScenario := scenarios.AttachmentLimits(); perFile != scenarios.MaxAttachmentSize || perScenario != scenarios.MaxAttachmentsSize {
		t.Fatalf("defaults = %d, %d", perFile, perScenario)
	}
	if s, problems := loadWith(t, fsys, src); s == nil {
		t.Fatal(problems)
	}
}

// TestAttachmentFileSymlinkEscape checks that a scenario on disk cannot
// reach a file outside its directory through a symbolic link.
func TestAttachmentFileSymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("not for trainees"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(secret, filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	src, line := withFileAttachments(t, "link.txt")
	file := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(file, src, 0o600); err != nil {
		t.Fatal(err)
	}
	s, problems := scenarios.LoadFile(file)
	if s != nil {
		t.Fatal("a link out of the scenario's directory was followed")
	}
	wantError(t, problems, line, `"link.txt"`)
}

// TestBundledAttachments checks that the bundled scenario's files load
// from the library with their real content.
func TestBundledAttachments(t *testing.T) {
	s, problems := scenarios.LoadLibrary("telecom-supply-chain")
	if s == nil {
		t.Fatal(problems)
	}
	files := s.Files()
	for name, magic := range map[string]string{
		"attachments/telecom/sec-7781-advisory.pdf":         "%PDF-",
		"attachments/telecom/nms-push-alert.png":            "\x89PNG\r\n\x1a\n",
		"attachments/telecom/orbisnms-7.4.3-indicators.csv": "type,value,",
	} {
		if !strings.HasPrefix(string(files[name]), magic) {
			t.Errorf("%s: starts %q, want %q", name, files[name][:min(8, len(files[name]))], magic)
		}
	}
}
