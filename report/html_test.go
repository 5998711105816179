package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/report"
)

func TestWriteHTML(t *testing.T) {
	t.Run("Sections", func(t *testing.T) {
		html := string(RenderHTML(t, LibraryReport(t, "grid-ransomware")))
		for _, s := range report.Sections {
			if !strings.Contains(html, `<section id="`+s.ID+`">`) {
				t.Errorf("no section %q", s.ID)
			}
			if !strings.Contains(html, `href="#`+s.ID+`"`) {
				t.Errorf("no link to section %q", s.ID)
			}
		}
		for _, id := range []string{"notes", "team-co-csirt", "objective-O1"} {
			if !strings.Contains(html, `id="`+id+`"`) {
				t.Errorf("no element %q", id)
			}
		}
	})
	t.Run("SelfContained", func(t *testing.T) {
		html := RenderHTML(t, LibraryReport(t, "telecom-supply-chain"))
		if n := bytes.Count(html, []byte("<html")); n != 1 {
			t.Fatalf("%d <html> elements, want 1", n)
		}
		fetch := regexp.MustCompile(`(?i)(src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(https?:)?//`)
		if m := fetch.Find(html); m != nil {
			t.Fatalf("external fetch: %s", m)
		}
		for _, bad := range []string{"<script", "<link", "@import", "url(http", "<iframe", "<img"} {
			if bytes.Contains(bytes.ToLower(html), []byte(bad)) {
				t.Fatalf("report contains %s", bad)
			}
		}
		for _, want := range []string{"<style>", "<svg", "@media print", "@media (max-width", "overflow-x:auto"} {
			if !bytes.Contains(html, []byte(want)) {
				t.Fatalf("report lacks %s", want)
			}
		}
	})
	t.Run("Charts", func(t *testing.T) {
		html := string(RenderHTML(t, LibraryReport(t, "grid-ransomware")))
		// Three charts (timeline, sharing network, who talked to whom),
		// each with tooltips; hour ticks; TLP arrow markers.
		if n := strings.Count(html, "<svg viewBox"); n != 3 {
			t.Fatalf("%d charts, want 3", n)
		}
		if strings.Count(html, `id="arr-amber"`) != 1 || !strings.Contains(html, `id="talk-arr-none"`) {
			t.Error("the charts' arrow heads do not have ids of their own")
		}
		for _, want := range []string{`class="m-deliver"`, `class="m-action"`, `class="m-miss"`, `class="m-share f-`, `class="m-spread"`, "1:00</text>", `class="tick-label"`, `id="arr-amber"`, `class="edge s-`, `class="node`} {
			if !strings.Contains(html, want) {
				t.Errorf("timeline or network lacks %s", want)
			}
		}
		if strings.Count(html, "<title>") < 100 {
			t.Fatalf("only %d tooltips", strings.Count(html, "<title>"))
		}
	})
	t.Run("EscapesScript", func(t *testing.T) {
		s := MustLoad(t, scoringFile)
		const evil = `<script>alert("x")</script>`
		ack := Trainee("co-csirt", engine.CmdAcknowledge, "I01")
		ack.Text = evil
		r := MustBuild(t, s, Play(t, s,
			At(11*minute, ack),
			At(12*minute, Evaluator("co-csirt", "I01", evil+` & "quotes"`)),
		), nil)
		html := string(RenderHTML(t, r))
		if strings.Contains(strings.ToLower(html), "<script") {
			t.Fatal("a <script> tag from free text reached the HTML unescaped")
		}
		if !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Fatal("the escaped note text is missing")
		}
		var md bytes.Buffer
		if err := r.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(md.String(), "<script") {
			t.Fatal("a <script> tag reached the Markdown unescaped")
		}
	})
	t.Run("RatingsHaveLetters", func(t *testing.T) {
		// Colour alone must not carry a rating: every badge shows its letter.
		html := string(RenderHTML(t, LibraryReport(t, "grid-ransomware")))
		badges := regexp.MustCompile(`class="badge r-([PSMU]?)"[^>]*><b>([^<]*)</b>`).FindAllStringSubmatch(html, -1)
		if len(badges) < 10 {
			t.Fatalf("only %d rating badges", len(badges))
		}
		for _, b := range badges {
			if want := b[1]; want != "" && b[2] != want {
				t.Fatalf("badge r-%s shows %q", want, b[2])
			}
		}
	})
	t.Run("Interim", func(t *testing.T) {
		s := MustLoad(t, exampleFile)
		x, err := engine.New(s, engine.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Apply(Facilitator(engine.CmdStart)); err != nil {
			t.Fatal(err)
		}
		x.AdvanceTo(30 * minute)
		r := MustBuild(t, s, x.Events(), nil)
		if r.Exercise.Ended || r.Summary.Outcomes.Open == 0 {
			t.Fatalf("ended=%v open=%d", r.Exercise.Ended, r.Summary.Outcomes.Open)
		}
		if html := string(RenderHTML(t, r)); !strings.Contains(html, "interim") {
			t.Fatal("an interim report does not say so")
		}
	})
}
