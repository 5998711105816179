package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/report"
)

// reports serves what an exercise leaves behind: the exercise report and
// its appendix, the after-action report and its improvement plan, a team's
// report and its debrief.
type reports struct {
	log zerolog.Logger
	// ctx ends when the server closes.
	ctx context.Context
	// builds caps the report builds running at once.
	builds *reportBuilds
}

func (rp *reports) handleReport(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	if !sess.IsStaff() {
		writeError(w, rp.log, engine.Errorf(engine.CodeForbidden, "the report is for facilitators, evaluators and observers"))
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	ctype, ext, ok := reportFormat(format)
	if !ok {
		writeError(w, rp.log, engine.Errorf(engine.CodeInvalid, "unknown format %q: use html, md, json or csv", format))
		return
	}
	// One build at a time per exercise, format, view (with the evaluators'
	// notes or without) and language, shared by whoever asks meanwhile, and
	// a few builds at most in all.
	notes, lang := mayReadNotes(sess, le.scn), requestLang(r)
	key := fmt.Sprintf("%s\x00%s\x00%t\x00%s", le.id, format, notes, lang)
	appendix := appendixPath(le.id, lang)
	body, err := rp.builds.build(r.Context(), key, func() ([]byte, error) { return rp.buildReport(le, format, notes, lang, appendix) })
	if errors.Is(err, errReportsBusy) {
		setRetryAfter(w, 5*time.Second)
		writeError(w, rp.log, engine.Errorf(codeUnavailable, "the server is building other reports; try again in a few seconds"))
		return
	}
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-report.%s"`, le.scn.Exercise.ID, ext))
	if format == "html" {
		// The report styles itself inline; it runs no script.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	}
	w.Write(body)
}

// reportFormat returns the content type and file extension of a report
// format.
func reportFormat(format string) (ctype, ext string, ok bool) {
	switch format {
	case "html":
		return "text/html; charset=utf-8", "html", true
	case "md":
		return "text/markdown; charset=utf-8", "md", true
	case "json":
		return "application/json; charset=utf-8", "json", true
	case "csv":
		return "text/csv; charset=utf-8", "csv", true
	}
	return "", "", false
}

// buildReport renders the report of an exercise's durable log, with the
// evaluators' notes or without, in language lang; appendix is the link to
// the whole log the report gives when it inlines only an excerpt.
func (rp *reports) buildReport(le *liveExercise, format string, notes bool, lang i18n.Lang, appendix string) ([]byte, error) {
	rep, err := le.report(rp.ctx, report.Options{Lang: lang, Appendix: appendix, RunStart: le.created})
	if err != nil {
		return nil, err
	}
	if !notes {
		rep = rep.WithoutNotes()
	}
	var buf bytes.Buffer
	switch format {
	case "html":
		err = rep.WriteHTML(&buf)
	case "md":
		err = rep.WriteMarkdown(&buf)
	case "json":
		err = rep.WriteJSON(&buf)
	default:
		err = rep.WriteCSV(&buf)
	}
	return buf.Bytes(), err
}
