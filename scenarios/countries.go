package scenarios

import (
	"slices"
	"strings"

	"cmesim/countries"
)

// countryCodes holds the ISO 3166-1 alpha-2 codes, two letters each.
const countryCodes = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

// isCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func isCountry(code string) bool {
	return len(code) == 2 && strings.Contains(countryCodes, code) && strings.Index(countryCodes, code)%3 == 0
}

// teamCountry warns when a team's country is a valid ISO code but not an
// OAS member state (the exercises are written for the OAS's CSIRTs, and
// only member states give defaults), and checks the team's languages.
func (v *validator) teamCountry(t *Team) {
	if isCountry(t.Country) && !countries.IsMember(t.Country) {
		v.warnf(t.Pos.Field("country"), "team %s: %s is not an OAS member state; it gives no default time zone or languages", t.ID, t.Country)
	}
	for i, l := range t.Languages {
		if !langPattern.MatchString(l) {
			v.errorf(t.Pos.Item("languages", i), "team %s: language %q must be a two-letter ISO 639-1 code such as en, es, pt or fr", t.ID, l)
		}
	}
}

// applyCountryDefaults gives a team of an OAS member state the country's
// primary time zone and official languages when the scenario leaves them
// out.
func applyCountryDefaults(t *Team) {
	c, ok := countries.Lookup(t.Country)
	if !ok {
		return
	}
	if t.TimeZone == "" {
		t.TimeZone = c.TimeZone()
	}
	if len(t.Languages) == 0 {
		t.Languages = slices.Clone(c.Languages)
	}
}
