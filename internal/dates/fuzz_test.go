package dates

import (
	"strings"
	"testing"
	"time"
)

// FuzzFind checks that Find does not panic and that a date it finds is at midnight UTC,
// plausible, and found again alone as YYYY-MM-DD.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"", "2024-03-02T10:00", "02.03.2024 14:30", "3/2/24", "2. 3. 2024", "13/02/2024",
		"2nd March 2024", "2. März 2024", "2 de marzo de 2024", "1er mars 2024", "02-Mar-24",
		"March 2nd, 2024", "2024. március 2.", "15 AĞUSTOS 2024", "2. Ma\u0308rz 2024",
		"12.03.20245", "v1.2.2024x", "030 12 2024", "02.03/2024", "1.2.3.2024", "31.02.2024",
		"\xff02.03.2024\xfe", "2\u00a0mars\u202f2024", "1º de marzo de 2024", "2 Mar 2 2024",
	} {
		f.Add(s, false, "deu+fra+spa+hun+tur")
		f.Add(s, true, "")
	}
	f.Fuzz(func(t *testing.T, text string, monthFirst bool, langs string) {
		fd := Finder{Order: DayFirst, Now: now}
		if monthFirst {
			fd.Order = MonthFirst
		}
		d, ok := fd.Find(text, strings.Split(langs, "+"))
		if !ok {
			if d != (time.Time{}) {
				t.Fatalf("Find(%q) = %v, false; want the zero time", text, d)
			}
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("Find(%q) = %v, not midnight UTC", text, d)
		}
		if d.Year() < 1900 || d.Year() > now.Year()+10 {
			t.Fatalf("Find(%q) = %v, not plausible", text, d)
		}
		iso := d.Format(time.DateOnly)
		if again, ok := fd.Find(iso, nil); !ok || !again.Equal(d) {
			t.Fatalf("Find(%q) = %v, but Find(%q) = %v, %v", text, d, iso, again, ok)
		}
	})
}
