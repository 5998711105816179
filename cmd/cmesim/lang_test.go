package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportLang covers --lang on report and run: the report comes out in
// the language asked for, and a language cmesim does not speak is a usage
// error.
func TestReportLang(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	frHTML := filepath.Join(dir, "rapport.html")
	r := cmesim(t, nil, "run", exampleFile, "--out", events, "--report", frHTML, "--lang", "fr")
	r.wantCode(t, 0)
	page, err := os.ReadFile(frHTML)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="fr">`, "Rapport de retour d’expérience", "Réalisé sans difficulté"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the French report lacks %q", want)
		}
	}

	es := cmesim(t, nil, "report", events, "--scenario", exampleFile, "--lang", "es-CO", "--format", "md")
	es.wantCode(t, 0)
	for _, want := range []string{"# Informe posterior a la acción / Plan de mejora", "## Plan de mejora", "| Equipo |"} {
		if !strings.Contains(es.stdout, want) {
			t.Errorf("the Spanish report lacks %q:\n%.400s", want, es.stdout)
		}
	}

	ptHTML := filepath.Join(dir, "relatorio.html")
	cmesim(t, nil, "report", events, "--scenario", exampleFile, "--lang", "pt", "-o", ptHTML).wantCode(t, 0)
	if page, err := os.ReadFile(ptHTML); err != nil || !strings.Contains(string(page), `<html lang="pt-BR">`) {
		t.Errorf("the Portuguese report is not marked pt-BR (%v)", err)
	}

	bad := cmesim(t, nil, "report", events, "--scenario", exampleFile, "--lang", "de")
	bad.wantCode(t, 2)
	if !strings.Contains(bad.stderr, "en, es, pt, fr") {
		t.Errorf("the error does not list the languages: %s", bad.stderr)
	}
	cmesim(t, nil, "run", exampleFile, "--lang", "klingon").wantCode(t, 2)
}
