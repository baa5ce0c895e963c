package cli

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// fallbackWidth is the width of a terminal that will not say (a serial
// console answers TIOCGWINSZ with 0 columns).
const fallbackWidth = 80

// terminalWidth is the number of columns of the terminal w writes to: what
// the terminal says (TIOCGWINSZ), else $COLUMNS, else 80.
func terminalWidth(w io.Writer, getenv func(string) string) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if getenv != nil {
		if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
			return n
		}
	}
	return fallbackWidth
}
