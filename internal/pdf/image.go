package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// An Image is a picture in the form a PDF embeds it: its compressed data and what decoding it
// needs, in PDF syntax.
type Image struct {
	Width, Height    int
	BitsPerComponent int
	ColorSpace       string // a PDF colour space: /DeviceGray, /DeviceRGB, [/Indexed …]
	Filter           string // /DCTDecode, /FlateDecode, /CCITTFaxDecode
	DecodeParms      string // a PDF dictionary, or empty
	Decode           string // a PDF array, or empty
	Data             []byte
}

func (im *Image) dict() string {
	d := fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent %d /ColorSpace %s /Filter %s",
		im.Width, im.Height, im.BitsPerComponent, im.ColorSpace, im.Filter)
	if im.DecodeParms != "" {
		d += " /DecodeParms " + im.DecodeParms
	}
	if im.Decode != "" {
		d += " /Decode " + im.Decode
	}
	return d
}

// ErrNotEmbeddable means an image cannot be embedded as it is: it must be decoded and
// compressed again.
var ErrNotEmbeddable = errors.New("image cannot be embedded as it is")

// JPEG returns a baseline or progressive 8-bit JPEG, embedded as it is: not a byte of the
// picture changes.
func JPEG(data []byte) (*Image, error) {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return nil, fmt.Errorf("%w: not a JPEG", ErrNotEmbeddable)
	}
	adobe := false
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return nil, fmt.Errorf("%w: JPEG marker expected at %d", ErrNotEmbeddable, i)
		}
		marker := data[i+1]
		if marker == 0xff {
			i++
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil, fmt.Errorf("%w: JPEG segment overruns the file", ErrNotEmbeddable)
		}
		seg := data[i+4 : i+2+n]
		switch {
		case marker == 0xee && bytes.HasPrefix(seg, []byte("Adobe")):
			adobe = true
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			if len(seg) < 6 {
				return nil, fmt.Errorf("%w: short JPEG frame header", ErrNotEmbeddable)
			}
			if marker != 0xc0 && marker != 0xc1 && marker != 0xc2 {
				return nil, fmt.Errorf("%w: JPEG coding SOF%d", ErrNotEmbeddable, marker-0xc0)
			}
			im := &Image{
				Height: int(binary.BigEndian.Uint16(seg[1:])), Width: int(binary.BigEndian.Uint16(seg[3:])),
				BitsPerComponent: int(seg[0]), Filter: "/DCTDecode", Data: data,
			}
			switch seg[5] {
			case 1:
				im.ColorSpace = "/DeviceGray"
			case 3:
				im.ColorSpace = "/DeviceRGB"
			case 4:
				im.ColorSpace = "/DeviceCMYK"
				if adobe { // Adobe's CMYK JPEGs store their ink inverted
					im.Decode = "[1 0 1 0 1 0 1 0]"
				}
			default:
				return nil, fmt.Errorf("%w: JPEG with %d components", ErrNotEmbeddable, seg[5])
			}
			if im.BitsPerComponent != 8 || im.Width == 0 || im.Height == 0 {
				return nil, fmt.Errorf("%w: %d-bit JPEG of %dx%d", ErrNotEmbeddable, im.BitsPerComponent, im.Width, im.Height)
			}
			return im, nil
		case marker == 0xda || marker == 0xd9:
			return nil, fmt.Errorf("%w: JPEG without a frame header", ErrNotEmbeddable)
		}
		i += 2 + n
	}
	return nil, fmt.Errorf("%w: truncated JPEG", ErrNotEmbeddable)
}

// PNG returns a non-interlaced PNG without transparency, its compressed pixel data embedded as
// it is. Other PNGs are ErrNotEmbeddable.
func PNG(data []byte) (*Image, error) {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(data, []byte(sig)) {
		return nil, fmt.Errorf("%w: not a PNG", ErrNotEmbeddable)
	}
	var (
		im      Image
		colors  int
		palette []byte
		idat    []byte
		sawIHDR bool
	)
	for rest := data[len(sig):]; ; {
		if len(rest) < 12 {
			return nil, fmt.Errorf("%w: truncated PNG", ErrNotEmbeddable)
		}
		n := binary.BigEndian.Uint32(rest)
		typ := string(rest[4:8])
		if uint64(n)+12 > uint64(len(rest)) {
			return nil, fmt.Errorf("%w: PNG chunk %q overruns the file", ErrNotEmbeddable, typ)
		}
		body := rest[8 : 8+n]
		rest = rest[12+n:]
		switch typ {
		case "IHDR":
			if n != 13 {
				return nil, fmt.Errorf("%w: PNG header of %d bytes", ErrNotEmbeddable, n)
			}
			sawIHDR = true
			im.Width, im.Height = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
			im.BitsPerComponent = int(body[8])
			switch colorType := body[9]; {
			case body[12] != 0:
				return nil, fmt.Errorf("%w: interlaced PNG", ErrNotEmbeddable)
			case colorType == 0:
				colors, im.ColorSpace = 1, "/DeviceGray"
			case colorType == 2:
				colors, im.ColorSpace = 3, "/DeviceRGB"
			case colorType == 3:
				colors = 1
			default:
				return nil, fmt.Errorf("%w: PNG with an alpha channel", ErrNotEmbeddable)
			}
		case "PLTE":
			palette = body
		case "tRNS":
			return nil, fmt.Errorf("%w: PNG with transparency", ErrNotEmbeddable)
		case "IDAT":
			idat = append(idat, body...)
		case "IEND":
			if !sawIHDR || len(idat) == 0 || im.Width <= 0 || im.Height <= 0 {
				return nil, fmt.Errorf("%w: PNG without header or pixels", ErrNotEmbeddable)
			}
			if im.ColorSpace == "" {
				if len(palette) == 0 || len(palette)%3 != 0 || len(palette) > 3*256 {
					return nil, fmt.Errorf("%w: PNG palette of %d bytes", ErrNotEmbeddable, len(palette))
				}
				im.ColorSpace = fmt.Sprintf("[/Indexed /DeviceRGB %d <%X>]", len(palette)/3-1, palette)
			}
			im.Filter = "/FlateDecode"
			im.DecodeParms = fmt.Sprintf("<< /Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d >>",
				colors, im.BitsPerComponent, im.Width)
			im.Data = idat
			return &im, nil
		}
	}
}
