/*
 * export.c: the postings of the public rows, term by term, for the
 * site's search shards: the browser then finds what `mores search
 * --public` finds, with the same word forms, without a server. Also the
 * word forms of a single public row, tokenized again as FTS5 tokenized
 * it, for a site build that only updates the postings of what changed.
 */
#include "search_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Column weights, in the order of the pub table's columns. */
static const struct {
	const char *col;
	int weight;
} weights[] = { { "title", 20 }, { "summary", 12 }, { "question", 8 },
		{ "vals", 6 },	 { "topics", 6 },   { "body", 2 },
		{ "advice", 3 }, { "response", 2 } };

static int weight_of(const char *col)
{
	for (size_t i = 0; i < sizeof(weights) / sizeof(*weights); i++)
		if (!strcmp(weights[i].col, col))
			return weights[i].weight;
	return 1;
}

struct ids {
	sqlite3_int64 *row;
	char **id;
	size_t n;
};

static void ids_free(struct ids *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->id[i]);
	free(m->id);
	free(m->row);
}

/* rowid -> dossier id of the public rows, sorted by rowid. */
static int load_ids(search_index *ix, struct ids *m)
{
	sqlite3_stmt *st;
	size_t cap = 0;

	if (sqlite3_prepare_v2(ix->db,
			       "SELECT rowid, id FROM doc WHERE public"
			       " ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (m->n == cap) {
			cap = cap * 2 + 256;
			sqlite3_int64 *r = realloc(m->row, cap * sizeof(*r));
			char **id = r ? realloc(m->id, cap * sizeof(*id)) : NULL;

			if (r)
				m->row = r;
			if (!id) {
				sqlite3_finalize(st);
				return archive_error_set(ARCHIVE_ERROR,
							 "out of memory");
			}
			m->id = id;
		}
		m->row[m->n] = sqlite3_column_int64(st, 0);
		m->id[m->n] = strdup((const char *)sqlite3_column_text(st, 1));
		if (m->id[m->n])
			m->n++;
	}
	sqlite3_finalize(st);
	return 0;
}

static const char *id_of(const struct ids *m, sqlite3_int64 row)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->row[mid] == row)
			return m->id[mid];
		if (m->row[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct postings {
	char term[256];
	char **ids;
	int *w;
	size_t n, cap;
	sqlite3_int64 last;
};

static int flush(struct postings *p, search_term_fn fn, void *ctx)
{
	int rc = p->n ? fn(p->term, p->ids, p->w, p->n, ctx) : 0;

	p->n = 0;
	p->last = 0;
	return rc;
}

static int add(struct postings *p, const struct ids *m, sqlite3_int64 row,
	       int w)
{
	const char *id;

	if (p->n && p->last == row) {
		p->w[p->n - 1] += w;
		return 0;
	}
	/* a row that is not public is never passed on */
	if (!(id = id_of(m, row)))
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap * 2 + 64;
		char **ids = realloc(p->ids, cap * sizeof(*ids));
		int *ws = ids ? realloc(p->w, cap * sizeof(*ws)) : NULL;

		if (ids)
			p->ids = ids;
		if (!ws)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		p->w = ws;
		p->cap = cap;
	}
	p->ids[p->n] = (char *)id;
	p->w[p->n++] = w;
	p->last = row;
	return 0;
}

/* One of the two streams of postings: whole words, or the parts of
 * compounds (their terms behind SEARCH_PART_MARK), each in term order. */
struct stream {
	sqlite3_stmt *st;
	int live, part;
	const char *term;
	sqlite3_int64 row;
	int w;
};

static void advance(struct stream *c)
{
	c->live = sqlite3_step(c->st) == SQLITE_ROW;
	if (!c->live)
		return;
	c->term = (const char *)sqlite3_column_text(c->st, 0) + c->part;
	c->row = sqlite3_column_int64(c->st, 1);
	c->w = weight_of((const char *)sqlite3_column_text(c->st, 2));
	/* a word inside a compound counts for a third */
	if (c->part)
		c->w = (c->w + 2) / 3;
}

/* The stream whose posting comes first, by term and then by row. */
static struct stream *first(struct stream *a, struct stream *b)
{
	int cmp;

	if (!a->live || !b->live)
		return a->live ? a : b->live ? b : NULL;
	cmp = strcmp(a->term, b->term);
	if (cmp == 0)
		cmp = a->row <= b->row ? -1 : 1;
	return cmp < 0 ? a : b;
}

int search_public_terms(search_index *ix, search_term_fn fn, void *ctx)
{
	struct ids m = { 0 };
	struct postings p = { 0 };
	struct stream whole = { .part = 0 }, part = { .part = 1 }, *c;
	int rc;

	if ((rc = search_update(ix, 0, NULL)) != 0 ||
	    (rc = load_ids(ix, &m)) != 0) {
		ids_free(&m);
		return rc;
	}
	if (sqlite3_exec(ix->db,
			 "CREATE VIRTUAL TABLE IF NOT EXISTS temp.pub_terms"
			 " USING fts5vocab(main, pub, instance)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db,
			       "SELECT term, doc, col FROM temp.pub_terms"
			       " WHERE term >= char(2)",
			       -1, &whole.st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db,
			       "SELECT term, doc, col FROM temp.pub_terms"
			       " WHERE term >= char(1) AND term < char(2)",
			       -1, &part.st, NULL) != SQLITE_OK) {
		sqlite3_finalize(whole.st);
		ids_free(&m);
		return search_db_fail(ix, "reading the index");
	}
	advance(&whole);
	advance(&part);
	while (rc == 0 && (c = first(&whole, &part)) != NULL) {
		if (strlen(c->term) < sizeof(p.term)) {
			if (strcmp(c->term, p.term)) {
				rc = flush(&p, fn, ctx);
				strcpy(p.term, c->term);
			}
			if (rc == 0)
				rc = add(&p, &m, c->row, c->w);
		}
		advance(c);
	}
	rc = rc ? rc : flush(&p, fn, ctx);
	sqlite3_finalize(whole.st);
	sqlite3_finalize(part.st);
	free(p.ids);
	free(p.w);
	ids_free(&m);
	return rc;
}

/* ---- the word forms of one public row ------------------------------------- */

/* The columns of the pub table, in order. */
static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

static int forms_grow(struct search_forms *fs)
{
	size_t cap = fs->mask ? (fs->mask + 1) * 2 : 1024;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return fs->oom = 1, SQLITE_NOMEM;
	for (size_t k = 0; k < fs->n; k++) {
		const char *t = fs->text + fs->f[k].at;
		size_t i = hash_bytes(t, strlen(t)) & (cap - 1);

		while (slot[i])
			i = (i + 1) & (cap - 1);
		slot[i] = (uint32_t)k + 1;
	}
	free(fs->slot);
	fs->slot = slot;
	fs->mask = cap - 1;
	return SQLITE_OK;
}

int search_forms_add(struct search_forms *fs, int col, const char *tok,
		     int n)
{
	int part = n > 0 && tok[0] == SEARCH_PART_MARK;
	int w = weights[col < 0 || col > 7 ? 0 : col].weight;
	size_t len, i;

	/* a part (behind its mark) stands for its word at a third of the
	 * column's weight, as the instance table shows it */
	if (n - part <= 0)
		return SQLITE_OK;
	tok += part;
	len = (size_t)(n - part);
	w = part ? (w + 2) / 3 : w;
	if ((fs->n + 1) * 2 > fs->mask && forms_grow(fs) != SQLITE_OK)
		return SQLITE_NOMEM;
	for (i = hash_bytes(tok, len) & fs->mask; fs->slot[i];
	     i = (i + 1) & fs->mask) {
		struct search_form *f = &fs->f[fs->slot[i] - 1];

		if (!strncmp(fs->text + f->at, tok, len) &&
		    !fs->text[f->at + len]) {
			f->w += w;
			return SQLITE_OK;
		}
	}
	if (fs->n == fs->capf) {
		size_t cap = fs->capf * 2 + 256;
		struct search_form *more = realloc(fs->f, cap * sizeof(*more));

		if (!more)
			return fs->oom = 1, SQLITE_NOMEM;
		fs->f = more;
		fs->capf = cap;
	}
	if (fs->len + len + 1 > fs->cap) {
		size_t cap = (fs->len + len + 1) * 2 + 4096;
		char *more = realloc(fs->text, cap);

		if (!more)
			return fs->oom = 1, SQLITE_NOMEM;
		fs->text = more;
		fs->cap = cap;
	}
	memcpy(fs->text + fs->len, tok, len);
	fs->text[fs->len + len] = '\0';
	fs->f[fs->n] = (struct search_form){ (uint32_t)fs->len, w };
	fs->len += len + 1;
	fs->slot[i] = (uint32_t)++fs->n;
	return SQLITE_OK;
}

static int cmp_form(const void *x, const void *y, void *text)
{
	return strcmp((const char *)text + ((const struct search_form *)x)->at,
		      (const char *)text + ((const struct search_form *)y)->at);
}

void search_forms_finish(struct search_forms *fs)
{
	size_t k = 0;

	if (fs->n > 1)
		qsort_r(fs->f, fs->n, sizeof(*fs->f), cmp_form, fs->text);
	/* as search_public_terms() passes them: shorter ones only */
	for (size_t i = 0; i < fs->n; i++)
		if (strlen(fs->text + fs->f[i].at) < 256)
			fs->f[k++] = fs->f[i];
	fs->n = k;
	/* the table no longer says where a form is */
	if (fs->slot)
		memset(fs->slot, 0, (fs->mask + 1) * sizeof(*fs->slot));
}

void search_forms_reset(struct search_forms *fs)
{
	if (fs->slot && fs->n)
		memset(fs->slot, 0, (fs->mask + 1) * sizeof(*fs->slot));
	fs->n = fs->len = 0;
	fs->oom = 0;
}

void search_forms_free(struct search_forms *fs)
{
	free(fs->text);
	free(fs->f);
	free(fs->slot);
	memset(fs, 0, sizeof(*fs));
}

static int get_varint(const unsigned char *p, size_t len, size_t *at,
		      uint64_t *v)
{
	size_t k = *at < len ? search_get_uvarint(p + *at, len - *at, v) : 0;

	*at += k;
	return k ? 0 : -1;
}

/* Each form: its length, its bytes and its weight. */
int search_forms_blob(const struct search_forms *fs, unsigned char **out,
		      size_t *len)
{
	size_t size = 1, at = 0;
	unsigned char *p;

	for (size_t i = 0; i < fs->n; i++)
		size += strlen(fs->text + fs->f[i].at) + 20;
	if (!(p = malloc(size)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < fs->n; i++) {
		const char *t = fs->text + fs->f[i].at;
		size_t n = strlen(t);

		at += search_put_uvarint(p + at, n);
		memcpy(p + at, t, n);
		at += n;
		at += search_put_uvarint(p + at, (uint64_t)fs->f[i].w);
	}
	*out = p;
	*len = at;
	return 0;
}

int search_forms_each(const unsigned char *blob, size_t len,
		      search_doc_term_fn fn, void *ctx)
{
	char term[256];
	size_t at = 0;
	int rc = 0;

	while (rc == 0 && at < len) {
		uint64_t n, w;

		if (get_varint(blob, len, &at, &n) != 0 || n >= sizeof(term) ||
		    n > len - at)
			return archive_error_set(ARCHIVE_ERROR, "the index is "
						 "damaged (pubterms)");
		memcpy(term, blob + at, (size_t)n);
		term[n] = '\0';
		at += (size_t)n;
		if (get_varint(blob, len, &at, &w) != 0 || w > INT32_MAX)
			return archive_error_set(ARCHIVE_ERROR, "the index is "
						 "damaged (pubterms)");
		rc = fn(term, (int)w, ctx);
	}
	return rc;
}

int search_public_doc_terms(search_index *ix, const char *id,
			    search_doc_term_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(ix->db,
			       "SELECT terms FROM pubterms WHERE rowid ="
			       " (SELECT rowid FROM doc WHERE id = ? AND public)",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = search_forms_each(sqlite3_column_blob(st, 0),
				       (size_t)sqlite3_column_bytes(st, 0), fn,
				       ctx);
	else if (step != SQLITE_DONE)
		rc = search_db_fail(ix, "reading the index");
	sqlite3_finalize(st);
	return rc;
}

/* The forms of every public row, dossier by dossier in the order of
 * their ids. */
struct rows {
	search_row_fn fn;
	void *ctx;
	const char *id;
};

static int pass_row(const char *term, int w, void *ctx)
{
	struct rows *r = ctx;

	return r->fn(r->id, term, w, r->ctx);
}

int search_public_rows(search_index *ix, search_row_fn fn, void *ctx)
{
	struct rows r = { fn, ctx, NULL };
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = search_update(ix, 0, NULL)) != 0)
		return rc;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT d.id, t.terms FROM doc d JOIN pubterms t"
			       " ON t.rowid = d.rowid WHERE d.public"
			       " ORDER BY d.id",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = (const char *)sqlite3_column_text(st, 0);
		rc = search_forms_each(sqlite3_column_blob(st, 1),
				       (size_t)sqlite3_column_bytes(st, 1),
				       pass_row, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = search_db_fail(ix, "reading the index");
	sqlite3_finalize(st);
	return rc;
}
