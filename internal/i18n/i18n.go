// Package i18n holds cmesim's message catalogs and the rules to use them:
// which of the supported languages a reader gets, how a message's named
// placeholders are filled and which plural form is chosen.
//
// There is one catalog per language (catalog/en.json, es.json, pt.json,
// fr.json), embedded in the binary and served as they are to the browser
// (GET /i18n/{lang}.json), so the Go side and the consoles read the same
// text. A catalog is a flat JSON object from a dotted key
// ("report.section.summary") to a message. A message is either a string or,
// when it depends on a number, an object of plural forms keyed by CLDR
// plural category ("one", "other", …):
//
//	"report.injects": {"one": "{count} inject", "other": "{count} injects"}
//
// Placeholders are written {name}. The argument named "count" chooses the
// plural form, using the CLDR rules of golang.org/x/text/feature/plural
// (Intl.PluralRules in the browser); a language's catalog may leave out a
// category the rules do not give it, and "other" is always present and is
// the fallback. Language matching uses golang.org/x/text/language.
package i18n

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Lang is one of the languages cmesim speaks, by its ISO 639-1 code, the
// same codes scenarios use (exercise.languages).
type Lang string

// The supported languages. Portuguese is Brazilian Portuguese.
const (
	English    Lang = "en"
	Spanish    Lang = "es"
	Portuguese Lang = "pt"
	French     Lang = "fr"
)

// Default is the language of a reader who asked for none that is supported.
const Default = English

// Langs lists the supported languages, in the order a language picker shows
// them.
var Langs = []Lang{English, Spanish, Portuguese, French}

// tags are the BCP 47 tags of Langs, in the same order: the matcher's
// supported list, and what a page's lang attribute and Intl receive.
var tags = []language.Tag{language.English, language.Spanish, language.BrazilianPortuguese, language.French}

// matcher picks one of tags for any requested language.
var matcher = language.NewMatcher(tags)

// Tag returns the language's BCP 47 tag (pt-BR for Portuguese), or the
// default's for an unknown Lang.
func (l Lang) Tag() language.Tag {
	for i, x := range Langs {
		if x == l {
			return tags[i]
		}
	}
	return tags[0]
}

// BCP47 returns the language's BCP 47 tag as text, for an HTML lang
// attribute or Intl: "en", "es", "pt-BR", "fr".
func (l Lang) BCP47() string { return l.Tag().String() }

// Supported reports whether l is one of Langs.
func (l Lang) Supported() bool {
	for _, x := range Langs {
		if x == l {
			return true
		}
	}
	return false
}

// String returns the language code.
func (l Lang) String() string { return string(l) }

// Name returns the language's name in the language itself ("Español"), as a
// language picker shows it.
func (l Lang) Name() string { return T(l, "lang.name") }

// Match returns the supported language that best fits an HTTP
// Accept-Language header ("es-CO,es;q=0.9,en;q=0.5"), or Default when none
// fits or the header is empty or malformed.
func Match(acceptLanguage string) Lang {
	requested, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(requested) == 0 {
		return Default
	}
	return best(requested...)
}

// Parse returns the supported language for a BCP 47 tag or language code
// ("es", "es-419", "pt-BR", "PT", "fr-HT"). A language cmesim does not speak
// ("de") is an error that lists the ones it does.
func Parse(tag string) (Lang, error) {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return "", fmt.Errorf("language %q is not a language tag; expected one of %s", tag, codes())
	}
	_, i, conf := matcher.Match(t)
	if conf == language.No {
		return "", fmt.Errorf("language %q is not supported; expected one of %s", tag, codes())
	}
	return Langs[i], nil
}

// best matches requested tags, in order of preference, against Langs.
func best(requested ...language.Tag) Lang {
	_, i, conf := matcher.Match(requested...)
	if conf == language.No {
		return Default
	}
	return Langs[i]
}

// codes lists the supported codes for messages: "en, es, pt, fr".
func codes() string {
	s := make([]string, len(Langs))
	for i, l := range Langs {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}
