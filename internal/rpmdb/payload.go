package rpmdb

import "encoding/binary"

// payload is a cell's payload, read only as far as a caller asks: the
// part on the leaf page, then its overflow pages in order. Each overflow
// page holds a next-page number and u-4 bytes; every page read adds bytes,
// so a chain that loops ends when the payload is full (and the page-read
// budget bounds it).
type payload struct {
	db    *sqliteFile
	total uint64
	buf   []byte // the bytes read so far; cap is total
	next  uint32 // the next overflow page
}

// prefix returns the payload's first min(n, total) bytes.
func (p *payload) prefix(n uint64) ([]byte, error) {
	n = min(n, p.total)
	u := uint64(p.db.usable)
	for uint64(len(p.buf)) < n {
		if p.next == 0 {
			return nil, corrupt("overflow chain ends early")
		}
		take := min(p.total-uint64(len(p.buf)), u-4)
		if cap(p.db.ovf) < int(u) {
			p.db.ovf = make([]byte, u)
		}
		page := p.db.ovf[:4+take]
		if err := p.db.readPage(p.next, 0, page); err != nil {
			return nil, err
		}
		p.buf = append(p.buf, page[4:]...)
		p.next = binary.BigEndian.Uint32(page)
	}
	return p.buf[:n], nil
}

// header reads the package of a Packages row: its record's second column
// is the header blob, of which only the leading bytes that hold the tags
// golive reads are read.
func (p *payload) header() (Package, error) {
	rec, err := p.prefix(64) // the record's header: a length and two serial types
	if err != nil {
		return Package{}, err
	}
	hlen, n := varint(rec)
	if n == 0 || hlen > uint64(len(rec)) || hlen < uint64(n) {
		return Package{}, corrupt("record header of %d bytes", hlen)
	}
	types := rec[n:hlen]
	st0, n0 := varint(types)
	if n0 == 0 {
		return Package{}, corrupt("record without columns")
	}
	st1, n1 := varint(types[n0:])
	if n1 == 0 || st1 < 12 || st1%2 != 0 {
		return Package{}, corrupt("Packages row whose second column is not a blob")
	}
	off, size := hlen+serialSize(st0), serialSize(st1)
	if off+size > p.total {
		return Package{}, corrupt("record value of %d bytes past the record's end", size)
	}
	return readHeader(size, func(k uint64) ([]byte, error) {
		b, err := p.prefix(off + k)
		if err != nil {
			return nil, err
		}
		return b[off:], nil
	})
}
