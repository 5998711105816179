// Package report turns an exercise's event log into an HSEEP-style
// After-Action Report / Improvement Plan (AAR/IP).
//
// Build reads only the log and the scenario it ran. It never recomputes what
// the log already says: points and latencies come from expectation.met
// events, misses from expectation.missed, wrong answers (wrong category or
// severity, TLP violations, shares with the wrong peer) from
// expectation.wrong, the incident's path from incident.spread and
// incident.phase. Outcomes follow engine.ExpectationState.Outcome, folded by
// engine.State itself, so the report and the live view cannot disagree.
//
// A Builder reads the log one event at a time (Build is the same for a log
// in memory), so a report of a log of any length costs memory for what the
// report shows, not for the log: a long log's timeline and event-log section
// are a bounded excerpt per team (LogExcerpt), and the whole log is the
// appendix, written apart as it is read (AppendixWriter).
//
// The Report struct is the report's JSON form (WriteJSON). The other
// renderers read the same struct: WriteHTML writes one self-contained file
// (inline CSS and SVG, no scripts, no external fetches) that a facilitator
// can e-mail and print; WriteMarkdown writes the same sections for wikis;
// WriteCSV writes one row per expectation instance for spreadsheets.
//
// Objectives are rated P (performed without challenges), S (some
// challenges), M (major challenges) or U (unable to be performed) from the
// fraction of available points earned, against the scenario's thresholds
// (scenarios.Scenario.RatingFor). When a Baseline from a Monte Carlo batch is
// given, each team's score and response times are placed as percentiles of
// the simulated runs (see Baseline and Percentile).
package report
