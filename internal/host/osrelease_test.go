package host

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want OSRelease
	}{
		{
			name: "centos 7",
			in: `NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
`,
			want: OSRelease{ID: "centos", IDLike: []string{"rhel", "fedora"}, VersionID: "7", PrettyName: "CentOS Linux 7 (Core)"},
		},
		{
			name: "ubuntu unquoted",
			in:   "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n",
			want: OSRelease{ID: "ubuntu", IDLike: []string{"debian"}, VersionID: "22.04", PrettyName: "Ubuntu 22.04.4 LTS"},
		},
		{
			name: "single quotes keep backslashes",
			in:   `ID='rocky'` + "\n" + `PRETTY_NAME='Rocky \$ Linux'`,
			want: OSRelease{ID: "rocky", PrettyName: `Rocky \$ Linux`},
		},
		{
			name: "double-quote escapes",
			in:   `PRETTY_NAME="A \"quoted\" \$name \\ \` + "`tick\\`" + ` \n"` + "\nID=x",
			want: OSRelease{ID: "x", PrettyName: "A \"quoted\" $name \\ `tick` \\n"},
		},
		{
			name: "comments, blank lines and surrounding space",
			in:   "# a comment\n\n   ID=debian   \n\t# another\nVERSION_ID=12\n",
			want: OSRelease{ID: "debian", VersionID: "12", PrettyName: "Linux"},
		},
		{
			name: "missing ID defaults to linux",
			in:   "NAME=Something\n",
			want: OSRelease{ID: "linux", PrettyName: "Linux"},
		},
		{
			name: "empty",
			in:   "",
			want: OSRelease{ID: "linux", PrettyName: "Linux"},
		},
		{
			name: "empty ID value defaults to linux",
			in:   "ID=\n",
			want: OSRelease{ID: "linux", PrettyName: "Linux"},
		},
		{
			name: "later assignment wins",
			in:   "ID=a\nID=b\n",
			want: OSRelease{ID: "b", PrettyName: "Linux"},
		},
		{
			name: "CRLF line endings",
			in:   "ID=rhel\r\nVERSION_ID=\"9.3\"\r\n",
			want: OSRelease{ID: "rhel", VersionID: "9.3", PrettyName: "Linux"},
		},
		{
			name: "malformed lines are counted and ignored",
			in: strings.Join([]string{
				"ID=fedora",
				"no equals sign",           // no =
				"=value",                   // empty key
				"1KEY=x",                   // key starts with a digit
				"KEY-DASH=x",               // bad key character
				`VERSION_ID="unterminated`, // open quote
				`PRETTY_NAME='it's'`,       // quote inside single quotes
				`NAME="a"b"`,               // bare quote inside double quotes
				"VARIANT=two words",        // unquoted space
				"X=$HOME",                  // unquoted expansion
				"X='",                      // lone quote
				`X="`,                      // lone double quote
				"ID_LIKE=rhel",
			}, "\n"),
			want: OSRelease{ID: "fedora", IDLike: []string{"rhel"}, PrettyName: "Linux", Malformed: 11},
		},
		{
			name: "lower-case keys tolerated",
			in:   "id=ignored\nID=alma",
			want: OSRelease{ID: "alma", PrettyName: "Linux"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseOSRelease(tt.in)
			if tt.want.PrettyName == "" {
				tt.want.PrettyName = "Linux"
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseOSRelease:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestOSReleaseFiles(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		wantID     string
		wantSource string
		wantErr    error
	}{
		{
			name:       "etc preferred",
			files:      map[string]string{"etc/os-release": "ID=etc", "usr/lib/os-release": "ID=usr"},
			wantID:     "etc",
			wantSource: "/etc/os-release",
		},
		{
			name:       "usr/lib fallback",
			files:      map[string]string{"usr/lib/os-release": "ID=usr"},
			wantID:     "usr",
			wantSource: "/usr/lib/os-release",
		},
		{
			name:       "etc symlink into usr/lib, as systemd distros ship it",
			files:      map[string]string{"etc/os-release": "->../usr/lib/os-release", "usr/lib/os-release": "ID=usr"},
			wantID:     "usr",
			wantSource: "/etc/os-release",
		},
		{
			name:    "neither",
			files:   map[string]string{"etc/": ""},
			wantErr: fs.ErrNotExist,
		},
		{
			name:    "etc unreadable does not fall back",
			files:   map[string]string{"etc/os-release/": "", "usr/lib/os-release": "ID=usr"},
			wantErr: ErrNotRegular,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, mkroot(t, tt.files))
			rel, err := h.OSRelease()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("OSRelease() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rel.ID != tt.wantID || rel.Source != tt.wantSource {
				t.Errorf("OSRelease() = ID %q from %q, want %q from %q", rel.ID, rel.Source, tt.wantID, tt.wantSource)
			}
		})
	}
}

// FuzzParseOSRelease: os-release in an image is outside input. Parsing
// never panics, always yields an ID, and never counts more malformed lines
// than there are lines.
func FuzzParseOSRelease(f *testing.F) {
	for _, s := range []string{
		"",
		"ID=centos\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n",
		"ID=ubuntu\nVERSION_ID=\"22.04\"\n",
		`PRETTY_NAME="a \"b\" \\ \$ \` + "`" + `"`,
		"X='unterminated\nID=\"\n=\n#\n\r\n",
		`ID="\"`,
		"ID=a\x00b\nVERSION_ID=\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rel := ParseOSRelease(s)
		if rel.ID == "" || rel.PrettyName == "" {
			t.Fatalf("ParseOSRelease(%q) left ID %q PrettyName %q empty", s, rel.ID, rel.PrettyName)
		}
		if lines := strings.Count(s, "\n") + 1; rel.Malformed > lines {
			t.Fatalf("%d malformed lines in %d lines", rel.Malformed, lines)
		}
		for _, l := range rel.IDLike {
			if l == "" || strings.ContainsAny(l, " \t\n") {
				t.Fatalf("ID_LIKE element %q", l)
			}
		}
	})
}
