package scenarios

import (
	"os"
	"strings"
	"testing"
)

// exampleWith returns the worked example with old replaced by new.
func exampleWith(t *testing.T, old, new string) []byte {
	t.Helper()
	src, err := os.ReadFile("../testdata/scenarios/valid/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), old) {
		t.Fatalf("example has no %q", old)
	}
	return []byte(strings.Replace(string(src), old, new, 1))
}

func TestTeamInheritsCountryDefaults(t *testing.T) {
	s, problems := Parse("example.yaml", exampleWith(t, "    timezone: America/Lima\n", ""))
	if s == nil {
		t.Fatalf("invalid: %v", problems)
	}
	pe, _ := s.Team("pe-csirt")
	if pe.TimeZone != "America/Lima" || strings.Join(pe.Languages, ",") != "es,ay,qu" {
		t.Errorf("pe-csirt: timezone %q languages %v, want the defaults of Peru", pe.TimeZone, pe.Languages)
	}
	if pe.Location().String() != "America/Lima" {
		t.Errorf("location %v", pe.Location())
	}
}

func TestTeamOutsideTheOASNeedsATimeZone(t *testing.T) {
	src := exampleWith(t, "    country: PE\n    timezone: America/Lima\n", "    country: ES\n")
	s, problems := Parse("example.yaml", src)
	if s != nil {
		t.Fatal("a team of a non-member state without a time zone was accepted")
	}
	text := problems.String()
	for _, want := range []string{"ES is not an OAS member state", `team "pe-csirt" needs a timezone`} {
		if !strings.Contains(text, want) {
			t.Errorf("problems %q lack %q", text, want)
		}
	}
}

func TestTeamLanguagesAreChecked(t *testing.T) {
	src := exampleWith(t, "    timezone: America/Lima\n", "    timezone: America/Lima\n    languages: [es, spa]\n")
	_, problems := Parse("example.yaml", src)
	if !strings.Contains(problems.String(), `language "spa" must be a two-letter`) {
		t.Errorf("problems: %v", problems)
	}
}
