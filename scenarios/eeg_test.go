package scenarios_test

import (
	"slices"
	"strings"
	"testing"

	"cmesim/scenarios"
)

// objectiveLine is where the worked example's first objective ends, so a
// test can give it critical tasks.
const objectiveLine = "      capability: detection\n"

func withTasks(tasks string) (string, string) {
	return objectiveLine, objectiveLine + "      critical_tasks:\n" + tasks
}

func TestCriticalTasks(t *testing.T) {
	t.Run("Valid", func(t *testing.T) {
		old, new := withTasks("        - id: triage\n          text: Triage the report.\n          expectations: [I01.ack, I01.classify]\n" +
			"          translations: { es: { text: Hacer el triaje del reporte. } }\n")
		s, problems := scenarios.Parse("x.yaml", exampleWith(t, old, new))
		if problems.HasErrors() {
			t.Fatalf("problems:\n%s", problems)
		}
		o, _ := s.Objective("O1")
		task, ok := o.CriticalTask("triage")
		if !ok || task.TextIn("es") != "Hacer el triaje del reporte." || task.TextIn("pt") != "Triage the report." {
			t.Fatalf("critical task = %+v", task)
		}
		if !slices.Equal(task.Expectations, []string{"I01.ack", "I01.classify"}) {
			t.Errorf("expectations = %q", task.Expectations)
		}
		staff := s.StaffOnlyText()
		if !slices.Contains(staff, "Triage the report.") || !slices.Contains(staff, "Hacer el triaje del reporte.") {
			t.Errorf("critical tasks are not staff-only text: %q", staff)
		}
	})
	for _, tc := range []struct{ name, tasks, want string }{
		{"DuplicateID", "        - { id: a, text: One. }\n        - { id: a, text: Two. }\n",
			`x.yaml:23:17: error: objective O1: critical task "a": duplicate critical task id (first defined at x.yaml:22:17)`},
		{"NoText", "        - { id: a }\n", `x.yaml:22:11: error: objective O1: critical task "a" needs a text`},
		{"UnknownInject", "        - { id: a, text: One., expectations: [I99.ack] }\n",
			`objective O1: critical task "a" links "I99.ack": write INJECT.EXPECTATION, naming an inject of the scenario`},
		{"UnknownExpectation", "        - { id: a, text: One., expectations: [I01.nope] }\n",
			`objective O1: critical task "a" links "I01.nope": inject I01 has no expectation "nope"`},
		{"OtherObjective", "        - { id: a, text: One., expectations: [I01.share] }\n",
			`x.yaml:22:47: error: objective O1: critical task "a" links I01.share, which scores objective "O2", not "O1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, new := withTasks(tc.tasks)
			_, problems := scenarios.Parse("x.yaml", exampleWith(t, old, new))
			if !problems.HasErrors() || !strings.Contains(problems.String(), tc.want) {
				t.Fatalf("problems:\n%s\nwant %q", problems, tc.want)
			}
		})
	}
}
