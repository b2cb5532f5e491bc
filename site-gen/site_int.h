/*
 * site_int.h: what the files of the site generator share: a growing text
 * buffer with escaping for each context, the Markdown renderer, and the
 * model of a build (the public reflections and the counts per year).
 */
#ifndef MORES_SITE_INT_H
#define MORES_SITE_INT_H

#include "site.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

/* Bump when the pages change shape: every page is rendered again. */
#define SITE_VERSION "3"

struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

void sb_put(struct sbuf *b, const char *s, size_t n);
/* Room for n more bytes (and the NUL after them): 0, or -1 with oom set. */
int sb_reserve(struct sbuf *b, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Text escaped for HTML element content and quoted attribute values. */
void sb_text(struct sbuf *b, const char *s);
/* Text escaped for XML (feeds and sitemaps). */
#define sb_xml sb_text
/* JSON text (from jansson) with <, > and & written as \u escapes, so
 * that no markup appears even inside its strings. */
void sb_json(struct sbuf *b, const char *json);
void sb_free(struct sbuf *b);

/* Markdown to HTML with cmark-gfm in safe mode (no raw HTML, no
 * javascript: links), tables, autolinks, strikethrough and tagfilter;
 * the text's highest heading gets level `top`, the others follow, so
 * that the page keeps one h1 and its headings in order. */
void site_markdown(struct sbuf *b, const char *markdown, int top);

/* A public reflection as the listings need it. */
struct entry {
	archive_public *p;  /* the public view without its long texts */
	int year;
	char **mentions;    /* public dossiers its texts mention */
	size_t nmentions;
	char key[17];       /* what its page depends on, hashed */
	size_t num;         /* its number in the search shards (by id) */
	char tree[41];      /* git id of the dossier's folder */
	int has_response;
	uint64_t item;      /* what site_list_item() shows of it, hashed */
	char *export_head;  /* its line of data/reflecties.json up to the
			     * related ids (site_export_head), or NULL */
	uint64_t head_hash; /* of export_head */
	int in_place;       /* its texts lie in the mapped model file: only
			     * the view and its arrays are its own */
	uint64_t vbits;     /* its values: bit i for the vocabulary's i-th
			     * (the first 64; the rest by name) */
	uint32_t ibits;     /* its instruments: bit i for the i-th known */
};

/* Frees what an entry owns. */
void site_entry_free(struct entry *e);

/* A public reflection citing another, in its related list or text. */
struct cite {
	const char *dst;
	struct entry *src;
};

/* A cache file being read (mapped): its bytes after the magic and key.
 * bad is set by the first read that runs past the end or finds
 * nonsense. */
struct cache_in {
	const unsigned char *p;
	size_t len, at, map_len;
	int bad;
	struct cache_chunk *pool; /* what cache_alloc() gave, freed with in */
};

/* What the yearly report counts, per year of receipt. */
struct year_stats {
	int year;
	int asked, unasked, confidential, published, responses;
	int *days;          /* receipt to adoption, public ones */
	size_t ndays, capdays;
};

struct site {
	archive *a;
	const char *out;
	int out_fd;         /* the folder out, open */
	char today[11];
	const char *name, *title, *base_url, *code, *theme_class;
	uint64_t frame;     /* what every page's frame shows, hashed */
	uint64_t labels;    /* the vocabulary's ids and labels, hashed */
	char export_key[17]; /* of data/reflecties.json */
	archive_vocab *vocab;
	struct entry *e;    /* public reflections, newest first */
	size_t n, cap;
	struct entry **by_id; /* the same, sorted by id */
	struct cite *cites;   /* who cites whom, sorted by the cited id */
	size_t ncites;
	struct year_stats *years; /* newest first */
	size_t nyears;
	site_stats *st;
	/* the search shards are written by a second thread, beside the
	 * pages: the manifest and the counts in st are taken under lock */
	pthread_mutex_t lock;
	struct sbuf manifest; /* "key path" per file written this build */
	char **old_keys;    /* from the previous build, sorted by path */
	size_t nold;
	struct site_harvest *harvest; /* other committees' (harvest.c) */
	struct cache_in model; /* the model file the entries' texts lie in */
	struct model_save *save; /* the model being written, or NULL */
};

/* A thread of a site_parallel() run. */
struct site_worker {
	struct site *s;
	archive *a, *own;
};

/* The thread's own handle on the archive, at the build's snapshot,
 * opened on first use. */
int site_worker_archive(archive **out, struct site_worker *w);

/* Work number i of a site_parallel() run. */
typedef int (*site_work_fn)(struct site *s, struct site_worker *w, size_t i,
			    void *ctx);

/* Does works 0 .. n-1, in as many threads as there are cores but no more
 * than one a per_thread works (0: in this thread only). Returns 0, or the
 * first failure with its message. */
int site_parallel(struct site *s, size_t n, size_t per_thread,
		  site_work_fn fn, void *ctx);

/* A piece of a build done by a thread of its own beside the rest; its
 * failure and message cross back when it is waited for. */
struct site_aside {
	struct site *s;
	int (*fn)(struct site *s, void *ctx);
	void *ctx;
	pthread_t thread;
	int started, rc;
	char error[1024];
};

/* Starts fn(s, ctx) in a thread, or does it here and now when no thread
 * can be had (its result is then returned). */
int site_aside_start(struct site_aside *j, struct site *s,
		     int (*fn)(struct site *s, void *ctx), void *ctx);
/* Waits for it; rc, the caller's own result so far, wins over its. */
int site_aside_finish(struct site_aside *j, int rc);

/* Pass one (model.c): fills s->e (unsorted) and s->years from every
 * dossier of the snapshot, reading only the dossiers that changed since
 * the previous build; counts those read in s->st->loaded. What it learnt
 * is written for the next build by a thread of its own, which
 * site_model_finish() waits for. */
int site_model_read(struct site *s);
void site_model_finish(struct site *s);

/* ---- what a build keeps for the next (cache.c) -------------------------- */

/* A cache file in the making, written as it grows: magic (8 bytes) and
 * key first. A failed write only makes cache_commit() fail. */
struct cache_out {
	struct sbuf b;
	FILE *f;
	char *tmp, *path;
	uint64_t h[4]; /* the checksum so far, in four lanes */
	uint64_t written; /* bytes gone to the file (the position: + b.len) */
	int bad;
	int memory; /* only b, for pieces of a file to come (zeroed: none) */
};

/* -1 when the file cannot be made (the put functions then do nothing). */
int cache_create(struct cache_out *o, const char *path, const char *magic,
		 const char *key);
void cache_put_uint(struct cache_out *o, uint64_t v);
void cache_put_str(struct cache_out *o, const char *s); /* NULL allowed */
void cache_put_list(struct cache_out *o, char *const *list, size_t n);
void cache_put_bytes(struct cache_out *o, const char *p, size_t n);
/* Puts the checksum on and renames the file into place; -1 on failure,
 * which leaves the earlier file as it was. Either way o is finished. */
int cache_commit(struct cache_out *o);
void cache_abort(struct cache_out *o);

/* Opens path when it is whole, of this magic and of exactly this key;
 * -1 otherwise (nothing to close then). */
int cache_open(struct cache_in *in, const char *path, const char *magic,
	       const char *key);
void cache_close(struct cache_in *in);
/* Each returns 0, or -1 (and sets in->bad) at the end or on damage. A
 * text read with cache_get_str() is the caller's to free, NULL when none
 * was stored; cache_get_bytes() points into the file instead. */
static inline int cache_get_uint(struct cache_in *in, uint64_t *v)
{
	uint64_t x = 0;

	/* a posting is two of these: kept inline */
	for (int shift = 0; shift < 64 && in->at < in->len; shift += 7) {
		unsigned char c = in->p[in->at++];

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	*v = 0;
	in->bad = 1;
	return -1;
}
int cache_get_bytes(struct cache_in *in, const char **out, size_t *len);
int cache_get_str(struct cache_in *in, char **out);
/* A list whose texts stay where they lie in the file (NUL-terminated),
 * its array from cache_alloc(): nothing of it is the caller's to free. */
int cache_get_list_in_place(struct cache_in *in, char ***out, size_t *count);
/* Zeroed memory that lives as long as in is open; NULL (and in->bad set)
 * when there is none. */
void *cache_alloc(struct cache_in *in, size_t size);
/* DERIVED/name, the folder made when missing; NULL when it cannot be. */
char *cache_path(struct site *s, const char *name);

/* Writes OUT/path unless it already holds exactly this; records it. */
int site_write(struct site *s, const char *path, const char *data,
	       size_t len, const char *key);
/* Whether the previous build wrote path with this key (and it exists). */
int site_unchanged(struct site *s, const char *path, const char *key);

/* A 64-bit hash over a text (NULL counts as empty) and its end, and over
 * a number: the keys that say what a file depends on. */
#define SITE_HASH_START 1469598103934665603ull
void site_hash_str(uint64_t *h, const char *s);
void site_hash_u64(uint64_t *h, uint64_t v);

/* Whether the previous build wrote the shards of the group with hex name
 * (zoeken/t/HEX.js, or one file per three-byte prefix of a group
 * that was split) from postings of this key, and they are all still
 * there; if so they are recorded as unchanged and each one's name is
 * passed to fn. */
int site_unchanged_shards(struct site *s, const char *hex, const char *key,
			  void (*fn)(const char *name, void *ctx), void *ctx);

/* The public reflection with this id, or NULL. */
struct entry *site_find(struct site *s, const char *id);

/* The reflections citing id (sorted by their id): *count of them from
 * the returned one on. */
const struct cite *site_cited_by(struct site *s, const char *id,
				 size_t *count);

/* The start of a reflection's line in data/reflecties.json: the JSON
 * object of its public fields up to (not including) its related ids,
 * without the closing brace; NULL when out of memory. */
char *site_export_head(const archive_public *p);

/* The pages. */
int site_page_reflection(struct site *s, struct entry *e,
			 const archive_dossier *d);
int site_pages_lists(struct site *s);
int site_pages_reports(struct site *s);
int site_pages_fixed(struct site *s);
int site_feeds(struct site *s);
/* The sitemap: every page this build recorded, so it comes last. */
int site_sitemap(struct site *s);
/* The search shards, from an index that is up to date (so that only the
 * index is read, never the archive: site_build runs this in a thread of
 * its own while the pages are written). */
struct search_index;
int site_search_shards(struct site *s, struct search_index *ix);
int site_assets(struct site *s);

/* The common frame of every page: head, header, navigation and footer
 * around body. depth: how many folders below the root the page is. */
void site_page(struct site *s, struct sbuf *out, int depth, const char *title,
	       const char *body, const char *scripts);
/* "../../" for depth 2. */
const char *site_root(int depth);

/* A reflection in a listing (an <li> with title, citation, summary). */
void site_list_item(struct site *s, struct sbuf *b, const struct entry *e,
		    int depth, int level);

/* Labels. */
const char *site_kind_label(const char *kind);
const char *site_instrument_label(const char *name);
/* The place of a known instrument (for entry->ibits), or -1. */
int site_instrument_index(const char *name);
const char *site_value_label(struct site *s, const char *id);
/* "23 november 2026" */
void site_date(struct sbuf *b, const char *iso);

struct search_index;

/* Called once per word form, in byte order, with the reflections that
 * hold it by document number (ascending) and a weight for each. */
typedef int (*site_term_fn)(const char *term, const size_t *nums,
			    const int *weights, size_t n, void *ctx);

/* Offered a whole group of word forms (those sharing their first two
 * bytes, or the one form shorter than that) that is exactly as the last
 * build had it, with the key of its postings (site_shard_hash_*): 1 when
 * what was made of it then still stands, and its forms need not be
 * passed; 0 to have them passed all the same; negative on failure. */
typedef int (*site_group_fn)(const char *group, uint64_t key, void *ctx);

/* The key of a group's postings: from the start, each form with its
 * postings in turn. */
uint64_t site_shard_hash_start(void);
void site_shard_hash_term(uint64_t *h, const char *term, const size_t *nums,
			  const int *weights, size_t n);

/* The committee's own postings (postings.c), from what the previous
 * build kept and the index's rows of what changed since, or all from the
 * index; kept in turn for the next build. same may be NULL. */
int site_own_terms(struct site *s, struct search_index *ix, site_term_fn fn,
		   site_group_fn same, void *ctx);

/* Other committees' reflections in the search (harvest.c): streams the
 * word forms of the committee's own and of the harvested reflections,
 * merged in order, to fn, after writing a page reflecties/KEY/ for each
 * harvested one. Harvested reflections are numbered from s->n on. */
int site_harvest_terms(struct site *s, struct search_index *ix,
		       site_term_fn fn, site_group_fn same, void *ctx);
/* The number of harvested reflections; the document number of one by
 * its key (SIZE_MAX when there is none); its row for the document
 * chunks (a new reference); and freeing them. */
size_t site_harvest_count(struct site *s);
size_t site_harvest_num(struct site *s, const char *key);
json_t *site_harvest_doc(struct site *s, size_t k);
void site_harvest_free(struct site *s);

#endif
