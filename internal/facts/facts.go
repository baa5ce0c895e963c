// Package facts is the layer between reading the machine (internal/host) and
// judging it (checks/): the system facts several checks need — accounts and
// groups in NSS order, units with their drop-ins, the mount table, the
// sysctl configuration, os-release, the CA bundle — each read and parsed
// once per run and shared by every check of the run, in parallel.
//
// A Host lives for one run, so the values are kept on it (host.Memo): a new
// run, or a test's new Host, reads the files again. No family keeps a cache
// of its own: a fact only one family needs is memoised through Memo with a
// key the family owns.
//
// Facts are values: callers must not modify what they are given.
package facts

import "github.com/golive-sh/golive/internal/host"

// Memo returns load(h), computed once per run for key and shared by every
// caller of that key. key is a value of an unexported type of the calling
// package (so no two packages collide), comparable with ==.
func Memo[T any](h *host.Host, key any, load func(*host.Host) T) T {
	return h.Memo(key, func() any { return load(h) }).(T)
}

// result is what a fact that can fail to load memoises.
type result[T any] struct {
	val T
	err error
}

// memoErr is Memo for a load that can fail; the error is memoised too, so a
// file that cannot be read is tried once per run, as it is parsed once.
func memoErr[T any](h *host.Host, key any, load func(*host.Host) (T, error)) (T, error) {
	r := Memo(h, key, func(h *host.Host) result[T] {
		v, err := load(h)
		return result[T]{v, err}
	})
	return r.val, r.err
}

type osReleaseKey struct{}

// OSRelease is the host's os-release(5), read once per run.
func OSRelease(h *host.Host) (host.OSRelease, error) {
	return memoErr(h, osReleaseKey{}, (*host.Host).OSRelease)
}
