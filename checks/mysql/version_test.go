package mysql

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		version, comment string
		want             string
		statement        string
	}{
		{"8.0.36", "MySQL Community Server - GPL", "MySQL 8.0.36", "SHOW REPLICA STATUS"},
		{"8.0.22-log", "", "MySQL 8.0.22", "SHOW REPLICA STATUS"},
		{"8.0.21", "", "MySQL 8.0.21", "SHOW SLAVE STATUS"},
		{"5.7.44-log", "MySQL Community Server (GPL)", "MySQL 5.7.44", "SHOW SLAVE STATUS"},
		{"8.0.35-27", "Percona Server (GPL), Release 27, Revision 2f8eeab2", "MySQL 8.0.35", "SHOW REPLICA STATUS"},
		{"8.4.0-0ubuntu0.24.04.1", "(Ubuntu)", "MySQL 8.4.0", "SHOW REPLICA STATUS"},
		{"10.11.19-MariaDB-0+deb12u1-log", "Debian 12", "MariaDB 10.11.19", "SHOW ALL REPLICAS STATUS"},
		{"10.5.1-MariaDB", "", "MariaDB 10.5.1", "SHOW ALL REPLICAS STATUS"},
		{"10.5.0-MariaDB", "", "MariaDB 10.5.0", "SHOW ALL SLAVES STATUS"},
		{"5.5.5-10.3.39-MariaDB-0+deb10u1", "", "MariaDB 10.3.39", "SHOW ALL SLAVES STATUS"},
		{"10.6.16", "MariaDB Server", "MariaDB 10.6.16", "SHOW ALL REPLICAS STATUS"},
		{"5.5.68-MariaDB", "MariaDB Server", "MariaDB 5.5.68", "SHOW SLAVE STATUS"},
		{"11.4.2-MariaDB", "", "MariaDB 11.4.2", "SHOW ALL REPLICAS STATUS"},
		{"9.1", "", "MySQL 9.1.0", "SHOW REPLICA STATUS"},
	}
	for _, tc := range tests {
		v, err := parseVersion(tc.version, tc.comment)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", tc.version, err)
			continue
		}
		if v.String() != tc.want || v.replicaStatusStatement() != tc.statement {
			t.Errorf("ParseVersion(%q, %q) = %s with %q, want %s with %q", tc.version, tc.comment, v, v.replicaStatusStatement(), tc.want, tc.statement)
		}
	}
	for _, bad := range []string{"", "MariaDB", "8", "8.x.1", "1.2.3.4", "99999.1.1", "-1.0.0", "\xff\xfe"} {
		if _, err := parseVersion(bad, ""); err == nil {
			t.Errorf("ParseVersion(%q) did not fail", bad)
		}
	}
}

func TestClipKeepsUTF8(t *testing.T) {
	if got := clip("héllo wörld", 2); got != "h..." {
		t.Errorf("clip = %q", got)
	}
	if got := clip("abc\xff", 10); got != "abc?" {
		t.Errorf("clip = %q", got)
	}
}
