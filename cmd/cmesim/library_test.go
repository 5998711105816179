package main

import (
	"slices"
	"strings"
	"testing"

	"cmesim/scenarios"
)

// libraryRows runs cmesim library with args and returns its rows by name,
// each split into its columns (the title, last, may hold spaces).
func libraryRows(t *testing.T, args ...string) map[string][]string {
	t.Helper()
	r := cmesim(t, nil, append([]string{"library"}, args...)...)
	r.wantCode(t, exitOK)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if got := strings.Join(strings.Fields(lines[0]), " "); got != "NAME TEAMS INJECTS DURATION LEVEL DIFFICULTY SECTORS COUNTRIES LANGS TITLE" {
		t.Fatalf("header %q", lines[0])
	}
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		rows[f[0]] = append(f[:9:9], strings.Join(f[9:], " "))
	}
	return rows
}

func TestLibrary(t *testing.T) {
	rows := libraryRows(t)
	names := scenarios.Library()
	if len(rows) != len(names) {
		t.Fatalf("%d scenarios listed, want %d", len(rows), len(names))
	}
	for _, name := range names {
		s, _ := scenarios.LoadLibrary(name)
		if s == nil {
			t.Errorf("bundled scenario %s is invalid", name)
			continue
		}
		if row := rows[name]; row == nil || row[9] != s.Exercise.Title {
			t.Errorf("%s: row %q, want title %q", name, row, s.Exercise.Title)
		}
	}
	want := []string{"hospital-ransomware", "7", "26", "5:00", "operational", "moderate", "health", "mx,gt,hn,ni,sv,cr,pa", "es,en,pt"}
	if got := rows["hospital-ransomware"]; !slices.Equal(got[:9], want) {
		t.Errorf("hospital-ransomware: %q, want %q", got[:9], want)
	}
}

func TestLibraryFilters(t *testing.T) {
	for _, tt := range []struct {
		args          []string
		column        int // the column every row must show value in
		value         string
		with, without []string
	}{
		{[]string{"--country", "jm"}, 7, "jm", []string{"caribbean-port-hurricane", "haiti-mobile-money", "csirtamericas-network"}, []string{"hospital-ransomware", "grid-ransomware"}},
		{[]string{"--sector", "health"}, 6, "health", []string{"hospital-ransomware"}, []string{"grid-ransomware", "telecom-supply-chain"}},
		{[]string{"--level", "technical"}, 4, "technical", []string{"grid-ransomware", "telecom-supply-chain"}, []string{"hospital-ransomware"}},
		{[]string{"--level", "Strategic"}, 4, "strategic", nil, []string{"grid-ransomware", "hospital-ransomware"}},
		{[]string{"--lang", "es"}, 8, "es", []string{"hospital-ransomware", "grid-ransomware"}, []string{"caribbean-port-hurricane", "csirtamericas-network"}},
		{[]string{"--country", "MX", "--lang", "es", "--sector", "health"}, 8, "es", []string{"hospital-ransomware"}, []string{"csirtamericas-network"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			rows := libraryRows(t, tt.args...)
			for name, row := range rows {
				if !slices.Contains(strings.Split(row[tt.column], ","), tt.value) {
					t.Errorf("%s listed with %q", name, row[tt.column])
				}
			}
			for _, name := range tt.with {
				if rows[name] == nil {
					t.Errorf("%s not listed", name)
				}
			}
			for _, name := range tt.without {
				if rows[name] != nil {
					t.Errorf("%s listed", name)
				}
			}
		})
	}
}

func TestLibraryFilterMistakes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--country", "es"}, `--country "es" is not the ISO code of an OAS member state`},
		{[]string{"--sector", "helth"}, `unknown --sector "helth"; expected one of energy,`},
		{[]string{"--level", "tactical"}, `unknown --level "tactical"`},
		{[]string{"--lang", "spa"}, `--lang "spa" must be a two-letter language code`},
	} {
		r := cmesim(t, nil, append([]string{"library"}, tt.args...)...)
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: stderr %q, want %q", tt.args, r.stderr, tt.want)
		}
	}
}

func TestLibraryNoMatch(t *testing.T) {
	r := cmesim(t, nil, "library", "--country", "ag", "--sector", "water")
	r.wantCode(t, exitOK)
	if !strings.Contains(r.stderr, "no bundled scenario matches") {
		t.Errorf("stderr %q", r.stderr)
	}
}
