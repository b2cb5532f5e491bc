/*
 * best.c: for each word of a full-text table, the rows that score best
 * for it, so that a search for common words finds its best results
 * without ranking every row that holds them.
 *
 * A row's share of a word's bm25 score depends on the word's weighted
 * count in the row (f) and the row's length (L); what depends on the
 * whole table (the word's document count, the average length) is the
 * same for every row. Each word (a key: the stem, whether it stands on
 * its own or as a part of a compound) keeps its rows in the order of
 *
 *     imp = f (k1 + 1) / (f + k1 (1 - b + b L / a0))
 *
 * with a0 the average length when the lists were made, up to
 * search_best_keep
 * rows, and a floor: no row left out of the list has a higher imp. The
 * average moves with later changes, but the true share of a row is at
 * most imp times max(1, average / a0), so the lists still bound what an
 * unseen row can score. A search reads the lists of its words from the
 * top, scores each row it meets exactly (through FTS5, with the same
 * formula as FTS5's bm25) and stops when the best it has beat what any
 * row not yet met could score.
 */
#include "search_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K1 1.2
#define B 0.75

/* The rows each word's list keeps after a rebuild. */
int search_best_keep = 512;
/* Rows of a rebuild that wait until the average length is known. */
#define BEST_WAIT 256
/* Rows a search scores before it ranks every match instead. */
#define BEST_TRIES 4000

const double search_weights[SEARCH_COLUMNS] = { 10.0, 6.0, 4.0, 3.0, 3.0,
						1.0,  1.5, 1.0, 0.5 };

static uint64_t hash_key(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return h ^ (h >> 29);
}

static double imp_of(double f, sqlite3_int64 len, double a0)
{
	return f * (K1 + 1.0) / (f + K1 * (1 - B + B * (double)len / a0));
}

/* ---- tables of names ------------------------------------------------ */

static int names_grow(struct search_names *t)
{
	size_t mask = t->mask ? t->mask * 2 + 1 : 1023;
	uint32_t *slot = calloc(mask + 1, sizeof(*slot));

	if (!slot)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct search_name *nm =
			(const void *)(t->items + i * t->stride);
		size_t j = nm->hash & mask;

		while (slot[j])
			j = (j + 1) & mask;
		slot[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->mask = mask;
	return 0;
}

/* The item named s (n bytes, hash h) in t, whose items are stride bytes;
 * a new one, zeroed but for its name, with *added set, when t has none.
 * NULL when out of memory. */
static void *names_put(struct search_names *t, size_t stride, const char *s,
		       size_t n, uint64_t h, int *added)
{
	struct search_name *nm;
	size_t i;

	*added = 0;
	t->stride = stride;
	if ((t->n + 1) * 2 > t->mask && names_grow(t) != 0)
		return NULL;
	for (i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
		nm = (void *)(t->items + (t->slot[i] - 1) * stride);
		if (nm->hash == h && nm->len == n &&
		    !memcmp(t->text + nm->at, s, n))
			return nm;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap * 2 + 256;
		char *more = realloc(t->items, cap * stride);

		if (!more)
			return NULL;
		t->items = more;
		t->cap = cap;
	}
	if (t->len + n + 1 > t->tcap) {
		size_t cap = (t->len + n + 1) * 2 + 4096;
		char *more = realloc(t->text, cap);

		if (!more)
			return NULL;
		t->text = more;
		t->tcap = cap;
	}
	memcpy(t->text + t->len, s, n);
	t->text[t->len + n] = '\0';
	nm = memset(t->items + t->n * stride, 0, stride);
	*nm = (struct search_name){ (uint32_t)t->len, (uint32_t)n, h };
	t->len += n + 1;
	t->slot[i] = (uint32_t)++t->n;
	*added = 1;
	return nm;
}

static void names_reset(struct search_names *t)
{
	if (t->slot && t->n)
		memset(t->slot, 0, (t->mask + 1) * sizeof(*t->slot));
	t->n = t->len = 0;
}

static void names_free(struct search_names *t)
{
	free(t->items);
	free(t->text);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static const char *name_text(const struct search_names *t,
			     const struct search_name *nm)
{
	return t->text + nm->at;
}

/* ---- the keys of one row --------------------------------------------- */

static struct search_key *key_at(const struct search_keys *ks, size_t i)
{
	return (struct search_key *)(void *)ks->names.items + i;
}

struct col_walk {
	struct search_keys *ks;
	int col;
	sqlite3_int64 size; /* tokens of the column so far, as FTS5 counts */
	double w;
};

static int key_token(void *ctx, int flags, const char *tok, int n)
{
	struct col_walk *c = ctx;
	struct search_key *k;
	sqlite3_int64 pos;
	int added;

	/* FTS5 counts a token that shares its place with the one before
	 * only when it is the column's first */
	if (!(flags & FTS5_TOKEN_COLOCATED) || c->size == 0)
		c->size++;
	pos = c->size - 1;
	int part = n > 0 && tok[0] == SEARCH_PART_MARK;

	tok += part;
	n -= part;
	if (n <= 0)
		return SQLITE_OK;
	if (!(k = names_put(&c->ks->names, sizeof(*k), tok, (size_t)n,
			    hash_key(tok, (size_t)n), &added)))
		return SQLITE_NOMEM;
	if (added)
		k->col = -1;
	k->whole |= !part;
	/* a word and its part at one place are one hit, as in FTS5's
	 * merged position list */
	if (k->col == c->col && k->pos == pos)
		return SQLITE_OK;
	k->col = c->col;
	k->pos = pos;
	k->f += c->w;
	return SQLITE_OK;
}

int search_keys_add(struct search_keys *ks, const struct search_tokens *t,
		    int stream, int col)
{
	struct col_walk c = { ks, col, 0, search_weights[col] };
	int rc;

	if (stream < 0)
		return SQLITE_NOMEM;
	rc = search_tokens_each(t, stream, key_token, &c);
	ks->size += c.size;
	return rc;
}

void search_keys_reset(struct search_keys *ks)
{
	names_reset(&ks->names);
	ks->size = 0;
}

void search_keys_free(struct search_keys *ks)
{
	names_free(&ks->names);
	ks->size = 0;
}

/* ---- a row's words as stored ------------------------------------------- */

/*
 * Each row keeps its words beside the lists (TABLE_words): its length,
 * then for each word its id and twice its weighted count (the weights
 * are multiples of a half), shifted left once, with the low bit set when
 * the word stands on its own somewhere in the row. A search scores a row
 * from these alone, and a row taken out finds its words there.
 */
struct row_blob {
	unsigned char *p;
	size_t len, cap;
};

static int blob_room(struct row_blob *rb, size_t n)
{
	if (rb->len + n <= rb->cap)
		return 0;
	size_t cap = (rb->len + n) * 2 + 4096;
	unsigned char *more = realloc(rb->p, cap);

	if (!more)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	rb->p = more;
	rb->cap = cap;
	return 0;
}

static uint64_t count_of(const struct search_key *k)
{
	return ((uint64_t)(k->f * 2.0) << 1) | (k->whole ? 1 : 0);
}

static int write_terms(sqlite3 *db, sqlite3_stmt *ins, sqlite3_int64 doc,
		       const struct row_blob *rb)
{
	int rc;

	sqlite3_bind_int64(ins, 1, doc);
	sqlite3_bind_blob(ins, 2, rb->p, (int)rb->len, SQLITE_STATIC);
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? 0
				 : archive_error_set(ARCHIVE_ERROR,
						     "search index: writing a "
						     "row's words: %s",
						     sqlite3_errmsg(db));
}

/* ---- the lists, made in a rebuild -------------------------------------- */

struct entry {
	double imp;
	sqlite3_int64 doc;
};

/* The entry a full list gives up first: the lowest imp, then the last
 * row, as the list reads in the other order. */
static int worse(const struct entry *a, const struct entry *b)
{
	return a->imp < b->imp || (a->imp == b->imp && a->doc > b->doc);
}

struct word {
	struct search_name name; /* in the words of the build */
	sqlite3_int64 df;
	double floor;
	struct entry *heap; /* the worst at 0 */
	uint32_t n, cap;
};

/* A row's words by number in the build, until the average is known. */
struct waiting {
	sqlite3_int64 doc, size;
	struct waiting_word {
		uint32_t w;
		double f;
		int whole;
	} *k;
	size_t n;
};

struct search_best {
	char table[8];
	sqlite3 *db;
	sqlite3_stmt *ins_terms;
	struct row_blob rb;
	struct search_names words; /* of struct word */
	double a0;
	sqlite3_int64 rows, tokens;
	struct waiting wait[BEST_WAIT];
	size_t nwait;
};

static struct word *word_at(const struct search_best *b, size_t i)
{
	return (struct word *)(void *)b->words.items + i;
}

static int fail(sqlite3 *db, const char *what)
{
	return archive_error_set(ARCHIVE_ERROR, "search index: %s: %s", what,
				 sqlite3_errmsg(db));
}

int search_best_new(struct search_best **out, sqlite3 *db, const char *table)
{
	struct search_best *b = calloc(1, sizeof(*b));
	char sql[80];

	*out = b;
	if (!b)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	snprintf(b->table, sizeof(b->table), "%s", table);
	b->db = db;
	snprintf(sql, sizeof(sql), "INSERT INTO %s_words VALUES (?, ?)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &b->ins_terms, NULL) != SQLITE_OK)
		return fail(db, "preparing the word lists");
	return 0;
}

void search_best_free(struct search_best *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->words.n; i++)
		free(word_at(b, i)->heap);
	for (size_t i = 0; i < b->nwait; i++)
		free(b->wait[i].k);
	sqlite3_finalize(b->ins_terms);
	free(b->rb.p);
	names_free(&b->words);
	free(b);
}


static void sift_down(struct entry *h, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		struct entry t;

		if (l < n && worse(&h[l], &h[m]))
			m = l;
		if (r < n && worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Keeps the best k entries in the heap h (n of them, the worst at 0);
 * returns the imp of the one e or the heap's worst left out, -1 when
 * none was. */
static double keep_best(struct entry *h, size_t *n, size_t k, struct entry e)
{
	double out;
	size_t i;

	if (*n < k) {
		for (i = (*n)++; i > 0 && worse(&e, &h[(i - 1) / 2]);
		     i = (i - 1) / 2)
			h[i] = h[(i - 1) / 2];
		h[i] = e;
		return -1;
	}
	if (!worse(&h[0], &e))
		return e.imp;
	out = h[0].imp;
	h[0] = e;
	sift_down(h, (uint32_t)*n, 0);
	return out;
}

static int offer(struct word *w, double imp, sqlite3_int64 doc)
{
	size_t n = w->n;
	double out;

	if (w->n == w->cap && w->cap < (uint32_t)search_best_keep) {
		uint32_t cap = w->cap ? w->cap * 2 : 4;
		struct entry *more;

		if (cap > (uint32_t)search_best_keep)
			cap = (uint32_t)search_best_keep;
		if (!(more = realloc(w->heap, cap * sizeof(*more))))
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		w->heap = more;
		w->cap = cap;
	}
	out = keep_best(w->heap, &n, (size_t)search_best_keep,
			(struct entry){ imp, doc });
	w->n = (uint32_t)n;
	if (out > w->floor)
		w->floor = out;
	return 0;
}

/* What a row can have of a word, as its list orders it: a row that has
 * the word only inside compounds ranks at a quarter (search_query()). */
static double imp_row(double f, int whole, sqlite3_int64 len, double a0)
{
	return imp_of(f, len, a0) * (whole ? 1.0 : 0.25);
}

/* The rows that waited for the average length, now that it is set. */
static int add_waiting(struct search_best *b)
{
	int rc = 0;

	b->a0 = b->rows ? (double)b->tokens / (double)b->rows : 1.0;
	if (!(b->a0 > 0))
		b->a0 = 1.0;
	for (size_t i = 0; i < b->nwait; i++) {
		struct waiting *x = &b->wait[i];

		for (size_t j = 0; j < x->n && rc == 0; j++)
			rc = offer(word_at(b, x->k[j].w),
				   imp_row(x->k[j].f, x->k[j].whole, x->size,
					   b->a0),
				   x->doc);
		free(x->k);
	}
	b->nwait = 0;
	return rc;
}

int search_best_add(struct search_best *b, sqlite3_int64 doc,
		    const struct search_keys *ks)
{
	struct waiting *x = NULL;
	int rc;

	b->rows++;
	b->tokens += ks->size;
	b->rb.len = 0;
	if (blob_room(&b->rb, 10 + ks->names.n * 16) != 0)
		return archive_error_code();
	b->rb.len = search_put_uvarint(b->rb.p, (uint64_t)ks->size);
	if (!(b->a0 > 0)) {
		x = &b->wait[b->nwait++];
		*x = (struct waiting){ doc, ks->size,
				       malloc(ks->names.n * sizeof(*x->k) + 1),
				       0 };
		if (!x->k)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	for (size_t i = 0; i < ks->names.n; i++) {
		const struct search_key *k = key_at(ks, i);
		struct word *w;
		uint32_t at;
		int added;

		if (!(w = names_put(&b->words, sizeof(*w),
				    name_text(&ks->names, &k->name),
				    k->name.len, k->name.hash, &added)))
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		at = (uint32_t)(w - word_at(b, 0));
		w->df++;
		b->rb.len += search_put_uvarint(b->rb.p + b->rb.len,
						(uint64_t)at + 1);
		b->rb.len += search_put_uvarint(b->rb.p + b->rb.len, count_of(k));
		if (x)
			x->k[x->n++] = (struct waiting_word){ at, k->f,
								k->whole };
		else if (offer(w, imp_row(k->f, k->whole, ks->size, b->a0),
			       doc) != 0)
			return archive_error_code();
	}
	if ((rc = write_terms(b->db, b->ins_terms, doc, &b->rb)) != 0)
		return rc;
	return b->nwait == BEST_WAIT ? add_waiting(b) : 0;
}

static int by_imp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	return worse(b, a) ? -1 : worse(a, b) ? 1 : 0;
}

int search_best_write(struct search_best *b)
{
	sqlite3 *db = b->db;
	sqlite3_stmt *key = NULL, *row = NULL;
	char sql[160], a0[32];
	int rc = b->a0 > 0 ? 0 : add_waiting(b);

	snprintf(sql, sizeof(sql),
		 "INSERT INTO %s_key(id, key, df, floor) VALUES (?,?,?,?)",
		 b->table);
	if (rc == 0 && sqlite3_prepare_v2(db, sql, -1, &key, NULL) != SQLITE_OK)
		rc = fail(db, "writing the word lists");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO %s_best(id, imp, doc) VALUES (?,?,?)", b->table);
	if (rc == 0 && sqlite3_prepare_v2(db, sql, -1, &row, NULL) != SQLITE_OK)
		rc = fail(db, "writing the word lists");
	for (size_t i = 0; i < b->words.n && rc == 0; i++) {
		struct word *w = word_at(b, i);

		sqlite3_bind_int64(key, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(key, 2, name_text(&b->words, &w->name),
				  (int)w->name.len,
				  SQLITE_STATIC);
		sqlite3_bind_int64(key, 3, w->df);
		sqlite3_bind_double(key, 4, w->floor);
		if (sqlite3_step(key) != SQLITE_DONE)
			rc = fail(db, "writing the word lists");
		sqlite3_reset(key);
		qsort(w->heap, w->n, sizeof(*w->heap), by_imp);
		for (uint32_t j = 0; j < w->n && rc == 0; j++) {
			sqlite3_bind_int64(row, 1, (sqlite3_int64)i + 1);
			sqlite3_bind_double(row, 2, w->heap[j].imp);
			sqlite3_bind_int64(row, 3, w->heap[j].doc);
			if (sqlite3_step(row) != SQLITE_DONE)
				rc = fail(db, "writing the word lists");
			sqlite3_reset(row);
		}
	}
	sqlite3_finalize(key);
	sqlite3_finalize(row);
	snprintf(sql, sizeof(sql), "best_a0_%s", b->table);
	snprintf(a0, sizeof(a0), "%.17g", b->a0);
	if (rc == 0 && search_meta_set_db(db, sql, a0) != SQLITE_OK)
		rc = fail(db, "writing the word lists");
	return rc;
}

/* ---- the lists, kept up to date row by row ------------------------------ */

int search_best_rows_open(struct search_best_rows *w, sqlite3 *db,
			  const char *table)
{
	char sql[7][200], key[32], a0[32];
	sqlite3_stmt **st[7] = { &w->up,    &w->ins,	   &w->down, &w->del,
				 &w->terms, &w->ins_terms, &w->del_terms };
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->db = db;
	snprintf(sql[0], sizeof(sql[0]),
		 "INSERT INTO %s_key(key, df, floor) VALUES (?1, 1, 0)"
		 " ON CONFLICT(key) DO UPDATE SET df = df + 1"
		 " RETURNING id, floor", table);
	snprintf(sql[1], sizeof(sql[1]),
		 "INSERT INTO %s_best(id, imp, doc) VALUES (?,?,?)", table);
	/* a word no row holds any more starts again with an empty list */
	snprintf(sql[2], sizeof(sql[2]),
		 "UPDATE %s_key SET df = df - 1, floor = CASE WHEN df = 1"
		 " THEN 0 ELSE floor END WHERE id = ?", table);
	snprintf(sql[3], sizeof(sql[3]), "DELETE FROM %s_best WHERE doc = ?",
		 table);
	snprintf(sql[4], sizeof(sql[4]),
		 "SELECT keys FROM %s_words WHERE rowid = ?", table);
	snprintf(sql[5], sizeof(sql[5]), "INSERT INTO %s_words VALUES (?, ?)",
		 table);
	snprintf(sql[6], sizeof(sql[6]), "DELETE FROM %s_words WHERE rowid = ?",
		 table);
	for (int i = 0; i < 7 && rc == 0; i++)
		if (sqlite3_prepare_v2(db, sql[i], -1, st[i], NULL) != SQLITE_OK)
			rc = fail(db, "preparing the word lists");
	snprintf(key, sizeof(key), "best_a0_%s", table);
	if (rc == 0 && search_meta_get_db(db, key, a0, sizeof(a0)) == 0)
		w->a0 = atof(a0);
	if (!(w->a0 > 0))
		w->a0 = 1.0;
	return rc;
}

void search_best_rows_close(struct search_best_rows *w)
{
	sqlite3_stmt *all[] = { w->up,	  w->ins,	w->down,     w->del,
				w->terms, w->ins_terms, w->del_terms };

	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++)
		sqlite3_finalize(all[i]);
	free(w->blob);
	memset(w, 0, sizeof(*w));
}

int search_best_rows_put(struct search_best_rows *w, sqlite3_int64 doc,
			 const struct search_keys *ks)
{
	struct row_blob rb = { w->blob, 0, w->cap };
	int rc = blob_room(&rb, 10 + ks->names.n * 16);

	if (rc == 0)
		rb.len = search_put_uvarint(rb.p, (uint64_t)ks->size);
	for (size_t i = 0; i < ks->names.n && rc == 0; i++) {
		const struct search_key *k = key_at(ks, i);
		double imp = imp_row(k->f, k->whole, ks->size, w->a0);
		sqlite3_int64 id;

		sqlite3_bind_text(w->up, 1, name_text(&ks->names, &k->name),
				  (int)k->name.len,
				  SQLITE_STATIC);
		if (sqlite3_step(w->up) != SQLITE_ROW) {
			rc = fail(w->db, "writing the word lists");
			sqlite3_reset(w->up);
			break;
		}
		id = sqlite3_column_int64(w->up, 0);
		rb.len += search_put_uvarint(rb.p + rb.len, (uint64_t)id);
		rb.len += search_put_uvarint(rb.p + rb.len, count_of(k));
		/* below the floor the list still bounds the row */
		if (imp > sqlite3_column_double(w->up, 1)) {
			sqlite3_bind_int64(w->ins, 1, id);
			sqlite3_bind_double(w->ins, 2, imp);
			sqlite3_bind_int64(w->ins, 3, doc);
			if (sqlite3_step(w->ins) != SQLITE_DONE)
				rc = fail(w->db, "writing the word lists");
			sqlite3_reset(w->ins);
		}
		while (sqlite3_step(w->up) == SQLITE_ROW)
			;
		sqlite3_reset(w->up);
	}
	w->blob = rb.p;
	w->cap = rb.cap;
	return rc ? rc : write_terms(w->db, w->ins_terms, doc, &rb);
}

int search_best_rows_drop(struct search_best_rows *w, sqlite3_int64 doc)
{
	int rc = 0, step;

	sqlite3_bind_int64(w->terms, 1, doc);
	step = sqlite3_step(w->terms);
	if (step == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(w->terms, 0);
		size_t n = (size_t)sqlite3_column_bytes(w->terms, 0), at, k;
		uint64_t id, count;

		at = search_get_uvarint(p, n, &id);
		while (rc == 0 && at && at < n &&
		       (k = search_get_uvarint(p + at, n - at, &id)) != 0) {
			at += k;
			if (!(k = search_get_uvarint(p + at, n - at, &count)))
				break;
			at += k;
			sqlite3_bind_int64(w->down, 1, (sqlite3_int64)id);
			if (sqlite3_step(w->down) != SQLITE_DONE)
				rc = fail(w->db, "writing the word lists");
			sqlite3_reset(w->down);
		}
	} else if (step != SQLITE_DONE) {
		rc = fail(w->db, "reading the word lists");
	}
	sqlite3_reset(w->terms);
	sqlite3_stmt *dels[] = { w->del, w->del_terms };
	for (int i = 0; i < 2 && rc == 0; i++) {
		sqlite3_bind_int64(dels[i], 1, doc);
		if (sqlite3_step(dels[i]) != SQLITE_DONE)
			rc = fail(w->db, "writing the word lists");
		sqlite3_reset(dels[i]);
	}
	return rc;
}

/* ---- the ranking function ------------------------------------------------ */

/*
 * mores_rank(table, idf0, idf1, ...): FTS5's bm25 with the column weights
 * of search_weights, the same arithmetic in the same order, but with the
 * inverse document frequency of each phrase given instead of counted:
 * FTS5 counts a phrase's rows anew for every query, a walk through all
 * of them. A phrase without an argument counts for nothing.
 */
struct rank_totals {
	double avgdl;
};

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
		    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	struct rank_totals *t = api->xGetAuxdata(fts, 0);
	double freq[64] = { 0 }, score = 0, d;
	int tok = 0;
	int nphrase = api->xPhraseCount(fts), ninst = 0, rc;

	if (!t) {
		sqlite3_int64 rows = 0, total = 0;

		if (!(t = sqlite3_malloc(sizeof(*t)))) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		rc = api->xRowCount(fts, &rows);
		if (rc == SQLITE_OK)
			rc = api->xColumnTotalSize(fts, -1, &total);
		t->avgdl = rows ? (double)total / (double)rows : 1.0;
		if (rc == SQLITE_OK)
			rc = api->xSetAuxdata(fts, t, sqlite3_free);
		else
			sqlite3_free(t);
		if (rc != SQLITE_OK) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
	}
	if (nphrase > 64)
		nphrase = 64;
	rc = api->xInstCount(fts, &ninst);
	for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
		int ip, ic, io;

		rc = api->xInst(fts, i, &ip, &ic, &io);
		if (rc == SQLITE_OK && ip < 64)
			freq[ip] += ic < SEARCH_COLUMNS ? search_weights[ic]
							: 1.0;
	}
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, -1, &tok);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	d = (double)tok;
	for (int i = 0; i < nphrase; i++) {
		double idf = i < nval ? sqlite3_value_double(val[i]) : 0.0;

		score += idf * (freq[i] * (K1 + 1.0)) /
			 (freq[i] + K1 * (1 - B + B * d / t->avgdl));
	}
	sqlite3_result_double(ctx, -1.0 * score);
}

int search_register_rank(sqlite3 *db)
{
	fts5_api *api = search_fts5_of(db);

	if (!api)
		return SQLITE_ERROR;
	return api->xCreateFunction(api, "mores_rank", NULL, rank_fn, NULL);
}

double search_idf(sqlite3_int64 rows, sqlite3_int64 df)
{
	double idf = log((rows - df + 0.5) / (df + 0.5));

	return idf <= 0.0 ? 1e-6 : idf;
}

/* An FTS5 varint: SQLite's own encoding. */
static size_t get_varint(const unsigned char *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n && i < 9; i++) {
		if (i == 8) {
			*v = (x << 8) | p[i];
			return 9;
		}
		x = (x << 7) | (p[i] & 0x7f);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

int search_table_totals(sqlite3 *db, const char *table, sqlite3_int64 *rows,
			sqlite3_int64 *tokens)
{
	char sql[80];
	sqlite3_stmt *st;
	int rc = 0;

	*rows = *tokens = 0;
	/* FTS5 keeps its row count and the token count of each column in
	 * the "averages" record, the row 1 of its data table */
	snprintf(sql, sizeof(sql), "SELECT block FROM %s_data WHERE id = 1",
		 table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading the table's size");
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0), at, k;
		uint64_t v = 0;

		at = k = get_varint(p, n, &v);
		*rows = (sqlite3_int64)v;
		while (k && at < n) {
			k = get_varint(p + at, n - at, &v);
			*tokens += (sqlite3_int64)v;
			at += k;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- a search through the lists --------------------------------------- */

struct list {
	sqlite3_stmt *st;
	double idf, floor, next;
	sqlite3_int64 df, doc;
	int done;
};

static void list_step(struct list *l)
{
	if (l->done)
		return;
	if (sqlite3_step(l->st) == SQLITE_ROW) {
		l->next = sqlite3_column_double(l->st, 0);
		l->doc = sqlite3_column_int64(l->st, 1);
	} else {
		l->done = 1;
	}
}

/* What a row the list has not given yet can have of the word. */
static double list_cap(const struct list *l)
{
	if (l->done)
		return l->floor;
	return l->next > l->floor ? l->next : l->floor;
}

struct seen {
	sqlite3_int64 *doc;
	size_t mask, n;
};

/* Whether doc was met before; notes it if not. */
static int seen_before(struct seen *s, sqlite3_int64 doc)
{
	size_t i = (size_t)(doc * 0x9e3779b97f4a7c15u) & s->mask;

	for (; s->doc[i]; i = (i + 1) & s->mask)
		if (s->doc[i] == doc)
			return 1;
	s->doc[i] = doc;
	s->n++;
	return 0;
}

/* Scores a row from its stored words as mores_rank() would, times a
 * quarter when a word to find is only inside compounds; 1 when the row
 * matches (every word to find, none to leave out). */
static int score_row(const unsigned char *p, size_t n,
		     const struct search_word *w, size_t nw, double avgdl,
		     double *r)
{
	double freq[SEARCH_MAX_WORDS] = { 0 }, score = 0, d;
	int found[SEARCH_MAX_WORDS] = { 0 }, whole = 1;
	uint64_t len = 0, id, count;
	size_t at = search_get_uvarint(p, n, &len), k, left = 0;

	/* with no word to leave out, the scan ends when all are found */
	for (size_t i = 0; i < nw && left != SIZE_MAX; i++)
		left = w[i].negated ? SIZE_MAX : left + 1;
	while (at && at < n && left) {
		if (!(k = search_get_uvarint(p + at, n - at, &id)))
			break;
		at += k;
		if (!(k = search_get_uvarint(p + at, n - at, &count)))
			break;
		at += k;
		for (size_t i = 0; i < nw; i++)
			if ((uint64_t)w[i].id == id) {
				if (!found[i])
					left--;
				found[i] = 1 + (int)(count & 1);
				freq[i] = (double)(count >> 1) / 2.0;
			}
	}
	for (size_t i = 0; i < nw; i++) {
		if (w[i].negated ? found[i] != 0 : found[i] == 0)
			return 0;
		if (!w[i].negated && found[i] != 2)
			whole = 0;
	}
	d = (double)len;
	for (size_t i = 0; i < nw; i++)
		score += w[i].idf * (freq[i] * (K1 + 1.0)) /
			 (freq[i] + K1 * (1 - B + B * d / avgdl));
	*r = -1.0 * score * (whole ? 1.0 : 0.25);
	return 1;
}

/* Whether doc passes the filters of st (NULL: none), bound at param. */
static int passes(sqlite3_stmt *st, int param, sqlite3_int64 doc)
{
	int rc;

	if (!st)
		return 1;
	sqlite3_bind_int64(st, param, doc);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int search_best_top(sqlite3 *db, const char *table,
		    const struct search_word *words, size_t nwords,
		    sqlite3_stmt *filter, int param, size_t k,
		    struct search_hit *hits, size_t *nhits)
{
	struct list l[SEARCH_MAX_WORDS] = { 0 };
	struct search_word pos[SEARCH_MAX_WORDS];
	size_t npos = 0;
	sqlite3_stmt *terms = NULL;
	struct seen seen = { 0 };
	struct entry *top = NULL; /* the best so far by score, worst at 0 */
	sqlite3_int64 rows, tokens;
	double rho, a0 = 0, avgdl;
	char sql[120], key[32], value[32];
	int rc = 0, answered = 0;
	size_t driver;

	*nhits = 0;
	if (nwords == 0 || nwords > SEARCH_MAX_WORDS || k == 0)
		return 0;
	for (size_t i = 0; i < nwords; i++)
		if (!words[i].negated)
			pos[npos++] = words[i];
	if (npos == 0)
		return 0;
	if (search_table_totals(db, table, &rows, &tokens) != 0)
		return archive_error_code();
	snprintf(key, sizeof(key), "best_a0_%s", table);
	if (search_meta_get_db(db, key, value, sizeof(value)) == 0)
		a0 = atof(value);
	if (!(a0 > 0) || rows == 0)
		return 0;
	driver = npos;
	/* a row's true share is at most its imp times this */
	rho = (double)tokens / (double)rows / a0;
	rho = (rho > 1 ? rho : 1) * (1 + 1e-9);
	avgdl = (double)tokens / (double)rows;
	snprintf(sql, sizeof(sql), "SELECT keys FROM %s_words WHERE rowid = ?",
		 table);
	if (sqlite3_prepare_v2(db, sql, -1, &terms, NULL) != SQLITE_OK)
		rc = fail(db, "reading the word lists");
	snprintf(sql, sizeof(sql),
		 "SELECT imp, doc FROM %s_best WHERE id = ?"
		 " ORDER BY imp DESC, doc",
		 table);
	for (size_t i = 0; i < npos && rc == 0; i++) {
		if (sqlite3_prepare_v2(db, sql, -1, &l[i].st, NULL) !=
		    SQLITE_OK) {
			rc = fail(db, "reading the word lists");
			break;
		}
		sqlite3_bind_int64(l[i].st, 1, pos[i].id);
		l[i].idf = pos[i].idf;
		l[i].floor = pos[i].floor;
		l[i].df = pos[i].df;
		list_step(&l[i]);
		/* a complete list holds every row with the word: reading it
		 * alone meets every row that can match */
		if (l[i].floor == 0 &&
		    (driver == npos || l[i].df < l[driver].df))
			driver = i;
	}
	seen.mask = 8191;
	if (rc == 0 && (!(seen.doc = calloc(seen.mask + 1, sizeof(*seen.doc))) ||
			!(top = malloc(k * sizeof(*top)))))
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	while (rc == 0 && !answered) {
		double bound = 0;
		int open = 0;

		for (size_t i = 0; i < npos && rc == 0; i++) {
			if (driver < npos && i != driver)
				continue;
			for (int j = 0; j < 32 && !l[i].done; j++) {
				double r;
				int got;

				if (seen.n * 2 > seen.mask ||
				    seen.n >= BEST_TRIES)
					goto undecided;
				if (!seen_before(&seen, l[i].doc)) {
					got = 0;
					sqlite3_bind_int64(terms, 1, l[i].doc);
					if (sqlite3_step(terms) == SQLITE_ROW)
						got = score_row(
							sqlite3_column_blob(terms, 0),
							(size_t)sqlite3_column_bytes(
								terms, 0),
							words, nwords, avgdl, &r);
					sqlite3_reset(terms);
					if (got)
						got = passes(filter, param,
							     l[i].doc);
					if (got < 0) {
						rc = fail(db, "ranking");
						break;
					}
					if (got)
						keep_best(top, nhits, k,
							  (struct entry){
								  -r, l[i].doc });
				}
				list_step(&l[i]);
			}
		}
		/* what a row not met yet could score at most; none can
		 * match once a complete list is read to its end */
		for (size_t i = 0; i < npos; i++) {
			if (l[i].done && l[i].floor == 0) {
				bound = 0;
				open = 0;
				break;
			}
			bound += l[i].idf * list_cap(&l[i]) * rho;
			open |= !l[i].done || l[i].floor > 0;
		}
		if (!open || (*nhits == k && top[0].imp > bound))
			answered = 1;
		else if (driver == npos) {
			int all_done = 1;

			for (size_t i = 0; i < npos; i++)
				all_done &= l[i].done;
			if (all_done)
				goto undecided; /* the floors leave it open */
		}
	}
	if (0) {
undecided:
		answered = 0;
		*nhits = 0;
	}
	for (size_t i = 0; i < npos; i++)
		sqlite3_finalize(l[i].st);
	sqlite3_finalize(terms);
	free(seen.doc);
	if (rc == 0 && answered) {
		qsort(top, *nhits, sizeof(*top), by_imp);
		for (size_t i = 0; i < *nhits; i++)
			hits[i] = (struct search_hit){ top[i].doc, -top[i].imp };
	}
	free(top);
	return rc != 0 ? rc : answered;
}
