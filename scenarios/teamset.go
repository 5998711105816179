package scenarios

import "math/bits"

// teamSet is a set of team indexes, one bit per team of a scenario: the
// membership of groups and network links, so that "is b linked with a"
// costs one word read instead of expanding the link's member list.
type teamSet []uint64

func newTeamSet(teams int) teamSet { return make(teamSet, (teams+63)/64) }

func (s teamSet) add(i int) { s[i/64] |= 1 << (i % 64) }

func (s teamSet) has(i int) bool { return i >= 0 && i/64 < len(s) && s[i/64]&(1<<(i%64)) != 0 }

// union adds every member of o to s.
func (s teamSet) union(o teamSet) {
	for w := range s {
		s[w] |= o[w]
	}
}

// clear empties s.
func (s teamSet) clear() { clear(s) }

// firstNotIn returns the lowest member of s that is not in o and is not
// skip, or -1.
func (s teamSet) firstNotIn(o teamSet, skip int) int {
	for w := range s {
		left := s[w] &^ o[w]
		if skip/64 == w && skip >= 0 {
			left &^= 1 << (skip % 64)
		}
		if left != 0 {
			return w*64 + bits.TrailingZeros64(left)
		}
	}
	return -1
}

// len returns the number of members.
func (s teamSet) len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// each calls fn with every member, lowest first.
func (s teamSet) each(fn func(i int)) {
	for w, word := range s {
		for word != 0 {
			fn(w*64 + bits.TrailingZeros64(word))
			word &= word - 1
		}
	}
}
