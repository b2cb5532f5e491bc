/*
 * index.c: the index file, its schema, and keeping it current. The index
 * records the commit it reflects; an update indexes again only the
 * dossiers whose files changed since then (from the git diff), and starts
 * over when the vocabulary or the settings changed, when the recorded
 * commit is gone, or when the file is damaged or from another version.
 */
#include "search_int.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bump when the schema or the tokenizer changes: old indexes start over. */
#define SEARCH_VERSION "5"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS doc("
	"  rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, title TEXT,"
	"  kind TEXT, status TEXT, year INTEGER, visibility TEXT,"
	"  embargo TEXT, received TEXT, public INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS facet(doc INTEGER, name TEXT, value TEXT);"
	"CREATE INDEX IF NOT EXISTS facet_by_value ON facet(name, value, doc);"
	"CREATE INDEX IF NOT EXISTS facet_by_doc ON facet(doc);"
	"CREATE TABLE IF NOT EXISTS cite(src TEXT, dst TEXT, how TEXT,"
	"  PRIMARY KEY(src, dst, how)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS cite_by_dst ON cite(dst);"
	/* the word forms of each public row, caught as FTS5 tokenized it */
	"CREATE TABLE IF NOT EXISTS pubterms(rowid INTEGER PRIMARY KEY,"
	"  terms BLOB NOT NULL);";

/* The full-text tables, made again from nothing by a rebuild. */
static const char fts_schema[] =
	/* staff: everything; pub: the public view only */
	"CREATE VIRTUAL TABLE IF NOT EXISTS staff USING fts5(title, summary,"
	"  question, vals, topics, body, advice, response, notes,"
	"  tokenize='dutch');"
	"CREATE VIRTUAL TABLE IF NOT EXISTS pub USING fts5(title, summary,"
	"  question, vals, topics, body, advice, response, tokenize='dutch');"
	/* a hit in a title or summary ranks above one in the body */
	"INSERT INTO staff(staff, rank) VALUES('rank',"
	"  'bm25(10.0, 6.0, 4.0, 3.0, 3.0, 1.0, 1.5, 1.0, 0.5)');"
	"INSERT INTO pub(pub, rank) VALUES('rank',"
	"  'bm25(10.0, 6.0, 4.0, 3.0, 3.0, 1.0, 1.5, 1.0)');"
	/* FTS5 writes what it gathered as a segment of its own every
	 * megabyte, and merges them again and again: with 16 MiB a
	 * rebuild of 100,000 dossiers took 98 s instead of 128 s, at 247
	 * instead of 210 MB; more saves little and costs more memory */
	"INSERT INTO staff(staff, rank) VALUES('hashsize', 16777216);"
	"INSERT INTO pub(pub, rank) VALUES('hashsize', 16777216);";

int search_db_fail(search_index *ix, const char *what)
{
	int code = sqlite3_errcode(ix->db);

	return archive_error_set(code == SQLITE_BUSY ? ARCHIVE_ELOCKED
						     : ARCHIVE_ERROR,
				 "%s: %s: %s", ix->path, what,
				 sqlite3_errmsg(ix->db));
}

static int exec(search_index *ix, const char *sql)
{
	if (sqlite3_exec(ix->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return search_db_fail(ix, "index");
	return 0;
}

static int meta_get(search_index *ix, const char *key, char *out,
		    size_t size)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(ix->db, "SELECT value FROM meta WHERE key = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, size, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? 0
		       : search_db_fail(ix, "reading the index");
}

static int meta_set(search_index *ix, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ix->db,
			       "INSERT OR REPLACE INTO meta VALUES (?, ?)", -1,
			       &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "writing the index");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : search_db_fail(ix, "writing the index");
}

/* A handle is used by one thread at a time (a site build gives the search
 * shards a handle of their own), so SQLite need not take its mutex on
 * every call. */
#define DB_FLAGS \
	(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX)

static int count_tables(search_index *ix, int *n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ix->db, "SELECT count(*) FROM sqlite_master",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : search_db_fail(ix, "reading the index");
}

/* Makes the tables in an index file that has none yet, under SQLite's
 * write lock: processes that find no index at the same moment (a search
 * and a site build started together) wait for one another here, and only
 * the first makes the tables; none removes a file another is filling. */
static int init_db(search_index *ix)
{
	int rc, n;

	if ((rc = exec(ix, "PRAGMA journal_mode=WAL")) != 0 ||
	    (rc = exec(ix, "BEGIN IMMEDIATE")) != 0)
		return rc;
	rc = count_tables(ix, &n);
	if (rc == 0 && n == 0) {
		rc = exec(ix, schema);
		rc = rc ? rc : exec(ix, fts_schema);
		rc = rc ? rc : meta_set(ix, "version", SEARCH_VERSION);
	}
	if (rc == 0)
		return exec(ix, "COMMIT");
	sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Opens the file and makes sure it is an index of this version (a new,
 * empty file is made one); 0, or a code telling the caller to start
 * over. */
static int open_db(search_index *ix)
{
	char version[16];
	int rc, n;

	if (sqlite3_open_v2(ix->path, &ix->db, DB_FLAGS, NULL) != SQLITE_OK)
		return search_db_fail(ix, "opening the index");
	sqlite3_busy_timeout(ix->db, 30000);
	if (search_register_dutch(ix->db) != SQLITE_OK)
		return search_db_fail(ix, "the Dutch tokenizer");
	if ((rc = exec(ix, "PRAGMA synchronous=NORMAL")) != 0 ||
	    (rc = count_tables(ix, &n)) != 0 ||
	    (n == 0 && (rc = init_db(ix)) != 0))
		return rc;
	rc = meta_get(ix, "version", version, sizeof(version));
	if (rc == 0 && version[0] && strcmp(version, SEARCH_VERSION))
		return ARCHIVE_EINVALID;
	if (rc == 0 && !version[0])
		return ARCHIVE_ENOTFOUND; /* not one of ours */
	if (rc == 0)
		rc = meta_get(ix, "commit", ix->commit, sizeof(ix->commit));
	return rc;
}

static void close_db(search_index *ix)
{
	sqlite3_close_v2(ix->db);
	ix->db = NULL;
	ix->commit[0] = '\0';
}

/* Removes the index file and its WAL; a damaged index is only derived
 * data, so it is rebuilt rather than repaired. */
static void remove_files(search_index *ix)
{
	char extra[4200];

	unlink(ix->path);
	snprintf(extra, sizeof(extra), "%s-wal", ix->path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", ix->path);
	unlink(extra);
}

static int create_db(search_index *ix)
{
	close_db(ix);
	remove_files(ix);
	if (sqlite3_open_v2(ix->path, &ix->db, DB_FLAGS, NULL) != SQLITE_OK)
		return search_db_fail(ix, "creating the index");
	sqlite3_busy_timeout(ix->db, 30000);
	if (search_register_dutch(ix->db) != SQLITE_OK)
		return search_db_fail(ix, "the Dutch tokenizer");
	return init_db(ix);
}

/* SQLite's page cache, in memory the kernel may back with 2 MiB pages.
 * A query reads hundreds of pages, each into a fresh 4 KiB allocation
 * whose first touch is a page fault: on a virtual machine those faults
 * were a third of a query's time. The region is only reserved here; a
 * process that reads few pages uses little of it, and when it is full,
 * or a page is larger than a slot (the index uses SQLite's 4 KiB pages),
 * SQLite falls back to malloc. */
#define ARENA_SLOTS 4096
#define HUGE_PAGE (2u << 20)

static void page_arena(void)
{
	int hdr = 0;
	size_t slot, len;
	char *map, *at;

	if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
		return;
	slot = (4096 + (size_t)hdr + 15) & ~(size_t)15;
	len = (slot * ARENA_SLOTS + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	map = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return;
	at = (char *)(((uintptr_t)map + HUGE_PAGE - 1) &
		      ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(at, len, MADV_HUGEPAGE);
	/* refused once SQLite is in use: then it keeps to malloc */
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, at, (int)slot,
			   ARENA_SLOTS) != SQLITE_OK)
		munmap(map, len + HUGE_PAGE);
}

void search_library_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, page_arena);
}

int search_open(search_index **out, archive *a)
{
	search_index *ix = calloc(1, sizeof(*ix));
	const char *dir = archive_derived_dir(a);
	char *lexicon;
	int rc;

	*out = NULL;
	if (!ix)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	search_library_init();
	ix->a = a;
	if (asprintf(&ix->path, "%s/index.sqlite", dir) < 0) {
		free(ix);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		rc = archive_error_set(ARCHIVE_ERROR, "%s: %s", dir,
				       strerror(errno));
		search_close(ix);
		return rc;
	}
	if (asprintf(&lexicon, "%s/lexicon.bin", dir) >= 0) {
		search_lexicon_cache(lexicon);
		free(lexicon);
	}
	/* Another process making the file may hold it a moment (SQLite
	 * does not wait for the switch to WAL): that is no damage, and
	 * starting over would remove the file it is making. */
	for (int tries = 0; (rc = open_db(ix)) == ARCHIVE_ELOCKED && tries < 200;
	     tries++) {
		close_db(ix);
		archive_error_clear();
		usleep(10000);
	}
	if (rc != 0 && rc != ARCHIVE_ELOCKED) {
		archive_error_clear();
		rc = create_db(ix);
	}
	if (rc != 0) {
		search_close(ix);
		return rc;
	}
	*out = ix;
	return 0;
}

void search_close(search_index *ix)
{
	if (!ix)
		return;
	close_db(ix);
	free(ix->path);
	free(ix);
}

void search_freeze(search_index *ix)
{
	ix->frozen = 1;
}

const char *search_commit(search_index *ix)
{
	return ix->commit;
}

const char *search_version(void)
{
	return SEARCH_VERSION;
}

/* ---- indexing one dossier ------------------------------------------------ */

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return;
	if (t->len + n + 2 > t->cap) {
		size_t cap = (t->len + n + 2) * 2;
		char *p = realloc(t->s, cap);

		if (!p)
			return;
		t->s = p;
		t->cap = cap;
	}
	if (t->len)
		t->s[t->len++] = '\n';
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static const char *text_of(struct text *t)
{
	return t->s ? t->s : "";
}

/* What one update needs for every dossier. */
struct run {
	search_index *ix;
	archive_snap *snap;
	archive_vocab *vocab;
	char today[11];
	sqlite3_stmt *del_doc, *ins_doc, *ins_facet, *ins_cite, *ins_staff,
		*ins_pub, *find, *del_facet, *del_cite, *del_staff, *del_pub,
		*ins_terms, *del_terms;
	search_stats *st;
	struct search_forms forms; /* of the public row being written */
};

static void run_finalize(struct run *r)
{
	sqlite3_stmt **all[] = { &r->del_doc,	&r->ins_doc,  &r->ins_facet,
				 &r->ins_cite,	&r->ins_staff, &r->ins_pub,
				 &r->find,	&r->del_facet, &r->del_cite,
				 &r->del_staff, &r->del_pub,   &r->ins_terms,
				 &r->del_terms };

	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
	archive_vocab_free(r->vocab);
	r->vocab = NULL;
	search_forms_free(&r->forms);
}

static int run_prepare(struct run *r)
{
	static const struct {
		size_t offset;
		const char *sql;
	} stmts[] = {
		{ offsetof(struct run, find), "SELECT rowid FROM doc WHERE id = ?" },
		{ offsetof(struct run, del_doc), "DELETE FROM doc WHERE rowid = ?" },
		{ offsetof(struct run, del_facet), "DELETE FROM facet WHERE doc = ?" },
		{ offsetof(struct run, del_cite), "DELETE FROM cite WHERE src = ?" },
		{ offsetof(struct run, del_staff), "DELETE FROM staff WHERE rowid = ?" },
		{ offsetof(struct run, del_pub), "DELETE FROM pub WHERE rowid = ?" },
		{ offsetof(struct run, del_terms), "DELETE FROM pubterms WHERE rowid = ?" },
		{ offsetof(struct run, ins_terms), "INSERT INTO pubterms VALUES (?, ?)" },
		{ offsetof(struct run, ins_doc),
		  "INSERT INTO doc(id, title, kind, status, year, visibility,"
		  " embargo, received, public) VALUES (?,?,?,?,?,?,?,?,?)" },
		{ offsetof(struct run, ins_facet),
		  "INSERT INTO facet VALUES (?, ?, ?)" },
		{ offsetof(struct run, ins_cite),
		  "INSERT OR IGNORE INTO cite VALUES (?, ?, ?)" },
		{ offsetof(struct run, ins_staff),
		  "INSERT INTO staff(rowid, title, summary, question, vals,"
		  " topics, body, advice, response, notes)"
		  " VALUES (?,?,?,?,?,?,?,?,?,?)" },
		{ offsetof(struct run, ins_pub),
		  "INSERT INTO pub(rowid, title, summary, question, vals,"
		  " topics, body, advice, response) VALUES (?,?,?,?,?,?,?,?,?)" },
	};

	archive_date_today(r->today);
	if (archive_vocab_load(&r->vocab, r->snap) != 0)
		return archive_error_code();
	for (size_t i = 0; i < sizeof(stmts) / sizeof(*stmts); i++)
		if (sqlite3_prepare_v2(r->ix->db, stmts[i].sql, -1,
				       (sqlite3_stmt **)((char *)r +
							 stmts[i].offset),
				       NULL) != SQLITE_OK)
			return search_db_fail(r->ix, "preparing the index");
	return 0;
}

static int step(struct run *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW
		       ? 0
		       : search_db_fail(r->ix, "writing the index");
}

/* Takes a dossier out of the index; not being there is fine. */
static int remove_dossier(struct run *r, const char *id)
{
	sqlite3_int64 row;
	int rc;

	sqlite3_bind_text(r->find, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(r->find);
	row = rc == SQLITE_ROW ? sqlite3_column_int64(r->find, 0) : 0;
	sqlite3_reset(r->find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return search_db_fail(r->ix, "reading the index");
	if (!row)
		return 0;
	sqlite3_stmt *dels[] = { r->del_doc, r->del_facet, r->del_staff,
				 r->del_pub, r->del_terms };
	for (size_t i = 0; i < 5; i++) {
		sqlite3_bind_int64(dels[i], 1, row);
		if ((rc = step(r, dels[i])) != 0)
			return rc;
	}
	sqlite3_bind_text(r->del_cite, 1, id, -1, SQLITE_STATIC);
	if ((rc = step(r, r->del_cite)) != 0)
		return rc;
	r->st->removed++;
	return 0;
}

/* The value ids with their labels and synonyms, so that a search for a
 * synonym finds the dossiers that name the value. */
static void add_values(struct text *t, char *const *ids, size_t n,
		       const archive_vocab *v)
{
	for (size_t i = 0; i < n; i++) {
		const archive_node *val = archive_vocab_find(v, ids[i]);
		archive_node *syn = val ? archive_node_get(val, "synonyms")
					: NULL;

		add(t, ids[i]);
		if (val)
			add(t, archive_node_get_scalar(val, "label"));
		for (size_t k = 0; k < archive_node_count(syn); k++)
			add(t, archive_node_scalar(archive_node_at(syn, k)));
	}
}

static void add_list(struct text *t, char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add(t, items[i]);
}

/* A front matter list as an array of strings (borrowed). */
static size_t list_of(const archive_dossier *d, const char *key,
		      const char **out, size_t max)
{
	archive_node *list =
		archive_node_get(archive_doc_front(archive_dossier_doc(d)), key);
	size_t n = 0;

	for (size_t i = 0; i < archive_node_count(list) && n < max; i++) {
		const char *v = archive_node_scalar(archive_node_at(list, i));

		if (v)
			out[n++] = v;
	}
	return n;
}

static int add_facets(struct run *r, sqlite3_int64 row,
		      const archive_dossier *d)
{
	static const char *const keys[][2] = { { "values", "value" },
					       { "instruments", "instrument" },
					       { "topics", "topic" } };
	const char *items[256];
	int rc = 0;

	for (size_t k = 0; k < 3 && rc == 0; k++) {
		size_t n = list_of(d, keys[k][0], items, 256);

		for (size_t i = 0; i < n && rc == 0; i++) {
			sqlite3_bind_int64(r->ins_facet, 1, row);
			sqlite3_bind_text(r->ins_facet, 2, keys[k][1], -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(r->ins_facet, 3, items[i], -1,
					  SQLITE_STATIC);
			rc = step(r, r->ins_facet);
		}
	}
	return rc;
}

static int add_cite(struct run *r, const char *src, const char *dst,
		    const char *how)
{
	if (!strcmp(src, dst))
		return 0;
	sqlite3_bind_text(r->ins_cite, 1, src, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->ins_cite, 2, dst, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->ins_cite, 3, how, -1, SQLITE_STATIC);
	return step(r, r->ins_cite);
}

struct mention {
	struct run *r;
	const char *src;
};

static int add_mention(const char *id, void *ctx)
{
	struct mention *m = ctx;

	return add_cite(m->r, m->src, id, "text");
}

/* Mentions of other dossiers in a text: CODE:YYYY:N citation ids of this
 * committee and YYYY-NNN dossier ids. */
static int add_mentions(struct run *r, const char *src, const char *text)
{
	struct mention m = { r, src };

	return archive_text_mentions(text, archive_code(r->ix->a), add_mention,
				     &m);
}

/* The internal notes of a dossier (notities/), for staff search only. */
static void add_notes(struct run *r, struct text *t, const char *id)
{
	char dir[64], path[300], **names, *text;
	size_t n, len;

	snprintf(dir, sizeof(dir), "dossiers/%.4s/%s/notities", id, id);
	if (archive_snap_list(&names, &n, r->snap, dir) != 0) {
		archive_error_clear();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (archive_snap_read(&text, &len, r->snap, path) == 0 &&
		    archive_utf8_check(text, len, NULL) == 0)
			add(t, text);
		archive_error_clear();
		free(text);
	}
	archive_names_free(names, n);
}

static int ignore_token(void *ctx, int flags, const char *tok, int n,
			int start, int end)
{
	(void)ctx;
	(void)flags;
	(void)tok;
	(void)n;
	(void)start;
	(void)end;
	return SQLITE_OK;
}

static void bind_texts(sqlite3_stmt *st, sqlite3_int64 row,
		       struct text *cols, int n)
{
	sqlite3_bind_int64(st, 1, row);
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 2, text_of(&cols[i]), -1,
				  SQLITE_STATIC);
}

static void free_texts(struct text *cols, int n)
{
	for (int i = 0; i < n; i++)
		free(cols[i].s);
}

enum { C_TITLE, C_SUMMARY, C_QUESTION, C_VALS, C_TOPICS, C_BODY, C_ADVICE,
       C_RESPONSE, C_NOTES, NCOLS };

static int index_staff(struct run *r, sqlite3_int64 row,
		       const archive_dossier *d)
{
	archive_doc *adv = archive_dossier_advice(d);
	archive_doc *resp = archive_dossier_response(d);
	struct text c[NCOLS] = { 0 };
	const char *items[256];
	size_t n;
	int rc;

	add(&c[C_TITLE], archive_dossier_get(d, "title"));
	if (adv)
		add(&c[C_SUMMARY],
		    archive_node_get_scalar(archive_doc_front(adv), "summary"));
	add(&c[C_QUESTION], archive_dossier_get(d, "question"));
	n = list_of(d, "values", items, 256);
	add_values(&c[C_VALS], (char *const *)items, n, r->vocab);
	n = list_of(d, "topics", items, 256);
	add_list(&c[C_TOPICS], (char *const *)items, n);
	add(&c[C_BODY], archive_dossier_get(d, "requester"));
	add(&c[C_BODY], archive_doc_body(archive_dossier_doc(d)));
	if (adv)
		add(&c[C_ADVICE], archive_doc_body(adv));
	if (resp)
		add(&c[C_RESPONSE], archive_doc_body(resp));
	add_notes(r, &c[C_NOTES], archive_dossier_id(d));
	bind_texts(r->ins_staff, row, c, NCOLS);
	rc = step(r, r->ins_staff);
	for (int i = C_BODY; i <= C_RESPONSE && rc == 0; i++)
		rc = add_mentions(r, archive_dossier_id(d), text_of(&c[i]));
	free_texts(c, NCOLS);
	return rc;
}

static int catch_form(void *ctx, int call, const char *tok, int n)
{
	return search_forms_add(ctx, call, tok, n);
}

/* The column texts tokenized here, for when FTS5 did not tokenize the
 * row one call a column (it does, but nothing else would notice). */
static int forms_of(struct run *r, struct search_forms *fs, struct text *c)
{
	fts5_api *api = NULL;
	fts5_tokenizer tk;
	Fts5Tokenizer *t;
	sqlite3_stmt *st;
	void *user;
	int rc = SQLITE_OK;

	search_forms_reset(fs);
	if (sqlite3_prepare_v2(r->ix->db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return search_db_fail(r->ix, "the Dutch tokenizer");
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->xFindTokenizer(api, "dutch", &user, &tk) != SQLITE_OK ||
	    tk.xCreate(user, NULL, 0, &t) != SQLITE_OK)
		return archive_error_set(ARCHIVE_ERROR, "%s: the Dutch "
					 "tokenizer is missing", r->ix->path);
	for (int i = 0; i < NCOLS - 1 && rc == SQLITE_OK; i++) {
		struct search_capture cap = { catch_form, fs, i };

		search_capture_set(&cap);
		rc = tk.xTokenize(t, NULL, FTS5_TOKENIZE_DOCUMENT,
				  text_of(&c[i]), (int)c[i].len, ignore_token);
		search_capture_set(NULL);
	}
	tk.xDelete(t);
	return rc == SQLITE_OK ? 0
			       : archive_error_set(ARCHIVE_ERROR,
						   "out of memory");
}

/* The public rows hold the public view and nothing else; beside each,
 * its word forms with their weights, caught while FTS5 tokenizes it. */
static int index_public(struct run *r, sqlite3_int64 row,
			const archive_public *p)
{
	struct text c[NCOLS - 1] = { 0 };
	struct search_forms *fs = &r->forms;
	struct search_capture cap = { catch_form, fs, 0 };
	unsigned char *blob = NULL;
	size_t len = 0;
	int rc;

	add(&c[C_TITLE], p->title);
	add(&c[C_SUMMARY], p->summary);
	add(&c[C_QUESTION], p->question);
	add_values(&c[C_VALS], p->values, p->nvalues, r->vocab);
	add_list(&c[C_TOPICS], p->topics, p->ntopics);
	add(&c[C_BODY], p->requester);
	add(&c[C_ADVICE], p->advice);
	add(&c[C_RESPONSE], p->response);
	bind_texts(r->ins_pub, row, c, NCOLS - 1);
	search_forms_reset(fs);
	search_capture_set(&cap);
	rc = step(r, r->ins_pub);
	search_capture_set(NULL);
	if (rc == 0 && (fs->oom || cap.calls != NCOLS - 1))
		rc = forms_of(r, fs, c);
	if (rc == 0) {
		search_forms_finish(fs);
		rc = search_forms_blob(fs, &blob, &len);
	}
	if (rc == 0) {
		sqlite3_bind_int64(r->ins_terms, 1, row);
		sqlite3_bind_blob(r->ins_terms, 2, blob, (int)len, SQLITE_STATIC);
		rc = step(r, r->ins_terms);
	}
	free(blob);
	free_texts(c, NCOLS - 1);
	return rc;
}

static int index_dossier(struct run *r, const char *id)
{
	archive_dossier *d;
	archive_public *p = NULL;
	const char *related[256], *received;
	sqlite3_int64 row;
	size_t n;
	int rc, year;

	rc = archive_dossier_load(&d, r->snap, id);
	if (rc != 0) {
		/* `mores check` reports broken dossiers; search skips them */
		archive_error_clear();
		return rc == ARCHIVE_ERROR ? rc : 0;
	}
	rc = archive_public_view(&p, d, archive_code(r->ix->a), r->today, NULL,
				 NULL);
	received = archive_dossier_get(d, "received");
	archive_id_parse(id, &year, NULL);
	sqlite3_bind_text(r->ins_doc, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->ins_doc, 2, archive_dossier_get(d, "title"), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(r->ins_doc, 3, archive_dossier_get(d, "kind"), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(r->ins_doc, 4, archive_dossier_get(d, "status"), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(r->ins_doc, 5, year);
	sqlite3_bind_text(r->ins_doc, 6, archive_dossier_get(d, "visibility"),
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(r->ins_doc, 7, archive_dossier_get(d, "embargo_until"),
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(r->ins_doc, 8, received, -1, SQLITE_STATIC);
	sqlite3_bind_int(r->ins_doc, 9, p != NULL);
	rc = rc ? rc : step(r, r->ins_doc);
	row = sqlite3_last_insert_rowid(r->ix->db);
	rc = rc ? rc : add_facets(r, row, d);
	rc = rc ? rc : index_staff(r, row, d);
	if (rc == 0 && p)
		rc = index_public(r, row, p);
	n = list_of(d, "related", related, 256);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_cite(r, id, related[i], "related");
	archive_public_free(p);
	archive_dossier_free(d);
	if (rc == 0)
		r->st->indexed++;
	return rc;
}

/* ---- updates -------------------------------------------------------------- */

struct changed {
	char **ids;
	size_t n, cap;
	int everything; /* settings or vocabulary changed */
};

/* Notes a changed path: dossiers/YYYY/ID/... names a dossier. */
static int note_change(const char *path, void *ctx)
{
	struct changed *c = ctx;
	char id[32];
	const char *p;
	size_t n;

	if (!strcmp(path, "values.yml") || !strcmp(path, "mores.yml")) {
		c->everything = 1;
		return 0;
	}
	if (strncmp(path, "dossiers/", 9) || !(p = strchr(path + 9, '/')))
		return 0;
	n = strcspn(p + 1, "/");
	if (n == 0 || n >= sizeof(id) || p[1 + n] != '/')
		return 0;
	memcpy(id, p + 1, n);
	id[n] = '\0';
	if (c->n && !strcmp(c->ids[c->n - 1], id))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **ids = realloc(c->ids, cap * sizeof(*ids));

		if (!ids)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		c->ids = ids;
		c->cap = cap;
	}
	if (!(c->ids[c->n] = strdup(id)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	c->n++;
	return 0;
}

static int index_all(struct run *r)
{
	char **ids;
	size_t n;
	int rc;

	/* Deleting the rows of a full-text table one by one tokenizes each
	 * old text again; dropped and made anew, the tables cost nothing. */
	rc = exec(r->ix, "DELETE FROM doc; DELETE FROM facet; DELETE FROM "
			 "cite; DELETE FROM pubterms; DROP TABLE staff; "
			 "DROP TABLE pub;");
	rc = rc ? rc : exec(r->ix, fts_schema);
	if (rc != 0)
		return rc;
	rc = archive_dossier_ids(&ids, &n, r->snap);
	if (rc == ARCHIVE_ENOTFOUND) {
		archive_error_clear();
		return 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = index_dossier(r, ids[i]);
	archive_names_free(ids, n);
	r->st->rebuilt = 1;
	return rc;
}

static int reindex(struct run *r, char **ids, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = remove_dossier(r, ids[i]);
		if (rc == 0)
			rc = index_dossier(r, ids[i]);
	}
	return rc;
}

static int update_locked(search_index *ix, int rebuild, search_stats *st)
{
	struct run r = { ix, archive_snapshot(ix->a), NULL, "", 0 };
	struct changed c = { 0 };
	const char *target = archive_snap_commit(r.snap);
	char today[11];
	int rc;

	r.st = st;
	rc = meta_get(ix, "commit", ix->commit, sizeof(ix->commit));
	if (rc == 0 && !rebuild && !strcmp(ix->commit, target))
		return search_refresh_public(ix);
	rc = rc ? rc : run_prepare(&r);
	if (rc == 0 && !rebuild && ix->commit[0]) {
		rc = archive_snap_changes(r.snap, ix->commit, note_change, &c);
		if (rc == ARCHIVE_ENOTFOUND) {
			archive_error_clear();
			rebuild = 1;
			rc = 0;
		}
	} else if (rc == 0) {
		rebuild = 1;
	}
	if (rc == 0 && (rebuild || c.everything))
		rc = index_all(&r);
	else if (rc == 0)
		rc = reindex(&r, c.ids, c.n);
	/* the date may have moved too: embargoes end (or, with the clock
	 * set back, are in force again) for the unchanged dossiers as well */
	if (rc == 0 && !rebuild && !c.everything)
		rc = search_refresh_public(ix);
	archive_date_today(today);
	rc = rc ? rc : meta_set(ix, "commit", target);
	rc = rc ? rc : meta_set(ix, "public_date", today);
	if (rc == 0)
		snprintf(ix->commit, sizeof(ix->commit), "%s", target);
	for (size_t i = 0; i < c.n; i++)
		free(c.ids[i]);
	free(c.ids);
	run_finalize(&r);
	return rc;
}

static int in_transaction(search_index *ix, int rebuild, search_stats *st)
{
	int rc = exec(ix, "BEGIN IMMEDIATE");

	if (rc != 0)
		return rc;
	rc = update_locked(ix, rebuild, st);
	if (rc == 0)
		rc = exec(ix, "COMMIT");
	if (rc != 0)
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int damaged(search_index *ix)
{
	int code = sqlite3_errcode(ix->db);

	return code == SQLITE_CORRUPT || code == SQLITE_NOTADB ||
	       code == SQLITE_IOERR;
}

/* Whether the index reflects the snapshot, for today: the common case,
 * answered without taking the write lock. */
static int is_current(search_index *ix)
{
	char commit[41], date[16], today[11];

	archive_date_today(today);
	if (meta_get(ix, "commit", commit, sizeof(commit)) != 0 ||
	    meta_get(ix, "public_date", date, sizeof(date)) != 0) {
		archive_error_clear();
		return 0;
	}
	return !strcmp(commit, archive_snap_commit(archive_snapshot(ix->a))) &&
	       !strcmp(date, today);
}

int search_update(search_index *ix, int rebuild, search_stats *st)
{
	search_stats none;
	int rc;

	st = st ? st : &none;
	memset(st, 0, sizeof(*st));
	if (ix->frozen || (!rebuild && is_current(ix)))
		return 0;
	rc = in_transaction(ix, rebuild, st);
	if (rc != 0 && damaged(ix)) {
		/* derived data: start over from the archive */
		archive_error_clear();
		rc = create_db(ix);
		memset(st, 0, sizeof(*st));
		rc = rc ? rc : in_transaction(ix, 1, st);
	}
	return rc;
}

/* Embargoes end with the calendar, not with a commit: when the date moved
 * since the public rows were written, the dossiers under an embargo are
 * indexed again, through the publication rule. Runs inside the update's
 * transaction. */
int search_refresh_public(search_index *ix)
{
	struct run r = { ix, archive_snapshot(ix->a), NULL, "", 0 };
	search_stats st = { 0 };
	char last[16], **ids = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *q;
	int rc;

	r.st = &st;
	archive_date_today(r.today);
	if ((rc = meta_get(ix, "public_date", last, sizeof(last))) != 0 ||
	    !strcmp(last, r.today))
		return rc;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT id FROM doc WHERE embargo IS NOT NULL",
			       -1, &q, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
		if (n == cap) {
			char **more = realloc(ids, (cap = cap * 2 + 16) *
							   sizeof(*ids));

			if (!more) {
				rc = archive_error_set(ARCHIVE_ERROR,
						       "out of memory");
				break;
			}
			ids = more;
		}
		ids[n] = strdup((const char *)sqlite3_column_text(q, 0));
		n += ids[n] != NULL;
	}
	sqlite3_finalize(q);
	rc = rc ? rc : run_prepare(&r);
	rc = rc ? rc : reindex(&r, ids, n);
	rc = rc ? rc : meta_set(ix, "public_date", r.today);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	run_finalize(&r);
	return rc;
}
