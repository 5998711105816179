package web

import (
	"slices"
	"testing"

	"cmesim/engine"
)

// TestRecipients checks that the fan-out visits, for each audience, every
// subscriber that may see the event, once, and only the staff and the
// teams named unless the event is for everyone; and that a subscriber that
// leaves is no longer visited.
func TestRecipients(t *testing.T) {
	f := newFanout(nil, &metrics{}, 0)
	sub := func(role engine.Role, team string) *conn {
		c := &conn{sess: &Session{Role: role, Team: team}}
		f.addSub(c)
		return c
	}
	fac, obs := sub(engine.RoleFacilitator, ""), sub(engine.RoleObserver, "")
	a1, a2, b1 := sub(engine.RoleTrainee, "a"), sub(engine.RoleTrainee, "a"), sub(engine.RoleTrainee, "b")
	c1 := sub(engine.RoleTrainee, "c")
	all := []*conn{fac, obs, a1, a2, b1, c1}
	visited := func(audience []string) []*conn {
		var out []*conn
		for c := range f.recipients(audience) {
			out = append(out, c)
		}
		return out
	}
	same := func(got, want []*conn) bool {
		return len(got) == len(want) && !slices.ContainsFunc(want, func(c *conn) bool { return !slices.Contains(got, c) })
	}
	cases := []struct {
		name     string
		audience []string
		want     []*conn
	}{
		{"staff only", nil, []*conn{fac, obs}},
		{"one team", []string{"a"}, []*conn{fac, obs, a1, a2}},
		{"two teams, one twice", []string{"b", "a", "b"}, []*conn{fac, obs, a1, a2, b1}},
		{"a team nobody watches", []string{"z"}, []*conn{fac, obs}},
		{"everyone", []string{engine.Everyone}, all},
	}
	for _, tc := range cases {
		if got := visited(tc.audience); !same(got, tc.want) {
			t.Errorf("%s: visited %d connections, want %d", tc.name, len(got), len(tc.want))
		}
		// Every subscriber maySee lets through is visited.
		got := visited(tc.audience)
		for _, c := range all {
			if c.maySee(tc.audience) && !slices.Contains(got, c) {
				t.Errorf("%s: a %s of team %q may see it but is not visited", tc.name, c.sess.Role, c.sess.Team)
			}
		}
	}
	f.removeSub(a1)
	if got := visited([]string{"a"}); !same(got, []*conn{fac, obs, a2}) {
		t.Errorf("after a1 left: visited %d connections, want 3", len(got))
	}
	f.removeSub(a2)
	if _, ok := f.byAudience["a"]; ok {
		t.Error("team a's empty set is kept after its last subscriber left")
	}
}
