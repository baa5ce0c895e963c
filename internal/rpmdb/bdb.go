package rpmdb

import (
	"encoding/binary"
	"io"
	"math/bits"
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
	seen     map[uint32]bool
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
	db := &bdbFile{r: r, seen: map[uint32]bool{}}
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
	maxBucket := db.order.Uint32(meta[72:])
	if maxBucket >= bdbMaxBuckets || maxBucket >= db.npages {
		return nil, corrupt("Berkeley DB hash with %d buckets in %d pages", uint64(maxBucket)+1, db.npages)
	}
	var pkgs []Package
	for b := uint32(0); b <= maxBucket; b++ {
		// BS_TO_PAGE: bucket + spares[log2(bucket+1)], log2 rounding up.
		spare := db.order.Uint32(meta[96+4*bits.Len32(b):])
		pg := b + spare
		if pg < b {
			return nil, corrupt("bucket %d on page past 2^32", b)
		}
		if err := db.bucket(pg, func(key, value []byte) error {
			if len(key) != 4 {
				return corrupt("a Packages key of %d bytes", len(key))
			}
			if db.order.Uint32(key) == 0 {
				return nil // rpm's instance counter
			}
			p, err := ParseHeader(value)
			if err != nil {
				return corruptWrap(err, "Packages instance %d", db.order.Uint32(key))
			}
			pkgs = append(pkgs, p)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return pkgs, nil
}

// page reads page n (numbered from 0), each page at most once per read.
func (db *bdbFile) page(n uint32, want ...byte) ([]byte, error) {
	if n == 0 || n >= db.npages {
		return nil, corrupt("Berkeley DB page %d outside the file's %d pages", n, db.npages)
	}
	if db.seen[n] {
		return nil, corrupt("Berkeley DB page %d is reached twice", n)
	}
	db.seen[n] = true
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
func (db *bdbFile) bucket(pg uint32, fn func(key, value []byte) error) error {
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
			key, err := db.item(buf, i)
			if err != nil {
				return corruptWrap(err, "Berkeley DB page %d item %d", pg, i)
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
// previous item's (the page's end for the first), after a type byte.
func (db *bdbFile) item(buf []byte, i int) ([]byte, error) {
	start := int(db.order.Uint16(buf[bdbPageHeaderSize+2*i:]))
	end := len(buf)
	if i > 0 {
		end = int(db.order.Uint16(buf[bdbPageHeaderSize+2*(i-1):]))
	}
	if start < bdbPageHeaderSize || start >= end || end > len(buf) {
		return nil, corrupt("item at offset %d to %d", start, end)
	}
	switch buf[start] {
	case itemKeyData:
		return buf[start+1 : end], nil
	case itemOffPage:
		if end-start < offPageItemSize {
			return nil, corrupt("off-page item of %d bytes", end-start)
		}
		return db.overflow(db.order.Uint32(buf[start+4:]), db.order.Uint32(buf[start+8:]))
	}
	return nil, corrupt("item of type %d", buf[start])
}

// overflow reads an off-page item of tlen bytes from its chain of
// overflow pages; each page's high-free-offset field is its data length.
func (db *bdbFile) overflow(pg, tlen uint32) ([]byte, error) {
	if tlen > MaxHeader {
		return nil, corrupt("off-page item of %d bytes", tlen)
	}
	out := make([]byte, 0, tlen)
	for uint32(len(out)) < tlen {
		if pg == 0 {
			return nil, corrupt("overflow chain shorter than its %d bytes", tlen)
		}
		buf, err := db.page(pg, bdbOverflowPage)
		if err != nil {
			return nil, err
		}
		n := uint32(db.order.Uint16(buf[22:]))
		if n == 0 || bdbPageHeaderSize+n > db.pageSize || uint32(len(out))+n > tlen {
			return nil, corrupt("overflow page %d holds %d bytes", pg, n)
		}
		out = append(out, buf[bdbPageHeaderSize:bdbPageHeaderSize+n]...)
		pg = db.order.Uint32(buf[16:])
	}
	return out, nil
}
