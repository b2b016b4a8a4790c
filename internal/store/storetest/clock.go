package storetest

import (
	"sync"
	"time"
)

// A Clock is the time a backend under test runs on: the real time, moved on by Advance. A
// backend that keeps time in the process (SQLite, Cosmos DB) reads it through the function
// Fake returns, and the suite's leases and retries then come due without waiting. A backend
// that reads its database server's clock (PostgreSQL) does not, and Advance sleeps.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	fake   bool
}

// Fake makes Advance move c rather than sleep, and returns the function a backend reads c with.
func (c *Clock) Fake() func() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fake = true
	return c.Now
}

// Now is the real time plus every Advance of a fake clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves a fake clock d on, or sleeps for d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	if c.fake {
		c.offset += d
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	time.Sleep(d)
}
