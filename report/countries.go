package report

// countryNames names the member states of the Organization of American
// States, whose national CSIRTs the exercises are written for, so findings
// can say "spread to Peru" rather than "spread to PE". Other codes are shown
// as they are.
var countryNames = map[string]string{
	"AG": "Antigua and Barbuda", "AR": "Argentina", "BS": "The Bahamas", "BB": "Barbados",
	"BZ": "Belize", "BO": "Bolivia", "BR": "Brazil", "CA": "Canada", "CL": "Chile",
	"CO": "Colombia", "CR": "Costa Rica", "CU": "Cuba", "DM": "Dominica",
	"DO": "Dominican Republic", "EC": "Ecuador", "SV": "El Salvador", "GD": "Grenada",
	"GT": "Guatemala", "GY": "Guyana", "HT": "Haiti", "HN": "Honduras", "JM": "Jamaica",
	"MX": "Mexico", "NI": "Nicaragua", "PA": "Panama", "PY": "Paraguay", "PE": "Peru",
	"KN": "Saint Kitts and Nevis", "LC": "Saint Lucia", "VC": "Saint Vincent and the Grenadines",
	"SR": "Suriname", "TT": "Trinidad and Tobago", "US": "United States", "UY": "Uruguay",
	"VE": "Venezuela",
}

// countryName returns the name of an ISO 3166-1 alpha-2 code, or the code.
func countryName(code string) string {
	if n, ok := countryNames[code]; ok {
		return n
	}
	return code
}
