package engine_test

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
)

// logFieldsFile lists every field the log records (an event, its
// details, the command it records and everything they hold), each with the
// log version that accounts for it: version 2 for every field there was
// when versions began.
const logFieldsFile = "testdata/logfields.txt"

// TestLoggedFieldsHaveAVersion fails when a field is added to what the
// log records without a decision about the log version. Whoever adds one
// must ask whether replaying a log an older engine wrote now produces the
// field for commands that engine took: then raise engine.LogVersion and
// add a laterFields rule; and either way list the field in logFieldsFile,
// under the version that writes it first. It also fails when a listed
// field is gone, and when LogVersion goes up with nothing listed for it.
func TestLoggedFieldsHaveAVersion(t *testing.T) {
	f, err := os.Open(logFieldsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]int{}
	newest := 0
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		v, path, ok := strings.Cut(text, " ")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 2 {
			t.Fatalf("%s:%d: want \"VERSION path\", got %q", logFieldsFile, line, text)
		}
		listed[path] = n
		newest = max(newest, n)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if newest != engine.LogVersion {
		t.Errorf("%s lists fields up to log version %d, but engine.LogVersion is %d: list what version %d writes first", logFieldsFile, newest, engine.LogVersion, engine.LogVersion)
	}
	paths := jsonPaths(reflect.TypeFor[engine.Event](), "event", nil)
	var missing []string
	for _, p := range paths {
		if _, ok := listed[p]; !ok {
			missing = append(missing, fmt.Sprintf("%d %s", engine.LogVersion, p))
		}
	}
	if len(missing) > 0 {
		t.Errorf("the log records fields %s does not list. If replaying a log an older engine wrote now produces them "+
			"for commands that engine took, raise engine.LogVersion and add a laterFields rule. Then list them, e.g.:\n%s",
			logFieldsFile, strings.Join(missing, "\n"))
	}
	for p := range listed {
		if !slices.Contains(paths, p) {
			t.Errorf("%s lists %s, which the log no longer records", logFieldsFile, p)
		}
	}
}

// jsonPaths returns the JSON paths of t's fields, prefix first, going into
// the struct types of package engine it holds (directly, by pointer, in
// slices or as map values); seen stops a type that holds itself.
func jsonPaths(t reflect.Type, prefix string, seen []reflect.Type) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() || slices.Contains(seen, t) {
		return nil
	}
	seen = append(seen, t)
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			out = append(out, jsonPaths(f.Type, prefix, seen)...) // embedded: its fields are the parent's
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := prefix + "." + name
		out = append(out, p)
		out = append(out, jsonPaths(f.Type, p, seen)...)
	}
	return out
}
