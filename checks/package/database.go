package packages

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/rpmdb"
)

// format is a kind of package database file.
type format struct {
	eco  ecosystem
	name string // as findings name it
}

var (
	dpkgStatus = format{dpkg, "dpkg status file"}
	rpmSQLite  = format{rpm, "rpm SQLite database"}
	rpmBDB     = format{rpm, "rpm Berkeley DB database"}
	rpmNDB     = format{rpm, "rpm ndb database"}
)

// candidate is where a database may be, in the order tried for its
// ecosystem: rpm's SQLite file before its Berkeley DB one (an upgraded
// host keeps the old file beside the new), /var/lib/rpm before
// /usr/lib/sysimage/rpm (Fedora 36+, SUSE).
type candidate struct {
	path string
	fmt  format
}

var candidates = []candidate{
	{"/var/lib/dpkg/status", dpkgStatus},
	{"/var/lib/rpm/rpmdb.sqlite", rpmSQLite},
	{"/usr/lib/sysimage/rpm/rpmdb.sqlite", rpmSQLite},
	{"/var/lib/rpm/Packages", rpmBDB},
	{"/usr/lib/sysimage/rpm/Packages", rpmBDB},
	{"/var/lib/rpm/Packages.db", rpmNDB},
	{"/usr/lib/sysimage/rpm/Packages.db", rpmNDB},
}

// maxDatabase bounds the file read: rpm databases are read a page at a
// time, so this bounds time, not memory (a full desktop's is ~200 MiB).
const maxDatabase = 4 << 30

// instance is one installed (or, for dpkg, known) package.
type instance struct {
	version, arch string
	installed     bool
	state         string // dpkg's state word when not installed (config-files, half-installed, ...)
}

// database is what the root's package database says.
type database struct {
	fmt    format
	path   string
	byName map[string][]instance
	note   string // a caveat for every finding (a write-ahead log, a second database)
	err    error  // unreadable or corrupt
	none   bool   // no database under the root
}

// describe names the database for a finding: "/var/lib/rpm/rpmdb.sqlite,
// rpm SQLite database".
func (db *database) describe() string { return db.path + ", " + db.fmt.name }

type databaseKey struct{}

// readDatabase reads the root's package database once per run.
func readDatabase(h *host.Host) *database {
	return facts.Memo(h, databaseKey{}, loadDatabase)
}

func loadDatabase(h *host.Host) *database {
	var found []candidate
	for _, c := range candidates {
		if fi, err := h.Stat(c.path); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return &database{none: true}
	}
	chosen := choose(h, found)
	db := &database{fmt: chosen.fmt, path: chosen.path}
	var others []string
	for _, c := range found {
		if c != chosen {
			others = append(others, c.path)
		}
	}
	if len(others) > 0 {
		db.note = "also present, not read: " + strings.Join(others, ", ")
	}
	switch chosen.fmt {
	case dpkgStatus:
		pkgs, err := facts.DpkgStatus(h)
		if err != nil {
			db.err = err
			return db
		}
		db.byName = map[string][]instance{}
		for _, p := range pkgs {
			in := instance{version: dpkgVersion(p.Version), arch: p.Architecture, installed: p.Installed()}
			if f := strings.Fields(p.Status); !in.installed && len(f) == 3 {
				in.state = f[2]
			}
			db.byName[p.Name] = append(db.byName[p.Name], in)
		}
	case rpmSQLite, rpmBDB:
		db.byName, db.err = readRPM(h, chosen)
	default:
		db.err = fmt.Errorf("%s: the %s format (SUSE) is not supported", chosen.path, chosen.fmt.name)
	}
	// Newest first, whatever order the file keeps them in.
	for _, ins := range db.byName {
		slices.SortStableFunc(ins, func(a, b instance) int {
			if c := versionOrder(chosen.fmt.eco, b.version, a.version); c != 0 {
				return c
			}
			return strings.Compare(a.arch, b.arch)
		})
	}
	return db
}

// versionOrder compares two installed versions by the ecosystem's rules.
func versionOrder(eco ecosystem, a, b string) int {
	if eco == dpkg {
		return facts.CompareDpkgVersions(a, b)
	}
	return facts.CompareRPMVersions(a, b)
}

// dpkgVersion writes a version as dpkg-query prints it: the epoch as a
// number, and none when it is 0 ("0:1.0" is "1.0").
func dpkgVersion(v string) string {
	e, rest := splitEpoch(v)
	if e == "" {
		return v
	}
	if e = strings.TrimLeft(e, "0"); e == "" {
		return rest
	}
	return e + ":" + rest
}

// choose picks the database rpm or dpkg itself would use. With both
// ecosystems present (rpm installed on Debian, dpkg on a RHEL build host)
// os-release decides: ID or ID_LIKE naming debian or ubuntu means dpkg,
// rhel, fedora, centos, suse or amzn means rpm; otherwise dpkg. Within rpm,
// a RHEL-like host (ID_LIKE rhel or centos, not Fedora itself) with a
// VERSION_ID below 9 (rpm 4.14 or older: Berkeley DB; Amazon Linux 2 too)
// prefers Packages over rpmdb.sqlite; any other host the SQLite file.
func choose(h *host.Host, found []candidate) candidate {
	osr, _ := facts.OSRelease(h)
	ids := append([]string{osr.ID}, osr.IDLike...)
	has := func(names ...string) bool {
		return slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(names, id) })
	}
	eco := found[0].fmt.eco
	if found[0].fmt.eco != found[len(found)-1].fmt.eco && has("rhel", "fedora", "centos", "suse", "opensuse", "amzn") && !has("debian", "ubuntu") {
		eco = rpm
	}
	var mine []candidate
	for _, c := range found {
		if c.fmt.eco == eco {
			mine = append(mine, c)
		}
	}
	if eco == rpm && osr.ID != "fedora" && has("rhel", "centos") {
		major, _, _ := strings.Cut(osr.VersionID, ".")
		if n, err := strconv.Atoi(major); err == nil && n < 9 {
			for _, c := range mine {
				if c.fmt == rpmBDB {
					return c
				}
			}
		}
	}
	return mine[0]
}

// readRPM lists an rpm database's packages by name: a SQLite file with
// the committed pages of its write-ahead log, as rpm would see them.
func readRPM(h *host.Host, c candidate) (map[string][]instance, error) {
	f, size, err := openDatabase(h, c.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pkgs []rpmdb.Package
	if c.fmt == rpmBDB {
		pkgs, err = rpmdb.ReadBDB(f, size)
	} else {
		var walR io.ReaderAt
		var walSize int64
		if w, n, werr := openDatabase(h, c.path+"-wal"); werr == nil {
			defer w.Close()
			walR, walSize = w, n
		} else if !errors.Is(werr, fs.ErrNotExist) {
			return nil, werr
		}
		pkgs, err = rpmdb.ReadSQLite(f, size, walR, walSize)
	}
	if err != nil {
		if errors.Is(err, rpmdb.ErrCorrupt) {
			return nil, fmt.Errorf("%s: %w", c.path, err)
		}
		return nil, &fs.PathError{Op: "read", Path: c.path, Err: err}
	}
	out := map[string][]instance{}
	for _, p := range pkgs {
		out[p.Name] = append(out[p.Name], instance{version: p.EVR(), arch: p.Arch, installed: true})
	}
	return out, nil
}

// openDatabase opens a database file for reading by pages, bounded.
func openDatabase(h *host.Host, path string) (*os.File, int64, error) {
	f, err := h.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if fi.Size() > maxDatabase {
		f.Close()
		return nil, 0, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%d bytes)", host.ErrTooLarge, int64(maxDatabase))}
	}
	return f, fi.Size(), nil
}
