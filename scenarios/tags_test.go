package scenarios

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTagsAreReadAndChecked(t *testing.T) {
	s, problems := Parse("example.yaml", exampleWith(t, "  duration: 2h\n",
		"  duration: 2h\n  tags:\n    sectors: [government, health]\n    level: strategic\n    difficulty: hard\n"))
	if s == nil {
		t.Fatalf("invalid: %v", problems)
	}
	tags := s.Exercise.Tags
	if !slices.Equal(tags.Sectors, []Sector{"government", "health"}) || tags.Level != "strategic" || tags.Difficulty != DifficultyHard {
		t.Errorf("tags %+v", tags)
	}

	_, problems = Parse("example.yaml", exampleWith(t, "  duration: 2h\n",
		"  duration: 2h\n  tags:\n    sectors: [helth, energy, energy]\n    level: tactical\n    difficulty: medium\n"))
	for _, want := range []string{
		`example.yaml:15:15: error: scenario.exercise.tags.sectors[0]: unknown sector "helth"; did you mean "health"?`,
		`example.yaml:15:30: error: sector "energy" is listed twice`,
		`example.yaml:16:12: error: scenario.exercise.tags.level: unknown level "tactical"; did you mean "technical"?`,
		`example.yaml:17:17: error: scenario.exercise.tags.difficulty: unknown difficulty "medium"; expected one of easy, moderate, hard`,
	} {
		if !strings.Contains(problems.String(), want) {
			t.Errorf("no problem %q among:\n%v", want, problems)
		}
	}
}

func TestDifficultyFor(t *testing.T) {
	for _, tt := range []struct {
		achieved []float64
		want     Difficulty
	}{
		{nil, ""},
		{[]float64{0.70}, DifficultyEasy},
		{[]float64{1, 0.6}, DifficultyEasy},
		{[]float64{0.98, 0.41}, DifficultyModerate},
		{[]float64{0.6999}, DifficultyModerate},
		{[]float64{0.50}, DifficultyModerate},
		{[]float64{0.4999}, DifficultyHard},
		{[]float64{0.78, 0.84, 0.34, 0.82, 0, 0.03}, DifficultyHard},
	} {
		if got := DifficultyFor(tt.achieved); got != tt.want {
			t.Errorf("DifficultyFor(%v) = %q, want %q", tt.achieved, got, tt.want)
		}
	}
}

// TestLibraryIsTagged checks that every bundled scenario declares its tags
// and that its difficulty is the one its header's calibration figures give.
func TestLibraryIsTagged(t *testing.T) {
	for _, name := range Library() {
		src, err := LibrarySource(name)
		if err != nil {
			t.Fatal(err)
		}
		s, problems := LoadLibrary(name)
		if s == nil {
			t.Fatalf("%s: %v", name, problems)
		}
		tags := s.Exercise.Tags
		if len(tags.Sectors) == 0 || tags.Level == "" || tags.Difficulty == "" {
			t.Errorf("%s: incomplete tags %+v", name, tags)
			continue
		}
		header, _, _ := strings.Cut(string(src), "\nformat:")
		_, calib, ok := strings.Cut(header, "Calibration")
		if !ok {
			t.Errorf("%s: no calibration figures in the header comment", name)
			continue
		}
		var achieved []float64
		for _, line := range strings.Split(calib, "\n") {
			if strings.Contains(line, "Median score") || strings.Contains(line, "Difficulty") {
				break
			}
			for _, m := range regexp.MustCompile(`\b[A-Z][0-9]+ [a-z ]+? ([0-9]{1,3})%`).FindAllStringSubmatch(line, -1) {
				pct, _ := strconv.Atoi(m[1])
				achieved = append(achieved, float64(pct)/100)
			}
		}
		if len(achieved) != len(s.Exercise.Objectives) {
			t.Errorf("%s: %d calibration figures for %d objectives", name, len(achieved), len(s.Exercise.Objectives))
			continue
		}
		if want := DifficultyFor(achieved); tags.Difficulty != want {
			t.Errorf("%s: difficulty %q, but its calibration %v gives %q", name, tags.Difficulty, achieved, want)
		}
	}
}

func TestFactsAndFilter(t *testing.T) {
	s, problems := LoadLibrary("hospital-ransomware")
	if s == nil {
		t.Fatal(problems)
	}
	f := s.Facts()
	if !slices.Equal(f.Countries, []string{"MX", "GT", "HN", "NI", "SV", "CR", "PA"}) {
		t.Errorf("countries %v", f.Countries)
	}
	if !slices.Equal(f.Languages, []string{"es", "en", "pt"}) || f.Duration != 5*time.Hour || f.Level != "operational" || !slices.Equal(f.Sectors, []string{"health"}) {
		t.Errorf("facts %+v", f)
	}
	for filter, want := range map[Filter]bool{
		{}:                     true,
		{Country: "hn"}:        true,
		{Country: "JM"}:        false,
		{Sector: "health"}:     true,
		{Sector: "energy"}:     false,
		{Level: "Operational"}: true,
		{Level: "strategic"}:   false,
		{Language: "pt"}:       true,
		{Language: "fr"}:       false,
		{Country: "mx", Sector: "health", Level: "operational", Language: "es"}: true,
		{Country: "mx", Sector: "health", Level: "operational", Language: "fr"}: false,
	} {
		if got := filter.Match(f); got != want {
			t.Errorf("%+v.Match = %v, want %v", filter, got, want)
		}
	}
}
