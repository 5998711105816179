package report

import "cmesim/countries"

// countryName names a country so findings can say "spread to Peru" rather
// than "spread to PE": the English name of an OAS member state, from the
// one registry of member states. Other codes are shown as they are.
func countryName(code string) string {
	return countries.Name(code, "en")
}
