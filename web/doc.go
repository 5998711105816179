// Package web serves live exercises: the HTTP API for joining and
// administration, one WebSocket per participant, and the embedded browser
// UI. Each running exercise is owned by one goroutine (an engine.Runner);
// connections send it commands through the runner and receive, through a
// bounded queue, the events their role and team may see, each encoded once.
package web
