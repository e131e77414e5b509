package geco

// The vocabularies. They share no name, place or street with package
// synth's, so that a matcher tuned on one generator's values gains nothing
// on the other's. Lists are most common first: frequencies fall with rank
// (see freqCum), as in the frequency tables GeCo's lookup files hold.

type givenName struct {
	name  string
	short []string // nicknames and short forms
}

var givenNames = []givenName{
	{"Oliver", []string{"Ollie", "Noll"}}, {"Charlotte", []string{"Lottie", "Lotte"}},
	{"Lachlan", []string{"Lachie", "Lockie"}}, {"Harriet", []string{"Hattie", "Harry"}},
	{"Frederick", []string{"Fred", "Freddie", "Fritz"}}, {"Eleanor", []string{"Ellie", "Nell", "Nora"}},
	{"Theodore", []string{"Theo", "Teddy"}}, {"Penelope", []string{"Penny", "Pen"}},
	{"Harold", []string{"Harry", "Hal"}}, {"Josephine", []string{"Jo", "Josie"}},
	{"Alistair", []string{"Ali", "Al"}}, {"Beatrice", []string{"Bea", "Trixie"}},
	{"Callum", []string{"Cal"}}, {"Georgina", []string{"Gina", "Georgie"}},
	{"Nathaniel", []string{"Nat", "Nate"}}, {"Philippa", []string{"Pippa", "Pip"}},
	{"Sebastian", []string{"Seb", "Bastian"}}, {"Imogen", []string{"Immy"}},
	{"Angus", nil}, {"Fiona", nil}, {"Duncan", nil}, {"Bronwyn", []string{"Bron"}},
	{"Hamish", nil}, {"Kirsty", nil}, {"Gordon", []string{"Gordie"}}, {"Sheila", nil},
	{"Graham", nil}, {"Yvonne", []string{"Vonnie"}}, {"Malcolm", []string{"Mal"}}, {"Muriel", nil},
	{"Stuart", []string{"Stu"}}, {"Felicity", []string{"Flick", "Fliss"}}, {"Trevor", []string{"Trev"}},
	{"Rosalind", []string{"Ros", "Roz"}}, {"Desmond", []string{"Des"}}, {"Millicent", []string{"Millie"}},
	{"Geoffrey", []string{"Geoff"}}, {"Mathilda", []string{"Tilly", "Tilda"}},
	{"Reginald", []string{"Reg", "Reggie"}}, {"Winifred", []string{"Winnie", "Freda"}},
	{"Leonard", []string{"Len", "Lenny", "Leo"}}, {"Henrietta", []string{"Etta", "Hetty"}},
	{"Bernard", []string{"Bernie"}}, {"Bernadette", []string{"Bernie", "Detta"}},
	{"Clifford", []string{"Cliff"}}, {"Clementine", []string{"Clem", "Tina"}},
	{"Tobias", []string{"Toby"}}, {"Gwendolyn", []string{"Gwen", "Wendy"}},
	{"Wilfred", []string{"Wilf", "Fred"}}, {"Abigail", []string{"Abby", "Gail"}},
	{"Percival", []string{"Percy"}}, {"Gertrude", []string{"Trudy", "Gertie"}},
	{"Montgomery", []string{"Monty"}}, {"Wilhelmina", []string{"Mina", "Willa"}},
	{"Augustus", []string{"Gus", "Gussie"}}, {"Theodora", []string{"Dora", "Thea"}},
	{"Cornelius", []string{"Neil", "Con"}}, {"Evangeline", []string{"Eva", "Evie"}},
	{"Maximilian", []string{"Max"}}, {"Frederica", []string{"Freda", "Rica"}},
	{"Leopold", []string{"Leo", "Poldi"}}, {"Isadora", []string{"Izzy", "Dora"}},
	{"Barnaby", []string{"Barney"}}, {"Jemima", []string{"Mima", "Jem"}},
	{"Bartholomew", []string{"Bart", "Tolly"}}, {"Ophelia", []string{"Phee"}},
	{"Ferdinand", []string{"Ferdie", "Nando"}}, {"Cordelia", []string{"Delia", "Cordy"}},
	{"Humphrey", []string{"Humph"}}, {"Lavinia", []string{"Vinnie"}},
	{"Cuthbert", []string{"Bert"}}, {"Daphne", []string{"Daph"}},
	{"Ignatius", []string{"Iggy", "Nace"}}, {"Tamsin", []string{"Tammy"}},
	{"Quentin", []string{"Quin"}}, {"Verity", nil}, {"Rupert", []string{"Rupe"}}, {"Rowena", []string{"Ro"}},
	{"Fergus", []string{"Fergie"}}, {"Nerida", nil}, {"Declan", []string{"Dec"}}, {"Margot", nil},
	{"Finlay", []string{"Finn"}}, {"Freya", nil}, {"Jasper", []string{"Jas"}}, {"Sigrid", []string{"Siggy"}},
	{"Gareth", []string{"Gaz"}}, {"Annelies", []string{"Anneke", "Lies"}}, {"Rhys", nil}, {"Maartje", nil},
	{"Seamus", nil}, {"Aroha", nil}, {"Hemi", nil}, {"Mere", nil}, {"Tāne", nil}, {"Anjali", []string{"Anju"}},
	{"Wiremu", []string{"Wiri"}}, {"Deepika", []string{"Deepa"}}, {"Rohan", nil}, {"Xiu", nil},
	{"Vikram", []string{"Vik", "Vicky"}}, {"Ling", nil}, {"Sanjay", []string{"Sanju"}}, {"Sakura", nil},
	{"Kenji", nil}, {"Dagny", nil}, {"Takeshi", []string{"Take"}}, {"Marguerite", []string{"Margie", "Daisy"}},
	{"Pieter", []string{"Piet"}}, {"Élodie", []string{"Elo"}}, {"Joost", nil}, {"Inès", nil},
	{"Sven", nil}, {"Åsa", nil}, {"Henrik", []string{"Henke"}}, {"Zofia", []string{"Zosia"}},
	{"Anders", nil}, {"Małgorzata", []string{"Gosia", "Małgosia"}}, {"Nils", nil}, {"Dörte", nil},
	{"Grzegorz", []string{"Grzesiek"}}, {"Ioana", nil}, {"Radu", nil}, {"Eleni", []string{"Lena"}},
	{"Konstantinos", []string{"Kostas", "Dinos"}}, {"Aylin", nil}, {"Emre", nil}, {"Nokuthula", []string{"Thuli"}},
}

var familyNames = []string{
	"Ashworth", "Blackwood", "Cartwright", "Dunstan", "Ellison", "Fairbairn", "Gilchrist", "Hargreaves",
	"Ingram", "Jarvis", "Kendrick", "Lockwood", "Merriweather", "Northcott", "Oakley", "Pemberton",
	"Quigley", "Rutherford", "Sinclair", "Thistlethwaite", "Underwood", "Vance", "Whitfield", "Yardley",
	"Abernethy", "Buchanan", "Cunningham", "Drummond", "Ferguson", "Galbraith", "Henderson", "Kerr",
	"MacDonald", "McKenzie", "Robertson", "Stewart", "Tennant", "Urquhart", "Wallace", "MacLeod",
	"Chandler", "Fletcher", "Porter", "Thatcher", "Cooper", "Mason", "Turner", "Archer",
	"Baxter", "Collins", "Dawson", "Edwards", "Gibson", "Hughes", "Jenkins", "Knight",
	"Lambert", "Morgan", "Newton", "Owens", "Parker", "Reid", "Spencer", "Tucker",
	"Watson", "Bradshaw", "Coleman", "Dixon", "Elliott", "Ford", "Grant", "Hayes",
	"Holmes", "Lawson", "Marshall", "Nash", "Palmer", "Quinn", "Russell", "Shaw",
	"Stone", "Warren", "Webb", "Wood", "Fraser", "O'Neill", "Fitzgerald", "Gallagher",
	"Brennan", "Donnelly", "van der Berg", "de Vries", "Jansen", "Bakker", "Visser", "Smit",
	"Mulder", "de Jong", "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsen",
	"Hansen", "Pedersen", "Nielsen", "Jensen", "Tanaka", "Suzuki", "Takahashi", "Watanabe",
	"Ito", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Gupta", "Reddy",
	"Iyer", "Nair", "Menon", "Ngata", "Parata", "Tipene", "Horomona", "Papadopoulos",
	"Nikolaidis", "Georgiou", "Kovač", "Horvat", "Novák", "Popescu", "Ionescu", "Dvořák",
	"Lloyd-Davies", "Fox-Pitt", "Stuart-Hargreaves", "Yılmaz", "Öztürk", "Dlamini", "Nkosi", "Mahlangu",
}

// A rare family name is a stem and an ending, as English place-name
// surnames are ("Ashford", "Crombury"): the long tail of the frequency
// table.
var (
	stems   = []string{"Ash", "Brad", "Crom", "Dun", "Eld", "Fair", "Gold", "Harl", "Ing", "Kirk", "Lang", "Marsh", "Nor", "Pem", "Rad", "Stan", "Thorn", "Wel", "Whit", "Yar", "Bur", "Cal", "Dal", "Hep", "Mot", "Pres", "Rox", "Sel", "Tad", "Wy"}
	endings = []string{"worth", "ford", "field", "bury", "wick", "more", "stead", "combe", "leigh", "dale", "hurst", "ham", "by", "thwaite", "cott", "ridge"}
)

type place struct {
	suburb, state, postcode string
}

var places = []place{
	{"Parramatta", "NSW", "2150"}, {"Chatswood", "NSW", "2067"}, {"Manly", "NSW", "2095"}, {"Bondi", "NSW", "2026"},
	{"Newtown", "NSW", "2042"}, {"Penrith", "NSW", "2750"}, {"Wollongong", "NSW", "2500"}, {"Newcastle", "NSW", "2300"},
	{"Fitzroy", "VIC", "3065"}, {"Carlton", "VIC", "3053"}, {"St Kilda", "VIC", "3182"}, {"Geelong", "VIC", "3220"},
	{"Ballarat", "VIC", "3350"}, {"Bendigo", "VIC", "3550"}, {"Brunswick", "VIC", "3056"}, {"Fortitude Valley", "QLD", "4006"},
	{"Toowong", "QLD", "4066"}, {"Cairns", "QLD", "4870"}, {"Townsville", "QLD", "4810"}, {"Toowoomba", "QLD", "4350"},
	{"Fremantle", "WA", "6160"}, {"Subiaco", "WA", "6008"}, {"Joondalup", "WA", "6027"}, {"Glenelg", "SA", "5045"},
	{"Norwood", "SA", "5067"}, {"Hobart", "TAS", "7000"}, {"Launceston", "TAS", "7250"}, {"Darwin", "NT", "0800"},
	{"Alice Springs", "NT", "0870"}, {"Belconnen", "ACT", "2617"}, {"Tuggeranong", "ACT", "2900"}, {"Woden", "ACT", "2606"},
	{"Queanbeyan", "NSW", "2620"}, {"Dubbo", "NSW", "2830"}, {"Wagga Wagga", "NSW", "2650"}, {"Mildura", "VIC", "3500"},
	{"Broome", "WA", "6725"}, {"Mount Gambier", "SA", "5290"}, {"Kalgoorlie", "WA", "6430"}, {"Coffs Harbour", "NSW", "2450"},
}

// stateNames are the states' full names, which some records spell out.
var stateNames = map[string]string{
	"NSW": "New South Wales", "VIC": "Victoria", "QLD": "Queensland", "WA": "Western Australia",
	"SA": "South Australia", "TAS": "Tasmania", "NT": "Northern Territory", "ACT": "Australian Capital Territory",
}

// areaCodes are the landline area codes by state.
var areaCodes = map[string]string{"NSW": "02", "ACT": "02", "VIC": "03", "TAS": "03", "QLD": "07", "WA": "08", "SA": "08", "NT": "08"}

var streetNames = []string{
	"Wattle", "Banksia", "Jacaranda", "Kurrajong", "Acacia", "Bottlebrush", "Grevillea", "Waratah",
	"Boronia", "Coolabah", "Ironbark", "Paperbark", "Kookaburra", "Lorikeet", "Currawong", "Magpie",
	"Rosella", "Bellbird", "Brolga", "Echidna", "Bunya", "Tallowwood", "Casuarina", "Mulga",
	"Wandoo", "Karri", "Jarrah", "Myrtle", "Lilly Pilly", "Sassafras", "Victoria", "Albert",
	"Regent", "Wellington", "Hotham", "Flinders", "Hume", "Macquarie", "Bligh", "Phillip",
}

// streetTypes are written out in originals; abbreviations holds the short
// forms a corrupted address uses.
var streetTypes = []string{"Crescent", "Parade", "Esplanade", "Circuit", "Close", "Way", "Glade", "Rise", "Boulevard", "Highway", "Mews", "Quay", "Promenade"}

var abbreviations = map[string]string{
	"Crescent": "Cres", "Parade": "Pde", "Esplanade": "Esp", "Circuit": "Cct", "Close": "Cl", "Glade": "Gld",
	"Boulevard": "Blvd", "Highway": "Hwy", "Promenade": "Prom", "Way": "Wy", "Rise": "Ri", "Mews": "Mw", "Quay": "Qy",
}

var domains = []string{"bigpond.com", "optusnet.com.au", "iinet.net.au", "tpg.com.au", "xtra.co.nz", "btinternet.com", "gmx.de", "web.de", "mail.com", "fastmail.fm"}
