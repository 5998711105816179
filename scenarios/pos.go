package scenarios

import "fmt"

// Pos is where a value was written in a scenario file. Every struct of the
// format carries one, filled in by the loader, together with the positions of
// its keys so that a problem can be reported at the exact field.
type Pos struct {
	File   string
	Line   int
	Col    int
	fields []fieldPos
}

// fieldPos records where one key's value and, for sequences, each item was.
type fieldPos struct {
	name      string
	line, col int
	items     []lineCol
}

type lineCol struct{ line, col int }

// String formats the position as "file:line:col", the form editors and
// terminals turn into links.
func (p Pos) String() string {
	file := p.File
	if file == "" {
		file = "<input>"
	}
	return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)
}

// IsZero reports whether the position is unknown.
func (p Pos) IsZero() bool { return p.Line == 0 }

// Field returns the position of the value written under key name, or p
// itself when the key was not written.
func (p Pos) Field(name string) Pos {
	for _, f := range p.fields {
		if f.name == name {
			return Pos{File: p.File, Line: f.line, Col: f.col}
		}
	}
	return Pos{File: p.File, Line: p.Line, Col: p.Col}
}

// Item returns the position of the i-th item of the sequence under key name,
// or the key's own position when there is no such item.
func (p Pos) Item(name string, i int) Pos {
	for _, f := range p.fields {
		if f.name == name {
			if i >= 0 && i < len(f.items) {
				return Pos{File: p.File, Line: f.items[i].line, Col: f.items[i].col}
			}
			return Pos{File: p.File, Line: f.line, Col: f.col}
		}
	}
	return Pos{File: p.File, Line: p.Line, Col: p.Col}
}

// Has reports whether key name was written.
func (p Pos) Has(name string) bool {
	for _, f := range p.fields {
		if f.name == name {
			return true
		}
	}
	return false
}
