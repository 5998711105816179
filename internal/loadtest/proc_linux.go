package loadtest

import "syscall"

// childAttr makes the kernel kill the server if the tool dies without
// stopping it, so a crashed or killed load test leaves no server behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
