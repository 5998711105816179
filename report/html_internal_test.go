package report

import (
	"testing"

	"cmesim/internal/i18n"
)

// TestContentLang checks when the report marks the scenario's texts with
// their language: only when they are in another language than the
// report's, by exact language codes (a scenario promising Haitian Creole
// is not translated into French).
func TestContentLang(t *testing.T) {
	for _, c := range []struct {
		language  string
		languages []string
		report    i18n.Lang
		want      string
	}{
		{"en", []string{"en", "es", "pt"}, i18n.Spanish, ""},
		{"en", []string{"en", "es", "pt"}, i18n.French, "en"},
		{"en", []string{"en", "es", "pt"}, i18n.Portuguese, ""},
		{"es", []string{"es", "en"}, i18n.English, ""},
		{"es", []string{"es", "en"}, i18n.Portuguese, "es"},
		{"pt", []string{"pt"}, i18n.English, "pt-BR"},
		{"en", []string{"en", "ht"}, i18n.French, "en"},
		{"ht", []string{"ht", "en"}, i18n.French, "ht"},
		{"", []string{"en"}, i18n.Spanish, "en"}, // no exercise.language: English
		{"es", nil, i18n.English, "es"},          // a report saved before languages
	} {
		r := &Report{Lang: c.report}
		r.Exercise.Language, r.Exercise.Languages = c.language, c.languages
		if got := newView(r).ContentLang(); got != c.want {
			t.Errorf("scenario in %q promising %v, report in %s: lang %q, want %q", c.language, c.languages, c.report, got, c.want)
		}
	}
}
