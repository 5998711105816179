package report

import (
	"cmp"
	"slices"

	"cmesim/scenarios"
)

// network aggregates the shares into directed links, ordered by the
// scenario order of the sharing team, then of the receiving team.
func (b *builder) network() {
	type key struct{ from, to string }
	idx := map[key]int{}
	for _, sh := range b.r.Shares {
		for _, to := range sh.To {
			k := key{sh.From, to}
			i, ok := idx[k]
			if !ok {
				i = len(b.r.Network)
				idx[k] = i
				b.r.Network = append(b.r.Network, Link{From: sh.From, To: to})
			}
			l := &b.r.Network[i]
			l.Count++
			if sh.TLPViolation {
				l.Violations++
			}
			j := slices.IndexFunc(l.TLPs, func(c TLPCount) bool { return c.TLP == sh.TLP })
			if j < 0 {
				l.TLPs = append(l.TLPs, TLPCount{TLP: sh.TLP})
				j = len(l.TLPs) - 1
			}
			l.TLPs[j].Count++
		}
	}
	for i := range b.r.Network {
		slices.SortFunc(b.r.Network[i].TLPs, func(a, c TLPCount) int {
			return cmp.Compare(scenarios.TLP(a.TLP).Rank(), scenarios.TLP(c.TLP).Rank())
		})
	}
	slices.SortStableFunc(b.r.Network, func(a, c Link) int {
		if d := cmp.Compare(b.s.TeamIndex(a.From), b.s.TeamIndex(c.From)); d != 0 {
			return d
		}
		return cmp.Compare(b.s.TeamIndex(a.To), b.s.TeamIndex(c.To))
	})
}

// strictest returns the least open TLP used on a link.
func (l *Link) strictest() string {
	if len(l.TLPs) == 0 {
		return ""
	}
	return l.TLPs[len(l.TLPs)-1].TLP
}
