package secontext

import (
	"errors"
	"strings"
	"testing"
)

func TestParseContext(t *testing.T) {
	tests := []struct {
		in      string
		want    Context
		wantErr bool
	}{
		{"system_u:object_r:bin_t:s0", Context{User: "system_u", Role: "object_r", Type: "bin_t", Level: "s0"}, false},
		{"unconfined_u:object_r:user_home_t", Context{User: "unconfined_u", Role: "object_r", Type: "user_home_t", Level: ""}, false},
		// An MCS range keeps its colons in the level.
		{"system_u:system_r:container_t:s0:c1,c2", Context{User: "system_u", Role: "system_r", Type: "container_t", Level: "s0:c1,c2"}, false},
		{"system_u:object_r:svirt_image_t:s0-s0:c0.c1023", Context{User: "system_u", Role: "object_r", Type: "svirt_image_t", Level: "s0-s0:c0.c1023"}, false},
		{"", Context{}, true},
		{"garbage", Context{}, true},
		{"a:b", Context{}, true},
		{"a::c", Context{}, true},
		{":b:c", Context{}, true},
		{"a:b:", Context{}, true},
		{"a:b:c:", Context{}, true},
		{"a:b:c d", Context{}, true},
		{"a:b:c\x00", Context{}, true},
		{"a:b:\xc3\xa9_t", Context{}, true},
		{"a:b:" + strings.Repeat("x", MaxContext), Context{}, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseContext(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrBadContext) {
			t.Errorf("ParseContext(%q) error %v does not wrap ErrBadContext", tt.in, err)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestLabelValueDropsTheTrailingNUL(t *testing.T) {
	if got := FromXattr([]byte("system_u:object_r:bin_t:s0\x00")); got != "system_u:object_r:bin_t:s0" {
		t.Errorf("LabelValue = %q", got)
	}
	if got := FromXattr([]byte("system_u:object_r:bin_t:s0")); got != "system_u:object_r:bin_t:s0" {
		t.Errorf("LabelValue without NUL = %q", got)
	}
}
