package countries

import (
	"regexp"
	"testing"
	"time"
)

func TestRegistryHasEveryMemberState(t *testing.T) {
	want := []string{"AG", "AR", "BS", "BB", "BZ", "BO", "BR", "CA", "CL", "CO", "CR", "CU", "DM", "DO", "EC", "SV", "GD", "GT", "GY", "HT", "HN", "JM", "MX", "NI", "PA", "PY", "PE", "KN", "LC", "VC", "SR", "TT", "US", "UY", "VE"}
	if got := len(All()); got != 35 {
		t.Fatalf("registry has %d member states, want 35", got)
	}
	for _, code := range want {
		if !IsMember(code) {
			t.Errorf("%s is missing", code)
		}
	}
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.Code] {
			t.Errorf("code %s is listed twice", c.Code)
		}
		seen[c.Code] = true
	}
}

func TestEveryCountryIsComplete(t *testing.T) {
	iso639 := regexp.MustCompile(`^[a-z]{2}$`)
	for _, c := range All() {
		for _, lang := range []string{"en", "es", "pt", "fr"} {
			if c.Names.In(lang) == "" {
				t.Errorf("%s has no name in %s", c.Code, lang)
			}
		}
		if c.Capital == "" {
			t.Errorf("%s has no capital", c.Code)
		}
		if len(c.Languages) == 0 {
			t.Errorf("%s has no official language", c.Code)
		}
		for _, l := range c.Languages {
			if !iso639.MatchString(l) {
				t.Errorf("%s: language %q is not an ISO 639-1 code", c.Code, l)
			}
		}
		if len(c.TimeZones) == 0 {
			t.Errorf("%s has no time zone", c.Code)
		}
	}
}

func TestEveryTimeZoneLoads(t *testing.T) {
	for _, c := range All() {
		for _, tz := range c.TimeZones {
			if _, err := time.LoadLocation(tz); err != nil {
				t.Errorf("%s: time zone %s does not load: %v", c.Code, tz, err)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	co, ok := Lookup("co")
	if !ok || co.Names.ES != "Colombia" || co.TimeZone() != "America/Bogota" || co.Language() != "es" || co.CSIRT != "colCERT" {
		t.Fatalf("Lookup(co) = %+v, %v", co, ok)
	}
	br, _ := Lookup("BR")
	if br.TimeZone() != "America/Sao_Paulo" || !br.HasTimeZone("America/Manaus") || br.Names.In("fr") != "Brésil" {
		t.Errorf("Brazil = %+v", br)
	}
	if _, ok := Lookup("FR"); ok {
		t.Error("France is not a member state")
	}
	if got := Name("HT", "fr"); got != "Haïti" {
		t.Errorf("Name(HT, fr) = %q", got)
	}
	if got := Name("XX", "en"); got != "XX" {
		t.Errorf("Name(XX) = %q, want the code", got)
	}
	co.TimeZones[0] = "Europe/Paris"
	if again, _ := Lookup("CO"); again.TimeZone() != "America/Bogota" {
		t.Error("a caller changed the registry")
	}
}
