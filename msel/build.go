package msel

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"cmesim/scenarios"
)

// Import reads an XLSX workbook and returns the scenario's YAML text and
// the scenario, checked by the validator. Every problem, the validator's
// included, names the cell it is about; the scenario is nil when there are
// errors.
func Import(file string, data []byte) ([]byte, *scenarios.Scenario, Problems) {
	return ImportWith(file, data, scenarios.DiskSource(file))
}

// ImportWith is Import with the files the scenario attaches read from
// files (Import reads them next to the workbook).
func ImportWith(file string, data []byte, files scenarios.AttachmentSource) ([]byte, *scenarios.Scenario, Problems) {
	w, list := Read(file, data)
	if w == nil {
		return nil, nil, list
	}
	text, s, more := BuildWith(file, w, files)
	list = append(list, more...)
	if list.HasErrors() {
		return nil, nil, list
	}
	return text, s, list
}

// Build turns a workbook into a scenario's YAML text and validates it; file
// is the workbook's name for problems.
func Build(file string, w *Workbook) ([]byte, *scenarios.Scenario, Problems) {
	return BuildWith(file, w, scenarios.DiskSource(file))
}

// BuildWith is Build with the files the scenario attaches read from files.
func BuildWith(file string, w *Workbook, files scenarios.AttachmentSource) ([]byte, *scenarios.Scenario, Problems) {
	b := &builder{p: &problems{file: file}, refs: map[*yaml.Node]cellRef{}}
	doc := b.document(w) // on errors, still validated, to report all at once
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		b.p.add(scenarios.LevelError, "", "cannot write the scenario: %v", err)
		return nil, nil, b.p.list
	}
	enc.Close()
	text := buf.Bytes()
	yamlName := strings.TrimSuffix(file, ".xlsx") + ".yaml"
	s, found := scenarios.ParseWith(yamlName, text, files)
	where := b.index(doc, text)
	for _, pr := range found {
		ref := where.find(pr.Pos.Line, pr.Pos.Col)
		msg := where.rewrite(yamlName, pr.Message)
		at := ""
		if ref != nil {
			at = ref.String()
		}
		b.p.add(pr.Level, at, "%s", msg)
	}
	if s == nil || b.p.list.HasErrors() {
		return nil, nil, b.p.list
	}
	return text, s, b.p.list
}

// builder builds the YAML document, remembering the cell of every node.
type builder struct {
	p    *problems
	refs map[*yaml.Node]cellRef
}

func (b *builder) mapping(at cellRef) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	b.refs[n] = at
	return n
}

func (b *builder) sequence(at cellRef) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	b.refs[n] = at
	return n
}

// text is a scalar holding s as written.
func (b *builder) text(s string, at cellRef) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: s}
	switch s {
	case "~", "null", "Null", "NULL", "":
		n.Tag = "!!str"
	}
	b.refs[n] = at
	return n
}

// set puts key: v into mapping m (nested along a dotted key).
func (b *builder) set(m *yaml.Node, key string, v *yaml.Node, at cellRef) {
	parts := strings.Split(key, ".")
	for _, k := range parts[:len(parts)-1] {
		next := get(m, k)
		if next == nil {
			next = b.mapping(at)
			m.Content = append(m.Content, b.text(k, at), next)
		}
		m = next
	}
	m.Content = append(m.Content, b.text(parts[len(parts)-1], at), v)
}

// child returns m's value under key, creating it with make.
func (b *builder) child(m *yaml.Node, key string, at cellRef, make func(cellRef) *yaml.Node) *yaml.Node {
	if c := get(m, key); c != nil {
		return c
	}
	c := make(at)
	b.set(m, key, c, at)
	return c
}

// value turns a cell into a value of the column's kind.
func (b *builder) value(s string, k kind, at cellRef) *yaml.Node {
	switch k {
	case list:
		if strings.HasPrefix(strings.TrimSpace(s), "[") {
			return b.flow(s, at)
		}
		seq := b.sequence(at)
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				seq.Content = append(seq.Content, b.text(part, at))
			}
		}
		return seq
	case flow:
		return b.flow(s, at)
	}
	return b.text(s, at)
}

// flow parses a cell written in YAML flow style; nil when it cannot.
func (b *builder) flow(s string, at cellRef) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		b.p.errorf(at, "cannot read %q as a YAML value (%s); write it like {after: I01, delay: 20m} or [a, b]", s, strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if len(doc.Content) != 1 {
		return nil
	}
	n := doc.Content[0]
	if msg := b.claim(n, at, 0); msg != "" {
		b.p.errorf(at, "%s", msg)
		return nil
	}
	return n
}

// claim records at as the cell of n and all its children, and refuses
// what a cell may not hold.
func (b *builder) claim(n *yaml.Node, at cellRef, depth int) string {
	if depth > maxDepth {
		return fmt.Sprintf("value nested deeper than %d levels", maxDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return "anchors and aliases (&, *) are not allowed in a cell"
	}
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	b.refs[n] = at
	for _, c := range n.Content {
		if msg := b.claim(c, at, depth+1); msg != "" {
			return msg
		}
	}
	return ""
}

// document builds the scenario from the sheets.
func (b *builder) document(w *Workbook) *yaml.Node {
	top := cellRef{sheet: sheetExercise}
	root := b.mapping(top)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}
	if sh := w.Sheet(sheetExercise); sh != nil {
		b.exercise(root, sh)
	} else {
		b.p.add(scenarios.LevelError, "", "the workbook has no Exercise sheet")
	}
	for _, spec := range listSheets {
		if sh := w.Sheet(spec.name); sh != nil {
			b.list(root, spec, sh)
		}
	}
	if sh := w.Sheet(sheetTranslations); sh != nil {
		b.translations(root, sh)
	}
	sortTop(root)
	return doc
}

func (b *builder) exercise(root *yaml.Node, sh *Sheet) {
	ex := b.child(root, "exercise", cellRef{sheet: sh.Name}, b.mapping)
	for _, r := range sh.Rows {
		field := strings.TrimSpace(sh.cell(r, "Field"))
		at := sh.ref(r, "Value")
		val := sh.cell(r, "Value")
		switch {
		case field == "":
			b.p.errorf(sh.ref(r, "Field"), "row has a value but no field name")
		case field == "objectives":
			b.p.errorf(sh.ref(r, "Field"), "objectives go in the Objectives sheet")
		case val == "":
		case field == "format":
			b.set(root, "format", b.text(val, at), at)
		case strings.HasPrefix(field, "tags."):
			if v := b.value(val, exerciseKinds[field], at); v != nil {
				b.set(ex, field, v, sh.ref(r, "Field"))
			}
		default:
			if v := b.value(val, exerciseKinds[field], at); v != nil {
				ex.Content = append(ex.Content, b.text(field, sh.ref(r, "Field")), v)
			}
		}
	}
}

func (b *builder) list(root *yaml.Node, spec listSheet, sh *Sheet) {
	whole := cellRef{sheet: sh.Name}
	var seq *yaml.Node
	if spec.child == "" {
		parent := root
		parts := strings.Split(spec.path, ".")
		for _, k := range parts[:len(parts)-1] {
			parent = b.child(parent, k, whole, b.mapping)
		}
		seq = b.child(parent, parts[len(parts)-1], whole, b.sequence)
	}
	for _, r := range sh.Rows {
		item := b.mapping(sh.ref(r, spec.columns[0].heading))
		for _, c := range spec.columns {
			v := sh.cell(r, c.heading)
			if c.key == "" || c.kind == derived || v == "" {
				continue
			}
			at := sh.ref(r, c.heading)
			if val := b.value(v, c.kind, at); val != nil {
				b.set(item, c.key, val, at)
			}
		}
		if spec.child == "" {
			seq.Content = append(seq.Content, item)
			continue
		}
		parentID := strings.TrimSpace(sh.cell(r, spec.parent))
		at := sh.ref(r, spec.parent)
		parent := findByID(getPath(root, spec.path), parentID)
		if parent == nil {
			b.p.errorf(at, "%s %q is not in the %s sheet", strings.ToLower(spec.parent), parentID, parentSheet(spec))
			continue
		}
		if spec.single {
			if get(parent, spec.child) != nil {
				b.p.errorf(at, "%s %q already has a row in the %s sheet; it can have only one", strings.ToLower(spec.parent), parentID, spec.name)
				continue
			}
			b.set(parent, spec.child, item, at)
			continue
		}
		list := b.child(parent, spec.child, at, b.sequence)
		list.Content = append(list.Content, item)
	}
}

func parentSheet(spec listSheet) string {
	for _, s := range listSheets {
		if s.path == spec.path && s.child == "" {
			return s.name
		}
	}
	return spec.path
}

// findByID returns the item of a sequence whose id is id.
func findByID(seq *yaml.Node, id string) *yaml.Node {
	for _, it := range items(seq) {
		if scalarValue(get(it, "id")) == id && id != "" {
			return it
		}
	}
	return nil
}

func (b *builder) translations(root *yaml.Node, sh *Sheet) {
	for _, r := range sh.Rows {
		injectID := strings.TrimSpace(sh.cell(r, "Inject"))
		in := findByID(get(root, "injects"), injectID)
		if in == nil {
			b.p.errorf(sh.ref(r, "Inject"), "inject %q is not in the Injects sheet", injectID)
			continue
		}
		lang := strings.TrimSpace(sh.cell(r, "Language"))
		if lang == "" {
			b.p.errorf(sh.ref(r, "Language"), "translation needs a language (a two-letter code such as es)")
			continue
		}
		owner, fields := in, [][2]string{{"Title", "title"}, {"Text", "body"}}
		if expID := strings.TrimSpace(sh.cell(r, "Expectation")); expID != "" {
			owner = findByID(get(in, "expectations"), expID)
			if owner == nil {
				b.p.errorf(sh.ref(r, "Expectation"), "inject %s has no expectation %q in the Expectations sheet", injectID, expID)
				continue
			}
			if sh.cell(r, "Title") != "" {
				b.p.errorf(sh.ref(r, "Title"), "an expectation's translation has no title; put the prompt under Text")
				continue
			}
			fields = [][2]string{{"Text", "prompt"}}
		}
		trs := b.child(owner, "translations", sh.ref(r, "Language"), b.mapping)
		tr := b.mapping(sh.ref(r, "Language"))
		for _, f := range fields {
			if v := sh.cell(r, f[0]); v != "" {
				at := sh.ref(r, f[0])
				b.set(tr, f[1], b.text(v, at), at)
			}
		}
		trs.Content = append(trs.Content, b.text(lang, sh.ref(r, "Language")), tr)
	}
}

// sortTop puts the top-level keys in document order.
func sortTop(root *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	var pairs []pair
	for i := 0; i+1 < len(root.Content); i += 2 {
		pairs = append(pairs, pair{root.Content[i], root.Content[i+1]})
	}
	rank := func(k string) int {
		for i, t := range topKeys {
			if t == k {
				return i
			}
		}
		return len(topKeys)
	}
	sort.SliceStable(pairs, func(i, j int) bool { return rank(pairs[i].k.Value) < rank(pairs[j].k.Value) })
	root.Content = root.Content[:0]
	for _, p := range pairs {
		root.Content = append(root.Content, p.k, p.v)
	}
}

// cellIndex maps positions of the written YAML back to cells.
type cellIndex struct {
	at     map[[2]int]cellRef
	byLine map[int]cellRef
}

// index parses the written text again and pairs its nodes with the built
// ones, which have the same shape, to learn where each cell's value went.
func (b *builder) index(built *yaml.Node, text []byte) *cellIndex {
	idx := &cellIndex{at: map[[2]int]cellRef{}, byLine: map[int]cellRef{}}
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil {
		return idx
	}
	var walk func(n, p *yaml.Node)
	walk = func(n, p *yaml.Node) {
		if ref, ok := b.refs[n]; ok {
			idx.at[[2]int{p.Line, p.Column}] = ref
			last := p.Line
			if p.Kind == yaml.ScalarNode && p.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
				last += strings.Count(p.Value, "\n") + 1
			}
			for l := p.Line; l <= last; l++ {
				if _, seen := idx.byLine[l]; !seen {
					idx.byLine[l] = ref
				}
			}
		}
		if len(n.Content) != len(p.Content) {
			return
		}
		for i := range n.Content {
			walk(n.Content[i], p.Content[i])
		}
	}
	walk(built, &doc)
	return idx
}

func (c *cellIndex) find(line, col int) *cellRef {
	if r, ok := c.at[[2]int{line, col}]; ok {
		return &r
	}
	for l := line; l > 0; l-- {
		if r, ok := c.byLine[l]; ok {
			return &r
		}
	}
	return nil
}

var posInMessage = regexp.MustCompile(`(\S+\.yaml):(\d+):(\d+)`)

// rewrite replaces positions in the written YAML within a message (such as
// "first defined at x.yaml:12:5") by cells.
func (c *cellIndex) rewrite(yamlName, msg string) string {
	return posInMessage.ReplaceAllStringFunc(msg, func(m string) string {
		sub := posInMessage.FindStringSubmatch(m)
		if sub[1] != yamlName {
			return m
		}
		var line, col int
		fmt.Sscan(sub[2], &line)
		fmt.Sscan(sub[3], &col)
		if r := c.find(line, col); r != nil {
			return r.String()
		}
		return m
	})
}
