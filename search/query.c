/*
 * query.c: what people type, turned into FTS5 queries, and the searches
 * run with them: full text with facets, the cited-by graph, and dossiers
 * similar to one another.
 */
#include "search_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the query language -------------------------------------------------- */

struct buf {
	char *s;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (!p) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A term: a word or a phrase, possibly excluded. */
struct term {
	const char *text;
	size_t len;
	int negated, or_next;
};

static int has_word_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c >= 0x80)
			return 1;
	}
	return 0;
}

static int bad(const char *fmt, const char *what, size_t n)
{
	return archive_error_set(ARCHIVE_EINVALID, fmt, (int)n, what);
}

/* Checks a bare word for the syntax of FTS5 that people sometimes try. */
static int word_ok(const char *w, size_t n)
{
	if (n >= 5 && !strncmp(w, "NEAR(", 5))
		return bad("search: '%.*s': NEAR is not supported; put the "
			   "words side by side, or in \"quotes\" for an exact "
			   "phrase", w, n);
	if (memchr(w, '(', n) || memchr(w, ')', n))
		return bad("search: '%.*s': parentheses are not understood; "
			   "use words, \"phrases\", -word and OR", w, n);
	if (memchr(w, '*', n))
		return bad("search: '%.*s': '*' is not needed; word forms and "
			   "parts of compounds are found by themselves", w, n);
	if ((n == 3 && !strncmp(w, "NOT", 3)))
		return bad("search: '%.*s': to leave a word out, write -word",
			   w, n);
	return 0;
}

/* Splits the query into terms; returns the count or a negative code. */
static int lex(struct term *t, int max, const char *q)
{
	int n = 0, or_pending = 0;
	const char *p = q;

	for (;;) {
		const char *start;
		int negated = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (*p == '-') {
			negated = 1;
			p++;
			if (!*p || *p == ' ' || *p == '\t')
				return bad("search: a lone '%.*s' excludes "
					   "nothing; write -word to leave a "
					   "word out", "-", 1);
		}
		start = p;
		if (*p == '"') {
			const char *close = strchr(p + 1, '"');

			if (!close)
				return bad("search: the quote in '%.*s' is "
					   "not closed", p, strlen(p));
			start = p + 1;
			p = close + 1;
			if (!has_word_char(start, (size_t)(close - start)))
				continue; /* "" or punctuation only */
			if (n == max)
				return bad("search: too many terms in '%.*s'",
					   q, strlen(q));
			t[n] = (struct term){ start, (size_t)(close - start),
					      negated, 0 };
		} else {
			size_t len = strcspn(p, " \t\r\n");
			const char *quote = memchr(p, '"', len);
			int rc;

			if (quote)
				return bad("search: stray quote in '%.*s'; "
					   "put \"quotes\" around a whole "
					   "phrase", p, len);
			p += len;
			if (!negated && len == 2 && !strncmp(start, "OR", 2)) {
				if (n == 0 || or_pending || t[n - 1].negated)
					return bad("search: '%.*s' needs a term "
						   "on both sides", "OR", 2);
				or_pending = 1;
				t[n - 1].or_next = 1;
				continue;
			}
			if (!negated && len == 3 && !strncmp(start, "AND", 3))
				continue; /* all words must occur anyway */
			if ((rc = word_ok(start, len)) != 0)
				return rc;
			if (!has_word_char(start, len))
				continue;
			if (n == max)
				return bad("search: too many terms in '%.*s'",
					   q, strlen(q));
			t[n] = (struct term){ start, len, negated, 0 };
		}
		if (or_pending && negated)
			return bad("search: '%.*s' needs a term on both sides "
				   "(an excluded word cannot be one)",
				   "OR", 2);
		or_pending = 0;
		n++;
	}
	if (or_pending)
		return bad("search: '%.*s' needs a term on both sides", "OR", 2);
	return n;
}

/* Whether byte c can be part of a word as the tokenizer sees it. */
static int word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'';
}

/* A term in quotes; `whole` marks each of its words to match whole words
 * only. Control characters are dropped, so a query cannot carry a mark
 * of its own. */
static void put_term(struct buf *b, const struct term *t, int whole)
{
	static const char mark = SEARCH_WHOLE_MARK;

	puts_(b, "\"");
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->text[i];

		if (c < 0x20)
			c = ' ';
		if (whole && word_byte(c) &&
		    (i == 0 || !word_byte((unsigned char)t->text[i - 1])))
			put(b, &mark, 1);
		put(b, (const char *)&c, 1);
	}
	puts_(b, "\"");
}

static int parse(char **out, const char *query, int whole);

int search_parse(char **out, const char *query)
{
	return parse(out, query, 0);
}

static int parse(char **out, const char *query, int whole)
{
	struct term t[64];
	struct buf b = { 0 };
	int n, positives = 0;

	*out = NULL;
	n = lex(t, 64, query);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		positives += !t[i].negated;
	if (positives == 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 n ? "search: say what to find, not "
					     "only what to leave out"
					   : "search: the query is empty");
	/* the terms to find, OR-chains grouped, then NOT each excluded one */
	for (int i = 0; i < n; i++) {
		if (t[i].negated)
			continue;
		if (b.len)
			puts_(&b, " AND ");
		if (t[i].or_next) {
			puts_(&b, "(");
			put_term(&b, &t[i], whole);
			while (t[i].or_next) {
				puts_(&b, " OR ");
				put_term(&b, &t[++i], whole);
			}
			puts_(&b, ")");
		} else {
			put_term(&b, &t[i], whole);
		}
	}
	for (int i = 0; i < n; i++) {
		if (!t[i].negated)
			continue;
		puts_(&b, " NOT ");
		put_term(&b, &t[i], whole);
	}
	if (b.oom) {
		free(b.s);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	*out = b.s;
	return 0;
}

/* ---- running queries ------------------------------------------------------- */

static const char *const kinds[] = { "asked", "unasked", NULL };

static int one_of(const char *v, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

static int check_opts(search_index *ix, const search_opts *o)
{
	archive_vocab *v;
	int known;

	if (o->kind && !one_of(o->kind, kinds))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--kind: '%s' is not asked or unasked",
					 o->kind);
	if (o->status && !one_of(o->status, archive_statuses))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--status: '%s' is not a status",
					 o->status);
	if (o->year < 0 || o->year > 9999)
		return archive_error_set(ARCHIVE_EINVALID,
					 "--year: '%d' is not a year", o->year);
	if (!o->value)
		return 0;
	if (archive_vocab_load(&v, archive_snapshot(ix->a)) != 0)
		return archive_error_code();
	known = archive_vocab_find(v, o->value) != NULL;
	archive_vocab_free(v);
	if (!known)
		return archive_error_set(ARCHIVE_EINVALID,
					 "--value: '%s' is not a value of the "
					 "vocabulary (values.yml)",
					 o->value);
	return 0;
}

void search_set_text(json_t *o, const char *key, const unsigned char *v)
{
	json_object_set_new(o, key, v ? json_string((const char *)v)
				      : json_null());
}

void search_bind_marks(sqlite3_stmt *st, const search_opts *o)
{
	sqlite3_bind_text(st, 1, o->mark_open ? o->mark_open : "«", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->mark_close ? o->mark_close : "»", -1,
			  SQLITE_STATIC);
}

/* ---- how a query is ranked ------------------------------------------------ */

/*
 * A query whose terms are single words can be ranked from the index's
 * own word counts (mores_rank): FTS5's bm25 would count the rows of each
 * word again, a walk through all of them. Without OR, its best rows can
 * even be read from the lists of best rows, without ranking every match.
 */
enum { PLAN_FTS5, PLAN_EVERY, PLAN_LISTS };

struct plan {
	int how;
	int nphrases, empty; /* empty: a word no row has */
	double idf[64];
	struct search_word words[SEARCH_MAX_WORDS];
	size_t nwords;
};

static const char *const plan_names[] = { "fts5", "every match", "lists" };

const char *search_query_plan(const search_index *ix)
{
	return ix->plan ? ix->plan : "";
}

/* Looks up the word of term t in the lists of table; 0, or an error. */
static int word_of_term(search_index *ix, struct search_ahead *ah,
			sqlite3_stmt *find, const struct term *t,
			sqlite3_int64 rows, struct plan *p, int positive)
{
	char text[1024], key[257];
	size_t n = t->len < sizeof(text) ? t->len : 0, k;
	sqlite3_int64 df = 0, id = 0;
	double floor = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		text[i] = (unsigned char)t->text[i] < 0x20 ? ' ' : t->text[i];
	k = n ? search_query_key(ah, text, n, key, sizeof(key)) : 0;
	if (k == 0) {
		p->how = PLAN_FTS5; /* a phrase, or nothing FTS5 will find */
		return 0;
	}
	sqlite3_bind_text(find, 1, key, (int)k, SQLITE_STATIC);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(find, 0);
		df = sqlite3_column_int64(find, 1);
		floor = sqlite3_column_double(find, 2);
	}
	sqlite3_reset(find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return search_db_fail(ix, "reading the index");
	p->idf[p->nphrases++] = search_idf(rows, df);
	if (positive && df == 0)
		p->empty = 1;
	if (p->nwords == SEARCH_MAX_WORDS)
		p->how = p->how == PLAN_LISTS ? PLAN_EVERY : p->how;
	else
		p->words[p->nwords++] = (struct search_word){
			id, df, floor, p->idf[p->nphrases - 1], !positive
		};
	return 0;
}

static int make_plan(search_index *ix, const char *table, const char *query,
		     const search_opts *o, struct plan *p)
{
	struct term t[64];
	struct search_ahead *ah = NULL;
	sqlite3_stmt *find = NULL;
	sqlite3_int64 rows, tokens;
	char sql[80];
	int n = lex(t, 64, query), rc = 0;

	memset(p, 0, sizeof(*p));
	p->how = PLAN_FTS5;
	if (n <= 0 || o->rank_every)
		return n < 0 ? n : 0;
	if ((rc = search_table_totals(ix->db, table, &rows, &tokens)) != 0)
		return rc;
	if (search_ahead_new(&ah, ix->db) != 0)
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT id, df, floor FROM %s_key WHERE key = ?", table);
	if (sqlite3_prepare_v2(ix->db, sql, -1, &find, NULL) != SQLITE_OK) {
		search_ahead_free(ah);
		return search_db_fail(ix, "reading the index");
	}
	p->how = PLAN_LISTS;
	for (int i = 0; i < n; i++)
		if (t[i].or_next || (i > 0 && t[i - 1].or_next))
			p->how = PLAN_EVERY;
	/* the phrases in the order of the FTS5 query: the words to find,
	 * then those to leave out */
	for (int pass = 1; pass >= 0 && rc == 0; pass--)
		for (int i = 0; i < n && rc == 0 && p->how != PLAN_FTS5; i++)
			if ((!t[i].negated) == pass)
				rc = word_of_term(ix, ah, find, &t[i], rows, p,
						  pass);
	sqlite3_finalize(find);
	search_ahead_free(ah);
	return rc;
}

/* ---- running queries ---------------------------------------------------- */

/* The filters of o as SQL over the doc table d, parameters from ?5. */
static void filters(char *out, size_t size, const search_opts *o)
{
	snprintf(out, size, "%s%s%s%s%s", o->public_only ? " AND d.public" : "",
		 o->kind ? " AND d.kind = ?" : "",
		 o->status ? " AND d.status = ?" : "",
		 o->year ? " AND d.year = ?" : "",
		 o->value ? " AND d.rowid IN (SELECT doc FROM facet WHERE"
			    " name = 'value' AND value = ?)"
			  : "");
}

/* Binds the filters from parameter arg on; returns the next one. */
static int bind_filters(sqlite3_stmt *st, const search_opts *o, int arg)
{
	if (o->kind)
		sqlite3_bind_text(st, arg++, o->kind, -1, SQLITE_STATIC);
	if (o->status)
		sqlite3_bind_text(st, arg++, o->status, -1, SQLITE_STATIC);
	if (o->year)
		sqlite3_bind_int(st, arg++, o->year);
	if (o->value)
		sqlite3_bind_text(st, arg++, o->value, -1, SQLITE_STATIC);
	return arg;
}

/* Binds the marks (?1, ?2), the query (?3), its whole-word form (?4)
 * and the filters; returns the next parameter. */
static int bind_query(sqlite3_stmt *st, const search_opts *o,
		      const char *fts, const char *whole)
{
	search_bind_marks(st, o);
	sqlite3_bind_text(st, 3, fts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, whole, -1, SQLITE_STATIC);
	return bind_filters(st, o, 5);
}

/* The ranking of a row: FTS5's rank, or mores_rank with the plan's
 * inverse document frequencies. */
static void rank_sql(char *out, size_t size, const char *table,
		     const struct plan *p)
{
	size_t at;

	if (p->how == PLAN_FTS5) {
		snprintf(out, size, "t.rank");
		return;
	}
	at = (size_t)snprintf(out, size, "mores_rank(t.%s", table);
	for (int i = 0; i < p->nphrases && at < size; i++)
		at += (size_t)snprintf(out + at, size - at, ", %.17g",
				       p->idf[i]);
	if (at < size)
		snprintf(out + at, size - at, ")");
}

/* Appends a result row of st (id, title, kind, status, year, rank,
 * snippet in columns 0 to 6; rank from r when st has none). */
static void add_result(json_t *list, search_index *ix, sqlite3_stmt *st,
		       int rank_col, int snippet_col, double r)
{
	json_t *row = json_object();
	char *cite = archive_id_citation(archive_code(ix->a),
					 (const char *)sqlite3_column_text(st, 0));

	search_set_text(row, "id", sqlite3_column_text(st, 0));
	json_object_set_new(row, "citation", json_string(cite));
	free(cite);
	search_set_text(row, "title", sqlite3_column_text(st, 1));
	search_set_text(row, "kind", sqlite3_column_text(st, 2));
	search_set_text(row, "status", sqlite3_column_text(st, 3));
	json_object_set_new(row, "year", json_integer(sqlite3_column_int(st, 4)));
	json_object_set_new(row, "score",
			    json_real(-(rank_col >= 0
					       ? sqlite3_column_double(st, rank_col)
					       : r)));
	search_set_text(row, "snippet", sqlite3_column_text(st, snippet_col));
	json_array_append_new(list, row);
}

/* Ranks through the lists: 1 with the results in list, 0 when the lists
 * cannot tell, or an error. */
static int query_lists(search_index *ix, const char *table, const char *fts,
		       const search_opts *o, const struct plan *p, json_t *list)
{
	char filter[200], *sql = NULL;
	sqlite3_stmt *pass = NULL, *snip = NULL;
	size_t k = o->limit > 0 ? (size_t)o->limit : 20, n = 0;
	struct search_hit *hits;
	int rc = 0;

	if (p->empty)
		return 1; /* a word no row holds: nothing matches */
	if (!(hits = malloc(k * sizeof(*hits))))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	filters(filter, sizeof(filter), o);
	if (filter[0]) {
		if (asprintf(&sql, "SELECT 1 FROM doc d WHERE d.rowid = ?1%s",
			     filter) < 0)
			sql = NULL;
		if (!sql ||
		    sqlite3_prepare_v2(ix->db, sql, -1, &pass, NULL) != SQLITE_OK)
			rc = search_db_fail(ix, "search");
		else
			bind_filters(pass, o, 2);
		free(sql);
		sql = NULL;
	}
	if (rc == 0)
		rc = search_best_top(ix->db, table, p->words, p->nwords, pass, 1,
				     k, hits, &n);
	if (rc == 1 &&
	    asprintf(&sql,
		     "SELECT d.id, d.title, d.kind, d.status, d.year,"
		     " mores_snippet(%s, ?1, ?2, '…', 14) FROM %s"
		     " CROSS JOIN doc d ON d.rowid = %s.rowid"
		     " WHERE %s MATCH ?3 AND %s.rowid = ?4",
		     table, table, table, table, table) >= 0 &&
	    sqlite3_prepare_v2(ix->db, sql, -1, &snip, NULL) == SQLITE_OK) {
		search_bind_marks(snip, o);
		sqlite3_bind_text(snip, 3, fts, -1, SQLITE_STATIC);
		for (size_t i = 0; i < n; i++) {
			sqlite3_bind_int64(snip, 4, hits[i].doc);
			if (sqlite3_step(snip) == SQLITE_ROW)
				add_result(list, ix, snip, -1, 5, hits[i].r);
			sqlite3_reset(snip);
		}
	} else if (rc == 1) {
		rc = search_db_fail(ix, "search");
	}
	free(sql);
	sqlite3_finalize(snip);
	sqlite3_finalize(pass);
	free(hits);
	return rc;
}

int search_query(json_t **out, search_index *ix, const char *query,
		 const search_opts *o)
{
	const char *table = o->public_only ? "pub" : "staff";
	char *fts = NULL, *whole = NULL, *sql, rank[1400], filter[200];
	struct plan p;
	sqlite3_stmt *st;
	json_t *list;
	int rc, step, filtered;

	*out = NULL;
	if ((rc = check_opts(ix, o)) != 0 || (rc = parse(&fts, query, 0)) ||
	    (rc = parse(&whole, query, 1)) ||
	    (rc = search_update(ix, 0, NULL)) != 0 ||
	    (rc = make_plan(ix, table, query, o, &p)) != 0) {
		free(fts);
		free(whole);
		return rc;
	}
	list = json_array();
	if (p.how == PLAN_LISTS) {
		rc = query_lists(ix, table, fts, o, &p, list);
		if (rc == 1) {
			ix->plan = plan_names[PLAN_LISTS];
			free(fts);
			free(whole);
			*out = list;
			return 0;
		}
		if (rc != 0) {
			json_decref(list);
			free(fts);
			free(whole);
			return rc;
		}
		p.how = PLAN_EVERY;
	}
	ix->plan = plan_names[p.how];
	/* A dossier that holds the words only inside compounds ranks as if
	 * its bm25 score were a quarter. The best are chosen first and only
	 * they get a snippet: in one flat query the sort would make SQLite
	 * tokenize every matching dossier for its snippet, a cost that grows
	 * with the archive. The CROSS JOINs keep the twenty best as the
	 * outer loop, so each is looked up by rowid; left to itself SQLite
	 * runs the MATCH a second time over every matching dossier. The doc
	 * table is joined to the matches only when a filter needs it. Equal
	 * scores go by row, as the lists order them. */
	filtered = o->public_only || o->kind || o->status || o->year ||
		   o->value;
	rank_sql(rank, sizeof(rank), table, &p);
	filters(filter, sizeof(filter), o);
	if (asprintf(&sql,
		     "SELECT d.id, d.title, d.kind, d.status, d.year, best.r,"
		     " mores_snippet(%s, ?1, ?2, '…', 14)"
		     " FROM (SELECT t.rowid AS id,"
		     " %s * CASE WHEN t.rowid IN (SELECT rowid FROM %s"
		     " WHERE %s MATCH ?4) THEN 1.0 ELSE 0.25 END AS r"
		     " FROM %s t%s"
		     " WHERE %s MATCH ?3%s"
		     " ORDER BY r, t.rowid LIMIT ?%d) best"
		     " CROSS JOIN %s ON %s.rowid = best.id"
		     " CROSS JOIN doc d ON d.rowid = best.id"
		     " WHERE %s MATCH ?3 ORDER BY best.r, best.id",
		     table, rank, table, table, table,
		     filtered ? " JOIN doc d ON d.rowid = t.rowid" : "", table,
		     filter,
		     5 + !!o->kind + !!o->status + !!o->year + !!o->value,
		     table, table, table) < 0) {
		json_decref(list);
		free(fts);
		free(whole);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	rc = sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		json_decref(list);
		free(fts);
		free(whole);
		return search_db_fail(ix, "search");
	}
	sqlite3_bind_int(st, bind_query(st, o, fts, whole),
			 o->limit > 0 ? o->limit : 20);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		add_result(list, ix, st, 5, 6, 0);
	rc = step == SQLITE_DONE ? 0
				 : archive_error_set(ARCHIVE_EINVALID,
						     "search: the query '%s' "
						     "could not be run: %s",
						     query,
						     sqlite3_errmsg(ix->db));
	sqlite3_finalize(st);
	free(fts);
	free(whole);
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

int search_cited_by(json_t **out, search_index *ix, const char *id)
{
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	*out = NULL;
	if ((rc = search_update(ix, 0, NULL)) != 0)
		return rc;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT c.src, d.title, group_concat(c.how, '+')"
			       " FROM (SELECT * FROM cite WHERE dst = ?"
			       " ORDER BY how) c"
			       " JOIN doc d ON d.id = c.src"
			       " GROUP BY c.src ORDER BY c.src",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "cited by");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *row = json_object();

		search_set_text(row, "id", sqlite3_column_text(st, 0));
		search_set_text(row, "title", sqlite3_column_text(st, 1));
		search_set_text(row, "how", sqlite3_column_text(st, 2));
		json_array_append_new(list, row);
	}
	sqlite3_finalize(st);
	*out = list;
	return 0;
}
