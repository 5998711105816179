package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Level says whether a problem stops a scenario from running (an error) or
// only deserves the author's attention (a warning).
type Level int

// The problem levels.
const (
	LevelError Level = iota
	LevelWarning
)

// String returns "error" or "warning".
func (l Level) String() string {
	if l == LevelWarning {
		return "warning"
	}
	return "error"
}

// Problem is one thing wrong with a scenario, at an exact position.
type Problem struct {
	Pos     Pos
	Level   Level
	Message string
}

// String formats the problem as "file:line:col: error: message".
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Pos, p.Level, p.Message)
}

// Problems is every problem found in one or more scenario files, in file and
// position order.
type Problems []Problem

// Errors returns only the problems that are errors.
func (ps Problems) Errors() Problems { return ps.filter(LevelError) }

// Warnings returns only the problems that are warnings.
func (ps Problems) Warnings() Problems { return ps.filter(LevelWarning) }

func (ps Problems) filter(l Level) Problems {
	var out Problems
	for _, p := range ps {
		if p.Level == l {
			out = append(out, p)
		}
	}
	return out
}

// HasErrors reports whether any problem is an error.
func (ps Problems) HasErrors() bool { return len(ps.Errors()) > 0 }

// Err returns nil when there are no errors, and otherwise an error listing
// every error (warnings are left out).
func (ps Problems) Err() error {
	errs := ps.Errors()
	if len(errs) == 0 {
		return nil
	}
	return &InvalidError{Problems: errs}
}

// String lists the problems one a line.
func (ps Problems) String() string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Level, b.Level),
		)
	})
}

// InvalidError is returned when a scenario has errors; it carries all of them.
type InvalidError struct {
	Problems Problems
}

// Error lists every problem, one a line.
func (e *InvalidError) Error() string {
	n := len(e.Problems)
	noun := "errors"
	if n == 1 {
		noun = "error"
	}
	return fmt.Sprintf("invalid scenario (%d %s):\n%s", n, noun, strings.TrimRight(e.Problems.String(), "\n"))
}

// problemList collects problems while loading.
type problemList struct {
	problems Problems
}

func (l *problemList) errorf(p Pos, format string, args ...any) {
	l.problems = append(l.problems, Problem{Pos: p, Level: LevelError, Message: fmt.Sprintf(format, args...)})
}

func (l *problemList) warnf(p Pos, format string, args ...any) {
	l.problems = append(l.problems, Problem{Pos: p, Level: LevelWarning, Message: fmt.Sprintf(format, args...)})
}

// closest returns the candidate nearest to s by edit distance when it is
// near enough to be a likely typo, and "" otherwise.
func closest(s string, candidates []string) string {
	best, bestDist := "", len(s)/2+2
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == s {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return max(len(ra), len(rb))
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean appends a suggestion to msg when s is close to a candidate.
func didYouMean(msg, s string, candidates []string) string {
	if g := closest(s, candidates); g != "" {
		return fmt.Sprintf("%s; did you mean %q?", msg, g)
	}
	return msg
}
