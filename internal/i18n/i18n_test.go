package i18n_test

import (
	"testing"

	"cmesim/internal/i18n"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   i18n.Lang
	}{
		{"es-CO,es;q=0.9,en;q=0.5", i18n.Spanish},
		{"pt-BR,pt;q=0.9", i18n.Portuguese},
		{"pt-PT", i18n.Portuguese},
		{"fr-HT,fr;q=0.8,ht;q=0.5", i18n.French},
		{"en-US,en;q=0.9", i18n.English},
		{"de-DE,de;q=0.9", i18n.English},
		{"de-DE,fr;q=0.5", i18n.French},
		{"es-419", i18n.Spanish},
		{"", i18n.English},
		{"*", i18n.English},
		{";;;garbage", i18n.English},
	} {
		if got := i18n.Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]i18n.Lang{"es": i18n.Spanish, "ES": i18n.Spanish, "es-MX": i18n.Spanish, "pt": i18n.Portuguese,
		"pt-BR": i18n.Portuguese, "fr": i18n.French, "fr-CA": i18n.French, "en": i18n.English, " en-GB ": i18n.English} {
		got, err := i18n.Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"de", "zz-!!", "", "klingon"} {
		if l, err := i18n.Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %s, want an error", bad, l)
		}
	}
}

func TestLang(t *testing.T) {
	if got := i18n.Portuguese.BCP47(); got != "pt-BR" {
		t.Errorf("Portuguese.BCP47() = %q, want pt-BR", got)
	}
	names := map[i18n.Lang]string{i18n.English: "English", i18n.Spanish: "Español", i18n.Portuguese: "Português (Brasil)", i18n.French: "Français"}
	for l, want := range names {
		if got := l.Name(); got != want {
			t.Errorf("%s.Name() = %q, want %q", l, got, want)
		}
	}
	if i18n.Lang("de").Supported() || !i18n.French.Supported() {
		t.Error("Supported is wrong")
	}
}

func TestT(t *testing.T) {
	t.Run("Placeholders", func(t *testing.T) {
		got := i18n.T(i18n.Spanish, "report.finding.tlp_item", "inject", "I03", "tlp", "GREEN", "limit", "AMBER")
		if want := "I03 como TLP:GREEN cuando era TLP:AMBER"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("Plural", func(t *testing.T) {
		for _, tc := range []struct {
			lang i18n.Lang
			n    int
			want string
		}{
			{i18n.English, 1, "1 inject"}, {i18n.English, 0, "0 injects"}, {i18n.English, 2, "2 injects"},
			{i18n.Spanish, 1, "1 inyección"}, {i18n.Spanish, 0, "0 inyecciones"},
			{i18n.Portuguese, 1, "1 injeção"}, {i18n.Portuguese, 0, "0 injeção"}, {i18n.Portuguese, 5, "5 injeções"},
			{i18n.French, 0, "0 stimulus"}, {i18n.French, 1, "1 stimulus"}, {i18n.French, 2, "2 stimuli"},
			{i18n.Spanish, 1500, "1.500 inyecciones"}, {i18n.English, 1500, "1,500 injects"},
		} {
			if got := i18n.T(tc.lang, "report.count.injects", "count", tc.n); got != tc.want {
				t.Errorf("%s %d: got %q, want %q", tc.lang, tc.n, got, tc.want)
			}
		}
	})
	t.Run("Fallbacks", func(t *testing.T) {
		if got := i18n.T(i18n.Spanish, "no.such.key"); got != "no.such.key" {
			t.Errorf("missing key: got %q", got)
		}
		if got := i18n.T(i18n.Lang("de"), "report.title"); got != i18n.T(i18n.English, "report.title") {
			t.Errorf("unsupported language: got %q", got)
		}
		if got := i18n.T(i18n.English, "report.format.more", "list", "a, b"); got != "a, b and {count} more" {
			t.Errorf("missing argument: got %q", got)
		}
	})
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		v    any
		want string
	}{
		{i18n.English, 12.5, "12.5"}, {i18n.Spanish, 12.5, "12,5"}, {i18n.Portuguese, 2.25, "2,25"},
		{i18n.French, 12.5, "12,5"}, {i18n.English, 3.0, "3"}, {i18n.Spanish, 1.234, "1,23"},
		{i18n.English, "seed 12345", "seed 12345"},
	} {
		if got := i18n.Format(tc.lang, tc.v); got != tc.want {
			t.Errorf("Format(%s, %v) = %q, want %q", tc.lang, tc.v, got, tc.want)
		}
	}
}

func TestPluralCategory(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		n    any
		want string
	}{
		{i18n.English, 1, "one"}, {i18n.English, 1.5, "other"}, {i18n.English, 0, "other"},
		{i18n.French, 0, "one"}, {i18n.French, 1.5, "one"}, {i18n.French, 2, "other"},
		{i18n.Portuguese, 0, "one"}, {i18n.Spanish, 0, "other"}, {i18n.Spanish, "x", "other"},
	} {
		if got := i18n.PluralCategory(tc.lang, tc.n); got != tc.want {
			t.Errorf("PluralCategory(%s, %v) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestT_ArgumentsAreNotExpanded(t *testing.T) {
	// An argument that looks like a placeholder is written as it is.
	got := i18n.T(i18n.English, "report.format.more", "list", "{count} {x}", "count", 3)
	if want := "{count} {x} and 3 more"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
