package document

import (
	"errors"
	"reflect"
	"testing"
)

func sampleLayout() *Layout {
	return &Layout{Width: 2480, Height: 3508, DPI: 300, Rotation: 1, Lines: []Line{
		{Box: Box{300, 290, 1200, 340}, Words: []Word{
			{Text: "Übersetzung", Box: Box{300, 292, 700, 340}, Confidence: 96},
			{Text: "fee", Box: Box{730, 290, 1200, 338}, Confidence: 0},
		}},
		{Box: Box{0, 0, 2480, 3508}, Words: []Word{{Text: "", Box: Box{2480, 3508, 2480, 3508}, Confidence: 100}}},
		{Box: Box{5, 6, 7, 8}},
	}}
}

func TestLayoutRoundTrip(t *testing.T) {
	want := sampleLayout()
	b, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Layout
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want.Lines[2].Words = []Word{}
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, *want)
	}
}

func TestLayoutIsCompact(t *testing.T) {
	l := &Layout{Width: 2480, Height: 3508, DPI: 300}
	text := 0
	for i := range 40 {
		line := Line{Box: Box{300, 300 + 70*i, 2180, 350 + 70*i}}
		for j := range 10 {
			w := Word{Text: "word", Box: Box{300 + 190*j, 302 + 70*i, 470 + 190*j, 350 + 70*i}, Confidence: 90}
			line.Words = append(line.Words, w)
			text += len(w.Text)
		}
		l.Lines = append(l.Lines, line)
	}
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if per := float64(len(b)-text) / float64(l.Words()); per > 10 {
		t.Errorf("%.1f bytes per word besides its text, want at most 10", per)
	}
}

func TestLayoutRefusesWhatDoesNotFit(t *testing.T) {
	for name, edit := range map[string]func(*Layout){
		"word outside picture": func(l *Layout) { l.Lines[0].Words[0].Box[2] = 2481 },
		"inverted box":         func(l *Layout) { l.Lines[0].Box = Box{10, 10, 5, 20} },
		"rotation":             func(l *Layout) { l.Rotation = 4 },
		"confidence":           func(l *Layout) { l.Lines[0].Words[1].Confidence = 101 },
		"invalid UTF-8":        func(l *Layout) { l.Lines[0].Words[1].Text = "\xff" },
		"negative size":        func(l *Layout) { l.Width = -1 },
	} {
		l := sampleLayout()
		edit(l)
		if _, err := l.MarshalBinary(); !errors.Is(err, ErrBadLayout) {
			t.Errorf("%s: MarshalBinary error %v, want ErrBadLayout", name, err)
		}
	}
}

func TestLayoutUnmarshalDamaged(t *testing.T) {
	good, err := sampleLayout().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{nil, {2}, good[:len(good)-1], append(good[:len(good):len(good)], 0)} {
		var l Layout
		if err := l.UnmarshalBinary(data); !errors.Is(err, ErrBadLayout) {
			t.Errorf("UnmarshalBinary(% x): error %v, want ErrBadLayout", data, err)
		}
	}
}

func TestBoxTurn(t *testing.T) {
	// A 100×40 picture; the box is its top-left 10×5 corner.
	b := Box{0, 0, 10, 5}
	tests := []struct {
		quarters int
		want     Box
	}{
		{0, Box{0, 0, 10, 5}},
		{1, Box{35, 0, 40, 10}},   // top-right of the 40×100 picture
		{2, Box{90, 35, 100, 40}}, // bottom-right of 100×40
		{3, Box{0, 90, 5, 100}},   // bottom-left of 40×100
		{4, Box{0, 0, 10, 5}},
		{-1, Box{0, 90, 5, 100}},
	}
	for _, tt := range tests {
		if got := b.Turn(tt.quarters, 100, 40); got != tt.want {
			t.Errorf("Turn(%d) = %v, want %v", tt.quarters, got, tt.want)
		}
	}
	for q := range 4 {
		w, h := 100, 40
		if q%2 == 1 {
			w, h = h, w
		}
		if got := b.Turn(q, 100, 40).Turn(4-q, w, h); got != b {
			t.Errorf("Turn(%d) then Turn(%d) = %v, want %v", q, 4-q, got, b)
		}
	}
}

func FuzzLayoutUnmarshal(f *testing.F) {
	good, err := sampleLayout().MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var l Layout
		if err := l.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrBadLayout) {
				t.Fatalf("error %v does not wrap ErrBadLayout", err)
			}
			return
		}
		again, err := l.MarshalBinary()
		if err != nil {
			t.Fatalf("a decoded layout does not encode: %v", err)
		}
		var l2 Layout
		if err := l2.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(l, l2) {
			t.Fatalf("re-encoded layout decodes to %+v, %v; want %+v", l2, err, l)
		}
	})
}
