package report_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/report"
)

// commReport plays the example scenario with both teams human: colCERT
// escalates to two ministries, asks PeCERT twice for information (once at
// a more open TLP than the inject), PeCERT answers the first request, and
// the SimCell answers the first escalation.
func commReport(t *testing.T) *report.Report {
	t.Helper()
	s := MustLoad(t, exampleFile)
	x, err := engine.New(s, engine.Options{Seed: 1, Humans: []string{"co-csirt", "pe-csirt"}})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(at time.Duration, c engine.Command) []engine.Event {
		t.Helper()
		evs, err := x.ApplyAt(at, c)
		if err != nil {
			t.Fatalf("%s at %v: %v", c.Type, at, err)
		}
		return evs
	}
	apply(0, Facilitator(engine.CmdStart))
	esc := Trainee("co-csirt", engine.CmdEscalate, "I01")
	esc.Target, esc.Text = "mintic", "Please decide on blocking."
	item := apply(11*time.Minute, esc)[0].Seq
	rfi := Trainee("co-csirt", engine.CmdRequestInfo, "I01")
	rfi.Target, rfi.TLP, rfi.Text = "pe-csirt", "green", "Seen this sender?"
	thread := apply(12*time.Minute, rfi)[1].Seq
	reply := Trainee("pe-csirt", engine.CmdReply, "")
	reply.Message, reply.Text = thread, "Yes, blocked."
	apply(14*time.Minute, reply)
	msg := Trainee("co-csirt", engine.CmdMessage, "")
	msg.Kind, msg.Peers, msg.TLP, msg.Text = engine.KindRFI, []string{"pe-csirt"}, "amber", "Any C2 addresses?"
	apply(15*time.Minute, msg)
	answer := Facilitator(engine.CmdSimCellAnswer)
	answer.Message, answer.Kind = item, "message"
	apply(20*time.Minute, answer)
	esc2 := Trainee("co-csirt", engine.CmdEscalate, "I01")
	esc2.Target, esc2.Text = "minfin-co", "Your mailboxes are targeted."
	apply(30*time.Minute, esc2)
	if err := x.RunToEnd(); err != nil {
		t.Fatal(err)
	}
	return MustBuild(t, s, x.Events(), nil)
}

func TestCommunication_Section(t *testing.T) {
	c := commReport(t).Communication
	type link struct {
		from, to                        string
		messages, rfis, esc, violations int
	}
	var got []link
	for _, l := range c.Links {
		got = append(got, link{l.From, l.To, l.Messages, l.RFIs, l.Escalations, l.Violations})
	}
	want := []link{
		{"co-csirt", "pe-csirt", 0, 2, 0, 1},
		{"co-csirt", "minfin-co", 0, 0, 1, 0},
		{"co-csirt", "mintic", 0, 0, 1, 0},
		{"pe-csirt", "co-csirt", 1, 0, 0, 0},
		{"mintic", "co-csirt", 1, 0, 0, 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("links\n got %+v\nwant %+v", got, want)
	}
	if len(c.RFIs) != 1 || c.RFIs[0].Team != "pe-csirt" || c.RFIs[0].Received != 2 || c.RFIs[0].Answered != 1 || c.RFIs[0].Mean.D() != 2*time.Minute {
		t.Errorf("RFI times = %+v", c.RFIs)
	}
	if c.UnansweredRFIs != 1 || c.UnansweredSimCell != 1 {
		t.Errorf("unanswered: %d requests, %d SimCell items; want 1 and 1", c.UnansweredRFIs, c.UnansweredSimCell)
	}
	sc := c.SimCell
	if sc.Opened != 2 || sc.Answered != 1 || sc.Mean.D() != 9*time.Minute || sc.Bucket.D() != 10*time.Minute {
		t.Errorf("SimCell load = %+v", sc)
	}
	wantBuckets := []report.LoadBucket{{Start: 0}, {Start: report.Duration(10 * time.Minute), Opened: 1},
		{Start: report.Duration(20 * time.Minute), Answered: 1}, {Start: report.Duration(30 * time.Minute), Opened: 1}}
	if !slices.Equal(sc.Buckets, wantBuckets) {
		t.Errorf("buckets = %+v, want %+v", sc.Buckets, wantBuckets)
	}
	if !slices.Equal(c.Violations, []report.TeamCount{{Team: "co-csirt", Count: 1}}) {
		t.Errorf("violations = %+v", c.Violations)
	}
	if c.ActorNames["mintic"] != "Ministry of ICT" {
		t.Errorf("actor names = %v", c.ActorNames)
	}
}

func TestCommunication_Rendered(t *testing.T) {
	r := commReport(t)
	html := string(RenderHTML(t, r))
	for _, want := range []string{`<section id="communication">`, `aria-label="Who talked to whom`, "mintic — Ministry of ICT", "Left unanswered: 1 requests for information to teams, 1 SimCell items.",
		"the SimCell answered 1 (mean time to answer 0:09:00, longest 0:09:00)", "co-csirt: 1 message more open than what it carried"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Communication", "| " + r.Names["co-csirt"] + " | " + r.Names["mintic"] + " | 0 | 0 | 1 | 0 |", "| " + r.Names["pe-csirt"] + " | 2 | 1 | 0:02:00 | 0:02:00 |", "| T+0:20:00 | 0 | 1 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	back, err := report.ReadJSON(&js)
	if err != nil {
		t.Fatal(err)
	}
	if back.Communication.SimCell.Answered != 1 || len(back.Communication.Links) != 5 {
		t.Errorf("the JSON report reads back as %+v", back.Communication)
	}
}
