package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"cmesim/internal/i18n"
)

// TestErrorKeys checks that every error code declared in the engine and in
// this package has a message in every language. The codes are read from
// the sources, so a new code without a message fails here.
func TestErrorKeys(t *testing.T) {
	decl := regexp.MustCompile(`(?m)^\s*(?:const\s+)?[Cc]ode[A-Z]\w*\s*(?:ErrorCode\s*)?=\s*"([a-z_]+)"`)
	var codes []string
	for _, pattern := range []string{"*.go", "../engine/*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range decl.FindAllSubmatch(src, -1) {
				codes = append(codes, string(m[1]))
			}
		}
	}
	if len(codes) < 8 {
		t.Fatalf("found only %d error codes in the sources: %v", len(codes), codes)
	}
	for _, code := range codes {
		key := ErrorKey(code)
		if key == "error.unknown" {
			t.Errorf("error code %q has no catalog key in errorKeys", code)
			continue
		}
		for _, l := range i18n.Langs {
			if !i18n.Has(l, key) {
				t.Errorf("%s: no message %s for error code %q", l, key, code)
			}
		}
	}
	for _, l := range i18n.Langs {
		if !i18n.Has(l, ErrorKey("no_such_code")) {
			t.Errorf("%s: no message for an unknown error code", l)
		}
	}
}
