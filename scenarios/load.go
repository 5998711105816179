package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"gopkg.in/yaml.v3"
)

// FormatV1 is the value of the format key of every scenario this version reads.
const FormatV1 = "cmesim/v1"

// MaxFileSize is the default largest scenario file the loader reads, in
// bytes: 64 MiB, room for about 150,000 injects (a Cyber-Europe-sized
// scenario of 28,000 injects is about 11 MB). SetMaxFileSize changes it.
const MaxFileSize = 64 << 20

// maxFileSize is the limit in force.
var maxFileSize atomic.Int64

func init() { maxFileSize.Store(MaxFileSize) }

// SetMaxFileSize sets the largest scenario file the loader reads, in bytes;
// n ≤ 0 restores MaxFileSize. It is safe to call while scenarios load.
func SetMaxFileSize(n int64) {
	if n <= 0 {
		n = MaxFileSize
	}
	maxFileSize.Store(n)
}

// FileSizeLimit returns the largest scenario file the loader reads, in bytes.
func FileSizeLimit() int64 { return maxFileSize.Load() }

//go:embed *.yaml attachments
var library embed.FS

// Parse decodes and validates one scenario file. The scenario is returned
// only when there are no errors; problems holds every error and warning found,
// each with its file:line:col, sorted by position. Parse never panics.
func Parse(file string, src []byte) (s *Scenario, problems Problems) {
	return ParseWith(file, src, nil)
}

// ParseWith is Parse for a scenario that may attach files: files gives
// them, by path relative to the scenario file (nil when there are none to
// give: an attached file is then an error).
func ParseWith(file string, src []byte, files AttachmentSource) (s *Scenario, problems Problems) {
	return parseWith(file, src, files, false)
}

// parseWith is ParseWith; owned tells that src is the loader's own and is
// never changed, so that the scenario's strings may point into it instead
// of into copies.
func parseWith(file string, src []byte, files AttachmentSource, owned bool) (s *Scenario, problems Problems) {
	list := &problemList{}
	defer func() {
		if r := recover(); r != nil { // the YAML parser must not take the caller down
			list.errorf(Pos{File: file, Line: 1, Col: 1}, "cannot read this file as YAML (parser failure: %v)", r)
			s, problems = nil, list.problems
		}
		problems.sort()
	}()
	if limit := FileSizeLimit(); int64(len(src)) > limit {
		list.errorf(Pos{File: file, Line: 1, Col: 1}, "file is %d bytes; the limit is %d (raise it with --max-scenario-size)", len(src), limit)
		return nil, list.problems
	}
	var sc Scenario
	rootPos, ok := decodeScenario(file, src, list, &sc, owned)
	if !ok {
		return nil, list.problems
	}
	sc.File = file
	validate(&sc, list)
	if !list.problems.HasErrors() {
		resolveAttachments(&sc, files, list)
	}
	placeUnplaced(list.problems, rootPos)
	if list.problems.HasErrors() {
		return nil, list.problems
	}
	applyDefaults(&sc)
	sc.index = buildIndex(&sc)
	return &sc, list.problems
}

// decodeScenario decodes src into sc, and returns where its top-level node
// starts; false when the file is not YAML of one document. When owned, the
// values read by the plain reader are substrings of src itself.
func decodeScenario(file string, src []byte, list *problemList, sc *Scenario, owned bool) (Pos, bool) {
	lines := newSourceLines(src)
	if owned && len(src) > 0 {
		lines.text = unsafe.String(&src[0], len(src))
	}
	if pos, ok := decodeChunked(file, lines, list, sc); ok {
		return pos, true
	}
	*sc = Scenario{}
	root, ok := parseYAML(file, src, list)
	if !ok {
		return Pos{}, false
	}
	d := &decoder{file: file, problems: list, lines: lines}
	d.decode(root, reflect.ValueOf(sc).Elem(), &rootPath, 0)
	return d.pos(root), true
}

// parseYAML parses src into the node of its single document.
func parseYAML(file string, src []byte, list *problemList) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			list.errorf(Pos{File: file, Line: 1, Col: 1}, "file is empty; a scenario starts with \"format: %s\"", FormatV1)
			return nil, false
		}
		pos, msg := yamlSyntaxProblem(file, src, err)
		list.errorf(pos, "%s", msg)
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		list.errorf(Pos{File: file, Line: extra.Line, Col: extra.Column}, "a scenario file holds one YAML document; found a second one")
		return nil, false
	} else if !errors.Is(err, io.EOF) {
		pos, msg := yamlSyntaxProblem(file, src, err)
		list.errorf(pos, "%s", msg)
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		list.errorf(Pos{File: file, Line: 1, Col: 1}, "file holds no YAML document")
		return nil, false
	}
	return doc.Content[0], true
}

// placeUnplaced gives every problem that has no position the position of
// the document (where its top-level node starts), so that each problem
// starts with file:line:col.
func placeUnplaced(problems Problems, doc Pos) {
	for i := range problems {
		p := &problems[i].Pos
		if p.File == "" {
			p.File = doc.File
		}
		if p.IsZero() {
			p.Line, p.Col = max(doc.Line, 1), max(doc.Col, 1)
		}
	}
}

// LoadFile reads, decodes and validates the scenario file at path.
func LoadFile(path string) (*Scenario, Problems) {
	return load(os.DirFS("."), path, path, DiskSource(path))
}

// Load reads the scenario named name from fsys; display is the file name
// problems are reported against.
func Load(fsys fs.FS, name, display string) (*Scenario, Problems) {
	if path.IsAbs(name) || strings.HasPrefix(name, "..") {
		return load(fsys, name, display, DiskSource(name))
	}
	return load(fsys, name, display, DirSource(fsys, name))
}

// load reads the scenario named name from fsys with its attached files
// from files.
func load(fsys fs.FS, name, display string, files AttachmentSource) (*Scenario, Problems) {
	var f fs.File
	var err error
	if path.IsAbs(name) || strings.HasPrefix(name, "..") {
		f, err = os.Open(name)
	} else {
		f, err = fsys.Open(name)
	}
	if err != nil {
		return nil, Problems{{Pos: Pos{File: display}, Level: LevelError, Message: fmt.Sprintf("cannot open: %v", unwrapPathError(err))}}
	}
	defer f.Close()
	src, err := readLimited(f, FileSizeLimit()+1)
	if err != nil {
		return nil, Problems{{Pos: Pos{File: display}, Level: LevelError, Message: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}}
	}
	return parseWith(display, src, files, true)
}

// readLimited reads at most limit bytes of f into a buffer the size of
// the file (not one grown by doubling, as io.ReadAll does).
func readLimited(f fs.File, limit int64) ([]byte, error) {
	size := int64(512)
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		size = min(info.Size(), limit) + 1 // +1: the read that sees the end
	}
	buf := make([]byte, 0, size)
	r := io.LimitReader(f, limit)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Library lists the names of the bundled scenarios (without ".yaml"), sorted.
func Library() []string {
	entries, _ := fs.ReadDir(library, ".")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	slices.Sort(names)
	return names
}

// LoadLibrary loads one bundled scenario by name (as listed by Library).
func LoadLibrary(name string) (*Scenario, Problems) {
	file := strings.TrimSuffix(name, ".yaml") + ".yaml"
	return Load(library, file, "scenarios/"+file)
}

// LibraryFiles returns the files the bundled scenarios attach, for parsing
// a bundled scenario's text (or a derived one) with ParseWith.
func LibraryFiles() AttachmentSource { return DirSource(library, "library.yaml") }

// LibrarySource returns the YAML text of one bundled scenario.
func LibrarySource(name string) ([]byte, error) {
	return fs.ReadFile(library, strings.TrimSuffix(name, ".yaml")+".yaml")
}

// Open loads a scenario given either a file path or the name of a bundled
// scenario; a path that exists on disk wins.
func Open(nameOrPath string) (*Scenario, Problems) {
	if _, err := os.Stat(nameOrPath); err == nil {
		return LoadFile(nameOrPath)
	}
	if slices.Contains(Library(), strings.TrimSuffix(nameOrPath, ".yaml")) {
		return LoadLibrary(nameOrPath)
	}
	return LoadFile(nameOrPath)
}
