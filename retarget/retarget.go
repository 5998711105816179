// Package retarget moves the teams of a scenario to other OAS member
// states, so that one well-made scenario serves the whole region.
//
// The rules, applied to the YAML document so that comments, block texts
// and the order of keys survive:
//
//   - A team or actor whose country is mapped gets the new country. A team
//     whose time zone is one of the old country's zones gets the new
//     country's primary zone (working hours follow, being in the team's own
//     zone); a team whose languages are the old country's official
//     languages gets the new country's. Left-out time zones and languages
//     stay left out: the new country's defaults apply.
//   - Ids of moved teams and actors in which the old country's code is a
//     part separated by "-" or "_" ("co-csirt", "mme-co") get the new
//     code; every reference to them follows.
//   - A team named after the old country's national CSIRT (from the
//     registry) takes the new country's; a national team whose name names
//     no country takes it too, or "National CSIRT (country)".
//   - In every text (names, titles, bodies, prompts, criteria, notes,
//     attachments, translations), a country name from the registry, in any
//     of its four languages and as a whole word, becomes the new country's
//     name in the text's language; the old names of renamed teams become
//     the new names. Adjectives ("Colombian"), cities and comments are left
//     as they are: review the result.
package retarget

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"cmesim/countries"
	"cmesim/scenarios"
)

// Map sends old member-state codes to new ones, upper case.
type Map map[string]string

// ParseMap reads "co=jm,ec=tt": pairs of ISO codes of OAS member states.
// A country may be mapped once, and two countries may not go to the same
// one.
func ParseMap(s string) (Map, error) {
	m := Map{}
	targets := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		from, to, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("map entry %q: write OLD=NEW, such as co=jm", pair)
		}
		from, to = strings.ToUpper(strings.TrimSpace(from)), strings.ToUpper(strings.TrimSpace(to))
		for _, c := range []string{from, to} {
			if !countries.IsMember(c) {
				return nil, fmt.Errorf("map entry %q: %q is not an OAS member state (codes: %s)", pair, c, strings.Join(countries.Codes(), " "))
			}
		}
		if _, dup := m[from]; dup {
			return nil, fmt.Errorf("map entry %q: %s is mapped twice", pair, from)
		}
		if prev, dup := targets[to]; dup {
			return nil, fmt.Errorf("map entry %q: %s and %s would both become %s", pair, prev, from, to)
		}
		m[from], targets[to] = to, from
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("empty map; write OLD=NEW pairs such as co=jm,ec=tt")
	}
	return m, nil
}

// String writes the map as ParseMap reads it, sorted.
func (m Map) String() string {
	var parts []string
	for from, to := range m {
		parts = append(parts, strings.ToLower(from)+"="+strings.ToLower(to))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// Scenario retargets the scenario s, parsed from src, and returns the new
// YAML document. It fails when the map moves a team onto a country that a
// team not moved already has, or when an id would collide.
func Scenario(s *scenarios.Scenario, src []byte, m Map) ([]byte, error) {
	p, err := plan(s, m)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("read scenario: not a YAML mapping")
	}
	p.rewrite(doc.Content[0], "", p.lang)
	doc.HeadComment = strings.TrimSpace(fmt.Sprintf("Retargeted with cmesim retarget --map %s.\n%s", m, doc.HeadComment))
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("write scenario: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write scenario: %w", err)
	}
	return out.Bytes(), nil
}

// planned is what retargeting changes.
type planned struct {
	m    Map
	lang string            // the exercise's language
	ids  map[string]string // old team/actor id -> new
	// names maps old team names to new ones.
	names map[string]string
	// countryNames finds any registry name of a mapped country; words finds
	// those and the old names of renamed teams.
	countryNames, words *regexp.Regexp
	nameOf              map[string]string // a registry name -> its country's code
}

func plan(s *scenarios.Scenario, m Map) (*planned, error) {
	p := &planned{m: m, lang: s.Exercise.Language, ids: map[string]string{}, names: map[string]string{}, nameOf: map[string]string{}}
	if p.lang == "" {
		p.lang = "en"
	}
	staying := map[string]bool{}
	for _, t := range s.Teams {
		if _, moved := m[t.Country]; !moved {
			staying[t.Country] = true
		}
	}
	for from, to := range m {
		if staying[to] {
			return nil, fmt.Errorf("%s already has teams in this scenario; map %s elsewhere too, or choose another country for %s", to, to, from)
		}
	}
	taken := map[string]bool{}
	for _, t := range s.Teams {
		taken[t.ID] = true
	}
	for _, a := range s.Actors {
		taken[a.ID] = true
	}
	for _, g := range s.Groups {
		taken[g.ID] = true
	}
	rename := func(id, country string) {
		if to, ok := m[country]; ok {
			if n := renameID(id, country, to); n != id {
				p.ids[id] = n
			}
		}
	}
	for _, t := range s.Teams {
		rename(t.ID, t.Country)
	}
	for _, a := range s.Actors {
		rename(a.ID, a.Country)
	}
	for old, n := range p.ids {
		if taken[n] && p.ids[n] == "" {
			return nil, fmt.Errorf("renaming %s to %s would collide with an existing id", old, n)
		}
	}
	var alts []string
	for from := range m {
		c, _ := countries.Lookup(from)
		for _, n := range c.Names.All() {
			p.nameOf[n] = from
			alts = append(alts, n)
		}
	}
	p.countryNames = alternation(alts)
	for _, t := range s.Teams {
		if to, ok := m[t.Country]; ok {
			if n := p.teamName(t, to); n != t.Name {
				p.names[t.Name] = n
				alts = append(alts, t.Name)
			}
		}
	}
	p.words = alternation(alts)
	return p, nil
}

// alternation matches any of words, the longest first.
func alternation(words []string) *regexp.Regexp {
	words = slices.Clone(words)
	sort.SliceStable(words, func(i, j int) bool { return len(words[i]) > len(words[j]) })
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(quoted, "|"))
}

// renameID replaces the parts of id equal to the old country's code.
func renameID(id, from, to string) string {
	from, to = strings.ToLower(from), strings.ToLower(to)
	var b strings.Builder
	start := 0
	for i := 0; i <= len(id); i++ {
		if i == len(id) || id[i] == '-' || id[i] == '_' {
			part := id[start:i]
			if strings.EqualFold(part, from) {
				part = to
			}
			b.WriteString(part)
			if i < len(id) {
				b.WriteByte(id[i])
			}
			start = i + 1
		}
	}
	return b.String()
}

// teamName is the name of team t once moved to country to.
func (p *planned) teamName(t scenarios.Team, to string) string {
	old, _ := countries.Lookup(t.Country)
	neu, _ := countries.Lookup(to)
	national := func() string {
		if neu.CSIRT != "" {
			return neu.CSIRT
		}
		return fmt.Sprintf(nationalCSIRT(p.lang), neu.Names.In(p.lang))
	}
	if old.CSIRT != "" && t.Name == old.CSIRT {
		return national()
	}
	if n := p.countryText(t.Name, p.lang); n != t.Name {
		return n
	}
	if t.Sector == "national" {
		return national()
	}
	return t.Name
}

// nationalCSIRT is the pattern of a national CSIRT's name in language lang.
func nationalCSIRT(lang string) string {
	switch lang {
	case "es", "pt":
		return "CSIRT Nacional (%s)"
	case "fr":
		return "CSIRT national (%s)"
	}
	return "National CSIRT (%s)"
}

// textKeys are the keys whose values are prose, where country and team
// names are replaced; elsewhere scalars are ids and codes.
var textKeys = map[string]bool{
	"title": true, "description": true, "body": true, "text": true, "prompt": true, "criteria": true,
	"controller_notes": true, "content": true, "start_conditions": true, "name": true, "label": true,
}

// rewrite walks node n, the value of key (in its parent mapping), in
// language lang.
func (p *planned) rewrite(n *yaml.Node, key, lang string) {
	switch n.Kind {
	case yaml.MappingNode:
		if key == "translations" {
			for i := 0; i+1 < len(n.Content); i += 2 {
				p.rewrite(n.Content[i+1], "", n.Content[i].Value)
			}
			return
		}
		moved := p.moveEntity(n)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if moved && (k == "country" || k == "timezone" || k == "languages") {
				continue // done by moveEntity
			}
			if moved && k == "name" && p.isNewName(n.Content[i+1].Value) {
				continue
			}
			p.rewrite(n.Content[i+1], k, lang)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			p.rewrite(c, key, lang)
		}
	case yaml.ScalarNode:
		if textKeys[key] {
			n.Value = p.text(n.Value, lang)
			return
		}
		if id, ok := p.ids[n.Value]; ok {
			n.Value = id
		}
	}
}

// isNewName reports whether name is the new name of a renamed team.
func (p *planned) isNewName(name string) bool {
	for _, n := range p.names {
		if n == name {
			return true
		}
	}
	return false
}

// moveEntity moves a team or actor mapping (one with a mapped country) and
// reports whether it did.
func (p *planned) moveEntity(n *yaml.Node) bool {
	country := value(n, "country")
	if country == nil || country.Kind != yaml.ScalarNode {
		return false
	}
	to, ok := p.m[strings.ToUpper(country.Value)]
	if !ok {
		return false
	}
	old, _ := countries.Lookup(country.Value)
	neu, _ := countries.Lookup(to)
	country.Value = to
	if tz := value(n, "timezone"); tz != nil && old.HasTimeZone(tz.Value) {
		tz.Value = neu.TimeZone()
	}
	if langs := value(n, "languages"); langs != nil && sameSet(scalars(langs), old.Languages) {
		langs.Content = nil
		if langs.Kind == yaml.ScalarNode {
			langs.Kind, langs.Value, langs.Tag = yaml.SequenceNode, "", "!!seq"
			langs.Style = yaml.FlowStyle
		}
		for _, l := range neu.Languages {
			langs.Content = append(langs.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: l})
		}
	}
	if name := value(n, "name"); name != nil {
		if nn, ok := p.names[name.Value]; ok {
			name.Value = nn
		}
	}
	return true
}

// text replaces, in one pass, country names and renamed teams' names in
// prose.
func (p *planned) text(s, lang string) string { return p.replace(p.words, s, lang) }

// countryText replaces whole-word registry names of mapped countries.
func (p *planned) countryText(s, lang string) string { return p.replace(p.countryNames, s, lang) }

// replace replaces the whole-word matches of re in s: a renamed team's
// old name by its new name, a country's name by the new country's name in
// language lang.
func (p *planned) replace(re *regexp.Regexp, s, lang string) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringIndex(s, -1) {
		if !wordAt(s, loc[0], loc[1]) {
			continue
		}
		word := s[loc[0]:loc[1]]
		n, ok := p.names[word]
		if !ok {
			to, _ := countries.Lookup(p.m[p.nameOf[word]])
			n = to.Names.In(lang)
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(n)
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// wordAt reports whether s[i:j] is not glued to a letter or digit.
func wordAt(s string, i, j int) bool {
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s[j:]); j < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return false
	}
	return true
}

func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, c.Value)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
