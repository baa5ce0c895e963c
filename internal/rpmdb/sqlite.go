package rpmdb

import (
	"encoding/binary"
	"io"
	"strings"
)

// The SQLite file format (sqlite.org/fileformat2.html), as much of it as
// reading one table needs: the 100-byte file header, table b-tree pages
// (interior 0x05, leaf 0x0d), cells, varints, overflow chains and the
// record format. rpm's sqlite backend keeps each header as the blob column
// of table Packages(hnum INTEGER PRIMARY KEY, blob BLOB).

const (
	sqliteMagic       = "SQLite format 3\x00"
	sqliteHeaderSize  = 100
	pageInteriorTable = 0x05
	pageLeafTable     = 0x0d
	maxTreeDepth      = 64
)

// sqliteFile is an open database: its pages are read on demand, from the
// write-ahead log when it holds a committed copy of them.
type sqliteFile struct {
	r        io.ReaderAt
	wal      *wal
	pageSize uint32
	usable   uint32
	npages   uint32
	// reads counts page reads: a sound file reads each page of the two
	// trees once, so a file that asks for more (overflow chains shared by
	// cells) is refused before it costs more than twice its size.
	reads uint64
	// bufs are the page buffers of each depth of a walk, and payload the
	// buffer of the current cell's payload: both reused, since a record
	// is decoded before the walk moves on.
	bufs    [][]byte
	payload []byte
	cell    payload
	ovf     []byte // one overflow page
}

// ReadSQLite lists the packages of an rpmdb.sqlite file of size bytes and
// of its write-ahead log (rpmdb.sqlite-wal, walSize bytes; wal nil or
// walSize 0 when there is none), whose committed pages replace the file's.
func ReadSQLite(r io.ReaderAt, size int64, walR io.ReaderAt, walSize int64) ([]Package, error) {
	db, err := openSQLite(r, size)
	if err != nil {
		return nil, err
	}
	if walR != nil && walSize > 0 {
		if db.wal, err = readWAL(walR, walSize, db.pageSize); err != nil {
			return nil, err
		}
		if db.wal != nil {
			db.npages = db.wal.npages
		}
	}
	root, err := db.tableRoot("Packages")
	if err != nil {
		return nil, err
	}
	var pkgs []Package
	err = db.walkTable(root, func(rowid int64, pl *payload) error {
		p, err := pl.header()
		if err != nil {
			return corruptWrap(err, "Packages row %d", rowid)
		}
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

func openSQLite(r io.ReaderAt, size int64) (*sqliteFile, error) {
	var hdr [sqliteHeaderSize]byte
	if size < sqliteHeaderSize {
		return nil, corrupt("a SQLite file of %d bytes", size)
	}
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, err
	}
	if string(hdr[:16]) != sqliteMagic {
		return nil, corrupt("not a SQLite 3 file")
	}
	ps := uint32(binary.BigEndian.Uint16(hdr[16:]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps > 65536 || ps&(ps-1) != 0 {
		return nil, corrupt("SQLite page size %d", ps)
	}
	reserved := uint32(hdr[20])
	if ps-reserved < 480 {
		return nil, corrupt("SQLite usable page size %d", ps-reserved)
	}
	if enc := binary.BigEndian.Uint32(hdr[56:]); enc != 1 && enc != 0 {
		return nil, corrupt("SQLite text encoding %d is not UTF-8", enc)
	}
	n := size / int64(ps)
	if n > 1<<31 {
		n = 1 << 31
	}
	return &sqliteFile{r: newBlockReader(r, size), pageSize: ps, usable: ps - reserved, npages: uint32(n)}, nil
}

// readPage reads len(into) bytes at off of page n (numbered from 1).
func (db *sqliteFile) readPage(n uint32, off int, into []byte) error {
	if n < 1 || n > db.npages {
		return corrupt("SQLite page %d outside the database's %d pages", n, db.npages)
	}
	if db.reads++; db.reads > 2*uint64(db.npages)+64 {
		return corrupt("SQLite pages are reached more often than the file has pages")
	}
	if db.wal != nil {
		if at, ok := db.wal.pages[n]; ok {
			_, err := db.wal.r.ReadAt(into, at+int64(off))
			return err
		}
	}
	_, err := db.r.ReadAt(into, int64(n-1)*int64(db.pageSize)+int64(off))
	if err == io.EOF {
		return corrupt("SQLite page %d past the file's end", n)
	}
	return err
}

// page reads the usable part of page n into the walk's buffer for depth.
func (db *sqliteFile) page(n uint32, depth int) ([]byte, error) {
	for len(db.bufs) <= depth {
		db.bufs = append(db.bufs, make([]byte, db.usable))
	}
	buf := db.bufs[depth]
	return buf, db.readPage(n, 0, buf)
}

// tableRoot finds a table's root page in sqlite_schema (rooted at page 1).
func (db *sqliteFile) tableRoot(name string) (uint32, error) {
	var root int64
	err := db.walkTable(1, func(_ int64, pl *payload) error {
		rec, err := pl.prefix(pl.total)
		if err != nil {
			return err
		}
		typ, err := recordColumn(rec, 0)
		if err != nil {
			return err
		}
		tbl, err := recordColumn(rec, 1)
		if err != nil {
			return err
		}
		if string(typ.data) != "table" || !strings.EqualFold(string(tbl.data), name) {
			return nil
		}
		rp, err := recordColumn(rec, 3)
		if err != nil {
			return err
		}
		root = rp.int
		return nil
	})
	if err != nil {
		return 0, err
	}
	if root < 1 || root > int64(db.npages) {
		return 0, corrupt("no table %s in sqlite_schema", name)
	}
	return uint32(root), nil
}

// walkTable calls fn with each row's rowid and payload, in rowid order,
// visiting each page at most once. The payload is valid only during fn.
func (db *sqliteFile) walkTable(root uint32, fn func(rowid int64, pl *payload) error) error {
	seen := map[uint32]bool{}
	var walk func(n uint32, depth int) error
	walk = func(n uint32, depth int) error {
		if depth > maxTreeDepth || seen[n] {
			return corrupt("SQLite b-tree loops at page %d", n)
		}
		seen[n] = true
		pg, err := db.page(n, depth)
		if err != nil {
			return err
		}
		h := 0
		if n == 1 {
			h = sqliteHeaderSize
		}
		if len(pg) < h+12 {
			return corrupt("SQLite page %d too short", n)
		}
		kind := pg[h]
		ncells := int(binary.BigEndian.Uint16(pg[h+3:]))
		hdrLen := 8
		if kind == pageInteriorTable {
			hdrLen = 12
		} else if kind != pageLeafTable {
			return corrupt("SQLite page %d of type %#x in a table b-tree", n, kind)
		}
		ptrs := h + hdrLen
		if ptrs+2*ncells > len(pg) {
			return corrupt("SQLite page %d: %d cells do not fit", n, ncells)
		}
		for i := 0; i < ncells; i++ {
			off := int(binary.BigEndian.Uint16(pg[ptrs+2*i:]))
			if off < ptrs+2*ncells || off >= len(pg) {
				return corrupt("SQLite page %d: cell %d at offset %d", n, i, off)
			}
			if kind == pageInteriorTable {
				if off+4 > len(pg) {
					return corrupt("SQLite page %d: cell %d truncated", n, i)
				}
				if err := walk(binary.BigEndian.Uint32(pg[off:]), depth+1); err != nil {
					return err
				}
				continue
			}
			rowid, pl, err := db.leafCell(pg, off)
			if err != nil {
				return corruptWrap(err, "SQLite page %d cell %d", n, i)
			}
			if err := fn(rowid, pl); err != nil {
				return err
			}
		}
		if kind == pageInteriorTable {
			return walk(binary.BigEndian.Uint32(pg[h+8:]), depth+1)
		}
		return nil
	}
	return walk(root, 0)
}

// leafCell reads a table leaf cell: payload length, rowid and the local
// part of the payload; the rest, on overflow pages, is read on demand.
func (db *sqliteFile) leafCell(pg []byte, off int) (int64, *payload, error) {
	plen, n := varint(pg[off:])
	if n == 0 {
		return 0, nil, corrupt("bad payload length")
	}
	off += n
	rowid, n := varint(pg[off:])
	if n == 0 {
		return 0, nil, corrupt("bad rowid")
	}
	off += n
	if plen > MaxHeader+1<<16 {
		return 0, nil, corrupt("payload of %d bytes", plen)
	}
	u := uint64(db.usable)
	local := plen
	if maxLocal := u - 35; plen > maxLocal {
		minLocal := (u-12)*32/255 - 23
		local = minLocal + (plen-minLocal)%(u-4)
		if local > maxLocal {
			local = minLocal
		}
	}
	end := uint64(off) + local
	if local < plen {
		end += 4
	}
	if end > uint64(len(pg)) {
		return 0, nil, corrupt("payload past the page's end")
	}
	if uint64(cap(db.payload)) < plen {
		db.payload = make([]byte, 0, plen)
	}
	pl := &db.cell
	*pl = payload{db: db, total: plen, buf: append(db.payload[:0], pg[off:uint64(off)+local]...)}
	if local < plen {
		pl.next = binary.BigEndian.Uint32(pg[end-4:])
	}
	return int64(rowid), pl, nil
}
