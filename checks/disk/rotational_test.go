package disk

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/testenv"
)

// sysTree builds a /sys layout: disks (name -> rotational, model) under a
// PCI path, partitions inside them, and virtual dm/md devices with slaves,
// each reachable from /sys/dev/block by major:minor, as the kernel lays
// them out (Documentation/ABI/stable/sysfs-block).
type sysTree map[string]string

func (s sysTree) disk(pci, name, mm string, rot int, model string) string {
	dir := "sys/devices/" + pci + "/block/" + name
	s[dir+"/queue/rotational"] = strconv.Itoa(rot) + "\n"
	if model != "" {
		s[dir+"/device/model"] = model + "\n"
	}
	s["sys/dev/block/"+mm] = "->../../devices/" + pci + "/block/" + name
	return dir
}

func (s sysTree) part(disk, name, mm string) string {
	dir := disk + "/" + name
	s[dir+"/partition"] = "1\n"
	s["sys/dev/block/"+mm] = "->../../" + strings.TrimPrefix(dir, "sys/")
	return dir
}

func (s sysTree) virtual(name, mm string, slaves ...string) string {
	dir := "sys/devices/virtual/block/" + name
	s[dir+"/queue/rotational"] = "0\n" // dm and md say 0 whatever lies under them
	for _, sl := range slaves {
		s[dir+"/slaves/"+sl[strings.LastIndexByte(sl, '/')+1:]] = "->../../../../" + strings.TrimPrefix(sl, "sys/devices/")
	}
	s["sys/dev/block/"+mm] = "->../../devices/virtual/block/" + name
	return dir
}

// The resolver walks partitions to their disk and dm and md devices to
// their slaves, on layouts modelled on real hosts.
func TestResolveStackLayouts(t *testing.T) {
	s := sysTree{}
	nvme := s.disk("pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0", "nvme0n1", "259:0", 0, "Samsung SSD 980 PRO 1TB")
	s.part(nvme, "nvme0n1p2", "259:2")
	sda := s.disk("pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0", "sda", "8:0", 1, "ST4000NM000A-2HZ")
	s.part(sda, "sda1", "8:1")
	sda2 := s.part(sda, "sda2", "8:2")
	s.virtual("dm-0", "253:0", sda2)
	sdb := s.disk("pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0", "sdb", "8:16", 0, "INTEL SSDSC2KB96")
	sdc := s.disk("pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0", "sdc", "8:32", 1, "WDC WD40EFRX")
	md := s.virtual("md0", "9:0", sdb, sdc)
	s.virtual("dm-1", "253:1", md) // LVM on md
	vda := s.disk("pci0000:00/0000:00:04.0/virtio1", "vda", "252:0", 1, "")
	s.part(vda, "vda1", "252:1")
	h := hosttest.Root(t, s)
	for _, c := range []struct {
		dev, chain string
		disks      string
	}{
		{"259:2", "nvme0n1p2 nvme0n1", "nvme0n1=0"},
		{"8:1", "sda1 sda", "sda=1"},
		{"253:0", "dm-0 sda2 sda", "sda=1"},
		{"9:0", "md0 sdb sdc", "sdb=0 sdc=1"},
		{"253:1", "dm-1 md0 sdb sdc", "sdb=0 sdc=1"},
		{"252:1", "vda1 vda", "vda=1v"},
	} {
		st, err := resolveStack(h, c.dev)
		if err != nil {
			t.Errorf("%s: %v", c.dev, err)
			continue
		}
		var disks []string
		for _, d := range st.Disks {
			v := d.Name + "=" + map[bool]string{true: "1", false: "0"}[d.Rotational]
			if d.Virtio {
				v += "v"
			}
			disks = append(disks, v)
		}
		if got := strings.Join(st.Chain, " "); got != c.chain {
			t.Errorf("%s: chain %q, want %q", c.dev, got, c.chain)
		}
		if got := strings.Join(disks, " "); got != c.disks {
			t.Errorf("%s: disks %q, want %q", c.dev, got, c.disks)
		}
	}
	if st, _ := resolveStack(h, "259:2"); st.Disks[0].Model != "Samsung SSD 980 PRO 1TB" {
		t.Errorf("model %q", st.Disks[0].Model)
	}
	// A slave loop (a hand-made tree) and a bad rotational value end in
	// errors, not a hang.
	bad := sysTree{}
	bad.virtual("dm-5", "253:5", "sys/devices/virtual/block/dm-5")
	x := bad.disk("pci0000:00/x", "sdx", "8:96", 0, "")
	bad[x+"/queue/rotational"] = "yes\n"
	hb := hosttest.Root(t, bad)
	if _, err := resolveStack(hb, "253:5"); err == nil {
		t.Error("a dm device that is its own slave resolved")
	}
	if _, err := resolveStack(hb, "8:96"); err == nil || !strings.Contains(err.Error(), "not 0 or 1") {
		t.Errorf("rotational yes: %v", err)
	}
}

// On this machine the resolver agrees with lsblk (which reads the same
// sysfs attributes through libblkid) for every whole disk: read only.
func TestResolveStackAgreesWithLsblk(t *testing.T) {
	lsblk := testenv.NeedCommand(t, "lsblk", "util-linux")
	out, err := exec.Command(lsblk, "-dn", "-o", "MAJ:MIN,ROTA,NAME").Output()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := host.New("/")
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		st, err := resolveStack(h, f[0])
		if err != nil {
			t.Errorf("%s (%s): %v", f[2], f[0], err)
			continue
		}
		rot := false
		for _, d := range st.Disks {
			rot = rot || d.Rotational
		}
		if want := f[1] == "1"; rot != want {
			t.Errorf("%s: rotational %v, lsblk says ROTA=%s", f[2], rot, f[1])
		}
		n++
	}
	t.Logf("%d devices agree with lsblk", n)
	if n == 0 {
		testenv.Missing(t, "lsblk lists no block device here")
	}
}
