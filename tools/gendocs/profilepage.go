package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cpuguy83/go-md2man/v2/md2man"

	"github.com/golive-sh/golive/docs"
)

// profilePage is golive.yaml(5): the profile reference, docs/profile-reference.md,
// as a man page, so `man 5 golive.yaml` answers what a key takes.
const profilePage = "golive.yaml.5"

func writeProfilePage(dir, version string, date time.Time) error {
	body := docs.ProfileReference
	// The reference's own title becomes the page's NAME and DESCRIPTION.
	if i := bytes.IndexByte(body, '\n'); i >= 0 && bytes.HasPrefix(body, []byte("# ")) {
		body = body[i+1:]
	}
	var md bytes.Buffer
	fmt.Fprintf(&md, "# GOLIVE.YAML 5 %q %q \"golive manual\"\n\n", date.Format("Jan 2006"), "golive "+version)
	md.WriteString("# NAME\n\ngolive.yaml \\- golive profile format: every key, its type, default and limits\n\n")
	md.WriteString("# SYNOPSIS\n\n./golive.yaml, or the file given with golive check --config FILE\n\n")
	md.WriteString("# DESCRIPTION\n")
	md.Write(body)
	md.WriteString("\n# SEE ALSO\n\ngolive(1), golive-validate(1), golive-check(1)\n")
	return os.WriteFile(filepath.Join(dir, profilePage), md2man.Render(md.Bytes()), 0o644)
}
