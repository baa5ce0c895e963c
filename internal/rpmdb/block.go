package rpmdb

import "io"

// blockSize is how much of the file one read brings in: pages are small
// (512 B to 64 KiB) and the readers visit them mostly in file order, so
// reading a MiB at a time turns thousands of page reads into a few,
// while memory stays one block.
const blockSize = 1 << 20

// blockReader serves small reads from the block of the file that holds
// them, reading a new block when a read falls outside the current one.
type blockReader struct {
	r     io.ReaderAt
	size  int64
	buf   []byte
	start int64
}

func newBlockReader(r io.ReaderAt, size int64) *blockReader {
	return &blockReader{r: r, size: size, start: -1}
}

func (b *blockReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || int64(len(p)) > blockSize {
		return b.r.ReadAt(p, off)
	}
	end := off + int64(len(p))
	if b.start < 0 || off < b.start || end > b.start+int64(len(b.buf)) {
		if end > b.size {
			return b.r.ReadAt(p, off) // past the end: the file's own answer
		}
		start := off - off%blockSize
		if end > start+blockSize {
			start = off // a read across the block boundary starts a block
		}
		n := min(int64(blockSize), b.size-start)
		if cap(b.buf) < int(n) {
			b.buf = make([]byte, n)
		}
		b.buf = b.buf[:n]
		if _, err := b.r.ReadAt(b.buf, start); err != nil {
			b.start = -1
			return 0, err
		}
		b.start = start
	}
	return copy(p, b.buf[off-b.start:]), nil
}
