package web

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/scenarios"
)

// routes lists the whole HTTP API in one place (see docs/protocol.md).
func (s *Server) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.storage.handleReady)
	mux.HandleFunc("GET /metrics", s.handleMetrics)

	mux.HandleFunc("POST /api/admin/login", s.auth.handleAdminLogin)
	mux.HandleFunc("GET /api/library", s.auth.admin(s.library.handleLibrary))
	mux.HandleFunc("GET /api/library/{name}/preview", s.auth.admin(s.library.handleLibraryPreview))
	mux.HandleFunc("POST /api/admin/import", s.auth.admin(s.library.handleImport))
	mux.HandleFunc("POST /api/admin/montecarlo", s.auth.admin(s.library.handleMonteCarlo))
	mux.HandleFunc("GET /api/exercises", s.auth.admin(s.handleListExercises))
	mux.HandleFunc("POST /api/exercises", s.auth.admin(s.handleCreateExercise))

	mux.HandleFunc("POST /api/join", s.auth.handleJoin)
	mux.HandleFunc("GET /api/session", s.auth.session(s.auth.handleSession))
	mux.HandleFunc("POST /api/logout", s.auth.handleLogout)
	mux.HandleFunc("GET /api/exercises/{id}", s.auth.member(s.handleExercise))
	mux.HandleFunc("GET /api/exercises/{id}/report", s.auth.member(s.reports.handleReport))
	mux.HandleFunc("GET /api/exercises/{id}/report/appendix", s.auth.member(s.reports.handleReportAppendix))
	mux.HandleFunc("GET /api/exercises/{id}/events", s.auth.member(s.handleHistory))
	mux.HandleFunc("GET /api/exercises/{id}/ws", s.auth.member(s.handleWS))
	mux.HandleFunc("POST /api/exercises/{id}/commands", s.auth.member(s.handleCommand))
	mux.HandleFunc("GET /api/exercises/{id}/codes", s.auth.codeKeeper(s.auth.handleCodes))
	mux.HandleFunc("GET /api/exercises/{id}/qr/{who}", s.auth.codeKeeper(s.auth.handleJoinQR))
	mux.HandleFunc("GET /api/exercises/{id}/debrief", s.auth.member(s.reports.handleDebrief))
	mux.HandleFunc("GET /api/exercises/{id}/aar", s.auth.member(s.reports.handleAAR))
	mux.HandleFunc("GET /api/exercises/{id}/improvement-plan.xlsx", s.auth.member(s.reports.handlePlanExport("xlsx")))
	mux.HandleFunc("GET /api/exercises/{id}/improvement-plan.csv", s.auth.member(s.reports.handlePlanExport("csv")))
	mux.HandleFunc("GET /api/exercises/{id}/team-report", s.auth.member(s.reports.handleTeamReport))
	mux.HandleFunc("GET /api/exercises/{id}/injects/{inject}/attachments/{n}", s.auth.member(s.handleAttachment))

	mux.HandleFunc("GET /i18n/{file}", s.handleCatalog)
	mux.Handle("GET /", uiHandler())
	s.mux = mux
	s.handler = s.securityHeaders(s.sameOrigin(mux))
}

// securityHeaders sets the headers every response carries, and HSTS over
// TLS.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.TLS != nil || s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// apiError is the JSON error body.
type apiError struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Problems []string `json:"problems,omitempty"`
}

// writeError answers with an error; internal details go to log only.
func writeError(w http.ResponseWriter, log zerolog.Logger, err error) {
	var e *engine.Error
	var pe *ProblemsError
	body := apiError{Code: string(engine.CodeInternal), Message: "internal error"}
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &pe):
		body = apiError{Code: string(engine.CodeInvalid), Message: pe.Error()}
		for _, p := range pe.Problems {
			body.Problems = append(body.Problems, p.String())
		}
		status = http.StatusBadRequest
	case errors.As(err, &e):
		body = apiError{Code: string(e.Code), Message: e.Message}
		status = statusOf(e.Code)
	default:
		log.Error().Err(err).Msg("request failed")
	}
	writeJSON(w, status, map[string]apiError{"error": body})
}

// Error codes of the HTTP layer that the engine does not have.
const (
	codeUnauthorized = "unauthorized"
	codeUnsupported  = "unsupported_media_type"
)

func statusOf(code engine.ErrorCode) int {
	switch code {
	case engine.CodeInvalid:
		return http.StatusBadRequest
	case engine.CodeNotFound:
		return http.StatusNotFound
	case engine.CodeForbidden:
		return http.StatusForbidden
	case engine.CodeConflict:
		return http.StatusConflict
	case codeUnauthorized:
		return http.StatusUnauthorized
	case codeTooMany, codeQuota:
		return http.StatusTooManyRequests
	case codeUnsupported:
		return http.StatusUnsupportedMediaType
	case codeUnavailable:
		return http.StatusServiceUnavailable
	case codeNotStored:
		// Applied, to be stored: accepted, not completed, and not to be
		// sent again (a 503 would invite that).
		return http.StatusAccepted
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// readJSON decodes a request body strictly, within limit bytes.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return engine.Errorf(engine.CodeInvalid, "send JSON (Content-Type: application/json)")
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	defer drain(body)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return engine.Errorf(engine.CodeInvalid, "the request body is larger than %d bytes", limit)
		}
		return engine.Errorf(engine.CodeInvalid, "malformed request: %s", jsonProblem(err))
	}
	if dec.More() {
		return engine.Errorf(engine.CodeInvalid, "malformed request: more than one JSON value")
	}
	return nil
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) handleMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var owned, following int64
	for _, le := range s.exercises.all() {
		if le.remote != nil {
			following++
		} else {
			owned++
		}
	}
	s.metrics.write(w, owned, following)
}

func (s *Server) handleListExercises(w http.ResponseWriter, r *http.Request) {
	list, lang := s.Exercises(r.Context()), string(requestLang(r))
	for i := range list {
		s.localizeInfo(&list[i], lang)
	}
	writeJSON(w, http.StatusOK, list)
}

// localizeInfo puts an exercise's title and team names in lang where its
// scenario translates them, and says which language the title is in.
func (s *Server) localizeInfo(info *ExerciseInfo, lang string) {
	le, ok := s.exercises.get(info.ID)
	if !ok {
		return
	}
	info.Title, info.TitleLang = titleIn(le.scn, lang)
	for id := range info.TeamNames {
		info.TeamNames[id] = le.scn.PartyName(id, lang)
	}
}

// Exercises lists the server's exercises in creation order, with their
// status and codes.
func (s *Server) Exercises(ctx context.Context) []ExerciseInfo {
	out := []ExerciseInfo{}
	for _, id := range s.exercises.ids() {
		if info, damaged := s.exercises.damagedInfo(id); damaged {
			out = append(out, info)
			continue
		}
		le, ok := s.exercises.get(id)
		if !ok {
			continue
		}
		info := ExerciseInfo{ID: id, Title: le.scn.Exercise.Title, Created: le.created, Codes: le.codes, TeamNames: teamNames(le.scn)}
		le.inspect(ctx, func(x *engine.Exercise) {
			info.Status = x.State().Status
			now := le.now(x)
			info.Now = &now
		})
		if info.Status == "" && le.ended() {
			info.Status = engine.StatusEnded
			now := le.x.Now()
			info.Now = &now
		} else if info.Status == "" {
			info.Status = engine.StatusEnded
		}
		out = append(out, info)
	}
	return out
}

func (s *Server) handleCreateExercise(w http.ResponseWriter, r *http.Request) {
	var req CreateRequest
	if err := readJSON(w, r, MaxScenarioUpload+maxJSONBody, &req); err != nil {
		writeError(w, s.log, err)
		return
	}
	info, err := s.CreateExercise(req)
	if err != nil {
		writeError(w, s.log, err)
		return
	}
	s.localizeInfo(info, string(requestLang(r)))
	writeJSON(w, http.StatusCreated, info)
}

// joinResponse tells the browser who it is now and where to go.
type joinResponse struct {
	Exercise string      `json:"exercise"`
	Role     engine.Role `json:"role"`
	Team     string      `json:"team,omitempty"`
	Name     string      `json:"name"`
	Page     string      `json:"page"`
}

func pageFor(role engine.Role) string {
	switch role {
	case engine.RoleFacilitator:
		return "/facilitator.html"
	case engine.RoleTrainee:
		return "/trainee.html"
	case RoleAdmin:
		return "/admin.html"
	}
	return "/observer.html"
}

// exerciseView is an exercise as one role may see it.
type exerciseView struct {
	ID          string        `json:"id"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Duration    time.Duration `json:"duration"`
	StartTime   string        `json:"start_time,omitempty"`
	// StartConditions is the situation at T+0, the trainees' briefing.
	StartConditions string          `json:"start_conditions,omitempty"`
	Languages       []string        `json:"languages,omitempty"`
	Objectives      []objectiveView `json:"objectives"`
	Teams           []teamView      `json:"teams"`
	Groups          []groupView     `json:"groups"`
	Actors          []actorView     `json:"actors"`
	Incidents       []groupView     `json:"incidents"`
	You             youInfo         `json:"you"`
	Peers           []peerView      `json:"peers,omitempty"`
	MSEL            []mselEntry     `json:"msel,omitempty"`
	// PlayerView says how much trainees see of expectations, and Taxonomy
	// is what a classification may choose from.
	PlayerView scenarios.PlayerView `json:"player_view"`
	Taxonomy   *taxonomyView        `json:"taxonomy"`

	// Language is the language the scenario's texts are written in (the
	// original a participant may switch back to); empty means English.
	Language string `json:"language,omitempty"`
	// Names holds the display names of teams, actors and groups in the
	// declared languages where the scenario translates them: id → language
	// → name.
	Names map[string]map[string]string `json:"names,omitempty"`
	// Translations holds the exercise's own texts in each declared
	// language the scenario translates them into.
	Translations map[string]exerciseTexts `json:"translations,omitempty"`
	// HotWash holds the hot wash questions: the scenario's own, or the
	// default ones, whose texts are in the catalogs (hotwash.go).
	HotWash []hotWashQuestionView `json:"hot_wash,omitempty"`
	// CriticalTasks are the objectives' critical tasks, for staff (eeg.go).
	CriticalTasks map[string][]criticalTaskView `json:"critical_tasks,omitempty"`
}

// exerciseTexts are an exercise's title, description, start conditions,
// objective texts and incident titles in one language: those the scenario
// translates, none that it leaves as written.
type exerciseTexts struct {
	Title           string            `json:"title"`
	Description     string            `json:"description,omitempty"`
	StartConditions string            `json:"start_conditions,omitempty"`
	Objectives      map[string]string `json:"objectives,omitempty"`
	Incidents       map[string]string `json:"incidents,omitempty"`
}

type objectiveView struct {
	ID         string `json:"id"`
	Text       string `json:"text"`
	Capability string `json:"capability"`
}

type teamView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Country  string `json:"country"`
	Sector   string `json:"sector"`
	TimeZone string `json:"timezone,omitempty"`
}

type groupView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type actorView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type peerView struct {
	Team string   `json:"team"`
	Name string   `json:"name"`
	TLP  []string `json:"tlp"`
}

type mselEntry struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Titles holds the title in each declared language the scenario
	// translates it into.
	Titles   map[string]string `json:"titles,omitempty"`
	At       *time.Duration    `json:"at"`
	Trigger  *triggerView      `json:"trigger,omitempty"`
	To       []string          `json:"to"`
	Channel  string            `json:"channel"`
	Severity string            `json:"severity"`
	// ControllerNotes are for staff (the MSEL is staff-only).
	ControllerNotes string `json:"controller_notes,omitempty"`
	// Judged lists the inject's judged expectations (judge.go).
	Judged []string `json:"judged,omitempty"`
	// Expectations are the inject's expectations by id and action, for
	// the consoles to name them.
	Expectations []mselExpectation `json:"expectations,omitempty"`
	// Files are the inject's attached files, which staff may open before
	// the inject is delivered.
	Files []attachmentView `json:"files,omitempty"`
}

// mselExpectation is an expectation of an MSEL entry.
type mselExpectation struct {
	ID     string           `json:"id"`
	Action scenarios.Action `json:"action"`
}

// mselExpectations lists in's expectations by id and action.
func mselExpectations(in *scenarios.Inject) []mselExpectation {
	var out []mselExpectation
	for _, e := range in.Expectations {
		out = append(out, mselExpectation{ID: e.ID, Action: e.Action})
	}
	return out
}

// translatedNames returns the names of the teams, actors and groups that
// differ by language, in every declared language: id → language → name.
func translatedNames(scn *scenarios.Scenario) map[string]map[string]string {
	var out map[string]map[string]string
	for _, id := range scn.TranslatedPartyIDs() {
		names := map[string]string{}
		for _, lang := range scn.TranslationLanguages() {
			names[lang] = scn.PartyName(id, lang)
		}
		if out == nil {
			out = map[string]map[string]string{}
		}
		out[id] = names
	}
	return out
}

// translated returns a translation, or "" for a blank one (the scenario
// leaves that text as written).
func translated(text string) string {
	if strings.TrimSpace(text) == "" {
		return ""
	}
	return text
}

// setText sets m[id] to text, making m when it is nil.
func setText(m map[string]string, id, text string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[id] = text
	return m
}

// translatedExercise returns the exercise's texts in every declared
// language the scenario translates its title into.
func translatedExercise(scn *scenarios.Scenario) map[string]exerciseTexts {
	var out map[string]exerciseTexts
	for _, lang := range scn.TranslationLanguages() {
		if _, ok := scn.Exercise.Translations[lang]; !ok {
			continue
		}
		e := scn.Exercise.Translations[lang]
		t := exerciseTexts{Title: translated(e.Title), Description: translated(e.Description), StartConditions: translated(e.StartConditions)}
		for i := range scn.Exercise.Objectives {
			o := &scn.Exercise.Objectives[i]
			if text := translated(o.Translations[lang].Text); text != "" {
				t.Objectives = setText(t.Objectives, o.ID, text)
			}
		}
		for i := range scn.Incidents {
			inc := &scn.Incidents[i]
			if title := translated(inc.Translations[lang].Title); title != "" {
				t.Incidents = setText(t.Incidents, inc.ID, title)
			}
		}
		if out == nil {
			out = map[string]exerciseTexts{}
		}
		out[lang] = t
	}
	return out
}

func (s *Server) handleExercise(w http.ResponseWriter, _ *http.Request, sess *Session, le *liveExercise) {
	scn := le.scn
	v := exerciseView{ID: le.id, Title: scn.Exercise.Title, Description: scn.Exercise.Description, Duration: scn.Exercise.Duration.D(),
		Languages: scn.ContentLanguages(), Language: scn.Exercise.Language, You: youInfo{Role: sess.Role, Team: sess.Team, Name: sess.Name},
		Objectives: []objectiveView{}, Teams: []teamView{}, Groups: []groupView{}, Actors: []actorView{}, Incidents: []groupView{}}
	if !scn.Exercise.StartTime.IsZero() {
		v.StartTime = scn.Exercise.StartTime.Format(time.RFC3339)
	}
	v.StartConditions = scn.Exercise.StartConditions
	v.Names, v.Translations = translatedNames(scn), translatedExercise(scn)
	for _, o := range scn.Exercise.Objectives {
		v.Objectives = append(v.Objectives, objectiveView{o.ID, o.Text, string(o.Capability)})
	}
	for _, t := range scn.Teams {
		v.Teams = append(v.Teams, teamView{t.ID, t.Name, t.Country, t.Sector, t.TimeZone})
	}
	for _, g := range scn.Groups {
		v.Groups = append(v.Groups, groupView{g.ID, g.Name})
	}
	for _, a := range scn.Actors {
		v.Actors = append(v.Actors, actorView{a.ID, a.Name, string(a.Kind)})
	}
	for _, inc := range scn.Incidents {
		v.Incidents = append(v.Incidents, groupView{inc.ID, inc.Title})
	}
	if sess.Role == engine.RoleTrainee {
		for _, t := range scn.Teams {
			if allowed := scn.AllowedTLP(sess.Team, t.ID); len(allowed) > 0 {
				p := peerView{Team: t.ID, Name: t.Name}
				for _, l := range allowed {
					p.TLP = append(p.TLP, string(l))
				}
				v.Peers = append(v.Peers, p)
			}
		}
	}
	if sess.IsStaff() {
		for _, in := range scn.Injects {
			e := mselEntry{ID: in.ID, Title: in.Title, To: in.To, Channel: string(in.Channel), Severity: string(in.Severity), Trigger: describeTrigger(in), ControllerNotes: in.ControllerNotes, Judged: judgedIDs(&in), Expectations: mselExpectations(&in)}
			for _, lang := range scn.TranslationLanguages() {
				if tr, ok := in.Translations[lang]; ok && tr.Title != "" {
					if e.Titles == nil {
						e.Titles = map[string]string{}
					}
					e.Titles[lang] = tr.Title
				}
			}
			for i := range in.Attachments {
				if in.Attachments[i].File != "" {
					e.Files = append(e.Files, le.attachmentView(&in, i, ""))
				}
			}
			if in.At != nil {
				at := in.At.D()
				e.At = &at
			}
			v.MSEL = append(v.MSEL, e)
		}
	}
	v.PlayerView, v.Taxonomy = scn.Exercise.PlayerView, newTaxonomyView(scn)
	v.HotWash = hotWashView(scn)
	v.CriticalTasks = criticalTasksView(scn, sess.IsStaff())
	writeJSON(w, http.StatusOK, v)
}

// triggerView says what releases an inject that has no time of its own,
// for the console to word in the reader's language.
type triggerView struct {
	// Kind is "after" (another inject's delivery), "action" (a team's
	// action), "miss" (an expectation missed), "choice" (a team's choice
	// at a decision point), "consequence" (an inject that a missed
	// expectation or a spread releases) or "facilitator" (released by
	// hand).
	Kind string `json:"kind"`
	// Inject is the inject delivered (after) or acted on (action, when
	// the trigger names one).
	Inject string `json:"inject,omitempty"`
	// Team and Action are the team (none: any team) and the action of an
	// action trigger.
	Team   string `json:"team,omitempty"`
	Action string `json:"action,omitempty"`
	// Expectation is the missed expectation, "I01.share".
	Expectation string `json:"expectation,omitempty"`
	// Choice is the choice that releases the inject, "D1.escalate".
	Choice string `json:"choice,omitempty"`
	// Delay is how long after its trigger the inject comes (ns).
	Delay time.Duration `json:"delay,omitempty"`
}

// describeTrigger says what releases an inject without a time of its own,
// or nil for one with a time.
func describeTrigger(in scenarios.Inject) *triggerView {
	t := in.Trigger
	if t == nil {
		if in.At == nil {
			return &triggerView{Kind: "consequence"}
		}
		return nil
	}
	v := &triggerView{Delay: t.Delay.D()}
	switch {
	case t.After != "":
		v.Kind, v.Inject = "after", t.After
	case t.OnAction != nil:
		v.Kind, v.Team, v.Action, v.Inject = "action", t.OnAction.Team, string(t.OnAction.Action), t.OnAction.Inject
	case t.OnMiss != "":
		v.Kind, v.Expectation = "miss", t.OnMiss
	case t.OnChoice != "":
		v.Kind, v.Choice = "choice", t.OnChoice
	default:
		v.Kind = "facilitator"
	}
	return v
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, s.log, engine.Errorf(engine.CodeInvalid, "since must be a sequence number"))
			return
		}
		since = n
	}
	s.serveWS(w, r, sess, le, since)
}

// uiHandler serves the embedded browser UI, its pages in the reader's
// language (pages.go).
func uiHandler() http.Handler {
	sub, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic("web: embedded UI missing: " + err.Error())
	}
	pages, err := newLocalizedPages(sub)
	if err != nil {
		panic("web: embedded UI pages: " + err.Error())
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !pages.serve(w, r) {
			files.ServeHTTP(w, r)
		}
	})
}
