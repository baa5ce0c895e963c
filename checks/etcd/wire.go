package etcd

import (
	"errors"
	"fmt"
)

// protobuf's wire format, by hand: the little of it golive needs to read
// etcd's answers and write its requests (see messages.go for why not
// google.golang.org/protobuf).

// Wire types of protobuf's encoding.
const (
	wireVarint     = 0
	wireFixed64    = 1
	wireBytes      = 2
	wireStartGroup = 3
	wireEndGroup   = 4
	wireFixed32    = 5
)

// maxGroupDepth is protobuf's default recursion limit.
const maxGroupDepth = 10000

// field is one decoded field: u for varints, b for length-delimited data.
type field struct {
	num, typ int
	u        uint64
	b        []byte
}

// maxFieldNumber is the largest field number protobuf allows.
const maxFieldNumber = 1<<29 - 1

var errTruncated = errors.New("truncated protobuf message")

// fields walks a message's fields in order. Fields golive does not read
// are skipped by their wire type, groups (wire types 3 and 4, which no
// etcd message holds) with all they enclose, as protobuf skips them.
func fields(b []byte, each func(field) error) error {
	for len(b) > 0 {
		num, typ, n, err := tag(b)
		if err != nil {
			return err
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case wireVarint:
			f.u, n = uvarint(b)
		case wireBytes:
			f.b, n = lengthDelimited(b)
		case wireStartGroup:
			if n, err = skipGroup(num, b); err != nil {
				return err
			}
		default:
			if n, err = fixedLen(typ, b); err != nil {
				return err
			}
		}
		if n == 0 {
			return errTruncated
		}
		b = b[n:]
		if err := each(f); err != nil {
			return err
		}
	}
	return nil
}

// tag decodes a field's number and wire type; n is the tag's length.
func tag(b []byte) (num, typ, n int, err error) {
	v, n := uvarint(b)
	if n == 0 {
		return 0, 0, 0, errTruncated
	}
	if v>>3 == 0 || v>>3 > maxFieldNumber {
		return 0, 0, 0, fmt.Errorf("protobuf field number %d out of range", v>>3)
	}
	return int(v >> 3), int(v & 7), n, nil
}

// lengthDelimited is the data of a length-delimited value and the length
// of the whole value; n is 0 when b holds less than the length says.
func lengthDelimited(b []byte) (data []byte, n int) {
	l, n := uvarint(b)
	if n == 0 || l > uint64(len(b)-n) {
		return nil, 0
	}
	return b[n : n+int(l)], n + int(l)
}

// fixedLen is the length of a fixed-size value (0 when b is shorter); an
// end-group tag without its start and the unused wire types 6 and 7 are
// errors.
func fixedLen(typ int, b []byte) (int, error) {
	size := 0
	switch typ {
	case wireFixed32:
		size = 4
	case wireFixed64:
		size = 8
	default:
		return 0, fmt.Errorf("protobuf wire type %d out of place", typ)
	}
	if len(b) < size {
		return 0, nil
	}
	return size, nil
}

// skipGroup returns the length of group num's fields up to and with its
// end tag.
func skipGroup(num int, b []byte) (int, error) {
	open := []int{num}
	n := 0
	for len(open) > 0 {
		fnum, typ, m, err := tag(b[n:])
		if err != nil {
			return 0, err
		}
		n += m
		switch typ {
		case wireStartGroup:
			if len(open) == maxGroupDepth {
				return 0, errors.New("protobuf groups nested too deep")
			}
			open = append(open, fnum)
			continue
		case wireEndGroup:
			if fnum != open[len(open)-1] {
				return 0, fmt.Errorf("protobuf group %d ended by the end of group %d", open[len(open)-1], fnum)
			}
			open = open[:len(open)-1]
			continue
		case wireVarint:
			_, m = uvarint(b[n:])
		case wireBytes:
			_, m = lengthDelimited(b[n:])
		default:
			if m, err = fixedLen(typ, b[n:]); err != nil {
				return 0, err
			}
		}
		if m == 0 {
			return 0, errTruncated
		}
		n += m
	}
	return n, nil
}

// uvarint decodes a varint; n is 0 when b holds no complete one of at
// most ten bytes.
func uvarint(b []byte) (v uint64, n int) {
	for i := 0; i < len(b) && i < 10; i++ {
		c := b[i]
		if i == 9 && c > 1 {
			return 0, 0 // beyond 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// A field whose wire type is not the schema's is an unknown field to
// protobuf's decoder, kept aside and not an error; golive skips it.

func (f field) uint(dst *uint64) {
	if f.typ == wireVarint {
		*dst = f.u
	}
}

func (f field) int(dst *int64) {
	if f.typ == wireVarint {
		*dst = int64(f.u)
	}
}

func (f field) bool(dst *bool) {
	if f.typ == wireVarint {
		*dst = f.u != 0
	}
}

func (f field) str(dst *string) {
	if f.typ == wireBytes {
		*dst = string(f.b)
	}
}

func (f field) strs(dst *[]string) {
	if f.typ == wireBytes {
		*dst = append(*dst, string(f.b))
	}
}

// message is f's bytes when f holds an embedded message, else false.
func (f field) message() ([]byte, bool) { return f.b, f.typ == wireBytes }

// wellFormed checks an embedded message golive does not read (a header
// where it needs none, DowngradeInfo): protobuf refuses a response whose
// embedded message is broken, and so does golive.
func (f field) wellFormed() error {
	if b, ok := f.message(); ok {
		return fields(b, func(field) error { return nil })
	}
	return nil
}

// appendString appends field num as a length-delimited string; protobuf
// leaves out a field holding its zero value, and so do we.
func appendString(b []byte, num int, s string) []byte {
	if s == "" {
		return b
	}
	b = appendUvarint(b, uint64(num)<<3|wireBytes)
	b = appendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
