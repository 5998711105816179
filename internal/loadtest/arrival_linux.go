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
	// The connection's other methods are the TCP connection's; only
	// net.Conn's are promoted, so that nothing (io.Copy's WriterTo, say)
	// reads around Read.
	net.Conn
	raw syscall.RawConn

	// The state of one read, kept here so that a read allocates nothing:
	// receive (made once from c.receive) is what raw.Read calls, with the
	// buffer in p, and leaves its results in n, oobn and err.
	receive func(fd uintptr) bool
	p       []byte
	oob     []byte
	n, oobn int
	err     error

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
	c := &stampedConn{Conn: tcp, raw: raw, oob: make([]byte, syscall.CmsgSpace(timespecSize))}
	c.receive = c.recvmsg
	return c
}

// timespecSize is the size of the timestamp a control message carries.
const timespecSize = int(unsafe.Sizeof(syscall.Timespec{}))

// Read reads like the TCP connection's Read, with recvmsg, and keeps the
// receive timestamp that comes with the data. Deadlines apply as usual:
// the wait for data goes through the connection's poller.
func (c *stampedConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.p = p
	err := c.raw.Read(c.receive)
	c.p = nil
	if err == nil {
		err = c.err
	}
	if err != nil {
		return 0, err
	}
	if c.n == 0 {
		return 0, io.EOF
	}
	var ns int64 // unknown, unless the kernel stamped what was read
	if at, ok := receiveTimestamp(c.oob[:c.oobn]); ok {
		ns = at.UnixNano()
	}
	c.arrived.Store(ns)
	return c.n, nil
}

// recvmsg reads into c.p once the socket has data; it returns false to
// wait for the poller when there is none yet.
func (c *stampedConn) recvmsg(fd uintptr) bool {
	for {
		c.n, c.oobn, _, _, c.err = syscall.Recvmsg(int(fd), c.p, c.oob, 0)
		if c.err != syscall.EINTR {
			return c.err != syscall.EAGAIN
		}
	}
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

// receiveTimestamp reads the SCM_TIMESTAMPNS control message oob starts
// with, the only one the socket was asked for: a struct timespec in the
// platform's own layout.
func receiveTimestamp(oob []byte) (time.Time, bool) {
	if len(oob) < syscall.CmsgLen(timespecSize) {
		return time.Time{}, false
	}
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
	if h.Level != syscall.SOL_SOCKET || h.Type != syscall.SCM_TIMESTAMPNS || int(h.Len) < syscall.CmsgLen(timespecSize) {
		return time.Time{}, false
	}
	ts := (*syscall.Timespec)(unsafe.Pointer(&oob[syscall.CmsgLen(0)]))
	return time.Unix(ts.Unix()), true
}
