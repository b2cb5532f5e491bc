/*
 * search_int.h: what the files of the search module share: the index
 * handle and the SQLite glue.
 */
#ifndef MORES_SEARCH_INT_H
#define MORES_SEARCH_INT_H

#include "search.h"

#include <sqlite3.h>
#include <stdint.h>

struct search_index {
	archive *a;
	sqlite3 *db;
	char *path;
	char commit[41];
	int frozen; /* search_freeze() */
	int lock;   /* index.lock, held shared while the file is open; -1 */
	int last_code; /* SQLite's code at the last failure */
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
		       int (*fn)(void *ctx, const char *tok, int n), void *ctx);
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
