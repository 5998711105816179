package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"cmesim/countries"
	"cmesim/engine"
	"cmesim/engine/batch"
	"cmesim/internal/i18n"
	"cmesim/msel"
	"cmesim/scenarios"
)

// The admin page's library browser and import: the facts of each bundled
// scenario for filtering, a staff preview of a scenario before an exercise
// is created from it, the import of an MSEL workbook or a YAML scenario
// with the validator's positioned problems, and a Monte Carlo preview of
// an imported scenario. All of it is for the admin only.

// library serves the scenario library to administrators: the bundled
// scenarios, their previews, importing a workbook or scenario, and the
// Monte Carlo preview of one.
type library struct {
	log zerolog.Logger
	// monteCarlo holds a token while a Monte Carlo preview runs.
	monteCarlo chan struct{}
}

// Monte Carlo preview limits: one preview at a time on a server, on at
// most two cores, for at most MonteCarloTimeout; it stops as soon as the
// admin's browser goes away.
const (
	// MonteCarloRuns is how many simulated runs a preview plays.
	MonteCarloRuns = 1000
	// MonteCarloTimeout bounds one preview's time.
	MonteCarloTimeout = 2 * time.Minute
	monteCarloWorkers = 2
)

// libraryFacts are a scenario's tags and derived facts, for the browser.
type libraryFacts struct {
	Countries  []string `json:"countries"`
	Languages  []string `json:"languages"`
	Sectors    []string `json:"sectors"`
	Level      string   `json:"level,omitempty"`
	Difficulty string   `json:"difficulty,omitempty"`
}

func factsOf(s *scenarios.Scenario) libraryFacts {
	f := s.Facts()
	out := libraryFacts{Languages: f.Languages, Sectors: f.Sectors, Level: f.Level, Difficulty: f.Difficulty}
	for _, c := range f.Countries {
		out.Countries = append(out.Countries, strings.ToLower(c))
	}
	if out.Sectors == nil {
		out.Sectors = []string{}
	}
	if out.Countries == nil {
		out.Countries = []string{}
	}
	return out
}

// scenarioPreview is what the admin reads of a scenario before creating an
// exercise of it: staff may see the whole timeline.
type scenarioPreview struct {
	Name        string          `json:"name,omitempty"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Duration    time.Duration   `json:"duration"`
	StartTime   string          `json:"start_time,omitempty"`
	Facts       libraryFacts    `json:"facts"`
	Teams       []previewTeam   `json:"teams"`
	Objectives  []objectiveView `json:"objectives"`
	Timeline    []previewInject `json:"timeline"`
	// TextLang is the language the scenario's texts (description,
	// objectives, inject titles) are shown in when the scenario does not
	// promise the reader's language (exercise.languages), so the page can
	// mark them; else empty.
	TextLang string `json:"text_lang,omitempty"`
}

type previewTeam struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Country     string   `json:"country"`
	CountryName string   `json:"country_name"`
	TimeZone    string   `json:"timezone"`
	Languages   []string `json:"languages"`
	// Start is T+0 in the team's time zone ("2006-01-02T15:04:05-07:00"),
	// when the scenario has a start_time.
	Start string `json:"start,omitempty"`
}

type previewInject struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// At is the inject's offset from T+0 for a timed inject, else absent.
	At *time.Duration `json:"at,omitempty"`
	// Release is "timed", "triggered" or "contingency".
	Release  string   `json:"release"`
	Channel  string   `json:"channel"`
	From     string   `json:"from,omitempty"`
	To       []string `json:"to"`
	Severity string   `json:"severity,omitempty"`
	Incident string   `json:"incident,omitempty"`
}

func previewOf(name string, s *scenarios.Scenario, lang i18n.Lang) *scenarioPreview {
	tx := s.ExerciseIn(string(lang))
	p := &scenarioPreview{Name: name, Title: tx.Title, Description: tx.Description, Duration: s.Exercise.Duration.D(),
		Facts: factsOf(s), Teams: []previewTeam{}, Objectives: []objectiveView{}, Timeline: []previewInject{}}
	start := s.Exercise.StartTime.Time
	if !start.IsZero() {
		p.StartTime = start.Format(time.RFC3339)
	}
	if langs := s.ContentLanguages(); !slices.Contains(langs, string(lang)) {
		p.TextLang = langs[0]
	}
	for i := range s.Teams {
		t := &s.Teams[i]
		pt := previewTeam{ID: t.ID, Name: s.PartyName(t.ID, string(lang)), Country: strings.ToLower(t.Country),
			CountryName: countries.Name(t.Country, string(lang)), TimeZone: t.TimeZone, Languages: t.Languages}
		if pt.CountryName == "" {
			pt.CountryName = t.Country
		}
		if !start.IsZero() {
			pt.Start = start.In(t.Location()).Format(time.RFC3339)
		}
		p.Teams = append(p.Teams, pt)
	}
	for i := range s.Exercise.Objectives {
		o := &s.Exercise.Objectives[i]
		p.Objectives = append(p.Objectives, objectiveView{ID: o.ID, Text: o.TextIn(string(lang)), Capability: string(o.Capability)})
	}
	for i := range s.Injects {
		in := &s.Injects[i]
		pi := previewInject{ID: in.ID, Title: in.TitleIn(string(lang)), Channel: string(in.Channel), From: in.From, To: in.To,
			Severity: string(in.Severity), Incident: in.Incident, Release: "contingency"}
		switch {
		case in.At != nil:
			at := in.At.D()
			pi.At, pi.Release = &at, "timed"
		case in.Trigger != nil:
			pi.Release = "triggered"
		}
		p.Timeline = append(p.Timeline, pi)
	}
	slices.SortStableFunc(p.Timeline, func(a, b previewInject) int { return compareAt(a.At, b.At) })
	return p
}

// compareAt orders timed injects by time, before the others.
func compareAt(a, b *time.Duration) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	case *a < *b:
		return -1
	case *a > *b:
		return 1
	}
	return 0
}

func (lb *library) handleLibraryPreview(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !slices.Contains(scenarios.Library(), name) {
		writeError(w, lb.log, engine.Errorf(engine.CodeNotFound, "no bundled scenario named %q", name))
		return
	}
	scn, problems := scenarios.LoadLibrary(name)
	if scn == nil {
		writeError(w, lb.log, &ProblemsError{Problems: problems.Errors()})
		return
	}
	writeJSON(w, http.StatusOK, previewOf(name, scn, requestLang(r)))
}

// importProblem is one problem of an imported file, with its place
// ("Injects!C14" or "12:3") apart for the page.
type importProblem struct {
	Level   string `json:"level"`
	At      string `json:"at,omitempty"`
	Message string `json:"message"`
	// Text is the whole problem as the command line prints it.
	Text string `json:"text"`
}

// importResult is the answer to an import: the scenario's YAML and its
// preview when it is valid, and every problem found.
type importResult struct {
	File     string           `json:"file"`
	Kind     string           `json:"kind"`
	Valid    bool             `json:"valid"`
	Problems []importProblem  `json:"problems"`
	YAML     string           `json:"yaml,omitempty"`
	Preview  *scenarioPreview `json:"preview,omitempty"`
}

// Import kinds.
const (
	importXLSX = "xlsx"
	importYAML = "yaml"
)

// importName is the file name an upload is reported under: the base of
// the name the page sends, cleaned of anything but ordinary characters.
func importName(raw, kind string) string {
	name := path.Base(strings.ReplaceAll(raw, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r == ' ' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, name)
	if len(name) > 100 {
		name = name[:100]
	}
	if strings.Trim(name, ". ") == "" {
		name = "upload." + kind
	}
	return name
}

// importKind tells an MSEL workbook (a ZIP file) from a YAML scenario (UTF-8
// text) by their first bytes, whatever the file is called.
func importKind(data []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return importXLSX, true
	case utf8.Valid(data) && !bytes.ContainsRune(data, 0):
		return importYAML, true
	}
	return "", false
}

// importRequest is an uploaded file: JSON like every other request, so
// that the same-origin guard holds (guard.go), with the bytes in base64.
type importRequest struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

func (lb *library) handleImport(w http.ResponseWriter, r *http.Request) {
	var req importRequest
	if err := readJSON(w, r, int64(base64.StdEncoding.EncodedLen(MaxScenarioUpload)+maxJSONBody), &req); err != nil {
		if strings.Contains(err.Error(), "larger than") {
			err = engine.Errorf(engine.CodeInvalid, "the file is larger than %d bytes", MaxScenarioUpload)
		}
		writeError(w, lb.log, err)
		return
	}
	data := req.Data
	if len(data) > MaxScenarioUpload {
		writeError(w, lb.log, engine.Errorf(engine.CodeInvalid, "the file is larger than %d bytes", MaxScenarioUpload))
		return
	}
	if len(data) == 0 {
		writeError(w, lb.log, engine.Errorf(engine.CodeInvalid, "the file is empty"))
		return
	}
	kind, ok := importKind(data)
	if !ok {
		writeError(w, lb.log, engine.Errorf(codeUnsupported, "the file is neither an MSEL workbook (.xlsx) nor a YAML scenario"))
		return
	}
	res := importFile(importName(req.Name, kind), kind, data, requestLang(r))
	writeJSON(w, http.StatusOK, res)
}

// importFile reads an uploaded workbook or scenario. Attached files are
// not uploaded with it: a scenario that attaches files must be uploaded
// with cmesim import instead.
func importFile(name, kind string, data []byte, lang i18n.Lang) *importResult {
	res := &importResult{File: name, Kind: kind, Problems: []importProblem{}}
	noFiles := scenarios.FileMap(nil)
	var text []byte
	var scn *scenarios.Scenario
	if kind == importXLSX {
		var list msel.Problems
		text, scn, list = msel.ImportWith(name, data, noFiles)
		for _, p := range list {
			res.Problems = append(res.Problems, importProblem{Level: p.Level.String(), At: p.Cell, Message: p.Message, Text: p.String()})
		}
	} else {
		var list scenarios.Problems
		text = data
		scn, list = scenarios.ParseWith(name, data, noFiles)
		for _, p := range list {
			at := ""
			if !p.Pos.IsZero() {
				at = strings.TrimPrefix(p.Pos.String(), name+":")
			}
			res.Problems = append(res.Problems, importProblem{Level: p.Level.String(), At: at, Message: p.Message, Text: p.String()})
		}
	}
	if scn != nil {
		res.Valid, res.YAML, res.Preview = true, string(text), previewOf("", scn, lang)
	}
	return res
}

// monteCarloObjective is one objective's share of simulated runs achieved.
type monteCarloObjective struct {
	ID         string  `json:"id"`
	Text       string  `json:"text"`
	Capability string  `json:"capability"`
	Achieved   float64 `json:"achieved"`
}

// monteCarloResult is the answer to a Monte Carlo preview.
type monteCarloResult struct {
	Runs       int                   `json:"runs"`
	Objectives []monteCarloObjective `json:"objectives"`
	// Difficulty is the calibrated difficulty these runs give
	// (scenarios.DifficultyFor).
	Difficulty string `json:"difficulty,omitempty"`
}

func (lb *library) handleMonteCarlo(w http.ResponseWriter, r *http.Request) {
	var req struct {
		YAML string `json:"yaml"`
	}
	if err := readJSON(w, r, MaxScenarioUpload+maxJSONBody, &req); err != nil {
		writeError(w, lb.log, err)
		return
	}
	scn, problems := scenarios.ParseWith("upload.yaml", []byte(req.YAML), scenarios.FileMap(nil))
	if scn == nil {
		writeError(w, lb.log, &ProblemsError{Problems: problems.Errors()})
		return
	}
	select {
	case lb.monteCarlo <- struct{}{}:
		defer func() { <-lb.monteCarlo }()
	default:
		tooMany(w, lb.log, 5*time.Second, "another Monte Carlo preview is running; try again in a moment")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), MonteCarloTimeout) // ends too when the browser goes away
	defer cancel()
	res, err := monteCarlo(ctx, scn, requestLang(r))
	if err != nil {
		if ctx.Err() != nil {
			lb.log.Info().Err(err).Msg("Monte Carlo preview stopped")
			writeError(w, lb.log, engine.Errorf(codeUnavailable, "the Monte Carlo preview took too long or was cancelled"))
			return
		}
		writeError(w, lb.log, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// monteCarlo plays MonteCarloRuns runs of s, every team simulated.
func monteCarlo(ctx context.Context, s *scenarios.Scenario, lang i18n.Lang) (*monteCarloResult, error) {
	b, err := batch.Run(ctx, s, batch.Options{Runs: MonteCarloRuns, Workers: monteCarloWorkers, FirstSeed: 1})
	if err != nil {
		return nil, err
	}
	res := &monteCarloResult{Runs: b.Runs, Objectives: []monteCarloObjective{}}
	var achieved []float64
	for _, o := range b.Objectives {
		text := o.Text
		if obj, ok := s.Objective(o.Objective); ok {
			text = obj.TextIn(string(lang))
		}
		res.Objectives = append(res.Objectives, monteCarloObjective{ID: o.Objective, Text: text, Capability: o.Capability, Achieved: o.Achieved})
		achieved = append(achieved, o.Achieved)
	}
	res.Difficulty = string(scenarios.DifficultyFor(achieved))
	return res, nil
}

// libraryEntry describes a bundled scenario.
type libraryEntry struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// TitleLang is the language Title is in: the one asked for when the
	// scenario translates its title into it, else the scenario's own.
	TitleLang string   `json:"title_lang"`
	Teams     []string `json:"teams"`
	Injects   int      `json:"injects"`
	Duration  string   `json:"duration"`
	// Facts are the tags and derived facts the browser filters by.
	Facts libraryFacts `json:"facts"`
}

func (lb *library) handleLibrary(w http.ResponseWriter, r *http.Request) {
	lang := string(requestLang(r))
	out := []libraryEntry{}
	for _, name := range scenarios.Library() {
		scn, _ := scenarios.LoadLibrary(name)
		if scn == nil {
			continue
		}
		e := libraryEntry{Name: name, Injects: len(scn.Injects), Duration: scn.Exercise.Duration.String(), Facts: factsOf(scn)}
		e.Title, e.TitleLang = titleIn(scn, lang)
		for _, t := range scn.Teams {
			e.Teams = append(e.Teams, t.ID)
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, out)
}
