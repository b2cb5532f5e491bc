/*
 * similar.c: precedent for a dossier. Other dossiers are scored by what
 * they share with it: values (3 points each), topics (2), instruments (1),
 * a citation either way (4), and its most distinctive words (up to 3, by
 * how well a search for those words ranks them). Each match says why.
 */
#include "search_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 8

struct cand {
	char id[16];
	double score;
	json_t *why;   /* {label: [items]} */
};

struct sim {
	search_index *ix;
	struct cand *c;
	size_t n, cap;
};

static struct cand *cand_get(struct sim *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].id, id))
			return &s->c[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct cand *c = realloc(s->c, cap * sizeof(*c));

		if (!c)
			return NULL;
		s->c = c;
		s->cap = cap;
	}
	snprintf(s->c[s->n].id, sizeof(s->c[s->n].id), "%s", id);
	s->c[s->n].score = 0;
	s->c[s->n].why = json_object();
	return &s->c[s->n++];
}

static void note(struct cand *c, const char *label, const char *item,
		 double points)
{
	json_t *list = json_object_get(c->why, label);

	if (!list) {
		list = json_array();
		json_object_set_new(c->why, label, list);
	}
	if (item)
		json_array_append_new(list, json_string(item));
	c->score += points;
}

static int shared_facets(struct sim *s, sqlite3_int64 row)
{
	static const struct {
		const char *name, *label;
		double points;
	} facets[] = { { "value", "values", 3 },
		       { "topic", "topics", 2 },
		       { "instrument", "instruments", 1 } };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->ix->db,
			       "SELECT d.id, f2.name, f2.value FROM facet f1"
			       " JOIN facet f2 ON f2.name = f1.name"
			       "  AND f2.value = f1.value AND f2.doc != f1.doc"
			       " JOIN doc d ON d.rowid = f2.doc"
			       " WHERE f1.doc = ? ORDER BY d.id, f2.value",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(s->ix, "similar");
	sqlite3_bind_int64(st, 1, row);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		struct cand *c = cand_get(
			s, (const char *)sqlite3_column_text(st, 0));

		for (size_t i = 0; c && i < 3; i++)
			if (!strcmp(name, facets[i].name))
				note(c, facets[i].label,
				     (const char *)sqlite3_column_text(st, 2),
				     facets[i].points);
	}
	sqlite3_finalize(st);
	return 0;
}

static int citations(struct sim *s, const char *id)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->ix->db,
			       "SELECT DISTINCT dst, 'cited' FROM cite WHERE src = ?1"
			       " UNION SELECT DISTINCT src, 'cites' FROM cite"
			       " WHERE dst = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(s->ix, "similar");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *other = (const char *)sqlite3_column_text(st, 0);
		const char *how = (const char *)sqlite3_column_text(st, 1);
		struct cand *c = cand_get(s, other);

		if (c)
			note(c, !strcmp(how, "cited") ? "cited by this one"
						      : "cites this one",
			     NULL, 4);
	}
	sqlite3_finalize(st);
	return 0;
}

/* ---- distinctive words ------------------------------------------------- */

struct word {
	char stem[64], surface[64];
	int tf;
	double weight;
};

struct words {
	struct word w[512];
	int n;
	const char *text;
};

static int collect(void *ctx, int flags, const char *tok, int n, int start,
		   int end)
{
	struct words *ws = ctx;
	int i;

	if ((flags & FTS5_TOKEN_COLOCATED) || n < 4 || n >= 64)
		return SQLITE_OK;
	for (int k = 0; k < n; k++)
		if (tok[k] >= '0' && tok[k] <= '9')
			return SQLITE_OK;
	for (i = 0; i < ws->n; i++)
		if ((int)strlen(ws->w[i].stem) == n &&
		    !memcmp(ws->w[i].stem, tok, (size_t)n))
			break;
	if (i == ws->n) {
		if (ws->n == 512)
			return SQLITE_OK;
		memcpy(ws->w[i].stem, tok, (size_t)n);
		ws->w[i].stem[n] = '\0';
		snprintf(ws->w[i].surface, sizeof(ws->w[i].surface), "%.*s",
			 end - start, ws->text + start);
		ws->w[i].tf = 0;
		ws->n++;
	}
	ws->w[i].tf++;
	return SQLITE_OK;
}

static fts5_api *fts5(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

/* Tokenizes text with the index's own tokenizer. */
static int tokenize(sqlite3 *db, struct words *ws, const char *text)
{
	fts5_api *api = fts5(db);
	fts5_tokenizer tk;
	Fts5Tokenizer *t;
	void *user;
	int rc;

	if (!api || api->xFindTokenizer(api, "dutch", &user, &tk) != SQLITE_OK)
		return SQLITE_ERROR;
	if ((rc = tk.xCreate(user, NULL, 0, &t)) != SQLITE_OK)
		return rc;
	ws->text = text;
	rc = tk.xTokenize(t, ws, FTS5_TOKENIZE_QUERY, text, (int)strlen(text),
			  collect);
	tk.xDelete(t);
	return rc;
}

static int by_weight(const void *x, const void *y)
{
	const struct word *a = x, *b = y;

	return (a->weight < b->weight) - (a->weight > b->weight);
}

/* The words of the dossier that are frequent in it and rare elsewhere. */
static int pick_words(struct sim *s, sqlite3_int64 row, struct words *ws)
{
	sqlite3_stmt *st;
	double docs;
	int rc;

	if (sqlite3_prepare_v2(s->ix->db,
			       "SELECT title || ' ' || summary || ' ' || question"
			       " || ' ' || advice || ' ' || body"
			       " FROM staff WHERE rowid = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(s->ix, "similar");
	sqlite3_bind_int64(st, 1, row);
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)
		     ? tokenize(s->ix->db, ws,
				(const char *)sqlite3_column_text(st, 0))
		     : SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return search_db_fail(s->ix, "similar");
	if (sqlite3_exec(s->ix->db,
			 "CREATE VIRTUAL TABLE IF NOT EXISTS temp.staff_terms"
			 " USING fts5vocab(main, staff, row)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->ix->db,
			       "SELECT (SELECT count(*) FROM doc),"
			       " (SELECT doc FROM temp.staff_terms WHERE term = ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(s->ix, "similar");
	for (int i = 0; i < ws->n; i++) {
		double df;

		sqlite3_bind_text(st, 1, ws->w[i].stem, -1, SQLITE_STATIC);
		sqlite3_step(st);
		docs = sqlite3_column_double(st, 0);
		df = sqlite3_column_double(st, 1);
		sqlite3_reset(st);
		/* a word nobody else uses links to nothing */
		ws->w[i].weight = df >= 2 && df < docs
					  ? ws->w[i].tf * log(docs / df)
					  : 0;
	}
	sqlite3_finalize(st);
	qsort(ws->w, (size_t)ws->n, sizeof(*ws->w), by_weight);
	while (ws->n > 0 && ws->w[ws->n - 1].weight <= 0)
		ws->n--;
	if (ws->n > MAX_WORDS)
		ws->n = MAX_WORDS;
	return 0;
}

static int shared_words(struct sim *s, sqlite3_int64 row)
{
	struct words *ws = calloc(1, sizeof(*ws));
	char query[MAX_WORDS * 70] = "";
	sqlite3_stmt *st, *has;
	double best = 0;
	int rc;

	if (!ws)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	rc = pick_words(s, row, ws);
	for (int i = 0; rc == 0 && i < ws->n; i++) {
		if (i)
			strcat(query, " OR ");
		strcat(query, "\"");
		strcat(query, ws->w[i].surface);
		strcat(query, "\"");
	}
	if (rc != 0 || ws->n == 0) {
		free(ws);
		return rc;
	}
	if (sqlite3_prepare_v2(s->ix->db,
			       "SELECT d.id, t.rank, t.rowid FROM staff t"
			       " JOIN doc d ON d.rowid = t.rowid"
			       " WHERE staff MATCH ? AND t.rowid != ?"
			       " ORDER BY t.rank LIMIT 50",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->ix->db,
			       "SELECT 1 FROM staff WHERE staff MATCH ?"
			       " AND rowid = ?",
			       -1, &has, NULL) != SQLITE_OK) {
		free(ws);
		return search_db_fail(s->ix, "similar");
	}
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row);
	while (sqlite3_step(st) == SQLITE_ROW) {
		double rank = sqlite3_column_double(st, 1);
		struct cand *c = cand_get(
			s, (const char *)sqlite3_column_text(st, 0));

		if (best == 0)
			best = rank;
		if (!c)
			continue;
		note(c, "words", NULL, best < 0 ? 3.0 * rank / best : 0);
		for (int i = 0; i < ws->n; i++) {
			char q[80];

			snprintf(q, sizeof(q), "\"%s\"", ws->w[i].surface);
			sqlite3_bind_text(has, 1, q, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(has, 2, sqlite3_column_int64(st, 2));
			if (sqlite3_step(has) == SQLITE_ROW)
				note(c, "words", ws->w[i].surface, 0);
			sqlite3_reset(has);
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(has);
	free(ws);
	return 0;
}

static int by_score(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->score != b->score)
		return (a->score < b->score) - (a->score > b->score);
	return strcmp(a->id, b->id);
}

/* "values: privacy, transparantie" */
static json_t *reasons(json_t *why)
{
	json_t *out = json_array(), *items;
	const char *label;

	json_object_foreach(why, label, items)
	{
		char line[512];
		size_t used = (size_t)snprintf(line, sizeof(line), "%s", label);
		size_t i;
		json_t *it;

		json_array_foreach(items, i, it)
		{
			used += (size_t)snprintf(line + used,
						 used < sizeof(line)
							 ? sizeof(line) - used
							 : 0,
						 "%s%s", i ? ", " : ": ",
						 json_string_value(it));
			if (used >= sizeof(line))
				break;
		}
		json_array_append_new(out, json_string(line));
	}
	return out;
}

int search_similar(json_t **out, search_index *ix, const char *id, int limit)
{
	struct sim s = { ix, NULL, 0, 0 };
	sqlite3_stmt *st;
	sqlite3_int64 row = 0;
	json_t *list;
	int rc;

	*out = NULL;
	if ((rc = search_update(ix, 0, NULL)) != 0)
		return rc;
	if (sqlite3_prepare_v2(ix->db, "SELECT rowid FROM doc WHERE id = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "similar");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		row = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!row)
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "%s: no such dossier", id);
	rc = shared_facets(&s, row);
	rc = rc ? rc : citations(&s, id);
	rc = rc ? rc : shared_words(&s, row);
	qsort(s.c, s.n, sizeof(*s.c), by_score);
	list = json_array();
	if (sqlite3_prepare_v2(ix->db, "SELECT title FROM doc WHERE id = ?", -1,
			       &st, NULL) != SQLITE_OK)
		rc = rc ? rc : search_db_fail(ix, "similar");
	for (size_t i = 0; i < s.n; i++) {
		if (rc == 0 && (int)i < (limit > 0 ? limit : 10) &&
		    s.c[i].score > 0) {
			json_t *r = json_object();

			sqlite3_bind_text(st, 1, s.c[i].id, -1, SQLITE_STATIC);
			json_object_set_new(r, "id", json_string(s.c[i].id));
			json_object_set_new(
				r, "title",
				sqlite3_step(st) == SQLITE_ROW
					? json_string((const char *)
							      sqlite3_column_text(
								      st, 0))
					: json_null());
			sqlite3_reset(st);
			json_object_set_new(
				r, "score",
				json_real(round(s.c[i].score * 100) / 100));
			json_object_set_new(r, "why", reasons(s.c[i].why));
			json_array_append_new(list, r);
		}
		json_decref(s.c[i].why);
	}
	sqlite3_finalize(st);
	free(s.c);
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}
