package main

import (
	"encoding/json"
	"testing"

	"cmesim/scenarios"
)

func TestSchema(t *testing.T) {
	r := cmesim(t, nil, "schema")
	r.wantCode(t, exitOK)
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("schema output is not JSON: %v", err)
	}
	if got, want := doc["$schema"], scenarios.SchemaDraft; got != want {
		t.Fatalf("$schema=%v, want %v", got, want)
	}
	cmesim(t, nil, "schema", "extra").wantCode(t, exitUsage)
}
