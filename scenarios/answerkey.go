package scenarios

import (
	"strings"

	"cmesim/scenarios/taxonomy"
)

// PlayerView says how much trainees see of the expectations of the injects
// they receive. The levels add up: each shows what the one before it shows.
type PlayerView string

// The player-view levels, from the least to the most shown.
const (
	// PlayerViewNone shows trainees nothing of what is expected of them.
	PlayerViewNone PlayerView = "none"
	// PlayerViewAction shows each expectation's action and deadline (the
	// default).
	PlayerViewAction PlayerView = "action"
	// PlayerViewPrompt adds the expectation's player-facing prompt.
	PlayerViewPrompt PlayerView = "prompt"
	// PlayerViewPoints adds the points at stake and the team's score.
	PlayerViewPoints PlayerView = "points"
)

// PlayerViews is the player-view enumeration, from the least to the most
// shown.
var PlayerViews = enum{"player view", []string{"none", "action", "prompt", "points"}}

func (v *PlayerView) parseScalar(s string) error {
	p, err := PlayerViews.parse(s)
	*v = PlayerView(p)
	return err
}

// Shows reports whether the view v shows at least what level shows. An
// unset view is PlayerViewAction.
func (v PlayerView) Shows(level PlayerView) bool {
	if v == "" {
		v = PlayerViewAction
	}
	return PlayerViews.rank(string(v)) >= PlayerViews.rank(string(level))
}

// rank returns the position of s among the enumeration's values, or -1.
func (e enum) rank(s string) int {
	for i, v := range e.values {
		if v == s {
			return i
		}
	}
	return -1
}

// TaxonomySpec is an incident taxonomy a scenario declares for itself,
// under taxonomies; exercise.taxonomy names the one the exercise uses.
type TaxonomySpec struct {
	ID              string               `yaml:"id"`
	Name            string               `yaml:"name"`
	Classifications []ClassificationSpec `yaml:"classifications"`
	Pos             Pos                  `yaml:"-"`
}

// ClassificationSpec is one classification of a declared taxonomy, with
// the incident types it holds.
type ClassificationSpec struct {
	ID    string     `yaml:"id"`
	Label string     `yaml:"label"`
	Types []TypeSpec `yaml:"types"`
	Pos   Pos        `yaml:"-"`
}

// TypeSpec is one incident type of a declared classification.
type TypeSpec struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	Pos   Pos    `yaml:"-"`
}

// ExpectationTranslation is an expectation's prompt in another language.
type ExpectationTranslation struct {
	Prompt string `yaml:"prompt"`
	Pos    Pos    `yaml:"-"`
}

// TaxonomyID returns the id of the taxonomy the exercise classifies
// incidents with: exercise.taxonomy, or the default.
func (s *Scenario) TaxonomyID() string {
	if s.Exercise.Taxonomy != "" {
		return s.Exercise.Taxonomy
	}
	return taxonomy.Default
}

// Taxonomy returns the incident taxonomy of the exercise: one the scenario
// declares under taxonomies, or a built-in one. It returns nil when
// exercise.taxonomy names neither (the validator reports that).
func (s *Scenario) Taxonomy() *taxonomy.Taxonomy {
	if s.tax != nil {
		return s.tax
	}
	return s.resolveTaxonomy()
}

func (s *Scenario) resolveTaxonomy() *taxonomy.Taxonomy {
	id := s.TaxonomyID()
	for _, spec := range s.Taxonomies {
		if spec.ID == id {
			return spec.taxonomy()
		}
	}
	if t, ok := taxonomy.Builtin(id); ok {
		return t
	}
	return nil
}

// taxonomy converts a declared taxonomy; a missing label is the id.
func (spec *TaxonomySpec) taxonomy() *taxonomy.Taxonomy {
	t := &taxonomy.Taxonomy{ID: spec.ID, Name: orID(spec.Name, spec.ID)}
	for _, c := range spec.Classifications {
		class := taxonomy.Classification{ID: c.ID, Label: orID(c.Label, c.ID)}
		for _, ty := range c.Types {
			class.Types = append(class.Types, taxonomy.Type{ID: ty.ID, Label: orID(ty.Label, ty.ID)})
		}
		t.Classes = append(t.Classes, class)
	}
	return t
}

func orID(label, id string) string {
	if strings.TrimSpace(label) == "" {
		return id
	}
	return label
}

// RenderPrompt returns an expectation's player-facing prompt as one
// receiving team reads it: in lang when it has a translation into it, with
// the {{...}} variables filled in as in Render.
func (s *Scenario) RenderPrompt(in *Inject, e *Expectation, teamID, lang string) string {
	text := e.Prompt
	if tr, ok := e.Translations[lang]; ok && lang != "" && tr.Prompt != "" {
		text = tr.Prompt
	}
	if !strings.Contains(text, "{{") {
		return text
	}
	return s.fill(in, teamID, lang, text)
}

// StaffOnlyText lists every text of the scenario that only staff may read:
// each expectation's criteria (and description, the old name of criteria),
// each inject's controller notes and each objective's critical tasks.
func (s *Scenario) StaffOnlyText() []string {
	var out []string
	add := func(t string) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	for _, o := range s.Exercise.Objectives {
		for _, t := range o.CriticalTasks {
			add(t.Text)
			for _, tr := range t.Translations {
				add(tr.Text)
			}
		}
	}
	for _, in := range s.Injects {
		add(in.ControllerNotes)
		for _, e := range in.Expectations {
			add(e.Criteria)
			add(e.Description)
		}
	}
	return out
}
