/*
 * export.c: the postings of the public rows, term by term, for the
 * site's search shards: the browser then finds what `mores search
 * --public` finds, with the same word forms, without a server. Also the
 * word forms of a single public row, tokenized again as FTS5 tokenized
 * it, for a site build that only updates the postings of what changed.
 */
#include "search_int.h"

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
static const char *const pub_cols[] = { "title",  "summary", "question",
					"vals",	  "topics",  "body",
					"advice", "response" };

struct form {
	char *term;
	int w;
};

struct forms {
	struct form *f;
	size_t n, cap;
	int weight; /* of the column being tokenized */
	int oom;
};

/* Each token as the instance table shows it: a part (behind the mark)
 * stands for its word at a third of the column's weight. */
static int collect(void *ctx, int flags, const char *tok, int n, int start,
		   int end)
{
	struct forms *fs = ctx;
	int part = n > 0 && tok[0] == SEARCH_PART_MARK;

	(void)flags;
	(void)start;
	(void)end;
	if (n - part <= 0)
		return SQLITE_OK;
	if (fs->n == fs->cap) {
		size_t cap = fs->cap * 2 + 256;
		struct form *more = realloc(fs->f, cap * sizeof(*more));

		if (!more)
			return fs->oom = 1, SQLITE_NOMEM;
		fs->f = more;
		fs->cap = cap;
	}
	if (!(fs->f[fs->n].term = strndup(tok + part, (size_t)(n - part))))
		return fs->oom = 1, SQLITE_NOMEM;
	fs->f[fs->n++].w = part ? (fs->weight + 2) / 3 : fs->weight;
	return SQLITE_OK;
}

static int cmp_form(const void *x, const void *y)
{
	return strcmp(((const struct form *)x)->term,
		      ((const struct form *)y)->term);
}

/* The document tokenizer of this handle, made on first use. */
static int doc_tokenizer(search_index *ix)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	void *user;

	if (ix->tok_inst)
		return 0;
	if (sqlite3_prepare_v2(ix->db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return search_db_fail(ix, "the Dutch tokenizer");
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api ||
	    api->xFindTokenizer(api, "dutch", &user, &ix->tok) != SQLITE_OK ||
	    ix->tok.xCreate(user, NULL, 0, &ix->tok_inst) != SQLITE_OK) {
		ix->tok_inst = NULL;
		return archive_error_set(ARCHIVE_ERROR,
					 "%s: the Dutch tokenizer is missing",
					 ix->path);
	}
	return 0;
}

int search_public_doc_terms(search_index *ix, const char *id,
			    search_doc_term_fn fn, void *ctx)
{
	struct forms fs = { 0 };
	sqlite3_stmt *st;
	int rc = 0, step;

	if ((rc = doc_tokenizer(ix)) != 0)
		return rc;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT title, summary, question, vals, topics,"
			       " body, advice, response FROM pub WHERE rowid ="
			       " (SELECT rowid FROM doc WHERE id = ? AND public)",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	for (int c = 0; step == SQLITE_ROW && c < 8 && rc == 0; c++) {
		const char *text = (const char *)sqlite3_column_text(st, c);

		fs.weight = weight_of(pub_cols[c]);
		if (text &&
		    ix->tok.xTokenize(ix->tok_inst, &fs, FTS5_TOKENIZE_DOCUMENT,
				      text, sqlite3_column_bytes(st, c),
				      collect) != SQLITE_OK)
			rc = fs.oom ? archive_error_set(ARCHIVE_ERROR,
							"out of memory")
				    : search_db_fail(ix, "tokenizing");
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = search_db_fail(ix, "reading the index");
	sqlite3_finalize(st);
	if (fs.n)
		qsort(fs.f, fs.n, sizeof(*fs.f), cmp_form);
	for (size_t i = 0; i < fs.n && rc == 0;) {
		size_t j = i + 1;
		int w = fs.f[i].w;

		for (; j < fs.n && !strcmp(fs.f[j].term, fs.f[i].term); j++)
			w += fs.f[j].w;
		/* as search_public_terms() passes them: shorter ones only */
		if (strlen(fs.f[i].term) < 256)
			rc = fn(fs.f[i].term, w, ctx);
		i = j;
	}
	for (size_t i = 0; i < fs.n; i++)
		free(fs.f[i].term);
	free(fs.f);
	return rc;
}
