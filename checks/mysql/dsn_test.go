package mysql

import (
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	cfg, err := parseDSN("golive:pw@tcp(db1:3306)/app?tls=Skip-Verify&loc=Local&strict=true&timeout=2s&charset=utf8mb4")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "golive" || cfg.Passwd != "pw" || cfg.Addr != "db1:3306" || cfg.DBName != "app" || cfg.TLSConfig != tlsSkipVerify || cfg.TLS != nil {
		t.Errorf("cfg %+v", cfg)
	}
	if got := redactedDSN(cfg); got != "golive:***@tcp(db1:3306)/app?charset=utf8mb4&timeout=2s&tls=skip-verify" {
		t.Errorf("RedactedDSN = %q", got)
	}
	for in, want := range map[string]string{"tls=1": "true", "tls=false": "false", "tls=mine": "mine", "tls=%6Dine": "mine"} {
		cfg, err := parseDSN("u@tcp(h)/?" + in)
		if err != nil || cfg.TLSConfig != want {
			t.Errorf("%s: TLSConfig %q, %v; want %q", in, cfg.TLSConfig, err, want)
		}
	}
	cfg, err = parseDSN("u@unix(/run/mysqld/mysqld.sock)/")
	if err != nil || cfg.Net != "unix" || redactedDSN(cfg) != "u@unix(/run/mysqld/mysqld.sock)/" {
		t.Errorf("unix: %+v %v", cfg, err)
	}
}

// A DSN that does not parse is described without any piece of it: a
// password holding "/", "@" or "?" moves the driver's split points and its
// errors would quote a fragment.
func TestParseDSNErrorsNeverQuoteTheDSN(t *testing.T) {
	const pw = "Zq9/x@y?secret"
	for _, dsn := range []string{
		"golive:" + pw + "@tcp(db1:3306)",
		"golive:" + pw,
		"golive:" + pw + "@tcp(db1:3306/app",
		"golive:pw@tcp(db1)/app?timeout=" + pw,
		"golive:pw@tcp(db1)/app?parseTime=" + pw,
		"golive:" + pw + "@tcp(db1)/ap%zzp",
		strings.Repeat("a", maxDSNLen+1),
		"golive:pw@tcp(db1)/app\n",
	} {
		_, err := parseDSN(dsn)
		if err == nil {
			t.Errorf("%q parsed", dsn)
			continue
		}
		for _, frag := range []string{pw, "Zq9", "secret", "x@y"} {
			if strings.Contains(err.Error(), frag) {
				t.Errorf("ParseDSN(%q) error %q holds %q", dsn, err, frag)
			}
		}
	}
	_, err := parseDSN("golive:pw@tcp(db1)/app?timeout=soon")
	if err == nil || !strings.Contains(err.Error(), `parameter "timeout" has an invalid value`) {
		t.Errorf("bad timeout: %v", err)
	}
}

func TestIsGreeting(t *testing.T) {
	for in, want := range map[string]bool{
		"\x4a\x00\x00\x00\x0a10.11": true, "\x17\x00\x00\x00\xff\x69\x04": true,
		"SSH-2.0-OpenSSH": false, "HTTP/1.1 400": false, "\x00\x00\x00\x00\x0a": false, "\x4a\x00\x00\x01\x0a": false, "\x0a": false,
	} {
		if isGreeting([]byte(in)) != want {
			t.Errorf("isGreeting(%q) = %v", in, !want)
		}
	}
}
