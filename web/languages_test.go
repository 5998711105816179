package web_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"cmesim/engine"
)

// TestDeclaredLanguagesOnly checks that the exercise info lists the
// scenario's declared languages and translated names, and that a delivered
// inject carries translations into declared languages only.
func TestDeclaredLanguagesOnly(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	yaml := string(src)
	for _, r := range [][2]string{
		// A French translation the scenario does not promise.
		{"    attachments:\n      - name: iocs.txt", "      fr:\n        title: Courriels suspects\n        body: Des agents ont reçu un courriel suspect.\n    attachments:\n      - name: iocs.txt"},
		{"    name: Ministry of Finance (Colombia)\n", "    name: Ministry of Finance (Colombia)\n    translations: { es: { name: Ministerio de Hacienda (Colombia) } }\n"},
	} {
		if !strings.Contains(yaml, r[0]) {
			t.Fatalf("the example has no %q", r[0])
		}
		yaml = strings.Replace(yaml, r[0], r[1], 1)
	}
	srv := mustServer(t)
	var ex created
	if r := mustAdmin(t, srv).postJSON(t, "/api/exercises", map[string]any{"yaml": yaml, "humans": []string{co, pe}}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	fac := dial(t, join(t, srv, ex.Codes.Facilitator, "Fran"), ex.ID, 0)
	anaC := join(t, srv, ex.Codes.Teams[co], "Ana")
	ana := dial(t, anaC, ex.ID, 0)

	var info struct {
		Languages []string                     `json:"languages"`
		Names     map[string]map[string]string `json:"names"`
		Trans     map[string]struct {
			Title, Description string
			Start              string            `json:"start_conditions"`
			Objectives         map[string]string `json:"objectives"`
			Incidents          map[string]string `json:"incidents"`
		} `json:"translations"`
	}
	anaC.get(t, "/api/exercises/"+ex.ID, &info)
	if !slices.Equal(info.Languages, []string{"en", "es"}) || info.Names["minfin-co"]["es"] != "Ministerio de Hacienda (Colombia)" || len(info.Names) != 1 {
		t.Fatalf("exercise info: %+v", info)
	}
	if es, ok := info.Trans["es"]; !ok || len(info.Trans) != 1 || es.Title != "Ola de phishing contra dos ministerios" || !strings.HasPrefix(es.Start, "Todos los equipos") ||
		!strings.HasPrefix(es.Objectives["O2"], "Compartir") || es.Incidents["INC1"] != "Campaña de spear-phishing contra ministerios de finanzas" {
		t.Fatalf("exercise translations: %+v", info.Trans)
	}

	fac.mustAck(t, cmd{"type": "start"})
	fac.jump(t)
	got := ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	var delivered struct {
		Inject struct {
			Translations map[string]struct {
				Title, Body string
				FromName    string `json:"from_name"`
				Attachments []struct{ Name, Content string }
			} `json:"translations"`
		} `json:"inject"`
	}
	if err := json.Unmarshal(got.raw, &delivered); err != nil {
		t.Fatal(err)
	}
	trs := delivered.Inject.Translations
	if langs := slices.Sorted(maps.Keys(trs)); !slices.Equal(langs, []string{"es"}) {
		t.Fatalf("delivered translations %v, want es only: %s", langs, got.raw)
	}
	es := trs["es"]
	if es.FromName != "Ministerio de Hacienda (Colombia)" || len(es.Attachments) != 1 || es.Attachments[0].Name != "indicadores.txt" ||
		!strings.Contains(es.Attachments[0].Content, "185.220.101.7") || !strings.Contains(es.Body, "colCERT") {
		t.Errorf("es translation %+v", es)
	}
}
