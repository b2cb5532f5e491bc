/*
 * search.h: the precedent index of an archive. A SQLite FTS5 index under
 * ARCHIVE/.mores/ (git-ignored, rebuilt when damaged) holds every dossier
 * with its advice and response, with facets (kind, status, year, values,
 * instruments, topics, visibility) and the citation graph. It records the
 * commit it reflects and catches up from the git diff, so queries never
 * lag the archive.
 *
 * Two audiences: staff search covers everything, confidential dossiers,
 * notes and internal passages included; public search covers only the
 * public view of each dossier that the publication rule allows
 * (archive_public_view()), and nothing in this module decides publicness
 * on its own.
 *
 * Failures return a negative ARCHIVE_E* code with the message in
 * archive_error_last().
 */
#ifndef MORES_SEARCH_H
#define MORES_SEARCH_H

#include "archive/archive.h"

#include <jansson.h>
#include <stddef.h>

typedef struct search_index search_index;

/* What an update did. */
typedef struct {
	int rebuilt;         /* started over (asked for, or the index was
			      * missing, damaged or from another version) */
	size_t indexed;      /* dossiers (re)indexed */
	size_t removed;      /* dossiers taken out */
} search_stats;

/* Sets SQLite up for mores (its page cache, see search/index.c); it takes
 * effect only before SQLite's first use in the process, and search_open()
 * calls it, so only code that opens SQLite itself need call it first. */
void search_library_init(void);

/* Opens the index of archive a (creating it when missing, starting over
 * when it is damaged) without updating it. */
int search_open(search_index **out, archive *a);
void search_close(search_index *ix);

/* Brings the index up to the archive's snapshot: only the dossiers changed
 * since the commit it reflects, or everything when rebuild is set. */
int search_update(search_index *ix, int rebuild, search_stats *st);

/* From now on the index is read as it stands: search_update(), and every
 * search that calls it, leaves it as it is. A thread other than the one
 * that reads the archive can then use the index, as the site build's
 * search shards do: libgit2's repository is not shared between threads. */
void search_freeze(search_index *ix);

/* The commit the index reflects ("" when empty). */
const char *search_commit(search_index *ix);

/* ---- queries ------------------------------------------------------------ */

typedef struct {
	const char *kind;    /* asked, unasked */
	const char *value;   /* a value id */
	const char *status;
	int year;            /* 0: any */
	int public_only;     /* --public */
	int limit;           /* 0: 20 */
	const char *mark_open, *mark_close; /* around matched words in
					     * snippets; NULL: guillemets */
	int rank_every;      /* rank every match with FTS5's own bm25, not
			      * through the lists of best rows (a check
			      * that both agree) */
} search_opts;

/* Turns what a person typed into an FTS5 query: words (all must occur),
 * "exact phrases", -word (must not occur) and OR between two terms.
 * ARCHIVE_EINVALID, with a message saying what to change, for anything
 * else. Caller frees *out. */
int search_parse(char **out, const char *query);

/* Runs a query: an array of {id, citation, title, kind, status, year,
 * score, snippet}, best first (score: higher is better). */
int search_query(json_t **out, search_index *ix, const char *query,
		 const search_opts *o);

/* How the last search_query() ranked: "lists" (the lists of best rows
 * of its words), "every match" (each row that matches, with the words'
 * frequencies from the lists) or "fts5" (FTS5's bm25, for phrases). */
const char *search_query_plan(const search_index *ix);

/* Other dossiers ranked by what they share with dossier id: values,
 * topics, instruments, citations either way and distinctive words; an
 * array of {id, title, score, why: [reasons]}. */
int search_similar(json_t **out, search_index *ix, const char *id,
		   int limit);

/* The dossiers that cite id, in their related list or in their text: an
 * array of {id, title, how: "related"|"text"|"related+text"}. */
int search_cited_by(json_t **out, search_index *ix, const char *id);

/* ---- the public postings, for the site's search shards ---------------- */

/* Called once per indexed word form (in byte order) with the public
 * dossiers that hold it and a weight for each (occurrences, counted more
 * in titles and summaries than in the text). */
typedef int (*search_term_fn)(const char *term, char *const *ids,
			      const int *weights, size_t n, void *ctx);

/* Streams the postings of the public rows, brought up to date first:
 * exactly what `mores search --public` searches. */
int search_public_terms(search_index *ix, search_term_fn fn, void *ctx);

/* Called once per word form of one public row, in byte order, with the
 * weight search_public_terms() gives that dossier for it. */
typedef int (*search_doc_term_fn)(const char *term, int weight, void *ctx);

/* The word forms of the public row of dossier id as the index holds it
 * now (none when the dossier has no public row): its part of what
 * search_public_terms() streams, so that a caller keeping the postings
 * of unchanged dossiers can renew only those of the changed ones. The
 * index keeps them beside the row, caught as FTS5 tokenized it. */
int search_public_doc_terms(search_index *ix, const char *id,
			    search_doc_term_fn fn, void *ctx);

/* Called with each word form of each public row: the rows one after
 * another in the order of their dossier ids (byte order), the forms of
 * a row in byte order, each with its weight. */
typedef int (*search_row_fn)(const char *id, const char *term, int weight,
			     void *ctx);

/* Every public row's word forms as the index keeps them beside the row:
 * what search_public_terms() streams, row by row instead of form by
 * form, read without tokenizing anything. */
int search_public_rows(search_index *ix, search_row_fn fn, void *ctx);

/* The version of the index's format and word forms; what was derived
 * from an index of another version must be derived again. */
const char *search_version(void);

/* ---- other committees' reflections (mores harvest) -------------------- */

/* Runs a query over the harvested reflections (the files `mores harvest`
 * keeps under harvest/ in the derived folder, mirrored into the index
 * when they change): an array like search_query()'s, every row with
 * committee, url (its page on the committee's own site), key (unique
 * among harvested rows: CODE-YYYY-NNN) and harvested: true. Only what
 * the other committees published is there. */
int search_harvested(json_t **out, search_index *ix, const char *query,
		     const search_opts *o);

/* Every harvested reflection, by key: an array of {key, committee,
 * site, id, citation, title, kind, year, url, summary}. */
int search_harvested_docs(json_t **out, search_index *ix);

/* Like search_public_terms(), over the harvested reflections, which are
 * passed under their key (CODE-YYYY-NNN) instead of a dossier id; the
 * site merges both into its search shards. */
int search_harvest_terms(search_index *ix, search_term_fn fn, void *ctx);

/* ---- the Dutch word forms (shared with the site's search shards) ------- */

typedef struct search_stemmer search_stemmer;

search_stemmer *search_stemmer_new(void);
void search_stemmer_free(search_stemmer *s);

/* The form a word (lower case, diacritics folded, as unicode61 leaves it)
 * is indexed under; writes at most size-1 bytes and a NUL, returns the
 * length (0: nothing to index). */
size_t search_stem(search_stemmer *s, char *out, size_t size, const char *w,
		   size_t n);

/* The parts of a compound word (start and length within w), head first;
 * 0 when w is not a compound of words in the word list. */
struct search_part {
	size_t start, len;
};
int search_compound_parts(const char *w, size_t n, struct search_part *parts,
			  int max);

/* The word list compounds are split with: $MORES_WORDLIST, else Debian's
 * /usr/share/dict/dutch (package wdutch). */
const char *search_wordlist_path(void);

#endif
