package ocrtest

// Paragraphs is the English reference text the corpus is set in. It mixes
// words, digits and common punctuation the way business documents do.
var Paragraphs = []string{
	"The harbour office opened at 7:45 on Monday, 3 March 2025, and by noon " +
		"the clerks had logged 182 arrivals, 9 departures and one small fishing " +
		"boat that nobody could account for. Its owner, a Mr. Ellison of Dover, " +
		"later explained that he had simply followed the lighthouse home.",
	"Invoice 2024-0619 lists 36 boxes of copper fittings at $14.50 each, a " +
		"delivery charge of $82.00 and a discount of 12% for payment within " +
		"30 days. The total due is $541.36; please quote the invoice number " +
		"(not the order number) on every transfer.",
	"When the survey team returned from the northern valley, they reported " +
		"that the river had moved almost 40 metres to the east since 1987. " +
		"Older maps still show the bridge at its former crossing, which is why " +
		"two of the drivers spent an extra hour looking for it.",
	"Please read these instructions before you start: switch off the main " +
		"supply, wait at least 5 minutes, and check each terminal with a tester " +
		"rated for 400 V. Do not rely on the indicator lamp alone; it has failed " +
		"before, and it will fail again.",
	"Our quarterly results were better than expected. Revenue rose to 4.2 " +
		"million euros, up 17.5% on the same period last year, while costs grew " +
		"by only 6%. The board will propose a dividend of 0.85 per share at the " +
		"meeting on 14 June.",
	"Is it possible to learn a language in six weeks? Probably not, but a " +
		"motivated adult can master about 800 common words, order a meal, ask " +
		"for directions and follow a simple conversation. After that, progress " +
		"depends mostly on practice, patience and a good night's sleep.",
	"The recipe calls for 250 g of flour, 2 eggs, 120 ml of milk and a pinch " +
		"of salt. Mix the dry ingredients first, then add the eggs one at a time. " +
		"Bake at 180 degrees for 25 to 30 minutes, or until a knife pushed into " +
		"the centre comes out clean.",
	"Section 4.3 of the lease states that the tenant must give written notice " +
		"at least 60 days before the end of the term. Notice sent by e-mail is " +
		"valid only if the landlord confirms receipt; a phone call, however " +
		"polite, does not count.",
}

// TableRows is the reference content of the table variant, header first.
var TableRows = [][]string{
	{"Item", "Qty", "Unit price", "Total"},
	{"Copper fittings", "36", "14.50", "522.00"},
	{"Steel bolts M8", "120", "0.35", "42.00"},
	{"Rubber seals", "48", "1.20", "57.60"},
	{"Pressure gauge", "2", "38.90", "77.80"},
	{"Delivery", "1", "82.00", "82.00"},
	{"Total due", "", "", "781.40"},
}
