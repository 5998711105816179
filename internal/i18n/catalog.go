package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// Message is one catalog entry: a text, or plural forms of it keyed by CLDR
// plural category.
type Message struct {
	// Text is the message when it has no plural forms.
	Text string
	// Forms maps a plural category ("one", "other", …) to its text; nil for
	// a plain message.
	Forms map[string]string
}

// UnmarshalJSON reads a message: a JSON string or an object of plural
// forms.
func (m *Message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, &m.Forms)
	}
	return json.Unmarshal(b, &m.Text)
}

// Texts returns every text of the message: its one text, or its plural
// forms in category order.
func (m Message) Texts() []string {
	if m.Forms == nil {
		return []string{m.Text}
	}
	out := make([]string, 0, len(m.Forms))
	for _, c := range Categories {
		if s, ok := m.Forms[c]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Catalog is one language's messages by key.
type Catalog map[string]Message

// Categories are the CLDR plural categories a message's forms may use, in
// CLDR order.
var Categories = []string{"zero", "one", "two", "few", "many", "other"}

// catalogs are the parsed catalogs, loaded once. The files are embedded,
// so a malformed one is a build defect that the package's tests catch.
var catalogs = sync.OnceValue(func() map[Lang]Catalog {
	out := make(map[Lang]Catalog, len(Langs))
	for _, l := range Langs {
		c, err := parseCatalog(File(l))
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", l, err))
		}
		out[l] = c
	}
	return out
})

// parseCatalog decodes a catalog file, rejecting duplicate keys.
func parseCatalog(b []byte) (Catalog, error) {
	if err := checkNoDuplicates(b); err != nil {
		return nil, err
	}
	var c Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return c, nil
}

// File returns the catalog file of a supported language as embedded (the
// bytes the browser is served), or nil for an unsupported one.
func File(l Lang) []byte {
	if !l.Supported() {
		return nil
	}
	b, err := catalogFS.ReadFile("catalog/" + string(l) + ".json")
	if err != nil {
		return nil
	}
	return b
}

// CatalogOf returns the messages of a supported language (shared: do not
// modify), or nil.
func CatalogOf(l Lang) Catalog { return catalogs()[l] }

// Has reports whether the catalog of l has key.
func Has(l Lang, key string) bool {
	_, ok := catalogs()[l][key]
	return ok
}

// T returns the message key in language l with its placeholders filled.
// args are name, value pairs: T(es, "report.team.injects", "count", 3). A
// message with plural forms picks the form for the "count" argument. A key
// missing from l's catalog falls back to English, then to the key itself,
// so a gap shows rather than hides; a placeholder without an argument stays
// as written.
func T(l Lang, key string, args ...any) string {
	m, ok := catalogs()[l][key]
	if !ok {
		if m, ok = catalogs()[Default][key]; !ok {
			return key
		}
		l = Default
	}
	named := pairs(args)
	text := m.Text
	if m.Forms != nil {
		text = m.Forms[PluralCategory(l, named["count"])]
		if text == "" {
			text = m.Forms["other"]
		}
	}
	return fill(l, text, named)
}

// pairs turns name, value arguments into a map; a trailing name without a
// value is ignored.
func pairs(args []any) map[string]any {
	out := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok {
			out[k] = args[i+1]
		}
	}
	return out
}

// placeholder matches {name} in a message.
var placeholder = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

// Placeholders returns the names of the placeholders in a text, sorted and
// without repeats.
func Placeholders(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// fill replaces each {name} with its argument, formatted for l.
func fill(l Lang, text string, args map[string]any) string {
	if !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for {
		start := strings.IndexByte(text, '{')
		if start < 0 {
			break
		}
		end := strings.IndexByte(text[start:], '}')
		if end < 0 {
			break
		}
		name := text[start+1 : start+end]
		v, ok := args[name]
		if !ok || !isName(name) {
			b.WriteString(text[:start+1])
			text = text[start+1:]
			continue
		}
		b.WriteString(text[:start])
		b.WriteString(Format(l, v))
		text = text[start+end+1:]
	}
	b.WriteString(text)
	return b.String()
}

// isName reports whether s is a placeholder name: [a-z][a-z0-9_]*.
func isName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Format writes an argument for language l: numbers with the language's
// separators (12.5 → "12,5" in Spanish), at most two decimals; anything
// else as fmt.Sprint writes it. Pass identifiers such as seeds as strings.
func Format(l Lang, v any) string {
	switch n := v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return message.NewPrinter(l.Tag()).Sprint(number.Decimal(n))
	case float32, float64:
		return message.NewPrinter(l.Tag()).Sprint(number.Decimal(n, number.MaxFractionDigits(2)))
	case string:
		return n
	}
	return fmt.Sprint(v)
}

// PluralCategory returns the CLDR cardinal plural category ("one",
// "other", …) of a number in language l. A value that is not a number is
// "other".
func PluralCategory(l Lang, n any) string {
	var s string
	switch x := n.(type) {
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "other"
		}
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return "other"
	}
	i, v, w, f, t := operands(s)
	return formName(plural.Cardinal.MatchPlural(l.Tag(), i, v, w, f, t))
}

// operands computes CLDR plural operands i, v, w, f and t of a decimal
// number written in digits ("-12.50" has i=12, v=2, w=1, f=50, t=5).
func operands(s string) (i, v, w, f, t int) {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	i = atoiSat(intPart)
	v = len(frac)
	f = atoiSat(frac)
	trimmed := strings.TrimRight(frac, "0")
	w = len(trimmed)
	t = atoiSat(trimmed)
	return
}

// atoiSat parses digits, saturating instead of overflowing; "" is 0.
func atoiSat(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil && s != "" {
		return math.MaxInt
	}
	return n
}

// formName names a plural.Form by its CLDR category.
func formName(f plural.Form) string {
	switch f {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// checkNoDuplicates reports the first key that appears twice in a catalog
// file: JSON decoding would silently keep the last one.
func checkNoDuplicates(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}
