package fleet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/profile"
)

// ProfileFile is one local profile file and where it goes on the host,
// relative to the private temp dir.
type ProfileFile struct {
	Local  string
	Remote string
	Data   []byte
}

// Bundle is everything of the user's profiles that must travel: the
// --profile file (when it is a file), the --config file, and every file
// either extends, with each extends rewritten to the copy's remote path.
// Built-in profiles and `extends: auto` need nothing copied: the remote
// golive has them and detects its own distro.
type Bundle struct {
	Files   []ProfileFile
	Profile string // the remote --profile argument
	Config  string // the remote --config argument; empty for none
}

// isProfilePath mirrors the profile package: a reference with a slash or a
// .yaml/.yml suffix is a file, anything else a built-in name or auto.
func isProfilePath(ref string) bool {
	return strings.ContainsRune(ref, '/') || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
}

// NewBundle collects the files that --profile and --config name.
func NewBundle(profileRef, config string) (*Bundle, error) {
	b := &Bundle{Profile: profileRef}
	index := map[string]string{} // absolute local path -> remote path
	var err error
	if isProfilePath(profileRef) {
		if b.Profile, err = b.add(profileRef, index, 0); err != nil {
			return nil, err
		}
	}
	if config != "" {
		if b.Config, err = b.add(config, index, 0); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// add copies path (and, first, what it extends) into the bundle and
// returns its remote path.
func (b *Bundle) add(path string, index map[string]string, depth int) (string, error) {
	if depth > 16 {
		return "", fmt.Errorf("%s: extends chain too long", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if r, ok := index[abs]; ok {
		return r, nil
	}
	data, err := readProfile(path)
	if err != nil {
		return "", err
	}
	remote := fmt.Sprintf("profiles/%d/%s", len(b.Files), safeFileName(filepath.Base(path)))
	index[abs] = remote
	slot := len(b.Files)
	b.Files = append(b.Files, ProfileFile{Local: path, Remote: remote})

	ext, line, err := extendsOf(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if ext != "" && isProfilePath(ext) {
		parent := ext
		if !filepath.IsAbs(parent) {
			parent = filepath.Join(filepath.Dir(path), parent)
		}
		parentRemote, err := b.add(parent, index, depth+1)
		if err != nil {
			return "", err
		}
		// Remote paths are relative to the temp dir; extends is relative
		// to the extending file's directory, profiles/<n>/. A YAML
		// single-quoted scalar: safeFileName leaves no quote in the path.
		data = replaceLine(data, line, "extends: '../../"+parentRemote+"'")
	}
	b.Files[slot].Data = data
	return remote, nil
}

func readProfile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, profile.MaxProfileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > profile.MaxProfileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, profile.MaxProfileSize)
	}
	return data, nil
}

// extendsOf finds a top-level `extends:` and its line. The copy's extends
// is rewritten by replacing that one line, so line numbers in the remote
// golive's messages still point into the user's file; that needs the key
// at the start of its line with the value beside it.
func extendsOf(data []byte) (value string, line int, err error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return "", 0, nil
		}
		return "", 0, err // the local validation reports it with its line
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return "", 0, nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Value != "extends" {
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return "", 0, nil
		}
		if !isProfilePath(v.Value) {
			return v.Value, k.Line, nil
		}
		if k.Column != 1 || v.Line != k.Line || m.Style&yaml.FlowStyle != 0 {
			return "", 0, fmt.Errorf("line %d: write extends as its own line, `extends: FILE`, so fleet can point the copy at the copied file", k.Line)
		}
		return v.Value, k.Line, nil
	}
	return "", 0, nil
}

// replaceLine swaps line n (1-based) of data for text.
func replaceLine(data []byte, n int, text string) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if n < 1 || n > len(lines) {
		return data
	}
	nl := ""
	if bytes.HasSuffix(lines[n-1], []byte("\n")) {
		nl = "\n"
	}
	lines[n-1] = []byte(text + nl)
	return bytes.Join(lines, nil)
}

// safeFileName keeps a base name as it is, so the report's profile chain
// names the user's files, except for what could break the copy: a slash,
// quotes and backslashes (the name is quoted in shell and YAML), control
// characters, and a leading dot or dash. Those become _.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '/' || r == '\\' || r == '\'' || r == '"' || r < 0x20 || r == 0x7f || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			b.WriteByte('_')
		} else {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if out == "" || out[0] == '.' || out[0] == '-' {
		out = "_" + out
	}
	return out
}
