package rpmdb

import (
	"cmp"
	"encoding/binary"
	"io"
	"math/bits"
	"slices"
)

// The Berkeley DB hash access method (libdb's db_page.h and hash.h), as
// much of it as listing one database needs: the metadata page (page 0),
// whose spares table maps bucket numbers to pages; the bucket pages
// (P_HASH, P_HASH_UNSORTED) with their chains of overflow bucket pages;
// items stored on the page (H_KEYDATA) or off it (H_OFFPAGE) on a chain of
// overflow pages (P_OVERFLOW). rpm's Packages keys are header instance
// numbers (4 bytes, the writing machine's byte order, as the metadata's
// magic is); instance 0 holds rpm's counter, not a header.

const (
	bdbHashMagic      uint32 = 0x061561
	bdbPageHeaderSize        = 26
	bdbHashMetaPage          = 8
	bdbHashPage              = 13
	bdbHashUnsorted          = 2
	bdbOverflowPage          = 7
	itemKeyData              = 1
	itemOffPage              = 3
	offPageItemSize          = 12
	bdbMaxBuckets            = 1 << 24
)

type bdbFile struct {
	r        io.ReaderAt
	order    binary.ByteOrder
	pageSize uint32
	npages   uint32
	seen     []uint64 // a bit per page
	scratch  []byte   // the current overflow value, reused
	page1    []byte   // one overflow page, reused
}

// ReadBDB lists the packages of a Berkeley DB hash Packages file of size
// bytes.
func ReadBDB(r io.ReaderAt, size int64) ([]Package, error) {
	var meta [512]byte
	if size < int64(len(meta)) {
		return nil, corrupt("a Berkeley DB file of %d bytes", size)
	}
	if _, err := r.ReadAt(meta[:], 0); err != nil {
		return nil, err
	}
	db := &bdbFile{r: newBlockReader(r, size)}
	switch bdbHashMagic {
	case binary.LittleEndian.Uint32(meta[12:]):
		db.order = binary.LittleEndian
	case binary.BigEndian.Uint32(meta[12:]):
		db.order = binary.BigEndian
	default:
		return nil, corrupt("not a Berkeley DB hash file")
	}
	if meta[25] != bdbHashMetaPage {
		return nil, corrupt("Berkeley DB metadata page of type %d", meta[25])
	}
	if meta[24] != 0 {
		return nil, corrupt("an encrypted Berkeley DB file")
	}
	db.pageSize = db.order.Uint32(meta[20:])
	if db.pageSize < 512 || db.pageSize > 65536 || db.pageSize&(db.pageSize-1) != 0 {
		return nil, corrupt("Berkeley DB page size %d", db.pageSize)
	}
	db.npages = uint32(min(size/int64(db.pageSize), 1<<31))
	db.seen = make([]uint64, db.npages/64+1)
	maxBucket := db.order.Uint32(meta[72:])
	if maxBucket >= bdbMaxBuckets || maxBucket >= db.npages {
		return nil, corrupt("Berkeley DB hash with %d buckets in %d pages", uint64(maxBucket)+1, db.npages)
	}
	// Buckets are visited in hash order, which scatters their headers
	// over the file: the values on overflow pages are noted first and read
	// after, in page order, which is the order they were written in.
	var values []value
	for b := uint32(0); b <= maxBucket; b++ {
		// BS_TO_PAGE: bucket + spares[log2(bucket+1)], log2 rounding up.
		spare := db.order.Uint32(meta[96+4*bits.Len32(b):])
		pg := b + spare
		if pg < b {
			return nil, corrupt("bucket %d on page past 2^32", b)
		}
		if err := db.bucket(pg, func(key []byte, v value) error {
			if len(key) != 4 {
				return corrupt("a Packages key of %d bytes", len(key))
			}
			if v.key = db.order.Uint32(key); v.key != 0 { // 0 is rpm's instance counter
				values = append(values, v)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(values, func(a, b value) int { return cmp.Compare(a.pg, b.pg) })
	pkgs := make([]Package, 0, len(values))
	for _, v := range values {
		var p Package
		var err error
		if v.data != nil {
			p, err = ParseHeader(v.data)
		} else {
			c := db.chain(v.pg, v.tlen)
			p, err = readHeader(uint64(v.tlen), c.prefix)
		}
		if err != nil {
			return nil, corruptWrap(err, "Packages instance %d", v.key)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// value is a Packages value: its bytes when stored on the hash page, or
// where its overflow chain starts and its length.
type value struct {
	key      uint32
	data     []byte
	pg, tlen uint32
}

// visit admits page n (numbered from 0) once per read of the file: a
// page reached twice is a loop or two chains sharing pages.
func (db *bdbFile) visit(n uint32) error {
	if n == 0 || n >= db.npages {
		return corrupt("Berkeley DB page %d outside the file's %d pages", n, db.npages)
	}
	if db.seen[n/64]&(1<<(n%64)) != 0 {
		return corrupt("Berkeley DB page %d is reached twice", n)
	}
	db.seen[n/64] |= 1 << (n % 64)
	return nil
}

// page reads page n, of one of the types want.
func (db *bdbFile) page(n uint32, want ...byte) ([]byte, error) {
	if err := db.visit(n); err != nil {
		return nil, err
	}
	buf := make([]byte, db.pageSize)
	if _, err := db.r.ReadAt(buf, int64(n)*int64(db.pageSize)); err != nil {
		return nil, err
	}
	for _, t := range want {
		if buf[25] == t {
			return buf, nil
		}
	}
	return nil, corrupt("Berkeley DB page %d of type %d, not %v", n, buf[25], want)
}

// bucket calls fn with each key/value pair of the bucket starting at page
// pg and its overflow bucket pages.
func (db *bdbFile) bucket(pg uint32, fn func(key []byte, v value) error) error {
	for pg != 0 {
		buf, err := db.page(pg, bdbHashPage, bdbHashUnsorted)
		if err != nil {
			return err
		}
		n := int(db.order.Uint16(buf[20:]))
		if n%2 != 0 || bdbPageHeaderSize+2*n > len(buf) {
			return corrupt("Berkeley DB page %d with %d items", pg, n)
		}
		for i := 0; i < n; i += 2 {
			k, err := db.item(buf, i)
			if err != nil {
				return corruptWrap(err, "Berkeley DB page %d item %d", pg, i)
			}
			key := k.data
			if key == nil {
				if key, err = db.overflow(k.pg, k.tlen); err != nil {
					return corruptWrap(err, "Berkeley DB page %d item %d", pg, i)
				}
			}
			val, err := db.item(buf, i+1)
			if err != nil {
				return corruptWrap(err, "Berkeley DB page %d item %d", pg, i+1)
			}
			if err := fn(key, val); err != nil {
				return err
			}
		}
		pg = db.order.Uint32(buf[16:])
	}
	return nil
}

// item reads item i of a hash page: its bytes run from its offset to the
// previous item's (the page's end for the first), after a type byte; an
// off-page item says where its overflow chain starts.
func (db *bdbFile) item(buf []byte, i int) (value, error) {
	start := int(db.order.Uint16(buf[bdbPageHeaderSize+2*i:]))
	end := len(buf)
	if i > 0 {
		end = int(db.order.Uint16(buf[bdbPageHeaderSize+2*(i-1):]))
	}
	if start < bdbPageHeaderSize || start >= end || end > len(buf) {
		return value{}, corrupt("item at offset %d to %d", start, end)
	}
	switch buf[start] {
	case itemKeyData:
		return value{data: buf[start+1 : end : end]}, nil
	case itemOffPage:
		if end-start < offPageItemSize {
			return value{}, corrupt("off-page item of %d bytes", end-start)
		}
		return value{pg: db.order.Uint32(buf[start+4:]), tlen: db.order.Uint32(buf[start+8:])}, nil
	}
	return value{}, corrupt("item of type %d", buf[start])
}

// overflow reads a whole off-page item of tlen bytes.
func (db *bdbFile) overflow(pg, tlen uint32) ([]byte, error) {
	c := db.chain(pg, tlen)
	return c.prefix(uint64(tlen))
}

// chain is an off-page item of total bytes on a chain of overflow pages,
// read only as far as a caller asks; each page's high-free-offset field
// is its data length. Its bytes are valid until the next chain.
type chain struct {
	db    *bdbFile
	next  uint32
	total uint32
	buf   []byte
}

func (db *bdbFile) chain(pg, tlen uint32) *chain {
	if uint32(cap(db.scratch)) < tlen && tlen <= MaxHeader {
		db.scratch = make([]byte, 0, tlen)
	}
	return &chain{db: db, next: pg, total: tlen, buf: db.scratch[:0]}
}

// prefix returns the item's first min(n, total) bytes.
func (c *chain) prefix(n uint64) ([]byte, error) {
	if c.total > MaxHeader {
		return nil, corrupt("off-page item of %d bytes", c.total)
	}
	n = min(n, uint64(c.total))
	db := c.db
	if cap(db.page1) < int(db.pageSize) {
		db.page1 = make([]byte, db.pageSize)
	}
	for uint64(len(c.buf)) < n {
		pg := c.next
		if pg == 0 {
			return nil, corrupt("overflow chain shorter than its %d bytes", c.total)
		}
		if err := db.visit(pg); err != nil {
			return nil, err
		}
		buf := db.page1[:db.pageSize]
		if _, err := db.r.ReadAt(buf, int64(pg)*int64(db.pageSize)); err != nil {
			return nil, err
		}
		if buf[25] != bdbOverflowPage {
			return nil, corrupt("Berkeley DB page %d of type %d, not an overflow page", pg, buf[25])
		}
		k := uint32(db.order.Uint16(buf[22:]))
		if k == 0 || bdbPageHeaderSize+k > db.pageSize || uint32(len(c.buf))+k > c.total {
			return nil, corrupt("overflow page %d holds %d bytes", pg, k)
		}
		c.buf = append(c.buf, buf[bdbPageHeaderSize:bdbPageHeaderSize+k]...)
		c.next = db.order.Uint32(buf[16:])
	}
	return c.buf[:n], nil
}
