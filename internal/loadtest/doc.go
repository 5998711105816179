// Package loadtest loads a live cmesim server the way an exercise does:
// many trainees joined in teams over their own sessions and WebSockets,
// acting on the injects they receive, and a facilitator sending ad-hoc
// injects to everyone. It measures what participants feel (how long an
// inject takes to reach every console, how long a command takes to be
// acknowledged), counts dropped connections, and reads the server's memory
// from /metrics and /proc, so that `cmesim loadtest` can serve both as a
// measurement and as a regression gate in CI.
//
// The tool only ever connects to loopback addresses: by default it starts
// its own server as a subprocess.
package loadtest
