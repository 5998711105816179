package config_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"cmesim/internal/config"
)

// TestAbuseSettings: trusted proxies, the socket cap per address and the
// quotas load from a file and the environment, with their defaults, and
// bad values are refused with the key named.
func TestAbuseSettings(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		cfg := config.Default()
		if got := cfg.TrustedProxyPrefixes(); len(got) != 0 {
			t.Errorf("trusted proxies by default: %v", got)
		}
		if got, want := cfg.SocketsPerIP(), 256; got != want {
			t.Errorf("SocketsPerIP=%d, want %d", got, want)
		}
		if got, want := cfg.SessionQuotas(), (config.Quota{Commands: 120, TextBytes: 128 << 10}); got != want {
			t.Errorf("SessionQuotas=%+v, want %+v", got, want)
		}
		if got, want := cfg.TeamQuotas(), (config.Quota{Commands: 600, TextBytes: 512 << 10}); got != want {
			t.Errorf("TeamQuotas=%+v, want %+v", got, want)
		}
	})
	t.Run("Set", func(t *testing.T) {
		file := writeFile(t, "trusted_proxies: 10.0.0.0/8, 192.0.2.7 ,::ffff:198.51.100.0/120\nmax_sockets_per_ip: 0\nsession_quota: 30/4096\n")
		cfg, err := config.LoadFrom(newFlags(t), env(map[string]string{"CMESIM_TEAM_QUOTA": "off/2MiB"}), file, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("198.51.100.0/24")}
		if got := cfg.TrustedProxyPrefixes(); !slices.Equal(got, want) {
			t.Errorf("TrustedProxyPrefixes=%v, want %v", got, want)
		}
		if got := cfg.SocketsPerIP(); got >= 0 {
			t.Errorf("max_sockets_per_ip 0 gave a cap of %d, want none (negative)", got)
		}
		if got, want := cfg.SessionQuotas(), (config.Quota{Commands: 30, TextBytes: 4096}); got != want {
			t.Errorf("SessionQuotas=%+v, want %+v", got, want)
		}
		if got, want := cfg.TeamQuotas(), (config.Quota{Commands: -1, TextBytes: 2 << 20}); got != want {
			t.Errorf("TeamQuotas=%+v, want %+v", got, want)
		}
		off, err := config.LoadFrom(newFlags(t), env(map[string]string{"CMESIM_SESSION_QUOTA": "OFF"}), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := off.SessionQuotas(), (config.Quota{Commands: -1, TextBytes: -1}); got != want {
			t.Errorf("SessionQuotas=%+v, want %+v", got, want)
		}
	})
	for _, c := range []struct{ name, env, value, want string }{
		{"ProxyNotAnAddress", "CMESIM_TRUSTED_PROXIES", "10.0.0.0/8,proxy.example", `"proxy.example" is neither an address nor a CIDR prefix`},
		{"ProxyBadPrefix", "CMESIM_TRUSTED_PROXIES", "10.0.0.0/33", "not a CIDR prefix"},
		{"NegativeSocketCap", "CMESIM_MAX_SOCKETS_PER_IP", "-1", "or 0 for no cap"},
		{"QuotaWithoutText", "CMESIM_SESSION_QUOTA", "120", "COMMANDS/TEXT"},
		{"QuotaZero", "CMESIM_TEAM_QUOTA", "0/1KiB", "commands: must be a positive number"},
		{"QuotaBadUnit", "CMESIM_TEAM_QUOTA", "10/1GB", "text: must be a positive number"},
	} {
		t.Run("Err"+c.name, func(t *testing.T) {
			_, err := config.LoadFrom(newFlags(t), env(map[string]string{c.env: c.value}), "", nil)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "environment variable "+c.env) {
				t.Fatalf("err=%v, want one naming %s and saying %q", err, c.env, c.want)
			}
		})
	}
}
