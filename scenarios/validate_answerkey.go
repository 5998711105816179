package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cmesim/scenarios/taxonomy"
)

// This file checks what separates players from staff (prompts, criteria,
// controller notes) and the incident taxonomy of classify expectations.

// taxonomies checks the scenario's own taxonomies and that
// exercise.taxonomy names one that exists.
func (v *validator) taxonomies() {
	seen := map[string]Pos{}
	for i := range v.s.Taxonomies {
		t := &v.s.Taxonomies[i]
		if !v.requireID(t.Pos, "id", t.ID, "taxonomy") {
			continue
		}
		if _, builtin := taxonomy.Builtin(t.ID); builtin {
			v.errorf(t.Pos.Field("id"), "taxonomy id %q is a built-in taxonomy; give yours another id", t.ID)
		}
		if prev, dup := seen[t.ID]; dup {
			v.errorf(t.Pos.Field("id"), "duplicate taxonomy id %q (first defined at %s)", t.ID, prev)
		}
		seen[t.ID] = t.Pos.Field("id")
		v.taxonomySpec(t)
	}
	e := &v.s.Exercise
	for _, t := range v.s.Taxonomies {
		if t.ID != "" && t.ID != v.s.TaxonomyID() {
			v.warnf(t.Pos.Field("id"), "taxonomy %q is declared but not used: set exercise.taxonomy: %s to use it", t.ID, t.ID)
		}
	}
	if e.Taxonomy == "" || v.s.Taxonomy() != nil {
		return
	}
	known := append(taxonomy.Names(), slices.Sorted(maps.Keys(seen))...)
	v.errorf(e.Pos.Field("taxonomy"), "%s", didYouMean(fmt.Sprintf("unknown taxonomy %q (known: %s)", e.Taxonomy, strings.Join(known, ", ")), e.Taxonomy, known))
}

// taxonomySpec checks the classifications and types of a declared taxonomy.
func (v *validator) taxonomySpec(t *TaxonomySpec) {
	what := "taxonomy " + t.ID
	if len(t.Classifications) == 0 {
		v.errorf(t.Pos, "%s has no classifications", what)
	}
	classes := map[string]Pos{}
	for i := range t.Classifications {
		c := &t.Classifications[i]
		if !v.requireID(c.Pos, "id", c.ID, what+" classification") {
			continue
		}
		if prev, dup := classes[c.ID]; dup {
			v.errorf(c.Pos.Field("id"), "%s: duplicate classification %q (first defined at %s)", what, c.ID, prev)
		}
		classes[c.ID] = c.Pos.Field("id")
		if len(c.Types) == 0 {
			v.errorf(c.Pos, "%s: classification %q has no types", what, c.ID)
		}
		types := map[string]Pos{}
		for j := range c.Types {
			ty := &c.Types[j]
			if !v.requireID(ty.Pos, "id", ty.ID, what+" type") {
				continue
			}
			if prev, dup := types[ty.ID]; dup {
				v.errorf(ty.Pos.Field("id"), "%s: duplicate type %q in classification %q (first defined at %s)", what, ty.ID, c.ID, prev)
			}
			types[ty.ID] = ty.Pos.Field("id")
		}
	}
}

// classifyCategory checks a classify expectation's category against the
// exercise's taxonomy.
func (v *validator) classifyCategory(e *Expectation, what string) {
	tax := v.s.Taxonomy()
	if e.Category == "" || tax == nil {
		return // reported elsewhere
	}
	if _, ok := tax.Canonical(e.Category); ok {
		return
	}
	p := e.Pos.Field("category")
	if amb := tax.Ambiguous(e.Category); amb != nil {
		v.errorf(p, "%s: category %q is a type of several classifications of the %s taxonomy; write one of %s", what, e.Category, tax.ID, strings.Join(amb, ", "))
		return
	}
	values := tax.Values()
	msg := fmt.Sprintf("%s: category %q is not in the %s taxonomy", what, e.Category, tax.ID)
	if g := closestCategory(e.Category, values); g != "" {
		v.errorf(p, "%s; did you mean %q?", msg, g)
		return
	}
	var classes []string
	for _, c := range tax.Classes {
		classes = append(classes, c.ID)
	}
	v.errorf(p, "%s; write classification/type, such as %s (classifications: %s)", msg, values[0], strings.Join(classes, ", "))
}

// closestCategory suggests the category nearest to s, comparing s with
// whole categories and, when s has no classification, with their types. It
// suggests only near misses (typos), not categories of another meaning.
func closestCategory(s string, values []string) string {
	s = strings.ToLower(s)
	limit := max(2, len(s)/4)
	best, bestDist := "", limit+1
	for _, val := range values {
		d := editDistance(s, val)
		if _, typ, _ := strings.Cut(val, taxonomy.Separator); !strings.Contains(s, taxonomy.Separator) {
			d = min(d, editDistance(s, typ))
		}
		if d < bestDist {
			best, bestDist = val, d
		}
	}
	return best
}

// expectationTexts checks an expectation's prompt, its translations and
// its criteria.
func (v *validator) expectationTexts(in *Inject, e *Expectation, what string) {
	if e.Description != "" {
		if e.Criteria != "" {
			v.errorf(e.Pos.Field("description"), "%s: description is the former name of criteria; keep criteria only", what)
		} else {
			v.warnf(e.Pos.Field("description"), "%s: description is read as criteria, for staff only; rename it criteria, and write a prompt if players need one", what)
		}
	}
	v.variables(e.Pos.Field("prompt"), e.Prompt, what+" prompt")
	langs := v.s.Exercise.Languages
	for _, lang := range slices.Sorted(maps.Keys(e.Translations)) {
		tr := e.Translations[lang]
		p := e.Pos.Field("translations")
		if !langPattern.MatchString(lang) {
			v.errorf(p, "%s: translation key %q must be a two-letter language code", what, lang)
		} else if len(langs) > 0 && !slices.Contains(langs, lang) {
			v.warnf(p, "%s: translation %q is not among the exercise's languages (%s)", what, lang, strings.Join(langs, ", "))
		}
		if strings.TrimSpace(tr.Prompt) == "" {
			v.errorf(tr.Pos, "%s: translation %q needs a prompt", what, lang)
		}
		v.variables(tr.Pos.Field("prompt"), tr.Prompt, what+" prompt")
	}
	if len(e.Translations) > 0 && strings.TrimSpace(e.Prompt) == "" {
		v.errorf(e.Pos.Field("translations"), "%s: translations of the prompt need a prompt to translate", what)
	}
}
