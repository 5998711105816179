package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cmesim/engine"
)

// The AAR/IP in the report. The builder drafts strengths, areas for
// improvement and an improvement plan from the data (findings.go) and
// numbers them (S1…, A1…, P1…). Once the lead evaluator has edited the
// AAR/IP (engine/aar.go), the report shows the latest edited document
// instead, marked as edited, unless Options.Draft asks for the draft.

// AAREdit says who edited the report's AAR/IP, and when.
type AAREdit struct {
	// By is the lead evaluator's name; Date the calendar date of the edit
	// (YYYY-MM-DD, "" when the log does not say); Seq the aar.edited event.
	By   string `json:"by"`
	Date string `json:"date,omitempty"`
	Seq  uint64 `json:"seq"`
}

// numberAAR gives the drafted findings and plan items their ids, in
// report order, and points each plan item at its area's new id.
func (b *builder) numberAAR() {
	r := b.r
	for i := range r.Strengths {
		r.Strengths[i].ID = fmt.Sprintf("S%d", i+1)
	}
	ids := map[string]string{}
	for i := range r.Improvements {
		f := &r.Improvements[i]
		id := fmt.Sprintf("A%d", i+1)
		ids[f.ID], f.ID = id, id
	}
	for i := range r.Plan {
		p := &r.Plan[i]
		p.ID, p.AreaID = fmt.Sprintf("P%d", i+1), ids[p.AreaID]
	}
}

// editedAAR replaces the drafted AAR/IP with the lead evaluator's latest
// edit, when there is one and the draft was not asked for.
func (b *builder) editedAAR(draft bool) {
	a := &b.st.AARState
	if draft || a.AAR == nil {
		return
	}
	d := a.AAR
	r := b.r
	by := a.AARBy
	if _, name, ok := strings.Cut(by, ":"); ok {
		by = name
	}
	r.AAREdited = &AAREdit{By: by, Date: d.Edited, Seq: a.AARSeq}
	r.Strengths = make([]Finding, len(d.Strengths))
	for i, f := range d.Strengths {
		r.Strengths[i] = b.editedFinding(f)
	}
	r.Improvements = make([]Finding, len(d.Improvements))
	areas := map[string]*Finding{}
	for i, f := range d.Improvements {
		r.Improvements[i] = b.editedFinding(f)
		areas[f.ID] = &r.Improvements[i]
	}
	r.Plan = make([]PlanItem, len(d.Plan))
	for i, c := range d.Plan {
		p := PlanItem{ID: c.ID, AreaID: c.Area, Recommendation: c.Action, Responsible: []string{c.Organisation},
			Organisation: c.Organisation, Contact: c.Contact, Start: c.Start, Completion: c.Completion, Status: c.Status}
		p.Objective, p.Capability = b.capabilityOf(c.Capability)
		if f := areas[c.Area]; f != nil {
			p.Area, p.Priority = f.Text, f.Priority
		}
		r.Plan[i] = p
	}
}

// editedFinding is an edited strength or area for improvement as a
// finding of the report.
func (b *builder) editedFinding(f engine.AARFinding) Finding {
	out := Finding{Kind: "edited", ID: f.ID, Text: f.Text, Teams: slices.Clone(f.Teams), Priority: Priority(f.Priority)}
	out.Objective, out.Capability = b.capabilityOf(f.Capability)
	return out
}

// capabilityOf splits an edited capability, an objective id or a core
// capability, into the objective and its capability.
func (b *builder) capabilityOf(c string) (objective, capability string) {
	if o, ok := b.s.Objective(c); ok {
		return o.ID, string(o.Capability)
	}
	return "", c
}

// DraftAAR turns a report's AAR/IP into the document the lead evaluator's
// editor starts from: its strengths, areas for improvement and plan, each
// plan item answering its area, responsible the first of its teams that
// is one of orgs (the exercise's real organisations), not started, from
// today for three months.
func DraftAAR(r *Report, orgs []string, today time.Time) engine.AARDocument {
	d := engine.AARDocument{Strengths: []engine.AARFinding{}, Improvements: []engine.AARFinding{}, Plan: []engine.CorrectiveAction{}}
	for _, f := range r.Strengths {
		d.Strengths = append(d.Strengths, draftFinding(f, ""))
	}
	for _, f := range r.Improvements {
		d.Improvements = append(d.Improvements, draftFinding(f, string(f.Priority)))
	}
	start := today.UTC().Format(time.DateOnly)
	end := today.UTC().AddDate(0, 3, 0).Format(time.DateOnly)
	for _, p := range r.Plan {
		c := engine.CorrectiveAction{ID: p.ID, Capability: p.Capability, Area: p.AreaID, Action: p.Recommendation,
			Organisation: p.Organisation, Contact: p.Contact, Start: p.Start, Completion: p.Completion, Status: p.Status}
		if p.Objective != "" {
			c.Capability = p.Objective
		}
		if c.Organisation == "" {
			if i := slices.IndexFunc(p.Responsible, func(t string) bool { return slices.Contains(orgs, t) }); i >= 0 {
				c.Organisation = p.Responsible[i]
			}
		}
		if c.Start == "" {
			c.Start, c.Completion = start, end
		}
		if c.Status == "" {
			c.Status = engine.AARNotStarted
		}
		d.Plan = append(d.Plan, c)
	}
	return d
}

func draftFinding(f Finding, priority string) engine.AARFinding {
	c := f.Capability
	if f.Objective != "" {
		c = f.Objective
	}
	return engine.AARFinding{ID: f.ID, Text: f.Text, Capability: c, Priority: priority, Teams: slices.Clone(f.Teams)}
}

// aarLine says what an aar.edited event records, in a line of the log.
func (l loc) aarLine(e *engine.Event) string {
	c := e.Data.Command
	if c == nil || c.AAR == nil {
		return l.t("aar.report.log", "strengths", 0, "areas", 0, "actions", 0)
	}
	return l.t("aar.report.log", "strengths", len(c.AAR.Strengths), "areas", len(c.AAR.Improvements), "actions", len(c.AAR.Plan))
}
