// Package scenarios defines the cmesim scenario format (an MSEL written in
// YAML), loads it with exact file:line:col positions, validates it reporting
// every problem at once, and embeds the bundled scenario library.
//
// A scenario names the exercise and its objectives, the teams (CSIRTs that
// humans or simulated analyst pools play), the other actors, the sharing
// network with its TLP rules, the incidents and the injects with their
// timing, triggers and expectations. Parse and Load never panic: bad input
// yields Problems, each an error or a warning at a position.
package scenarios
