package scenarios

import (
	"io/fs"
	"path"
	"strings"
	"testing"
)

// FuzzAttachmentPath checks that every path the attachment check accepts
// stays inside the scenario's directory: relative, clean, without "..".
func FuzzAttachmentPath(f *testing.F) {
	for _, seed := range []string{
		"iocs.csv", "files/shot.png", "./a/../b.pdf", "../x", "a/../../x", "/etc/passwd", `C:\x`, "C:/x",
		`sub\x`, ".", "..", "", " ", "a//b", "a/./b/", "...", "..a", "a/..", "é/ü.txt",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		clean, err := attachmentPath(rel)
		if err != nil {
			return
		}
		if !fs.ValidPath(clean) || clean == "." || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(clean, `\`) {
			t.Fatalf("attachmentPath(%q) accepted %q", rel, clean)
		}
	})
}
