package i18n

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// integerCategories returns the plural categories a language's rules give
// whole numbers (0–1000 and a million): every counted message needs each.
func integerCategories(l Lang) []string {
	var out []string
	for n := 0; n <= 1_000_000; n++ {
		if n == 1001 {
			n = 1_000_000
		}
		if c := PluralCategory(l, n); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// validCategories returns every category the rules give any number, whole
// or decimal: a form for another category could never be chosen.
func validCategories(l Lang) []string {
	out := integerCategories(l)
	for _, f := range []float64{0.5, 1.5, 2.5, 0.1, 1.25, 10.75} {
		if c := PluralCategory(l, f); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if !slices.Contains(out, "other") {
		out = append(out, "other")
	}
	return out
}

func TestCatalogs_ParseWithoutDuplicates(t *testing.T) {
	for _, l := range Langs {
		b := File(l)
		if len(b) == 0 {
			t.Fatalf("no catalog file for %s", l)
		}
		if _, err := parseCatalog(b); err != nil {
			t.Errorf("catalog %s: %v", l, err)
		}
	}
	if err := checkNoDuplicates([]byte(`{"a": "x", "b": {"one": "y"}, "a": "z"}`)); err == nil {
		t.Error("a duplicate key went unnoticed")
	}
}

// TestCatalogs_SameKeysAndPlaceholders checks that every key of any catalog
// is in all four, with the placeholders English uses in every form, plural
// forms valid and complete for the language, and no empty text.
func TestCatalogs_SameKeysAndPlaceholders(t *testing.T) {
	en := CatalogOf(English)
	if len(en) < 100 {
		t.Fatalf("the English catalog has only %d keys", len(en))
	}
	for _, l := range Langs {
		c := CatalogOf(l)
		for key := range c {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: key %q is not in the English catalog", l, key)
			}
		}
		required, valid := integerCategories(l), validCategories(l)
		for key, want := range en {
			m, ok := c[key]
			if !ok {
				t.Errorf("%s: key %q is missing", l, key)
				continue
			}
			wantPH := placeholdersOf(want)
			for _, text := range m.Texts() {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %q has an empty text", l, key)
				}
				if got := Placeholders(text); !slices.Equal(got, wantPH) {
					t.Errorf("%s: %q has placeholders %v, English has %v: %q", l, key, got, wantPH, text)
				}
			}
			if m.Forms == nil {
				if m.Text == "" {
					t.Errorf("%s: %q is empty", l, key)
				}
				continue
			}
			for cat := range m.Forms {
				if !slices.Contains(valid, cat) {
					t.Errorf("%s: %q has plural form %q; %s uses %v", l, key, cat, l, valid)
				}
			}
			for _, cat := range required {
				if _, ok := m.Forms[cat]; !ok {
					t.Errorf("%s: %q lacks plural form %q", l, key, cat)
				}
			}
		}
	}
}

// placeholdersOf returns the placeholders of all a message's texts.
func placeholdersOf(m Message) []string {
	var out []string
	for _, text := range m.Texts() {
		for _, p := range Placeholders(text) {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestCatalogs_TranslatedNotCopied(t *testing.T) {
	// A catalog copied from English and never translated would pass the
	// key test; the language names and most headings must differ.
	for _, l := range Langs[1:] {
		same := 0
		for key, m := range CatalogOf(English) {
			if slices.Equal(CatalogOf(l)[key].Texts(), m.Texts()) {
				same++
			}
		}
		if n := len(CatalogOf(English)); same*5 > n {
			t.Errorf("%s: %d of %d messages are the same as in English", l, same, n)
		}
		if T(l, "lang.name") == T(English, "lang.name") {
			t.Errorf("%s: the language has no name of its own", l)
		}
	}
}

func TestFill(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"{a} and {b}", "1 and {b}"},
		{"{A} {a", "{A} {a"},
		{"{{a}}", "{1}"},
		{"{a}{a}", "11"},
		{"no braces", "no braces"},
		{"{ a }", "{ a }"},
	} {
		if got := fill(English, tc.text, map[string]any{"a": 1, "A": 2}); got != tc.want {
			t.Errorf("fill(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
