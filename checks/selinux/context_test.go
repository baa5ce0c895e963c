package selinux

import (
	"errors"
	"strings"
	"testing"
)

func TestParseContext(t *testing.T) {
	tests := []struct {
		in      string
		want    secContext
		wantErr bool
	}{
		{"system_u:object_r:bin_t:s0", secContext{"system_u", "object_r", "bin_t", "s0"}, false},
		{"unconfined_u:object_r:user_home_t", secContext{"unconfined_u", "object_r", "user_home_t", ""}, false},
		// An MCS range keeps its colons in the level.
		{"system_u:system_r:container_t:s0:c1,c2", secContext{"system_u", "system_r", "container_t", "s0:c1,c2"}, false},
		{"system_u:object_r:svirt_image_t:s0-s0:c0.c1023", secContext{"system_u", "object_r", "svirt_image_t", "s0-s0:c0.c1023"}, false},
		{"", secContext{}, true},
		{"garbage", secContext{}, true},
		{"a:b", secContext{}, true},
		{"a::c", secContext{}, true},
		{":b:c", secContext{}, true},
		{"a:b:", secContext{}, true},
		{"a:b:c:", secContext{}, true},
		{"a:b:c d", secContext{}, true},
		{"a:b:c\x00", secContext{}, true},
		{"a:b:\xc3\xa9_t", secContext{}, true},
		{"a:b:" + strings.Repeat("x", maxContext), secContext{}, true},
	}
	for _, tt := range tests {
		got, err := parseContext(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseContext(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, errBadContext) {
			t.Errorf("ParseContext(%q) error %v does not wrap ErrBadContext", tt.in, err)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestLabelValueDropsTheTrailingNUL(t *testing.T) {
	if got := labelValue([]byte("system_u:object_r:bin_t:s0\x00")); got != "system_u:object_r:bin_t:s0" {
		t.Errorf("LabelValue = %q", got)
	}
	if got := labelValue([]byte("system_u:object_r:bin_t:s0")); got != "system_u:object_r:bin_t:s0" {
		t.Errorf("LabelValue without NUL = %q", got)
	}
}
