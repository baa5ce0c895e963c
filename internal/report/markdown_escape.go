package report

import "github.com/golive-sh/golive/internal/textfmt"

// The Markdown escapers are shared with the fleet report (internal/textfmt);
// these short names keep the renderers readable.
var (
	mdText  = textfmt.MarkdownText
	mdCode  = textfmt.MarkdownCode
	mdCell  = textfmt.MarkdownCell
	mdFence = textfmt.MarkdownFence
)
