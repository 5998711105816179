package scenarios

import (
	"reflect"
	"slices"
	"testing"
)

// TestSchemaTables keeps the schema's hand-written tables in step with the
// types: every field and struct is described, every scalar type has a
// schema, and no table entry names a field that no longer exists.
func TestSchemaTables(t *testing.T) {
	b := &schemaBuilder{}
	b.root()
	if len(b.unsupported) > 0 {
		t.Errorf("schema generation is incomplete:\n%v", b.unsupported)
	}
	for _, table := range []struct {
		name string
		keys []string
	}{
		{"fieldDocs", schemaTableKeys(fieldDocs)},
		{"fieldRules", schemaTableKeys(fieldRules)},
	} {
		for _, k := range table.keys {
			if !b.used[k] {
				t.Errorf("%s[%q] names no field of the format", table.name, k)
			}
		}
	}
}

// TestSchemaEnums checks that the schema lists the values of the enumerations.
func TestSchemaEnums(t *testing.T) {
	for typ, e := range map[reflect.Type]enum{
		reflect.TypeFor[TLP]():     TLPs,
		reflect.TypeFor[Channel](): Channels,
		reflect.TypeFor[Weekday](): weekdays,
	} {
		got := scalarSchemas[typ]().vals["enum"]
		if !slices.Equal(got.([]string), e.values) {
			t.Errorf("%v enum = %v, want %v", typ, got, e.values)
		}
	}
}

func schemaTableKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
