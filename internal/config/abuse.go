package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// abuseKeys are the settings that keep one misbehaving client from hurting
// the others (see docs/security.md).
var abuseKeys = []key{
	{name: "trusted_proxies", flag: "trusted-proxies", def: "", field: func(c *Config) *string { return &c.TrustedProxies }, check: checkProxies},
	{name: "max_sockets_per_ip", flag: "max-sockets-per-ip", def: "256", field: func(c *Config) *string { return &c.MaxSocketsPerIP }, check: checkSocketCap},
	{name: "session_quota", flag: "session-quota", def: "120/128KiB", field: func(c *Config) *string { return &c.SessionQuota }, check: checkQuota},
	{name: "team_quota", flag: "team-quota", def: "600/512KiB", field: func(c *Config) *string { return &c.TeamQuota }, check: checkQuota},
}

func init() { keys = append(keys, abuseKeys...) }

// checkProxies accepts a comma-separated list of CIDR prefixes and single
// addresses.
func checkProxies(v string) (string, error) {
	prefixes, err := parseProxies(v)
	if err != nil {
		return "", err
	}
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = p.String()
	}
	return strings.Join(out, ","), nil
}

// parseProxies parses checkProxies' list.
func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix such as 10.0.0.0/8", part)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix such as 10.0.0.0/8", part)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// TrustedProxyPrefixes is TrustedProxies parsed.
func (c Config) TrustedProxyPrefixes() []netip.Prefix {
	p, _ := parseProxies(c.TrustedProxies)
	return p
}

// checkSocketCap accepts a whole number from 0 (no cap) to 1,000,000.
func checkSocketCap(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 1_000_000 {
		return "", errors.New("must be a whole number of WebSockets, or 0 for no cap")
	}
	return strconv.Itoa(n), nil
}

// SocketsPerIP is MaxSocketsPerIP as a number; negative means no cap.
func (c Config) SocketsPerIP() int {
	n, _ := strconv.Atoi(c.MaxSocketsPerIP)
	if n == 0 {
		return -1
	}
	return n
}

// Quota is what one session or one team may send in a minute; negative
// fields mean no quota.
type Quota struct {
	Commands  int
	TextBytes int
}

// quotaUnits are the size suffixes a quota's text part may have.
var quotaUnits = []struct {
	suffix string
	bytes  int
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"B", 1}}

// parseQuota parses "COMMANDS/TEXT" (TEXT in bytes, or with a KiB or MiB
// suffix), where either part may be "off", or "off" for no quota at all.
func parseQuota(v string) (Quota, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		return Quota{-1, -1}, nil
	}
	cmds, text, ok := strings.Cut(v, "/")
	if !ok {
		return Quota{}, errors.New(`must be COMMANDS/TEXT a minute, such as 120/128KiB, or "off"`)
	}
	var q Quota
	var err error
	if q.Commands, err = quotaPart(cmds, nil); err != nil {
		return Quota{}, fmt.Errorf("commands: %w", err)
	}
	if q.TextBytes, err = quotaPart(text, quotaUnits); err != nil {
		return Quota{}, fmt.Errorf("text: %w", err)
	}
	return q, nil
}

// quotaPart parses one part of a quota: "off" (-1) or a positive number,
// with one of units' suffixes when units is given.
func quotaPart(v string, units []struct {
	suffix string
	bytes  int
}) (int, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		return -1, nil
	}
	mult := 1
	for _, u := range units {
		if s, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = strings.TrimSpace(s), u.bytes
			break
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > (1<<40)/mult {
		return 0, errors.New(`must be a positive number or "off"`)
	}
	return n * mult, nil
}

// checkQuota accepts what parseQuota parses.
func checkQuota(v string) (string, error) {
	if _, err := parseQuota(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

// SessionQuotas is SessionQuota parsed.
func (c Config) SessionQuotas() Quota {
	q, _ := parseQuota(c.SessionQuota)
	return q
}

// TeamQuotas is TeamQuota parsed.
func (c Config) TeamQuotas() Quota {
	q, _ := parseQuota(c.TeamQuota)
	return q
}
