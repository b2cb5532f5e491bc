/*
 * tokenize.c: the Dutch tokenizer of the index, registered with FTS5 as
 * "dutch". It wraps unicode61 (lower case, diacritics folded) and turns
 * each word into the form that all its inflections share:
 *
 *   camera's, camera      -> camera     (the 's plural)
 *   drones, drone         -> dron       (an -s plural Snowball leaves)
 *   sensoren, sensor      -> sensor     (Snowball Dutch)
 *   financieel, financiële -> financiel (a doubled vowel undoubled)
 *   technologieën         -> technologie
 *
 * Dutch writes compounds as one word, so in documents a compound is also
 * split into its parts with a word list, and the parts are indexed at the
 * same position: "satellietbeelden" is found by "satelliet" and by
 * "beelden", "algoritmeregister" by "register". Queries are not split:
 * a query for the compound itself finds it whole.
 */
#include "search_int.h"

#include <fcntl.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the word list of compound parts ------------------------------------ */

/* Heads and modifiers that are suffixes or too vague to be worth finding
 * on their own. */
static const char *const weak_parts[] = {
	"heid", "lijk", "baar", "schap", "ling", "isch", "teit", "tjes",
	"achtig", "loos", "zaam", "wijs", "ende", "erij", "eren", "ster",
	"bare", "ische", "lijke", NULL
};

static struct lexicon {
	const uint32_t *slot; /* open addressing: 1 + a word's offset in
			       * text, 0 when empty */
	uint32_t mask;
	const char *text; /* the words, NUL-terminated */
	size_t len;
} lexicon;
static pthread_once_t lexicon_once = PTHREAD_ONCE_INIT;
static char *lexicon_cache; /* the table kept between runs, or NULL */

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int lexicon_has(const char *w, size_t n)
{
	uint32_t o;

	if (!lexicon.slot || n < 4)
		return 0;
	for (size_t i = hash(w, n) & lexicon.mask; (o = lexicon.slot[i]);
	     i = (i + 1) & lexicon.mask)
		if (--o + n < lexicon.len && !strncmp(lexicon.text + o, w, n) &&
		    !lexicon.text[o + n])
			return 1;
	return 0;
}

static int weak(const char *w, size_t n)
{
	for (int i = 0; weak_parts[i]; i++)
		if (strlen(weak_parts[i]) == n && !memcmp(weak_parts[i], w, n))
			return 1;
	return 0;
}

/* Folds a word of the list as unicode61 folds text: lower-case ASCII
 * and the accented Latin letters Dutch uses. Returns 0 for words that
 * are no use as compound parts (capitals, digits, hyphens). */
static int fold_word(char *w)
{
	static const char *const from[] = { "á", "à", "â", "ä", "é", "è",
					    "ê", "ë", "í", "ì", "î", "ï",
					    "ó", "ò", "ô", "ö", "ú", "ù",
					    "û", "ü", "ç", "ñ", NULL };
	static const char to[] = "aaaaeeeeiiiioooouuuucn";
	char *r = w, *o = w;

	while (*r) {
		unsigned char c = (unsigned char)*r;
		int k;

		if (c >= 'a' && c <= 'z') {
			*o++ = *r++;
			continue;
		}
		if (c < 0x80)
			return 0;
		for (k = 0; from[k]; k++)
			if (!strncmp(r, from[k], strlen(from[k])))
				break;
		if (!from[k])
			return 0;
		*o++ = to[k];
		r += strlen(from[k]);
	}
	*o = '\0';
	return o - w >= 4;
}

const char *search_wordlist_path(void)
{
	const char *p = getenv("MORES_WORDLIST");

	return p && *p ? p : "/usr/share/dict/dutch";
}

/*
 * The table of the word list is kept in a file beside the index, so that
 * a process that indexes one dossier maps it instead of folding and
 * hashing 400,000 words: the header, the slots, then the words. It is
 * used only while the word list has the size and time it was made from.
 */
#define LEXICON_MAGIC "MORESLX1"

struct lexicon_head {
	char magic[8];
	uint64_t source_size;
	int64_t source_sec, source_nsec;
	uint64_t slots, len;
};

void search_lexicon_cache(const char *path)
{
	/* only before the list is loaded, and only the first place named */
	if (!lexicon_cache && path)
		lexicon_cache = strdup(path);
}

static void head_of(struct lexicon_head *h, const struct stat *src)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, LEXICON_MAGIC, 8);
	h->source_size = (uint64_t)src->st_size;
	h->source_sec = src->st_mtim.tv_sec;
	h->source_nsec = src->st_mtim.tv_nsec;
}

/* Maps the kept table when it matches the word list; 1 when it did. */
static int lexicon_map(const struct stat *src)
{
	struct lexicon_head want, h;
	struct stat st;
	const char *map;
	int fd;

	if (!lexicon_cache ||
	    (fd = open(lexicon_cache, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	head_of(&want, src);
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, want.magic, 8) ||
	    h.source_size != want.source_size ||
	    h.source_sec != want.source_sec ||
	    h.source_nsec != want.source_nsec || h.slots < 2 ||
	    h.slots > ((uint64_t)1 << 30) || (h.slots & (h.slots - 1)) ||
	    h.len == 0 || h.len > UINT32_MAX ||
	    (uint64_t)st.st_size != sizeof(h) + h.slots * 4 + h.len) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	lexicon.text = map + sizeof(h) + h.slots * 4;
	if (lexicon.text[h.len - 1] != '\0') {
		munmap((void *)map, (size_t)st.st_size);
		lexicon.text = NULL;
		return 0;
	}
	lexicon.slot = (const uint32_t *)(map + sizeof(h));
	lexicon.mask = (uint32_t)(h.slots - 1);
	lexicon.len = h.len;
	return 1;
}

/* Keeps the table for the next process; a failure only costs time. */
static void lexicon_keep(const struct stat *src)
{
	struct lexicon_head h;
	char *tmp;
	FILE *f;
	int ok;

	if (!lexicon_cache ||
	    asprintf(&tmp, "%s.%ld.tmp", lexicon_cache, (long)getpid()) < 0)
		return;
	head_of(&h, src);
	h.slots = (uint64_t)lexicon.mask + 1;
	h.len = lexicon.len;
	ok = (f = fopen(tmp, "wbx")) != NULL;
	ok = ok && fwrite(&h, sizeof(h), 1, f) == 1 &&
	     fwrite(lexicon.slot, 4, h.slots, f) == h.slots &&
	     fwrite(lexicon.text, 1, h.len, f) == h.len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, lexicon_cache) != 0)
		unlink(tmp);
	free(tmp);
}

/* Loads the word list once per process. Without it compounds are not
 * split, and everything else works the same. */
static void lexicon_load(void)
{
	struct stat src;
	uint32_t *slot;
	char *text;
	size_t len, words = 0, size;

	if (stat(search_wordlist_path(), &src) != 0 || lexicon_map(&src))
		return;
	if (archive_file_slurp(&text, &len, search_wordlist_path()) != 0) {
		archive_error_clear();
		return;
	}
	if (len >= UINT32_MAX - 1) {
		free(text);
		return;
	}
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n') {
			text[i] = '\0';
			words++;
		}
	len++; /* the list ends in the NUL that archive_file_slurp adds */
	for (size = 1024; size < words * 2; size *= 2)
		;
	if (!(slot = calloc(size, sizeof(*slot)))) {
		free(text);
		return;
	}
	for (char *w = text; w < text + len; w += strlen(w) + 1) {
		size_t n, i;

		if (!fold_word(w))
			continue;
		n = strlen(w);
		for (i = hash(w, n) & (size - 1); slot[i];
		     i = (i + 1) & (size - 1))
			if (!strcmp(text + slot[i] - 1, w))
				break;
		slot[i] = (uint32_t)(w - text) + 1;
	}
	lexicon.slot = slot;
	lexicon.mask = (uint32_t)(size - 1);
	lexicon.text = text;
	lexicon.len = len;
	lexicon_keep(&src);
}

/* ---- one word ------------------------------------------------------------ */

struct search_stemmer {
	struct sb_stemmer *sb;
};

search_stemmer *search_stemmer_new(void)
{
	search_stemmer *s = calloc(1, sizeof(*s));

	if (s && !(s->sb = sb_stemmer_new("dutch", "UTF_8"))) {
		free(s);
		s = NULL;
	}
	return s;
}

void search_stemmer_free(search_stemmer *s)
{
	if (s) {
		sb_stemmer_delete(s->sb);
		free(s);
	}
}

static int is_apostrophe(const char *p, const char *end)
{
	return *p == '\'' || (end - p >= 3 && !memcmp(p, "\xe2\x80\x99", 3));
}

static int apostrophe_len(const char *p)
{
	return *p == '\'' ? 1 : 3;
}

static int vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* The number of vowel groups in w[0..n). */
static int syllables(const char *w, size_t n)
{
	int count = 0;

	for (size_t i = 0; i < n; i++)
		if (vowel(w[i]) && (i == 0 || !vowel(w[i - 1])))
			count++;
	return count;
}

/* Trims apostrophes and the 's plural; returns the new length. */
static size_t trim_apostrophes(const char **w, size_t n)
{
	const char *p = *w, *end = p + n;

	while (p < end && is_apostrophe(p, end))
		p += apostrophe_len(p);
	while (end > p) {
		if (end[-1] == '\'')
			end--;
		else if (end - p >= 3 && !memcmp(end - 3, "\xe2\x80\x99", 3))
			end -= 3;
		else if (end - p >= 2 && end[-1] == 's' &&
			 (end[-2] == '\'' ||
			  (end - p >= 4 && !memcmp(end - 4, "\xe2\x80\x99", 3))))
			end--; /* the s of 's; its apostrophe goes next round */
		else
			break;
	}
	*w = p;
	return (size_t)(end - p);
}

size_t search_stem(search_stemmer *s, char *out, size_t size, const char *w,
		   size_t n)
{
	const sb_symbol *r;
	char buf[256];
	size_t k;
	int digits = 0, en;

	n = trim_apostrophes(&w, n);
	for (k = 0; k < n; k++)
		if (w[k] >= '0' && w[k] <= '9')
			digits = 1;
	/* numbers and ids stay as they are */
	if (digits || n < 3) {
		k = n < size ? n : size - 1;
		memcpy(out, w, k);
		out[k] = '\0';
		return k;
	}
	/* technologieën: the -en plural after -ie that Snowball keeps */
	if (n >= 6 && !memcmp(w + n - 4, "ieen", 4))
		n -= 2;
	/* the -s plural of words ending in a vowel: drones, algoritmes; not
	 * proces or succes */
	if (n >= 5 && w[n - 1] == 's' && (w[n - 2] == 'e' || w[n - 2] == 'a') &&
	    w[n - 3] != 'c')
		n--;
	en = n >= 4 && !memcmp(w + n - 2, "en", 2);
	/* kans, mens, grens, fiets: in a word of one syllable the s is the
	 * word's own (the plural is kansen), where Snowball takes it for the
	 * plural of "kan"; tekens and zeppelins are plurals */
	if (n >= 4 && n + 2 < sizeof(buf) && w[n - 1] == 's' &&
	    (w[n - 2] == 'n' || w[n - 2] == 't') && syllables(w, n) == 1) {
		memcpy(buf, w, n);
		memcpy(buf + n, "en", 2);
		w = buf;
		n += 2;
	}
	r = sb_stemmer_stem(s->sb, (const sb_symbol *)w, (int)n);
	k = r ? (size_t)sb_stemmer_length(s->sb) : n;
	if (!r)
		r = (const sb_symbol *)w;
	if (k >= size)
		k = size - 1;
	memcpy(out, r, k);
	/* a doubled vowel before the last consonant: financieel ->
	 * financiel, as Snowball already does for financiële */
	if (k >= 4 && !vowel(out[k - 1]) && out[k - 2] == out[k - 3] &&
	    vowel(out[k - 2]))
		memmove(out + k - 2, out + k - 1, 1), k--;
	/* what Snowball leaves of an -en plural: lessen -> les (it undoubles
	 * only k, d and t), reizen -> reis */
	if (en && k >= 3 && out[k - 1] == out[k - 2] && !vowel(out[k - 1]))
		k--;
	else if (en && k >= 3 && out[k - 1] == 'z')
		out[k - 1] = 's';
	out[k] = '\0';
	return k;
}

/* ---- compounds ------------------------------------------------------------- */

/* Finds where word w (lower case, folded) splits into a modifier and a
 * head that are both words of the list, preferring the longest head.
 * Returns the length of the modifier part and, in *join, the length
 * including a linking s; 0 when w is not a compound. */
static size_t split_at(const char *w, size_t n, size_t *join)
{
	for (size_t i = 4; i + 4 <= n; i++) {
		const char *head = w + i;
		size_t hn = n - i;

		if (!lexicon_has(head, hn) || weak(head, hn))
			continue;
		if (lexicon_has(w, i) && !weak(w, i)) {
			*join = i;
			return i;
		}
		if (w[i - 1] == 's' && i >= 5 && lexicon_has(w, i - 1) &&
		    !weak(w, i - 1)) {
			*join = i;
			return i - 1;
		}
	}
	return 0;
}

/* Collects the parts of a compound: its head, then the parts of its
 * modifier (a compound of three words splits into three). */
static int compound_parts(const char *w, size_t n, struct search_part *parts,
			  int max)
{
	size_t mod, join;
	int count;

	if (n < 8 || max < 2 || !(mod = split_at(w, n, &join)))
		return 0;
	parts[0].start = join;
	parts[0].len = n - join;
	count = 1 + compound_parts(w, mod, parts + 1, max - 1);
	if (count == 1) {
		parts[1].start = 0;
		parts[1].len = mod;
		count = 2;
	}
	return count;
}

int search_compound_parts(const char *w, size_t n, struct search_part *parts,
			  int max)
{
	pthread_once(&lexicon_once, lexicon_load);
	return compound_parts(w, n, parts, max);
}

/* ---- the FTS5 tokenizer ------------------------------------------------- */

/*
 * What the tokenizer made of a word before: a text has few distinct words
 * and uses them again and again, so that stemming and splitting each word
 * once per tokenizer saves most of the work of indexing and of snippets.
 * An entry in the arena is: key length, key (the word as unicode61 gave
 * it), stem length, stem, number of parts (PARTS_UNKNOWN until a document
 * needed them), then per part its length and text. The cache is emptied
 * when it is full, so its memory stays fixed.
 */
#define CACHE_SLOTS 65536
#define CACHE_ARENA (4u << 20)
#define PARTS_UNKNOWN 255

struct word_cache {
	uint32_t slot[CACHE_SLOTS]; /* arena offset of an entry, 0: empty */
	unsigned char *arena;
	uint32_t used, entries;
};

struct dutch {
	fts5_tokenizer parent;
	Fts5Tokenizer *parent_inst;
	search_stemmer *stem;
	struct word_cache *cache;
};

struct dutch_call {
	struct dutch *d;
	void *ctx;
	int (*emit)(void *, int, const char *, int, int, int);
	int document;
	int places; /* for an auxiliary function: where tokens are, not what */
};

/* Stems word w[0..n) (n < 256) and, with parts, splits it into its
 * stemmed compound parts; writes an entry of the cache's form to e (room
 * for CACHE_ENTRY_MAX bytes) and returns its length. */
#define CACHE_ENTRY_MAX (1 + 255 + 1 + 255 + 1 + 8 * 256)
static size_t word_entry(search_stemmer *stem, unsigned char *e,
			 const char *w, size_t n, int parts)
{
	struct search_part found[8];
	char folded[256];
	const char *t;
	size_t len, tn, at;
	int count = 0;

	e[0] = (unsigned char)n;
	memcpy(e + 1, w, n);
	at = 1 + n;
	len = search_stem(stem, (char *)e + at + 1, 256, w, n);
	e[at] = (unsigned char)len;
	at += 1 + len;
	if (!parts) {
		e[at++] = PARTS_UNKNOWN;
		return at;
	}
	if (n >= 8) {
		t = w;
		tn = trim_apostrophes(&t, n);
		memcpy(folded, t, tn);
		folded[tn] = '\0';
		/* Only documents are split, so a query never pays for the
		 * list. */
		pthread_once(&lexicon_once, lexicon_load);
		count = compound_parts(folded, tn, found, 8);
	}
	e[at++] = (unsigned char)count;
	for (int i = 0; i < count; i++) {
		len = search_stem(stem, (char *)e + at + 1, 256,
				  folded + found[i].start, found[i].len);
		e[at] = (unsigned char)len;
		at += 1 + len;
	}
	return at;
}

/* The cache's entry for word w[0..n), made when it is missing or lacks
 * the parts a document needs; e is room for one entry when the cache
 * cannot hold it. */
static const unsigned char *word_lookup(struct dutch *d, const char *w,
					size_t n, int parts, unsigned char *e)
{
	struct word_cache *c = d->cache;
	const unsigned char *hit;
	uint32_t i;
	size_t len;

	if (!c) {
		word_entry(d->stem, e, w, n, parts);
		return e;
	}
	for (i = hash(w, n) & (CACHE_SLOTS - 1); c->slot[i];
	     i = (i + 1) & (CACHE_SLOTS - 1)) {
		hit = c->arena + c->slot[i];
		if (hit[0] == n && !memcmp(hit + 1, w, n)) {
			const unsigned char *stem = hit + 1 + n;

			if (!parts || stem[1 + stem[0]] != PARTS_UNKNOWN)
				return hit;
			break; /* made again below, with its parts */
		}
	}
	if (c->entries >= CACHE_SLOTS / 2 ||
	    c->used + CACHE_ENTRY_MAX > CACHE_ARENA) {
		memset(c->slot, 0, sizeof(c->slot));
		c->used = 1;
		c->entries = 0;
		for (i = hash(w, n) & (CACHE_SLOTS - 1); c->slot[i];
		     i = (i + 1) & (CACHE_SLOTS - 1))
			;
	}
	len = word_entry(d->stem, c->arena + c->used, w, n, parts);
	if (!c->slot[i])
		c->entries++;
	c->slot[i] = c->used;
	c->used += (uint32_t)len;
	return c->arena + c->slot[i];
}

static int dutch_token(void *ctx, int tflags, const char *tok, int n,
		       int start, int end)
{
	struct dutch_call *c = ctx;
	unsigned char room[CACHE_ENTRY_MAX];
	const unsigned char *e, *p;
	char part[257];
	size_t len;
	int rc, count, whole_only = 0;

	if (n > 0 && tok[0] == SEARCH_WHOLE_MARK) {
		whole_only = !c->document;
		tok++;
		n--;
	}
	if (c->places) {
		/* The snippet reads only the positions and byte offsets of
		 * tokens, so the stem and the parts are not needed; the
		 * words that make no token still make none. */
		const char *w = tok;

		if (n <= 0 || trim_apostrophes(&w, (size_t)n) == 0)
			return SQLITE_OK;
		return c->emit(c->ctx, tflags, tok, n, start, end);
	}
	if (n >= 256) {
		/* too long to be a word worth splitting or keeping */
		len = search_stem(c->d->stem, part, sizeof(part), tok,
				  (size_t)n);
		return len ? c->emit(c->ctx, tflags, part, (int)len, start, end)
			   : SQLITE_OK;
	}
	if (n <= 0)
		return SQLITE_OK;
	e = word_lookup(c->d, tok, (size_t)n, c->document, room);
	p = e + 1 + e[0];
	len = p[0];
	if (len == 0)
		return SQLITE_OK;
	rc = c->emit(c->ctx, tflags, (const char *)p + 1, (int)len, start,
		     end);
	if (rc != SQLITE_OK || whole_only)
		return rc;
	part[0] = SEARCH_PART_MARK;
	if (!c->document) {
		/* the query word also stands for its use as a part */
		memcpy(part + 1, p + 1, len);
		return c->emit(c->ctx, FTS5_TOKEN_COLOCATED, part,
			       (int)len + 1, start, end);
	}
	p += 1 + len;
	count = *p++;
	for (int i = 0; i < count && rc == SQLITE_OK; i++) {
		len = *p++;
		if (len) {
			memcpy(part + 1, p, len);
			rc = c->emit(c->ctx, FTS5_TOKEN_COLOCATED, part,
				     (int)len + 1, start, end);
		}
		p += len;
	}
	return rc;
}

/* ---- tokens made ahead ------------------------------------------------ */

/* A token as recorded: flags, length (2 bytes), start and end (4 bytes
 * each), then the token itself. */
#define REC_HEAD 11

/* The tokens of this thread to play back (search_tokens_set), or NULL. */
static _Thread_local const struct search_tokens *ahead;

void search_tokens_set(const struct search_tokens *t)
{
	ahead = t;
}

void search_tokens_reset(struct search_tokens *t)
{
	t->n = 0;
	t->len = 0;
	t->oom = 0;
}

void search_tokens_free(struct search_tokens *t)
{
	free(t->s);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

static int record_token(void *ctx, int tflags, const char *tok, int n,
			int start, int end)
{
	struct search_tokens *t = ctx;
	unsigned char head[REC_HEAD];
	uint16_t len = (uint16_t)n;
	int32_t at[2] = { start, end };

	if (t->len + REC_HEAD + (size_t)n > t->cap_buf) {
		size_t cap = (t->len + REC_HEAD + (size_t)n) * 2 + 4096;
		unsigned char *p = realloc(t->buf, cap);

		if (!p)
			return SQLITE_NOMEM;
		t->buf = p;
		t->cap_buf = cap;
	}
	head[0] = (unsigned char)tflags;
	memcpy(head + 1, &len, 2);
	memcpy(head + 3, at, 8);
	memcpy(t->buf + t->len, head, REC_HEAD);
	memcpy(t->buf + t->len + REC_HEAD, tok, (size_t)n);
	t->len += REC_HEAD + (size_t)n;
	return SQLITE_OK;
}

int search_tokens_add(struct search_tokens *t, struct search_ahead *ah,
		      const char *text, size_t len)
{
	struct dutch *d = (struct dutch *)ah;
	struct dutch_call c = { d, t, record_token, 1 };
	size_t from = t->len;
	int rc;

	if (t->oom)
		return -1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct search_stream *s = realloc(t->s, cap * sizeof(*s));

		if (!s) {
			t->oom = 1;
			return -1;
		}
		t->s = s;
		t->cap = cap;
	}
	rc = d->parent.xTokenize(d->parent_inst, &c, FTS5_TOKENIZE_DOCUMENT,
				 text, (int)len, dutch_token);
	if (rc != SQLITE_OK) {
		t->len = from;
		t->oom = 1;
		return -1;
	}
	t->s[t->n] = (struct search_stream){ text, len, from, t->len };
	return (int)t->n++;
}

int search_tokens_each(const struct search_tokens *t, int k,
		       int (*fn)(void *ctx, int flags, const char *tok, int n),
		       void *ctx)
{
	const struct search_stream *s = &t->s[k];
	int rc = SQLITE_OK;

	for (size_t at = s->at; at < s->end && rc == SQLITE_OK;) {
		uint16_t n;

		memcpy(&n, t->buf + at + 1, 2);
		rc = fn(ctx, t->buf[at], (const char *)t->buf + at + REC_HEAD,
			n);
		at += REC_HEAD + n;
	}
	return rc;
}

/* Plays the recorded tokens of a text equal to text[0..n) back to emit;
 * -1 when none was recorded. */
static int play(const struct search_tokens *t, const char *text, int n,
		void *ctx, int (*emit)(void *, int, const char *, int, int, int))
{
	for (size_t k = 0; k < t->n; k++) {
		const struct search_stream *s = &t->s[k];
		int rc = SQLITE_OK;

		if (s->len != (size_t)n || memcmp(s->text, text, (size_t)n))
			continue;
		for (size_t at = s->at; at < s->end && rc == SQLITE_OK;) {
			unsigned char flags = t->buf[at];
			uint16_t len;
			int32_t pos[2];

			memcpy(&len, t->buf + at + 1, 2);
			memcpy(pos, t->buf + at + 3, 8);
			rc = emit(ctx, flags, (const char *)t->buf + at + REC_HEAD,
				  len, pos[0], pos[1]);
			at += REC_HEAD + len;
		}
		return rc;
	}
	return -1;
}

static int dutch_tokenize(Fts5Tokenizer *t, void *ctx, int flags,
			  const char *text, int n,
			  int (*emit)(void *, int, const char *, int, int, int))
{
	struct dutch *d = (struct dutch *)t;
	struct dutch_call c = { d, ctx, emit,
				(flags & FTS5_TOKENIZE_DOCUMENT) != 0,
				(flags & FTS5_TOKENIZE_AUX) != 0 };

	if (c.document && ahead) {
		int rc = play(ahead, text, n < 0 ? (int)strlen(text) : n, ctx,
			      emit);

		if (rc != -1)
			return rc;
	}
	return d->parent.xTokenize(d->parent_inst, &c, flags, text, n,
				   dutch_token);
}

static void dutch_delete(Fts5Tokenizer *t)
{
	struct dutch *d = (struct dutch *)t;

	if (d->parent_inst)
		d->parent.xDelete(d->parent_inst);
	search_stemmer_free(d->stem);
	if (d->cache)
		free(d->cache->arena);
	free(d->cache);
	free(d);
}

static int dutch_create(void *api_ptr, const char **args, int nargs,
			Fts5Tokenizer **out)
{
	static const char *const parent_args[] = { "remove_diacritics", "2",
						   "tokenchars", "'\xe2\x80\x99\x02" };
	fts5_api *api = api_ptr;
	struct dutch *d = calloc(1, sizeof(*d));
	void *user;
	int rc;

	(void)args;
	(void)nargs;
	*out = NULL;
	if (!d)
		return SQLITE_NOMEM;
	rc = api->xFindTokenizer(api, "unicode61", &user, &d->parent);
	if (rc == SQLITE_OK)
		rc = d->parent.xCreate(user, (const char **)parent_args, 4,
				       &d->parent_inst);
	if (rc == SQLITE_OK && !(d->stem = search_stemmer_new()))
		rc = SQLITE_ERROR;
	/* without room for a cache every word is made afresh */
	if (rc == SQLITE_OK && (d->cache = calloc(1, sizeof(*d->cache))) &&
	    !(d->cache->arena = malloc(CACHE_ARENA))) {
		free(d->cache);
		d->cache = NULL;
	}
	if (d->cache)
		d->cache->used = 1;
	if (rc != SQLITE_OK) {
		dutch_delete((Fts5Tokenizer *)d);
		return rc;
	}
	*out = (Fts5Tokenizer *)d;
	return SQLITE_OK;
}

fts5_api *search_fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int search_ahead_new(struct search_ahead **out, sqlite3 *db)
{
	fts5_api *api = search_fts5_of(db);
	Fts5Tokenizer *t = NULL;

	*out = NULL;
	if (!api || dutch_create(api, NULL, 0, &t) != SQLITE_OK)
		return -1;
	*out = (struct search_ahead *)t;
	return 0;
}

struct query_word {
	char *out;
	size_t cap, len;
	int words;
};

static int catch_word(void *ctx, int tflags, const char *tok, int n,
		      int start, int end)
{
	struct query_word *q = ctx;

	(void)start;
	(void)end;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	if (q->words++ == 0 && (size_t)n < q->cap) {
		memcpy(q->out, tok, (size_t)n);
		q->out[n] = '\0';
		q->len = (size_t)n;
	}
	return SQLITE_OK;
}

size_t search_query_key(struct search_ahead *ah, const char *text, size_t n,
			char *out, size_t cap)
{
	struct dutch *d = (struct dutch *)ah;
	struct dutch_call c;
	struct query_word q = { out, cap, 0, 0 };

	c = (struct dutch_call){ d, &q, catch_word, 0 };
	if (d->parent.xTokenize(d->parent_inst, &c, FTS5_TOKENIZE_QUERY, text,
				(int)n, dutch_token) != SQLITE_OK)
		return 0;
	return q.words == 1 ? q.len : 0;
}

void search_ahead_free(struct search_ahead *ah)
{
	if (ah)
		dutch_delete((Fts5Tokenizer *)ah);
}

int search_register_dutch(sqlite3 *db)
{
	fts5_api *api = search_fts5_of(db);
	fts5_tokenizer t = { dutch_create, dutch_delete, dutch_tokenize };

	int rc;

	if (!api)
		return SQLITE_ERROR;
	rc = api->xCreateTokenizer(api, "dutch", api, &t, NULL);
	if (rc == SQLITE_OK)
		rc = search_register_rank(db);
	return rc == SQLITE_OK ? search_register_snippet(db) : rc;
}
