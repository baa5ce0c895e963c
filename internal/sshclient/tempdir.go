package sshclient

import (
	"context"
	"crypto/rand"
	"regexp"
	"strings"
	"sync"
)

// TempDir is a private directory on the host, under its $TMPDIR (else
// /tmp). Its name is chosen here, before mkdir runs: a connection cut
// during mkdir leaves a dir whose path never came back, and
// RemoveTempDir still finds it by name.
type TempDir struct {
	Name string // the last component: prefix.XXXXXXXX
	Path string // as the host printed it, once made
}

// NewTempDir names a temp dir prefix.XXXXXXXX (random letters and
// digits); prefix is letters, digits, '.', '_' or '-'.
func NewTempDir(prefix string) *TempDir {
	return &TempDir{Name: prefix + "." + rand.Text()[:8]}
}

// plainPath is an absolute path of plain components, so no glob and no
// space ever reaches rm -rf; ".." and "." are refused apart.
var plainPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(/[A-Za-z0-9._-]+)+$`) })

// TempDirError is a mkdir that printed something other than the dir it
// made. Printed is the host's text, not made printable.
type TempDirError struct {
	Printed string
}

func (e *TempDirError) Error() string { return "mkdir printed an unexpected path" }

// expr is the dir's path as a shell word to put in double quotes: the
// host's $TMPDIR (else /tmp) and the name chosen here.
func (d *TempDir) expr() string { return "${TMPDIR:-/tmp}/" + d.Name }

// MakeTempDir makes d mode 0700 and sets d.Path. Like mktemp -d, it fails
// if the path exists; the path printed back is checked before it is ever
// used, above all in rm -rf. A non-zero exit is an *ExitError.
func (c *Conn) MakeTempDir(ctx context.Context, d *TempDir) error {
	path, err := c.Output(ctx, `d="`+d.expr()+`" && mkdir -m 0700 "$d" && printf '%s\n' "$d"`)
	if err != nil {
		return err
	}
	if !plainPath().MatchString(path) || !strings.HasSuffix(path, "/"+d.Name) || strings.Contains(path, "/../") || strings.Contains(path, "/./") {
		return &TempDirError{Printed: path}
	}
	d.Path = path
	return nil
}

// RemoveCommand is the shell command that removes d and everything in
// it: by its path, or, when the path never came back, by the name chosen
// for it (random letters and digits, in double quotes: no glob, no word
// splitting). A caller that must do something first (stop what runs
// there) puts it before this on the same command line, so cleanup stays
// one round trip.
func (d *TempDir) RemoveCommand() string {
	if d.Path != "" {
		return "rm -rf " + Quote(d.Path)
	}
	return "rm -rf \"" + d.expr() + "\""
}

// RemoveTempDir removes d and everything in it (RemoveCommand). A
// non-zero exit is an *ExitError.
func (c *Conn) RemoveTempDir(ctx context.Context, d *TempDir) error {
	res, err := c.Run(ctx, d.RemoveCommand(), nil, 0, maxSmallOutput)
	if err == nil && res.Exit != 0 {
		err = &ExitError{Status: res.Exit, Stderr: res.Stderr}
	}
	return err
}
