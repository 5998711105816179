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

// fieldPos records where one key's value was, followed, for a list, by one
// fieldPos without a name for each of its items. A large scenario holds one
// for every key and item it writes, so it is kept small: the name points into
// the decoder's table of field names.
type fieldPos struct {
	name *string
	at   lineCol
}

// lineCol is a line and column in a file.
type lineCol struct{ line, col int32 }

// pos returns the position at lc in p's file.
func (p Pos) at(lc lineCol) Pos { return Pos{File: p.File, Line: int(lc.line), Col: int(lc.col)} }

// field returns the index of the position of key name in p.fields, or -1.
func (p Pos) field(name string) int {
	for i, f := range p.fields {
		if f.name != nil && *f.name == name {
			return i
		}
	}
	return -1
}

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
	if i := p.field(name); i >= 0 {
		return p.at(p.fields[i].at)
	}
	return Pos{File: p.File, Line: p.Line, Col: p.Col}
}

// Item returns the position of the i-th item of the sequence under key name,
// or the key's own position when there is no such item.
func (p Pos) Item(name string, i int) Pos {
	f := p.field(name)
	if f < 0 {
		return Pos{File: p.File, Line: p.Line, Col: p.Col}
	}
	if item := f + 1 + i; i >= 0 && item < len(p.fields) && p.fields[item].name == nil {
		return p.at(p.fields[item].at)
	}
	return p.at(p.fields[f].at)
}

// Has reports whether key name was written.
func (p Pos) Has(name string) bool { return p.field(name) >= 0 }
