package web

import "embed"

// uiFiles is the browser UI: plain HTML, CSS and ES modules, no build step.
//
//go:embed ui
var uiFiles embed.FS
