package scenarios_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"cmesim/scenarios"
)

// compileSchema compiles JSONSchema, which also checks it against the draft
// 2020-12 meta-schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(scenarios.JSONSchema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("cmesim.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("cmesim.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

// yamlInstance converts a YAML document into the JSON value a validator sees.
func yamlInstance(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatalf("YAML: %v", err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("YAML to JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestJSONSchema(t *testing.T) {
	t.Run("ValidJSON", func(t *testing.T) {
		var doc map[string]any
		if err := json.Unmarshal(scenarios.JSONSchema(), &doc); err != nil {
			t.Fatal(err)
		}
		if got, want := doc["$schema"], scenarios.SchemaDraft; got != want {
			t.Fatalf("$schema=%v, want %v", got, want)
		}
		if got, want := doc["additionalProperties"], false; got != want {
			t.Fatalf("additionalProperties=%v, want %v", got, want)
		}
		props, _ := doc["properties"].(map[string]any)
		for _, k := range []string{"format", "exercise", "teams", "actors", "groups", "network", "incidents", "injects"} {
			if _, ok := props[k]; !ok {
				t.Errorf("no top-level property %q", k)
			}
		}
	})

	t.Run("Stable", func(t *testing.T) {
		a := scenarios.JSONSchema()
		a[0] = 'x' // callers get their own copy
		if b := scenarios.JSONSchema(); b[0] != '{' {
			t.Fatal("JSONSchema returned shared bytes")
		}
	})

	t.Run("EveryPropertyDescribed", func(t *testing.T) {
		var doc any
		if err := json.Unmarshal(scenarios.JSONSchema(), &doc); err != nil {
			t.Fatal(err)
		}
		walkProperties(doc, "", func(path string, prop map[string]any) {
			if d, _ := prop["description"].(string); d == "" {
				t.Errorf("property %s has no description", path)
			}
		})
	})

	t.Run("Enums", func(t *testing.T) {
		s := string(scenarios.JSONSchema())
		for _, want := range []string{`"amber+strict"`, `"threat_intel"`, `"request_info"`, `"information_sharing"`, `"national_authority"`, `"facilitator"`, `"cmesim/v1"`} {
			if !strings.Contains(s, want) {
				t.Errorf("schema lacks %s", want)
			}
		}
	})
}

// walkProperties calls fn for every property of every object schema in doc.
func walkProperties(doc any, path string, fn func(path string, prop map[string]any)) {
	switch v := doc.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			for name, p := range props {
				if pm, ok := p.(map[string]any); ok {
					fn(path+"."+name, pm)
				}
				walkProperties(p, path+"."+name, fn)
			}
		}
		for k, sub := range v {
			if k != "properties" {
				walkProperties(sub, path, fn)
			}
		}
	case []any:
		for _, sub := range v {
			walkProperties(sub, path, fn)
		}
	}
}

// TestJSONSchemaAcceptsScenarios checks every bundled scenario and every
// valid test scenario against the schema.
func TestJSONSchemaAcceptsScenarios(t *testing.T) {
	sch := compileSchema(t)
	for _, name := range scenarios.Library() {
		t.Run("Library/"+name, func(t *testing.T) {
			src, err := scenarios.LibrarySource(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(yamlInstance(t, src)); err != nil {
				t.Fatalf("bundled scenario %s does not satisfy the schema:\n%v", name, err)
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "scenarios", "valid", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no valid test scenarios found")
	}
	for _, file := range files {
		t.Run("Testdata/"+filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(yamlInstance(t, src)); err != nil {
				t.Fatalf("%s does not satisfy the schema:\n%v", file, err)
			}
		})
	}
}

// TestJSONSchemaRejects checks that the schema flags typical mistakes in an
// otherwise valid scenario.
func TestJSONSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	base, err := os.ReadFile(filepath.Join("..", "testdata", "scenarios", "valid", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, old, new string }{
		{"ErrUnknownTopLevelKey", "format: cmesim/v1", "format: cmesim/v1\nfoo: bar"},
		{"ErrUnknownNestedKey", "    timezone: America/Lima", "    timezone: America/Lima\n    tz: x"},
		{"ErrFormat", "format: cmesim/v1", "format: cmesim/v2"},
		{"ErrChannel", "channel: phone", "channel: telegraph"},
		{"ErrDuration", "within: 15m", "within: fifteen minutes"},
		{"ErrClockTime", `start: "08:00"`, `start: "8am"`},
		{"ErrSkill", "skill: 0.8", "skill: 1.8"},
		{"ErrID", "- id: I02", "- id: I.02"},
		{"ErrTriggerTwoKinds", "after: I01", "after: I01\n      release: facilitator"},
		{"ErrMissingTitle", "    title: Ministry asks for guidance\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(string(base), c.old, c.new, 1)
			if src == string(base) {
				t.Fatalf("test scenario has no %q", c.old)
			}
			if err := sch.Validate(yamlInstance(t, []byte(src))); err == nil {
				t.Fatal("schema accepted it")
			}
		})
	}
}

// TestJSONSchemaTopLevelOrder checks that properties keep the order of the
// Go types, which is the order a scenario is written in.
func TestJSONSchemaTopLevelOrder(t *testing.T) {
	s := string(scenarios.JSONSchema())
	var at []int
	for _, k := range []string{`"format"`, `"exercise"`, `"teams"`, `"injects"`} {
		at = append(at, strings.Index(s, k))
	}
	if !slices.IsSorted(at) {
		t.Fatalf("top-level keys out of order: %v", at)
	}
}
