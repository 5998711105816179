package scenarios_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"cmesim/scenarios"
)

// TestParseChannelAliases checks the spellings of the wall's channels.
func TestParseChannelAliases(t *testing.T) {
	for in, want := range map[string]scenarios.Channel{
		"social": "social_media", "Social-Media": "social_media", "NEWS": "news", "email": "email",
	} {
		got, err := scenarios.ParseChannel(in)
		if err != nil || got != want {
			t.Errorf("ParseChannel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := scenarios.ParseChannel("tv"); err == nil {
		t.Error(`ParseChannel("tv") accepted an unknown channel`)
	}
}

// TestWallPostLoads reads a wall post written on a social inject (with
// the "social" alias) into the inject.
func TestWallPostLoads(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(testdata, "valid", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src = bytes.Replace(src, []byte("    title: Same campaign reaches Peru\n    incident: INC1\n    channel: email\n"),
		[]byte("    title: Same campaign reaches Peru\n    incident: INC1\n    channel: social\n    wall: { outlet: Chirper, author: \"@minecon_pe\", reach: 12000, engagement: 340 }\n"), 1)
	s, problems := scenarios.Parse("x.yaml", src)
	if problems.HasErrors() {
		t.Fatal(problems)
	}
	in, ok := s.Inject("I03")
	if !ok {
		t.Fatal("no inject I03")
	}
	if in.Channel != scenarios.ChannelSocialMedia || in.Wall == nil {
		t.Fatalf("channel %q, wall %v; want social_media with a wall post", in.Channel, in.Wall)
	}
	if w := in.Wall; w.Outlet != "Chirper" || w.Author != "@minecon_pe" || w.Reach != 12000 || w.Engagement != 340 {
		t.Errorf("wall = %+v, want outlet Chirper, author @minecon_pe, reach 12000, engagement 340", w)
	}
}
