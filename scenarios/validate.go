package scenarios

// validate checks a decoded scenario and records every problem in l.
func validate(s *Scenario, l *problemList) {}
