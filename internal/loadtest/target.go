package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckLoopback parses the URL of a server to load and refuses anything
// but plain HTTP(S) on this machine's loopback interface (127.0.0.0/8, ::1
// or the name localhost): the tool opens thousands of connections and must
// never be pointed at another machine. It returns the URL reduced to scheme
// and host.
func CheckLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("--url %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url %q: use http://HOST:PORT (or https://)", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--url %q: give only the scheme, host and port of the server", raw)
	}
	host := u.Hostname()
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("--url %q: %q is not a loopback address; the load tool only loads a server on this machine (127.0.0.0/8, ::1 or localhost)", raw, host)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// isLoopbackHost reports whether host is localhost or a loopback IP
// literal. Other names are refused without asking DNS what they mean.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// resolveLoopback turns a checked URL's host into a loopback IP literal
// (localhost is looked up; every address it has must be loopback, and
// IPv4 is preferred), so that every connection of the run goes to an
// address that was checked.
func resolveLoopback(ctx context.Context, u *url.URL) (*url.URL, net.IP, error) {
	host, port := u.Hostname(), u.Port()
	ip := net.ParseIP(host)
	if ip == nil {
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, nil, fmt.Errorf("resolving %s: %w", host, err)
		}
		for _, a := range addrs {
			if !a.IP.IsLoopback() {
				return nil, nil, fmt.Errorf("%s resolves to %s, which is not a loopback address", host, a.IP)
			}
			if ip == nil || (ip.To4() == nil && a.IP.To4() != nil) {
				ip = a.IP
			}
		}
		if ip == nil {
			return nil, nil, fmt.Errorf("%s has no address", host)
		}
	}
	if !ip.IsLoopback() {
		return nil, nil, errors.New("not a loopback address: " + ip.String())
	}
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return &url.URL{Scheme: u.Scheme, Host: net.JoinHostPort(ip.String(), port)}, ip, nil
}

// joinsPerSource is how many participants share one source address.
const joinsPerSource = 8

// sourceAddr returns the local address participant i connects from when
// the server is on IPv4 loopback. Linux routes all of 127.0.0.0/8 to the
// loopback interface, so participants are spread over 127.1.x.y, eight to
// an address, like browsers on different machines: the server's per-IP
// limits (failed sign-ins, messages of all connections from one address)
// see a realistic spread rather than one host with thousands of
// connections, and the connections spread over more ephemeral ports.
func sourceAddr(i int) *net.TCPAddr {
	k := i / joinsPerSource
	return &net.TCPAddr{IP: net.IPv4(127, 1, byte(k/254), byte(k%254+1))}
}

// canSpread reports whether this machine lets the tool connect from
// 127.1.0.1 (it fails where only 127.0.0.1 is configured, as on some
// non-Linux systems).
func canSpread(target net.IP) bool {
	if target.To4() == nil || !target.IsLoopback() {
		return false
	}
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: sourceAddr(0).IP})
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
