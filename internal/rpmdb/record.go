package rpmdb

// varint is SQLite's big-endian varint of 1 to 9 bytes; n is 0 when b
// ends first.
func varint(b []byte) (v uint64, n int) {
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// column is one value of a record.
type column struct {
	null bool
	int  int64
	data []byte // text or blob
}

// recordColumn decodes column i of a record: a header of serial types,
// then the values in that order.
func recordColumn(rec []byte, i int) (column, error) {
	hlen, n := varint(rec)
	if n == 0 || hlen > uint64(len(rec)) || hlen < uint64(n) {
		return column{}, corrupt("record header of %d bytes in %d", hlen, len(rec))
	}
	types := rec[n:hlen]
	body := rec[hlen:]
	for c := 0; ; c++ {
		if len(types) == 0 {
			return column{null: true}, nil // a column past the record's end is NULL
		}
		st, n := varint(types)
		if n == 0 {
			return column{}, corrupt("bad serial type")
		}
		types = types[n:]
		size := serialSize(st)
		if size > uint64(len(body)) {
			return column{}, corrupt("record value of %d bytes past the record's end", size)
		}
		if c == i {
			v := body[:size]
			switch {
			case st == 0:
				return column{null: true}, nil
			case st >= 1 && st <= 6:
				var x int64
				if v[0]&0x80 != 0 {
					x = -1
				}
				for _, b := range v {
					x = x<<8 | int64(b)
				}
				return column{int: x}, nil
			case st == 8, st == 9:
				return column{int: int64(st - 8)}, nil
			}
			return column{data: v}, nil
		}
		body = body[size:]
	}
}

// serialSize is the length of a value of serial type st.
func serialSize(st uint64) uint64 {
	switch {
	case st <= 4:
		return st
	case st == 5:
		return 6
	case st == 6 || st == 7:
		return 8
	case st < 12:
		return 0
	}
	return (st - 12) / 2
}
