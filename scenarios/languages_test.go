package scenarios_test

import (
	"slices"
	"strings"
	"testing"

	"cmesim/scenarios"
)

// warningsAbout returns the warnings of problems whose message contains
// text.
func warningsAbout(problems scenarios.Problems, text string) []string {
	var out []string
	for _, p := range problems.Warnings() {
		if strings.Contains(p.Message, text) {
			out = append(out, p.String())
		}
	}
	return out
}

func TestLanguageGaps(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           []string // "line:col: missing ... translation of ..."
	}{
		{"Complete", "", "", nil},
		{
			"MissingTitle", "    translations: { es: { title: El ministerio pide orientación, body: El despacho",
			"    translations: { es: { body: El despacho",
			[]string{"x.yaml:139:25: warning: missing es translation of the title of inject I02"},
		},
		{
			"MissingTranslation", "    translations: { es: { title: La misma campaña llega a Perú, body: Funcionarios del Ministerio de Economía del Perú reportan el mismo correo. } }\n", "",
			[]string{
				"x.yaml:149:12: warning: missing es translation of the title of inject I03",
				"x.yaml:155:11: warning: missing es translation of the body of inject I03",
			},
		},
		{
			"MissingAttachmentName", "        translations: { es: { name: indicadores.txt } }\n", "",
			[]string{`x.yaml:99:15: warning: missing es translation of the name of attachment "iocs.txt" of inject I01`},
		},
		{
			"SecondLanguage", "  languages: [en, es]", "  languages: [en, es, pt]",
			// Every inject and the attachment lack pt.
			nil,
		},
		{
			"MissingPrompt", "        objective: O1\n      - id: share", "        objective: O1\n        prompt: Classify it.\n        criteria: Phishing, high.\n      - id: share",
			[]string{"x.yaml:118:17: warning: missing es translation of the prompt of expectation I01.classify"},
		},
		{
			"TranslatedPromptAndStaffText", "        objective: O1\n      - id: share", "        objective: O1\n        prompt: Classify it.\n        translations: { es: { prompt: Clasifíquelo. } }\n        criteria: Phishing, high.\n      - id: share",
			nil,
		},
		{
			"MissingObjectiveAndIncident", "      translations: { es: { text: Detectar y analizar la campaña de phishing en 30 minutos. } }\n", "",
			[]string{"x.yaml:19:13: warning: missing es translation of the text of objective O1"},
		},
		{
			"MissingCriticalTask", "      translations: { es: { text: Detectar y analizar la campaña de phishing en 30 minutos. } }\n",
			"      translations: { es: { text: Detectar y analizar la campaña de phishing en 30 minutos. } }\n      critical_tasks:\n        - id: triage\n          text: Classify the campaign.\n          expectations: [I01.classify]\n",
			[]string{"x.yaml:24:17: warning: missing es translation of the text of critical task O1.triage"},
		},
		{
			"MissingStartConditions", ", start_conditions: Todos los equipos conectados a la plataforma del ejercicio; operación normal. } }", " } }",
			[]string{"x.yaml:28:23: warning: missing es translation of the start conditions of the exercise"},
		},
		{
			"NameTranslatedInSomeLanguages", "    name: colCERT\n", "    name: colCERT\n    translations: { fr: { name: colCERT (Colombie) } }\n",
			[]string{"warning: missing es translation of the name of team co-csirt"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := exampleWith(t)
			if tc.old != "" {
				src = exampleWith(t, tc.old, tc.new)
			}
			_, problems := scenarios.Parse("x.yaml", src)
			if problems.HasErrors() {
				t.Fatalf("errors:\n%s", problems)
			}
			got := warningsAbout(problems, "missing es translation")
			if tc.name == "SecondLanguage" {
				if n := len(warningsAbout(problems, "missing pt translation")); n != 13 {
					t.Errorf("%d pt warnings, want 13 (3 exercise texts, 2 objectives, 1 incident, title and body of 3 injects, 1 attachment):\n%s", n, problems)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d es gaps, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("gap %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestLanguageGapsAfterBadLanguage checks that a misspelt exercise.language
// gives its one error and no warnings about translations that the wrong
// name made look missing.
func TestLanguageGapsAfterBadLanguage(t *testing.T) {
	_, problems := scenarios.Parse("x.yaml", exampleWith(t, "  language: en\n", "  language: english\n"))
	if !problems.HasErrors() || !strings.Contains(problems.String(), "english") {
		t.Fatalf("no error for language: english:\n%s", problems)
	}
	if got := warningsAbout(problems, "translation"); len(got) != 0 {
		t.Errorf("%d translation warnings after a bad language:\n%s", len(got), strings.Join(got, "\n"))
	}
}

func TestLanguageCoverage(t *testing.T) {
	src := exampleWith(t,
		"  languages: [en, es]", "  languages: [en, es, pt]",
		"    translations: { es: { title: La misma campaña llega a Perú, body: Funcionarios del Ministerio de Economía del Perú reportan el mismo correo. } }\n", "",
		"    name: Ministry of Finance (Colombia)\n", "    name: Ministry of Finance (Colombia)\n    translations: { es: { name: Ministerio de Hacienda (Colombia) } }\n",
	)
	s, problems := scenarios.Parse("x.yaml", src)
	if s == nil {
		t.Fatalf("does not load:\n%s", problems)
	}
	if got, want := s.ContentLanguages(), []string{"en", "es", "pt"}; !slices.Equal(got, want) {
		t.Errorf("ContentLanguages = %v, want %v", got, want)
	}
	cov := s.Coverage()
	if len(cov) != 2 {
		t.Fatalf("coverage of %d languages, want es and pt: %+v", len(cov), cov)
	}
	if got, want := cov[0].String(), "es 2/3 injects, 0/0 prompts, 1/1 names, 6/6 exercise texts: missing I03"; got != want {
		t.Errorf("es coverage %q, want %q", got, want)
	}
	if got, want := cov[1].String(), "pt 0/3 injects, 0/0 prompts, 0/1 names, 0/6 exercise texts: missing I01, I02, I03, minfin-co, title of the exercise, description of the exercise, start conditions of the exercise, text of objective O1, text of objective O2, title of incident INC1"; got != want {
		t.Errorf("pt coverage %q, want %q", got, want)
	}
	if cov[0].Complete() || cov[1].Complete() {
		t.Error("incomplete coverage reported complete")
	}
	if got := s.PartyName("minfin-co", "es"); got != "Ministerio de Hacienda (Colombia)" {
		t.Errorf("PartyName es = %q", got)
	}
	if got := s.PartyName("minfin-co", "pt"); got != "Ministry of Finance (Colombia)" {
		t.Errorf("PartyName pt = %q, want the original", got)
	}
}

// TestBundledScenariosCompleteInDeclaredLanguages checks that every bundled
// scenario keeps the promise of its exercise.languages (some are written for
// one language, such as an English-speaking Caribbean exercise), and that
// the library as a whole offers every language of the OAS.
func TestBundledScenariosCompleteInDeclaredLanguages(t *testing.T) {
	offered := map[string]int{}
	for _, name := range scenarios.Library() {
		s, problems := scenarios.LoadLibrary(name)
		if s == nil {
			t.Fatalf("%s does not load:\n%s", name, problems)
		}
		langs := s.ContentLanguages()
		if len(s.Exercise.Languages) == 0 {
			t.Errorf("%s declares no exercise.languages", name)
		}
		for _, lang := range langs {
			offered[lang]++
		}
		for _, c := range s.Coverage() {
			if !c.Complete() {
				t.Errorf("%s: %s", name, c)
			}
		}
	}
	for _, want := range []string{"en", "es", "pt", "fr"} {
		if offered[want] == 0 {
			t.Errorf("no bundled scenario is complete in %s", want)
		}
	}
}

func TestDescribeShowsCoverage(t *testing.T) {
	s, problems := scenarios.Parse("x.yaml", exampleWith(t, "  languages: [en, es]", "  languages: [en, es, pt]"))
	if s == nil {
		t.Fatalf("does not load:\n%s", problems)
	}
	lines := describeLines(t, s)
	for _, want := range []string{
		"coverage: es 3/3 injects, 0/0 prompts, 0/0 names, 6/6 exercise texts",
		"pt 0/3 injects, 0/0 prompts, 0/0 names, 0/6 exercise texts: missing I01, I02, I03, title of the exercise, description of the exercise, start conditions of the exercise, text of objective O1, text of objective O2, title of incident INC1",
	} {
		if indexOfLine(lines, want) < 0 {
			t.Errorf("describe lacks %q:\n%s", want, strings.Join(lines[:16], "\n"))
		}
	}
}
