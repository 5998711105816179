package web

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/report"
	"cmesim/scenarios"
)

// The AAR/IP editor's and exports' routes: the document the lead
// evaluator edits (GET /api/exercises/{id}/aar), the improvement plan as
// XLSX and CSV for staff, and the team-scoped report a team's trainees
// read after the end. The edits themselves are aar_edit commands.

// aarView is what the AAR/IP editor starts from.
type aarView struct {
	// Ended says the exercise has ended: only then can the AAR/IP be
	// edited.
	Ended bool `json:"ended"`
	// Document is the latest edit, or the draft derived from the data
	// when Edited is false.
	Document engine.AARDocument `json:"document"`
	Edited   bool               `json:"edited"`
	EditedBy string             `json:"edited_by,omitempty"`
	// Draft is the draft derived from the data, to start again from.
	Draft engine.AARDocument `json:"draft"`
	// Organisations are the real organisations a corrective action may
	// name: teams people played, then the scenario's actors.
	Organisations []aarOption `json:"organisations"`
	// Objectives and Capabilities are what a capability may be.
	Objectives   []aarOption `json:"objectives"`
	Capabilities []aarOption `json:"capabilities"`
	Statuses     []string    `json:"statuses"`
}

// aarOption is one choice of the editor's lists.
type aarOption struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// handleAAR answers the AAR/IP editor's starting point, for staff.
func (rp *reports) handleAAR(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	if !sess.IsStaff() {
		writeError(w, rp.log, engine.Errorf(engine.CodeForbidden, "the after-action report is for facilitators, evaluators and observers"))
		return
	}
	lang := requestLang(r)
	rep, err := le.report(r.Context(), report.Options{Lang: lang, Draft: true})
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	events, err := le.durableLog(r.Context())
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	st, err := engine.Fold(le.scn, events)
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	orgs := st.Organisations(le.scn)
	v := aarView{Ended: st.Status == engine.StatusEnded, Draft: report.DraftAAR(rep, orgs, time.Now()), Statuses: engine.AARStatuses}
	v.Document = v.Draft
	if st.AAR != nil {
		v.Document, v.Edited, v.EditedBy = *st.AAR, true, st.AARBy
	}
	for _, id := range orgs {
		v.Organisations = append(v.Organisations, aarOption{ID: id, Name: le.scn.PartyName(id, string(lang))})
	}
	for _, o := range le.scn.Exercise.Objectives {
		v.Objectives = append(v.Objectives, aarOption{ID: o.ID, Name: o.TextIn(string(lang))})
	}
	for _, c := range scenarios.Capabilities.Values() {
		v.Capabilities = append(v.Capabilities, aarOption{ID: c, Name: i18n.T(lang, "capability."+c)})
	}
	writeJSON(w, http.StatusOK, v)
}

// handlePlanExport answers the improvement plan as XLSX or CSV, for
// staff, in the reader's language.
func (rp *reports) handlePlanExport(format string) func(http.ResponseWriter, *http.Request, *Session, *liveExercise) {
	return func(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
		if !sess.IsStaff() {
			writeError(w, rp.log, engine.Errorf(engine.CodeForbidden, "the improvement plan is for facilitators, evaluators and observers"))
			return
		}
		rep, err := le.report(r.Context(), report.Options{Lang: requestLang(r)})
		if err != nil {
			writeError(w, rp.log, err)
			return
		}
		var buf bytes.Buffer
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			err = rep.WritePlanXLSX(&buf)
		} else {
			err = rep.WritePlanCSV(&buf)
		}
		if err != nil {
			writeError(w, rp.log, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-improvement-plan.%s"`, le.scn.Exercise.ID, format))
		w.Write(buf.Bytes())
	}
}

// handleTeamReport answers a team's own report: a trainee's team once the
// exercise has ended, or for staff the team ?team= names. ?format= is
// html (the default), md or json.
func (rp *reports) handleTeamReport(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	team := sess.Team
	if sess.IsStaff() {
		team = r.URL.Query().Get("team")
	} else if sess.Role != engine.RoleTrainee {
		writeError(w, rp.log, engine.Errorf(engine.CodeForbidden, "the team report is for the exercise's teams and staff"))
		return
	}
	if le.scn.TeamIndex(team) < 0 {
		writeError(w, rp.log, engine.Errorf(engine.CodeNotFound, "no team %q in this exercise", truncate(team, 40)))
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	ctype, ext, ok := reportFormat(format)
	if !ok || format == "csv" {
		writeError(w, rp.log, engine.Errorf(engine.CodeInvalid, "unknown format %q: use html, md or json", truncate(format, 20)))
		return
	}
	rep, err := le.report(r.Context(), report.Options{Lang: requestLang(r), Team: team, RunStart: le.created})
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	if !sess.IsStaff() && !rep.Exercise.Ended {
		writeError(w, rp.log, engine.Errorf(engine.CodeConflict, "the team report opens when the exercise ends"))
		return
	}
	var buf bytes.Buffer
	switch format {
	case "html":
		err = rep.WriteHTML(&buf)
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	case "md":
		err = rep.WriteMarkdown(&buf)
	default:
		err = rep.WriteJSON(&buf)
	}
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%s-report.%s"`, le.scn.Exercise.ID, team, ext))
	w.Write(buf.Bytes())
}
