package rpmdb

import "io"

// Block sizes: how much of the file one read brings in. The readers visit
// pages in file order, so a read that goes on where the block ended
// doubles the next block, up to maxBlock (a few reads for a whole file);
// a jump past bytes the block held unread (only each header's first pages
// are needed) quarters it, down to minBlock, so that skipped bytes are not
// read. Memory stays one block.
const (
	maxBlock = 1 << 20
	minBlock = 4 << 10
)

// blockReader serves small reads from the block of the file that holds
// them, reading a new block when a read falls outside the current one.
type blockReader struct {
	r     io.ReaderAt
	size  int64
	buf   []byte
	start int64
	used  int64 // bytes of the current block served
	block int64 // the next block's size
}

func newBlockReader(r io.ReaderAt, size int64) *blockReader {
	return &blockReader{r: r, size: size, start: -1, block: 64 << 10}
}

func (b *blockReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > maxBlock {
		return b.r.ReadAt(p, off)
	}
	end := off + int64(len(p))
	if b.start < 0 || off < b.start || end > b.start+int64(len(b.buf)) {
		if end > b.size {
			return b.r.ReadAt(p, off) // past the end: the file's own answer
		}
		if b.start >= 0 {
			switch {
			case off == b.start+int64(len(b.buf)):
				b.block = min(b.block*2, maxBlock) // reading on: sequential
			case b.used*2 <= int64(len(b.buf)):
				b.block = max(b.block/4, minBlock) // a jump after reading half or less
			}
		}
		n := min(max(b.block, int64(len(p))), b.size-off)
		if cap(b.buf) < int(n) {
			b.buf = make([]byte, n, max(n, b.block))
		}
		b.buf = b.buf[:n]
		if _, err := b.r.ReadAt(b.buf, off); err != nil {
			b.start = -1
			return 0, err
		}
		b.start, b.used = off, 0
	}
	b.used += int64(len(p))
	return copy(p, b.buf[off-b.start:]), nil
}
