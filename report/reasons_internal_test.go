package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/scenarios/taxonomy"
)

// TestReasons_CodesAndOldSentencesReadAlike reads every reason of the
// engine's golden logs (which carry codes) in every language, once by its
// code and once as a log without codes has it (the English sentence
// alone): both must read the same, with no placeholder left and, outside
// English, not as the English sentence.
func TestReasons_CodesAndOldSentencesReadAlike(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/engine/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden logs: %v", err)
	}
	codes := map[engine.ReasonCode]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		events, err := engine.ReadLog(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, e := range events {
			w := e.Data.Why
			if w.ReasonCode == "" {
				continue
			}
			codes[w.ReasonCode] = true
			for _, l := range i18n.Langs {
				loc := newLoc(l)
				byCode, bySentence := loc.why(w), loc.why(engine.Why{Reason: w.Reason})
				if byCode != bySentence {
					t.Errorf("%s %s event %d: by code %q, from the sentence %q", filepath.Base(f), l, e.Seq, byCode, bySentence)
				}
				if strings.Contains(byCode, "{") || (l != i18n.English && byCode == w.Reason) {
					t.Errorf("%s %s event %d: %q for %s %v", filepath.Base(f), l, e.Seq, byCode, w.ReasonCode, w.ReasonArgs)
				}
			}
		}
	}
	if len(codes) < 4 {
		t.Errorf("the golden logs give only the reasons %v", codes)
	}
}

// TestReasons_OldSentences checks that the sentences of logs without codes
// are recognised for every code, arguments included, and said in Spanish.
func TestReasons_OldSentences(t *testing.T) {
	es := newLoc(i18n.Spanish)
	for _, c := range []struct {
		sentence string
		code     engine.ReasonCode
		args     map[string]string
		spanish  string
	}{
		{"deadline passed", engine.ReasonDeadlinePassed, nil, "venció el plazo"},
		{"planned duration reached", engine.ReasonDurationReached, nil, "se alcanzó la duración prevista"},
		{"ended by the facilitator", engine.ReasonEndedByFacilitator, nil, "finalizado por el facilitador"},
		{`category "a/b", expected "c/d"; severity low, expected high`, engine.ReasonWrongClassification,
			map[string]string{"category": "a/b", "expected_category": "c/d", "severity": "low", "expected_severity": "high"},
			"categoría «a/b», se esperaba «c/d»; severidad baja, se esperaba alta"},
		{"request info without text: a written action needs content", engine.ReasonNoText, map[string]string{"action": "request_info"},
			"«solicitar información» sin texto: una acción escrita necesita contenido"},
		{"shared with pe-csirt, which is not an expected peer (co-csirt, ar-csirt)", engine.ReasonWrongPeer,
			map[string]string{"peer": "pe-csirt", "expected_peers": "co-csirt, ar-csirt"},
			"compartió con pe-csirt, que no era un destinatario previsto (co-csirt, ar-csirt)"},
		{"TLP violation: sent as TLP:CLEAR, the information is TLP:RED", engine.ReasonMessageTLP, map[string]string{"tlp": "CLEAR", "limit": "RED"},
			"infracción de TLP: enviado como TLP:CLEAR, la información es TLP:RED"},
		{"deadline passed after a wrong answer: escalated to mintic, expected ccoc", engine.ReasonDeadlineAfterWrong,
			map[string]string{"wrong": "wrong_target", "target": "mintic", "expected_target": "ccoc"},
			"venció el plazo después de una respuesta errónea: escaló a mintic, se esperaba ccoc"},
		{"deadline passed after a wrong answer", engine.ReasonDeadlineAfterWrong, nil, "venció el plazo después de una respuesta errónea"},
	} {
		w := legacyReason(c.sentence)
		if w.ReasonCode != c.code || len(w.ReasonArgs) != len(c.args) {
			t.Errorf("%q: %s %v, want %s %v", c.sentence, w.ReasonCode, w.ReasonArgs, c.code, c.args)
		}
		for k, v := range c.args {
			if w.ReasonArgs[k] != v {
				t.Errorf("%q: %s = %q, want %q", c.sentence, k, w.ReasonArgs[k], v)
			}
		}
		if got := es.why(engine.Why{Reason: c.sentence}); got != c.spanish {
			t.Errorf("%q in Spanish: %q, want %q", c.sentence, got, c.spanish)
		}
	}
	if got := es.reason("something else"); got != "something else" {
		t.Errorf("an unknown sentence reads %q", got)
	}
}

// TestLogEntry_DelayedDeliveryInTheReadersLanguage: the event log says that
// the facilitator delayed a delivery in the report's language.
func TestLogEntry_DelayedDeliveryInTheReadersLanguage(t *testing.T) {
	e := engine.Event{Seq: 9, Type: engine.EventInjectDelivered, Team: "co-csirt", Data: engine.Details{Inject: "I02", Cause: engine.CauseDelayed}}
	for lang, want := range map[i18n.Lang]string{"en": "delayed by the facilitator", "es": "retrasada por el facilitador", "pt": "adiada pelo facilitador", "fr": "retardé par l’animateur"} {
		if got := newLoc(lang).summarize(&e); !strings.Contains(got, want) {
			t.Errorf("%s: %q does not say %q", lang, got, want)
		}
	}
}

// TestLogEntry_ServerPauseInTheReadersLanguage: a pause the server made on
// its own reads in the report's language; its English catalog text is the
// engine's, so that the consoles, which know it by that text, find it too.
func TestLogEntry_ServerPauseInTheReadersLanguage(t *testing.T) {
	for text, key := range serverPauses {
		if en := i18n.T("en", key); en != text {
			t.Errorf("the English catalog says %q for %s; the engine writes %q", en, key, text)
		}
		e := engine.Event{Seq: 5, Type: engine.EventPaused, Actor: "facilitator:server", Data: engine.Details{Text: text}}
		if got, want := newLoc("es").summarize(&e), i18n.T("es", "report.log.paused")+" "+i18n.T("es", key); got != want || strings.Contains(got, text) {
			t.Errorf("es: %q, want %q", got, want)
		}
	}
	if len(serverPauses) != 2 {
		t.Errorf("%d server pauses known, want the engine's 2", len(serverPauses))
	}
	e := engine.Event{Seq: 5, Type: engine.EventPaused, Actor: "facilitator:Marta", Data: engine.Details{Text: "café"}}
	if got := newLoc("es").summarize(&e); !strings.HasSuffix(got, " café") {
		t.Errorf("a facilitator's own text: %q", got)
	}
}

// TestTaxonomyLabelsInEveryLanguage: every classification and type of the
// built-in taxonomies has a label in every catalog, the English one the
// taxonomy's own.
func TestTaxonomyLabelsInEveryLanguage(t *testing.T) {
	for _, id := range taxonomy.Names() {
		tx, _ := taxonomy.Builtin(id)
		for _, c := range tx.Categories() {
			class, typ, _ := strings.Cut(c.Value, taxonomy.Separator)
			for key, en := range map[string]string{taxonomy.LabelKey(id, class, ""): c.Class, taxonomy.LabelKey(id, class, typ): c.Label} {
				if got := i18n.T("en", key); got != en {
					t.Errorf("%s: the English catalog says %q, the taxonomy %q", key, got, en)
				}
				for _, l := range i18n.Langs {
					if !i18n.Has(l, key) {
						t.Errorf("%s: no %s label", key, l)
					}
				}
			}
		}
	}
}

// TestPerson names people by the name they joined with, colons and all.
func TestPerson(t *testing.T) {
	l := newLoc("es")
	for actor, want := range map[string]string{
		"evaluator:Eva":             "Eva",
		"evaluator:Dr. Ruiz: lead":  "Dr. Ruiz: lead",
		"trainee:co-csirt:Ana: SOC": "Ana: SOC",
		"facilitator:facilitator":   i18n.T("es", "ui.role.facilitator"),
		"facilitator:":              i18n.T("es", "ui.role.facilitator"),
		"system":                    "system",
	} {
		if got := l.person(actor); got != want {
			t.Errorf("person(%q) = %q, want %q", actor, got, want)
		}
	}
}

// TestReasons_NamesAndCategories checks that a reason names teams and
// actors by their display names and categories by their labels, in
// English too, as the consoles do, rather than by the log's ids.
func TestReasons_NamesAndCategories(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.English, i18n.Spanish} {
		loc := newLoc(l)
		loc.names = map[string]string{"mintic": "MinTIC", "co-csirt": "colCERT", "pe-csirt": "PeCERT"}
		ddos := i18n.T(l, taxonomy.LabelKey(taxonomy.Default, "availability", "ddos"))
		phishing := i18n.T(l, taxonomy.LabelKey(taxonomy.Default, "fraud", "phishing"))
		for _, c := range []struct {
			why  engine.Why
			want []string
		}{
			{engine.Why{ReasonCode: engine.ReasonWrongTarget, ReasonArgs: map[string]string{"target": "mintic", "expected_target": "co-csirt"}}, []string{"MinTIC", "colCERT"}},
			{engine.Why{ReasonCode: engine.ReasonWrongPeer, ReasonArgs: map[string]string{"peer": "pe-csirt", "expected_peers": "co-csirt, mintic"}}, []string{"PeCERT", "colCERT", "MinTIC"}},
			{engine.Why{ReasonCode: engine.ReasonWrongCategory, ReasonArgs: map[string]string{"category": "availability/ddos", "expected_category": "fraud/phishing"}}, []string{ddos, phishing}},
		} {
			got := loc.why(c.why)
			for _, w := range c.want {
				if w == "" || !strings.Contains(got, w) {
					t.Errorf("%s %s: %q does not say %q", l, c.why.ReasonCode, got, w)
				}
			}
			for _, id := range []string{"-csirt", "mintic", "availability/", "fraud/"} {
				if strings.Contains(got, id) {
					t.Errorf("%s %s: %q says the id %q", l, c.why.ReasonCode, got, id)
				}
			}
		}
	}
}

// TestCategoryLabels checks that the report names a category by the label
// of the scenario's own taxonomy when the catalog has none for it, and by
// the catalog's label for the default taxonomy, in the reader's language.
func TestCategoryLabels(t *testing.T) {
	national := &taxonomy.Taxonomy{ID: "national", Classes: []taxonomy.Classification{
		{ID: "malware", Label: "Malware", Types: []taxonomy.Type{{ID: "ransomware", Label: "Secuestro de datos"}}},
	}}
	rsit, _ := taxonomy.Builtin(taxonomy.Default)
	es := newLoc(i18n.Spanish)
	for _, c := range []struct {
		tax         *taxonomy.Taxonomy
		value, want string
	}{
		{national, "malware/ransomware", "Secuestro de datos"},
		{national, "malware/unknown", "malware/unknown"},
		{rsit, "availability/ddos", i18n.T(i18n.Spanish, taxonomy.LabelKey("rsit", "availability", "ddos"))},
		{nil, "availability/ddos", i18n.T(i18n.Spanish, taxonomy.LabelKey("rsit", "availability", "ddos"))},
	} {
		es.tax = c.tax
		if got := es.category(c.value); got != c.want || strings.Contains(got, "{") {
			t.Errorf("category %q in %v: %q, want %q", c.value, c.tax != nil, got, c.want)
		}
	}
}

// TestReasons_MissAfterUncodedWrong checks a miss coded after a wrong
// answer that had no code (a log resumed from before the codes): the
// wrong answer's reason, in the sentence only, is still said.
func TestReasons_MissAfterUncodedWrong(t *testing.T) {
	w := engine.Why{ReasonCode: engine.ReasonDeadlineAfterWrong, Reason: legacyAfterWrong + "severity medium, expected critical"}
	for _, l := range []i18n.Lang{i18n.English, i18n.Spanish} {
		got := newLoc(l).why(w)
		if want := i18n.T(l, "severity.critical"); !strings.Contains(got, want) {
			t.Errorf("%s: %q does not say the expected severity %q", l, got, want)
		}
	}
}
