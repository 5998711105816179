//go:build unix

package loadtest

import (
	"fmt"
	"syscall"
)

// raiseFileLimit raises this process's soft limit on open files to its
// hard limit (children, such as the server the tool starts, inherit it)
// and checks that need descriptors fit.
func raiseFileLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // unknown: let the run find out
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	if uint64(need) > lim.Cur {
		return fmt.Errorf("this run needs about %d open files in the load tool (and as many in the server), but the limit is %d (hard limit %d); "+
			"raise the hard limit (ulimit -Hn, LimitNOFILE= in systemd, --ulimit nofile= in Docker) or load fewer connections", need, lim.Cur, lim.Max)
	}
	return nil
}
