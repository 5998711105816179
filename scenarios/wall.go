package scenarios

import (
	"strings"
	"unicode/utf8"
)

// WallPost is how a news or social_media inject appears on the consoles'
// news and social wall. Every field is optional: a news or social_media
// inject without one is still a wall post, by its sender.
type WallPost struct {
	// Outlet is the newspaper, broadcaster or platform ("La Crónica
	// Andina", "X"); left out, the sender's display name.
	Outlet string `yaml:"outlet"`
	// Author is the byline or the account's handle ("@ApagonYa").
	Author string `yaml:"author"`
	// Reach is how many people have seen the story or post.
	Reach int `yaml:"reach"`
	// Engagement counts the shares, replies and reactions it drew.
	Engagement int `yaml:"engagement"`
	Pos        Pos `yaml:"-"`
}

// MaxWallName bounds a wall post's outlet and author, in characters.
const MaxWallName = 80

// OnWall reports whether injects on the channel appear on the news and
// social wall.
func (c Channel) OnWall() bool { return c == ChannelNews || c == ChannelSocialMedia }

// The channels of the news and social wall.
const (
	ChannelNews        Channel = "news"
	ChannelSocialMedia Channel = "social_media"
)

// channelAliases are other spellings of a channel's name.
var channelAliases = map[string]string{"social": string(ChannelSocialMedia)}

// ParseChannel reads a channel name as the format writes it: case and
// '-' or '_' do not matter, and "social" means social_media.
func ParseChannel(s string) (Channel, error) {
	v := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	if alias, ok := channelAliases[v]; ok {
		v = alias
	}
	p, err := Channels.parse(v)
	return Channel(p), err
}

// CheckWallPost returns a problem with a wall post's fields on an inject
// of channel c, or "" when they are fine. It serves the scenario validator
// and the engine's check of a facilitator's live post alike.
func CheckWallPost(c Channel, outlet, author string, reach, engagement int) string {
	switch {
	case !c.OnWall():
		return "wall is only for news and social_media injects (channel is " + string(c) + ")"
	case utf8.RuneCountInString(outlet) > MaxWallName:
		return "wall outlet is longer than 80 characters"
	case utf8.RuneCountInString(author) > MaxWallName:
		return "wall author is longer than 80 characters"
	case reach < 0 || engagement < 0:
		return "wall reach and engagement must not be negative"
	}
	return ""
}

// wallPost checks an inject's wall post.
func (v *validator) wallPost(in *Inject, what string) {
	w := in.Wall
	if w == nil {
		return
	}
	p := in.Pos.Field("wall")
	switch {
	case w.Reach < 0:
		p = w.Pos.Field("reach")
	case w.Engagement < 0:
		p = w.Pos.Field("engagement")
	case utf8.RuneCountInString(w.Author) > MaxWallName:
		p = w.Pos.Field("author")
	case utf8.RuneCountInString(w.Outlet) > MaxWallName:
		p = w.Pos.Field("outlet")
	}
	if msg := CheckWallPost(in.Channel, w.Outlet, w.Author, w.Reach, w.Engagement); msg != "" {
		v.errorf(p, "%s: %s", what, msg)
	}
}

// init adds the wall post to the JSON schema: its keys, their ranges and
// descriptions. (Like TLP's "white", the alias "social" stays out of the
// schema's enumeration: the schema lists the canonical names.)
func init() {
	typeDocs["WallPost"] = "How a news or social_media inject appears on the news and social wall: outlet, author and audience figures."
	fieldDocs["Inject.wall"] = "For news and social_media injects: outlet, author, reach and engagement on the news and social wall."
	fieldDocs["WallPost.outlet"] = "Newspaper, broadcaster or platform; default the sender's name."
	fieldDocs["WallPost.author"] = `Byline or account handle, e.g. "@ApagonYa".`
	fieldDocs["WallPost.reach"] = "How many people have seen the story or post."
	fieldDocs["WallPost.engagement"] = "How many shares, replies and reactions it drew."
	fieldRules["WallPost.reach"] = fieldRule{min: num(0)}
	fieldRules["WallPost.engagement"] = fieldRule{min: num(0)}
}
