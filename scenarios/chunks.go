package scenarios

import (
	"bytes"
	"reflect"
	"runtime"
	"sync"

	"gopkg.in/yaml.v3"
)

// A large scenario is mostly its list of injects, and yaml.v3's node tree
// of a whole file costs about 160 bytes a node, ~45 nodes an inject. When
// the injects are written as a block list under a top-level "injects:" key
// (as every scenario is), the loader parses the rest of the file with that
// list blanked out, and the list in chunks of injectChunk items, on every
// core, decoding each chunk's tree and dropping it before the next. The
// lines and columns are the file's own (each chunk is a slice of whole
// lines; its nodes' lines are offset by where it starts). Whenever the file
// is not of that plain shape, or a chunk does not parse, or uses an alias,
// the loader falls back to the whole tree, which gives the exact problems
// it always gave: the chunks change speed and memory, never the result.

// injectChunk is how many injects one chunk holds; 0 turns chunking off.
var injectChunk = 256

// minChunkedInjects is the fewest injects for which chunking is tried.
var minChunkedInjects = 512

// injectList is where the block list of injects is in a file.
type injectList struct {
	keyLine int   // 0-based index of the "injects:" line
	indent  int   // column (0-based) of the items' "-"
	first   int   // 0-based index of the first line after the key line
	end     int   // 0-based index of the first line after the list
	items   []int // 0-based index of each item's "-" line
}

// findInjectList returns where the top-level block list of injects is, or
// false when the file is not of the plain shape chunking needs.
func findInjectList(lines *sourceLines) (injectList, bool) {
	l := injectList{keyLine: -1}
	for i := range lines.count() {
		if text := lines.line(i); bytes.HasPrefix(text, []byte("injects")) {
			if l.keyLine >= 0 || !isBareKeyLine(text, "injects") {
				return l, false
			}
			l.keyLine = i
		}
	}
	if l.keyLine < 0 {
		return l, false
	}
	l.first, l.indent = l.keyLine+1, -1
	l.end = lines.count()
	for i := l.first; i < lines.count(); i++ {
		text := bytes.TrimSuffix(lines.line(i), []byte("\r"))
		trimmed := bytes.TrimLeft(text, " ")
		indent := len(text) - len(trimmed)
		switch {
		case len(trimmed) == 0 || trimmed[0] == '#':
			continue // blank or comment
		case trimmed[0] == '\t' || bytes.HasPrefix(text, []byte("\t")):
			return l, false
		}
		isItem := trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ')
		if l.indent < 0 { // the first line of the value must start the list
			if !isItem {
				return l, false
			}
			l.indent = indent
		}
		switch {
		case indent == l.indent && isItem:
			l.items = append(l.items, i)
		case indent == 0:
			l.end = i
			return l, len(l.items) > 0
		case indent <= l.indent:
			return l, false
		}
	}
	return l, len(l.items) > 0
}

// plainLineBreaks reports whether src is UTF-8 whose only line breaks are
// "\n" and "\r\n", so that its lines split on "\n" are the lines the YAML
// parser counts (it also breaks lines at a lone "\r", NEL, LS and PS, and
// reads UTF-16).
func plainLineBreaks(src []byte) bool {
	if bytes.IndexByte(src, 0) >= 0 || bytes.Contains(src, []byte("\u0085")) ||
		bytes.Contains(src, []byte("\u2028")) || bytes.Contains(src, []byte("\u2029")) {
		return false
	}
	for i := bytes.IndexByte(src, '\r'); i >= 0; {
		if i+1 >= len(src) || src[i+1] != '\n' {
			return false
		}
		next := bytes.IndexByte(src[i+1:], '\r')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return true
}

// isBareKeyLine reports whether text is "key:" alone, perhaps followed by
// spaces and a comment.
func isBareKeyLine(text []byte, key string) bool {
	rest, ok := bytes.CutPrefix(bytes.TrimSuffix(text, []byte("\r")), []byte(key+":"))
	if !ok {
		return false
	}
	trimmed := bytes.TrimLeft(rest, " ")
	return len(trimmed) == 0 || (trimmed[0] == '#' && len(trimmed) < len(rest))
}

// decodeChunked decodes src into sc with the injects parsed in chunks, and
// returns the root node's position. It returns false, having changed
// nothing in list, when the file must be parsed whole instead.
func decodeChunked(file string, lines *sourceLines, list *problemList, sc *Scenario) (Pos, bool) {
	src := lines.src
	if injectChunk <= 0 {
		return Pos{}, false
	}
	if !plainLineBreaks(src) {
		return Pos{}, false
	}
	il, ok := findInjectList(lines)
	if !ok || len(il.items) < minChunkedInjects {
		return Pos{}, false
	}
	// The rest of the file, with the list's lines left empty so that every
	// line keeps its number.
	first, end := lines.offset(il.first), lines.offset(il.end)
	header := make([]byte, 0, len(src)-(end-first)+(il.end-il.first))
	header = append(header, src[:first]...)
	header = append(header, bytes.Repeat([]byte("\n"), il.end-il.first)...)
	header = append(header, src[end:]...)
	scratch := &problemList{}
	root, ok := parseYAML(file, header, scratch)
	if !ok || !hasNullKeyAt(root, "injects", il.keyLine+1) {
		return Pos{}, false
	}
	headerProblems := &problemList{}
	d := &decoder{file: file, problems: headerProblems, lines: lines}
	d.decode(root, reflect.ValueOf(sc).Elem(), &rootPath, 0)
	if d.sawAlias {
		return Pos{}, false
	}
	injects, items, problems, ok := decodeInjectChunks(file, lines, il)
	if !ok {
		return Pos{}, false
	}
	sc.Injects = injects
	sc.Pos.fields = withListItems(sc.Pos.fields, "injects", lineCol{int32(il.items[0] + 1), int32(il.indent + 1)}, items)
	list.problems = append(list.problems, headerProblems.problems...)
	list.problems = append(list.problems, problems...)
	return d.pos(root), true
}

// withListItems returns fields with the position of key name's value set
// to at (where the list starts, as the whole tree would place it) and the
// positions of its items after it.
func withListItems(fields []fieldPos, name string, at lineCol, items []lineCol) []fieldPos {
	out := make([]fieldPos, 0, len(fields)+len(items))
	for _, f := range fields {
		if f.name == nil || *f.name != name {
			out = append(out, f)
			continue
		}
		out = append(out, fieldPos{name: f.name, at: at})
		for _, item := range items {
			out = append(out, fieldPos{at: item})
		}
	}
	return out
}

// hasNullKeyAt reports whether mapping root has key written once, on line
// (1-based) at column 1, with an empty value.
func hasNullKeyAt(root *yaml.Node, key string, line int) bool {
	if root.Kind != yaml.MappingNode {
		return false
	}
	found := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value != key {
			continue
		}
		if found || k.Line != line || k.Column != 1 || !isNull(v) || v.Value != "" {
			return false
		}
		found = true
	}
	return found
}

// chunkResult is what decoding one chunk of injects gave.
type chunkResult struct {
	items    []lineCol
	problems Problems
	ok       bool
}

// decodeInjectChunks parses and decodes the list's items in chunks, on as
// many goroutines as there are cores, and returns the injects, the
// position of each item and the problems found, in file order.
func decodeInjectChunks(file string, lines *sourceLines, il injectList) ([]Inject, []lineCol, Problems, bool) {
	injects := make([]Inject, len(il.items))
	chunks := (len(il.items) + injectChunk - 1) / injectChunk
	results := make([]chunkResult, chunks)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Go(func() {
			arena := &nodeArena{}
			for c := range next {
				results[c] = decodeInjectChunk(file, lines, il, c, injects, arena)
				arena.reset()
			}
		})
	}
	for c := range chunks {
		next <- c
	}
	close(next)
	wg.Wait()
	items := make([]lineCol, 0, len(il.items))
	var problems Problems
	for _, r := range results {
		if !r.ok {
			return nil, nil, nil, false
		}
		items = append(items, r.items...)
		problems = append(problems, r.problems...)
	}
	return injects, items, problems, true
}

// decodeInjectChunk parses chunk c of the list and decodes its items into
// their places in injects. The chunk is read as the plain subset into
// arena's nodes when it is of that subset, by yaml.v3 otherwise. A parser
// panic gives a result that is not ok: the whole file is then parsed
// again, where the panic is reported.
func decodeInjectChunk(file string, lines *sourceLines, il injectList, c int, injects []Inject, arena *nodeArena) (r chunkResult) {
	defer func() {
		if recover() != nil {
			r = chunkResult{}
		}
	}()
	firstItem := c * injectChunk
	lastItem := min(firstItem+injectChunk, len(il.items)) // exclusive
	firstLine, endLine := il.items[firstItem], il.end
	if lastItem < len(il.items) {
		endLine = il.items[lastItem]
	}
	seq, ok := plainSubsetParse(lines, firstLine, endLine, il.indent, arena)
	if !ok {
		if seq, ok = parseChunkYAML(lines.src[lines.offset(firstLine):lines.offset(endLine)]); !ok {
			return chunkResult{}
		}
	}
	if seq.Kind != yaml.SequenceNode || len(seq.Content) != lastItem-firstItem || seq.Column != il.indent+1 {
		return chunkResult{}
	}
	list := &problemList{}
	d := &decoder{file: file, problems: list, lines: lines, lineOffset: firstLine}
	r.items = make([]lineCol, len(seq.Content))
	listPath := rootPath.field("injects")
	for i, item := range seq.Content {
		r.items[i] = d.lineCol(item)
		n := firstItem + i
		itemPath := listPath.item(n)
		d.decode(item, reflect.ValueOf(&injects[n]).Elem(), &itemPath, 2)
		if d.sawAlias { // the whole tree counts alias expansions over the file
			return chunkResult{}
		}
	}
	r.problems, r.ok = list.problems, true
	return r
}

// parseChunkYAML parses a chunk's text with yaml.v3 into the node of its
// single document.
func parseChunkYAML(text []byte) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, false
	}
	return doc.Content[0], true
}
