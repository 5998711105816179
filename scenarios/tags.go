package scenarios

import (
	"slices"
	"strings"
	"time"
)

// Tags are the library metadata a scenario's author declares: the sectors
// it concerns, the level of play and the calibrated difficulty. What can be
// read from the scenario itself (countries, languages, duration) is not
// tagged but derived; see Facts.
type Tags struct {
	// Sectors are the critical sectors the scenario concerns, most
	// important first.
	Sectors []Sector `yaml:"sectors"`
	// Level is who plays: technical teams, operational (CSIRT management)
	// or strategic (crisis cells, ministers).
	Level PlayLevel `yaml:"level"`
	// Difficulty is the calibrated difficulty, from the scenario's batch
	// runs (see DifficultyFor).
	Difficulty Difficulty `yaml:"difficulty"`
	Pos        Pos        `yaml:"-"`
}

// Sector is a critical sector a scenario concerns.
type Sector string

// Sectors is the sector enumeration.
var Sectors = enum{"sector", []string{"energy", "finance", "government", "health", "telecom", "transport", "water", "elections", "education", "digital"}}

func (v *Sector) parseScalar(s string) error {
	p, err := Sectors.parse(s)
	*v = Sector(p)
	return err
}

// PlayLevel is the level of play of a scenario.
type PlayLevel string

// Levels is the level enumeration, from the most hands-on to the most
// senior.
var Levels = enum{"level", []string{"technical", "operational", "strategic"}}

func (v *PlayLevel) parseScalar(s string) error {
	p, err := Levels.parse(s)
	*v = PlayLevel(p)
	return err
}

// Difficulty is a scenario's calibrated difficulty.
type Difficulty string

// The difficulties.
const (
	DifficultyEasy     Difficulty = "easy"
	DifficultyModerate Difficulty = "moderate"
	DifficultyHard     Difficulty = "hard"
)

// Difficulties is the difficulty enumeration, from the easiest.
var Difficulties = enum{"difficulty", []string{"easy", "moderate", "hard"}}

func (v *Difficulty) parseScalar(s string) error {
	p, err := Difficulties.parse(s)
	*v = Difficulty(p)
	return err
}

// The thresholds of DifficultyFor, as shares of runs.
const (
	// EasyAchievement is the mean achievement at or above which a scenario
	// is easy.
	EasyAchievement = 0.70
	// HardAchievement is the mean achievement below which a scenario is
	// hard.
	HardAchievement = 0.50
)

// DifficultyFor maps a batch calibration to a difficulty. achieved holds,
// per objective, the share of runs (0 to 1) in which every team simulated
// achieved it (rated P or S); their mean decides: 70% or more is easy,
// under 50% hard, moderate in between. No objectives gives "".
func DifficultyFor(achieved []float64) Difficulty {
	if len(achieved) == 0 {
		return ""
	}
	sum := 0.0
	for _, a := range achieved {
		sum += a
	}
	switch mean := sum / float64(len(achieved)); {
	case mean >= EasyAchievement:
		return DifficultyEasy
	case mean < HardAchievement:
		return DifficultyHard
	}
	return DifficultyModerate
}

// tags checks the library tags: values are checked by their types when the
// file is read; here, that no sector is listed twice.
func (v *validator) tags() {
	t := &v.s.Exercise.Tags
	for i, sec := range t.Sectors {
		if sec != "" && slices.Index(t.Sectors, sec) < i {
			v.errorf(t.Pos.Item("sectors", i), "sector %q is listed twice", sec)
		}
	}
}

// Facts are a scenario's library metadata: its tags and what is derived
// from its content.
type Facts struct {
	// Countries are the teams' countries (ISO 3166-1 alpha-2, upper case),
	// in order of first appearance.
	Countries []string
	// Languages are the languages the content is written in (see
	// ContentLanguages).
	Languages  []string
	Duration   time.Duration
	Sectors    []string
	Level      string
	Difficulty string
}

// Facts returns the scenario's library metadata.
func (s *Scenario) Facts() Facts {
	f := Facts{
		Languages:  s.ContentLanguages(),
		Duration:   s.Exercise.Duration.D(),
		Level:      string(s.Exercise.Tags.Level),
		Difficulty: string(s.Exercise.Tags.Difficulty),
	}
	for _, t := range s.Teams {
		c := strings.ToUpper(t.Country)
		if c != "" && !slices.Contains(f.Countries, c) {
			f.Countries = append(f.Countries, c)
		}
	}
	for _, sec := range s.Exercise.Tags.Sectors {
		f.Sectors = append(f.Sectors, string(sec))
	}
	return f
}

// Filter selects scenarios of the library by their facts; an empty field
// matches every scenario.
type Filter struct {
	Country, Sector, Level, Language string
}

// Match reports whether the facts pass the filter. Countries and languages
// compare without regard to case.
func (f Filter) Match(facts Facts) bool {
	has := func(list []string, want string) bool {
		return want == "" || slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, want) })
	}
	return has(facts.Countries, f.Country) && has(facts.Sectors, f.Sector) &&
		has(facts.Languages, f.Language) && (f.Level == "" || strings.EqualFold(facts.Level, f.Level))
}

// SectorValues returns the sectors a tag may name, in documentation order.
func SectorValues() []string { return Sectors.list() }

// LevelValues returns the levels of play, from technical to strategic.
func LevelValues() []string { return Levels.list() }

// DifficultyValues returns the difficulties, from the easiest.
func DifficultyValues() []string { return Difficulties.list() }
