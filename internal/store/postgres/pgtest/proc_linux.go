package pgtest

import "syscall"

// procAttr runs a server program as cred, if set, and stops it if the test binary dies.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
