package ocrtest

import (
	"image"
	"math"
	"math/rand/v2"
)

// Rotate returns img turned clockwise by quarter turns (0..3).
func Rotate(img *image.Gray, quarters int) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	quarters = ((quarters % 4) + 4) % 4
	if quarters == 0 {
		return clone(img)
	}
	dw, dh := h, w
	if quarters == 2 {
		dw, dh = w, h
	}
	dst := image.NewGray(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch quarters {
			case 1:
				dx, dy = h-1-y, x
			case 2:
				dx, dy = w-1-x, h-1-y
			case 3:
				dx, dy = y, w-1-x
			}
			dst.Pix[dy*dst.Stride+dx] = img.Pix[y*img.Stride+x]
		}
	}
	return dst
}

// Skew returns img rotated by deg degrees about its centre, with bilinear
// interpolation and white where the original has no pixels.
func Skew(img *image.Gray, deg float64) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 255
		}
		return float64(img.Pix[y*img.Stride+x])
	}
	for y := range h {
		for x := range w {
			fx := cos*(float64(x)-cx) + sin*(float64(y)-cy) + cx
			fy := -sin*(float64(x)-cx) + cos*(float64(y)-cy) + cy
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			ax, ay := fx-float64(x0), fy-float64(y0)
			v := (1-ay)*((1-ax)*at(x0, y0)+ax*at(x0+1, y0)) + ay*((1-ax)*at(x0, y0+1)+ax*at(x0+1, y0+1))
			dst.Pix[y*dst.Stride+x] = uint8(v + 0.5)
		}
	}
	return dst
}

// Blur returns img smoothed with a Gaussian of standard deviation sigma pixels.
func Blur(img *image.Gray, sigma float64) *image.Gray {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	tmp := make([]float64, w*h)
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			var v float64
			for i, kv := range k {
				xx := min(max(x+i-r, 0), w-1)
				v += kv * float64(row[xx])
			}
			tmp[y*w+x] = v
		}
	}
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var v float64
			for i, kv := range k {
				yy := min(max(y+i-r, 0), h-1)
				v += kv * tmp[yy*w+x]
			}
			dst.Pix[y*dst.Stride+x] = clamp(v)
		}
	}
	return dst
}

// Noise returns img with Gaussian noise of standard deviation sigma grey
// levels and a fraction speckle of pixels flipped to black or white.
func Noise(img *image.Gray, sigma, speckle float64, seed uint64) *image.Gray {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	dst := clone(img)
	for i, p := range dst.Pix {
		v := float64(p) + rng.NormFloat64()*sigma
		if rng.Float64() < speckle {
			v = 255 * float64(rng.IntN(2))
		}
		dst.Pix[i] = clamp(v)
	}
	return dst
}

// Contrast maps black to lo and white to hi, fading the page.
func Contrast(img *image.Gray, lo, hi uint8) *image.Gray {
	dst := clone(img)
	for i, p := range dst.Pix {
		dst.Pix[i] = clamp(float64(lo) + float64(p)*float64(hi-lo)/255)
	}
	return dst
}

func clone(img *image.Gray) *image.Gray {
	dst := image.NewGray(img.Bounds())
	copy(dst.Pix, img.Pix)
	return dst
}

func clamp(v float64) uint8 {
	return uint8(min(max(math.Round(v), 0), 255))
}
