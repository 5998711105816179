//go:build !linux

package loadtest

import "net"

// withArrivals returns conn as it is: receive timestamps are read on Linux
// only, and the reports' figures at the socket stay empty elsewhere.
func withArrivals(conn net.Conn) net.Conn { return conn }
