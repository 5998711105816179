package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"cmesim/msel"
	"cmesim/scenarios"
	"cmesim/web"
)

// exampleXLSX returns the example scenario as an MSEL workbook, changed by
// edit when it is not nil.
func exampleXLSX(t *testing.T, edit func(f *excelize.File)) []byte {
	t.Helper()
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	w, err := msel.Export(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := msel.WriteXLSX(&buf, w); err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return buf.Bytes()
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// importAnswer mirrors the answer of POST /api/admin/import.
type importAnswer struct {
	File     string `json:"file"`
	Kind     string `json:"kind"`
	Valid    bool   `json:"valid"`
	Problems []struct {
		Level, At, Message, Text string
	} `json:"problems"`
	YAML    string `json:"yaml"`
	Preview *struct {
		Title    string `json:"title"`
		Timeline []struct {
			ID      string `json:"id"`
			Release string `json:"release"`
		} `json:"timeline"`
	} `json:"preview"`
}

func upload(t *testing.T, c *client, name string, data []byte) (*response, importAnswer) {
	t.Helper()
	var out importAnswer
	resp := c.postJSON(t, "/api/admin/import", map[string]any{"name": name, "data": data}, &out)
	return resp, out
}

func TestLibraryFactsAndPreview(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	var lib []struct {
		Name  string `json:"name"`
		Facts struct {
			Countries, Languages, Sectors []string
			Level, Difficulty             string
		} `json:"facts"`
	}
	admin.get(t, "/api/library", &lib)
	found := false
	for _, e := range lib {
		if e.Name == "hospital-ransomware" {
			found = true
			f := e.Facts
			if strings.Join(f.Countries, ",") != "mx,gt,hn,ni,sv,cr,pa" || strings.Join(f.Sectors, ",") != "health" || f.Level != "operational" || f.Difficulty != "moderate" || strings.Join(f.Languages, ",") != "es,en,pt" {
				t.Errorf("facts %+v", f)
			}
		}
	}
	if !found {
		t.Fatal("hospital-ransomware not in the library")
	}

	var p struct {
		Title string `json:"title"`
		Teams []struct {
			ID          string
			CountryName string `json:"country_name"`
			Timezone    string
			Start       string
		} `json:"teams"`
		Objectives []struct{ ID, Text string } `json:"objectives"`
		Timeline   []struct {
			ID      string `json:"id"`
			At      *int64 `json:"at"`
			Release string `json:"release"`
		} `json:"timeline"`
	}
	resp := admin.get(t, "/api/library/hospital-ransomware/preview?lang=en", &p)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.body)
	}
	if len(p.Teams) != 7 || len(p.Objectives) != 6 || len(p.Timeline) != 26 {
		t.Fatalf("preview: %d teams, %d objectives, %d injects", len(p.Teams), len(p.Objectives), len(p.Timeline))
	}
	gt := p.Teams[0]
	for _, tm := range p.Teams {
		if tm.ID == "gt-csirt" {
			gt = tm
		}
	}
	if gt.CountryName != "Guatemala" || gt.Timezone != "America/Guatemala" || !strings.HasSuffix(gt.Start, "-06:00") {
		t.Errorf("Guatemala's team in the preview: %+v", gt)
	}
	// Timed injects come first, in time order.
	var last int64 = -1
	seenUntimed := false
	for _, in := range p.Timeline {
		if in.At == nil {
			seenUntimed = true
			continue
		}
		if seenUntimed || *in.At < last {
			t.Fatalf("timeline out of order at %s", in.ID)
		}
		last = *in.At
	}
	if r := admin.get(t, "/api/library/nope/preview", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown scenario: %d", r.StatusCode)
	}
	if r := newClient(t, srv).get(t, "/api/library/hospital-ransomware/preview", nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("preview without the admin key: %d", r.StatusCode)
	}
}

// TestLibraryInReadersLanguage checks that the library lists each
// scenario's title in the reader's language where the scenario translates
// it, saying which language each title is in, and that a preview's
// timeline titles follow.
func TestLibraryInReadersLanguage(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	grid, err := scenarios.LoadLibrary("grid-ransomware")
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Name      string `json:"name"`
		Title     string `json:"title"`
		TitleLang string `json:"title_lang"`
	}
	for lang, want := range map[string]entry{
		"es": {Name: "grid-ransomware", Title: grid.Exercise.Translations["es"].Title, TitleLang: "es"},
		"fr": {Name: "grid-ransomware", Title: grid.Exercise.Title, TitleLang: "en"}, // not translated into French
	} {
		var lib []entry
		admin.get(t, "/api/library?lang="+lang, &lib)
		i := slices.IndexFunc(lib, func(e entry) bool { return e.Name == want.Name })
		if i < 0 || lib[i] != want || want.Title == "" {
			t.Errorf("%s: library entry %+v, want %+v", lang, lib[max(i, 0)], want)
		}
	}
	var p struct {
		Timeline []struct{ ID, Title string } `json:"timeline"`
		TextLang string                       `json:"text_lang"`
	}
	admin.get(t, "/api/library/grid-ransomware/preview?lang=pt", &p)
	in, _ := grid.Inject(p.Timeline[0].ID)
	if want := in.Translations["pt"].Title; want == "" || p.Timeline[0].Title != want || p.TextLang != "" {
		t.Errorf("preview's first inject in Portuguese: %q (text_lang %q), want %q", p.Timeline[0].Title, p.TextLang, want)
	}
	// Not translated into French: the texts are as written, and say so.
	admin.get(t, "/api/library/grid-ransomware/preview?lang=fr", &p)
	if p.TextLang != "en" || p.Timeline[0].Title != in.Title {
		t.Errorf("preview in French: text_lang %q, first inject %q", p.TextLang, p.Timeline[0].Title)
	}
}

// TestExerciseListInReadersLanguage checks that the exercise list and a
// creation's answer give the exercise's title and team names (for the join
// codes) in the reader's language where the scenario translates them.
func TestExerciseListInReadersLanguage(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	// Written in Spanish, translated into English, names included.
	const name = "oas-ministerial-roundtable"
	scn, err := scenarios.LoadLibrary(name)
	if err != nil {
		t.Fatal(err)
	}
	type info struct {
		ID        string            `json:"id"`
		Title     string            `json:"title"`
		TitleLang string            `json:"title_lang"`
		TeamNames map[string]string `json:"team_names"`
	}
	check := func(what, lang, title, titleLang string, got info) {
		t.Helper()
		if got.Title != title || got.TitleLang != titleLang {
			t.Errorf("%s in %s: title %q (%s), want %q (%s)", what, lang, got.Title, got.TitleLang, title, titleLang)
		}
		for _, team := range scn.Teams {
			if want := scn.PartyName(team.ID, lang); got.TeamNames[team.ID] != want {
				t.Errorf("%s in %s: team %s named %q, want %q", what, lang, team.ID, got.TeamNames[team.ID], want)
			}
		}
	}
	english := scn.Exercise.Translations["en"].Title
	if english == "" || scn.PartyName(scn.Teams[0].ID, "en") == scn.Teams[0].Name {
		t.Fatalf("%s no longer translates its title and first team into English; choose another scenario", name)
	}
	var created info
	if r := admin.postJSON(t, "/api/exercises?lang=en", map[string]any{"scenario": name}, &created); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.body)
	}
	check("the creation's answer", "en", english, "en", created)
	for lang, title := range map[string]string{"es": scn.Exercise.Title, "fr": scn.Exercise.Title, "en": english} {
		var list []info
		admin.get(t, "/api/exercises?lang="+lang, &list)
		if len(list) != 1 || list[0].ID != created.ID {
			t.Fatalf("the exercise list: %+v", list)
		}
		titleLang := "es"
		if lang == "en" {
			titleLang = "en"
		}
		check("the exercise list", lang, title, titleLang, list[0])
	}
}

func TestImportWorkbook(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	resp, ok := upload(t, admin, "plan.xlsx", exampleXLSX(t, nil))
	if resp.StatusCode != http.StatusOK || !ok.Valid || ok.Kind != "xlsx" || ok.YAML == "" || ok.Preview == nil || len(ok.Preview.Timeline) == 0 {
		t.Fatalf("valid workbook: %d %s", resp.StatusCode, resp.body)
	}
	// The imported YAML creates an exercise.
	var ex created
	if r := admin.postJSON(t, "/api/exercises", map[string]any{"yaml": ok.YAML}, &ex); r.StatusCode != http.StatusCreated {
		t.Fatalf("create from the import: %d %s", r.StatusCode, r.body)
	}

	// Problems name their cell; a formula is refused, not evaluated.
	for _, tt := range []struct {
		edit     func(f *excelize.File)
		at, want string
	}{
		{func(f *excelize.File) { f.SetCellStr("Injects", "G2", "fone") }, "Injects!G2", `unknown channel "fone"`},
		{func(f *excelize.File) { f.SetCellFormula("Injects", "B3", `HYPERLINK("http://evil.example","x")`) }, "Injects!B3", "cell holds a formula"},
	} {
		resp, bad := upload(t, admin, "../../etc/plan<script>.xlsx", exampleXLSX(t, tt.edit))
		if resp.StatusCode != http.StatusOK || bad.Valid || bad.YAML != "" || bad.Preview != nil {
			t.Fatalf("invalid workbook: %d %s", resp.StatusCode, resp.body)
		}
		if bad.File != "planscript.xlsx" {
			t.Errorf("file reported as %q", bad.File)
		}
		found := false
		for _, p := range bad.Problems {
			found = found || (p.At == tt.at && strings.Contains(p.Message, tt.want) && strings.HasPrefix(p.Text, "planscript.xlsx:"+p.At+": error: "))
		}
		if !found {
			t.Errorf("problems %+v lack %s: %s", bad.Problems, tt.at, tt.want)
		}
	}
}

func TestImportYAML(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	_, ok := upload(t, admin, "example.yaml", src)
	if !ok.Valid || ok.Kind != "yaml" || ok.YAML != string(src) {
		t.Fatalf("valid YAML: %+v", ok)
	}
	broken := strings.Replace(string(src), "channel: email", "channel: fone", 1)
	_, bad := upload(t, admin, "mine.yaml", []byte(broken))
	if bad.Valid || len(bad.Problems) == 0 {
		t.Fatalf("broken YAML accepted: %+v", bad)
	}
	p := bad.Problems[0]
	if !strings.HasPrefix(p.Text, "mine.yaml:"+p.At+": error: ") || !strings.Contains(p.At, ":") {
		t.Errorf("problem %+v has no line:col", p)
	}
}

// TestImportHostile checks that what is not a scenario is refused with a
// clear error and no panic: too large, not a workbook or text, empty, a
// corrupt workbook, and without the admin key.
func TestImportHostile(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	for _, tt := range []struct {
		name   string
		data   []byte
		status int
		want   string
	}{
		{"huge.xlsx", append([]byte("PK\x03\x04"), make([]byte, web.MaxScenarioUpload)...), http.StatusBadRequest, "larger than"},
		{"huger.xlsx", make([]byte, 4*web.MaxScenarioUpload), http.StatusBadRequest, "larger than"},
		{"image.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), http.StatusUnsupportedMediaType, "neither an MSEL workbook"},
		{"empty.yaml", nil, http.StatusBadRequest, "empty"},
	} {
		resp, _ := upload(t, admin, tt.name, tt.data)
		if resp.StatusCode != tt.status || !strings.Contains(resp.apiError(t).Error.Message, tt.want) {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, resp.body)
		}
	}
	resp, corrupt := upload(t, admin, "corrupt.xlsx", []byte("PK\x03\x04 not a zip at all"))
	if resp.StatusCode != http.StatusOK || corrupt.Valid || len(corrupt.Problems) == 0 || !strings.Contains(corrupt.Problems[0].Message, "cannot read as an XLSX workbook") {
		t.Errorf("corrupt workbook: %d %s", resp.StatusCode, resp.body)
	}
	if r, _ := upload(t, newClient(t, srv), "plan.xlsx", exampleXLSX(t, nil)); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("import without the admin key: %d", r.StatusCode)
	}
}

func TestMonteCarloPreview(t *testing.T) {
	srv := mustServer(t)
	admin := mustAdmin(t, srv)
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Runs       int `json:"runs"`
		Objectives []struct {
			ID       string  `json:"id"`
			Text     string  `json:"text"`
			Achieved float64 `json:"achieved"`
		} `json:"objectives"`
		Difficulty string `json:"difficulty"`
	}
	resp := admin.postJSON(t, "/api/admin/montecarlo", map[string]string{"yaml": string(src)}, &res)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("montecarlo: %d %s", resp.StatusCode, resp.body)
	}
	if res.Runs != web.MonteCarloRuns || len(res.Objectives) == 0 || res.Difficulty == "" {
		t.Fatalf("result %+v", res)
	}
	for _, o := range res.Objectives {
		if o.Achieved < 0 || o.Achieved > 1 || o.Text == "" {
			t.Errorf("objective %+v", o)
		}
	}
	// The same runs give the same figures.
	var again json.RawMessage
	admin.postJSON(t, "/api/admin/montecarlo", map[string]string{"yaml": string(src)}, &again)
	first, _ := json.Marshal(res)
	var res2 = res
	json.Unmarshal(again, &res2)
	if second, _ := json.Marshal(res2); !bytes.Equal(first, second) {
		t.Errorf("two previews differ:\n%s\n%s", first, second)
	}
	bad := admin.postJSON(t, "/api/admin/montecarlo", map[string]string{"yaml": "format: cmesim/v1\n"}, nil)
	if bad.StatusCode != http.StatusBadRequest || len(bad.apiError(t).Error.Problems) == 0 {
		t.Errorf("invalid scenario: %d %s", bad.StatusCode, bad.body)
	}
}
