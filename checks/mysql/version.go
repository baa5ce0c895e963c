package mysql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Flavours of server, as details.flavor names them. Percona Server and
// Aurora MySQL are MySQL here: they share its statements and column names.
const (
	flavorMySQL   = "mysql"
	flavorMariaDB = "mariadb"
)

// serverVersion is a server's version as SELECT VERSION() and @@version_comment
// give it.
type serverVersion struct {
	flavor              string
	major, minor, patch int
	// raw is VERSION() as the server sent it (clipped), for the report.
	raw string
}

// mariaDBCompatPrefix is what MariaDB 10.x puts before its version in the
// protocol greeting so that old clients do not think it is MySQL 10; some
// proxies pass the greeting's version on as VERSION().
const mariaDBCompatPrefix = "5.5.5-"

// maxVersionLen bounds what is kept of a server-supplied version string.
const maxVersionLen = 128

var errVersion = errors.New("not a MySQL or MariaDB version")

// parseVersion reads "8.0.36-0ubuntu0.22.04.1", "10.11.6-MariaDB-log" or
// "5.5.5-10.3.39-MariaDB"; comment is @@version_comment ("MariaDB Server",
// "Percona Server (GPL), Release 27"), which names MariaDB when VERSION()
// does not.
func parseVersion(version, comment string) (serverVersion, error) {
	v := serverVersion{raw: clip(version, maxVersionLen), flavor: flavorMySQL}
	lower := strings.ToLower(version)
	if strings.Contains(lower, "mariadb") || strings.Contains(strings.ToLower(comment), "mariadb") {
		v.flavor = flavorMariaDB
	}
	num := version
	if v.flavor == flavorMariaDB {
		num = strings.TrimPrefix(num, mariaDBCompatPrefix)
	}
	if i := strings.IndexFunc(num, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		num = num[:i]
	}
	parts := strings.Split(num, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("%w: %q", errVersion, v.raw)
	}
	nums := [3]int{}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 9999 {
			return v, fmt.Errorf("%w: %q", errVersion, v.raw)
		}
		nums[i] = n
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	return v, nil
}

// atLeast reports whether v is major.minor.patch or later.
func (v serverVersion) atLeast(major, minor, patch int) bool {
	if v.major != major {
		return v.major > major
	}
	if v.minor != minor {
		return v.minor > minor
	}
	return v.patch >= patch
}

// String is "MariaDB 10.11.6" or "MySQL 8.0.36".
func (v serverVersion) String() string {
	name := "MySQL"
	if v.flavor == flavorMariaDB {
		name = "MariaDB"
	}
	return fmt.Sprintf("%s %d.%d.%d", name, v.major, v.minor, v.patch)
}

// usesReplicaWords reports whether the server knows SHOW REPLICA STATUS:
// MySQL from 8.0.22 (which also renames the columns to Replica_* and
// Seconds_Behind_Source) and MariaDB from 10.5.1 (which keeps the Slave_*
// column names). Older servers know only SHOW SLAVE STATUS.
func (v serverVersion) usesReplicaWords() bool {
	if v.flavor == flavorMariaDB {
		return v.atLeast(10, 5, 1)
	}
	return v.atLeast(8, 0, 22)
}

// replicaStatusStatement is the statement that lists the replication
// channels of v. MariaDB's plain SHOW REPLICA STATUS shows only the default
// connection of a multi-source replica, so its ALL form (from 10.0) is
// used; MySQL returns one row per channel already.
func (v serverVersion) replicaStatusStatement() string {
	switch {
	case v.flavor == flavorMariaDB && v.usesReplicaWords():
		return "SHOW ALL REPLICAS STATUS"
	case v.flavor == flavorMariaDB && v.atLeast(10, 0, 0):
		return "SHOW ALL SLAVES STATUS"
	case v.usesReplicaWords():
		return "SHOW REPLICA STATUS"
	}
	return "SHOW SLAVE STATUS"
}

// clip shortens server-supplied text for a report, keeping it valid UTF-8.
func clip(s string, max int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
