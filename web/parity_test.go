package web

import (
	"encoding/json"
	"go/constant"
	"go/importer"
	"go/token"
	"go/types"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"cmesim/engine"
	"cmesim/internal/i18n"
)

// enginePackage type-checks package engine from source, once per test run.
var enginePackage = sync.OnceValues(func() (*types.Package, error) {
	return importer.ForCompiler(token.NewFileSet(), "source", nil).Import("cmesim/engine")
})

// engineConstants returns the values of every constant of the named type
// (such as "EventType") that package engine declares, read from its source
// so that a new constant is found without a list to keep up to date.
func engineConstants(t *testing.T, typeName string) []string {
	t.Helper()
	pkg, err := enginePackage()
	if err != nil {
		t.Fatalf("type-checking package engine: %v", err)
	}
	var out []string
	for _, name := range pkg.Scope().Names() {
		c, ok := pkg.Scope().Lookup(name).(*types.Const)
		if !ok {
			continue
		}
		if n, ok := c.Type().(*types.Named); ok && n.Obj().Name() == typeName && c.Val().Kind() == constant.String {
			out = append(out, constant.StringVal(c.Val()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("package engine declares no %s constants", typeName)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestProtocolDocMentionsEveryType checks that docs/protocol.md names every
// event type and every command type of the engine, so the document cannot
// fall behind the code.
func TestProtocolDocMentionsEveryType(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"EventType", "CommandType", "ReasonCode"} {
		for _, v := range engineConstants(t, kind) {
			if !strings.Contains(string(doc), "`"+v+"`") {
				t.Errorf("docs/protocol.md does not mention the %s `%s`", kind, v)
			}
		}
	}
}

// jsonFields maps the JSON names of a struct type's fields to the fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = f
	}
	return out
}

// fill gives every field of v a value that is not zero, so that a field
// the conversion drops shows up.
func fill(t *testing.T, v reflect.Value, label string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x-" + label)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(len(label)) + 7)
	case reflect.Uint64:
		v.SetUint(uint64(len(label)) + 7)
	case reflect.Float64:
		v.SetFloat(float64(len(label)) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0), label+"[0]")
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem(), label)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), label+"."+v.Type().Field(i).Name)
			}
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(t, k, label+".key")
		fill(t, e, label+".value")
		m.SetMapIndex(k, e)
		v.Set(m)
	default:
		t.Fatalf("fill: %s has kind %s", label, v.Kind())
	}
}

// TestClientCommandParity checks that the wire form of a command and the
// engine's Command stay one: every engine field but those the server
// stamps (the sender "by", from the session, and "received_at", from its
// clock) exists on the wire with the same JSON name and type, no wire
// field is left without an engine field, every value a client sends
// reaches the engine unchanged, and every engine command type can be sent.
func TestClientCommandParity(t *testing.T) {
	wire := jsonFields(reflect.TypeFor[clientCommand]())
	eng := jsonFields(reflect.TypeFor[engine.Command]())
	for _, stamped := range []string{"by", "received_at"} {
		if _, ok := wire[stamped]; ok {
			t.Errorf("the wire command has a %q: a client could claim what the server stamps", stamped)
		}
		delete(eng, stamped)
	}
	for name, ef := range eng {
		wf, ok := wire[name]
		switch {
		case !ok:
			t.Errorf("engine.Command field %s (%q) cannot be sent by a client", ef.Name, name)
		case wf.Type != ef.Type:
			t.Errorf("field %q is a %s on the wire but a %s in the engine", name, wf.Type, ef.Type)
		}
	}
	for name, wf := range wire {
		if _, ok := eng[name]; !ok {
			t.Errorf("wire field %s (%q) maps to no engine.Command field", wf.Name, name)
		}
	}

	var sent clientCommand
	fill(t, reflect.ValueOf(&sent).Elem(), "command")
	by := engine.Principal{Role: engine.RoleFacilitator, Name: "Ana"}
	for _, typ := range engineConstants(t, "CommandType") {
		sent.Type = engine.CommandType(typ)
		raw, err := json.Marshal(clientMessage{Type: "command", ID: "c1", Command: &sent})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := decodeClientMessage(raw)
		if err != nil {
			t.Errorf("%s: the server refuses the wire form: %v", typ, err)
			continue
		}
		got := msg.Command.command(by)
		if got.Type != engine.CommandType(typ) || got.By != by {
			t.Errorf("%s: became type %q from %+v", typ, got.Type, got.By)
		}
		gv, sv := reflect.ValueOf(got), reflect.ValueOf(sent)
		for name, wf := range wire {
			ef, ok := eng[name]
			if !ok {
				continue
			}
			if want, have := sv.FieldByIndex(wf.Index).Interface(), gv.FieldByIndex(ef.Index).Interface(); !reflect.DeepEqual(have, want) {
				t.Errorf("%s: field %q reached the engine as %#v, sent %#v", typ, name, have, want)
			}
		}
	}
}

// TestReasonCodesAreListed checks that every ReasonCode constant of the
// engine is in engine.ReasonCodes (whose catalog messages the engine's
// tests check), so a new code cannot reach a console untranslated.
func TestReasonCodesAreListed(t *testing.T) {
	listed := engine.ReasonCodes()
	for _, v := range engineConstants(t, "ReasonCode") {
		if !slices.Contains(listed, engine.ReasonCode(v)) || engine.ReasonEnglish(engine.ReasonCode(v)) == "" {
			t.Errorf("reason code %q is not in engine.ReasonCodes", v)
		}
	}
}

// TestConsoleKnowsEngineTexts checks the engine's fixed texts that the
// consoles recognise to say them in the reader's language (the cause of a
// delayed delivery, the pauses a server makes on its own): format.js must
// quote each exactly, and each catalog key's English must match, so that a
// change to an engine constant cannot leave the consoles showing it raw.
func TestConsoleKnowsEngineTexts(t *testing.T) {
	js, err := os.ReadFile("ui/js/format.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, key, english string }{
		{engine.CauseDelayed, "ui.cause.delayed", "delayed by the facilitator"},
		{engine.PauseServerRestarted, "ui.event.pause_server_restarted", engine.PauseServerRestarted},
		{engine.PauseServerStopped, "ui.event.pause_server_stopped", engine.PauseServerStopped},
	} {
		if !strings.Contains(string(js), "'"+c.text+"'") {
			t.Errorf("format.js does not recognise the engine's text %q", c.text)
		}
		if got := i18n.T(i18n.English, c.key); got != c.english {
			t.Errorf("catalog en %s = %q, want %q", c.key, got, c.english)
		}
	}
}
