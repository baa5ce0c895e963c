package report

import (
	"testing"
)

func TestMarkdownEscapes(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"heading marker", mdText("# not a heading"), `\# not a heading`},
		{"list marker", mdText("- not a list"), `\- not a list`},
		{"ordered list", mdText("12. not a list"), `12\. not a list`},
		{"html and entities", mdText("<b>&amp;</b>"), `\<b\>\&amp;\</b\>`},
		{"line breaks", mdText("a\nb\r\nc"), "a⏎b⏎c"},
		{"code span", mdCode("x"), "`x`"},
		{"code span with backticks", mdCode("a``b"), "```a``b```"},
		{"code span starting with a backtick", mdCode("`a"), "`` `a ``"},
		{"empty code span", mdCode("  "), "—"},
		{"pipe in a cell", mdCell("a|b"), "`a\\|b`"},
		{"escaped pipe in a cell", mdCell(`a\|b`), `<code>a\\\|b</code>`},
		{"fence longer than content's", mdFence("x\n````\ny"), "`````"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
