package engine_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
)

// editedAAR is a valid AAR/IP of the example with co-csirt played by
// people.
func editedAAR() *engine.AARDocument {
	return &engine.AARDocument{
		Edited:       "2026-03-14",
		Strengths:    []engine.AARFinding{{ID: "S1", Text: "Fast escalation to the ministry", Capability: "escalation", Teams: []string{"co-csirt"}}},
		Improvements: []engine.AARFinding{{ID: "A1", Text: "Containment came late", Capability: "O1", Priority: "high"}},
		Plan: []engine.CorrectiveAction{{ID: "P1", Capability: "containment", Area: "A1", Action: "Write a containment playbook",
			Organisation: "co-csirt", Contact: "Ana Gómez <ana@colcert.example>", Start: "2026-04-01", Completion: "2026-06-30", Status: engine.AARInProgress}},
	}
}

func aarEdit(by engine.Principal, d *engine.AARDocument) engine.Command {
	return engine.Command{Type: engine.CmdAAREdit, By: by, AAR: d}
}

// TestAAREdit checks who may edit the AAR/IP and when, that the latest
// edit is the state's, and that a replay reproduces it.
func TestAAREdit(t *testing.T) {
	x, _ := escalated(t)
	if _, err := x.ApplyAt(80*time.Minute, aarEdit(lead, editedAAR())); engine.Code(err) != engine.CodeConflict {
		t.Fatalf("aar_edit before the end: %v, want conflict", err)
	}
	MustApply(t, x, 80*time.Minute, facilitator(engine.CmdEnd))
	for _, by := range []engine.Principal{eva, {Role: engine.RoleTrainee, Team: "co-csirt", Name: "ana"}} {
		if _, err := x.Apply(aarEdit(by, editedAAR())); engine.Code(err) != engine.CodeForbidden {
			t.Errorf("aar_edit by %s: %v, want forbidden", by.Role, err)
		}
	}
	first := MustApply(t, x, 0, aarEdit(lead, editedAAR()))
	if len(first) != 1 || first[0].Type != engine.EventAAREdited || first[0].Audience != nil {
		t.Fatalf("aar_edit caused %+v, want one staff-only aar.edited", first)
	}
	second := editedAAR()
	second.Plan[0].Status = engine.AARCompleted
	second.Strengths = append(second.Strengths, engine.AARFinding{ID: "S2", Text: "Good peer sharing"})
	MustApply(t, x, 0, aarEdit(lead, second))
	st := x.State()
	if !reflect.DeepEqual(st.AAR, second) || st.AARBy != "facilitator:Maria" {
		t.Fatalf("state AAR = %+v by %q, want the second edit by the lead", st.AAR, st.AARBy)
	}

	again, err := engine.Rerun(judgedScenario(t), x.Events(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := engine.MarshalLog(x.Events())
	b, _ := engine.MarshalLog(again.Events())
	if !bytes.Equal(a, b) || !reflect.DeepEqual(again.State().AAR, second) {
		t.Fatal("the replay did not reproduce the edited AAR/IP")
	}
	folded, err := engine.Fold(judgedScenario(t), x.Events())
	if err != nil || !reflect.DeepEqual(folded.AAR, second) {
		t.Fatalf("folding the log gave %+v (%v)", folded.AAR, err)
	}
}

// TestAAREditRefusals checks the coded errors of an invalid AAR/IP.
func TestAAREditRefusals(t *testing.T) {
	x, _ := escalated(t)
	MustApply(t, x, 80*time.Minute, facilitator(engine.CmdEnd))
	cases := map[string]struct {
		change func(d *engine.AARDocument)
		want   string
	}{
		"no document":        {func(d *engine.AARDocument) { *d = engine.AARDocument{} }, ""},
		"simulated team":     {func(d *engine.AARDocument) { d.Plan[0].Organisation = "pe-csirt" }, "not a real organisation"},
		"unknown org":        {func(d *engine.AARDocument) { d.Plan[0].Organisation = "nobody" }, "not a real organisation"},
		"bad start":          {func(d *engine.AARDocument) { d.Plan[0].Start = "01/04/2026" }, "start date"},
		"completion first":   {func(d *engine.AARDocument) { d.Plan[0].Completion = "2026-03-01" }, "before the start date"},
		"bad status":         {func(d *engine.AARDocument) { d.Plan[0].Status = "done" }, "status must be"},
		"unknown area":       {func(d *engine.AARDocument) { d.Plan[0].Area = "A9" }, "not an area for improvement"},
		"unknown capability": {func(d *engine.AARDocument) { d.Plan[0].Capability = "magic" }, "neither an objective"},
		"duplicate id":       {func(d *engine.AARDocument) { d.Improvements[0].ID = "S1" }, "two entries"},
		"empty text":         {func(d *engine.AARDocument) { d.Strengths[0].Text = " " }, "needs a text"},
		"long text":          {func(d *engine.AARDocument) { d.Strengths[0].Text = strings.Repeat("x", engine.MaxAARText+1) }, "longer than"},
		"long contact":       {func(d *engine.AARDocument) { d.Plan[0].Contact = strings.Repeat("x", engine.MaxAARContact+1) }, "longer than"},
		"bad id":             {func(d *engine.AARDocument) { d.Strengths[0].ID = "S 1" }, "letters, digits"},
		"strength priority":  {func(d *engine.AARDocument) { d.Strengths[0].Priority = "high" }, "priority"},
		"unknown team":       {func(d *engine.AARDocument) { d.Strengths[0].Teams = []string{"xx"} }, "unknown team"},
		"bad edit date":      {func(d *engine.AARDocument) { d.Edited = "yesterday" }, "edit date"},
		"too many actions": {func(d *engine.AARDocument) {
			for len(d.Plan) <= engine.MaxAARActions {
				p := d.Plan[0]
				p.ID = fmt.Sprintf("P%d", len(d.Plan)+1)
				d.Plan = append(d.Plan, p)
			}
		}, "more than"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := editedAAR()
			c.change(d)
			if name == "no document" {
				d = nil
			}
			_, err := x.Apply(aarEdit(lead, d))
			if engine.Code(err) != engine.CodeInvalid || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want invalid saying %q", err, c.want)
			}
		})
	}
	if x.State().AAR != nil {
		t.Fatal("a refused edit reached the state")
	}
	// An actor of the scenario is a real organisation, and so is a team
	// handed to people during play.
	d := editedAAR()
	d.Plan[0].Organisation = "mintic"
	MustApply(t, x, 0, aarEdit(lead, d))
}
