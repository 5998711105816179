package report

import (
	"cmp"
	"slices"

	"cmesim/scenarios"
)

// network orders the links the shares made (see builder.link) by the
// scenario order of the sharing team, then of the receiving team.
func (b *builder) network() {
	b.r.Network = b.linkList
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
