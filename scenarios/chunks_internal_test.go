package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseWithChunks parses src with injects decoded chunk items at a time
// (0: the whole tree), trying chunks for any number of injects.
func parseWithChunks(t *testing.T, src []byte, chunk int) (*Scenario, Problems) {
	t.Helper()
	oldChunk, oldMin := injectChunk, minChunkedInjects
	injectChunk, minChunkedInjects = chunk, 1
	defer func() { injectChunk, minChunkedInjects = oldChunk, oldMin }()
	return Parse("chunks.yaml", src)
}

// chunkedSources returns every scenario text the comparison runs on: the
// library, the test scenarios (valid and invalid) and hand-written edge
// cases where chunking must give up.
func chunkedSources(t testing.TB) map[string][]byte {
	t.Helper()
	sources := map[string][]byte{}
	for _, name := range Library() {
		src, err := LibrarySource(name)
		if err != nil {
			t.Fatal(err)
		}
		sources[name] = src
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "*", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no test scenarios found")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = src
	}
	lib, _ := LibrarySource("grid-ransomware")
	text := string(lib)
	edits := map[string][2]string{
		"alias across chunks":      {"injects:\n", "injects:\n  - &first\n    id: anchored\n    title: A\n    at: 1m\n    from: gov\n    to: all\n  - *first\n"},
		"comment after the key":    {"injects:\n", "injects:   # the MSEL\n# a comment at column 0\n"},
		"flow list":                {"injects:\n", "injects: []\nx:\n"},
		"unknown field in an item": {"    title:", "    tittle:"},
		"tab in the list":          {"injects:\n", "injects:\n\t\n"},
		"quoted text over lines":   {"injects:\n", "injects:\n  - id: q\n    title: \"two\n  - lines\"\n    at: 1m\n    from: gov\n    to: all\n"},
		"second document":          {"injects:\n", "injects:\n---\n"},
		"injects twice":            {"injects:\n", "injects:\ninjects:\n"},
	}
	for name, e := range edits {
		if !strings.Contains(text, e[0]) {
			t.Fatalf("edit %q: %q is not in the library scenario", name, e[0])
		}
		sources[name] = []byte(strings.Replace(text, e[0], e[1], 1))
	}
	sources["item indented at column0"] = []byte(outdentInjects(text))
	return sources
}

// outdentInjects writes the list of injects of a scenario with its items'
// "-" at column 0 instead of 2.
func outdentInjects(text string) string {
	lines := strings.Split(text, "\n")
	in := false
	for i, line := range lines {
		switch {
		case line == "injects:":
			in = true
		case in && line != "" && line[0] != ' ':
			in = false
		case in:
			lines[i] = strings.TrimPrefix(line, "  ")
		}
	}
	return strings.Join(lines, "\n")
}

// TestChunkedDecodeMatchesWholeTree checks that decoding the injects in
// chunks gives exactly what decoding the whole tree gives: the same
// scenario, with the same positions, and the same problems at the same
// file:line:col, for chunks of 1, 2, 3 and 256 injects.
func TestChunkedDecodeMatchesWholeTree(t *testing.T) {
	for name, src := range chunkedSources(t) {
		want, wantProblems := parseWithChunks(t, src, 0)
		for _, chunk := range []int{1, 2, 3, 256} {
			got, gotProblems := parseWithChunks(t, src, chunk)
			if g, w := gotProblems.String(), wantProblems.String(); g != w {
				t.Errorf("%s, chunks of %d: problems differ\n got:\n%s\nwant:\n%s", name, chunk, g, w)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, chunks of %d: the decoded scenario differs from the whole tree's", name, chunk)
			}
		}
	}
}

// TestChunkedDecodeIsUsed checks that a plain large list is decoded in
// chunks (otherwise the test above would compare the whole tree with
// itself), and that the edge cases give up.
func TestChunkedDecodeIsUsed(t *testing.T) {
	sources := chunkedSources(t)
	oldChunk, oldMin := injectChunk, minChunkedInjects
	injectChunk, minChunkedInjects = 2, 1
	defer func() { injectChunk, minChunkedInjects = oldChunk, oldMin }()
	for name, chunked := range map[string]bool{
		"grid-ransomware":          true,
		"item indented at column0": true,
		"comment after the key":    true,
		"unknown field in an item": true,
		"alias across chunks":      false,
		"flow list":                false,
		"tab in the list":          false,
		"quoted text over lines":   false,
		"second document":          false,
		"injects twice":            false,
	} {
		var sc Scenario
		_, ok := decodeChunked("chunks.yaml", newSourceLines(sources[name]), &problemList{}, &sc)
		if ok != chunked {
			t.Errorf("%s: decoded in chunks = %v, want %v", name, ok, chunked)
		}
	}
}

// TestChunkedDecodeLargeScenario compares both ways on a generated
// scenario of 1,000 injects with the default chunk size.
func TestChunkedDecodeLargeScenario(t *testing.T) {
	var b strings.Builder
	lib, _ := LibrarySource("grid-ransomware")
	head, _, _ := strings.Cut(string(lib), "\ninjects:\n")
	b.WriteString(head + "\ninjects:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "  - id: G%d\n    title: Generated %d\n    at: %dm\n    from: %s\n    to: all\n    body: |\n      Line one of %d.\n\n      - not an item\n", i, i, i, "nobody", i)
	}
	src := []byte(b.String())
	want, wantProblems := parseWithChunks(t, src, 0)
	got, gotProblems := parseWithChunks(t, src, injectChunk)
	if len(wantProblems) == 0 {
		t.Fatal("expected problems for the unknown sender")
	}
	if g, w := gotProblems.String(), wantProblems.String(); g != w {
		t.Fatalf("problems differ\n got:\n%s\nwant:\n%s", g, w)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("the decoded scenario differs from the whole tree's")
	}
}

// FuzzChunkedDecode checks on arbitrary input that decoding the injects in
// chunks of two gives exactly what the whole tree gives.
func FuzzChunkedDecode(f *testing.F) {
	for _, src := range chunkedSources(f) {
		f.Add(src)
	}
	f.Add([]byte("format: cmesim/v1\ninjects:\n  - id: a\n  - id: b\n    to: \"x\n  - y\"\n  - id: c\n"))
	f.Add([]byte("injects:\n- a\n- - b\n  - c\n- {d: 1,\n  e: 2}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		want, wantProblems := parseWithChunks(t, src, 0)
		got, gotProblems := parseWithChunks(t, src, 2)
		if g, w := gotProblems.String(), wantProblems.String(); g != w {
			t.Fatalf("problems differ\n got:\n%s\nwant:\n%s", g, w)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatal("the decoded scenario differs from the whole tree's")
		}
	})
}
