//go:build unix && !linux

package pgtest

import "syscall"

// procAttr runs a server program as cred, if set.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
