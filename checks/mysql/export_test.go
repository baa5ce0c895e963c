package mysql

import "testing"

// What the external tests (package mysql_test) use of the lab.

// LabDSNs starts the lab and returns DSNs of the primary and the replica
// for the monitoring account, and one with a wrong password.
func LabDSNs(t testing.TB) (primary, replica, wrongPassword string) {
	l := lab(t)
	return l.primary.dsn(userGolive, pwGolive), l.replica.dsn(userGolive, pwGolive), l.primary.dsn(userGolive, WrongPassword)
}

// WrongPassword is the password no account has.
const WrongPassword = "Pw-wrong-5e6f7a8b"

// LabPasswords are every password of the lab: no output may hold one.
var LabPasswords = []string{pwGolive, pwNoGrant, pwRepl, WrongPassword}
