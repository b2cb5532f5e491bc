/*
 * harvest.c: other committees' reflections in the index. `mores harvest`
 * keeps each harvested site as one JSON file under harvest/ in the
 * derived folder (see net/net.h); this file mirrors those files into two
 * tables of the index, hdoc (the reflections, with their committee and
 * source page) and hpub (their text, with the same Dutch tokenizer as
 * the archive's own), whenever the files changed, and searches them.
 * Harvested rows never mix with the archive's own doc, staff and pub
 * tables, so `mores search` without --harvested is untouched by them.
 */
#include "search_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS hdoc("
	"  rowid INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL,"
	"  committee TEXT, site TEXT, id TEXT, citation TEXT, title TEXT,"
	"  kind TEXT, year INTEGER, url TEXT, summary TEXT, vals TEXT);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS hpub USING fts5(title, summary,"
	"  question, vals, topics, tokenize='dutch');"
	"INSERT INTO hpub(hpub, rank) VALUES('rank',"
	"  'bm25(10.0, 6.0, 4.0, 3.0, 3.0)');";

static int exec(search_index *ix, const char *sql)
{
	return sqlite3_exec(ix->db, sql, NULL, NULL, NULL) == SQLITE_OK
		       ? 0
		       : search_db_fail(ix, "harvested reflections");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The harvest files, sorted, and a stamp of their names, sizes and
 * modification times: when it differs from the one the index holds, the
 * tables are filled again. */
static int list_files(char ***out, size_t *n, char stamp[64], const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned long long h = 1469598103934665603ULL;
	char **names = NULL;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (d)
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);

			if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
				continue;
			if (*n == cap) {
				char **more = realloc(names, (cap = cap * 2 + 8) *
								     sizeof(*more));

				if (!more)
					break;
				names = more;
			}
			if ((names[*n] = strdup(e->d_name)))
				(*n)++;
		}
	if (d)
		closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		char *path = NULL, line[640];
		struct stat st;
		int found;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			continue;
		found = stat(path, &st) == 0;
		free(path);
		if (!found)
			continue;
		snprintf(line, sizeof(line), "%s:%lld:%lld.%09ld;", names[i],
			 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec);
		for (const char *p = line; *p; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ULL;
		}
	}
	snprintf(stamp, 64, "%zu-%016llx", *n, h);
	*out = names;
	return 0;
}

static const char *text(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* Items of a JSON list of strings, joined by spaces; '-' in value ids
 * becomes a space so that "menselijke-waardigheid" is two words. */
static char *joined(json_t *list, int dashes)
{
	size_t len = 1, i;
	json_t *v;
	char *s, *p;

	json_array_foreach(list, i, v)
		len += strlen(json_string_value(v) ? json_string_value(v) : "") + 1;
	if (!(s = calloc(1, len)))
		return NULL;
	p = s;
	json_array_foreach(list, i, v)
	{
		const char *t = json_string_value(v);
		size_t n = t ? strlen(t) : 0;

		if (!t)
			continue;
		if (p != s)
			*p++ = ' ';
		memcpy(p, t, n);
		p += n;
	}
	*p = '\0';
	for (p = s; dashes && *p; p++)
		if (*p == '-')
			*p = ' ';
	return s;
}

/* A key unique among the harvested rows: CODE-YYYY-NNN, with -2, -3 ...
 * when two sites share a code. */
static void make_key(sqlite3 *db, char *key, size_t size, const char *cite,
		     const char *id)
{
	size_t n = strcspn(cite, ":");
	sqlite3_stmt *st;

	snprintf(key, size, "%.*s-%s", (int)(n < 16 ? n : 16), cite, id);
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM hdoc WHERE key = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return;
	for (int k = 2; k < 1000; k++) {
		int taken;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		taken = sqlite3_step(st) == SQLITE_ROW;
		if (!taken)
			break;
		snprintf(key, size, "%.*s-%s-%d", (int)(n < 16 ? n : 16), cite,
			 id, k);
	}
	sqlite3_finalize(st);
}

static int load_file(search_index *ix, const char *path, sqlite3_stmt *doc,
		     sqlite3_stmt *fts)
{
	json_t *root = json_load_file(path, 0, NULL), *r;
	json_t *list = json_object_get(root, "reflections");
	size_t i;
	int rc = 0;

	json_array_foreach(list, i, r)
	{
		char key[64], *vals = joined(json_object_get(r, "values"), 1);
		char *topics = joined(json_object_get(r, "topics"), 0);
		const char *received = text(r, "received");
		sqlite3_int64 row;

		if (!vals || !topics || !json_string_value(json_object_get(r, "id"))) {
			free(vals);
			free(topics);
			continue;
		}
		make_key(ix->db, key, sizeof(key), text(r, "citation"),
			 text(r, "id"));
		sqlite3_reset(doc);
		sqlite3_bind_text(doc, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 2, text(root, "name"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 3, text(root, "site"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 4, text(r, "id"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 5, text(r, "citation"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 6, text(r, "title"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 7, text(r, "kind"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(doc, 8, atoi(*received ? received : text(r, "id")));
		sqlite3_bind_text(doc, 9, text(r, "url"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 10, text(r, "summary"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(doc, 11, vals, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(doc) != SQLITE_DONE) {
			free(vals);
			free(topics);
			rc = search_db_fail(ix, "harvested reflections");
			break;
		}
		row = sqlite3_last_insert_rowid(ix->db);
		sqlite3_reset(fts);
		sqlite3_bind_int64(fts, 1, row);
		sqlite3_bind_text(fts, 2, text(r, "title"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fts, 3, text(r, "summary"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fts, 4, text(r, "question"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fts, 5, vals, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fts, 6, topics, -1, SQLITE_TRANSIENT);
		free(vals);
		free(topics);
		if (sqlite3_step(fts) != SQLITE_DONE) {
			rc = search_db_fail(ix, "harvested reflections");
			break;
		}
	}
	json_decref(root);
	return rc;
}

/* Mirrors the harvest files into hdoc and hpub when they changed. */
static int sync_harvest(search_index *ix)
{
	const char *derived = archive_derived_dir(ix->a);
	char *dir = NULL, stamp[64], have[64] = "", **names = NULL;
	sqlite3_stmt *st, *doc = NULL, *fts = NULL;
	size_t n = 0;
	int rc;

	if (asprintf(&dir, "%s/harvest", derived) < 0)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	list_files(&names, &n, stamp, dir);
	if ((rc = exec(ix, schema)) != 0)
		goto done;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT value FROM meta WHERE key = 'harvest'",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(have, sizeof(have), "%s",
				 sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	if (!strcmp(have, stamp))
		goto done;
	if ((rc = exec(ix, "BEGIN IMMEDIATE; DELETE FROM hdoc;"
			   " DELETE FROM hpub;")) != 0)
		goto done;
	if (sqlite3_prepare_v2(ix->db,
			       "INSERT INTO hdoc(key, committee, site, id,"
			       " citation, title, kind, year, url, summary,"
			       " vals) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &doc, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db,
			       "INSERT INTO hpub(rowid, title, summary,"
			       " question, vals, topics) VALUES (?,?,?,?,?,?)",
			       -1, &fts, NULL) != SQLITE_OK)
		rc = search_db_fail(ix, "harvested reflections");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *path = NULL;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
			break;
		}
		rc = load_file(ix, path, doc, fts);
		free(path);
	}
	if (rc == 0 &&
	    sqlite3_prepare_v2(ix->db,
			       "INSERT OR REPLACE INTO meta VALUES ('harvest', ?)",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, stamp, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = search_db_fail(ix, "harvested reflections");
		sqlite3_finalize(st);
	}
	if (rc == 0)
		rc = exec(ix, "COMMIT");
	else
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
done:
	sqlite3_finalize(doc);
	sqlite3_finalize(fts);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return rc;
}

int search_harvested(json_t **out, search_index *ix, const char *query,
		     const search_opts *o)
{
	char *fts, *sql;
	sqlite3_stmt *st;
	json_t *list;
	int rc, arg = 4, step;

	*out = NULL;
	if ((rc = search_update(ix, 0, NULL)) != 0 ||
	    (rc = sync_harvest(ix)) != 0)
		return rc;
	if ((rc = search_parse(&fts, query)) != 0)
		return rc;
	list = json_array();
	/* harvested reflections are all published */
	if (o->status && strcmp(o->status, "published")) {
		free(fts);
		*out = list;
		return 0;
	}
	if (asprintf(&sql,
		     "SELECT d.id, d.citation, d.title, d.kind, d.year, t.rank,"
		     " mores_snippet(hpub, ?1, ?2, '…', 14), d.committee, d.url,"
		     " d.key"
		     " FROM hpub t JOIN hdoc d ON d.rowid = t.rowid"
		     " WHERE hpub MATCH ?3%s%s%s ORDER BY t.rank LIMIT ?%d",
		     o->kind ? " AND d.kind = ?" : "",
		     o->year ? " AND d.year = ?" : "",
		     o->value ? " AND (' ' || d.vals || ' ') LIKE"
				" ('% ' || replace(?, '-', ' ') || ' %')"
			      : "",
		     4 + !!o->kind + !!o->year + !!o->value) < 0) {
		free(fts);
		json_decref(list);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	rc = sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		free(fts);
		json_decref(list);
		return search_db_fail(ix, "search");
	}
	search_bind_marks(st, o);
	sqlite3_bind_text(st, 3, fts, -1, SQLITE_STATIC);
	if (o->kind)
		sqlite3_bind_text(st, arg++, o->kind, -1, SQLITE_STATIC);
	if (o->year)
		sqlite3_bind_int(st, arg++, o->year);
	if (o->value)
		sqlite3_bind_text(st, arg++, o->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, arg, o->limit > 0 ? o->limit : 20);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();

		search_set_text(row, "id", sqlite3_column_text(st, 0));
		search_set_text(row, "citation", sqlite3_column_text(st, 1));
		search_set_text(row, "title", sqlite3_column_text(st, 2));
		search_set_text(row, "kind", sqlite3_column_text(st, 3));
		json_object_set_new(row, "status", json_string("published"));
		json_object_set_new(row, "year",
				    json_integer(sqlite3_column_int(st, 4)));
		json_object_set_new(row, "score",
				    json_real(-sqlite3_column_double(st, 5)));
		search_set_text(row, "snippet", sqlite3_column_text(st, 6));
		search_set_text(row, "committee", sqlite3_column_text(st, 7));
		search_set_text(row, "url", sqlite3_column_text(st, 8));
		search_set_text(row, "key", sqlite3_column_text(st, 9));
		json_object_set_new(row, "harvested", json_true());
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
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

int search_harvested_docs(json_t **out, search_index *ix)
{
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	*out = NULL;
	if ((rc = sync_harvest(ix)) != 0)
		return rc;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT d.key, d.committee, d.site, d.id,"
			       " d.citation, d.title, d.kind, d.year, d.url,"
			       " d.summary, d.vals FROM hdoc d ORDER BY d.key",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "harvested reflections");
	list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		static const char *const cols[] = { "key", "committee", "site",
						    "id", "citation", "title",
						    "kind" };
		json_t *row = json_object();

		for (int c = 0; c < 7; c++)
			search_set_text(row, cols[c],
					sqlite3_column_text(st, c));
		json_object_set_new(row, "year",
				    json_integer(sqlite3_column_int(st, 7)));
		search_set_text(row, "url", sqlite3_column_text(st, 8));
		search_set_text(row, "summary", sqlite3_column_text(st, 9));
		json_array_append_new(list, row);
	}
	sqlite3_finalize(st);
	*out = list;
	return 0;
}

/* What a column weighs in the site's search, as for the archive's own
 * public rows (title, summary, question, values, topics). */
static int weight_of(int col)
{
	static const int w[] = { 20, 12, 8, 6, 6 };

	return col >= 0 && col < 5 ? w[col] : 1;
}

int search_harvest_terms(search_index *ix, search_term_fn fn, void *ctx)
{
	char term[256] = "", **ids = NULL;
	int *ws = NULL, rc;
	size_t n = 0, cap = 0;
	sqlite3_int64 last = 0;
	sqlite3_stmt *st;

	if ((rc = sync_harvest(ix)) != 0)
		return rc;
	/* the parts of compounds (behind a \1 mark, when the tokenizer
	 * writes them) count for a third, under the part's own form */
	if (sqlite3_exec(ix->db,
			 "CREATE VIRTUAL TABLE IF NOT EXISTS temp.hpub_terms"
			 " USING fts5vocab(main, hpub, instance)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db,
			       "SELECT CASE WHEN substr(v.term, 1, 1) = char(1)"
			       " THEN substr(v.term, 2) ELSE v.term END AS t,"
			       " v.doc, v.col, substr(v.term, 1, 1) = char(1),"
			       " d.key FROM temp.hpub_terms v"
			       " JOIN hdoc d ON d.rowid = v.doc"
			       " WHERE v.term >= char(1) ORDER BY t, v.doc",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "harvested reflections");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		const char *col = (const char *)sqlite3_column_text(st, 2);
		static const char *const cols[] = { "title", "summary",
						    "question", "vals",
						    "topics" };
		sqlite3_int64 row = sqlite3_column_int64(st, 1);
		int w = 1;

		for (int c = 0; c < 5; c++)
			if (col && !strcmp(col, cols[c]))
				w = weight_of(c);
		if (sqlite3_column_int(st, 3))
			w = (w + 2) / 3;
		if (!t || strlen(t) >= sizeof(term))
			continue;
		if (strcmp(t, term)) {
			rc = n ? fn(term, ids, ws, n, ctx) : 0;
			for (size_t i = 0; i < n; i++)
				free(ids[i]);
			n = 0;
			snprintf(term, sizeof(term), "%s", t);
		} else if (n && last == row) {
			ws[n - 1] += w;
			continue;
		}
		if (n == cap) {
			char **more = realloc(ids, (cap * 2 + 64) * sizeof(*more));
			int *wmore = more ? realloc(ws, (cap * 2 + 64) *
								sizeof(*wmore))
					  : NULL;

			if (more)
				ids = more;
			if (!wmore) {
				rc = archive_error_set(ARCHIVE_ERROR,
						       "out of memory");
				break;
			}
			ws = wmore;
			cap = cap * 2 + 64;
		}
		ids[n] = strdup((const char *)sqlite3_column_text(st, 4));
		ws[n] = w;
		last = row;
		n += ids[n] != NULL;
	}
	if (rc == 0 && n)
		rc = fn(term, ids, ws, n, ctx);
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(ws);
	return rc;
}
