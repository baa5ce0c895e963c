package rpmdb

import (
	"encoding/binary"
	"io"
)

// SQLite's write-ahead log (sqlite.org/fileformat2.html, "The WAL File
// Format"): rpm opens rpmdb.sqlite in WAL mode and checkpoints the log
// when it closes, so a log that still holds frames is an rpm transaction
// that is running or was killed. Its committed frames are part of the
// database (rpm itself, opening it, would see them): they replace the
// file's pages, the last frame of a page winning, up to the last commit
// whose frames all carry the header's salts and a valid running checksum.

const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
	walMagic           = 0x377f0682 // | 1: checksums in big-endian words
)

// wal is what a log adds to the database: where each replaced page's
// bytes are in the log, and the database's size in pages after the last
// commit (0 when the log has no commit).
type wal struct {
	r      io.ReaderAt
	pages  map[uint32]int64
	npages uint32
}

// readWAL reads a log of size bytes written for pages of pageSize bytes.
// A log whose header is not valid is no log, as for SQLite.
func readWAL(r io.ReaderAt, size int64, pageSize uint32) (*wal, error) {
	var hdr [walHeaderSize]byte
	if size < walHeaderSize {
		return nil, nil
	}
	br := newBlockReader(r, size)
	if _, err := br.ReadAt(hdr[:], 0); err != nil {
		return nil, err
	}
	magic := binary.BigEndian.Uint32(hdr[:])
	if magic&^1 != walMagic {
		return nil, nil
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if magic&1 == 1 {
		order = binary.BigEndian
	}
	s0, s1 := walChecksum(order, hdr[:24], 0, 0)
	if s0 != binary.BigEndian.Uint32(hdr[24:]) || s1 != binary.BigEndian.Uint32(hdr[28:]) {
		return nil, nil
	}
	if ps := binary.BigEndian.Uint32(hdr[8:]); ps != pageSize && !(ps == 1 && pageSize == 65536) {
		return nil, corrupt("write-ahead log of %d-byte pages for a database of %d-byte pages", ps, pageSize)
	}
	w := &wal{r: br, pages: map[uint32]int64{}}
	pending := map[uint32]int64{}
	frame := make([]byte, walFrameHeaderSize+int(pageSize))
	for off := int64(walHeaderSize); off+int64(len(frame)) <= size; off += int64(len(frame)) {
		if _, err := br.ReadAt(frame, off); err != nil {
			return nil, err
		}
		pg := binary.BigEndian.Uint32(frame)
		if pg == 0 || string(frame[8:16]) != string(hdr[16:24]) {
			break
		}
		s0, s1 = walChecksum(order, frame[:8], s0, s1)
		s0, s1 = walChecksum(order, frame[walFrameHeaderSize:], s0, s1)
		if s0 != binary.BigEndian.Uint32(frame[16:]) || s1 != binary.BigEndian.Uint32(frame[20:]) {
			break
		}
		pending[pg] = off + walFrameHeaderSize
		if commit := binary.BigEndian.Uint32(frame[4:]); commit != 0 {
			for p, o := range pending {
				w.pages[p] = o
			}
			clear(pending)
			w.npages = commit
		}
	}
	if w.npages == 0 {
		return nil, nil
	}
	return w, nil
}

// walChecksum continues SQLite's running checksum over data (a multiple
// of 8 bytes) read as 32-bit words in order.
func walChecksum(order binary.ByteOrder, data []byte, s0, s1 uint32) (uint32, uint32) {
	for i := 0; i+8 <= len(data); i += 8 {
		s0 += order.Uint32(data[i:]) + s1
		s1 += order.Uint32(data[i+4:]) + s0
	}
	return s0, s1
}
