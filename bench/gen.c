/*
 * gen.c: benchmark corpus generator for mores.
 *
 * Writes a deterministic archive of N dossiers (design section 3) as a
 * `git fast-import` stream on stdout:
 *
 *	git init -q DIR
 *	bench/gen --count N --seed S | git -C DIR fast-import --quiet
 *	git -C DIR checkout -q main
 *
 * The text is Dutch-looking word salad: words are drawn per word class
 * with a Zipf-like frequency, and a small chain over word classes keeps
 * sentences from reading like a shuffled dictionary. That is enough for
 * the search index (stemming, compounds, ranking) and the site generator
 * to see realistic token and document size distributions.
 *
 * Every dossier draws from its own random stream, seeded from the global
 * seed and its position, so the metadata of dossier i does not change
 * when --words or --batch do. No clock, no locale, no floating point
 * beyond correctly rounded division: the same flags give the same bytes
 * on every machine.
 *
 * With --hugo DIR the public part (the publication rule of design section
 * 4, with the build date fixed at TODAY) is also written as Hugo content,
 * so that site builds can be compared on the same corpus.
 */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>

#define CODE		"BCH"
#define AUTHOR		"Bench <bench@example.org>"
#define FIRST_YEAR	2015
/* The build date of the comparison: every embargo lies on or before it. */
#define TODAY_Y		2026
#define TODAY_M		11
#define TODAY_D		23
#define WRAP		72
#define MAXWORDS	24

/* ------------------------------------------------------------------ */
/* Growable buffers: every file is built in memory, because fast-import
 * wants its length before the bytes. */

struct buf {
	char *p;
	size_t len, cap;
};

static void die(const char *msg)
{
	fprintf(stderr, "gen: %s\n", msg);
	exit(1);
}

static void buf_grow(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;

	if (b->len + more <= b->cap)
		return;
	while (cap < b->len + more)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (!b->p)
		die("out of memory");
	b->cap = cap;
}

static inline void buf_put(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static inline void buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
}

static void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_grow(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("format error");
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 is tiny, fast and good enough for text. */

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) by multiply-shift: no division, bias negligible. */
static inline uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline int between(struct rng *r, int lo, int hi)
{
	return lo + (int)below(r, (uint32_t)(hi - lo + 1));
}

static inline int permille(struct rng *r, unsigned p)
{
	return below(r, 1000) < p;
}

/* Each dossier gets a stream of its own, see the comment at the top. */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed * 0xd1b54a32d192ed03ULL ^ (stream + 1) * 0xaef17502108ef2d9ULL;
	rng_next(r);
}

/* ------------------------------------------------------------------ */
/* Calendar: days since 1970-01-01, after H. Hinnant's civil algorithms. */

static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* By hand: it runs a few times per dossier, and snprintf is slow. */
static void fmt_date(char out[11], long day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

static int year_of(long day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return y;
}

static long today(void)
{
	return days_from_civil(TODAY_Y, TODAY_M, TODAY_D);
}

static long min_day(long a, long b)
{
	return a < b ? a : b;
}

/* ------------------------------------------------------------------ */
/* The vocabulary, per word class, most frequent first. The domain words
 * the search requirements name (camera's, sensoren, drones, ...) sit at
 * middling ranks so that they are common but not stop words. */

enum cls { DET, ADJ, NOUN, VERB, PREP, CONJ, ADV, NCLS };

static const char *const w_det[] = {
	"de", "het", "een", "deze", "die", "dit", "dat", "haar", "hun",
	"elke", "geen", "onze", "welke", "zo'n", "iedere", "alle", "veel",
	"weinig", "sommige", "beide", "andere", "enkele", "zulke", "zijn",
};

static const char *const w_adj[] = {
	"publieke", "ethische", "digitale", "nieuwe", "belangrijke",
	"openbare", "duidelijke", "goede", "grote", "kwetsbare", "zorgvuldige",
	"persoonlijke", "gevoelige", "maatschappelijke", "technische",
	"gemeentelijke", "lokale", "financiële", "eerlijke", "juiste",
	"kleine", "bredere", "slimme", "betrouwbare", "transparante",
	"menselijke", "redelijke", "proportionele", "tijdelijke",
	"structurele", "onafhankelijke", "externe", "interne", "bestaande",
	"mogelijke", "geautomatiseerde", "veilige", "gedeelde", "volgende",
	"eerdere", "concrete", "heldere", "reële", "passende", "ongewenste",
	"zwaarwegende", "wettelijke", "praktische", "sociale", "collectieve",
	"individuele", "verschillende", "specifieke", "beperkte", "ruime",
	"onduidelijke", "expliciete", "aanvullende", "nadelige", "positieve",
	"negatieve", "verantwoorde", "gerichte", "brede", "lange", "korte",
	"huidige", "toekomstige", "afzonderlijke", "gezamenlijke", "open",
	"kritische", "voorzichtige", "democratische", "juridische",
	"bestuurlijke", "ambtelijke", "regionale", "landelijke", "Europese",
};

/* Nouns any dossier uses, whatever it is about. The nouns of a subject
 * (camera's, sensoren, locatiegegevens, ...) are in the topics below: a
 * dossier about drones says "drones" often, one about parking hardly
 * ever, so a subject word occurs in a tenth of the archive, not in all
 * of it. */
static const char *const w_noun[] = {
	"gemeente", "commissie", "inwoners", "gegevens", "advies", "toepassing",
	"privacy", "afweging", "data", "doel", "vraag", "inzet", "organisatie",
	"risico's", "transparantie", "toezicht", "waarden", "college",
	"burgers", "proef", "belang", "project", "leverancier", "beleid",
	"besluit", "raad", "verantwoording", "vertrouwen", "voorwaarden",
	"maatregelen", "gevolgen", "medewerkers", "systeem", "uitleg",
	"termijn", "evaluatie", "buurt", "bewoners", "ondernemers",
	"besluitvorming", "veiligheid", "contract", "verwerking",
	"participatie", "uitsluiting", "proportionaliteit", "subsidiariteit",
	"kosten", "effecten", "risico", "waarde", "belangen", "ambtenaren",
	"wet", "wetgeving", "avg", "dpia", "werkwijze", "aanpak", "keuze",
	"keuzes", "ruimte", "uitkomst", "uitkomsten", "fouten", "controle",
	"menselijke maat", "ontwikkeling", "technologie", "opslag", "toegang",
	"informatie", "communicatie", "bezwaar", "klachten", "rechten",
	"plichten", "verantwoordelijkheid", "regie", "afhankelijkheid",
	"leveranciers", "aanbesteding", "inkoop", "budget", "capaciteit",
	"kennis", "expertise", "overleg", "gesprek", "workshop", "bijeenkomst",
	"wethouder", "burgemeester", "afdeling", "directie", "team",
	"praktijk", "samenleving", "stad", "dorp", "regio", "provincie",
	"onderwijs", "wonen", "monitoring", "dashboard", "analyse",
	"onderzoek", "pilot", "experiment", "uitvoering", "borging",
	"zorgvuldigheid", "rechtvaardigheid", "autonomie", "inclusie",
	"waardigheid", "legitimiteit", "betrouwbaarheid", "duurzaamheid",
	"effectiviteit",
};

static const char *const w_verb[] = {
	"is", "wordt", "kan", "moet", "zijn", "worden", "heeft", "kunnen",
	"moeten", "hebben", "adviseert", "vraagt", "mag", "zal", "weegt",
	"ziet", "vindt", "gebruikt", "verzamelt", "beoordeelt", "stelt",
	"verwerkt", "bewaart", "deelt", "meet", "raakt", "beperkt",
	"versterkt", "ondermijnt", "registreert", "analyseert", "voorkomt",
	"betrekt", "toetst", "publiceert", "evalueert", "biedt", "vergroot",
	"verkleint", "legt", "brengt", "geeft", "houdt", "blijft", "lijkt",
	"vraagt om", "wijst op", "steunt", "ontraadt", "onderschrijft",
	"benadrukt", "verwacht", "onderzoekt", "bespreekt", "waarborgt",
	"garandeert", "verantwoordt", "informeert", "signaleert", "begrijpt",
	"aanvaardt", "kiest", "bepaalt", "regelt", "verbetert", "schaadt",
	"beschermt", "mogen", "zullen", "willen", "wil", "leidt tot",
	"draagt bij aan", "hangt af van", "rekent op", "let op",
};

static const char *const w_prep[] = {
	"van", "in", "voor", "op", "met", "door", "bij", "over", "naar",
	"tot", "zonder", "tegen", "onder", "tussen", "na", "uit", "binnen",
	"rond", "vanuit", "langs", "volgens", "tijdens", "namens", "omtrent",
};

static const char *const w_conj[] = {
	"en", "of", "maar", "omdat", "zodat", "terwijl", "want", "wanneer",
	"als", "dus", "daarom", "zolang", "hoewel", "mits", "tenzij",
	"nadat", "voordat", "zoals",
};

static const char *const w_adv[] = {
	"niet", "ook", "wel", "nog", "al", "vaak", "soms", "zeker",
	"daarnaast", "bovendien", "vooral", "alleen", "eerst", "later",
	"tijdig", "mogelijk", "duidelijk", "zorgvuldig", "nu", "daarbij",
	"hier", "altijd", "nooit", "echter", "toch", "zelfs", "bijvoorbeeld",
	"uitdrukkelijk", "vooraf", "achteraf", "jaarlijks", "structureel",
	"tijdelijk", "nauwelijks", "voldoende", "opnieuw", "uiteindelijk",
	"waarschijnlijk", "terecht", "onvoldoende",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *const *w;
	unsigned n;
} classes[NCLS] = {
	[DET] = { w_det, COUNT(w_det) },
	[ADJ] = { w_adj, COUNT(w_adj) },
	[NOUN] = { w_noun, COUNT(w_noun) },
	[VERB] = { w_verb, COUNT(w_verb) },
	[PREP] = { w_prep, COUNT(w_prep) },
	[CONJ] = { w_conj, COUNT(w_conj) },
	[ADV] = { w_adv, COUNT(w_adv) },
};

/* Words a title must contain at least one of (domain words). */
static const char *const w_domain[] = {
	"camera", "camera's", "sensoren", "sensor", "drones", "drone",
	"satellietbeelden", "algoritmeregister", "algoritme", "algoritmes",
	"locatiegegevens", "privacy", "transparantie", "gezichtsherkenning",
	"chatbot", "inwoners", "gemeente", "toezicht", "openbare ruimte",
};

/* Domain words of no one subject, for a title whose topics lend none. */
static const char *const w_general[] = {
	"privacy", "transparantie", "inwoners", "gemeente", "toezicht",
};

/* Topics, each with the nouns its dossiers lean on, the first most. */
#define TOPIC_NOUNS 5
static const struct {
	const char *topic, *noun[TOPIC_NOUNS];
} topics[] = {
	{ "camera", { "camera", "beelden", "cameratoezicht", "bewaartermijn",
		      "opnamen" } },
	{ "slimme camera's", { "camera's", "beelden", "openbare ruimte",
			       "herkenning", "cameratoezicht" } },
	{ "sensoren", { "sensoren", "sensor", "meetgegevens", "luchtkwaliteit",
			"geluidsmetingen" } },
	{ "drones", { "drones", "drone", "luchtbeelden", "vlieghoogte",
		      "beelden" } },
	{ "algoritme", { "algoritme", "model", "voorspelling", "profielen",
			 "risicoscore" } },
	{ "ai", { "algoritmes", "modellen", "voorspellingen", "trainingsdata",
		  "software" } },
	{ "locatiedata", { "locatiegegevens", "bewaartermijn", "telefoons",
			   "bewegingen", "wifi-signalen" } },
	{ "chatbot", { "chatbot", "taalmodel", "antwoorden", "klantcontact",
		       "dienstverlening" } },
	{ "gezichtsherkenning", { "gezichtsherkenning", "biometrie", "camera's",
				  "beelden", "herkenning" } },
	{ "satellietbeelden", { "satellietbeelden", "luchtfoto's", "percelen",
				"bebouwing", "handhaving" } },
	{ "openbare ruimte", { "openbare ruimte", "binnenstad", "drukte",
			       "evenementen", "wijk" } },
	{ "algoritmeregister", { "algoritmeregister", "register", "registratie",
				 "openheid", "algoritmes" } },
	{ "sociaal domein", { "uitkering", "jeugd", "zorg", "armoede",
			      "schulden" } },
	{ "financiële gegevens", { "schulden", "betalingsachterstanden",
				   "inkomen", "armoede", "signalen" } },
	{ "handhaving", { "handhaving", "controles", "vergunningen",
			  "signalering", "meldingen" } },
	{ "crowd management", { "drukte", "bezoekers", "evenementen",
				"tellingen", "binnenstad" } },
	{ "dienstverlening", { "dienstverlening", "loket", "website",
			       "formulieren", "klantcontact" } },
	{ "data delen", { "gegevensdeling", "koppeling", "convenant",
			  "doelbinding", "uitwisseling" } },
	{ "fraudebestrijding", { "fraude", "risicoprofielen", "controles",
				 "discriminatie", "uitkering" } },
	{ "mobiliteit", { "parkeren", "verkeer", "kentekens", "scanauto",
			  "vergunningen" } },
	{ "energie", { "energie", "slimme meters", "verbruik", "warmtenet",
		       "klimaat" } },
	{ "zorg", { "zorg", "ouderen", "welzijn", "gezondheid",
		    "mantelzorg" } },
};

static const char *const values[] = {
	"effectiviteit", "autonomie", "gelijkwaardigheid", "inclusie",
	"transparantie", "privacy", "verantwoording", "duurzaamheid",
	"veiligheid", "betrokkenheid", "gezondheid", "betrouwbaarheid",
	"menselijke-waardigheid", "rechtvaardigheid", "legitimiteit",
	"vertrouwen", "controle-over-technologie",
};

static const char *const instruments[] = {
	"deda", "begeleidingsethiek", "moreel-beraad", "iama", "dpia",
	"codio", "elsa", "waardentabel",
};

static const char *const requesters[] = {
	"Gemeente Benchstad, afdeling Openbare Ruimte",
	"Gemeente Benchstad, afdeling Dienstverlening",
	"Gemeente Benchstad, afdeling Werk en Inkomen",
	"Gemeente Benchstad, afdeling Veiligheid",
	"Gemeente Benchstad, team Informatievoorziening",
	"Gemeente Benchstad, afdeling Mobiliteit",
	"College van burgemeester en wethouders",
	"Gemeenteraad van Benchstad",
	"Directie Sociaal Domein",
	"Chief Information Officer",
	"Functionaris gegevensbescherming",
	"Omgevingsdienst Benchregio",
	"Rekenkamercommissie",
	"Programma Slimme Stad",
};

static const char *const owners[] = {
	"Afdeling Openbare Ruimte", "Afdeling Dienstverlening", "Inkoop",
	"Team Informatievoorziening", "Privacy officer", "Wijkteam Centrum",
	"Directie Sociaal Domein", "Communicatie", "Programma Slimme Stad",
	"Concerncontrol",
};

static const char *const responders[] = {
	"College van B en W", "Burgemeester", "Gemeenteraad",
	"Directie Sociaal Domein", "Afdeling Openbare Ruimte",
};

static const char *const rapporteurs[] = {
	"A. Jansen", "M. de Vries", "S. El Amrani", "P. van Dijk",
	"L. Bakker", "R. Visser", "F. Yilmaz", "J. Smit", "K. Meijer",
};

static const char *const closed_reasons[] = {
	"Ingetrokken door de aanvrager",
	"Valt buiten de opdracht van de commissie",
	"De vraag is elders al beantwoord",
	"Het project is stopgezet voordat de commissie adviseerde",
};

static const char *const question_starts[] = {
	"Onder welke voorwaarden mag", "Hoe kan", "Is het verantwoord dat",
	"Welke waarden spelen een rol wanneer", "Wat moet er gebeuren voordat",
	"Hoe weegt de commissie het af als", "Mag",
};

static const char *const middle_sections[] = {
	"Achtergrond", "Kan het, mag het, willen we het?", "Overwegingen",
	"Risico's en kansen", "Wat staat er op het spel?", "Betrokkenen",
	"Alternatieven",
};

static const char *const cite_forms[] = {
	"De commissie bouwt hier voort op haar eerdere reflectie %s.",
	"Een vergelijkbare vraag kwam eerder aan de orde in %s.",
	"Zie ook het advies in dossier %s.",
	"In %s woog de commissie dezelfde belangen af.",
};

/* Zipf-Mandelbrot lookup tables, weight 1/(rank + q): a uniform 16-bit
 * number maps straight to a word, so a draw costs a multiply and a load.
 * Function words keep the steep head of plain Zipf (q = 1); content
 * classes get a flatter head, else "gemeente" would be every sixth noun.
 * Only division is used, which IEEE rounds the same everywhere. */
static uint16_t zipf[NCLS][65536];

static const unsigned char zipf_q[NCLS] = {
	[DET] = 1, [ADJ] = 4, [NOUN] = 4, [VERB] = 3, [PREP] = 1,
	[CONJ] = 1, [ADV] = 2,
};

static void zipf_build(uint16_t *table, unsigned n, unsigned q)
{
	double total = 0, cum;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		total += 1.0 / (i + q);
	cum = 1.0 / q / total;
	for (unsigned j = 0; j < 65536; j++) {
		double u = (j + 0.5) / 65536.0;

		while (cum < u && k + 1 < n) {
			k++;
			cum += 1.0 / (k + q) / total;
		}
		table[j] = (uint16_t)k;
	}
}

static inline const char *draw(struct rng *r, enum cls c)
{
	return classes[c].w[zipf[c][below(r, 65536)]];
}

/* ------------------------------------------------------------------ */
/* Text. A chain over word classes (per mille, per row) gives sentences a
 * Dutch rhythm: determiner, adjective, noun, verb, preposition, ... */

static const unsigned short chain[NCLS + 1][NCLS] = {
	/*            DET  ADJ  NOUN VERB PREP CONJ ADV */
	[DET] =     {   0, 350, 650,   0,   0,   0,   0 },
	[ADJ] =     {   0,  40, 960,   0,   0,   0,   0 },
	[NOUN] =    {   0,   0,  30, 380, 300, 170, 120 },
	[VERB] =    { 350,  40, 120,  20, 200,   0, 270 },
	[PREP] =    { 620, 100, 280,   0,   0,   0,   0 },
	[CONJ] =    { 500,  30, 250,   0, 150,   0,  70 },
	[ADV] =     { 300,  60,  80, 360, 200,   0,   0 },
	[NCLS] =    { 520,  40, 200,   0, 160,   0,  80 }, /* start */
};

static enum cls next_class(struct rng *r, int from)
{
	unsigned u = below(r, 1000), acc = 0;

	for (int c = 0; c < NCLS; c++) {
		acc += chain[from][c];
		if (u < acc)
			return (enum cls)c;
	}
	return NOUN;
}

/* What a dossier's text leans on: its topics (indexes into topics[]). */
struct theme {
	unsigned topic[3];
	int n;
};

/* A noun of topic k: the first of its nouns two times in five. */
static const char *topic_noun(struct rng *r, unsigned k)
{
	unsigned i = permille(r, 400) ? 0 : 1 + below(r, TOPIC_NOUNS - 1);

	return topics[k].noun[i];
}

/* One noun in six is one of the dossier's own subject; one in two
 * hundred is a passing mention of another subject. */
static const char *draw_word(struct rng *r, enum cls c, const struct theme *t)
{
	if (c == NOUN && t && t->n && permille(r, 170))
		return topic_noun(r, t->topic[below(r, (uint32_t)t->n)]);
	if (c == NOUN && permille(r, 5))
		return topic_noun(r, below(r, COUNT(topics)));
	return draw(r, c);
}

/* Fills w[] with 8 to 20 words (the caller may ask for fewer), preferably
 * ending on a noun; returns the count. */
static int words(struct rng *r, const char **w, int lo, int hi,
		 const struct theme *t)
{
	int target = between(r, lo, hi), n = 0, prev = NCLS;
	int cap = target + 4 < MAXWORDS ? target + 4 : MAXWORDS;

	if (cap > 20 && hi <= 20)
		cap = 20;
	while (n < cap) {
		enum cls c = next_class(r, prev);

		w[n++] = draw_word(r, c, t);
		prev = c;
		if (n >= target && c == NOUN)
			break;
	}
	return n;
}

/* A paragraph writer: wraps at WRAP columns like hand-edited Markdown. */
struct para {
	struct buf *b;
	int col;
	long *count;
};

static void para_word(struct para *p, const char *w, int cap, char end)
{
	size_t n = strlen(w);

	if (p->col && p->col + 1 + (int)n + (end != 0) > WRAP) {
		buf_putc(p->b, '\n');
		p->col = 0;
	} else if (p->col) {
		buf_putc(p->b, ' ');
		p->col++;
	}
	if (cap && w[0] >= 'a' && w[0] <= 'z') {
		buf_putc(p->b, (char)(w[0] - 'a' + 'A'));
		buf_put(p->b, w + 1, n - 1);
	} else {
		buf_put(p->b, w, n);
	}
	if (end)
		buf_putc(p->b, end);
	p->col += (int)n + (end != 0);
	if (p->count)
		(*p->count)++;
}

static void para_text(struct para *p, const char *s)
{
	char word[128];

	while (*s) {
		size_t n = strcspn(s, " ");

		if (n && n < sizeof(word)) {
			memcpy(word, s, n);
			word[n] = '\0';
			para_word(p, word, 0, 0);
		}
		s += n;
		s += strspn(s, " ");
	}
}

/* One sentence; `markup` allows an occasional bold word, which plain text
 * fields (summaries) must not get. */
static void sentence(struct para *p, struct rng *r, const struct theme *t,
		     char end, int markup)
{
	const char *w[MAXWORDS];
	int n = words(r, w, 8, 16, t);
	int bold = markup && permille(r, 30) ? between(r, 1, n - 1) : -1;

	if (bold >= 0 && strlen(w[bold]) < 6)
		bold = -1;

	for (int i = 0; i < n; i++) {
		if (i == bold) {
			char tmp[96];

			snprintf(tmp, sizeof(tmp), "**%s**", w[i]);
			para_word(p, tmp, 0, i == n - 1 ? end : 0);
		} else {
			para_word(p, w[i], i == 0, i == n - 1 ? end : 0);
		}
	}
}

static void para_end(struct para *p)
{
	buf_puts(p->b, "\n\n");
	p->col = 0;
}

/* A paragraph of 3-7 sentences, stopping early once *count reaches stop
 * (but never empty: an empty paragraph would be a stray blank line). */
static void paragraph(struct buf *b, struct rng *r, const struct theme *t,
		      long *count, long stop)
{
	struct para p = { b, 0, count };
	int n = between(r, 3, 7);

	for (int i = 0; i < n && (i == 0 || *count < stop); i++)
		sentence(&p, r, t, '.', 1);
	para_end(&p);
}

/* Paragraphs until `want` words are written. */
static void paragraphs(struct buf *b, struct rng *r, const struct theme *t,
		       long want)
{
	long count = 0;

	while (count < want)
		paragraph(b, r, t, &count, want);
}

/* ------------------------------------------------------------------ */
/* YAML scalars. Most text stays plain, as a person would write it; only
 * what YAML would misread gets double quotes, with escapes. */

static int yaml_needs_quotes(const char *s, int flow)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "null", "y", "n",
		NULL,
	};
	size_t n = strlen(s);

	if (!n || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
		return 1;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return 1;
	if (strstr(s, ": ") || strstr(s, " #") || strchr(s, '"') ||
	    strchr(s, '\\') || strchr(s, '\n') || strchr(s, '\t'))
		return 1;
	if (flow && strpbrk(s, ",[]{}"))
		return 1;
	if (s[0] >= '0' && s[0] <= '9')
		return 1;
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return 1;
	return 0;
}

static void yaml_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		switch (*s) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			if ((unsigned char)*s < 0x20)
				buf_printf(b, "\\x%02x", (unsigned char)*s);
			else
				buf_putc(b, *s);
		}
	}
	buf_putc(b, '"');
}

static void yaml_scalar(struct buf *b, const char *s, int flow)
{
	if (yaml_needs_quotes(s, flow))
		yaml_quoted(b, s);
	else
		buf_puts(b, s);
}

static void yaml_key(struct buf *b, const char *key, const char *s)
{
	buf_printf(b, "%s: ", key);
	yaml_scalar(b, s, 0);
	buf_putc(b, '\n');
}

/* A flow list [a, b]; entries that are ids or dates go out plain. */
static void yaml_list(struct buf *b, const char *key, const char *const *v,
		      int n)
{
	if (!n)
		return;
	buf_printf(b, "%s: [", key);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_puts(b, ", ");
		if (v[i][0] >= '0' && v[i][0] <= '9')
			buf_puts(b, v[i]);
		else
			yaml_scalar(b, v[i], 1);
	}
	buf_puts(b, "]\n");
}

/* A long text as a folded block (>-), wrapped like the examples. */
static void yaml_folded(struct buf *b, const char *key, const char *text)
{
	int col = 0;

	buf_printf(b, "%s: >-\n ", key);
	while (*text) {
		size_t n = strcspn(text, " ");

		if (col && col + 1 + (int)n > WRAP - 2) {
			buf_puts(b, "\n ");
			col = 0;
		}
		buf_putc(b, ' ');
		buf_put(b, text, n);
		col += (int)n + 1;
		text += n;
		text += strspn(text, " ");
	}
	buf_putc(b, '\n');
}

/* ------------------------------------------------------------------ */
/* The corpus model. */

enum status {
	REGISTERED, INTAKE, DELIBERATION, DRAFT, ADOPTED, DELIVERED,
	PUBLISHED, CLOSED,
};

static const char *const status_names[] = {
	"registered", "intake", "deliberation", "draft", "adopted",
	"delivered", "published", "closed",
};

/* What later dossiers need to know about earlier ones. */
struct entry {
	uint16_t year;
	uint32_t seq;
	uint8_t public; /* passes the publication rule on TODAY */
};

struct opts {
	long count, batch;
	uint64_t seed;
	long wmin, wmax;
	const char *hugo;
};

struct gen {
	struct opts o;
	struct entry *e;
	long first_day, span;
	int cur_year;
	uint32_t cur_seq;
	long last_time;
	struct buf dossier, advice, response, body, scratch;
	FILE *out;
};

/* One dossier's data, while it is written. */
struct dossier {
	long i;
	struct rng r;
	char id[16], cite[32];
	int year;
	uint32_t seq;
	long received, adopted;
	enum status status;
	int asked, confidential, public;
	const char *requester;
	const char *val[3], *ins[2], *top[3];
	char rel[3][16];
	long relidx[3];
	int nval, nins, ntop, nrel;
	struct theme theme;
	char title[512], question[1024], summary[2048];
	size_t intern_at, intern_end; /* internal passage in body, if any */
	int has_response;
	long resp_day;
	const char *resp_from;
	size_t resp_body; /* where reactie.md's text starts */
};

static void id_of(char out[16], const struct entry *e)
{
	snprintf(out, 16, "%04u-%03u", (unsigned)e->year, (unsigned)e->seq);
}

static void cite_of(char out[32], const struct entry *e)
{
	snprintf(out, 32, CODE ":%u:%u", (unsigned)e->year, (unsigned)e->seq);
}

/* Distinct picks from a list: n small, so a linear check is fine. */
static int pick_distinct(struct rng *r, const char **out, int n,
			 const char *const *from, unsigned nfrom)
{
	int k = 0;

	for (int tries = 0; k < n && tries < 20; tries++) {
		const char *v = from[below(r, nfrom)];
		int dup = 0;

		for (int j = 0; j < k; j++)
			dup |= out[j] == v;
		if (!dup)
			out[k++] = v;
	}
	return k;
}

/* Received dates rise with i and spread evenly over FIRST_YEAR..TODAY;
 * the jitter stays inside i's slot so the order holds. */
static long received_day(struct gen *g, struct dossier *d)
{
	uint64_t slot = (uint64_t)d->i * 1024 + below(&d->r, 1024);

	return g->first_day +
	       (long)(slot * (uint64_t)g->span / ((uint64_t)g->o.count * 1024));
}

static enum status draw_status(struct rng *r)
{
	static const unsigned short cum[] = {
		25, 75, 145, 225, 325, 425, 975, 1000,
	};
	unsigned u = below(r, 1000);

	for (int s = 0; s < 8; s++)
		if (u < cum[s])
			return (enum status)s;
	return PUBLISHED;
}

/* Related dossiers: mostly recent ones, sometimes anything earlier. */
static void draw_related(struct gen *g, struct dossier *d)
{
	static const unsigned short cum[] = { 400, 700, 900, 1000 };
	unsigned u = below(&d->r, 1000);
	int want = 0;
	long *picked = d->relidx;

	while (u >= cum[want])
		want++;
	d->nrel = 0;
	for (int tries = 0; d->nrel < want && d->i > 0 && tries < 10; tries++) {
		long window = d->i < 3000 ? d->i : 3000;
		long j = permille(&d->r, 800) ?
				 d->i - 1 - (long)below(&d->r, (uint32_t)window) :
				 (long)below(&d->r, (uint32_t)d->i);
		int dup = 0;

		for (int k = 0; k < d->nrel; k++)
			dup |= picked[k] == j;
		if (dup)
			continue;
		picked[d->nrel] = j;
		id_of(d->rel[d->nrel++], &g->e[j]);
	}
}

static void draw_theme(struct dossier *d)
{
	d->ntop = 0;
	d->theme.n = 0;
	for (int tries = 0, want = between(&d->r, 1, 3);
	     d->ntop < want && tries < 10; tries++) {
		unsigned k = below(&d->r, COUNT(topics));
		int dup = 0;

		for (int j = 0; j < d->ntop; j++)
			dup |= d->top[j] == topics[k].topic;
		if (dup)
			continue;
		d->top[d->ntop++] = topics[k].topic;
		d->theme.topic[d->theme.n++] = k;
	}
}

static int is_domain(const char *w)
{
	for (unsigned i = 0; i < COUNT(w_domain); i++)
		if (!strcmp(w, w_domain[i]))
			return 1;
	return 0;
}

/* Titles are noun phrases ("Slimme camera's in de binnenstad"), not
 * sentences: adjective? noun, then prepositional phrases or "en", ending
 * on a noun. Returns the count; *first is the first noun's slot. */
static int title_words(struct rng *r, const char **w, int *first,
		       const struct theme *t)
{
	int target = between(r, 4, 9), n = 0;
	enum cls c = permille(r, 500) ? ADJ : NOUN;

	*first = -1;
	while (n < 10) {
		if (c == NOUN && *first < 0)
			*first = n;
		w[n++] = c == CONJ ? "en" : draw_word(r, c, t);
		if (c == NOUN && (n >= target || n >= 8))
			break;
		switch (c) {
		case NOUN:
			c = permille(r, 750) ? PREP : CONJ;
			break;
		case PREP:
			c = permille(r, 500) ? DET : permille(r, 400) ? ADJ : NOUN;
			break;
		case DET:
		case CONJ:
			c = permille(r, 300) ? ADJ : NOUN;
			break;
		default:
			c = NOUN;
		}
		if (n == 9)
			c = NOUN; /* the tenth word ends the title */
	}
	return n;
}

/* 4-10 words with at least one domain word; now and then a colon or a
 * quoted word, so that YAML quoting gets exercised. */
static void make_title(struct dossier *d)
{
	const char *w[MAXWORDS], *dom = NULL;
	int first, n = title_words(&d->r, w, &first, &d->theme), has = 0, k;
	size_t len;

	for (int i = 0; i < d->theme.n && !dom; i++)
		if (is_domain(topics[d->theme.topic[i]].noun[0]))
			dom = topics[d->theme.topic[i]].noun[0];
	if (!dom)
		dom = w_general[below(&d->r, COUNT(w_general))];
	for (int i = 0; i < n; i++)
		has |= is_domain(w[i]);
	if (!has)
		w[first] = dom;
	/* quote a content word, as in: de "slimme" lantaarnpaal */
	k = permille(&d->r, 40) ? between(&d->r, 1, n - 1) : -1;
	if (k >= 0 && (strlen(w[k]) < 6 || strchr(w[k], ' ')))
		k = -1;
	len = 0;
	if (permille(&d->r, 50)) {
		memcpy(d->title, "Advies: ", 8);
		len = 8;
	}
	for (int i = 0; i < n; i++) {
		const char *s = w[i];
		size_t l = strlen(s);

		if (len + l + 8 >= sizeof(d->title))
			break;
		if (i)
			d->title[len++] = ' ';
		if (i == k)
			d->title[len++] = '"';
		memcpy(d->title + len, s, l);
		if (len == 0 && s[0] >= 'a' && s[0] <= 'z')
			d->title[len] = (char)(s[0] - 'a' + 'A');
		len += l;
		if (i == k)
			d->title[len++] = '"';
	}
	d->title[len] = '\0';
}

/* Runs a paragraph writer into a fixed string (questions, summaries). */
static void flat_text(char *out, size_t size, struct buf *tmp)
{
	size_t n = tmp->len;

	while (n && (tmp->p[n - 1] == '\n' || tmp->p[n - 1] == ' '))
		n--;
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = tmp->p[i] == '\n' ? ' ' : tmp->p[i];
	out[n] = '\0';
}

static void make_question(struct gen *g, struct dossier *d)
{
	struct para p = { &g->scratch, 0, NULL };
	const char *w[MAXWORDS];
	int n = words(&d->r, w, 6, 12, &d->theme);

	g->scratch.len = 0;
	para_text(&p, question_starts[below(&d->r, COUNT(question_starts))]);
	for (int i = 0; i < n; i++)
		para_word(&p, w[i], 0, i == n - 1 ? '?' : 0);
	flat_text(d->question, sizeof(d->question), &g->scratch);
}

static void make_summary(struct gen *g, struct dossier *d)
{
	struct para p = { &g->scratch, 0, NULL };
	int n = between(&d->r, 2, 3);

	g->scratch.len = 0;
	for (int i = 0; i < n; i++)
		sentence(&p, &d->r, &d->theme, '.', 0);
	flat_text(d->summary, sizeof(d->summary), &g->scratch);
}

/* ------------------------------------------------------------------ */
/* dossier.md */

static void write_dossier(struct gen *g, struct dossier *d)
{
	struct buf *b = &g->dossier;
	char date[11];
	const char *rel[3];

	b->len = 0;
	buf_puts(b, "---\n");
	buf_printf(b, "id: %s\n", d->id);
	yaml_key(b, "title", d->title);
	buf_printf(b, "kind: %s\n", d->asked ? "asked" : "unasked");
	if (d->asked)
		yaml_key(b, "requester", d->requester);
	fmt_date(date, d->received);
	buf_printf(b, "received: %s\n", date);
	if (d->asked)
		yaml_folded(b, "question", d->question);
	buf_printf(b, "status: %s\n", status_names[d->status]);
	buf_printf(b, "visibility: %s\n",
		   d->confidential ? "confidential" : "public");
	if (d->adopted && permille(&d->r, 60)) {
		fmt_date(date, min_day(d->adopted + below(&d->r, 60), today()));
		buf_printf(b, "embargo_until: %s\n", date);
	} else if (!d->adopted && permille(&d->r, 20)) {
		fmt_date(date, min_day(d->received + below(&d->r, 30), today()));
		buf_printf(b, "embargo_until: %s\n", date);
	}
	yaml_list(b, "values", d->val, d->nval);
	yaml_list(b, "instruments", d->ins, d->nins);
	yaml_list(b, "topics", d->top, d->ntop);
	for (int k = 0; k < d->nrel; k++)
		rel[k] = d->rel[k];
	yaml_list(b, "related", rel, d->nrel);
	if (d->status >= DELIBERATION && d->status != CLOSED &&
	    permille(&d->r, 700))
		yaml_key(b, "rapporteur",
			 rapporteurs[below(&d->r, COUNT(rapporteurs))]);
	if ((d->status <= DRAFT && permille(&d->r, 600)) ||
	    permille(&d->r, 100)) {
		fmt_date(date, d->received + between(&d->r, 42, 120));
		buf_printf(b, "deadline: %s\n", date);
	}
	if (d->adopted && permille(&d->r, 200)) {
		fmt_date(date, d->adopted + between(&d->r, 365, 1095));
		buf_printf(b, "follow_up: %s\n", date);
	}
	if (d->status == CLOSED) {
		const char *why = closed_reasons[below(&d->r,
						       COUNT(closed_reasons))];

		if (d->i > 0 && permille(&d->r, 300)) {
			char merged[16], reason[96];

			id_of(merged, &g->e[below(&d->r, (uint32_t)d->i)]);
			snprintf(reason, sizeof(reason),
				 "Samengevoegd met %s", merged);
			yaml_key(b, "closed_reason", reason);
		} else {
			yaml_key(b, "closed_reason", why);
		}
	}
	buf_puts(b, "---\n");
	buf_printf(b, "# %s\n\n", d->title);
	paragraphs(b, &d->r, &d->theme, between(&d->r, 50, 200));
	b->len--; /* one newline at the end, not two */
}

/* ------------------------------------------------------------------ */
/* advies.md */

static void write_actions(struct gen *g, struct dossier *d)
{
	struct buf *b = &g->advice;
	int n = between(&d->r, 0, 3);
	long base = d->adopted ? d->adopted : d->received;

	if (!n)
		return;
	buf_puts(b, "actions:\n");
	for (int k = 0; k < n; k++) {
		struct para p = { &g->scratch, 0, NULL };
		const char *w[MAXWORDS];
		int nw = words(&d->r, w, 6, 12, &d->theme);
		long due = base + between(&d->r, 30, 400);
		char what[512], date[11];

		g->scratch.len = 0;
		for (int i = 0; i < nw; i++)
			para_word(&p, w[i], i == 0, 0);
		flat_text(what, sizeof(what), &g->scratch);
		buf_puts(b, "  - what: ");
		yaml_scalar(b, what, 0);
		buf_puts(b, "\n    owner: ");
		yaml_scalar(b, owners[below(&d->r, COUNT(owners))], 0);
		fmt_date(date, due);
		buf_printf(b, "\n    due: %s\n    done: %s\n", date,
			   due < today() && permille(&d->r, 700) ? "true" :
								   "false");
	}
}

/* A row per value: why it argues for, why against. */
static void values_table(struct buf *b, struct dossier *d, long *count)
{
	buf_puts(b, "| waarde | ethisch wenselijk, omdat ... | "
		    "ethisch onwenselijk, omdat ... |\n|---|---|---|\n");
	for (int v = 0; v < d->nval; v++) {
		buf_printf(b, "| %s ", d->val[v]);
		for (int side = 0; side < 2; side++) {
			const char *w[MAXWORDS];
			int n = words(&d->r, w, 5, 9, &d->theme);

			buf_puts(b, "|");
			for (int i = 0; i < n; i++) {
				buf_putc(b, ' ');
				buf_puts(b, w[i]);
			}
			buf_putc(b, ' ');
			*count += n;
		}
		buf_puts(b, "|\n");
	}
	buf_putc(b, '\n');
}

static void bullets(struct buf *b, struct dossier *d, long *count)
{
	int n = between(&d->r, 3, 5);

	for (int k = 0; k < n; k++) {
		struct para p = { b, 2, count };

		buf_puts(b, "- ");
		sentence(&p, &d->r, &d->theme, '.', 1);
		buf_putc(b, '\n');
	}
	buf_putc(b, '\n');
}

/* A sentence naming an earlier dossier by citation id or dossier id. */
static void citation(struct gen *g, struct dossier *d, long *count)
{
	struct para p = { &g->body, 0, count };
	const struct entry *e;
	char ref[32], line[160];

	if (d->nrel && permille(&d->r, 600)) {
		int y = atoi(d->rel[0]), s = atoi(d->rel[0] + 5);

		if (permille(&d->r, 500))
			snprintf(ref, sizeof(ref), CODE ":%d:%d", y, s);
		else
			snprintf(ref, sizeof(ref), "%s", d->rel[0]);
	} else {
		e = &g->e[below(&d->r, (uint32_t)d->i)];
		if (permille(&d->r, 500))
			cite_of(ref, e);
		else
			id_of(ref, e);
	}
	snprintf(line, sizeof(line), cite_forms[below(&d->r, COUNT(cite_forms))],
		 ref);
	para_text(&p, line);
	sentence(&p, &d->r, &d->theme, '.', 1);
	para_end(&p);
}

/* The advice body: sections, paragraphs, now and then a table, a list,
 * a link, a citation and an internal passage. */
static void advice_body(struct gen *g, struct dossier *d)
{
	struct buf *b = &g->body;
	long want = between(&d->r, (int)g->o.wmin, (int)g->o.wmax), count = 0;
	int nmid = between(&d->r, 2, 4), nsec = nmid + 2;
	int intern_sec = permille(&d->r, 150) ? between(&d->r, 1, nsec - 1) : -1;
	int cite_sec = d->i > 0 && permille(&d->r, 300) ? 1 : -1;
	int table = d->nval && permille(&d->r, 250);
	int list = permille(&d->r, 400), link = permille(&d->r, 100);
	const char *mid[4];

	b->len = 0;
	d->intern_at = d->intern_end = 0;
	nmid = pick_distinct(&d->r, mid, nmid, middle_sections,
			     COUNT(middle_sections));
	nsec = nmid + 2;
	for (int s = 0; s < nsec; s++) {
		long stop = want * (s + 1) / nsec;
		const char *head = s == 0 ? "De vraag" :
				   s == nsec - 1 ? "Aanbevelingen" : mid[s - 1];

		buf_printf(b, "## %s\n\n", head);
		if (s == 1 && table) {
			buf_puts(b, "Afweging van waarden:\n\n");
			values_table(b, d, &count);
		}
		if (s == cite_sec)
			citation(g, d, &count);
		if (s == intern_sec) {
			d->intern_at = b->len;
			buf_puts(b, "<!-- intern -->\n");
			paragraph(b, &d->r, &d->theme, &count, count + 200);
			b->len--;
			buf_puts(b, "<!-- /intern -->\n\n");
			d->intern_end = b->len;
		}
		if (s == nsec - 1 && list)
			bullets(b, d, &count);
		do
			paragraph(b, &d->r, &d->theme, &count, stop);
		while (count < stop);
	}
	if (link)
		buf_printf(b, "Meer achtergrond staat in de [toelichting bij "
			      "dit advies](https://example.org/bench/bronnen/%s/).\n\n",
			   d->id);
	b->len--;
}

static void write_advice(struct gen *g, struct dossier *d)
{
	struct buf *b = &g->advice;
	char date[11];

	b->len = 0;
	buf_puts(b, "---\n");
	if (d->adopted) {
		fmt_date(date, d->adopted);
		buf_printf(b, "adopted: %s\n", date);
	}
	yaml_folded(b, "summary", d->summary);
	write_actions(g, d);
	buf_puts(b, "---\n");
	advice_body(g, d);
	buf_put(b, g->body.p, g->body.len);
}

/* ------------------------------------------------------------------ */
/* reactie.md */

static void write_response(struct gen *g, struct dossier *d)
{
	struct buf *b = &g->response;
	char date[11];
	long count = 0;

	b->len = 0;
	fmt_date(date, d->resp_day);
	buf_printf(b, "---\nreceived: %s\n", date);
	yaml_key(b, "from", d->resp_from);
	buf_puts(b, "---\n");
	d->resp_body = b->len;
	paragraph(b, &d->r, &d->theme, &count, 1000);
	if (permille(&d->r, 400))
		paragraph(b, &d->r, &d->theme, &count, 1000);
	b->len--;
}

/* ------------------------------------------------------------------ */
/* The fast-import stream. */

static void emit_file(struct gen *g, const char *path, const struct buf *b)
{
	fprintf(g->out, "M 100644 inline %s\ndata %zu\n", path, b->len);
	fwrite(b->p, 1, b->len, g->out);
	fputc('\n', g->out);
}

static void emit_commit(struct gen *g, long day, const char *msg)
{
	/* Noon in the Netherlands, and strictly later than the last one. */
	long t = day * 86400 + 11 * 3600;

	if (t <= g->last_time)
		t = g->last_time + 60;
	g->last_time = t;
	fprintf(g->out,
		"commit refs/heads/main\n"
		"author " AUTHOR " %ld +0100\n"
		"committer " AUTHOR " %ld +0100\n"
		"data %zu\n%s\n",
		t, t, strlen(msg), msg);
}

static void emit_settings(struct gen *g)
{
	struct buf b = { 0 };

	emit_commit(g, g->first_day - 1, "Archief aangemaakt");
	buf_puts(&b, "name: Benchmarkcommissie\n"
		     "code: " CODE "\n"
		     "language: nl\n"
		     "site:\n"
		     "  title: Reflecties van de Benchmarkcommissie\n"
		     "  base_url: https://example.org/bench/\n");
	emit_file(g, "mores.yml", &b);
	b.len = 0;
	buf_puts(&b, "/.mores/\n/_site/\n");
	emit_file(g, ".gitignore", &b);
	free(b.p);
}

/* ------------------------------------------------------------------ */
/* Hugo content, for the comparison: the public part only. */

static void mkdirs(const char *path)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			die("cannot create the --hugo folder");
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		die("cannot create the --hugo folder");
}

static void write_hugo(struct gen *g, struct dossier *d)
{
	struct buf *b = &g->scratch;
	char path[4096], date[11], year[8];
	const char *rel[3], *yr[1] = { year };
	int nrel = 0;
	FILE *f;

	b->len = 0;
	buf_puts(b, "---\ntitle: ");
	yaml_quoted(b, d->title);
	fmt_date(date, d->adopted);
	buf_printf(b, "\ndate: %s\nid: \"%s\"\ncitation: \"%s\"\nkind: %s\n",
		   date, d->id, d->cite, d->asked ? "asked" : "unasked");
	if (d->asked) {
		buf_puts(b, "requester: ");
		yaml_quoted(b, d->requester);
		buf_puts(b, "\nquestion: ");
		yaml_quoted(b, d->question);
		buf_putc(b, '\n');
	}
	fmt_date(date, d->received);
	buf_printf(b, "received: %s\nsummary: ", date);
	yaml_quoted(b, d->summary);
	buf_putc(b, '\n');
	snprintf(year, sizeof(year), "%d", d->year);
	yaml_list(b, "waarden", d->val, d->nval);
	buf_printf(b, "jaren: [\"%s\"]\n", yr[0]);
	yaml_list(b, "instrumenten", d->ins, d->nins);
	yaml_list(b, "topics", d->top, d->ntop);
	/* Only related dossiers that are public themselves (section 4). */
	for (int k = 0; k < d->nrel; k++)
		if (g->e[d->relidx[k]].public)
			rel[nrel++] = d->rel[k];
	yaml_list(b, "related", rel, nrel);
	buf_puts(b, "---\n");
	/* The advice without its internal passage. */
	buf_put(b, g->body.p, d->intern_end ? d->intern_at : g->body.len);
	if (d->intern_end)
		buf_put(b, g->body.p + d->intern_end,
			g->body.len - d->intern_end);
	if (d->has_response) {
		fmt_date(date, d->resp_day);
		buf_printf(b, "\n\n## Reactie\n\n*%s, %s*\n\n", d->resp_from,
			   date);
		buf_put(b, g->response.p + d->resp_body,
			g->response.len - d->resp_body);
	}
	buf_putc(b, '\n');
	snprintf(path, sizeof(path), "%s/content/reflecties/%s.md", g->o.hugo,
		 d->id);
	f = fopen(path, "w");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0)
		die("cannot write a --hugo file");
}

/* ------------------------------------------------------------------ */
/* One dossier, start to finish. */

static void plan(struct gen *g, struct dossier *d)
{
	struct entry *e = &g->e[d->i];

	d->received = received_day(g, d);
	d->year = year_of(d->received);
	if (d->year != g->cur_year) {
		g->cur_year = d->year;
		g->cur_seq = 0;
	}
	d->seq = ++g->cur_seq;
	e->year = (uint16_t)d->year;
	e->seq = d->seq;
	id_of(d->id, e);
	cite_of(d->cite, e);

	d->status = draw_status(&d->r);
	d->asked = permille(&d->r, 700);
	d->confidential = d->status != PUBLISHED && permille(&d->r, 333);
	d->adopted = 0;
	if (d->status >= ADOPTED && d->status <= PUBLISHED)
		d->adopted = min_day(d->received + between(&d->r, 20, 150),
				     today());
	d->nval = pick_distinct(&d->r, d->val, between(&d->r, 1, 3), values,
				COUNT(values));
	d->nins = pick_distinct(&d->r, d->ins,
				permille(&d->r, 400) ? 0 :
				permille(&d->r, 667) ? 1 : 2,
				instruments, COUNT(instruments));
	draw_theme(d);
	draw_related(g, d);
	make_title(d);
	if (d->asked) {
		d->requester = requesters[below(&d->r, COUNT(requesters))];
		make_question(g, d);
	}
	if (d->status >= DRAFT && d->status <= PUBLISHED)
		make_summary(g, d);
	d->has_response = d->status == PUBLISHED && permille(&d->r, 200);
	if (d->has_response) {
		d->resp_day = min_day(d->adopted + between(&d->r, 14, 120),
				      today());
		d->resp_from = responders[below(&d->r, COUNT(responders))];
	}
	/* Every embargo lies on or before TODAY, so public = published and
	 * public. */
	d->public = d->status == PUBLISHED && !d->confidential;
	e->public = (uint8_t)d->public;
}

static void one_dossier(struct gen *g, long i)
{
	struct dossier d;
	char path[64], dir[40];

	memset(&d, 0, sizeof(d));
	d.i = i;
	rng_seed(&d.r, g->o.seed, (uint64_t)i);
	plan(g, &d);
	snprintf(dir, sizeof(dir), "dossiers/%04d/%s", d.year, d.id);

	write_dossier(g, &d);
	snprintf(path, sizeof(path), "%s/dossier.md", dir);
	emit_file(g, path, &g->dossier);
	if (d.status >= DRAFT && d.status <= PUBLISHED) {
		write_advice(g, &d);
		snprintf(path, sizeof(path), "%s/advies.md", dir);
		emit_file(g, path, &g->advice);
	}
	if (d.has_response) {
		write_response(g, &d);
		snprintf(path, sizeof(path), "%s/reactie.md", dir);
		emit_file(g, path, &g->response);
	}
	if (g->o.hugo && d.public)
		write_hugo(g, &d);
}

/* The commit date of a batch: the last received date in it, which rises
 * with the batch; adoption dates may lie later, as in real archives
 * that are filled in after the fact. */
static void one_batch(struct gen *g, long from, long to)
{
	char msg[128];
	struct dossier d;
	long last;

	/* received_day() is the first draw of a dossier's stream, so a
	 * fresh stream gives the same day that plan() will. */
	memset(&d, 0, sizeof(d));
	d.i = to - 1;
	rng_seed(&d.r, g->o.seed, (uint64_t)(to - 1));
	last = received_day(g, &d);
	snprintf(msg, sizeof(msg), "Dossiers %ld tot en met %ld toegevoegd",
		 from + 1, to);
	emit_commit(g, last, msg);
	for (long i = from; i < to; i++)
		one_dossier(g, i);
	fputc('\n', g->out);
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: gen [--count N] [--seed S] [--words MIN-MAX] "
	      "[--batch B] [--hugo DIR]\n",
	      stderr);
	exit(2);
}

static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (!s)
		usage();
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage();
	return v;
}

static void parse(struct opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--count"))
			o->count = number(v, 1, 50000000);
		else if (!strcmp(a, "--seed"))
			o->seed = (uint64_t)number(v, 0, 0x7fffffffL);
		else if (!strcmp(a, "--batch"))
			o->batch = number(v, 1, 50000000);
		else if (!strcmp(a, "--hugo") && v)
			o->hugo = v;
		else if (!strcmp(a, "--words") && v) {
			char *end;

			o->wmin = strtol(v, &end, 10);
			if (*end != '-')
				usage();
			o->wmax = number(end + 1, 1, 1000000);
			if (o->wmin < 1 || o->wmin > o->wmax)
				usage();
		} else
			usage();
		i++;
	}
}

int main(int argc, char **argv)
{
	static char obuf[1 << 22];
	struct gen g;

	memset(&g, 0, sizeof(g));
	g.o = (struct opts){ 1000, 1000, 1, 500, 2000, NULL };
	parse(&g.o, argc, argv);
	g.e = calloc((size_t)g.o.count, sizeof(*g.e));
	if (!g.e)
		die("out of memory");
	for (int c = 0; c < NCLS; c++)
		zipf_build(zipf[c], classes[c].n, zipf_q[c]);
	if (g.o.hugo) {
		char dir[4096];

		snprintf(dir, sizeof(dir), "%s/content/reflecties", g.o.hugo);
		mkdirs(dir);
	}
	g.out = stdout;
	setvbuf(g.out, obuf, _IOFBF, sizeof(obuf));
	g.first_day = days_from_civil(FIRST_YEAR, 1, 1);
	g.span = today() - g.first_day + 1;

	fputs("feature done\n", g.out);
	emit_settings(&g);
	fputc('\n', g.out);
	for (long from = 0; from < g.o.count; from += g.o.batch)
		one_batch(&g, from, from + g.o.batch < g.o.count ?
					    from + g.o.batch : g.o.count);
	fputs("done\n", g.out);
	if (fflush(g.out) != 0 || ferror(g.out))
		die("cannot write the stream");
	return 0;
}
