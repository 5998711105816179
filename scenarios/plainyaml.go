package scenarios

import (
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Most of the cost of a large scenario is yaml.v3 building a node for
// every key and value of its injects (two allocations a scalar, ~160 bytes
// a node, and its scanner's tokens). A chunk of injects written in the
// plain style generated and most hand-written MSELs use — block mappings
// and lists, one-line flow lists and mappings, one-line plain scalars — is
// read here instead, into nodes taken from an arena that is reused chunk
// after chunk, with values that are substrings of the file the loader read
// (of one copy of the chunk's text when the caller owns the bytes). Anything outside that small subset (quotes, block scalars, a
// comment after a value, a value over several lines, an anchor, a tag, a
// tab, an empty value, a character yaml.v3 refuses...) makes the reader
// give up and the chunk is parsed by yaml.v3 as before: the subset is read
// into exactly the tree yaml.v3 builds, as far as the decoder looks at it
// (kind, value, line, column, children, and whether a scalar is null).

// plainSubsetParse reads lines [first, end) of the file, a block list
// whose items' "-" are at column indent (0-based), into a sequence node
// whose lines count from first; false when the text is not of the subset.
func plainSubsetParse(lines *sourceLines, first, end, indent int, arena *nodeArena) (seq *yaml.Node, ok bool) {
	start, stop := lines.offset(first), lines.offset(end)
	if !plainSubsetChars(lines.src[start:stop]) {
		return nil, false
	}
	p := &plainParser{lines: lines, base: start, first: first, end: end, arena: arena}
	if lines.text != "" {
		p.text = lines.text[start:stop]
	} else {
		p.text = string(lines.src[start:stop])
	}
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(notPlainSubset); !bail {
				panic(r)
			}
			seq, ok = nil, false
		}
	}()
	p.line = first
	if ind := p.nextContent(); ind != indent || !isItemAt(p.cur(), ind) {
		return nil, false
	}
	seq = p.sequence(indent)
	if p.nextContent() >= 0 {
		return nil, false
	}
	return seq, true
}

// notPlainSubset is the panic value that ends reading a chunk that is not
// of the plain subset.
type notPlainSubset struct{}

func bail() { panic(notPlainSubset{}) }

// plainSubsetChars reports whether text holds only characters yaml.v3
// accepts, no tab and no NUL (the caller has checked the line breaks).
func plainSubsetChars(text []byte) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' {
			i++
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError || size > 3 || r < 0xa0 || r == 0xfeff || r >= 0xfffe {
			return false // yaml.v3 refuses these (size 4 included)
		}
		i += size
	}
	return true
}

// nodeArena hands out nodes and child lists from blocks that are reused
// from one chunk to the next, once the previous chunk's tree is decoded.
type nodeArena struct {
	nodes     [][]yaml.Node
	node      int // index of the block in use
	used      int // nodes used in it
	ptrsUsed  int // child-list slots used in the pointer block in use
	ptrBlocks [][]*yaml.Node
	ptrBlock  int // index of the pointer block in use
}

const arenaBlock = 4096

// reset makes every node and list handed out so far free again.
func (a *nodeArena) reset() { a.node, a.used, a.ptrBlock, a.ptrsUsed = 0, 0, 0, 0 }

// newNode returns a zeroed node.
func (a *nodeArena) newNode() *yaml.Node {
	if a.node < len(a.nodes) && a.used == len(a.nodes[a.node]) {
		a.node, a.used = a.node+1, 0
	}
	if a.node == len(a.nodes) {
		a.nodes = append(a.nodes, make([]yaml.Node, arenaBlock))
	}
	n := &a.nodes[a.node][a.used]
	a.used++
	*n = yaml.Node{}
	return n
}

// list returns a copy of children.
func (a *nodeArena) list(children []*yaml.Node) []*yaml.Node {
	if len(children) == 0 {
		return nil
	}
	if len(children) > arenaBlock {
		return append([]*yaml.Node(nil), children...)
	}
	if a.ptrBlock < len(a.ptrBlocks) && a.ptrsUsed+len(children) > arenaBlock {
		a.ptrBlock, a.ptrsUsed = a.ptrBlock+1, 0
	}
	if a.ptrBlock == len(a.ptrBlocks) {
		a.ptrBlocks = append(a.ptrBlocks, make([]*yaml.Node, arenaBlock))
	}
	out := a.ptrBlocks[a.ptrBlock][a.ptrsUsed : a.ptrsUsed+len(children) : a.ptrsUsed+len(children)]
	copy(out, children)
	a.ptrsUsed += len(children)
	return out
}

// plainParser reads one chunk of the plain subset.
type plainParser struct {
	lines *sourceLines
	text  string // the chunk's text: values are substrings of it
	base  int    // where text starts in the file
	first int    // the chunk's first line (0-based): its nodes' line 1
	end   int    // the line after the chunk
	line  int    // the line being read
	arena *nodeArena
	stack []*yaml.Node // children of the collections being read
	depth int
	// colLine is the line, plus one (0: none yet), of the last column
	// counted: byte colOff of it is at character column colAt (1-based),
	// so that counting the columns of a line is linear, not quadratic.
	colLine, colOff, colAt int
}

// maxPlainDepth bounds nesting; deeper text is left to yaml.v3.
const maxPlainDepth = 32

// cur returns the current line without its line break.
func (p *plainParser) cur() []byte {
	text := p.lines.line(p.line)
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	return text
}

// nextContent moves to the next line that is neither blank nor a comment
// and returns its indentation, or -1 at the end of the chunk.
func (p *plainParser) nextContent() int {
	for ; p.line < p.end; p.line++ {
		text := p.cur()
		ind := 0
		for ind < len(text) && text[ind] == ' ' {
			ind++
		}
		if ind < len(text) && text[ind] != '#' {
			return ind
		}
	}
	return -1
}

// isItemAt reports whether a list item's "-" is at byte off of text.
func isItemAt(text []byte, off int) bool {
	return off < len(text) && text[off] == '-' && (off+1 == len(text) || text[off+1] == ' ')
}

// enter and leave bound the nesting.
func (p *plainParser) enter() {
	if p.depth++; p.depth > maxPlainDepth {
		bail()
	}
}

func (p *plainParser) leave() { p.depth-- }

// node returns a new node of kind k at byte off of the current line.
func (p *plainParser) node(k yaml.Kind, tag string, off int) *yaml.Node {
	n := p.arena.newNode()
	n.Kind, n.Tag = k, tag
	n.Line = p.line - p.first + 1
	n.Column = p.column(off)
	return n
}

// column returns the 1-based column, in characters, of byte off of the
// current line.
func (p *plainParser) column(off int) int {
	if p.colLine != p.line+1 || off < p.colOff {
		p.colLine, p.colOff, p.colAt = p.line+1, 0, 1
	}
	p.colAt += utf8.RuneCount(p.cur()[p.colOff:off])
	p.colOff = off
	return p.colAt
}

// scalar returns a plain scalar node for bytes [from, to) of the current line.
func (p *plainParser) scalar(from, to int) *yaml.Node {
	n := p.node(yaml.ScalarNode, "!!str", from)
	at := p.lines.offset(p.line) - p.base
	n.Value = p.text[at+from : at+to]
	switch n.Value {
	case "~", "null", "Null", "NULL":
		n.Tag = "!!null"
	}
	return n
}

// finish gives n the children pushed since mark.
func (p *plainParser) finish(n *yaml.Node, mark int) *yaml.Node {
	n.Content = p.arena.list(p.stack[mark:])
	p.stack = p.stack[:mark]
	return n
}

// sequence reads a block list whose items' "-" are at column col, from the
// current line.
func (p *plainParser) sequence(col int) *yaml.Node {
	p.enter()
	defer p.leave()
	seq := p.node(yaml.SequenceNode, "!!seq", col)
	mark := len(p.stack)
	for {
		text := p.cur()
		off := col + 1
		for off < len(text) && text[off] == ' ' {
			off++
		}
		switch {
		case off == len(text): // the item's value starts on a later line
			p.line++
			ind := p.nextContent()
			if ind <= col {
				bail()
			}
			p.stack = append(p.stack, p.blockCollection(ind))
		case isItemAt(text, off):
			bail()
		case keyEnd(text, off) > 0:
			p.stack = append(p.stack, p.mapping(off))
		default:
			p.stack = append(p.stack, p.inline(off))
			p.line++
		}
		ind := p.nextContent()
		switch {
		case ind > col:
			bail()
		case ind == col && isItemAt(p.cur(), ind):
			continue
		}
		return p.finish(seq, mark)
	}
}

// blockCollection reads the list or mapping that starts at column ind of
// the current line.
func (p *plainParser) blockCollection(ind int) *yaml.Node {
	if isItemAt(p.cur(), ind) {
		return p.sequence(ind)
	}
	return p.mapping(ind)
}

// keyEnd returns where the plain key starting at byte off of text ends
// (at its ":", followed by a space or the end of the line), or 0.
func keyEnd(text []byte, off int) int {
	i := off
	for i < len(text) && i-off < 128 && (text[i] == '_' || text[i] >= 'a' && text[i] <= 'z' || text[i] >= 'A' && text[i] <= 'Z' || i > off && (text[i] >= '0' && text[i] <= '9' || text[i] == '-')) {
		i++
	}
	if i == off || i == len(text) || text[i] != ':' || (i+1 < len(text) && text[i+1] != ' ') {
		return 0
	}
	return i
}

// mapping reads a block mapping whose keys are at column col, the first
// one on the current line.
func (p *plainParser) mapping(col int) *yaml.Node {
	p.enter()
	defer p.leave()
	m := p.node(yaml.MappingNode, "!!map", col)
	mark := len(p.stack)
	for {
		text := p.cur()
		k := keyEnd(text, col)
		if k == 0 {
			bail()
		}
		p.stack = append(p.stack, p.scalar(col, k))
		off := k + 1
		for off < len(text) && text[off] == ' ' {
			off++
		}
		if off < len(text) {
			p.stack = append(p.stack, p.inline(off))
			p.line++
		} else { // the value starts on a later line
			p.line++
			ind := p.nextContent()
			switch {
			case ind > col:
				p.stack = append(p.stack, p.blockCollection(ind))
			case ind == col && isItemAt(p.cur(), ind):
				p.stack = append(p.stack, p.sequence(ind))
			default:
				bail() // an empty value: left to yaml.v3
			}
		}
		ind := p.nextContent()
		switch {
		case ind > col, ind == col && isItemAt(p.cur(), ind):
			bail()
		case ind == col:
			continue
		}
		return p.finish(m, mark)
	}
}

// inline reads the value that starts at byte off of the current line and
// ends with it: a flow list, a flow mapping or a plain scalar.
func (p *plainParser) inline(off int) *yaml.Node {
	text := p.cur()
	if text[off] == '[' || text[off] == '{' {
		n, end := p.flow(text, off)
		for ; end < len(text); end++ {
			if text[end] != ' ' {
				bail()
			}
		}
		return n
	}
	if !plainStart(text[off]) {
		bail()
	}
	end := off
	for i := off; i < len(text); i++ {
		switch c := text[i]; {
		case c == '#', c == ':' && (i+1 == len(text) || text[i+1] == ' '):
			bail()
		case c != ' ':
			end = i + 1
		}
	}
	return p.scalar(off, end)
}

// plainStart reports whether c may start a plain scalar of the subset.
func plainStart(c byte) bool {
	switch c {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// flow reads the flow list or mapping at byte off of text (the current
// line), which must end on that line; it returns the node and where it ends.
func (p *plainParser) flow(text []byte, off int) (*yaml.Node, int) {
	p.enter()
	defer p.leave()
	isMap := text[off] == '{'
	closer := byte(']')
	n := p.node(yaml.SequenceNode, "!!seq", off)
	if isMap {
		closer, n.Kind, n.Tag = '}', yaml.MappingNode, "!!map"
	}
	n.Style = yaml.FlowStyle
	mark := len(p.stack)
	i := skipSpaces(text, off+1)
	if i < len(text) && text[i] == closer {
		return p.finish(n, mark), i + 1
	}
	for {
		if isMap {
			k := keyEnd(text, i)
			if k == 0 || k+1 == len(text) {
				bail()
			}
			p.stack = append(p.stack, p.scalar(i, k))
			i = skipSpaces(text, k+1)
		}
		var child *yaml.Node
		child, i = p.flowValue(text, i)
		p.stack = append(p.stack, child)
		i = skipSpaces(text, i)
		switch {
		case i == len(text):
			bail()
		case text[i] == closer:
			return p.finish(n, mark), i + 1
		case text[i] != ',':
			bail()
		}
		i = skipSpaces(text, i+1)
	}
}

// flowValue reads one value inside a flow collection at byte i of text.
func (p *plainParser) flowValue(text []byte, i int) (*yaml.Node, int) {
	if i == len(text) {
		bail()
	}
	if text[i] == '[' || text[i] == '{' {
		return p.flow(text, i)
	}
	if !plainStart(text[i]) {
		bail()
	}
	end, j := i, i
	for ; j < len(text); j++ {
		c := text[j]
		if c == ',' || c == ']' || c == '}' {
			break
		}
		switch {
		case c == '#', c == '?', c == '[', c == '{':
			bail()
		case c == ':' && (j+1 == len(text) || !isWordByte(text[j+1])):
			bail()
		case c != ' ':
			end = j + 1
		}
	}
	if end == i {
		bail() // an empty item or value
	}
	return p.scalar(i, end), j
}

// isWordByte reports whether c is an ASCII letter or digit.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func skipSpaces(text []byte, i int) int {
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i
}
