package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"cmesim/engine"
	"cmesim/internal/i18n"
	"cmesim/report"
)

// appendixPageEvents is how many events one page of the report's appendix
// holds (GET …/report/appendix?page=N).
const appendixPageEvents = 10_000

// durableLog returns the exercise's log as far as it is durable, without
// copying it: the engine only ever appends to its log and never changes an
// event once logged, so the events before the length read here stay as
// they are while the runner goes on appending after them.
func (le *liveExercise) durableLog(ctx context.Context) ([]engine.Event, error) {
	var events []engine.Event
	err := le.inspect(ctx, func(x *engine.Exercise) { events = x.Events() })
	if err != nil && le.ended() {
		// The runner has stopped (the exercise ended): its log is final.
		events, err = le.x.Events(), nil
	}
	if err != nil {
		return nil, err
	}
	n := min(len(events), int(le.fan.deliveredSeq()))
	return events[:n:n], nil
}

// report builds the report of the exercise's durable log, one event at a
// time: what it holds beside the log does not grow with the log's length.
func (le *liveExercise) report(ctx context.Context, opts report.Options) (*report.Report, error) {
	events, err := le.durableLog(ctx)
	if err != nil {
		return nil, err
	}
	bd, err := report.NewBuilder(le.scn, opts)
	if err != nil {
		return nil, err
	}
	for i := range events {
		if err := bd.Add(&events[i]); err != nil {
			return nil, err
		}
	}
	return bd.Report()
}

// appendixPath is the link a report gives to its appendix.
func appendixPath(exercise string, lang i18n.Lang) string {
	return "/api/exercises/" + url.PathEscape(exercise) + "/report/appendix?lang=" + url.QueryEscape(string(lang))
}

// handleReportAppendix answers the report's appendix: the exercise's whole
// durable log as CSV, one row per event with its whole text (see
// report.AppendixWriter), written as it is read, so its size costs the
// server no memory. ?page=N (from 1) answers the N-th page of
// appendixPageEvents events instead, with a Link header to the next page.
// Readers who may not read the evaluators' notes get no note rows.
func (rp *reports) handleReportAppendix(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	if !sess.IsStaff() {
		writeError(w, rp.log, engine.Errorf(engine.CodeForbidden, "the report is for facilitators, evaluators and observers"))
		return
	}
	page := 0
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, rp.log, engine.Errorf(engine.CodeInvalid, "page must be a number from 1"))
			return
		}
		page = n
	}
	events, err := le.durableLog(r.Context())
	if err != nil {
		writeError(w, rp.log, err)
		return
	}
	lang, notes := requestLang(r), mayReadNotes(sess, le.scn)
	name := le.scn.Exercise.ID + "-events.csv"
	if page > 0 {
		first := min(len(events), (page-1)*appendixPageEvents)
		last := min(len(events), first+appendixPageEvents)
		if last < len(events) {
			next := *r.URL
			q := next.Query()
			q.Set("page", strconv.Itoa(page+1))
			next.RawQuery = q.Encode()
			w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next.String()))
		}
		events = events[first:last]
		name = fmt.Sprintf("%s-events-%d.csv", le.scn.Exercise.ID, page)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	aw, err := report.NewAppendixWriter(w, lang, le.scn)
	if err != nil {
		return // the client went away
	}
	for i := range events {
		e := &events[i]
		if !notes && e.Type == engine.EventNote {
			continue
		}
		if aw.Add(e) != nil || r.Context().Err() != nil {
			return
		}
	}
	if err := aw.Flush(); err != nil {
		rp.log.Debug().Err(err).Str("exercise", le.id).Msg("report appendix: the client went away")
	}
}
