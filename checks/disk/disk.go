// Package disk is the disk family (checks/disk): for each path the service
// lives on, the free space and inodes of the filesystem holding it
// (disk/space, disk/inodes), its mount options (disk/mount), whether the
// block devices under it spin (disk/rotational), and — only when asked,
// since it is the one check of golive that writes — the fdatasync latency
// of the directory (disk/fsync).
//
// Profile section:
//
//	disk:
//	  paths:
//	    /var: {writes: true}
//	    /var/lib/etcd: {store: etcd, writes: true}   # rotational: fail; fsync probe when asked
//	    /opt/app/bin: {executes: true}               # noexec: fail
//	  space:  {warn: {min_free: 5GiB, min_free_percent: 10}, fail: {min_free: 1GiB, min_free_percent: 5}}
//	  inodes: {warn: {min_free_percent: 10}, fail: {min_free_percent: 5}}
//	  rotational: {etcd: fail, mysql: warn}
//	  fsync_p99: 10ms
//
// The directories of service.binaries get a disk/mount check (executes).
package disk

import (
	_ "embed"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "disk"

// The stores whose data directories disk/rotational and disk/fsync judge.
const (
	storeEtcd  = "etcd"
	storeMySQL = "mysql"
)

// ProbeFsync is the name --probe takes to run disk/fsync.
const ProbeFsync = "fsync"

type section struct {
	Paths      map[string]pathSection `yaml:"paths" doc:"The service's paths, each with what the service does there. The filesystem holding each gets disk/space, disk/inodes, disk/mount and disk/rotational." example:"{/var/lib/etcd: {store: etcd, writes: true}}"`
	Space      thresholds             `yaml:"space" doc:"Free-space thresholds (bytes: 10GiB, 500MiB; percent of the space the service can use, as df's Use% counts it). A level is reached when free space is below either bound."`
	Inodes     thresholds             `yaml:"inodes" doc:"Free-inode thresholds (a count, or percent of all inodes)."`
	Rotational rotationalLevels       `yaml:"rotational" doc:"What a store's data on a rotational disk gives."`
	FsyncP99   string                 `yaml:"fsync_p99" doc:"disk/fsync fails when the 99th percentile of fdatasync latency is above this." default:"10ms" format:"duration"`
}

type pathSection struct {
	Store    string `yaml:"store" doc:"The data store kept here: its data on a rotational disk gives disk.rotational's level, and disk/fsync probes here when asked." enum:"etcd,mysql"`
	Writes   bool   `yaml:"writes" doc:"The service writes here: a read-only mount fails." default:"false"`
	Executes bool   `yaml:"executes" doc:"The service executes files from here: a noexec mount fails." default:"false"`
	Fsync    bool   `yaml:"fsync" doc:"Probe fdatasync latency here (disk/fsync) when probes are asked for (--probe fsync); store paths are probed without it." default:"false"`
}

type thresholds struct {
	Warn limitSection `yaml:"warn" doc:"Below either bound: warn."`
	Fail limitSection `yaml:"fail" doc:"Below either bound: fail."`
}

type limitSection struct {
	MinFree        string `yaml:"min_free" doc:"The least free amount: bytes with a unit for space (10GiB, 500MB), a count for inodes; 0 turns the bound off." example:"10GiB"`
	MinFreePercent *int   `yaml:"min_free_percent" doc:"The least free percentage; 0 turns the bound off." min:"0" max:"100"`
}

type rotationalLevels struct {
	Etcd  string `yaml:"etcd" doc:"etcd's data on a rotational disk." default:"fail" enum:"fail,warn"`
	MySQL string `yaml:"mysql" doc:"MySQL's data on a rotational disk." default:"warn" enum:"fail,warn"`
}

// rule is one path with what the service does there.
type rule struct {
	Path            string
	Store           string
	Writes, Execs   bool
	Fsync           bool
	User            string // service.user: root sees the reserved blocks too
	Where           string // the profile line that named the path
	FromBinaryOnly  bool   // named only as a binary's directory: mount check only
	BinaryNamesSeen []string
}

// limit is one level's bounds; zero turns a bound off.
type limit struct {
	minFree    uint64
	minPercent int
}

// levels are the warn and fail bounds of one quantity.
type levels struct{ warn, fail limit }

type settings struct {
	space, inodes levels
	rotational    map[string]string // store -> fail or warn
	fsyncP99      time.Duration
}

//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Disks: free space and inodes, mount options, rotational devices and (asked for) fsync latency of the service's paths.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`disk/space:<path>`", Example: "disk/space:/var"},
			{Heading: "`disk/inodes:<path>`", Example: "disk/inodes:/var"},
			{Heading: "`disk/mount:<path>`", Example: "disk/mount:/var"},
			{Heading: "`disk/rotational:<path>`", Example: "disk/rotational:/var/lib/etcd"},
			{Heading: "`disk/fsync:<path>`", Example: "disk/fsync:/var/lib/etcd"},
		},
	})
}

// Built-in fallbacks when no profile sets a value (profiles/linux.yaml
// does, with its sources).
func defaults() settings {
	return settings{
		space:      levels{warn: limit{minFree: 5 << 30, minPercent: 10}, fail: limit{minFree: 1 << 30, minPercent: 5}},
		inodes:     levels{warn: limit{minPercent: 10}, fail: limit{minPercent: 5}},
		rotational: map[string]string{storeEtcd: profile.LevelFail, storeMySQL: profile.LevelWarn},
		fsyncP99:   10 * time.Millisecond,
	}
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	set, err := settle(sec, p, s)
	if err != nil {
		return nil, err
	}
	rules, err := rulesOf(sec, p, s)
	if err != nil {
		return nil, err
	}
	probe := slices.Contains(p.Probes, ProbeFsync)
	var checks []engine.Check
	for _, r := range rules {
		if !r.FromBinaryOnly {
			checks = append(checks,
				&spaceCheck{Base: engine.Base{M: metaSpace(r, set)}, rule: r, set: set},
				&inodesCheck{Base: engine.Base{M: metaInodes(r, set)}, rule: r, set: set})
		}
		checks = append(checks, &mountCheck{Base: engine.Base{M: metaMount(r)}, rule: r})
		if !r.FromBinaryOnly {
			checks = append(checks, &rotationalCheck{Base: engine.Base{M: metaRotational(r, set)}, rule: r, set: set})
		}
		if probe && (r.Store != "" || r.Fsync) {
			checks = append(checks, &fsyncCheck{Base: engine.Base{M: metaFsync(r, set)}, rule: r, set: set})
		}
	}
	return checks, nil
}

// settle reads the thresholds over the built-in fallbacks.
func settle(sec *yaml.Node, p *profile.Profile, s section) (settings, error) {
	set := defaults()
	for _, q := range []struct {
		name  string
		th    thresholds
		into  *levels
		parse func(string) (uint64, error)
	}{
		{"space", s.Space, &set.space, parseSize},
		{"inodes", s.Inodes, &set.inodes, parseCount},
	} {
		qn := field(sec, q.name)
		for _, lv := range []struct {
			name string
			ls   limitSection
			into *limit
		}{{"warn", q.th.Warn, &q.into.warn}, {"fail", q.th.Fail, &q.into.fail}} {
			ln := field(qn, lv.name)
			if lv.ls.MinFree != "" {
				v, err := q.parse(lv.ls.MinFree)
				if err != nil {
					return set, p.Errorf(field(ln, "min_free"), "disk.%s.%s.min_free: %v", q.name, lv.name, err)
				}
				lv.into.minFree = v
			}
			if lv.ls.MinFreePercent != nil {
				v := *lv.ls.MinFreePercent
				if v < 0 || v > 100 {
					return set, p.Errorf(field(ln, "min_free_percent"), "disk.%s.%s.min_free_percent: %d is not a percentage (0 to 100)", q.name, lv.name, v)
				}
				lv.into.minPercent = v
			}
		}
	}
	for store, lv := range map[string]string{storeEtcd: s.Rotational.Etcd, storeMySQL: s.Rotational.MySQL} {
		switch lv {
		case "":
		case profile.LevelFail, profile.LevelWarn:
			set.rotational[store] = lv
		default:
			return set, p.Errorf(field(field(sec, "rotational"), store), "disk.rotational.%s: %q is not fail or warn", store, lv)
		}
	}
	if s.FsyncP99 != "" {
		d, err := time.ParseDuration(s.FsyncP99)
		if err != nil || d <= 0 {
			return set, p.Errorf(field(sec, "fsync_p99"), "disk.fsync_p99: %q is not a positive duration (10ms)", s.FsyncP99)
		}
		set.fsyncP99 = d
	}
	return set, nil
}

// rulesOf lists disk.paths (sorted) and then the directories of
// service.binaries not among them.
func rulesOf(sec *yaml.Node, p *profile.Profile, s section) ([]rule, error) {
	paths := field(sec, "paths")
	names := make([]string, 0, len(s.Paths))
	for name := range s.Paths {
		names = append(names, name)
	}
	sort.Strings(names)
	var rules []rule
	index := map[string]int{}
	for _, name := range names {
		ps := s.Paths[name]
		at := keyNode(paths, name)
		if err := validPath(name); err != nil {
			return nil, p.Errorf(at, "disk.paths: %v", err)
		}
		if ps.Store != "" && ps.Store != storeEtcd && ps.Store != storeMySQL {
			return nil, p.Errorf(at, "disk.paths %s: store %q is not etcd or mysql", name, ps.Store)
		}
		if _, dup := index[path.Clean(name)]; dup {
			return nil, p.Errorf(at, "disk.paths: %s is named twice", path.Clean(name))
		}
		index[path.Clean(name)] = len(rules)
		rules = append(rules, rule{Path: path.Clean(name), Store: ps.Store, Writes: ps.Writes, Execs: ps.Executes,
			Fsync: ps.Fsync, User: p.Service.User, Where: p.Where(at)})
	}
	// The data directories of the stores this host runs (etcd.data_dir,
	// mysql[].data_dir): their own families validated them.
	for _, sd := range storeDirs(p) {
		dir := path.Clean(sd.dir)
		if i, ok := index[dir]; ok {
			if rules[i].Store == "" {
				rules[i].Store = sd.store
			}
			rules[i].Writes = true
			continue
		}
		index[dir] = len(rules)
		rules = append(rules, rule{Path: dir, Store: sd.store, Writes: true, User: p.Service.User, Where: p.Where(sd.at)})
	}
	for _, bin := range p.Service.Binaries {
		if !path.IsAbs(bin) {
			continue // the profile's own validation names it
		}
		dir := path.Dir(path.Clean(bin))
		if i, ok := index[dir]; ok {
			rules[i].Execs = true
			rules[i].BinaryNamesSeen = append(rules[i].BinaryNamesSeen, bin)
			continue
		}
		index[dir] = len(rules)
		rules = append(rules, rule{Path: dir, Execs: true, User: p.Service.User, FromBinaryOnly: true, BinaryNamesSeen: []string{bin}})
	}
	return rules, nil
}

// storeDir is a data directory another section names.
type storeDir struct {
	store, dir string
	at         *yaml.Node
}

// storeDirs reads data_dir from the etcd section and each mysql server.
func storeDirs(p *profile.Profile) []storeDir {
	var out []storeDir
	get := func(store string, m *yaml.Node) {
		if n := field(m, "data_dir"); n != nil && n != m && n.Kind == yaml.ScalarNode && path.IsAbs(n.Value) {
			out = append(out, storeDir{store: store, dir: n.Value, at: n})
		}
	}
	if sec := p.Section(storeEtcd); sec != nil && sec.Kind == yaml.MappingNode {
		get(storeEtcd, sec)
	}
	if sec := p.Section(storeMySQL); sec != nil && sec.Kind == yaml.SequenceNode {
		for _, m := range sec.Content {
			if m.Kind == yaml.MappingNode {
				get(storeMySQL, m)
			}
		}
	}
	return out
}

// field is profile.FieldNode where the mapping may be absent.
func field(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	return profile.FieldNode(m, key)
}

// keyNode is the node naming key in m (for its line).
func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil {
		return nil
	}
	return profile.FieldKeyNode(m, key)
}

func validPath(p string) error {
	if !path.IsAbs(p) {
		return fmt.Errorf("%q is not an absolute path", p)
	}
	if strings.ContainsAny(p, "\x00\n") {
		return fmt.Errorf("%q holds a NUL or newline", p)
	}
	return nil
}
