package report_test

import (
	"bytes"
	"strings"
	"testing"

	"cmesim/report"
)

func TestWriteMarkdown(t *testing.T) {
	t.Run("Sections", func(t *testing.T) {
		var buf bytes.Buffer
		if err := LibraryReport(t, "grid-ransomware").WriteMarkdown(&buf); err != nil {
			t.Fatal(err)
		}
		md := buf.String()
		for _, s := range report.Sections {
			if !strings.Contains(md, `<a id="`+s.ID+`"></a>`) || !strings.Contains(md, "(#"+s.ID+")") {
				t.Errorf("no anchor or link for section %q", s.ID)
			}
		}
		if strings.Contains(md, "<svg") {
			t.Fatal("Markdown holds SVG")
		}
	})
	t.Run("EscapesTableCells", func(t *testing.T) {
		s := MustLoad(t, scoringFile)
		r := MustBuild(t, s, Play(t, s, At(12*minute, Evaluator("co-csirt", "I01", "a | b\nc *d*"))), nil)
		var buf bytes.Buffer
		if err := r.WriteMarkdown(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `a \| b c \*d\*`) {
			t.Fatal("note text is not escaped for a table cell")
		}
	})
}
