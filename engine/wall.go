package engine

import "cmesim/scenarios"

// The news and social wall: injects on the news and social_media channels
// are wall posts. They are delivered like every inject (inject.delivered,
// one event per receiving team, so trainees read only their team's), and
// stories that react to play are injects released by on_miss and on_action
// triggers: the wall replays with the log. A facilitator posts live with
// send_inject on one of those channels, with an optional AdHocWall.

// AdHocWall is how a facilitator's live news or social_media post shows on
// the wall: its outlet, author and audience figures, all optional.
type AdHocWall struct {
	Outlet     string `json:"outlet,omitempty"`
	Author     string `json:"author,omitempty"`
	Reach      int    `json:"reach,omitempty"`
	Engagement int    `json:"engagement,omitempty"`
}

// adHocWall checks an ad-hoc inject's wall post and sets it on in, whose
// channel is already known.
func adHocWall(in *scenarios.Inject, w *AdHocWall) error {
	if w == nil {
		return nil
	}
	if msg := scenarios.CheckWallPost(in.Channel, w.Outlet, w.Author, w.Reach, w.Engagement); msg != "" {
		return Errorf(CodeInvalid, "%s", msg)
	}
	in.Wall = &scenarios.WallPost{Outlet: w.Outlet, Author: w.Author, Reach: w.Reach, Engagement: w.Engagement}
	return nil
}
