// Package web serves live exercises: the HTTP API for joining and
// administration, one WebSocket per participant, and the embedded browser
// UI. Each running exercise is owned by one goroutine (an engine.Runner);
// connections send it commands through the runner and receive, through a
// bounded queue, the events their role and team may see, each encoded once.
//
// Server (server.go, routes.go) holds the live exercises (exerciseSet), the
// route table and the WebSockets, and hands each other job to a small type
// of its own: auth (auth.go: sign-in, sessions, the route guards, join
// codes), reports (reports.go: the report, appendix, AAR, improvement plan,
// team report and debrief), library (library.go: browsing, previewing and
// importing scenarios), scheduler (schedule.go: scheduled starts), storage
// (storage.go: storing new exercises, damaged ones, readiness) and cluster
// (cluster.go: leases, following, forwarding, placement, takeover).
package web
