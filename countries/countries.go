// Package countries is the registry of the 35 member states of the
// Organization of American States (OAS): their ISO 3166-1 alpha-2 codes,
// names in English, Spanish, Portuguese and French, official languages
// (ISO 639-1), IANA time zones, capitals and, where one is publicly named,
// the national CSIRT. It is the one home of country facts in cmesim: the
// scenario validator, retargeting, invitations and reports all read it.
//
// Sources (all public):
//   - Names in the four languages, capitals and official languages: the
//     mledoze/countries data set (countries.json, "name.common" and
//     "translations.spa/por/fra.common", "capital", "languages"), 2026-04;
//     languages without an ISO 639-1 code (Belizean Creole, Jamaican Patois)
//     are left out, and the main language of government is listed first.
//   - Time zones: the IANA time zone database, zone.tab (release 2025b),
//     every zone of the country in the file's order, except that the zone of
//     the capital comes first where a country has several.
//   - National CSIRTs: the teams' own sites and government announcements
//     (ttcsirt.gov.tt, cirt.gy, jis.gov.jm for JaCIRT, gub.uy for CERTuy,
//     nacion.com on the decree creating CSIRT-CR, Ciberilatam 002 for
//     CERT.ar) and the CSIRTAmericas members' public names; left empty where
//     no public name could be confirmed.
package countries

import (
	"slices"
	"strings"

	// The registry's time zones must load on machines without a system
	// zoneinfo database (minimal containers, Windows).
	_ "time/tzdata"
)

// Names holds a country's short name in the four official languages of
// the OAS.
type Names struct {
	EN, ES, PT, FR string
}

// In returns the name in language lang ("en", "es", "pt" or "fr"), or the
// English name for any other language.
func (n Names) In(lang string) string {
	switch strings.ToLower(lang) {
	case "es":
		return n.ES
	case "pt":
		return n.PT
	case "fr":
		return n.FR
	}
	return n.EN
}

// All returns the names in every language, English first, without
// repeating a name shared by several languages.
func (n Names) All() []string {
	out := []string{n.EN}
	for _, s := range []string{n.ES, n.PT, n.FR} {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Country is one OAS member state.
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code, upper case.
	Code  string
	Names Names
	// Languages are the official languages as ISO 639-1 codes, the main
	// language of government first.
	Languages []string
	// TimeZones are the IANA time zones of the country, the capital's first.
	TimeZones []string
	// Capital is the capital's name in English.
	Capital string
	// CSIRT is the public name of the national CSIRT, empty when unknown.
	CSIRT string
}

// TimeZone returns the country's primary time zone (the capital's).
func (c Country) TimeZone() string { return c.TimeZones[0] }

// Language returns the country's main official language.
func (c Country) Language() string { return c.Languages[0] }

// HasTimeZone reports whether tz is one of the country's time zones.
func (c Country) HasTimeZone(tz string) bool { return slices.Contains(c.TimeZones, tz) }

// Lookup returns the member state with ISO 3166-1 alpha-2 code code
// (case-insensitive).
func Lookup(code string) (Country, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	i := slices.IndexFunc(members, func(c Country) bool { return c.Code == code })
	if i < 0 {
		return Country{}, false
	}
	return clone(members[i]), true
}

// IsMember reports whether code is the ISO code of an OAS member state.
func IsMember(code string) bool {
	_, ok := Lookup(code)
	return ok
}

// Name returns the name of the member state code in language lang, or
// code itself when it is not a member state.
func Name(code, lang string) string {
	if c, ok := Lookup(code); ok {
		return c.Names.In(lang)
	}
	return code
}

// All returns the 35 member states in the order of their English names.
func All() []Country {
	out := make([]Country, len(members))
	for i, c := range members {
		out[i] = clone(c)
	}
	return out
}

// Codes returns the ISO codes of the member states, in the order of All.
func Codes() []string {
	out := make([]string, len(members))
	for i, c := range members {
		out[i] = c.Code
	}
	return out
}

// clone copies c so that callers cannot change the registry.
func clone(c Country) Country {
	c.Languages = slices.Clone(c.Languages)
	c.TimeZones = slices.Clone(c.TimeZones)
	return c
}

// members lists the member states by English name.
var members = []Country{
	{Code: "AG", Names: Names{EN: "Antigua and Barbuda", ES: "Antigua y Barbuda", PT: "Antígua e Barbuda", FR: "Antigua-et-Barbuda"}, Languages: []string{"en"}, TimeZones: []string{"America/Antigua"}, Capital: "Saint John's", CSIRT: ""},
	{Code: "AR", Names: Names{EN: "Argentina", ES: "Argentina", PT: "Argentina", FR: "Argentine"}, Languages: []string{"es", "gn"}, TimeZones: []string{"America/Argentina/Buenos_Aires", "America/Argentina/Cordoba", "America/Argentina/Salta", "America/Argentina/Jujuy", "America/Argentina/Tucuman", "America/Argentina/Catamarca", "America/Argentina/La_Rioja", "America/Argentina/San_Juan", "America/Argentina/Mendoza", "America/Argentina/San_Luis", "America/Argentina/Rio_Gallegos", "America/Argentina/Ushuaia"}, Capital: "Buenos Aires", CSIRT: "CERT.ar"},
	{Code: "BS", Names: Names{EN: "Bahamas", ES: "Bahamas", PT: "Bahamas", FR: "Bahamas"}, Languages: []string{"en"}, TimeZones: []string{"America/Nassau"}, Capital: "Nassau", CSIRT: ""},
	{Code: "BB", Names: Names{EN: "Barbados", ES: "Barbados", PT: "Barbados", FR: "Barbade"}, Languages: []string{"en"}, TimeZones: []string{"America/Barbados"}, Capital: "Bridgetown", CSIRT: ""},
	{Code: "BZ", Names: Names{EN: "Belize", ES: "Belice", PT: "Belize", FR: "Belize"}, Languages: []string{"en", "es"}, TimeZones: []string{"America/Belize"}, Capital: "Belmopan", CSIRT: ""},
	{Code: "BO", Names: Names{EN: "Bolivia", ES: "Bolivia", PT: "Bolívia", FR: "Bolivie"}, Languages: []string{"es", "ay", "gn", "qu"}, TimeZones: []string{"America/La_Paz"}, Capital: "Sucre", CSIRT: ""},
	{Code: "BR", Names: Names{EN: "Brazil", ES: "Brasil", PT: "Brasil", FR: "Brésil"}, Languages: []string{"pt"}, TimeZones: []string{"America/Sao_Paulo", "America/Noronha", "America/Belem", "America/Fortaleza", "America/Recife", "America/Araguaina", "America/Maceio", "America/Bahia", "America/Campo_Grande", "America/Cuiaba", "America/Santarem", "America/Porto_Velho", "America/Boa_Vista", "America/Manaus", "America/Eirunepe", "America/Rio_Branco"}, Capital: "Brasília", CSIRT: "CERT.br"},
	{Code: "CA", Names: Names{EN: "Canada", ES: "Canadá", PT: "Canadá", FR: "Canada"}, Languages: []string{"en", "fr"}, TimeZones: []string{"America/Toronto", "America/St_Johns", "America/Halifax", "America/Glace_Bay", "America/Moncton", "America/Goose_Bay", "America/Blanc-Sablon", "America/Iqaluit", "America/Atikokan", "America/Winnipeg", "America/Resolute", "America/Rankin_Inlet", "America/Regina", "America/Swift_Current", "America/Edmonton", "America/Cambridge_Bay", "America/Inuvik", "America/Creston", "America/Dawson_Creek", "America/Fort_Nelson", "America/Whitehorse", "America/Dawson", "America/Vancouver"}, Capital: "Ottawa", CSIRT: ""},
	{Code: "CL", Names: Names{EN: "Chile", ES: "Chile", PT: "Chile", FR: "Chili"}, Languages: []string{"es"}, TimeZones: []string{"America/Santiago", "America/Coyhaique", "America/Punta_Arenas", "Pacific/Easter"}, Capital: "Santiago", CSIRT: ""},
	{Code: "CO", Names: Names{EN: "Colombia", ES: "Colombia", PT: "Colômbia", FR: "Colombie"}, Languages: []string{"es"}, TimeZones: []string{"America/Bogota"}, Capital: "Bogotá", CSIRT: "colCERT"},
	{Code: "CR", Names: Names{EN: "Costa Rica", ES: "Costa Rica", PT: "Costa Rica", FR: "Costa Rica"}, Languages: []string{"es"}, TimeZones: []string{"America/Costa_Rica"}, Capital: "San José", CSIRT: "CSIRT-CR"},
	{Code: "CU", Names: Names{EN: "Cuba", ES: "Cuba", PT: "Cuba", FR: "Cuba"}, Languages: []string{"es"}, TimeZones: []string{"America/Havana"}, Capital: "Havana", CSIRT: ""},
	{Code: "DM", Names: Names{EN: "Dominica", ES: "Dominica", PT: "Dominica", FR: "Dominique"}, Languages: []string{"en"}, TimeZones: []string{"America/Dominica"}, Capital: "Roseau", CSIRT: ""},
	{Code: "DO", Names: Names{EN: "Dominican Republic", ES: "República Dominicana", PT: "República Dominicana", FR: "République dominicaine"}, Languages: []string{"es"}, TimeZones: []string{"America/Santo_Domingo"}, Capital: "Santo Domingo", CSIRT: ""},
	{Code: "EC", Names: Names{EN: "Ecuador", ES: "Ecuador", PT: "Equador", FR: "Équateur"}, Languages: []string{"es"}, TimeZones: []string{"America/Guayaquil", "Pacific/Galapagos"}, Capital: "Quito", CSIRT: "EcuCERT"},
	{Code: "SV", Names: Names{EN: "El Salvador", ES: "El Salvador", PT: "El Salvador", FR: "Salvador"}, Languages: []string{"es"}, TimeZones: []string{"America/El_Salvador"}, Capital: "San Salvador", CSIRT: ""},
	{Code: "GD", Names: Names{EN: "Grenada", ES: "Grenada", PT: "Granada", FR: "Grenade"}, Languages: []string{"en"}, TimeZones: []string{"America/Grenada"}, Capital: "St. George's", CSIRT: ""},
	{Code: "GT", Names: Names{EN: "Guatemala", ES: "Guatemala", PT: "Guatemala", FR: "Guatemala"}, Languages: []string{"es"}, TimeZones: []string{"America/Guatemala"}, Capital: "Guatemala City", CSIRT: ""},
	{Code: "GY", Names: Names{EN: "Guyana", ES: "Guyana", PT: "Guiana", FR: "Guyana"}, Languages: []string{"en"}, TimeZones: []string{"America/Guyana"}, Capital: "Georgetown", CSIRT: "CIRT.GY"},
	{Code: "HT", Names: Names{EN: "Haiti", ES: "Haití", PT: "Haiti", FR: "Haïti"}, Languages: []string{"fr", "ht"}, TimeZones: []string{"America/Port-au-Prince"}, Capital: "Port-au-Prince", CSIRT: ""},
	{Code: "HN", Names: Names{EN: "Honduras", ES: "Honduras", PT: "Honduras", FR: "Honduras"}, Languages: []string{"es"}, TimeZones: []string{"America/Tegucigalpa"}, Capital: "Tegucigalpa", CSIRT: ""},
	{Code: "JM", Names: Names{EN: "Jamaica", ES: "Jamaica", PT: "Jamaica", FR: "Jamaïque"}, Languages: []string{"en"}, TimeZones: []string{"America/Jamaica"}, Capital: "Kingston", CSIRT: "JaCIRT"},
	{Code: "MX", Names: Names{EN: "Mexico", ES: "México", PT: "México", FR: "Mexique"}, Languages: []string{"es"}, TimeZones: []string{"America/Mexico_City", "America/Cancun", "America/Merida", "America/Monterrey", "America/Matamoros", "America/Chihuahua", "America/Ciudad_Juarez", "America/Ojinaga", "America/Mazatlan", "America/Bahia_Banderas", "America/Hermosillo", "America/Tijuana"}, Capital: "Mexico City", CSIRT: "CERT-MX"},
	{Code: "NI", Names: Names{EN: "Nicaragua", ES: "Nicaragua", PT: "Nicarágua", FR: "Nicaragua"}, Languages: []string{"es"}, TimeZones: []string{"America/Managua"}, Capital: "Managua", CSIRT: ""},
	{Code: "PA", Names: Names{EN: "Panama", ES: "Panamá", PT: "Panamá", FR: "Panama"}, Languages: []string{"es"}, TimeZones: []string{"America/Panama"}, Capital: "Panama City", CSIRT: "CSIRT Panamá"},
	{Code: "PY", Names: Names{EN: "Paraguay", ES: "Paraguay", PT: "Paraguai", FR: "Paraguay"}, Languages: []string{"es", "gn"}, TimeZones: []string{"America/Asuncion"}, Capital: "Asunción", CSIRT: ""},
	{Code: "PE", Names: Names{EN: "Peru", ES: "Perú", PT: "Perú", FR: "Pérou"}, Languages: []string{"es", "ay", "qu"}, TimeZones: []string{"America/Lima"}, Capital: "Lima", CSIRT: ""},
	{Code: "KN", Names: Names{EN: "Saint Kitts and Nevis", ES: "San Cristóbal y Nieves", PT: "São Cristóvão e Nevis", FR: "Saint-Christophe-et-Niévès"}, Languages: []string{"en"}, TimeZones: []string{"America/St_Kitts"}, Capital: "Basseterre", CSIRT: ""},
	{Code: "LC", Names: Names{EN: "Saint Lucia", ES: "Santa Lucía", PT: "Santa Lúcia", FR: "Sainte-Lucie"}, Languages: []string{"en"}, TimeZones: []string{"America/St_Lucia"}, Capital: "Castries", CSIRT: ""},
	{Code: "VC", Names: Names{EN: "Saint Vincent and the Grenadines", ES: "San Vicente y Granadinas", PT: "São Vincente e Granadinas", FR: "Saint-Vincent-et-les-Grenadines"}, Languages: []string{"en"}, TimeZones: []string{"America/St_Vincent"}, Capital: "Kingstown", CSIRT: ""},
	{Code: "SR", Names: Names{EN: "Suriname", ES: "Surinam", PT: "Suriname", FR: "Surinam"}, Languages: []string{"nl"}, TimeZones: []string{"America/Paramaribo"}, Capital: "Paramaribo", CSIRT: ""},
	{Code: "TT", Names: Names{EN: "Trinidad and Tobago", ES: "Trinidad y Tobago", PT: "Trinidade e Tobago", FR: "Trinité-et-Tobago"}, Languages: []string{"en"}, TimeZones: []string{"America/Port_of_Spain"}, Capital: "Port of Spain", CSIRT: "TT-CSIRT"},
	{Code: "US", Names: Names{EN: "United States", ES: "Estados Unidos", PT: "Estados Unidos", FR: "États-Unis"}, Languages: []string{"en"}, TimeZones: []string{"America/New_York", "America/Detroit", "America/Kentucky/Louisville", "America/Kentucky/Monticello", "America/Indiana/Indianapolis", "America/Indiana/Vincennes", "America/Indiana/Winamac", "America/Indiana/Marengo", "America/Indiana/Petersburg", "America/Indiana/Vevay", "America/Chicago", "America/Indiana/Tell_City", "America/Indiana/Knox", "America/Menominee", "America/North_Dakota/Center", "America/North_Dakota/New_Salem", "America/North_Dakota/Beulah", "America/Denver", "America/Boise", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "America/Juneau", "America/Sitka", "America/Metlakatla", "America/Yakutat", "America/Nome", "America/Adak", "Pacific/Honolulu"}, Capital: "Washington D.C.", CSIRT: ""},
	{Code: "UY", Names: Names{EN: "Uruguay", ES: "Uruguay", PT: "Uruguai", FR: "Uruguay"}, Languages: []string{"es"}, TimeZones: []string{"America/Montevideo"}, Capital: "Montevideo", CSIRT: "CERTuy"},
	{Code: "VE", Names: Names{EN: "Venezuela", ES: "Venezuela", PT: "Venezuela", FR: "Venezuela"}, Languages: []string{"es"}, TimeZones: []string{"America/Caracas"}, Capital: "Caracas", CSIRT: ""},
}
