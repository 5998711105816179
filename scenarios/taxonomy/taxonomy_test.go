package taxonomy_test

import (
	"strings"
	"testing"

	"cmesim/scenarios/taxonomy"
)

func TestRSITHasEveryClassificationWithUniqueTypes(t *testing.T) {
	rsit, ok := taxonomy.Builtin("rsit")
	if !ok {
		t.Fatal("no built-in rsit taxonomy")
	}
	var classes []string
	for _, c := range rsit.Classes {
		classes = append(classes, c.ID)
		if c.Label == "" || len(c.Types) == 0 {
			t.Errorf("classification %q has no label or no types", c.ID)
		}
	}
	want := "abusive-content malicious-code information-gathering intrusion-attempts intrusions availability information-content-security fraud vulnerable other test"
	if got := strings.Join(classes, " "); got != want {
		t.Errorf("classifications\n got %s\nwant %s", got, want)
	}
	seen := map[string]string{}
	for _, c := range rsit.Categories() {
		_, typ, _ := strings.Cut(c.Value, "/")
		if prev, dup := seen[typ]; dup && typ != "other" {
			t.Errorf("type %q is in %s and %s", typ, prev, c.Value)
		}
		seen[typ] = c.Value
		if c.Label == "" || c.Class == "" {
			t.Errorf("category %s has no label", c.Value)
		}
	}
	for _, v := range []string{"availability/ddos", "information-content-security/data-leak", "intrusions/system-compromise", "fraud/unauthorised-use-of-resources", "malicious-code/malware-configuration"} {
		if _, ok := seen[v[strings.Index(v, "/")+1:]]; !ok {
			t.Errorf("RSIT lacks %s", v)
		}
	}
}

func TestCanonical(t *testing.T) {
	rsit, _ := taxonomy.Builtin(taxonomy.Default)
	for in, want := range map[string]string{
		"availability/ddos":     "availability/ddos",
		" Availability/DDoS ":   "availability/ddos",
		"ddos":                  "availability/ddos", // a unique type names its category
		"PHISHING":              "fraud/phishing",
		"fraud/ddos":            "",
		"ransomware":            "",
		"":                      "",
		"availability/":         "",
		"intrusions/burglary/x": "",
		"test":                  "test/test",
	} {
		got, ok := rsit.Canonical(in)
		if got != want || ok != (want != "") {
			t.Errorf("Canonical(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestAmbiguousType(t *testing.T) {
	tx := &taxonomy.Taxonomy{ID: "mine", Classes: []taxonomy.Classification{
		{ID: "a", Types: []taxonomy.Type{{ID: "other"}}},
		{ID: "b", Types: []taxonomy.Type{{ID: "other"}, {ID: "x"}}},
	}}
	if got, ok := tx.Canonical("other"); ok {
		t.Errorf("Canonical(other) = %q; want no match, it is ambiguous", got)
	}
	if got := tx.Ambiguous("other"); strings.Join(got, ",") != "a/other,b/other" {
		t.Errorf("Ambiguous(other) = %v", got)
	}
	if got := tx.Ambiguous("x"); got != nil {
		t.Errorf("Ambiguous(x) = %v; want nil", got)
	}
}

func TestBuiltinIsACopy(t *testing.T) {
	a, _ := taxonomy.Builtin("rsit")
	a.Classes[0].Types[0].Label = "changed"
	b, _ := taxonomy.Builtin("rsit")
	if b.Classes[0].Types[0].Label == "changed" {
		t.Error("changing one copy of the built-in taxonomy changed the next")
	}
	if _, ok := taxonomy.Builtin("nope"); ok {
		t.Error("Builtin(nope) found a taxonomy")
	}
}

func TestLabel(t *testing.T) {
	rsit, _ := taxonomy.Builtin("rsit")
	if got := rsit.Label("availability/ddos"); got != "Availability: Distributed denial of service" {
		t.Errorf("Label = %q", got)
	}
	if got := taxonomy.LabelKey("rsit", "availability", "ddos"); got != "taxonomy.rsit.availability.ddos" {
		t.Errorf("LabelKey = %q", got)
	}
}
