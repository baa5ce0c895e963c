package facts

// UnreadableSources are the NSS services of a passwd or group database
// that golive cannot read under a root: anything but the files (files,
// compat, db) and systemd's module, which only knows root, nobody and
// dynamic users. A name or id missing from the files may be known to
// them (sss, ldap, winbind, nis), so a check says so instead of "missing".
func UnreadableSources(services []string) []string {
	var out []string
	for _, s := range services {
		switch s {
		case "files", "compat", "db", "systemd":
		default:
			out = append(out, s)
		}
	}
	return out
}
