/*
 * search_int.h: what the files of the search module share: the index
 * handle and the SQLite glue.
 */
#ifndef MORES_SEARCH_INT_H
#define MORES_SEARCH_INT_H

#include "search.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct search_index {
	archive *a;
	sqlite3 *db;
	char *path;
	char commit[41];
	int frozen; /* search_freeze() */
	int lock;   /* index.lock, held shared while the file is open; -1 */
	int last_code; /* SQLite's code at the last failure */
	const char *plan; /* search_query_plan() */
};

/*
 * The parts of a Dutch compound are indexed as terms of their own, at the
 * whole word's place and behind SEARCH_PART_MARK: "algoritmeregister"
 * gives "algoritmeregister" and the parts "\1algoritm" and "\1register".
 * A word of a query matches itself and its use as a part, unless it
 * begins with SEARCH_WHOLE_MARK; then it matches whole words only, which
 * ranks a dossier that uses the word itself above one that has it inside
 * a compound.
 */
/* Unsigned varints, seven bits a byte, low bits first, as the index's
 * own blobs store their numbers. search_put_uvarint() needs 10 bytes of
 * room; search_get_uvarint() returns the bytes read, 0 when p ends
 * before the number does. */
static inline size_t search_put_uvarint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static inline size_t search_get_uvarint(const unsigned char *p, size_t n,
					uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

#define SEARCH_PART_MARK '\x01'
#define SEARCH_WHOLE_MARK '\x02'

/* Where the tokenizer keeps the table of its word list between runs
 * (a file beside the index); only the first call before the list is
 * first needed counts. */
void search_lexicon_cache(const char *path);

/* Registers the "dutch" FTS5 tokenizer with db. */
int search_register_dutch(sqlite3 *db);

/*
 * Tokens made ahead. Reading the archive and tokenizing its texts can run
 * on another thread than FTS5's writing: each text is tokenized there into
 * a search_tokens, with a tokenizer of that thread's own. While a
 * search_tokens is set for the writing thread, a document text FTS5 gives
 * the tokenizer that equals one recorded is not tokenized again: its
 * tokens are played back. Any other text is tokenized as ever, so the
 * index holds the same tokens either way.
 */
struct search_ahead; /* a Dutch tokenizer for one thread */
int search_ahead_new(struct search_ahead **out, sqlite3 *db);
void search_ahead_free(struct search_ahead *ah);

struct search_tokens {
	struct search_stream {
		const char *text; /* borrowed: must outlive its use */
		size_t len;
		size_t at, end; /* its tokens in buf */
	} *s;
	size_t n, cap;
	unsigned char *buf;
	size_t len, cap_buf;
	int oom;
};
/* Tokenizes text as a document and records its tokens; returns the
 * stream's number, or -1 when out of memory. */
int search_tokens_add(struct search_tokens *t, struct search_ahead *ah,
		      const char *text, size_t len);
/* Calls fn with each token of stream k; stops at the first result that is
 * not SQLITE_OK and returns it. */
int search_tokens_each(const struct search_tokens *t, int k,
		       int (*fn)(void *ctx, int flags, const char *tok, int n),
		       void *ctx);
/* The one token FTS5 searches for when a query holds text[0..n) as a
 * phrase, in out (cap bytes); its length, or 0 when the text makes no
 * token or more than one. */
size_t search_query_key(struct search_ahead *ah, const char *text, size_t n,
			char *out, size_t cap);
/* The FTS5 interface of db, or NULL. */
fts5_api *search_fts5_of(sqlite3 *db);
/* Sets the tokens to play back on this thread; NULL ends it. */
void search_tokens_set(const struct search_tokens *t);
void search_tokens_reset(struct search_tokens *t);
void search_tokens_free(struct search_tokens *t);

/* ---- the word forms of a public row (export.c) ----------------------- */

/* A row's word forms with their weights, as the site's search shards
 * count them: per column, a part of a compound at a third. The forms
 * lie one after another in text; a table finds one already met. */
struct search_forms {
	char *text;
	size_t len, cap;
	struct search_form {
		uint32_t at; /* in text */
		int w;
	} *f;
	size_t n, capf;
	uint32_t *slot; /* 1 + a form's number, 0: empty */
	size_t mask;
	int oom;
};

/* Adds a token of column col (0 .. 7 of the pub table) to fs; SQLITE_OK
 * or SQLITE_NOMEM. */
int search_forms_add(struct search_forms *fs, int col, const char *tok,
		     int n);
/* Puts the forms in byte order (leaving out those too long for the
 * shards); they are each there once, with their weights summed. */
void search_forms_finish(struct search_forms *fs);
/* Empties fs for another row, keeping its memory. */
void search_forms_reset(struct search_forms *fs);
void search_forms_free(struct search_forms *fs);
/* The forms as stored with a public row (pubterms), and back. */
int search_forms_blob(const struct search_forms *fs, unsigned char **out,
		      size_t *len);
/* Calls fn for each form of a stored blob; ARCHIVE_ERROR when damaged. */
int search_forms_each(const unsigned char *blob, size_t len,
		      search_doc_term_fn fn, void *ctx);

/* ---- the rows that score best for each word (best.c) ------------------ */

/* The columns of the staff table; the pub table has all but the last. */
#define SEARCH_COLUMNS 9
/* The weight of a hit in each column, as the tables' rank settings give
 * them to bm25. */
extern const double search_weights[SEARCH_COLUMNS];

/* The words (keys) of one row, with their weighted counts, and the row's
 * length, as FTS5 counts them from the tokens it is given. */
/* A table of names: items of one size, each starting with the name's
 * place in text and its hash, found by name. */
struct search_name {
	uint32_t at, len; /* in text */
	uint64_t hash;
};
struct search_names {
	char *items;
	size_t n, cap, stride;
	char *text;
	size_t len, tcap;
	uint32_t *slot;
	size_t mask;
};

struct search_keys {
	struct search_names names; /* of struct search_key */
	sqlite3_int64 size;
};
struct search_key {
	struct search_name name;
	double f;
	int col; /* where it was last counted */
	int whole; /* it stands on its own somewhere, not only as a part */
	sqlite3_int64 pos;
};
/* Adds the tokens of stream k of t as column col; SQLITE_OK or
 * SQLITE_NOMEM. */
int search_keys_add(struct search_keys *ks, const struct search_tokens *t,
		    int stream, int col);
void search_keys_reset(struct search_keys *ks);
void search_keys_free(struct search_keys *ks);

/* The rows each word's list keeps after a rebuild (512; the checks make
 * it small, so that the lists leave most rows out). */
extern int search_best_keep;

/* What a rebuild gathers for the lists of one table ("staff", "pub"),
 * row by row in the order written, and writes at the end. */
struct search_best;
int search_best_new(struct search_best **out, sqlite3 *db, const char *table);
/* Also writes the row's words (TABLE_words). */
int search_best_add(struct search_best *b, sqlite3_int64 doc,
		    const struct search_keys *ks);
int search_best_write(struct search_best *b);
void search_best_free(struct search_best *b);

/* The lists of one table kept up to date as rows come and go. */
struct search_best_rows {
	sqlite3 *db;
	double a0;
	sqlite3_stmt *up, *ins, *down, *del, *terms, *ins_terms, *del_terms;
	unsigned char *blob;
	size_t cap;
};
int search_best_rows_open(struct search_best_rows *w, sqlite3 *db,
			  const char *table);
void search_best_rows_close(struct search_best_rows *w);
int search_best_rows_put(struct search_best_rows *w, sqlite3_int64 doc,
			 const struct search_keys *ks);
/* Takes row doc out, with the words it has there. */
int search_best_rows_drop(struct search_best_rows *w, sqlite3_int64 doc);

/* Registers mores_rank(), bm25 with the given inverse document
 * frequencies, with db's FTS5. */
int search_register_rank(sqlite3 *db);
/* Registers mores_snippet(table, open, close, ellipsis, tokens), the
 * passage of a result with its hits marked (snippet.c). */
int search_register_snippet(sqlite3 *db);
/* bm25's inverse document frequency, as FTS5 computes it. */
double search_idf(sqlite3_int64 rows, sqlite3_int64 df);
/* The rows of an FTS5 table and the tokens of all its columns. */
int search_table_totals(sqlite3 *db, const char *table, sqlite3_int64 *rows,
			sqlite3_int64 *tokens);

#define SEARCH_MAX_WORDS 16
/* A word of a query as the lists know it (id 0: no row has it). */
struct search_word {
	sqlite3_int64 id, df;
	double floor, idf;
	int negated;
};
/* A ranked row: r as FTS5's rank, lower is better. */
struct search_hit {
	sqlite3_int64 doc;
	double r;
};
/*
 * The k best rows of table for a query of single words, in the order of
 * its FTS5 phrases: all those not negated must occur, none of the
 * others. filter (or NULL) gives a row when the row, bound at parameter
 * param, passes the query's filters. 1 when hits[0..*nhits) are the
 * best, in order, ranked as FTS5's query would; 0 when the lists cannot
 * tell, and every match must be ranked; or an error code.
 */
int search_best_top(sqlite3 *db, const char *table,
		    const struct search_word *words, size_t nwords,
		    sqlite3_stmt *filter, int param, size_t k,
		    struct search_hit *hits, size_t *nhits);

/* The meta table of an index file: 0 or SQLite's code. */
int search_meta_get_db(sqlite3 *db, const char *key, char *out, size_t size);
int search_meta_set_db(sqlite3 *db, const char *key, const char *value);

/* Sets key of o to the text v, or to null when there is none. */
void search_set_text(json_t *o, const char *key, const unsigned char *v);

/* Binds the marks around matched words that o asks for (« and » unless
 * it names others) to parameters 1 and 2 of a snippet query. */
void search_bind_marks(sqlite3_stmt *st, const search_opts *o);

/* Records SQLite's last message for db under `what`. */
int search_db_fail(search_index *ix, const char *what);

/* Brings the public rows up to today's date when an embargo may have
 * ended since they were written. */
int search_refresh_public(search_index *ix);

#endif
