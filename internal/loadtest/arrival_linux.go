package loadtest

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// stampedConn is a TCP connection that knows when the bytes it last read
// reached its socket: the kernel's receive timestamp (SO_TIMESTAMPNS) of
// the last segment each read consumed. On a machine that runs the server
// and the tool's thousands of clients on the same cores, a message can
// wait in a client's socket until the client's goroutine gets a core; the
// arrival time leaves that wait out, which is what a client on another
// machine would not have paid to the server's account.
type stampedConn struct {
	*net.TCPConn
	raw syscall.RawConn
	oob []byte // control messages of one read; only the reader uses it

	arrived atomic.Int64 // Unix nanoseconds; 0 when the last read had no stamp
}

// withArrivals asks the kernel to stamp what conn receives and returns a
// connection that reads with those stamps. A connection that is not TCP,
// or whose socket refuses the option, is returned as it is.
func withArrivals(conn net.Conn) net.Conn {
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		return conn
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return conn
	}
	var sockErr error
	err = raw.Control(func(fd uintptr) {
		sockErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	})
	if err != nil || sockErr != nil {
		return conn
	}
	return &stampedConn{TCPConn: tcp, raw: raw, oob: make([]byte, syscall.CmsgSpace(int(unsafe.Sizeof(syscall.Timespec{}))))}
}

// Read reads like the TCP connection's Read, with recvmsg, and keeps the
// receive timestamp that comes with the data. Deadlines apply as usual:
// the wait for data goes through the connection's poller.
func (c *stampedConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n, oobn int
	var readErr error
	err := c.raw.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, _, readErr = syscall.Recvmsg(int(fd), p, c.oob, 0)
			if readErr != syscall.EINTR {
				return readErr != syscall.EAGAIN
			}
		}
	})
	if err == nil {
		err = readErr
	}
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, io.EOF
	}
	var ns int64 // unknown, unless the kernel stamped what was read
	if at, ok := receiveTimestamp(c.oob[:oobn]); ok {
		ns = at.UnixNano()
	}
	c.arrived.Store(ns)
	return n, nil
}

// lastArrival is when the data of the last read reached the socket (the
// arrival of the last segment that read consumed), or the zero time if
// that read carried no timestamp.
func (c *stampedConn) lastArrival() time.Time {
	if ns := c.arrived.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// receiveTimestamp finds the SCM_TIMESTAMPNS control message in oob: a
// struct timespec in the platform's own layout.
func receiveTimestamp(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix()), true
		}
	}
	return time.Time{}, false
}
