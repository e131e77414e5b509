package synth

// Name lists, most common first: the generator draws from them with a
// Zipf-like skew, so agreeing on "smith" is common and term-frequency
// adjustment has something to do.
var givenNames = []string{
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
	"David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Margaret", "Anthony", "Betty", "Mark", "Sandra",
	"Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
	"Kenneth", "Dorothy", "Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Edward", "Deborah",
	"Ronald", "Stephanie", "Timothy", "Rebecca", "Jason", "Laura", "Jeffrey", "Sharon", "Ryan", "Cynthia",
	"Jacob", "Kathleen", "Gary", "Amy", "Nicholas", "Shirley", "Eric", "Angela", "Jonathan", "Helen",
	"Stephen", "Anna", "Larry", "Brenda", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Samantha",
	"Benjamin", "Katherine", "Samuel", "Emma", "Gregory", "Ruth", "Frank", "Christine", "Alexander", "Catherine",
	"Raymond", "Debra", "Patrick", "Rachel", "Jack", "Carolyn", "Dennis", "Janet", "Jerry", "Virginia",
	"José", "María", "Zoë", "Chloé", "Renée", "André", "François", "Jürgen", "Søren", "Björn",
	"Mohammed", "Fatima", "Wei", "Mei", "Hiroshi", "Yuki", "Priya", "Arjun", "Olga", "Dmitri",
	"Siobhan", "Niamh", "Aoife", "Ciarán", "Eoin", "Ingrid", "Lars", "Astrid", "Matteo", "Giulia",
	"Lucía", "Mateo", "Valentina", "Santiago", "Camila", "Noah", "Liam", "Olivia", "Ava", "Isabella",
}

// nicknames maps a given name to the short forms people give for it.
var nicknames = map[string][]string{
	"James": {"Jim", "Jimmy"}, "John": {"Jack", "Johnny"}, "Robert": {"Bob", "Rob", "Bobby"},
	"Michael": {"Mike", "Mick"}, "William": {"Bill", "Will", "Liam"}, "Elizabeth": {"Liz", "Beth", "Betty"},
	"David": {"Dave"}, "Richard": {"Rick", "Dick"}, "Joseph": {"Joe"}, "Thomas": {"Tom", "Tommy"},
	"Charles": {"Charlie", "Chuck"}, "Christopher": {"Chris"}, "Daniel": {"Dan", "Danny"},
	"Matthew": {"Matt"}, "Margaret": {"Maggie", "Peggy"}, "Anthony": {"Tony"}, "Donald": {"Don"},
	"Steven": {"Steve"}, "Andrew": {"Andy", "Drew"}, "Joshua": {"Josh"}, "Kenneth": {"Ken"},
	"Jennifer": {"Jen", "Jenny"}, "Patricia": {"Pat", "Patty", "Trish"}, "Kimberly": {"Kim"},
	"Deborah": {"Deb", "Debbie"}, "Stephanie": {"Steph"}, "Rebecca": {"Becky", "Becca"},
	"Timothy": {"Tim"}, "Jeffrey": {"Jeff"}, "Nicholas": {"Nick"}, "Jonathan": {"Jon"},
	"Katherine": {"Kate", "Katie"}, "Samuel": {"Sam"}, "Samantha": {"Sam"}, "Alexander": {"Alex"},
	"Gregory": {"Greg"}, "Catherine": {"Cathy", "Kate"}, "Benjamin": {"Ben"}, "Edward": {"Ed", "Ted"},
	"Susan": {"Sue"}, "Pamela": {"Pam"}, "Christine": {"Chris"}, "Dorothy": {"Dot"},
}

var familyNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"O'Brien", "O'Connor", "Murphy", "Kelly", "Sullivan", "McCarthy", "Byrne", "Ryan", "Walsh", "Doyle",
	"García", "Fernández", "González", "Núñez", "Muñoz", "Jiménez", "Martín", "Sánchez", "Pérez", "Gómez",
	"Nguyễn", "Trần", "Lê", "Phạm", "Wang", "Li", "Zhang", "Chen", "Liu", "Yang",
	"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
	"Kowalski", "Nowak", "Wiśniewski", "Dąbrowski", "Lewandowski", "Søndergaard", "Ødegaard", "Ångström", "Björk", "Lindqvist",
	"Patel", "Shah", "Singh", "Kumar", "Sharma", "Cohen", "Levy", "Dubois", "Lefèvre", "Moreau",
}

// Syllables for rare family names, so the long tail is long.
var (
	syllables = []string{"ka", "ro", "len", "mar", "tis", "ber", "gon", "vel", "dri", "sha", "mon", "tak",
		"ul", "fen", "bra", "cor", "dal", "ev", "gris", "hol", "ith", "jun", "kes", "lor", "mab", "nor",
		"os", "pel", "quin", "ras", "sto", "tur", "vin", "wes", "yar", "zel"}
	suffixes = []string{"son", "ez", "ski", "ov", "er", "ley", "ton", "berg", "ard", "ini", "ak", "well"}
)

type city struct {
	name, region, zip string
}

var cities = []city{
	{"Springfield", "IL", "627"}, {"Portland", "OR", "972"}, {"Austin", "TX", "787"}, {"Denver", "CO", "802"},
	{"Boston", "MA", "021"}, {"Seattle", "WA", "981"}, {"Atlanta", "GA", "303"}, {"Phoenix", "AZ", "850"},
	{"Columbus", "OH", "432"}, {"Nashville", "TN", "372"}, {"Madison", "WI", "537"}, {"Raleigh", "NC", "276"},
	{"Tucson", "AZ", "857"}, {"Omaha", "NE", "681"}, {"Fresno", "CA", "937"}, {"Sacramento", "CA", "958"},
	{"Oakland", "CA", "946"}, {"Tulsa", "OK", "741"}, {"Wichita", "KS", "672"}, {"Cleveland", "OH", "441"},
	{"Minneapolis", "MN", "554"}, {"Pittsburgh", "PA", "152"}, {"Cincinnati", "OH", "452"}, {"Orlando", "FL", "328"},
	{"Tampa", "FL", "336"}, {"Richmond", "VA", "232"}, {"Boise", "ID", "837"}, {"Spokane", "WA", "992"},
	{"Des Moines", "IA", "503"}, {"Salt Lake City", "UT", "841"}, {"Albuquerque", "NM", "871"}, {"Buffalo", "NY", "142"},
	{"Rochester", "NY", "146"}, {"Louisville", "KY", "402"}, {"Memphis", "TN", "381"}, {"Baltimore", "MD", "212"},
	{"Milwaukee", "WI", "532"}, {"St. Louis", "MO", "631"}, {"Kansas City", "MO", "641"}, {"San José", "CA", "951"},
}

var streets = []string{
	"Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
	"Walnut", "Sunset", "Lincoln", "Jackson", "Church", "River", "Highland", "Willow", "Meadow", "Forest",
	"Ridge", "Spring", "Chestnut", "Mill", "Franklin", "Jefferson", "Madison", "Union", "Center", "Prospect",
	"Valley", "Cherry", "Adams", "Broad", "Grove", "Hickory", "Laurel", "Spruce", "Water", "Market",
}

var streetTypes = []string{"Street", "Avenue", "Road", "Drive", "Lane", "Court", "Place", "Terrace"}

var domains = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "aol.com", "example.net"}
