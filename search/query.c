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

int search_query(json_t **out, search_index *ix, const char *query,
		 const search_opts *o)
{
	const char *table = o->public_only ? "pub" : "staff";
	char *fts = NULL, *whole = NULL, *sql;
	sqlite3_stmt *st;
	json_t *list;
	int rc, arg = 5, step, filtered;

	*out = NULL;
	if ((rc = check_opts(ix, o)) != 0 || (rc = parse(&fts, query, 0)) ||
	    (rc = parse(&whole, query, 1)) ||
	    (rc = search_update(ix, 0, NULL)) != 0) {
		free(fts);
		free(whole);
		return rc;
	}
	/* A dossier that holds the words only inside compounds ranks as if
	 * its bm25 score were a quarter. The best are chosen first and only
	 * they get a snippet: in one flat query the sort would make SQLite
	 * tokenize every matching dossier for its snippet, a cost that grows
	 * with the archive. The CROSS JOINs keep the twenty best as the
	 * outer loop, so each is looked up by rowid; left to itself SQLite
	 * runs the MATCH a second time over every matching dossier. The doc
	 * table is joined to the matches only when a filter needs it. */
	filtered = o->public_only || o->kind || o->status || o->year ||
		   o->value;
	if (asprintf(&sql,
		     "SELECT d.id, d.title, d.kind, d.status, d.year, best.r,"
		     " snippet(%s, -1, ?1, ?2, '…', 14)"
		     " FROM (SELECT t.rowid AS id,"
		     " t.rank * CASE WHEN t.rowid IN (SELECT rowid FROM %s"
		     " WHERE %s MATCH ?4) THEN 1.0 ELSE 0.25 END AS r"
		     " FROM %s t%s"
		     " WHERE %s MATCH ?3%s%s%s%s%s"
		     " ORDER BY r LIMIT ?%d) best"
		     " CROSS JOIN %s ON %s.rowid = best.id"
		     " CROSS JOIN doc d ON d.rowid = best.id"
		     " WHERE %s MATCH ?3 ORDER BY best.r",
		     table, table, table, table,
		     filtered ? " JOIN doc d ON d.rowid = t.rowid" : "", table,
		     o->public_only ? " AND d.public" : "",
		     o->kind ? " AND d.kind = ?" : "",
		     o->status ? " AND d.status = ?" : "",
		     o->year ? " AND d.year = ?" : "",
		     o->value ? " AND d.rowid IN (SELECT doc FROM facet WHERE"
				" name = 'value' AND value = ?)"
			      : "",
		     5 + !!o->kind + !!o->status + !!o->year + !!o->value,
		     table, table, table) < 0) {
		free(fts);
		free(whole);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	rc = sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		free(fts);
		free(whole);
		return search_db_fail(ix, "search");
	}
	search_bind_marks(st, o);
	sqlite3_bind_text(st, 3, fts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, whole, -1, SQLITE_STATIC);
	if (o->kind)
		sqlite3_bind_text(st, arg++, o->kind, -1, SQLITE_STATIC);
	if (o->status)
		sqlite3_bind_text(st, arg++, o->status, -1, SQLITE_STATIC);
	if (o->year)
		sqlite3_bind_int(st, arg++, o->year);
	if (o->value)
		sqlite3_bind_text(st, arg++, o->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, arg, o->limit > 0 ? o->limit : 20);
	list = json_array();
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();
		char *cite = archive_id_citation(
			archive_code(ix->a),
			(const char *)sqlite3_column_text(st, 0));

		search_set_text(row, "id", sqlite3_column_text(st, 0));
		json_object_set_new(row, "citation", json_string(cite));
		free(cite);
		search_set_text(row, "title", sqlite3_column_text(st, 1));
		search_set_text(row, "kind", sqlite3_column_text(st, 2));
		search_set_text(row, "status", sqlite3_column_text(st, 3));
		json_object_set_new(row, "year",
				    json_integer(sqlite3_column_int(st, 4)));
		json_object_set_new(row, "score",
				    json_real(-sqlite3_column_double(st, 5)));
		search_set_text(row, "snippet", sqlite3_column_text(st, 6));
		json_array_append_new(list, row);
	}
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
