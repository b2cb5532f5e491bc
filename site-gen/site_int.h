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

/* Bump when the pages change shape: every page is rendered again. */
#define SITE_VERSION "2"

struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

void sb_put(struct sbuf *b, const char *s, size_t n);
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
	archive_public *p;  /* the public view, texts freed after pass 1 */
	int year;
	char **mentions;    /* public dossiers its texts mention */
	size_t nmentions;
	char key[17];       /* what its page depends on, hashed */
	size_t num;         /* its number in the search shards (by id) */
};

/* A public reflection citing another, in its related list or text. */
struct cite {
	const char *dst;
	struct entry *src;
};

/* What the yearly report counts, per year of receipt. */
struct year_stats {
	int year;
	int asked, unasked, confidential, published, responses;
	int *days;          /* receipt to adoption, public ones */
	size_t ndays;
};

struct site {
	archive *a;
	const char *out;
	char today[11];
	const char *name, *title, *base_url, *code, *theme_class;
	archive_vocab *vocab;
	struct entry *e;    /* public reflections, newest first */
	size_t n;
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
};

/* Writes OUT/path unless it already holds exactly this; records it. */
int site_write(struct site *s, const char *path, const char *data,
	       size_t len, const char *key);
/* Whether the previous build wrote path with this key (and it exists). */
int site_unchanged(struct site *s, const char *path, const char *key);

/* The public reflection with this id, or NULL. */
struct entry *site_find(struct site *s, const char *id);

/* The reflections citing id (sorted by their id): *count of them from
 * the returned one on. */
const struct cite *site_cited_by(struct site *s, const char *id,
				 size_t *count);

/* The pages. */
int site_page_reflection(struct site *s, struct entry *e,
			 const archive_dossier *d);
int site_pages_lists(struct site *s);
int site_pages_reports(struct site *s);
int site_pages_fixed(struct site *s);
int site_feeds(struct site *s);
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
const char *site_value_label(struct site *s, const char *id);
/* "23 november 2026" */
void site_date(struct sbuf *b, const char *iso);

/* Other committees' reflections in the search (harvest.c): streams the
 * word forms of the public rows and of the harvested reflections, merged
 * in order, to fn, after writing a page reflecties/KEY/ for each
 * harvested one. Harvested reflections are numbered from s->n on. */
struct search_index;
int site_harvest_terms(struct site *s, struct search_index *ix,
		       int (*fn)(const char *, char *const *, const int *,
				 size_t, void *),
		       void *ctx);
/* The number of harvested reflections; the document number of one by
 * its key (SIZE_MAX when there is none); its row for the document
 * chunks (a new reference); and freeing them. */
size_t site_harvest_count(struct site *s);
size_t site_harvest_num(struct site *s, const char *key);
json_t *site_harvest_doc(struct site *s, size_t k);
void site_harvest_free(struct site *s);

#endif
