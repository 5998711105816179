package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports a syntax error with the line where the enclosing block
// started (a mis-indented key deep in a list is reported at the list's
// first line) and without a column. The functions below find the line where
// the mistake is, by looking for the shortest prefix of the source that
// fails with the same message, then the column by scanning that line, and
// rephrase the messages that are known to puzzle authors.

// yamlLine matches the line number in yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlUnknownAnchor matches yaml.v3's message for an alias with no anchor.
var yamlUnknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// tabMessage names a tab in indentation, which yaml.v3 reports as "found
// character that cannot start any token" or "found a tab character that
// violates indentation".
const tabMessage = "tab character in indentation: YAML indents with spaces"

// indentHint follows the messages yaml.v3 gives for a badly indented line.
const indentHint = "; check this line's indentation against the lines above"

// yamlSyntaxProblem turns a yaml.v3 error about src into a position and a
// message.
func yamlSyntaxProblem(file string, src []byte, err error) (Pos, string) {
	reportedLine, msg := splitYAMLError(err)
	line := locateYAMLError(src, msg)
	if line == 0 {
		line = max(reportedLine, 1)
	}
	text := sourceLine(src, line)
	if col := tabInIndentation(text); col > 0 {
		return Pos{File: file, Line: line, Col: col}, "YAML syntax: " + tabMessage
	}
	if open, col := unclosedQuote(src, line); open > 0 {
		return Pos{File: file, Line: open, Col: col}, fmt.Sprintf("YAML syntax: the quote opened here is not closed on this line, so YAML read the lines after it as quoted text and failed at line %d; close the quote", line)
	}
	col, hint := yamlErrorColumn(text, msg)
	return Pos{File: file, Line: line, Col: col}, "YAML syntax: " + msg + hint
}

// splitYAMLError returns the line yaml.v3 put in err (0 when none) and the
// message without the "yaml: line N:" prefix.
func splitYAMLError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, msg
}

// locateYAMLError returns the line whose addition makes the source fail
// with message msg: the smallest n such that the first n lines fail with
// msg while the first n-1 lines do not (binary search; the whole source
// fails). It returns 0 when the source does not fail with msg or the
// parser gives up.
func locateYAMLError(src []byte, msg string) (line int) {
	defer func() {
		if recover() != nil {
			line = 0
		}
	}()
	ends := lineEnds(src)
	failsWith := func(n int) bool {
		_, got := splitYAMLErrorOrNil(yamlDocumentsError(src[:ends[n-1]]))
		return got == msg
	}
	if len(ends) == 0 || !failsWith(len(ends)) {
		return 0
	}
	lo, hi := 0, len(ends) // the first lo lines pass (0 lines trivially); the first hi fail
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if failsWith(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

func splitYAMLErrorOrNil(err error) (int, string) {
	if err == nil {
		return 0, ""
	}
	return splitYAMLError(err)
}

// lineEnds returns, for each line of src, the offset just past its end
// (including the newline).
func lineEnds(src []byte) []int {
	var ends []int
	for i, b := range src {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(src) > 0 && src[len(src)-1] != '\n' {
		ends = append(ends, len(src))
	}
	return ends
}

// yamlDocumentsError parses every document of src and returns the first
// syntax error, or nil.
func yamlDocumentsError(src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// sourceLine returns line n (1-based) of src without its line ending.
func sourceLine(src []byte, n int) []byte {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return nil
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return bytes.TrimSuffix(src, []byte("\r"))
}

// tabInIndentation returns the column of the first tab among the leading
// blanks of line (and of a "- " list marker's blanks), or 0.
func tabInIndentation(line []byte) int {
	for i, b := range line {
		switch b {
		case '\t':
			return i + 1
		case ' ', '-':
		default:
			return 0
		}
	}
	return 0
}

// yamlErrorColumn guesses the column of the mistake message msg describes
// on line text (the offending character when the message names one, and
// otherwise the line's first non-blank character) and a hint to append to
// the message.
func yamlErrorColumn(text []byte, msg string) (int, string) {
	first := len(text) - len(bytes.TrimLeft(text, " ")) + 1
	if first > len(text) {
		first = 1
	}
	switch {
	case msg == "found character that cannot start any token":
		if i := tokenStartIndex(text, "@`"); i >= 0 {
			return i + 1, "; quote a value that starts with " + string(text[i])
		}
	case msg == "mapping values are not allowed in this context":
		if i := secondMappingColon(text); i >= 0 {
			return i + 1, "; quote a value that contains \": \""
		}
		return first, indentHint
	case msg == "did not find expected key", msg == "did not find expected '-' indicator":
		return first, indentHint
	case msg == "did not find expected ',' or ']'":
		if i := bytes.LastIndexByte(text, '['); i >= 0 {
			return i + 1, "; the list opened here is not closed"
		}
	case msg == "did not find expected ',' or '}'":
		if i := bytes.LastIndexByte(text, '{'); i >= 0 {
			return i + 1, "; the mapping opened here is not closed"
		}
	case msg == "found unexpected end of stream":
		if i := tokenStartIndex(text, "\"'"); i >= 0 {
			return i + 1, "; the quote opened here is not closed"
		}
	case yamlUnknownAnchor.MatchString(msg):
		name := yamlUnknownAnchor.FindStringSubmatch(msg)[1]
		if i := bytes.Index(text, []byte("*"+name)); i >= 0 {
			return i + 1, "; define the anchor &" + name + " before using it"
		}
	}
	return first, ""
}

// unclosedQuote returns the line and column of a quote opened on one of
// the lines just before line and not closed on it, when closing it there
// makes the source parse up to line: YAML reads the lines after such a
// quote as quoted text and reports an error only where a later quote ends
// that text. Candidates are found cheaply (a quote that starts a value
// and does not close on its line), nearest to line first, and each is
// checked by one parse, at most maxQuoteChecks, so a large file with an
// error stays quick. It returns 0 when no quote explains the error.
func unclosedQuote(src []byte, line int) (open, col int) {
	const window = 200 // lines looked back
	ends := lineEnds(src)
	if line < 1 || line > len(ends) {
		return 0, 0
	}
	checks := 0
	for n := line - 1; n >= max(1, line-window) && checks < maxQuoteChecks; n-- {
		start := 0
		if n > 1 {
			start = ends[n-2]
		}
		text := bytes.TrimRight(src[start:ends[n-1]], "\r\n")
		i := tokenStartIndex(text, "\"'")
		if i < 0 || quoteCloses(text, i) {
			continue
		}
		checks++
		end := start + len(text) // before the line ending
		fixed := make([]byte, 0, ends[line-1]+1)
		fixed = append(append(append(fixed, src[:end]...), text[i]), src[end:ends[line-1]]...)
		if yamlDocumentsError(fixed) == nil {
			return n, i + 1
		}
	}
	return 0, 0
}

// maxQuoteChecks bounds the parses unclosedQuote makes.
const maxQuoteChecks = 8

// quoteCloses reports whether the quote at text[i] closes later on the
// line: a double quote by a double quote not escaped with a backslash, a
// single quote by a single quote not doubled.
func quoteCloses(text []byte, i int) bool {
	q := text[i]
	for j := i + 1; j < len(text); j++ {
		switch {
		case q == '"' && text[j] == '\\':
			j++
		case text[j] == q && q == '\'' && j+1 < len(text) && text[j+1] == '\'':
			j++
		case text[j] == q:
			return true
		}
	}
	return false
}

// tokenStartIndex returns the index of the first character of chars that
// starts a token on line (at its start or after a blank, comma, bracket or
// brace), or -1.
func tokenStartIndex(line []byte, chars string) int {
	for i, b := range line {
		if !strings.ContainsRune(chars, rune(b)) {
			continue
		}
		if i == 0 || strings.ContainsRune(" \t,[{", rune(line[i-1])) {
			return i
		}
	}
	return -1
}

// secondMappingColon returns the index of the second ": " (or final ":")
// of an unquoted line such as "title: Alert: read this", or -1.
func secondMappingColon(line []byte) int {
	seen := 0
	for i, b := range line {
		if b == '#' && (i == 0 || line[i-1] == ' ') {
			break
		}
		if b == '"' || b == '\'' {
			return -1
		}
		if b == ':' && (i+1 == len(line) || line[i+1] == ' ') {
			seen++
			if seen == 2 {
				return i
			}
		}
	}
	return -1
}
