// Package msel turns a scenario into a master scenario events list (MSEL)
// workbook, one sheet per part with the column headings exercise planners
// use (HSEEP), and reads such a workbook back into a scenario, reporting
// every problem at its cell ("file.xlsx:Injects!C14: error: ...").
//
// The conversion works on the YAML document, not on the decoded scenario,
// so a round trip keeps every value as it was written: YAML -> workbook ->
// YAML gives the same scenario. A cell holds a single value as text; a list
// of ids or codes is written comma-separated ("co-csirt, pe-csirt"); a
// structured value (a trigger, working hours, response times, an on_miss
// consequence, rating thresholds) is written in YAML flow style, such as
// {after: I01, delay: 20m}.
package msel

// kind says how a column's cells hold their value.
type kind int

const (
	// scalar cells hold one value as text.
	scalar kind = iota
	// list cells hold comma-separated values, or a YAML flow list.
	list
	// flow cells hold a YAML flow value: a mapping or a list of mappings.
	flow
	// derived cells are written for the reader and ignored on import.
	derived
)

// column is one column of a sheet: its heading and the key (dotted for
// nested mappings) of the row's YAML mapping it holds.
type column struct {
	heading string
	key     string
	kind    kind
}

// listSheet describes a sheet whose rows are the items of a YAML list.
// Child sheets (Critical tasks, Expectations, Attachments, Spreads) hold lists nested in
// the items of a parent list; their first column names the parent item.
type listSheet struct {
	name string
	// path is the list's place in the document ("teams", "network.links",
	// "exercise.objectives"), or the parent list's for a child sheet.
	path string
	// child is the key of the nested list in each parent item; parent is
	// the heading of the column naming the parent's id.
	child, parent string
	// single says the child key holds one mapping, not a list (a
	// decision): a parent item has at most one row.
	single  bool
	columns []column
}

// Sheet names.
const (
	sheetExercise     = "Exercise"
	sheetTranslations = "Translations"
	sheetInjects      = "Injects"
)

// exerciseKinds gives the kind of the exercise fields that are not single
// values; every other field of the Exercise sheet is a scalar.
// The library tags have a row each (tags.sectors, tags.level,
// tags.difficulty).
var exerciseKinds = map[string]kind{"languages": list, "scoring": flow, "translations": flow, "tags.sectors": list}

// listSheets are the list sheets in workbook order; the Exercise sheet comes
// first and the Translations sheet last.
var listSheets = []listSheet{
	{name: "Objectives", path: "exercise.objectives", columns: []column{
		{"ID", "id", scalar}, {"Objective", "text", scalar}, {"Capability", "capability", scalar}, {"Rating", "rating", flow},
		{"Translations", "translations", flow},
	}},
	{name: "Critical tasks", path: "exercise.objectives", child: "critical_tasks", parent: "Objective", columns: []column{
		{"Objective", "", scalar}, {"ID", "id", scalar}, {"Task", "text", scalar}, {"Expectations", "expectations", list},
		{"Translations", "translations", flow},
	}},
	{name: "Teams", path: "teams", columns: []column{
		{"ID", "id", scalar}, {"Name", "name", scalar}, {"Country", "country", scalar}, {"Time zone", "timezone", scalar},
		{"Languages", "languages", list}, {"Sector", "sector", scalar}, {"Analysts", "profile.analysts", scalar},
		{"Skill", "profile.skill", scalar}, {"Working hours", "profile.working_hours", flow}, {"Response times", "profile.response", flow},
		{"Replies", "replies", flow}, {"Translations", "translations", flow},
	}},
	{name: "Actors", path: "actors", columns: []column{
		{"ID", "id", scalar}, {"Name", "name", scalar}, {"Kind", "kind", scalar}, {"Country", "country", scalar},
		{"Replies", "replies", flow}, {"Translations", "translations", flow},
	}},
	{name: "Groups", path: "groups", columns: []column{
		{"ID", "id", scalar}, {"Name", "name", scalar}, {"Members", "members", list},
		{"Translations", "translations", flow},
	}},
	{name: "Network", path: "network.links", columns: []column{
		{"Between", "between", list}, {"TLP", "tlp", list},
	}},
	{name: "Incidents", path: "incidents", columns: []column{
		{"ID", "id", scalar}, {"Title", "title", scalar}, {"Sector", "sector", scalar}, {"Origin", "origin", scalar},
		{"Translations", "translations", flow},
	}},
	{name: "Spreads", path: "incidents", child: "spread", parent: "Incident", columns: []column{
		{"Incident", "", scalar}, {"ID", "id", scalar}, {"To", "to", scalar}, {"Sector", "sector", scalar},
		{"When", "when", flow}, {"Inject", "inject", scalar},
	}},
	{name: sheetInjects, path: "injects", columns: []column{
		{"Number", "id", scalar}, {"Title", "title", scalar}, {"Type", "", derived}, {"Time", "at", scalar},
		{"Trigger", "trigger", flow}, {"Incident", "incident", scalar}, {"Method", "channel", scalar},
		{"From", "from", scalar}, {"To", "to", list}, {"Severity", "severity", scalar}, {"TLP", "tlp", scalar},
		{"Description", "body", scalar}, {"Controller notes", "controller_notes", scalar}, {"Wall", "wall", flow},
	}},
	{name: "Expectations", path: "injects", child: "expectations", parent: "Inject", columns: []column{
		{"Inject", "", scalar}, {"ID", "id", scalar}, {"Expected action", "action", scalar}, {"Within", "within", scalar},
		{"Points", "points", scalar}, {"Objective", "objective", scalar}, {"Category", "category", scalar},
		{"Severity", "severity", scalar}, {"Escalate to", "to", scalar}, {"Share with", "with", list}, {"TLP", "tlp", scalar},
		{"Prompt", "prompt", scalar}, {"Criteria", "criteria", scalar}, {"Judged", "judged", scalar}, {"Legacy description", "description", scalar},
		{"On miss", "on_miss", flow},
	}},
	{name: "Attachments", path: "injects", child: "attachments", parent: "Inject", columns: []column{
		{"Inject", "", scalar}, {"Name", "name", scalar}, {"Kind", "kind", scalar}, {"Content", "content", scalar},
		{"File", "file", scalar}, {"Translations", "translations", flow},
	}},
	{name: "Decisions", path: "injects", child: "decision", parent: "Inject", single: true, columns: []column{
		{"Inject", "", scalar}, {"ID", "id", scalar}, {"Prompt", "prompt", scalar}, {"Decided by", "by", scalar},
		{"Within", "within", scalar}, {"Default", "default", scalar}, {"Choices", "choices", flow},
		{"Translations", "translations", flow},
	}},
	{name: "Taxonomies", path: "taxonomies", columns: []column{
		{"ID", "id", scalar}, {"Name", "name", scalar}, {"Classifications", "classifications", flow},
	}},
	{name: "Hot wash", path: "hot_wash", columns: []column{
		{"ID", "id", scalar}, {"Kind", "kind", scalar}, {"Question", "text", scalar}, {"Translations", "translations", flow},
	}},
}

// translationHeadings are the columns of the Translations sheet: inject
// translations fill Title and Text (the body); expectation translations
// name the expectation and fill Text (the prompt).
var translationHeadings = []string{"Inject", "Expectation", "Language", "Title", "Text"}

// exerciseHeadings are the columns of the Exercise sheet.
var exerciseHeadings = []string{"Field", "Value"}

// injectType is the HSEEP event type shown in the Injects sheet's Type
// column: what releases the inject.
func injectType(hasAt, hasTrigger bool) string {
	switch {
	case hasAt:
		return "timed"
	case hasTrigger:
		return "triggered"
	}
	return "contingency"
}
