package loadtest

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestArrivalIsWhenTheBytesReachedTheSocket checks that a stamped
// connection reports when data reached its socket, not when it was read:
// on loopback a write puts its bytes in the receiving socket before it
// returns, so each stamp lies between the moments before and after the
// write, while the read starts only after that.
func TestArrivalIsWhenTheBytesReachedTheSocket(t *testing.T) {
	server, client := loopbackPair(t)
	conn := withArrivals(client)
	stamped, ok := conn.(*stampedConn)
	if !ok {
		t.Fatalf("withArrivals gave a %T, want a *stampedConn for a TCP connection", conn)
	}
	// The kernel turns receive stamps on for the whole system shortly
	// after the first socket asks for them: until then reads carry none.
	// Wait for the first stamped read, then check that every read is.
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 64)
	stampedReads := 0
	for stampedReads < 20 {
		before := time.Now()
		if _, err := server.Write([]byte("inject")); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		n, err := io.ReadFull(stamped, buf[:6])
		if err != nil || string(buf[:n]) != "inject" {
			t.Fatalf("read %q, %v", buf[:n], err)
		}
		at := stamped.lastArrival()
		switch {
		case at.IsZero() && stampedReads > 0:
			t.Fatalf("read %d carried no timestamp after %d that did", stampedReads+1, stampedReads)
		case at.IsZero() && time.Now().After(deadline):
			t.Fatal("no read carried a receive timestamp in 10 s")
		case at.IsZero():
			continue
		}
		if at.Before(before) || at.After(after) {
			t.Fatalf("arrival %s, want between the write's start %s and end %s",
				at.Format(time.RFC3339Nano), before.Format(time.RFC3339Nano), after.Format(time.RFC3339Nano))
		}
		stampedReads++
	}
}

// TestStampedConnReadsLikeTCP checks what the WebSocket reader relies on:
// partial reads, EOF when the peer closes, and read deadlines.
func TestStampedConnReadsLikeTCP(t *testing.T) {
	server, client := loopbackPair(t)
	conn := withArrivals(client)
	if _, err := server.Write([]byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(io.LimitReader(conn, 10))
	if err != nil || string(got) != "0123456789" {
		t.Fatalf("read %q, %v", got, err)
	}

	if err := conn.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	if err := conn.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}

	server.Close()
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after the peer closed: %d, %v, want 0, EOF", n, err)
	}
}

// loopbackPair returns both ends of a loopback TCP connection.
func loopbackPair(t testing.TB) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// BenchmarkStampedRead reads 1 KiB messages through a stamped connection
// and, as the reference in the same run, through the plain TCP
// connection: what the receive timestamps cost the tool per read.
func BenchmarkStampedRead(b *testing.B) {
	for _, stamped := range []bool{false, true} {
		name := "plain"
		if stamped {
			name = "stamped"
		}
		b.Run(name, func(b *testing.B) {
			server, client := loopbackPair(b)
			conn := client
			if stamped {
				conn = withArrivals(client)
			}
			msg := make([]byte, 1024)
			buf := make([]byte, 4096)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := server.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(conn, buf[:len(msg)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
