package scenarios_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/scenarios"
)

const testdata = "../testdata/scenarios"

// TestLibrary checks that every bundled scenario is valid, warning-free and
// rich enough to run a real exercise.
func TestLibrary(t *testing.T) {
	names := scenarios.Library()
	if got := len(names); got < 4 {
		t.Fatalf("library has %d scenarios, want at least 4", got)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, problems := scenarios.LoadLibrary(name)
			if len(problems) > 0 {
				t.Fatalf("problems:\n%s", problems)
			}
			if got := len(s.Teams); got < 5 {
				t.Errorf("teams=%d, want at least 5", got)
			}
			if got := len(s.Injects); got < 20 {
				t.Errorf("injects=%d, want at least 20", got)
			}
			var onMiss, onAction, consequences, expectations int
			for _, in := range s.Injects {
				if in.Trigger != nil && in.Trigger.OnMiss != "" {
					onMiss++
				}
				if in.Trigger != nil && in.Trigger.OnAction != nil {
					onAction++
				}
				for _, e := range in.Expectations {
					expectations++
					if e.OnMiss != nil {
						consequences++
					}
				}
			}
			if onMiss+consequences == 0 {
				t.Errorf("no branch triggered by a missed expectation")
			}
			if onAction == 0 {
				t.Errorf("no branch triggered by a team action")
			}
			if expectations == 0 || len(s.Exercise.Objectives) == 0 {
				t.Errorf("expectations=%d objectives=%d, want both", expectations, len(s.Exercise.Objectives))
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		s, problems := scenarios.LoadFile(filepath.Join(testdata, "valid", "example.yaml"))
		if len(problems) > 0 {
			t.Fatalf("problems:\n%s", problems)
		}
		if got, want := s.Exercise.Duration.D(), 2*time.Hour; got != want {
			t.Fatalf("duration=%v, want %v", got, want)
		}
		if got, want := s.Injects[0].At.D(), 10*time.Minute; got != want {
			t.Fatalf("I01 at=%v, want %v", got, want)
		}
		if got, want := s.Injects[1].TLP, scenarios.TLPAmber; got != want {
			t.Fatalf("I02 tlp=%q, want default %q", got, want)
		}
		if got, want := s.Injects[0].Pos.String(), "../testdata/scenarios/valid/example.yaml:83:5"; got != want {
			t.Fatalf("I01 pos=%s, want %s", got, want)
		}
		if got, want := s.Injects[0].Pos.Field("at").Line, 86; got != want {
			t.Fatalf("I01 at line=%d, want %d", got, want)
		}
		if got, want := s.Injects[0].Translations["es"].Title, "Correos sospechosos reportados por el ministerio"; got != want {
			t.Fatalf("translation=%q, want %q", got, want)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		_, problems := scenarios.Parse("empty.yaml", nil)
		if got, want := problems.String(), "empty.yaml:1:1: error: file is empty"; !strings.HasPrefix(got, want) {
			t.Fatalf("got %q, want prefix %q", got, want)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		_, problems := scenarios.Parse("big.yaml", make([]byte, scenarios.MaxFileSize+1))
		if !problems.HasErrors() || !strings.Contains(problems[0].Message, "limit") {
			t.Fatalf("got %v, want a size error", problems)
		}
	})
	t.Run("LimitConfigurable", func(t *testing.T) {
		src := generateLarge(20)
		// Over the old 8 MiB limit: a Cyber-Europe-sized scenario is ~11 MB.
		padded := append(slices.Clone(src), "# "+strings.Repeat("x", 9<<20)+"\n"...)
		if _, problems := scenarios.Parse("padded.yaml", padded); problems.HasErrors() {
			t.Fatalf("a 9 MiB file is refused by default: %v", problems)
		}
		scenarios.SetMaxFileSize(int64(len(src) - 1))
		defer scenarios.SetMaxFileSize(0)
		_, problems := scenarios.Parse("small.yaml", src)
		if !problems.HasErrors() || !strings.Contains(problems[0].Message, fmt.Sprintf("the limit is %d", len(src)-1)) {
			t.Fatalf("got %v, want the lowered limit to apply", problems)
		}
		scenarios.SetMaxFileSize(0)
		if got := scenarios.FileSizeLimit(); got != scenarios.MaxFileSize {
			t.Fatalf("limit after reset = %d, want %d", got, scenarios.MaxFileSize)
		}
	})
	t.Run("ErrTwoDocuments", func(t *testing.T) {
		_, problems := scenarios.Parse("two.yaml", []byte("format: cmesim/v1\n---\nformat: cmesim/v1\n"))
		if !problems.HasErrors() || !strings.Contains(problems[0].Message, "second") {
			t.Fatalf("got %v, want a second-document error", problems)
		}
	})
	t.Run("ErrAliasBomb", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("format: cmesim/v1\na: &a [x, x, x, x, x, x, x, x, x]\n")
		prev := "a"
		for i := range 8 {
			name := string(rune('b' + i))
			b.WriteString(name + ": &" + name + " [")
			for j := range 9 {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("*" + prev)
			}
			b.WriteString("]\n")
			prev = name
		}
		_, problems := scenarios.Parse("bomb.yaml", []byte(b.String()))
		if !problems.HasErrors() {
			t.Fatal("want errors for an alias bomb")
		}
	})
}

// TestInvalid loads every file under testdata/scenarios/invalid and checks
// that it produces exactly the problems its "# want:" comments list.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid scenarios found: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wants := wantComments(t, src)
			s, problems := scenarios.Parse(filepath.Base(file), src)
			if problems.HasErrors() && s != nil {
				t.Errorf("Parse returned a scenario along with errors")
			}
			if got, want := len(problems), len(wants); got != want {
				t.Errorf("got %d problems, want %d:\n%s", got, want, problems)
			}
			for _, w := range wants {
				if !containsProblem(problems, w) {
					t.Errorf("missing problem %q; got:\n%s", w, problems)
				}
			}
		})
	}
}

// wantComments reads the "# want: LINE:COL LEVEL: MESSAGE" comments of a file.
func wantComments(t *testing.T, src []byte) []string {
	t.Helper()
	var wants []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			wants = append(wants, w)
		}
	}
	if len(wants) == 0 {
		t.Fatal("file has no # want: comments")
	}
	return wants
}

func containsProblem(problems scenarios.Problems, want string) bool {
	where, msg, _ := strings.Cut(want, " ")
	for _, p := range problems {
		got := p.String()
		_, rest, _ := strings.Cut(got, ":") // drop the file name
		if strings.HasPrefix(rest, where+": ") && strings.Contains(got, msg) {
			return true
		}
	}
	return false
}

func TestParseDuration(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"00:45", 45 * time.Minute, false},
		{"1:30", 90 * time.Minute, false},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second, false},
		{"45m", 45 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"00:75", 0, true},
		{"1:5", 0, true},
		{"-5m", 0, true},
		{"45", 0, true},
		{"", 0, true},
		{"1:2:3:4", 0, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := scenarios.ParseDuration(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err=%v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNetwork(t *testing.T) {
	s, problems := scenarios.LoadFile(filepath.Join(testdata, "valid", "example.yaml"))
	if problems.HasErrors() {
		t.Fatal(problems)
	}
	if got, want := strings.Join(s.Members([]string{"group:andean"}, ""), ","), "co-csirt,pe-csirt"; got != want {
		t.Fatalf("members=%s, want %s", got, want)
	}
	if got, want := strings.Join(s.Members([]string{"$team"}, "pe-csirt"), ","), "pe-csirt"; got != want {
		t.Fatalf("$team=%s, want %s", got, want)
	}
	if !s.MayShare("co-csirt", "pe-csirt", scenarios.TLPAmber) {
		t.Fatal("co-csirt may share AMBER with pe-csirt")
	}
	if s.MayShare("co-csirt", "pe-csirt", scenarios.TLPRed) {
		t.Fatal("co-csirt may not share RED with pe-csirt")
	}
	if s.MayShare("co-csirt", "co-csirt", scenarios.TLPClear) {
		t.Fatal("a team does not share with itself")
	}
}

func TestRender(t *testing.T) {
	s, problems := scenarios.LoadFile(filepath.Join(testdata, "valid", "example.yaml"))
	if problems.HasErrors() {
		t.Fatal(problems)
	}
	in, _ := s.Inject("I01")
	title, body := s.Render(in, "co-csirt", "en")
	if got, want := title, "Suspicious e-mails reported by the ministry"; got != want {
		t.Fatalf("title=%q, want %q", got, want)
	}
	if !strings.HasPrefix(body, "Dear colCERT, several staff") {
		t.Fatalf("body=%q", body)
	}
	title, body = s.Render(in, "co-csirt", "es")
	if !strings.HasPrefix(title, "Correos sospechosos") || !strings.HasPrefix(body, "Estimado colCERT,") {
		t.Fatalf("spanish title=%q body=%q", title, body)
	}
	if _, body = s.Render(in, "co-csirt", "fr"); !strings.HasPrefix(body, "Dear colCERT") {
		t.Fatalf("a missing translation falls back to the original, got %q", body)
	}
}

// TestSingleValueLists checks that a single value stands for a one-item list
// and is parsed like one ("tlp: AMBER", "days: Monday").
func TestSingleValueLists(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(testdata, "valid", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "tlp: [clear, green, amber]", "tlp: TLP:AMBER", 1)
	text = strings.Replace(text, "days: [mon, tue, wed, thu, fri]", "days: Monday", 1)
	s, problems := scenarios.Parse("single.yaml", []byte(text))
	if problems.HasErrors() {
		t.Fatal(problems)
	}
	if got := s.Network.Links[0].TLP; len(got) != 1 || got[0] != scenarios.TLPAmber {
		t.Fatalf("tlp=%v, want [amber]", got)
	}
	if got := s.Teams[0].Profile.WorkingHours.Days; len(got) != 1 || got[0] != 1 {
		t.Fatalf("days=%v, want [monday]", got)
	}
}
