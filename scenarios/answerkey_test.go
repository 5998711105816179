package scenarios_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cmesim/scenarios"
)

// exampleWith returns the worked example with each old text replaced by
// its new text, failing the test when an old text is not there.
func exampleWith(t *testing.T, pairs ...string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testdata, "valid", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the example has no %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

const classifyLine = "        category: phishing\n"

func TestClassifyCategoryInTaxonomy(t *testing.T) {
	t.Run("TypeAloneIsCanonicalised", func(t *testing.T) {
		s, problems := scenarios.Parse("x.yaml", exampleWith(t))
		if problems.HasErrors() {
			t.Fatalf("problems:\n%s", problems)
		}
		if got := s.Injects[0].Expectations[1].Category; got != "fraud/phishing" {
			t.Errorf("category = %q, want fraud/phishing", got)
		}
		if got := s.Taxonomy().ID; got != "rsit" {
			t.Errorf("taxonomy = %q, want the default rsit", got)
		}
	})
	for _, tc := range []struct{ name, category, want string }{
		{"Unknown", "ransomware", `x.yaml:113:19: error: inject I01 expectation classify: category "ransomware" is not in the rsit taxonomy; write classification/type, such as abusive-content/spam (classifications: abusive-content,`},
		{"Typo", "fraud/phising", `x.yaml:113:19: error: inject I01 expectation classify: category "fraud/phising" is not in the rsit taxonomy; did you mean "fraud/phishing"?`},
		{"TypoOfType", "phising", `did you mean "fraud/phishing"?`},
		{"WrongClassification", "availability/phishing", `category "availability/phishing" is not in the rsit taxonomy`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := scenarios.Parse("x.yaml", exampleWith(t, classifyLine, "        category: "+tc.category+"\n"))
			if !problems.HasErrors() || !strings.Contains(problems.String(), tc.want) {
				t.Fatalf("problems:\n%s\nwant %q", problems, tc.want)
			}
		})
	}
}

const ownTaxonomy = `
taxonomies:
  - id: national
    name: National classes
    classifications:
      - id: malware
        label: Malware
        types:
          - { id: ransomware, label: Ransomware }
          - { id: other }
      - id: social
        types:
          - { id: phishing, label: Phishing }
          - { id: other }
`

func TestDeclaredTaxonomy(t *testing.T) {
	t.Run("Used", func(t *testing.T) {
		src := exampleWith(t, "  tlp_default: amber\n", "  tlp_default: amber\n  taxonomy: national\n", classifyLine, "        category: malware/ransomware\n")
		s, problems := scenarios.Parse("x.yaml", append(src, ownTaxonomy...))
		if len(problems) > 0 {
			t.Fatalf("problems:\n%s", problems)
		}
		tax := s.Taxonomy()
		if got := strings.Join(tax.Values(), " "); got != "malware/ransomware malware/other social/phishing social/other" {
			t.Errorf("values = %s", got)
		}
		if got := tax.Label("social/other"); got != "social: other" {
			t.Errorf("a missing label is not the id: %q", got)
		}
	})
	t.Run("AmbiguousType", func(t *testing.T) {
		src := exampleWith(t, "  tlp_default: amber\n", "  tlp_default: amber\n  taxonomy: national\n", classifyLine, "        category: other\n")
		_, problems := scenarios.Parse("x.yaml", append(src, ownTaxonomy...))
		if want := `category "other" is a type of several classifications of the national taxonomy; write one of malware/other, social/other`; !strings.Contains(problems.String(), want) {
			t.Fatalf("problems:\n%s\nwant %q", problems, want)
		}
	})
	t.Run("DeclaredButUnused", func(t *testing.T) {
		_, problems := scenarios.Parse("x.yaml", append(exampleWith(t), ownTaxonomy...))
		if problems.HasErrors() || !strings.Contains(problems.String(), `warning: taxonomy "national" is declared but not used`) {
			t.Fatalf("problems:\n%s", problems)
		}
	})
	t.Run("UnknownName", func(t *testing.T) {
		_, problems := scenarios.Parse("x.yaml", exampleWith(t, "  tlp_default: amber\n", "  tlp_default: amber\n  taxonomy: rsti\n"))
		if want := `x.yaml:17:13: error: unknown taxonomy "rsti" (known: rsit); did you mean "rsit"?`; !strings.Contains(problems.String(), want) {
			t.Fatalf("problems:\n%s\nwant %q", problems, want)
		}
	})
	t.Run("BadDeclaration", func(t *testing.T) {
		bad := "\ntaxonomies:\n  - id: rsit\n    classifications:\n      - id: a\n      - id: a\n        types: [{ id: x }, { id: x }]\n"
		_, problems := scenarios.Parse("x.yaml", append(exampleWith(t), bad...))
		for _, want := range []string{
			`taxonomy id "rsit" is a built-in taxonomy`,
			`classification "a" has no types`,
			`duplicate classification "a"`,
			`duplicate type "x" in classification "a"`,
		} {
			if !strings.Contains(problems.String(), want) {
				t.Errorf("no %q in:\n%s", want, problems)
			}
		}
	})
}

func TestPromptsCriteriaAndNotes(t *testing.T) {
	src := exampleWith(t,
		"        within: 30m\n        points: 10\n        objective: O1\n",
		"        within: 30m\n        points: 10\n        objective: O1\n        prompt: Classify what {{team.name}} sees.\n        translations:\n          es:\n            prompt: Clasifique lo que ve {{team.name}}.\n        criteria: Phishing, high.\n",
		"    to: [co-csirt]\n    body: The minister's",
		"    to: [co-csirt]\n    controller_notes: Play the minister as impatient.\n    body: The minister's",
		"  tlp_default: amber\n", "  tlp_default: amber\n  player_view: points\n  observers_read_notes: true\n")
	s, problems := scenarios.Parse("x.yaml", src)
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", problems)
	}
	if got := s.Exercise.PlayerView; got != scenarios.PlayerViewPoints || !s.Exercise.ObserversReadNotes {
		t.Errorf("player_view = %q, observers_read_notes = %v", got, s.Exercise.ObserversReadNotes)
	}
	in := &s.Injects[0]
	e := &in.Expectations[1]
	if got := s.RenderPrompt(in, e, "co-csirt", ""); got != "Classify what colCERT sees." {
		t.Errorf("prompt = %q", got)
	}
	if got := s.RenderPrompt(in, e, "co-csirt", "es"); got != "Clasifique lo que ve colCERT." {
		t.Errorf("es prompt = %q", got)
	}
	if got := s.RenderPrompt(in, e, "co-csirt", "pt"); got != "Classify what colCERT sees." {
		t.Errorf("pt prompt (no translation) = %q", got)
	}
	staff := s.StaffOnlyText()
	if !slices.Contains(staff, "Phishing, high.") || !slices.Contains(staff, "Play the minister as impatient.") || len(staff) != 2 {
		t.Errorf("staff-only text = %q", staff)
	}
}

func TestPromptProblems(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"UnknownVariable", "        objective: O1\n      - id: share", "        objective: O1\n        prompt: Tell {{team.nmae}}\n      - id: share", `inject I01 expectation classify prompt: unknown variable {{team.nmae}}; did you mean "team.name"?`},
		{"TranslationWithoutPrompt", "        objective: O1\n      - id: share", "        objective: O1\n        translations: { es: { prompt: Hola } }\n      - id: share", "translations of the prompt need a prompt to translate"},
		{"EmptyTranslation", "        objective: O1\n      - id: share", "        objective: O1\n        prompt: Hi\n        translations: { es: {} }\n      - id: share", `translation "es" needs a prompt`},
		{"DescriptionAndCriteria", "        objective: O1\n      - id: share", "        objective: O1\n        description: a\n        criteria: b\n      - id: share", "description is the former name of criteria; keep criteria only"},
		{"BadPlayerView", "  tlp_default: amber\n", "  tlp_default: amber\n  player_view: prompts\n", `unknown player view "prompts"; did you mean "prompt"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := scenarios.Parse("x.yaml", exampleWith(t, tc.old, tc.new))
			if !problems.HasErrors() || !strings.Contains(problems.String(), tc.want) {
				t.Fatalf("problems:\n%s\nwant %q", problems, tc.want)
			}
		})
	}
	t.Run("DescriptionIsAWarning", func(t *testing.T) {
		s, problems := scenarios.Parse("x.yaml", exampleWith(t, "        objective: O1\n      - id: share", "        objective: O1\n        description: Phishing, high.\n      - id: share"))
		if problems.HasErrors() || !strings.Contains(problems.String(), "warning: inject I01 expectation classify: description is read as criteria") {
			t.Fatalf("problems:\n%s", problems)
		}
		if !slices.Contains(s.StaffOnlyText(), "Phishing, high.") {
			t.Error("a description is not staff-only text")
		}
	})
}

func TestPlayerViewShows(t *testing.T) {
	for _, tc := range []struct {
		view, level scenarios.PlayerView
		want        bool
	}{
		{"", scenarios.PlayerViewAction, true},
		{"", scenarios.PlayerViewPrompt, false},
		{scenarios.PlayerViewNone, scenarios.PlayerViewAction, false},
		{scenarios.PlayerViewPrompt, scenarios.PlayerViewAction, true},
		{scenarios.PlayerViewPrompt, scenarios.PlayerViewPoints, false},
		{scenarios.PlayerViewPoints, scenarios.PlayerViewPrompt, true},
	} {
		if got := tc.view.Shows(tc.level); got != tc.want {
			t.Errorf("%q.Shows(%q) = %v, want %v", tc.view, tc.level, got, tc.want)
		}
	}
}

// TestBundledScenariosKeepAnswersFromPlayers checks the bundled scenarios
// hold no expectation description (criteria are staff-only by name) and
// that their prompts hold none of their criteria.
func TestBundledScenariosKeepAnswersFromPlayers(t *testing.T) {
	for _, name := range scenarios.Library() {
		s, _ := scenarios.LoadLibrary(name)
		for _, in := range s.Injects {
			if strings.Contains(strings.ToLower(in.Body), "facilitator:") || strings.Contains(strings.ToLower(in.Title), "facilitator") {
				t.Errorf("%s: inject %s tells players about the facilitator", name, in.ID)
			}
			for _, e := range in.Expectations {
				if e.Description != "" {
					t.Errorf("%s: %s.%s has a description; write criteria", name, in.ID, e.ID)
				}
				if e.Action == scenarios.ActionClassify && e.Criteria == "" {
					t.Errorf("%s: %s.%s does not say why its category is right", name, in.ID, e.ID)
				}
				for _, staff := range s.StaffOnlyText() {
					if e.Prompt != "" && strings.Contains(staff, e.Prompt) {
						t.Errorf("%s: %s.%s prompt %q is staff-only text", name, in.ID, e.ID, e.Prompt)
					}
				}
			}
		}
	}
}
