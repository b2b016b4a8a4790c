package ocr

import (
	"context"
	"errors"
	"image"
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// multilingual is one paragraph in each language of the test's page, rich in the letters each
// adds to English.
var multilingual = []string{
	"The committee will publish its annual report on the first Monday of September.",
	"Die Übergabe der Schlüssel erfolgt am Donnerstag gegen fünfzehn Uhr im Büro für Grundstücksgrößen.",
	"Le maître d'hôtel a réservé une très belle fenêtre près de la cathédrale pour le dîner de Noël.",
	"Il presidente aprirà la riunione più tardi perché è già arrivato un caffè per ciascuno.",
	"El señor Muñoz pidió una canción y un café en la pequeña estación del año pasado.",
}

func TestLanguages(t *testing.T) {
	got, err := Languages("")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"deu", "eng", "fra", "ita", "nld", "por", "spa"} {
		if _, ok := slices.BinarySearch(got, want); !ok {
			t.Errorf("Languages = %v, lacks %s (scripts/deps.sh installs it)", got, want)
		}
	}
	if slices.Contains(got, "osd") || !slices.IsSorted(got) {
		t.Errorf("Languages = %v, want sorted codes without osd", got)
	}

	for _, tt := range []struct {
		lang    string
		missing string
	}{
		{"eng", ""}, {"deu+eng", ""}, {"deu+xyz", "xyz"}, {"klingon", "klingon"},
	} {
		err := CheckLang(tt.lang, "")
		var unknown *UnknownLanguageError
		switch {
		case tt.missing == "" && err != nil:
			t.Errorf("CheckLang(%q) = %v, want nil", tt.lang, err)
		case tt.missing != "" && (!errors.As(err, &unknown) || unknown.Lang != tt.missing ||
			!errors.Is(err, document.ErrInvalidInput) || !strings.Contains(err.Error(), "deu, eng")):
			t.Errorf("CheckLang(%q) = %v, want an invalid-input error naming %s and the installed packs", tt.lang, err, tt.missing)
		}
	}
	if err := CheckLang("eng; rm -rf /", ""); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("CheckLang of a malformed list = %v, want invalid input", err)
	}
}

// TestMultilingualPage checks that a page in five languages reads clearly better with their
// five packs than with English alone, through the pool as a document with those languages.
// Tesseract tries the packs in the order given, so the order matters: English first still reads
// "Übergabe" as "Ubergabe" (3.6% CER here, against 8.4% for English alone), German first reads
// every line right.
func TestMultilingualPage(t *testing.T) {
	if testing.Short() {
		t.Skip("reads one page three times; run without -short")
	}
	fonts, err := ocrtest.LoadFonts(12)
	if err != nil {
		t.Fatal(err)
	}
	page := ocrtest.NewPage()
	want, err := ocrtest.DrawText(page, fonts[1], image.Rect(300, 300, ocrtest.PageWidth-300, ocrtest.PageHeight-300), multilingual)
	if err != nil {
		t.Fatal(err)
	}
	data, err := ocrtest.PNGAt(page, ocrtest.DPI)
	if err != nil {
		t.Fatal(err)
	}
	p := testPool(t)
	cer := map[string]float64{}
	for _, lang := range []string{"eng", "eng+deu+fra+ita+spa", "deu+fra+ita+spa+eng"} {
		pages, err := p.Recognize(context.Background(), data, TypePNG, lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		cer[lang] = ocrtest.CER(pages[0].Text, want)
		t.Logf("%-20s CER %.2f%%", lang, 100*cer[lang])
	}
	if multi, eng := cer["deu+fra+ita+spa+eng"], cer["eng"]; multi > 0.01 || multi > eng/2 || cer["eng+deu+fra+ita+spa"] >= eng {
		t.Errorf("with the five packs CER is %.2f%%, English alone %.2f%%: want at most 1%% and half of English's", 100*multi, 100*eng)
	}
	if _, err := p.Recognize(context.Background(), data, TypePNG, "eng+tlh"); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("Recognize in a language not installed = %v, want invalid input", err)
	}
}

// TestEngineKeepsFewLanguages checks that an engine switches languages and keeps only the
// most recently used maxEngineLangs of them loaded.
func TestEngineKeepsFewLanguages(t *testing.T) {
	withEngine(t, func(e *engine) {
		for _, lang := range []string{"deu", "fra", "eng", "spa", "deu", "ita"} {
			if err := e.use(lang); err != nil {
				t.Fatal(err)
			}
			if e.loaded[0].lang != lang || e.api != e.loaded[0].api {
				t.Fatalf("after use(%s) the engine reads %s", lang, e.loaded[0].lang)
			}
		}
		var got []string
		for _, l := range e.loaded {
			got = append(got, l.lang)
		}
		if want := []string{"ita", "deu", "spa"}; !slices.Equal(got, want) {
			t.Errorf("loaded = %v, want %v", got, want)
		}
		if err := e.use("tlh"); err == nil || e.loaded[0].lang != "ita" {
			t.Errorf("use of a missing language = %v, loaded %v", err, e.loaded[0].lang)
		}
	})
}
