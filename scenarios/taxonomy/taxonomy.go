// Package taxonomy holds the incident classification schemes a scenario can
// use for classify expectations and for the trainee console's choice of
// category.
//
// A taxonomy is a list of classifications, each with its types. A category
// is written "classification/type", such as "availability/ddos". Labels
// are English; each has a stable key (LabelKey) so that other languages can
// come from message catalogs later.
package taxonomy

import (
	"slices"
	"strings"
)

// Separator joins a classification and a type into a category.
const Separator = "/"

// Taxonomy is an incident classification scheme.
type Taxonomy struct {
	// ID names the taxonomy, such as "rsit".
	ID string `json:"id"`
	// Name is the taxonomy's English name.
	Name    string           `json:"name"`
	Classes []Classification `json:"classifications"`
}

// Classification is the top level of a taxonomy, such as "availability".
type Classification struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Types []Type `json:"types"`
}

// Type is one kind of incident within a classification, such as "ddos".
type Type struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Category is one value a team may classify an incident as.
type Category struct {
	// Value is "classification/type".
	Value string `json:"value"`
	// Class and Label are the English labels of the classification and
	// the type.
	Class string `json:"class"`
	Label string `json:"label"`
}

// Categories lists every value of the taxonomy in its order.
func (t *Taxonomy) Categories() []Category {
	var out []Category
	for _, c := range t.Classes {
		for _, ty := range c.Types {
			out = append(out, Category{Value: c.ID + Separator + ty.ID, Class: c.Label, Label: ty.Label})
		}
	}
	return out
}

// Values lists every "classification/type" of the taxonomy in its order.
func (t *Taxonomy) Values() []string {
	var out []string
	for _, c := range t.Categories() {
		out = append(out, c.Value)
	}
	return out
}

// Canonical returns the category that s names, in its canonical spelling
// "classification/type": letter case and surrounding spaces are ignored,
// and a type alone names its category when exactly one classification has
// that type. It reports false when s names no category of the taxonomy.
func (t *Taxonomy) Canonical(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", false
	}
	class, typ, full := strings.Cut(s, Separator)
	var found []string
	for _, c := range t.Classes {
		for _, ty := range c.Types {
			id := strings.ToLower(ty.ID)
			switch {
			case full && strings.ToLower(c.ID) == strings.TrimSpace(class) && id == strings.TrimSpace(typ):
				return c.ID + Separator + ty.ID, true
			case !full && id == s:
				found = append(found, c.ID+Separator+ty.ID)
			}
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// Ambiguous returns the categories whose type is s, when more than one
// classification has that type.
func (t *Taxonomy) Ambiguous(s string) []string {
	s = strings.ToLower(strings.TrimSpace(s))
	var found []string
	for _, v := range t.Values() {
		if _, typ, _ := strings.Cut(v, Separator); strings.ToLower(typ) == s {
			found = append(found, v)
		}
	}
	if len(found) < 2 {
		return nil
	}
	return found
}

// Label returns the English label of a canonical category, as
// "Classification: Type", or the category itself when it is unknown.
func (t *Taxonomy) Label(category string) string {
	for _, c := range t.Categories() {
		if c.Value == category {
			return c.Class + ": " + c.Label
		}
	}
	return category
}

// LabelKey is the message-catalog key of the label of a classification
// (typ empty) or of a type in the taxonomy named id.
func LabelKey(id, class, typ string) string {
	if typ == "" {
		return "taxonomy." + id + "." + class
	}
	return "taxonomy." + id + "." + class + "." + typ
}

// Builtin returns a copy of the built-in taxonomy named id.
func Builtin(id string) (*Taxonomy, bool) {
	for _, t := range builtins {
		if t.ID == id {
			c := *t
			c.Classes = slices.Clone(t.Classes)
			for i := range c.Classes {
				c.Classes[i].Types = slices.Clone(c.Classes[i].Types)
			}
			return &c, true
		}
	}
	return nil, false
}

// Names lists the ids of the built-in taxonomies.
func Names() []string {
	out := make([]string, len(builtins))
	for i, t := range builtins {
		out[i] = t.ID
	}
	return out
}

// Default is the id of the taxonomy of a scenario that names none.
const Default = "rsit"

var builtins = []*Taxonomy{rsit}
