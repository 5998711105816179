package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sameTree reports where got differs from want in what the decoder reads
// of a node: kind, value, line, column, nullness and children.
func sameTree(got, want *yaml.Node, path string) error {
	switch {
	case got.Kind != want.Kind:
		return fmt.Errorf("%s: kind %v, want %v", path, got.Kind, want.Kind)
	case got.Value != want.Value:
		return fmt.Errorf("%s: value %q, want %q", path, got.Value, want.Value)
	case got.Line != want.Line || got.Column != want.Column:
		return fmt.Errorf("%s: at %d:%d, want %d:%d", path, got.Line, got.Column, want.Line, want.Column)
	case isNull(got) != isNull(want):
		return fmt.Errorf("%s: null %v, want %v", path, isNull(got), isNull(want))
	case got.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != want.Style&(yaml.LiteralStyle|yaml.FoldedStyle):
		return fmt.Errorf("%s: style %v, want %v", path, got.Style, want.Style)
	case len(got.Content) != len(want.Content):
		return fmt.Errorf("%s: %d children, want %d", path, len(got.Content), len(want.Content))
	}
	for i := range got.Content {
		if err := sameTree(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// plainAgainstYAML reads a block list (items at column indent) both ways;
// read tells whether the plain reader took it, and err any difference.
func plainAgainstYAML(src []byte, indent int) (read bool, err error) {
	lines := newSourceLines(src)
	got, ok := plainSubsetParse(lines, 0, lines.count(), indent, &nodeArena{})
	if !ok {
		return false, nil
	}
	want, ok := parseChunkYAML(src)
	if !ok {
		return true, fmt.Errorf("the plain reader took text yaml.v3 refuses:\n%s", src)
	}
	return true, sameTree(got, want, "")
}

// TestPlainSubsetMatchesYAML checks that the plain reader builds the tree
// yaml.v3 builds on the text it takes, and leaves to yaml.v3 what is
// outside its subset.
func TestPlainSubsetMatchesYAML(t *testing.T) {
	_, list, _ := strings.Cut(string(generateChunkTest(40)), "\ninjects:\n")
	cases := map[string]struct {
		text string
		read bool
	}{
		"generated injects":      {list, true},
		"CRLF and accents":       {"- id: é1\r\n  title: Équipe {{x}}\r\n  to: [país, b]\r\n", true},
		"list under a key":       {"- id: a\n  to:\n  - t1\n  - t2\n  at: 1m\n", true},
		"nested block":           {"-\n  id: a\n  trigger:\n    after: b\n    delay: 5m\n\n  # note\n  at: ~\n", true},
		"empty flow":             {"- {id: a, to: [], x: {}}\n", true},
		"column-0 items":         {"- id: a\n  at: 1m\n- id: b\n", true},
		"plain with colon":       {"- url: http://example.org/a:b\n", true},
		"block scalar":           {"- id: a\n  body: |\n    text\n", false},
		"quoted":                 {"- id: \"a\"\n", false},
		"comment after value":    {"- id: a # c\n", false},
		"value over two lines":   {"- title: one\n    two\n", false},
		"empty value":            {"- id:\n  at: 1m\n", false},
		"anchor":                 {"- &a id: a\n", false},
		"tab":                    {"- id:\ta\n", false},
		"flow over two lines":    {"- to: [a,\n    b]\n", false},
		"key with colon in flow": {"- {a:b}\n", false},
		"nested compact list":    {"- - a\n", false},
		"empty flow item":        {"- to: [a, , b]\n", false},
		"empty flow value":       {"- {a: , b: c}\n", false},
		"bad indentation":        {"- id: a\n   at: 1m\n", false},
		"emoji":                  {"- id: a😀\n", false},
		"control character":      {"- id: a\x01\n", false},
	}
	for name, c := range cases {
		read, err := plainAgainstYAML([]byte(c.text), 0)
		if strings.HasPrefix(c.text, "  - ") {
			read, err = plainAgainstYAML([]byte(c.text), 2)
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if read != c.read {
			t.Errorf("%s: read by the plain reader = %v, want %v", name, read, c.read)
		}
	}
}

// FuzzPlainSubset checks on arbitrary text that whatever the plain reader
// takes, yaml.v3 reads into the same tree.
func FuzzPlainSubset(f *testing.F) {
	f.Add([]byte("- id: a\n  to: [t1, group:g0]\n  x: {a: b, c: [d]}\n"))
	f.Add([]byte("- id: a\n  to:\n  - t1\n  -\n    k: v\n"))
	f.Add([]byte("- {id: ack, action: acknowledge, within: 15m, points: 5}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if !plainLineBreaks(src) {
			return
		}
		if _, err := plainAgainstYAML(src, 0); err != nil {
			t.Fatal(err)
		}
	})
}

// generateChunkTest writes a scenario of n injects in the style of the
// scenario generator (which this package's tests cannot import).
func generateChunkTest(n int) []byte {
	var b strings.Builder
	b.WriteString("format: cmesim/v1\ninjects:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: I%d\n    title: Inject %d\n", i, i)
		if i%2 == 0 {
			fmt.Fprintf(&b, "    at: %dm\n", i)
		} else {
			fmt.Fprintf(&b, "    trigger: {after: I%d, delay: 5m}\n", i-1)
		}
		fmt.Fprintf(&b, "    channel: email\n    from: gov\n    to: [t%d]\n    body: Hello {{team.name}}, item %d.\n", i%7, i)
		b.WriteString("    expectations:\n      - {id: ack, action: acknowledge, within: 15m, points: 5, objective: O1}\n")
		b.WriteString("      - {id: share, action: share, with: [group:g0], tlp: amber, within: 1h, points: 10, objective: O2}\n")
	}
	return []byte(b.String())
}
