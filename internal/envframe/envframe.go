// Package envframe carries environment variables (secrets: DSNs,
// passwords) from `golive fleet check` to the remote `golive check
// --env-stdin` over the SSH session's standard input, so they never touch
// the host's disk, a command line, SendEnv or a log.
//
// The frame is text with length-prefixed values, so a value may hold any
// byte (a newline, a NUL) without quoting:
//
//	golive-env/1
//	NAME LEN
//	<LEN bytes of value>
//	...
//	end
//
// Each value is followed by one newline. The frame is all the remote
// reads from its standard input.
package envframe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Bounds on a frame: a hostile or broken sender cannot make the reader
// allocate without limit.
const (
	MaxVars      = 256
	MaxValueSize = 64 << 10 // as a secret file (depcheck.MaxSecretSize)
	MaxFrameSize = 1 << 20
	maxLine      = 256
)

const header = "golive-env/1"

// Var is one environment variable.
type Var struct {
	Name, Value string
}

var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`) })

// ValidName reports whether name can be an environment variable's name
// in a frame.
func ValidName(name string) bool { return namePattern().MatchString(name) }

// Encode frames vars. It refuses what Decode would refuse; errors name
// the variable, never its value.
func Encode(vars []Var) ([]byte, error) {
	if len(vars) > MaxVars {
		return nil, fmt.Errorf("%d environment variables: at most %d", len(vars), MaxVars)
	}
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, v := range vars {
		if !ValidName(v.Name) {
			return nil, fmt.Errorf("environment variable %q: not a valid name", v.Name)
		}
		if len(v.Value) > MaxValueSize {
			return nil, fmt.Errorf("environment variable %s: value over %d bytes", v.Name, MaxValueSize)
		}
		fmt.Fprintf(&b, "%s %d\n%s\n", v.Name, len(v.Value), v.Value)
	}
	b.WriteString("end\n")
	if b.Len() > MaxFrameSize {
		return nil, fmt.Errorf("environment frame over %d bytes", MaxFrameSize)
	}
	return []byte(b.String()), nil
}

// ErrFrame is any malformed frame.
var ErrFrame = errors.New("malformed environment frame on standard input")

// Decode reads one frame from r, at most MaxFrameSize bytes. Errors say what was wrong with the frame, never a value.
func Decode(r io.Reader) ([]Var, error) {
	br := bufio.NewReaderSize(&limited{r: r, left: MaxFrameSize}, 512)
	line, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if line != header {
		return nil, fmt.Errorf("%w: no %s header", ErrFrame, header)
	}
	var vars []Var
	seen := map[string]bool{}
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, err
		}
		if line == "end" {
			return vars, nil
		}
		name, size, ok := strings.Cut(line, " ")
		if !ok || !ValidName(name) {
			return nil, fmt.Errorf("%w: expected NAME LEN or end", ErrFrame)
		}
		n, err := strconv.Atoi(size)
		if err != nil || n < 0 || n > MaxValueSize || strconv.Itoa(n) != size {
			return nil, fmt.Errorf("%w: %s: bad length", ErrFrame, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: %s given twice", ErrFrame, name)
		}
		if len(vars) == MaxVars {
			return nil, fmt.Errorf("%w: more than %d variables", ErrFrame, MaxVars)
		}
		seen[name] = true
		value := make([]byte, n+1)
		if _, err := io.ReadFull(br, value); err != nil {
			return nil, fmt.Errorf("%w: %s: value cut short", ErrFrame, name)
		}
		if value[n] != '\n' {
			return nil, fmt.Errorf("%w: %s: value longer than its length", ErrFrame, name)
		}
		vars = append(vars, Var{Name: name, Value: string(value[:n])})
		clear(value)
	}
}

// readLine reads one short line without its newline.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, errTooBig) {
				return "", fmt.Errorf("%w: over %d bytes", ErrFrame, MaxFrameSize)
			}
			return "", fmt.Errorf("%w: cut short", ErrFrame)
		}
		if c == '\n' {
			return string(b), nil
		}
		if len(b) == maxLine {
			return "", fmt.Errorf("%w: line too long", ErrFrame)
		}
		b = append(b, c)
	}
}

var errTooBig = errors.New("frame too big")

// limited fails reads past left bytes.
type limited struct {
	r    io.Reader
	left int
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooBig
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}
