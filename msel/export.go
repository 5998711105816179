package msel

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"
)

// MaxCellText is the longest text a spreadsheet cell holds (Excel's limit).
const MaxCellText = 32767

// Export turns the YAML text of a valid scenario into a workbook. It fails
// when the document holds something no sheet has a column for, so that an
// export never loses part of a scenario silently.
func Export(src []byte) (*Workbook, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || resolve(doc.Content[0]).Kind != yaml.MappingNode {
		return nil, fmt.Errorf("read scenario: not a YAML mapping")
	}
	root := resolve(doc.Content[0])
	for _, k := range keys(root) {
		if !slices.Contains(topKeys, k) {
			return nil, fmt.Errorf("the scenario's %q has no sheet", k)
		}
	}
	if net := get(root, "network"); net != nil {
		for _, k := range keys(net) {
			if k != "links" {
				return nil, fmt.Errorf("network.%s has no sheet", k)
			}
		}
	}
	w := &Workbook{}
	ex, err := exportExercise(root)
	if err != nil {
		return nil, err
	}
	w.Sheets = append(w.Sheets, ex)
	for _, spec := range listSheets {
		sh, err := exportList(root, spec)
		if err != nil {
			return nil, err
		}
		w.Sheets = append(w.Sheets, sh)
	}
	w.Sheets = append(w.Sheets, exportTranslations(root))
	for _, sh := range w.Sheets {
		for _, r := range sh.Rows {
			for i, c := range r.Cells {
				if len(c) > MaxCellText {
					return nil, fmt.Errorf("%s holds %d characters; a spreadsheet cell holds at most %d", cellRef{sh.Name, i, r.Num}, len(c), MaxCellText)
				}
			}
		}
	}
	return w, nil
}

// topKeys are the top-level keys of a scenario, in document order.
var topKeys = []string{"format", "exercise", "teams", "actors", "groups", "network", "incidents", "injects", "taxonomies", "hot_wash"}

func exportExercise(root *yaml.Node) (*Sheet, error) {
	sh := &Sheet{Name: sheetExercise, Header: exerciseHeadings}
	add := func(key string, v *yaml.Node) error {
		text, err := cellText(v, exerciseKinds[key])
		if err != nil {
			return fmt.Errorf("exercise.%s: %w", key, err)
		}
		sh.Rows = append(sh.Rows, Row{Num: len(sh.Rows) + 2, Cells: []string{key, text}})
		return nil
	}
	if f := get(root, "format"); f != nil {
		if err := add("format", f); err != nil {
			return nil, err
		}
	}
	ex := get(root, "exercise")
	if ex == nil {
		return sh, nil
	}
	if ex.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("exercise is not a mapping")
	}
	for i := 0; i+1 < len(ex.Content); i += 2 {
		key := ex.Content[i].Value
		if key == "objectives" {
			continue
		}
		if v := resolve(ex.Content[i+1]); key == "tags" && v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 { // one row per tag: tags.sectors, tags.level, ...
				if err := add("tags."+v.Content[j].Value, resolve(v.Content[j+1])); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := add(key, resolve(ex.Content[i+1])); err != nil {
			return nil, err
		}
	}
	return sh, nil
}

func exportList(root *yaml.Node, spec listSheet) (*Sheet, error) {
	sh := &Sheet{Name: spec.name}
	for _, c := range spec.columns {
		sh.Header = append(sh.Header, c.heading)
	}
	list := items(getPath(root, spec.path))
	skip := nestedKeys(spec)
	addRow := func(parentID string, item *yaml.Node) error {
		cells, err := flatten(item, spec.columns, skip)
		if err != nil {
			return fmt.Errorf("%s row %d: %w", spec.name, len(sh.Rows)+2, err)
		}
		if spec.parent != "" {
			cells[0] = parentID
		}
		sh.Rows = append(sh.Rows, Row{Num: len(sh.Rows) + 2, Cells: cells})
		return nil
	}
	for _, item := range list {
		if spec.child == "" {
			if err := addRow("", item); err != nil {
				return nil, err
			}
			continue
		}
		id := scalarValue(get(item, "id"))
		if spec.single {
			if child := get(item, spec.child); child != nil && !isNull(child) {
				if err := addRow(id, child); err != nil {
					return nil, err
				}
			}
			continue
		}
		for _, child := range items(get(item, spec.child)) {
			if err := addRow(id, child); err != nil {
				return nil, err
			}
		}
	}
	return sh, nil
}

// nestedKeys are the keys of a sheet's items that other sheets hold.
func nestedKeys(spec listSheet) []string {
	var out []string
	for _, other := range listSheets {
		if other.child != "" && other.path == spec.path && spec.child == "" {
			out = append(out, other.child)
		}
	}
	if spec.path == "injects" && spec.child != "attachments" && !spec.single {
		out = append(out, "translations") // the Translations sheet (an attachment's stay in its row)
	}
	return out
}

// flatten turns an item's mapping into the cells of the columns.
func flatten(item *yaml.Node, columns []column, skip []string) ([]string, error) {
	cells := make([]string, len(columns))
	if item.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a mapping")
	}
	var walk func(m *yaml.Node, prefix string) error
	walk = func(m *yaml.Node, prefix string) error {
		for i := 0; i+1 < len(m.Content); i += 2 {
			key := prefix + m.Content[i].Value
			v := resolve(m.Content[i+1])
			if prefix == "" && slices.Contains(skip, key) {
				continue
			}
			idx := slices.IndexFunc(columns, func(c column) bool { return c.key == key && c.kind != derived })
			if idx >= 0 {
				text, err := cellText(v, columns[idx].kind)
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				cells[idx] = text
				continue
			}
			nested := slices.ContainsFunc(columns, func(c column) bool { return strings.HasPrefix(c.key, key+".") })
			switch {
			case nested && v.Kind == yaml.MappingNode:
				if err := walk(v, key+"."); err != nil {
					return err
				}
			case nested && isNull(v):
			default:
				return fmt.Errorf("%q has no column", key)
			}
		}
		return nil
	}
	if err := walk(item, ""); err != nil {
		return nil, err
	}
	for i, c := range columns {
		if c.kind == derived && c.heading == "Type" {
			cells[i] = injectType(get(item, "at") != nil && !isNull(get(item, "at")), get(item, "trigger") != nil && !isNull(get(item, "trigger")))
		}
	}
	return cells, nil
}

// exportTranslations lists the translations of injects and of expectations'
// prompts.
func exportTranslations(root *yaml.Node) *Sheet {
	sh := &Sheet{Name: sheetTranslations, Header: translationHeadings}
	add := func(cells ...string) {
		sh.Rows = append(sh.Rows, Row{Num: len(sh.Rows) + 2, Cells: cells})
	}
	for _, in := range items(get(root, "injects")) {
		id := scalarValue(get(in, "id"))
		tr := get(in, "translations")
		for i := 0; tr != nil && i+1 < len(tr.Content); i += 2 {
			t := resolve(tr.Content[i+1])
			add(id, "", tr.Content[i].Value, scalarValue(get(t, "title")), scalarValue(get(t, "body")))
		}
		for _, e := range items(get(in, "expectations")) {
			tr := get(e, "translations")
			for i := 0; tr != nil && i+1 < len(tr.Content); i += 2 {
				t := resolve(tr.Content[i+1])
				add(id, scalarValue(get(e, "id")), tr.Content[i].Value, "", scalarValue(get(t, "prompt")))
			}
		}
	}
	return sh
}

// cellText writes a value as a cell of the given kind.
func cellText(v *yaml.Node, k kind) (string, error) {
	if v == nil || isNull(v) {
		return "", nil
	}
	switch k {
	case scalar:
		if v.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("holds a list or mapping where a single value is expected")
		}
		return v.Value, nil
	case list:
		if v.Kind == yaml.ScalarNode {
			return v.Value, nil
		}
		var parts []string
		plain := v.Kind == yaml.SequenceNode
		for _, c := range v.Content {
			c = resolve(c)
			if c.Kind != yaml.ScalarNode || c.Value == "" || strings.ContainsAny(c.Value, ",[]{}") {
				plain = false
				break
			}
			parts = append(parts, c.Value)
		}
		if plain && len(parts) > 0 {
			return strings.Join(parts, ", "), nil
		}
	}
	return flowText(v)
}

// flowText writes v in YAML flow style, on one line where it fits.
func flowText(v *yaml.Node) (string, error) {
	b, err := yaml.Marshal(flowCopy(v, 0))
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// flowCopy copies n with aliases resolved, without comments, in flow style.
func flowCopy(n *yaml.Node, depth int) *yaml.Node {
	n = resolve(n)
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style}
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		c.Style = yaml.FlowStyle
		if depth > maxDepth {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
		}
		for _, x := range n.Content {
			c.Content = append(c.Content, flowCopy(x, depth+1))
		}
	case yaml.ScalarNode:
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			c.Style = yaml.DoubleQuotedStyle
		}
	}
	return c
}

// WriteXLSX writes the workbook as an Excel file.
func WriteXLSX(out io.Writer, w *Workbook) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, sh := range w.Sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		if err := writeSheet(f, sh, bold, wrap); err != nil {
			return fmt.Errorf("sheet %s: %w", sh.Name, err)
		}
	}
	return f.Write(out)
}

func writeSheet(f *excelize.File, sh *Sheet, bold, wrap int) error {
	sw, err := f.NewStreamWriter(sh.Name)
	if err != nil {
		return err
	}
	for i, h := range sh.Header {
		width := 14.0
		if strings.Contains("Description Objective Prompt Criteria Content Text Controller notes Value Legacy description", h) {
			width = 60
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(sh.Header))
	for i, h := range sh.Header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for _, r := range sh.Rows {
		row := make([]any, len(r.Cells))
		for i, c := range r.Cells {
			// Text cells, so that "00:10" or "1.0" stay as written.
			row[i] = excelize.Cell{StyleID: wrap, Value: c}
		}
		name, _ := excelize.CoordinatesToCellName(1, r.Num)
		if err := sw.SetRow(name, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// WriteCSV writes the Injects sheet as CSV (RFC 4180), headings first: the
// MSEL as one table for tools that do not read workbooks.
func WriteCSV(out io.Writer, w *Workbook) error {
	sh := w.Sheet(sheetInjects)
	if sh == nil {
		return fmt.Errorf("no Injects sheet")
	}
	cw := csv.NewWriter(out)
	if err := cw.Write(sh.Header); err != nil {
		return err
	}
	for _, r := range sh.Rows {
		if err := cw.Write(r.Cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
