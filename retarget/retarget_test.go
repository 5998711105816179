package retarget

import (
	"slices"
	"strings"
	"testing"

	"cmesim/countries"
	"cmesim/engine"
	"cmesim/scenarios"
)

func load(t *testing.T, name string) (*scenarios.Scenario, []byte) {
	t.Helper()
	s, problems := scenarios.LoadLibrary(name)
	if s == nil {
		t.Fatalf("%s: %v", name, problems)
	}
	src, err := scenarios.LibrarySource(name)
	if err != nil {
		t.Fatal(err)
	}
	return s, src
}

func retarget(t *testing.T, name, mapping string) *scenarios.Scenario {
	t.Helper()
	s, src := load(t, name)
	m, err := ParseMap(mapping)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Scenario(s, src, m)
	if err != nil {
		t.Fatal(err)
	}
	r, problems := scenarios.ParseWith(name+"-retargeted.yaml", out, scenarios.LibraryFiles())
	if r == nil {
		t.Fatalf("%s retargeted with %s is invalid: %v", name, mapping, problems)
	}
	return r
}

// regionMap maps every member state the scenario names to another, unused
// one, Caribbean states first; when a network-scale scenario names more
// states than remain unused, the states left over stay where they are.
func regionMap(s *scenarios.Scenario) string {
	used := map[string]bool{}
	for _, tm := range s.Teams {
		used[tm.Country] = true
	}
	for _, a := range s.Actors {
		used[a.Country] = true
	}
	free := []string{"JM", "TT", "BS", "BB", "DM", "KN", "LC", "VC", "GD", "AG", "GY", "SR", "BZ", "HT", "HN", "NI", "GT", "SV", "MX", "DO", "CU", "VE", "CA", "US"}
	var pairs []string
	var codes []string
	for c := range used {
		if countries.IsMember(c) {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	for _, c := range codes {
		for len(free) > 0 && used[free[0]] {
			free = free[1:]
		}
		if len(free) == 0 {
			break
		}
		pairs = append(pairs, c+"="+free[0])
		free = free[1:]
	}
	return strings.Join(pairs, ",")
}

func TestRetargetEveryBundledScenarioValidatesAndRuns(t *testing.T) {
	for _, name := range scenarios.Library() {
		t.Run(name, func(t *testing.T) {
			s, _ := load(t, name)
			mapping := regionMap(s)
			r := retarget(t, name, mapping)
			m, _ := ParseMap(mapping)
			for i, tm := range r.Teams {
				old := s.Teams[i]
				if to, moved := m[old.Country]; moved {
					c, _ := countries.Lookup(to)
					if tm.Country != to {
						t.Errorf("team %s: country %s, want %s", tm.ID, tm.Country, to)
					}
					if !c.HasTimeZone(tm.TimeZone) {
						t.Errorf("team %s: time zone %s is not one of %s's", tm.ID, tm.TimeZone, to)
					}
				}
			}
			if len(r.Injects) != len(s.Injects) || len(r.Teams) != len(s.Teams) {
				t.Fatalf("retargeting lost parts: %d injects, %d teams", len(r.Injects), len(r.Teams))
			}
			x, err := engine.New(r, engine.Options{Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if err := x.RunToEnd(); err != nil {
				t.Fatal(err)
			}
			sum := x.Summarize()
			if sum.Status != engine.StatusEnded || sum.Delivered == 0 {
				t.Errorf("run: status %s, %d injects delivered", sum.Status, sum.Delivered)
			}
		})
	}
}

func TestRetargetColombiaToJamaica(t *testing.T) {
	r := retarget(t, "grid-ransomware", "co=jm,ec=tt")
	jm, ok := r.Team("jm-csirt")
	if !ok {
		t.Fatal("co-csirt was not renamed jm-csirt")
	}
	if jm.Name != "JaCIRT" || jm.Country != "JM" || jm.TimeZone != "America/Jamaica" || strings.Join(jm.Languages, ",") != "en" {
		t.Errorf("jm-csirt = %s %s %s %v", jm.Name, jm.Country, jm.TimeZone, jm.Languages)
	}
	tt, ok := r.Team("tt-csirt")
	if !ok || tt.Name != "TT-CSIRT" || tt.TimeZone != "America/Port_of_Spain" {
		t.Errorf("tt-csirt = %+v", tt)
	}
	if _, ok := r.Team("co-energy"); ok {
		t.Error("co-energy kept its Colombian id")
	}
	mme, ok := r.Actor("mme-jm")
	if !ok || mme.Name != "Ministry of Mines and Energy (Jamaica), crisis cell" || mme.Country != "JM" {
		t.Errorf("mme-jm = %+v", mme)
	}
	var text strings.Builder
	for _, in := range r.Injects {
		text.WriteString(in.Title + "\n" + in.Body + "\n")
		for _, tr := range in.Translations {
			text.WriteString(tr.Title + "\n" + tr.Body + "\n")
		}
		for _, to := range in.To {
			if to == "co-csirt" || to == "ec-csirt" {
				t.Errorf("inject %s still sent to %s", in.ID, to)
			}
		}
	}
	all := text.String()
	for _, gone := range []string{"Colombia", "Ecuador", "colCERT", "EcuCERT"} {
		if containsWord(all, gone) {
			t.Errorf("injects still name %s", gone)
		}
	}
	if !strings.Contains(all, "Can JaCIRT warn Panama") || !strings.Contains(all, "de turno de JaCIRT") {
		t.Error("injects do not name the new team")
	}
	if d := r.Exercise.Description; !strings.Contains(d, "utilities in Trinidad and Tobago and Panama") || !strings.Contains(d, "the Colombian transmission") {
		t.Errorf("description: country names not replaced, or adjectives changed:\n%s", d)
	}
	// Unrelated text stays: Panama is not mapped.
	if !strings.Contains(all, "Panam") {
		t.Error("text about Panama was changed")
	}
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		if wordAt(s, i+j, i+j+len(w)) {
			return true
		}
		i += j + len(w)
	}
}

func TestRetargetSwapsCountries(t *testing.T) {
	r := retarget(t, "grid-ransomware", "co=pe,pe=co")
	pe, ok := r.Team("pe-csirt")
	if !ok || pe.Country != "PE" || pe.Name != "CSIRT Nacional (Peru)" && pe.Name != "National CSIRT (Peru)" {
		t.Errorf("pe-csirt after the swap = %+v", pe)
	}
	co, ok := r.Team("co-csirt")
	if !ok || co.Country != "CO" || co.Name != "colCERT" || co.TimeZone != "America/Bogota" {
		t.Errorf("co-csirt after the swap = %+v", co)
	}
}

func TestParseMapRejectsBadMaps(t *testing.T) {
	for _, bad := range []string{"", "co", "co=fr", "xx=jm", "co=jm,co=tt", "co=jm,ec=jm"} {
		if _, err := ParseMap(bad); err == nil {
			t.Errorf("ParseMap(%q) accepted", bad)
		}
	}
	m, err := ParseMap(" CO=jm , ec=TT ")
	if err != nil || m["CO"] != "JM" || m["EC"] != "TT" || m.String() != "co=jm,ec=tt" {
		t.Errorf("ParseMap = %v, %v", m, err)
	}
}

func TestRetargetRefusesToMergeIntoAStayingCountry(t *testing.T) {
	s, src := load(t, "grid-ransomware")
	m, _ := ParseMap("co=pe")
	if _, err := Scenario(s, src, m); err == nil || !strings.Contains(err.Error(), "PE already has teams") {
		t.Errorf("err = %v", err)
	}
}

func TestRenameID(t *testing.T) {
	for _, c := range [][3]string{{"co-csirt", "jm-csirt"}, {"mme-co", "mme-jm"}, {"police_co", "police_jm"}, {"cocert", "cocert"}, {"co", "jm"}} {
		if got := renameID(c[0], "CO", "JM"); got != c[1] {
			t.Errorf("renameID(%s) = %s, want %s", c[0], got, c[1])
		}
	}
}
