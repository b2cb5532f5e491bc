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
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* update_locked(): the whole index is to be made again (rebuild_apart) */
#define REBUILD_APART 1

/* Bump when the schema or the tokenizer changes: old indexes start over. */
#define SEARCH_VERSION "6"

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
	"  terms BLOB NOT NULL);"
	/* for each word of each full-text table, the rows it scores best
	 * in (best.c) */
	"CREATE TABLE IF NOT EXISTS staff_key(id INTEGER PRIMARY KEY,"
	"  key TEXT UNIQUE NOT NULL, df INTEGER NOT NULL, floor REAL NOT NULL);"
	"CREATE TABLE IF NOT EXISTS staff_best(id INTEGER, imp REAL,"
	"  doc INTEGER, PRIMARY KEY(id, imp DESC, doc)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS staff_best_doc ON staff_best(doc);"
	"CREATE TABLE IF NOT EXISTS pub_key(id INTEGER PRIMARY KEY,"
	"  key TEXT UNIQUE NOT NULL, df INTEGER NOT NULL, floor REAL NOT NULL);"
	"CREATE TABLE IF NOT EXISTS pub_best(id INTEGER, imp REAL,"
	"  doc INTEGER, PRIMARY KEY(id, imp DESC, doc)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS pub_best_doc ON pub_best(doc);"
	"CREATE TABLE IF NOT EXISTS staff_words(rowid INTEGER PRIMARY KEY,"
	"  keys BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS pub_words(rowid INTEGER PRIMARY KEY,"
	"  keys BLOB NOT NULL);";

/* The full-text tables, made again from nothing by a rebuild. */
static const char fts_schema[] =
	/* staff: everything; pub: the public view only */
	"CREATE VIRTUAL TABLE IF NOT EXISTS staff USING fts5(title, summary,"
	"  question, vals, topics, body, advice, response, notes,"
	"  tokenize='dutch');"
	"CREATE VIRTUAL TABLE IF NOT EXISTS pub USING fts5(title, summary,"
	"  question, vals, topics, body, advice, response, tokenize='dutch');"
	/* a hit in a title or summary ranks above one in the body; the
	 * weights are those of search_weights */
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

	ix->last_code = code;
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

int search_meta_get_db(sqlite3 *db, const char *key, char *out, size_t size)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if ((rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?",
				     -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, size, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int search_meta_set_db(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(db,
				     "INSERT OR REPLACE INTO meta VALUES (?, ?)",
				     -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int meta_get(search_index *ix, const char *key, char *out,
		    size_t size)
{
	return search_meta_get_db(ix->db, key, out, size) == SQLITE_OK
		       ? 0
		       : search_db_fail(ix, "reading the index");
}

static int meta_set(search_index *ix, const char *key, const char *value)
{
	return search_meta_set_db(ix->db, key, value) == SQLITE_OK
		       ? 0
		       : search_db_fail(ix, "writing the index");
}

/* A handle is used by one thread at a time (a site build gives the search
 * shards a handle of their own), so SQLite need not take its mutex on
 * every call. */
#define DB_FLAGS \
	(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX)

/* The number of tables in the file, and of those the index has, of
 * which *ours counts those there. */
static int count_tables(search_index *ix, int *n, int *ours)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ix->db,
			       "SELECT count(*), count(CASE WHEN type = 'table'"
			       " AND name IN ('meta', 'doc', 'facet', 'cite',"
			       " 'pubterms', 'staff', 'pub', 'staff_key',"
			       " 'staff_best', 'pub_key', 'pub_best', 'staff_words',"
			       " 'pub_words') THEN 1 END)"
			       " FROM sqlite_master",
			       -1, &st, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	if (ours)
		*ours = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : search_db_fail(ix, "reading the index");
}
#define INDEX_TABLES 13

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
	rc = count_tables(ix, &n, NULL);
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
	int rc, n, ours = 0;

	if (sqlite3_open_v2(ix->path, &ix->db, DB_FLAGS, NULL) != SQLITE_OK)
		return search_db_fail(ix, "opening the index");
	sqlite3_busy_timeout(ix->db, 30000);
	if (search_register_dutch(ix->db) != SQLITE_OK)
		return search_db_fail(ix, "the Dutch tokenizer");
	if ((rc = exec(ix, "PRAGMA synchronous=NORMAL")) != 0 ||
	    (rc = count_tables(ix, &n, &ours)) != 0 ||
	    (n == 0 && (rc = init_db(ix)) != 0))
		return rc;
	rc = meta_get(ix, "version", version, sizeof(version));
	if (rc == 0 && version[0] && strcmp(version, SEARCH_VERSION))
		return archive_error_set(ARCHIVE_EINVALID, "%s: an index of "
					 "version %s, not %s", ix->path,
					 version, SEARCH_VERSION);
	/* a table gone (dropped by hand, say) is damage too */
	if (rc == 0 && n > 0 && ours != INDEX_TABLES)
		return archive_error_set(ARCHIVE_EINVALID, "%s: a table of the "
					 "index is missing", ix->path);
	if (rc == 0 && !version[0])
		return archive_error_set(ARCHIVE_ENOTFOUND, "%s: not an index "
					 "of mores", ix->path);
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

/* Removes a file of SQLite's with its -wal and -shm; the main file too
 * unless only_extra. */
static void unlink_db(const char *path, int only_extra)
{
	char extra[4200];

	if (!only_extra)
		unlink(path);
	snprintf(extra, sizeof(extra), "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", path);
	unlink(extra);
}

/* A damaged index is only derived data: it is made again rather than
 * repaired. */
static int create_db(search_index *ix)
{
	close_db(ix);
	unlink_db(ix->path, 0);
	if (sqlite3_open_v2(ix->path, &ix->db, DB_FLAGS, NULL) != SQLITE_OK)
		return search_db_fail(ix, "creating the index");
	sqlite3_busy_timeout(ix->db, 30000);
	if (search_register_dutch(ix->db) != SQLITE_OK)
		return search_db_fail(ix, "the Dutch tokenizer");
	return init_db(ix);
}

/* SQLite's page cache, in one page of 2 MiB when the kernel gives one.
 * A query reads hundreds of pages, each into a fresh 4 KiB allocation
 * whose first touch is a page fault: on a virtual machine those faults
 * were a third of a query's time. SQLite links every slot of the region
 * into its free list when it starts, touching all of it, so the region
 * holds what one huge page holds (about 500 slots, SQLite's default
 * cache of 2,000 KiB): with 4,096 slots every process that opened the
 * index spent 3 to 5 ms having 16 MiB cleared for it. When the slots are
 * taken, or a page is larger than a slot (the index uses SQLite's 4 KiB
 * pages), SQLite falls back to malloc. */
#define HUGE_PAGE (2u << 20)

static void page_arena(void)
{
	int hdr = 0;
	size_t slot;
	char *map, *at;

	if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
		return;
	slot = (4096 + (size_t)hdr + 15) & ~(size_t)15;
	map = mmap(NULL, 2 * HUGE_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return;
	at = (char *)(((uintptr_t)map + HUGE_PAGE - 1) &
		      ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(at, HUGE_PAGE, MADV_HUGEPAGE);
	/* refused once SQLite is in use: then it keeps to malloc */
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, at, (int)slot,
			   (int)(HUGE_PAGE / slot)) != SQLITE_OK)
		munmap(map, 2 * HUGE_PAGE);
}

/* flock(), again when a signal broke it off. */
static int lock_file(int fd, int how)
{
	int rc;

	while ((rc = flock(fd, how)) != 0 && errno == EINTR)
		;
	return rc;
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
	char *lexicon, *lock;
	int rc;

	*out = NULL;
	if (!ix)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	search_library_init();
	ix->a = a;
	ix->lock = -1;
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
	/* held shared as long as the file is open (see rebuild_apart); where
	 * the file system has no locks, a rebuild copies into the file */
	if (asprintf(&lock, "%s/index.lock", dir) >= 0) {
		ix->lock = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (ix->lock < 0)
			ix->lock = open(lock, O_RDONLY | O_CLOEXEC);
		free(lock);
		if (ix->lock >= 0 && lock_file(ix->lock, LOCK_SH) != 0) {
			close(ix->lock);
			ix->lock = -1;
		}
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
	if (ix->lock >= 0)
		close(ix->lock);
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

static const char *text_of(const struct text *t)
{
	return t->s ? t->s : "";
}

/* What reading a dossier for the index needs: the archive at the
 * snapshot, and a tokenizer of its own. The thread that reads has one;
 * in a rebuild it is not the thread that writes. */
struct reader {
	archive_snap *snap;
	archive_vocab *vocab;
	const char *code;
	char today[11];
	struct search_ahead *tok;
	struct search_forms forms; /* of the public row being made */
};

/* What one update needs for every dossier. */
struct run {
	search_index *ix;
	archive_snap *snap;
	struct reader rd; /* for the dossiers read on this thread */
	sqlite3_stmt *del_doc, *ins_doc, *ins_facet, *ins_cite, *ins_staff,
		*ins_pub, *find, *del_facet, *del_cite, *del_staff, *del_pub,
		*ins_terms, *del_terms;
	search_stats *st;
	/* the lists of best rows of staff and pub: gathered in a rebuild,
	 * kept up to date row by row otherwise */
	struct search_best *build[2];
	struct search_best_rows rows[2];
	struct search_keys keys;
};

static void reader_free(struct reader *rd)
{
	archive_vocab_free(rd->vocab);
	rd->vocab = NULL;
	search_ahead_free(rd->tok);
	rd->tok = NULL;
	search_forms_free(&rd->forms);
}

/* Makes rd ready to read the snapshot of archive a; the tokenizer is made
 * through db, on the thread that owns it. */
static int reader_init(struct reader *rd, archive *a, sqlite3 *db,
		       const char *path)
{
	rd->snap = archive_snapshot(a);
	rd->code = archive_code(a);
	archive_date_today(rd->today);
	if (archive_vocab_load(&rd->vocab, rd->snap) != 0)
		return archive_error_code();
	if (search_ahead_new(&rd->tok, db) != 0)
		return archive_error_set(ARCHIVE_ERROR, "%s: the Dutch "
					 "tokenizer is missing", path);
	return 0;
}

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
	for (int i = 0; i < 2; i++) {
		search_best_rows_close(&r->rows[i]);
		search_best_free(r->build[i]);
		r->build[i] = NULL;
	}
	search_keys_free(&r->keys);
	reader_free(&r->rd);
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
	int rc = reader_init(&r->rd, r->ix->a, r->ix->db, r->ix->path);

	for (size_t i = 0; rc == 0 && i < sizeof(stmts) / sizeof(*stmts); i++)
		if (sqlite3_prepare_v2(r->ix->db, stmts[i].sql, -1,
				       (sqlite3_stmt **)((char *)r +
							 stmts[i].offset),
				       NULL) != SQLITE_OK)
			rc = search_db_fail(r->ix, "preparing the index");
	rc = rc ? rc : search_best_rows_open(&r->rows[0], r->ix->db, "staff");
	rc = rc ? rc : search_best_rows_open(&r->rows[1], r->ix->db, "pub");
	return rc;
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
	if ((rc = search_best_rows_drop(&r->rows[0], row)) != 0 ||
	    (rc = search_best_rows_drop(&r->rows[1], row)) != 0)
		return rc;
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

/* The internal notes of a dossier (notities/), for staff search only. */
static void add_notes(archive_snap *snap, struct text *t, const char *id)
{
	char dir[64], path[300], **names, *text;
	size_t n, len;

	snprintf(dir, sizeof(dir), "dossiers/%.4s/%s/notities", id, id);
	if (archive_snap_list(&names, &n, snap, dir) != 0) {
		archive_error_clear();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (archive_snap_read(&text, &len, snap, path) == 0 &&
		    archive_utf8_check(text, len, NULL) == 0)
			add(t, text);
		archive_error_clear();
		free(text);
	}
	archive_names_free(names, n);
}

static void bind_texts(sqlite3_stmt *st, sqlite3_int64 row,
		       const struct text *cols, int n)
{
	sqlite3_bind_int64(st, 1, row);
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 2, cols[i].s ? cols[i].s : "",
				  (int)cols[i].len, SQLITE_STATIC);
}

static void free_texts(struct text *cols, int n)
{
	for (int i = 0; i < n; i++)
		free(cols[i].s);
}

enum { C_TITLE, C_SUMMARY, C_QUESTION, C_VALS, C_TOPICS, C_BODY, C_ADVICE,
       C_RESPONSE, C_NOTES, NCOLS };

/*
 * A dossier read and made ready for the index: the texts of its rows,
 * tokenized, the word forms of its public row, and the dossiers its texts
 * mention. Everything that reads the archive or tokenizes is done here,
 * so that in a rebuild it runs beside the writing (write_ready).
 */
struct ready {
	const char *id;
	archive_dossier *d; /* NULL: it did not read, and search skips it */
	archive_public *p;  /* NULL: not public */
	struct text staff[NCOLS], pub[NCOLS - 1];
	char **mentions;
	size_t nmentions, capm;
	unsigned char *terms; /* the public row's forms (pubterms) */
	size_t nterms;
	struct search_tokens tokens;
	int stream[NCOLS], pstream[NCOLS - 1]; /* each column's in tokens */
};

static void ready_clear(struct ready *x)
{
	archive_dossier_free(x->d);
	archive_public_free(x->p);
	free_texts(x->staff, NCOLS);
	free_texts(x->pub, NCOLS - 1);
	for (size_t i = 0; i < x->nmentions; i++)
		free(x->mentions[i]);
	free(x->mentions);
	free(x->terms);
	search_tokens_free(&x->tokens);
	memset(x, 0, sizeof(*x));
}

/* Appends a copy of id to the list (*ids)[0..*n), room for *cap. */
static int push_id(char ***ids, size_t *n, size_t *cap, const char *id)
{
	if (*n == *cap) {
		size_t more = *cap ? *cap * 2 : 16;
		char **grown = realloc(*ids, more * sizeof(*grown));

		if (!grown)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		*ids = grown;
		*cap = more;
	}
	if (!((*ids)[*n] = strdup(id)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	(*n)++;
	return 0;
}

static int add_mention(const char *id, void *ctx)
{
	struct ready *x = ctx;

	return push_id(&x->mentions, &x->nmentions, &x->capm, id);
}

static void staff_texts(struct reader *rd, struct ready *x)
{
	const archive_dossier *d = x->d;
	archive_doc *adv = archive_dossier_advice(d);
	archive_doc *resp = archive_dossier_response(d);
	struct text *c = x->staff;
	const char *items[256];
	size_t n;

	add(&c[C_TITLE], archive_dossier_get(d, "title"));
	if (adv)
		add(&c[C_SUMMARY],
		    archive_node_get_scalar(archive_doc_front(adv), "summary"));
	add(&c[C_QUESTION], archive_dossier_get(d, "question"));
	n = list_of(d, "values", items, 256);
	add_values(&c[C_VALS], (char *const *)items, n, rd->vocab);
	n = list_of(d, "topics", items, 256);
	add_list(&c[C_TOPICS], (char *const *)items, n);
	add(&c[C_BODY], archive_dossier_get(d, "requester"));
	add(&c[C_BODY], archive_doc_body(archive_dossier_doc(d)));
	if (adv)
		add(&c[C_ADVICE], archive_doc_body(adv));
	if (resp)
		add(&c[C_RESPONSE], archive_doc_body(resp));
	add_notes(rd->snap, &c[C_NOTES], archive_dossier_id(d));
}

/* The public row holds the public view and nothing else. */
static void public_texts(struct reader *rd, struct ready *x)
{
	const archive_public *p = x->p;
	struct text *c = x->pub;

	add(&c[C_TITLE], p->title);
	add(&c[C_SUMMARY], p->summary);
	add(&c[C_QUESTION], p->question);
	add_values(&c[C_VALS], p->values, p->nvalues, rd->vocab);
	add_list(&c[C_TOPICS], p->topics, p->ntopics);
	add(&c[C_BODY], p->requester);
	add(&c[C_ADVICE], p->advice);
	add(&c[C_RESPONSE], p->response);
}

struct form_col {
	struct search_forms *fs;
	int col;
};

static int catch_form(void *ctx, int flags, const char *tok, int n)
{
	struct form_col *f = ctx;

	(void)flags;
	return search_forms_add(f->fs, f->col, tok, n);
}

/* Tokenizes the texts of both rows, each distinct text once, and makes
 * the public row's word forms from the very tokens FTS5 will be given. */
static int tokenize_ready(struct reader *rd, struct ready *x)
{
	struct search_forms *fs = &rd->forms;
	int staff[NCOLS], rc = SQLITE_OK;

	for (int i = 0; i < NCOLS; i++)
		x->stream[i] = staff[i] =
			search_tokens_add(&x->tokens, rd->tok,
					  text_of(&x->staff[i]),
					  x->staff[i].len);
	if (!x->p)
		return x->tokens.oom ? archive_error_set(ARCHIVE_ERROR,
							 "out of memory")
				     : 0;
	search_forms_reset(fs);
	for (int i = 0; i < NCOLS - 1 && rc == SQLITE_OK; i++) {
		const struct text *t = &x->pub[i];
		struct form_col f = { fs, i };
		int k = t->len == x->staff[i].len &&
				!memcmp(text_of(&x->staff[i]), text_of(t),
					t->len)
			? staff[i]
			: search_tokens_add(&x->tokens, rd->tok, text_of(t),
					    t->len);

		x->pstream[i] = k;
		rc = k < 0 ? SQLITE_NOMEM
			   : search_tokens_each(&x->tokens, k, catch_form, &f);
	}
	if (rc != SQLITE_OK || fs->oom || x->tokens.oom)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	search_forms_finish(fs);
	return search_forms_blob(fs, &x->terms, &x->nterms);
}

/* Reads dossier id into x. A dossier that does not read is left out (x->d
 * NULL): `mores check` reports it. */
static int make_ready(struct reader *rd, const char *id, struct ready *x)
{
	int rc;

	x->id = id;
	rc = archive_dossier_load(&x->d, rd->snap, id);
	if (rc == ARCHIVE_ERROR)
		return rc; /* not the dossier: the archive or memory failed */
	if (rc != 0) {
		archive_error_clear();
		return 0;
	}
	rc = archive_public_view(&x->p, x->d, rd->code, rd->today, NULL, NULL);
	if (rc != 0)
		return rc;
	staff_texts(rd, x);
	for (int i = C_BODY; i <= C_RESPONSE && rc == 0; i++)
		rc = archive_text_mentions(text_of(&x->staff[i]), rd->code,
					   add_mention, x);
	if (rc == 0 && x->p)
		public_texts(rd, x);
	return rc ? rc : tokenize_ready(rd, x);
}

/* Adds the words of row to the lists of table t (0: staff, 1: pub), from
 * the tokens FTS5 was given for its columns. */
static int put_keys(struct run *r, int t, sqlite3_int64 row,
		    const int *stream, int ncols, const struct search_tokens *tk)
{
	search_keys_reset(&r->keys);
	for (int i = 0; i < ncols; i++)
		if (search_keys_add(&r->keys, tk, stream[i], i) != SQLITE_OK)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
	return r->build[t] ? search_best_add(r->build[t], row, &r->keys)
			   : search_best_rows_put(&r->rows[t], row, &r->keys);
}

/* Writes the rows of a dossier made ready; FTS5 is handed the tokens made
 * with it. */
static int write_ready(struct run *r, struct ready *x)
{
	const archive_dossier *d = x->d;
	const char *related[256];
	sqlite3_int64 row;
	size_t n;
	int rc, year;

	if (!d)
		return 0;
	archive_id_parse(x->id, &year, NULL);
	sqlite3_bind_text(r->ins_doc, 1, x->id, -1, SQLITE_STATIC);
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
	sqlite3_bind_text(r->ins_doc, 8, archive_dossier_get(d, "received"), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(r->ins_doc, 9, x->p != NULL);
	rc = step(r, r->ins_doc);
	row = sqlite3_last_insert_rowid(r->ix->db);
	rc = rc ? rc : add_facets(r, row, d);
	search_tokens_set(&x->tokens);
	if (rc == 0) {
		bind_texts(r->ins_staff, row, x->staff, NCOLS);
		rc = step(r, r->ins_staff);
	}
	for (size_t i = 0; i < x->nmentions && rc == 0; i++)
		rc = add_cite(r, x->id, x->mentions[i], "text");
	if (rc == 0 && x->p) {
		bind_texts(r->ins_pub, row, x->pub, NCOLS - 1);
		rc = step(r, r->ins_pub);
	}
	search_tokens_set(NULL);
	rc = rc ? rc : put_keys(r, 0, row, x->stream, NCOLS, &x->tokens);
	if (rc == 0 && x->p)
		rc = put_keys(r, 1, row, x->pstream, NCOLS - 1, &x->tokens);
	if (rc == 0 && x->p) {
		sqlite3_bind_int64(r->ins_terms, 1, row);
		sqlite3_bind_blob(r->ins_terms, 2, x->terms, (int)x->nterms,
				  SQLITE_STATIC);
		rc = step(r, r->ins_terms);
	}
	n = list_of(d, "related", related, 256);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_cite(r, x->id, related[i], "related");
	if (rc == 0)
		r->st->indexed++;
	return rc;
}

static int index_dossier(struct run *r, const char *id)
{
	struct ready x = { 0 };
	int rc = make_ready(&r->rd, id, &x);

	rc = rc ? rc : write_ready(r, &x);
	ready_clear(&x);
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
	return push_id(&c->ids, &c->n, &c->cap, id);
}

/*
 * A rebuild reads the dossiers on a thread of its own, ahead of the
 * writing: reading, tokenizing and freeing take about half the time of a
 * rebuild, FTS5's own work the other half. The reader fills a ring of
 * dossiers made ready, in the order of ids; the writer takes them in that
 * order, so the index is the same as one written dossier by dossier.
 */
#define AHEAD 256

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t moved;
	struct ready ring[AHEAD];
	size_t made, taken; /* counts, both only ever growing */
	char **ids;
	size_t n;
	struct reader rd;
	archive *own; /* the reader's handle on the archive */
	int rc, stop; /* the reader's error code; the writer gave up */
	char message[1024];
};

static void *read_ahead(void *arg)
{
	struct pipeline *pl = arg;

	for (size_t i = 0; i < pl->n; i++) {
		struct ready *x = &pl->ring[i % AHEAD];
		int rc;

		pthread_mutex_lock(&pl->lock);
		while (!pl->stop && pl->made - pl->taken == AHEAD)
			pthread_cond_wait(&pl->moved, &pl->lock);
		rc = pl->stop;
		pthread_mutex_unlock(&pl->lock);
		if (rc)
			break;
		ready_clear(x); /* what the writer took from it before */
		rc = make_ready(&pl->rd, pl->ids[i], x);
		pthread_mutex_lock(&pl->lock);
		if (rc != 0) {
			pl->rc = rc;
			snprintf(pl->message, sizeof(pl->message), "%s",
				 archive_error_last());
		}
		pl->made++;
		pthread_cond_broadcast(&pl->moved);
		pthread_mutex_unlock(&pl->lock);
		if (rc != 0)
			break;
	}
	return NULL;
}

/* Writes dossiers ids[0..n) as the reader thread makes them ready. */
static int write_all(struct run *r, struct pipeline *pl)
{
	int rc = 0, failed;

	for (size_t i = 0; i < pl->n && rc == 0; i++) {
		struct ready *x = &pl->ring[i % AHEAD];

		pthread_mutex_lock(&pl->lock);
		while (pl->made == pl->taken)
			pthread_cond_wait(&pl->moved, &pl->lock);
		/* an error the reader met stops the rebuild at its dossier */
		failed = i + 1 == pl->made && pl->rc != 0;
		pthread_mutex_unlock(&pl->lock);
		rc = failed ? archive_error_set(pl->rc, "%s", pl->message)
			    : write_ready(r, x);
		pthread_mutex_lock(&pl->lock);
		pl->taken++;
		pthread_cond_broadcast(&pl->moved);
		pthread_mutex_unlock(&pl->lock);
	}
	return rc;
}

static int index_all(struct run *r)
{
	struct pipeline pl = { .lock = PTHREAD_MUTEX_INITIALIZER,
			       .moved = PTHREAD_COND_INITIALIZER };
	pthread_t reader;
	int rc, started = 0;

	rc = archive_dossier_ids(&pl.ids, &pl.n, r->snap);
	if (rc == ARCHIVE_ENOTFOUND) {
		archive_error_clear();
		return 0;
	}
	rc = rc ? rc : search_best_new(&r->build[0], r->ix->db, "staff");
	rc = rc ? rc : search_best_new(&r->build[1], r->ix->db, "pub");
	rc = rc ? rc : archive_open_at(&pl.own, r->ix->a);
	rc = rc ? rc : reader_init(&pl.rd, pl.own, r->ix->db, r->ix->path);
	if (rc == 0 && !(started = !pthread_create(&reader, NULL, read_ahead,
						   &pl)))
		rc = archive_error_set(ARCHIVE_ERROR, "cannot start a thread");
	rc = rc ? rc : write_all(r, &pl);
	if (started) {
		pthread_mutex_lock(&pl.lock);
		pl.stop = 1;
		pthread_cond_broadcast(&pl.moved);
		pthread_mutex_unlock(&pl.lock);
		pthread_join(reader, NULL);
	}
	for (size_t i = 0; i < AHEAD; i++)
		ready_clear(&pl.ring[i]);
	reader_free(&pl.rd);
	archive_free(pl.own);
	archive_names_free(pl.ids, pl.n);
	for (int i = 0; i < 2 && rc == 0; i++)
		rc = search_best_write(r->build[i]);
	/* one segment per table: a query, and above all the snippet of
	 * each result, then opens one cursor per word instead of one per
	 * segment the rebuild wrote */
	if (rc == 0 &&
	    sqlite3_exec(r->ix->db,
			 "INSERT INTO staff(staff) VALUES('optimize');"
			 "INSERT INTO pub(pub) VALUES('optimize');",
			 NULL, NULL, NULL) != SQLITE_OK)
		rc = search_db_fail(r->ix, "merging the index");
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
	struct run r = { .ix = ix, .snap = archive_snapshot(ix->a) };
	struct changed c = { 0 };
	const char *target = archive_snap_commit(r.snap);
	char today[11];
	int rc;

	r.st = st;
	rc = meta_get(ix, "commit", ix->commit, sizeof(ix->commit));
	if (rc == 0 && !rebuild && !strcmp(ix->commit, target))
		return search_refresh_public(ix);
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
	if (rc == 0 && (rebuild || c.everything)) {
		rc = REBUILD_APART;
		goto done;
	}
	rc = rc ? rc : run_prepare(&r);
	rc = rc ? rc : reindex(&r, c.ids, c.n);
	/* the date may have moved too: embargoes end (or, with the clock
	 * set back, are in force again) for the unchanged dossiers as well */
	if (rc == 0)
		rc = search_refresh_public(ix);
	archive_date_today(today);
	rc = rc ? rc : meta_set(ix, "commit", target);
	rc = rc ? rc : meta_set(ix, "public_date", today);
	if (rc == 0)
		snprintf(ix->commit, sizeof(ix->commit), "%s", target);
done:
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

/* Whether the last failure was SQLite finding the file damaged (kept,
 * for the rollback after it clears SQLite's own code). */
static int damaged(search_index *ix)
{
	int code = ix->last_code;

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

/*
 * A rebuild is written into a new file of its own, without a journal, and
 * put in the place of the old one: emptying the old tables and writing
 * everything through the write-ahead log cost more than the writing
 * itself (100,000 dossiers: 20 s to drop the tables, 9 s to commit). A
 * file may only be replaced while no other handle has it open, for a
 * handle keeps reading the file it opened, and SQLite would take the old
 * file's log for the new one's. Every handle therefore holds index.lock
 * shared while it has the file open; the rebuild closes its own and puts
 * the new file in place only when it gets the lock to itself. When
 * another has the index open, the new file is copied into the old one
 * through SQLite, under its locks, as any other write. (A program other
 * than mores that has the file open, the sqlite3 shell say, takes no
 * lock: it goes on reading the file it opened.)
 */
static char *fresh_path(const search_index *ix)
{
	char *p;

	return asprintf(&p, "%s.new-%ld", ix->path, (long)getpid()) < 0 ? NULL
									 : p;
}

/* Writes the whole index for the snapshot into the file at path. */
static int write_fresh(search_index *ix, const char *path, search_stats *st)
{
	search_index fresh = *ix;
	struct run r = { .ix = &fresh, .snap = archive_snapshot(ix->a), .st = st };
	const char *target = archive_snap_commit(r.snap);
	char today[11];
	int rc;

	unlink_db(path, 0);
	fresh.path = (char *)path;
	if (sqlite3_open_v2(path, &fresh.db, DB_FLAGS, NULL) != SQLITE_OK) {
		rc = search_db_fail(&fresh, "making the index");
		sqlite3_close_v2(fresh.db);
		return rc;
	}
	rc = search_register_dutch(fresh.db) == SQLITE_OK
		     ? 0
		     : search_db_fail(&fresh, "the Dutch tokenizer");
	/* nothing to keep if it fails half-way: the file is removed */
	rc = rc ? rc : exec(&fresh, "PRAGMA journal_mode=OFF;"
				    "PRAGMA synchronous=OFF;BEGIN");
	rc = rc ? rc : exec(&fresh, schema);
	rc = rc ? rc : exec(&fresh, fts_schema);
	rc = rc ? rc : meta_set(&fresh, "version", SEARCH_VERSION);
	rc = rc ? rc : run_prepare(&r);
	rc = rc ? rc : index_all(&r);
	archive_date_today(today);
	rc = rc ? rc : meta_set(&fresh, "commit", target);
	rc = rc ? rc : meta_set(&fresh, "public_date", today);
	run_finalize(&r);
	rc = rc ? rc : exec(&fresh, "COMMIT");
	rc = rc ? rc : exec(&fresh, "PRAGMA journal_mode=WAL");
	if (sqlite3_close(fresh.db) != SQLITE_OK && rc == 0)
		rc = archive_error_set(ARCHIVE_ERROR, "%s: cannot close", path);
	if (rc == 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fsync(fd) != 0)
			rc = archive_error_set(ARCHIVE_ERROR, "%s: %s", path,
					       strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (rc != 0)
		unlink_db(path, 0);
	return rc;
}

/* Copies the file at path into the open index, through SQLite. */
static int copy_in(search_index *ix, const char *path)
{
	sqlite3 *src = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		rc = archive_error_set(ARCHIVE_ERROR, "%s: %s", path,
				       sqlite3_errmsg(src));
		sqlite3_close(src);
		return rc;
	}
	if (!(b = sqlite3_backup_init(ix->db, "main", src, "main"))) {
		sqlite3_close(src);
		return search_db_fail(ix, "writing the index");
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		usleep(10000);
	sqlite3_backup_finish(b);
	sqlite3_close(src);
	return rc == SQLITE_DONE ? 0 : search_db_fail(ix, "writing the index");
}

/* Puts the file at path in the place of the index, and opens it. */
static int put_in_place(search_index *ix, const char *path)
{
	int rc, alone, dir;
	char *slash;

	close_db(ix);
	alone = ix->lock >= 0 && lock_file(ix->lock, LOCK_EX | LOCK_NB) == 0 &&
		rename(path, ix->path) == 0;
	if (alone) {
		/* the old file's log, which the last handle to close took
		 * into it: SQLite would take it for the new file's */
		unlink_db(ix->path, 1);
		/* the rename itself kept by the file system */
		if ((slash = strrchr(ix->path, '/'))) {
			*slash = '\0';
			dir = open(ix->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			*slash = '/';
		} else {
			dir = -1;
		}
		if (dir >= 0) {
			fsync(dir);
			close(dir);
		}
	}
	if (ix->lock >= 0 && lock_file(ix->lock, LOCK_SH) != 0) {
		close(ix->lock);
		ix->lock = -1;
	}
	rc = open_db(ix);
	if (rc == 0 && !alone)
		rc = copy_in(ix, path);
	if (rc == 0 && !alone)
		rc = meta_get(ix, "commit", ix->commit, sizeof(ix->commit));
	unlink_db(path, alone);
	return rc;
}

static int rebuild_apart(search_index *ix, int rebuild, search_stats *st)
{
	char *path = fresh_path(ix), *turn = NULL;
	int rc, one_at_a_time = -1;

	if (!path || asprintf(&turn, "%s.rebuild", ix->path) < 0) {
		free(path);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	/* one rebuild at a time, from its start until its file is in
	 * place; one that finished meanwhile leaves nothing to do */
	one_at_a_time = open(turn, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (one_at_a_time >= 0)
		lock_file(one_at_a_time, LOCK_EX);
	/* other writers wait while it is made, as for any update */
	rc = exec(ix, "BEGIN IMMEDIATE");
	if (rc == 0 && !rebuild && is_current(ix)) {
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
		goto done;
	}
	if (rc == 0) {
		/* what a rebuild that did not finish left */
		archive_remove_left_behind(ix->path, ".new-",
					   (const char *const[]){ "-wal", "-shm",
								  NULL });
		memset(st, 0, sizeof(*st));
		rc = write_fresh(ix, path, st);
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	}
	rc = rc ? rc : put_in_place(ix, path);
done:
	if (one_at_a_time >= 0)
		close(one_at_a_time);
	free(turn);
	free(path);
	return rc;
}

static int update(search_index *ix, int rebuild, search_stats *st)
{
	int rc = in_transaction(ix, rebuild, st);

	return rc == REBUILD_APART ? rebuild_apart(ix, rebuild, st) : rc;
}

int search_update(search_index *ix, int rebuild, search_stats *st)
{
	search_stats none;
	int rc;

	st = st ? st : &none;
	memset(st, 0, sizeof(*st));
	if (ix->frozen || (!rebuild && is_current(ix)))
		return 0;
	ix->last_code = SQLITE_OK;
	rc = update(ix, rebuild, st);
	if (rc != 0 && ix->db && damaged(ix)) {
		/* derived data: start over from the archive */
		archive_error_clear();
		rc = create_db(ix);
		memset(st, 0, sizeof(*st));
		rc = rc ? rc : update(ix, 1, st);
	}
	return rc;
}

/* Embargoes end with the calendar, not with a commit: when the date moved
 * since the public rows were written, the dossiers under an embargo are
 * indexed again, through the publication rule. Runs inside the update's
 * transaction. */
int search_refresh_public(search_index *ix)
{
	struct run r = { .ix = ix, .snap = archive_snapshot(ix->a) };
	search_stats st = { 0 };
	char last[16], today[11], **ids = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *q;
	int rc;

	r.st = &st;
	archive_date_today(today);
	if ((rc = meta_get(ix, "public_date", last, sizeof(last))) != 0 ||
	    !strcmp(last, today))
		return rc;
	if (sqlite3_prepare_v2(ix->db,
			       "SELECT id FROM doc WHERE embargo IS NOT NULL",
			       -1, &q, NULL) != SQLITE_OK)
		return search_db_fail(ix, "reading the index");
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
		rc = push_id(&ids, &n, &cap,
			     (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	rc = rc ? rc : run_prepare(&r);
	rc = rc ? rc : reindex(&r, ids, n);
	rc = rc ? rc : meta_set(ix, "public_date", today);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	run_finalize(&r);
	return rc;
}
