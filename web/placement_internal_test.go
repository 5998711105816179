package web

import (
	"testing"

	"cmesim/store"
)

// TestLeastLoaded checks the placement rule: fewest participants, then
// fewest exercises, the creator winning ties and not counting the new
// exercise it already owns.
func TestLeastLoaded(t *testing.T) {
	self, b, c := store.Holder{ID: "self"}, store.Holder{ID: "b"}, store.Holder{ID: "c"}
	load := func(h store.Holder, exercises, participants int) store.ServerLoad {
		return store.ServerLoad{Holder: h, Exercises: exercises, Participants: participants}
	}
	cases := []struct {
		name  string
		loads []store.ServerLoad
		want  store.Holder
	}{
		{"alone", []store.ServerLoad{load(self, 1, 0)}, self},
		{"not registered yet", nil, self},
		{"tie stays here", []store.ServerLoad{load(b, 0, 0), load(self, 1, 0)}, self},
		{"fewer exercises elsewhere", []store.ServerLoad{load(b, 0, 0), load(self, 2, 0)}, b},
		{"fewer participants beat fewer exercises", []store.ServerLoad{load(b, 3, 10), load(c, 5, 9), load(self, 1, 11)}, c},
		{"first of equals elsewhere", []store.ServerLoad{load(b, 0, 0), load(c, 0, 0), load(self, 2, 0)}, b},
		{"busier elsewhere", []store.ServerLoad{load(b, 1, 50), load(self, 3, 40)}, self},
		{"self unregistered counts as empty", []store.ServerLoad{load(b, 0, 1)}, self},
	}
	for _, tc := range cases {
		if got := leastLoaded(tc.loads, self); got != tc.want {
			t.Errorf("%s: placed on %q, want %q", tc.name, got.ID, tc.want.ID)
		}
	}
}
