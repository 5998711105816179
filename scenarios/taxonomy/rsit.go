package taxonomy

// rsit is the Reference Security Incident Taxonomy of the ENISA / TF-CSIRT
// working group (version 1.3, 2021; MISP namespace "rsit"): its
// classifications and types with their identifiers. The labels are
// cmesim's own English wording.
var rsit = &Taxonomy{
	ID:   "rsit",
	Name: "Reference Security Incident Taxonomy (RSIT)",
	Classes: []Classification{
		{ID: "abusive-content", Label: "Abusive content", Types: []Type{
			{ID: "spam", Label: "Spam"},
			{ID: "harmful-speech", Label: "Harmful speech"},
			{ID: "violence", Label: "Sexual exploitation, sexual or violent content"},
		}},
		{ID: "malicious-code", Label: "Malicious code", Types: []Type{
			{ID: "infected-system", Label: "Infected system"},
			{ID: "c2-server", Label: "Command-and-control server"},
			{ID: "malware-distribution", Label: "Malware distribution"},
			{ID: "malware-configuration", Label: "Malware configuration"},
		}},
		{ID: "information-gathering", Label: "Information gathering", Types: []Type{
			{ID: "scanner", Label: "Scanning"},
			{ID: "sniffing", Label: "Sniffing"},
			{ID: "social-engineering", Label: "Social engineering"},
		}},
		{ID: "intrusion-attempts", Label: "Intrusion attempts", Types: []Type{
			{ID: "ids-alert", Label: "Exploitation of a known vulnerability"},
			{ID: "brute-force", Label: "Login attempts"},
			{ID: "exploit", Label: "New attack signature"},
		}},
		{ID: "intrusions", Label: "Intrusions", Types: []Type{
			{ID: "privileged-account-compromise", Label: "Privileged account compromise"},
			{ID: "unprivileged-account-compromise", Label: "Unprivileged account compromise"},
			{ID: "application-compromise", Label: "Application compromise"},
			{ID: "system-compromise", Label: "System compromise"},
			{ID: "burglary", Label: "Burglary"},
		}},
		{ID: "availability", Label: "Availability", Types: []Type{
			{ID: "dos", Label: "Denial of service"},
			{ID: "ddos", Label: "Distributed denial of service"},
			{ID: "misconfiguration", Label: "Misconfiguration"},
			{ID: "sabotage", Label: "Sabotage"},
			{ID: "outage", Label: "Outage"},
		}},
		{ID: "information-content-security", Label: "Information content security", Types: []Type{
			{ID: "unauthorised-information-access", Label: "Unauthorised access to information"},
			{ID: "unauthorised-information-modification", Label: "Unauthorised modification of information"},
			{ID: "data-loss", Label: "Data loss"},
			{ID: "data-leak", Label: "Leak of confidential information"},
		}},
		{ID: "fraud", Label: "Fraud", Types: []Type{
			{ID: "unauthorised-use-of-resources", Label: "Unauthorised use of resources"},
			{ID: "copyright", Label: "Copyright"},
			{ID: "masquerade", Label: "Masquerade"},
			{ID: "phishing", Label: "Phishing"},
		}},
		{ID: "vulnerable", Label: "Vulnerable", Types: []Type{
			{ID: "weak-crypto", Label: "Weak cryptography"},
			{ID: "ddos-amplifier", Label: "DDoS amplifier"},
			{ID: "potentially-unwanted-accessible", Label: "Potentially unwanted accessible service"},
			{ID: "information-disclosure", Label: "Information disclosure"},
			{ID: "vulnerable-system", Label: "Vulnerable system"},
		}},
		{ID: "other", Label: "Other", Types: []Type{
			{ID: "other", Label: "Uncategorised"},
			{ID: "undetermined", Label: "Undetermined"},
		}},
		{ID: "test", Label: "Test", Types: []Type{
			{ID: "test", Label: "Test"},
		}},
	},
}
