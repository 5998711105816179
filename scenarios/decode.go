package scenarios

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The decoder turns a yaml.v3 node tree into the format's Go types by
// reflection over their `yaml` tags. Unlike yaml.Unmarshal it keeps going
// after a problem, reports every problem with its line and column, suggests
// the nearest field name for a typo, and records positions in each Pos field.

// maxDepth bounds nesting (and alias expansion) so hostile input cannot
// exhaust the stack.
const maxDepth = 64

// maxAliasExpansions bounds how many alias nodes are followed in one file.
const maxAliasExpansions = 10000

var (
	posType    = reflect.TypeFor[Pos]()
	scalarType = reflect.TypeFor[scalar]()
)

type decoder struct {
	file     string
	lines    *sourceLines // the source, to find where block scalars' text starts
	problems *problemList
	aliases  int
	// lineOffset is added to every node's line: the line before the first
	// one of the text the nodes were parsed from (0 for the whole file).
	lineOffset int
	// sawAlias records that an alias was followed.
	sawAlias bool
}

// lineCol returns where node n is in the file.
func (d *decoder) lineCol(n *yaml.Node) lineCol {
	return lineCol{int32(d.line(n)), int32(n.Column)}
}

// line returns node n's line in the file.
func (d *decoder) line(n *yaml.Node) int { return n.Line + d.lineOffset }

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: d.line(n), Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.problems.errorf(d.pos(n), format, args...)
}

// resolve follows alias nodes, counting them against the expansion budget.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.sawAlias = true
		d.aliases++
		if d.aliases > maxAliasExpansions {
			d.errorf(n, "too many alias expansions (more than %d)", maxAliasExpansions)
			return nil
		}
		n = n.Alias
	}
	return n
}

// blockStart returns where the text of a block scalar ("|" or ">") whose
// indicator is on line starts: the first non-blank line after it.
func (d *decoder) blockStart(line int) (int, int) {
	for l := line + 1; l <= d.lines.count(); l++ {
		text := d.lines.line(l - 1)
		trimmed := bytes.TrimLeft(text, " ")
		if len(bytes.TrimSpace(trimmed)) > 0 {
			return l, len(text) - len(trimmed) + 1
		}
	}
	return line, 1
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// decode stores node n into v, which must be settable.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, what *fieldPath, depth int) {
	if depth > maxDepth {
		d.errorf(n, "nesting deeper than %d levels", maxDepth)
		return
	}
	n = d.resolve(n)
	if n == nil {
		return
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), what, depth+1)
		return
	}
	if s, ok := v.Addr().Interface().(scalar); ok {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, "%s must be a single value, not a %s", what.String(), kindName(n))
			return
		}
		if isNull(n) {
			return
		}
		if err := s.parseScalar(n.Value); err != nil {
			d.errorf(n, "%s: %v", what.String(), err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, what, depth)
	case reflect.Slice:
		d.decodeSlice(n, v, what, depth)
	case reflect.Map:
		d.decodeMap(n, v, what, depth)
	case reflect.String:
		if d.scalarOK(n, what) {
			v.SetString(n.Value)
		}
	case reflect.Int:
		if !d.scalarOK(n, what) {
			return
		}
		i, err := strconv.ParseInt(n.Value, 10, 32)
		if err != nil {
			d.errorf(n, "%s must be a whole number, got %q", what.String(), n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		if !d.scalarOK(n, what) {
			return
		}
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.errorf(n, "%s must be a number, got %q", what.String(), n.Value)
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		if !d.scalarOK(n, what) {
			return
		}
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on":
			v.SetBool(true)
		case "false", "no", "off":
			v.SetBool(false)
		default:
			d.errorf(n, "%s must be true or false, got %q", what.String(), n.Value)
		}
	default:
		d.errorf(n, "internal: cannot decode %s into %s", what.String(), v.Type())
	}
}

func (d *decoder) scalarOK(n *yaml.Node, what *fieldPath) bool {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a single value, not a %s", what.String(), kindName(n))
		return false
	}
	return !isNull(n)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping (key: value pairs)"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "document"
}

// sourceLines is a file's text and where each of its lines starts, the
// lines as bytes.Split(src, "\n") gives them without a slice header per line.
type sourceLines struct {
	src []byte
	// text is src as a string when src is never changed (the loader's own
	// buffer), for values to point into; "" otherwise.
	text   string
	starts []int // where each line starts, then len(src)+1
}

func newSourceLines(src []byte) *sourceLines {
	starts := make([]int, 1, bytes.Count(src, []byte("\n"))+2)
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		starts = append(starts, off)
	}
	return &sourceLines{src: src, starts: append(starts, len(src)+1)}
}

// count returns the number of lines.
func (s *sourceLines) count() int { return len(s.starts) - 1 }

// line returns line i (0-based) without its "\n".
func (s *sourceLines) line(i int) []byte { return s.src[s.starts[i] : s.starts[i+1]-1] }

// offset returns where line i starts in src; len(src) for i = count().
func (s *sourceLines) offset(i int) int { return min(s.starts[i], len(s.src)) }

// fieldPath names the value being decoded, as "scenario.injects[3].title",
// for messages. It is a chain of the values above it, spelled out only when a
// message needs it, so decoding builds no string per field.
type fieldPath struct {
	parent *fieldPath
	name   string // a field or key; "" for an item of a list
	index  int    // the item's index in its list
}

// rootPath is the path of the whole scenario.
var rootPath = fieldPath{name: "scenario"}

// field returns the path of field name of p's value.
func (p *fieldPath) field(name string) fieldPath { return fieldPath{parent: p, name: name} }

// item returns the path of item i of p's list.
func (p *fieldPath) item(i int) fieldPath { return fieldPath{parent: p, index: i} }

// String spells the path out.
func (p *fieldPath) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p *fieldPath) write(b *strings.Builder) {
	if p.parent != nil {
		p.parent.write(b)
	}
	switch {
	case p.name == "":
		fmt.Fprintf(b, "[%d]", p.index)
	case p.parent == nil:
		b.WriteString(p.name)
	default:
		b.WriteString(".")
		b.WriteString(p.name)
	}
}

// structInfo is the cached field table of one struct type.
type structInfo struct {
	names  []string       // yaml names in declaration order
	fields map[string]int // yaml name → field index
	nameOf []string       // field index → yaml name
	pos    int            // index of the Pos field, or -1
}

var structInfos sync.Map // reflect.Type → *structInfo

func infoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string]int{}, nameOf: make([]string, t.NumField()), pos: -1}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == posType {
			si.pos = i
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		si.nameOf[i] = name
		si.names = append(si.names, name)
		si.fields[name] = i
	}
	structInfos.Store(t, si)
	return si
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, what *fieldPath, depth int) {
	si := infoOf(v.Type())
	pos := d.pos(n)
	if si.pos >= 0 { // also for an empty or wrong node, so its problems have a place
		*v.Field(si.pos).Addr().Interface().(*Pos) = pos
	}
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping (key: value pairs), not a %s", what.String(), kindName(n))
		return
	}
	// seen marks the fields set so far, by struct field index: on the stack for
	// the usual struct, not a map per mapping.
	var seenBuf [64]bool
	seen := seenBuf[:]
	if v.NumField() > len(seenBuf) {
		seen = make([]bool, v.NumField())
	}
	pos.fields = make([]fieldPos, 0, fieldPosCount(n))
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], d.resolve(n.Content[i+1])
		if val == nil {
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.errorf(key, "keys in %s must be plain names", what.String())
			continue
		}
		name := key.Value
		if name == "<<" {
			d.errorf(key, "merge keys (<<) are not supported; repeat the fields instead")
			continue
		}
		idx, ok := si.fields[name]
		if !ok {
			d.errorf(key, "%s", didYouMean(fmt.Sprintf("unknown field %q in %s", name, what.String()), name, si.names)+knownFieldsHint(name, si.names))
			continue
		}
		if seen[idx] {
			d.errorf(key, "field %q is set twice in %s", name, what.String())
			continue
		}
		seen[idx] = true
		// The field's name from the struct's table, not the key's own
		// string, so that the decoded scenario does not keep the parser's
		// strings alive.
		fp := fieldPos{name: &si.nameOf[idx], at: d.lineCol(val)}
		if val.Kind == yaml.ScalarNode && val.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line, col := d.blockStart(d.line(val))
			fp.at = lineCol{int32(line), int32(col)}
		}
		pos.fields = append(pos.fields, fp)
		if val.Kind == yaml.SequenceNode {
			for _, item := range val.Content {
				pos.fields = append(pos.fields, fieldPos{at: d.lineCol(item)})
			}
		}
		child := what.field(*fp.name)
		d.decode(val, v.Field(idx), &child, depth+1)
	}
	if si.pos >= 0 {
		*v.Field(si.pos).Addr().Interface().(*Pos) = pos
	}
}

// fieldPosCount returns how many positions a mapping's keys record: one
// per key and one per item of a list value.
func fieldPosCount(n *yaml.Node) int {
	count := len(n.Content) / 2
	for i := 1; i < len(n.Content); i += 2 {
		if n.Content[i].Kind == yaml.SequenceNode {
			count += len(n.Content[i].Content)
		}
	}
	return count
}

// knownFieldsHint lists the allowed fields when no close match was found.
func knownFieldsHint(name string, names []string) string {
	if closest(name, names) != "" {
		return ""
	}
	return "; expected one of " + strings.Join(names, ", ")
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, what *fieldPath, depth int) {
	if isNull(n) {
		return
	}
	if elem := v.Type().Elem(); n.Kind == yaml.ScalarNode && (elem.Kind() == reflect.String || reflect.PointerTo(elem).Implements(scalarType)) {
		// A single value where a list of values is expected: "to: all", "tlp: amber".
		out := reflect.MakeSlice(v.Type(), 1, 1)
		d.decode(n, out.Index(0), what, depth+1)
		v.Set(out)
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, not a %s", what.String(), kindName(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		child := what.item(i)
		d.decode(item, out.Index(i), &child, depth+1)
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, what *fieldPath, depth int) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping (key: value pairs), not a %s", what.String(), kindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.errorf(n, "internal: map key of %s is not a string", what.String())
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	var seen []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.errorf(key, "keys in %s must be plain names", what.String())
			continue
		}
		if slices.Contains(seen, key.Value) {
			d.errorf(key, "key %q is set twice in %s", key.Value, what.String())
			continue
		}
		seen = append(seen, key.Value)
		elem := reflect.New(v.Type().Elem()).Elem()
		child := what.field(key.Value)
		d.decode(val, elem, &child, depth+1)
		out.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(out)
}
