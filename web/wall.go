package web

import "cmesim/scenarios"

// wallView is how a delivered news or social_media inject shows on the
// consoles' news and social wall. It holds nothing staff-only: trainees
// receive it with the inject.
type wallView struct {
	// Outlet is empty when the scenario names none: the wall then shows
	// the sender's (translated) name.
	Outlet     string `json:"outlet,omitempty"`
	Author     string `json:"author,omitempty"`
	Reach      int    `json:"reach,omitempty"`
	Engagement int    `json:"engagement,omitempty"`
}

// wallOf returns the wall view of an inject, or nil when its channel is
// not on the wall.
func wallOf(in *scenarios.Inject) *wallView {
	if !in.Channel.OnWall() {
		return nil
	}
	v := &wallView{}
	if w := in.Wall; w != nil {
		v.Outlet, v.Author, v.Reach, v.Engagement = w.Outlet, w.Author, w.Reach, w.Engagement
	}
	return v
}
