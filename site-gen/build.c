/*
 * build.c: a site build in two passes. The first (model.c) learns which
 * dossiers are public and counts every dossier for the yearly reports,
 * reading only the dossiers that changed since the previous build. The
 * second renders the page of each reflection whose inputs changed; the
 * listings, reports, feeds and search shards are made from what the
 * first pass learnt, the shards in a thread of their own. Every file has
 * a key that says what it was made from: a file whose key is what the
 * previous build recorded is not made again, a file is only written when
 * its content changed, and files of an earlier build that are no longer
 * part of the site are removed, so a build after one change touches only
 * what depends on it.
 */
#include "site_int.h"
#include "search/search.h"

#include <cmark-gfm-core-extensions.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST ".mores-build"


/* ---- writing files ------------------------------------------------------- */

static int mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int same_content(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *old;
	size_t n;
	int same;

	if (stat(path, &st) != 0 || (size_t)st.st_size != len)
		return 0;
	if (archive_file_slurp(&old, &n, path) != 0) {
		archive_error_clear();
		return 0;
	}
	same = n == len && !memcmp(old, data, len);
	free(old);
	return same;
}

/* Notes a file of this build in the manifest and counts it. */
static void record(struct site *s, const char *path, const char *key,
		   size_t *count)
{
	pthread_mutex_lock(&s->lock);
	sb_puts(&s->manifest, path);
	sb_put(&s->manifest, "\t", 1);
	sb_puts(&s->manifest, key ? key : "-");
	sb_put(&s->manifest, "\n", 1);
	(*count)++;
	pthread_mutex_unlock(&s->lock);
}

int site_write(struct site *s, const char *path, const char *data,
	       size_t len, const char *key)
{
	char full[4096], tmp[4200];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", s->out, path);
	if (same_content(full, data, len)) {
		record(s, path, key, &s->st->unchanged);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp-%d", full, (int)getpid());
	if (mkdirs(full) != 0 || !(f = fopen(tmp, "wb")))
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", full,
					 strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", full,
					 strerror(errno));
	}
	if (rename(tmp, full) != 0) {
		unlink(tmp);
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", full,
					 strerror(errno));
	}
	record(s, path, key, &s->st->written);
	return 0;
}

static int cmp_line(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Finds "path\t" in the previous manifest. */
static const char *old_line(struct site *s, const char *path)
{
	size_t lo = 0, hi = s->nold, n = strlen(path);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(s->old_keys[mid], path, n);

		if (c == 0 && s->old_keys[mid][n] != '\t')
			c = s->old_keys[mid][n] < '\t' ? -1 : 1;
		if (c == 0)
			return s->old_keys[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int site_unchanged(struct site *s, const char *path, const char *key)
{
	const char *line = old_line(s, path);
	struct stat st;

	if (!line || strcmp(line + strlen(path) + 1, key))
		return 0;
	if (fstatat(s->out_fd, path, &st, 0) != 0)
		return 0;
	record(s, path, key, &s->st->unchanged);
	return 1;
}

/* Whether a manifest line's path is one of the group's shards. */
static int shard_of(const char *line, const char *dir, const char *hex)
{
	size_t nd = strlen(dir), nh = strlen(hex), n = strcspn(line, "\t");

	if (n < nd + nh + 3 || strncmp(line, dir, nd) ||
	    strncmp(line + nd, hex, nh) || strncmp(line + n - 3, ".js", 3))
		return 0;
	/* HEX.js, or for a group of two bytes also HEX with one more
	 * byte in hex */
	return n == nd + nh + 3 || (nh == 4 && n == nd + nh + 5);
}

int site_unchanged_shards(struct site *s, const char *hex, const char *key,
			  void (*fn)(const char *name, void *ctx), void *ctx)
{
	static const char dir[] = "zoeken/t/";
	char first[64], full[4200];
	size_t lo = 0, hi = s->nold, n = 0, dn = strlen(dir);
	struct stat st;

	snprintf(first, sizeof(first), "%s%s", dir, hex);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(s->old_keys[mid], first) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* every file of the group, as the last build wrote it */
	for (size_t i = lo; i < s->nold && !strncmp(s->old_keys[i], first,
						      strlen(first));
	     i++) {
		const char *line = s->old_keys[i];
		size_t len = strcspn(line, "\t");

		if (!shard_of(line, dir, hex))
			continue;
		if (strcmp(line + len + 1, key))
			return 0;
		if (len >= sizeof(full))
			return 0;
		memcpy(full, line, len);
		full[len] = '\0';
		if (fstatat(s->out_fd, full, &st, 0) != 0)
			return 0;
		n++;
	}
	if (!n)
		return 0;
	for (size_t i = lo; i < s->nold && !strncmp(s->old_keys[i], first,
						      strlen(first));
	     i++) {
		const char *line = s->old_keys[i];
		size_t len = strcspn(line, "\t");
		char path[128], name[64];

		if (!shard_of(line, dir, hex) || len >= sizeof(path))
			continue;
		snprintf(path, sizeof(path), "%.*s", (int)len, line);
		snprintf(name, sizeof(name), "%.*s", (int)(len - dn - 3),
			 line + dn);
		record(s, path, key, &s->st->unchanged);
		fn(name, ctx);
	}
	return 1;
}

/* Splits a manifest into sorted lines (in place). */
static char **manifest_lines(char *text, size_t *count)
{
	size_t n = 0, cap = 0;
	char **lines = NULL;

	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		if (n == cap) {
			char **more = realloc(lines, (cap = cap * 2 + 64) *
							     sizeof(*lines));
			if (!more)
				break;
			lines = more;
		}
		if (strchr(p, '\t'))
			lines[n++] = p;
		p = nl ? nl + 1 : NULL;
	}
	if (n)
		qsort(lines, n, sizeof(*lines), cmp_line);
	*count = n;
	return lines;
}

/* Compares two manifest lines by their path (the part before the tab). */
static int cmp_path(const char *a, const char *b)
{
	size_t na = strcspn(a, "\t"), nb = strcspn(b, "\t");
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : (na > nb) - (na < nb);
}

/* Removes the files of the previous build that this one did not make:
 * both manifests are sorted, so one walk through them finds them. */
static void remove_stale(struct site *s, char **now, size_t nnow)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nold; i++) {
		char full[4200];
		int c = 1;

		while (j < nnow && (c = cmp_path(now[j], s->old_keys[i])) < 0)
			j++;
		if (j < nnow && c == 0)
			continue;
		snprintf(full, sizeof(full), "%s/%.*s", s->out,
			 (int)strcspn(s->old_keys[i], "\t"), s->old_keys[i]);
		if (unlink(full) == 0)
			s->st->removed++;
	}
}

static int finish_manifest(struct site *s)
{
	char *copy = s->manifest.s ? strdup(s->manifest.s) : strdup("");
	struct sbuf text = { 0 };
	char path[4096], **now;
	size_t n;
	FILE *f;

	if (!copy)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	now = manifest_lines(copy, &n);
	remove_stale(s, now, n);
	for (size_t i = 0; i < n; i++) {
		sb_puts(&text, now[i]);
		sb_puts(&text, "\n");
	}
	snprintf(path, sizeof(path), "%s/%s", s->out, MANIFEST);
	f = fopen(path, "wb");
	if (!f || fwrite(text.s ? text.s : "", 1, text.len, f) != text.len ||
	    fclose(f) != 0) {
		free(now);
		free(copy);
		sb_free(&text);
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", path,
					 strerror(errno));
	}
	free(now);
	free(copy);
	sb_free(&text);
	return 0;
}

/* ---- pass 1: what is public, and the counts ------------------------------ */

static int cmp_entry_id(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	return strcmp(a->p->id, b->p->id);
}

/* Newest first: by adoption, then by id. */
static int cmp_entry_new(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(b->p->adopted ? b->p->adopted : "",
		       a->p->adopted ? a->p->adopted : "");

	return c ? c : strcmp(b->p->id, a->p->id);
}

static int cmp_ptr_id(const void *x, const void *y)
{
	const struct entry *a = *(struct entry *const *)x;
	const struct entry *b = *(struct entry *const *)y;

	return strcmp(a->p->id, b->p->id);
}

struct entry *site_find(struct site *s, const char *id)
{
	archive_public key = { .id = (char *)id };
	struct entry k = { .p = &key }, *kp = &k, **hit;

	hit = bsearch(&kp, s->by_id, s->n, sizeof(*s->by_id), cmp_ptr_id);
	return hit ? *hit : NULL;
}

static int cmp_cite(const void *x, const void *y)
{
	const struct cite *a = x, *b = y;
	int c = strcmp(a->dst, b->dst);

	return c ? c : strcmp(a->src->p->id, b->src->p->id);
}

const struct cite *site_cited_by(struct site *s, const char *id,
				 size_t *count)
{
	size_t lo = 0, hi = s->ncites, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(s->cites[mid].dst, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < s->ncites && !strcmp(s->cites[lo].dst, id))
		lo++;
	*count = lo - first;
	return s->cites + first;
}

/* The places of the vocabulary's values by id: an open-addressing
 * table, so that a reflection's values are found without comparing each
 * with every value. */
struct value_index {
	const char *id[256];
	int at[256];
};

static void value_index_make(struct value_index *vi, const archive_vocab *v)
{
	memset(vi, 0, sizeof(*vi));
	for (size_t i = 0; i < archive_vocab_count(v) && i < 64; i++) {
		const char *id = archive_node_get_scalar(archive_vocab_at(v, i),
							 "id");
		uint64_t h = SITE_HASH_START;
		size_t k;

		if (!id)
			continue;
		site_hash_str(&h, id);
		for (k = h & 255; vi->id[k]; k = (k + 1) & 255)
			;
		vi->id[k] = id;
		vi->at[k] = (int)i;
	}
}

static int value_index(const struct value_index *vi, const char *id)
{
	uint64_t h = SITE_HASH_START;

	site_hash_str(&h, id);
	for (size_t k = h & 255; vi->id[k]; k = (k + 1) & 255)
		if (!strcmp(vi->id[k], id))
			return vi->at[k];
	return -1;
}

/* The lookup tables of pass 2: by id, and who cites whom (once per pair,
 * whether by the related list, the text or both). */
static int index_entries(struct site *s)
{
	struct value_index vi;
	size_t cap = 0;

	s->by_id = malloc((s->n ? s->n : 1) * sizeof(*s->by_id));
	if (!s->by_id)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	/* in the order of ids, which pass one numbered them in */
	for (size_t i = 0; i < s->n; i++)
		s->by_id[s->e[i].num] = &s->e[i];
	value_index_make(&vi, s->vocab);
	for (size_t i = 0; i < s->n; i++) {
		const archive_public *p = s->by_id[i]->p;
		uint64_t h = SITE_HASH_START;

		s->by_id[i]->num = i;
		site_hash_str(&h, p->id);
		site_hash_str(&h, p->citation);
		site_hash_str(&h, p->title);
		site_hash_str(&h, p->kind);
		site_hash_str(&h, p->adopted);
		site_hash_str(&h, p->summary);
		s->by_id[i]->item = h;
		/* its values and instruments as bits, for the listings */
		for (size_t k = 0; k < p->nvalues; k++) {
			int v = value_index(&vi, p->values[k]);

			if (v >= 0 && v < 64)
				s->by_id[i]->vbits |= 1ull << v;
		}
		for (size_t k = 0; k < p->ninstruments; k++) {
			int at = site_instrument_index(p->instruments[k]);

			if (at >= 0)
				s->by_id[i]->ibits |= 1u << at;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		size_t total = e->p->nrelated + e->nmentions;

		for (size_t k = 0; k < total; k++) {
			const char *dst = k < e->p->nrelated
						  ? e->p->related[k]
						  : e->mentions[k - e->p->nrelated];
			int seen = 0;

			for (size_t j = 0; j < k && !seen; j++)
				seen = !strcmp(dst, j < e->p->nrelated
							    ? e->p->related[j]
							    : e->mentions[j - e->p->nrelated]);
			if (seen)
				continue;
			if (s->ncites == cap) {
				struct cite *more = realloc(
					s->cites, (cap = cap * 2 + 64) *
							  sizeof(*more));

				if (!more)
					return archive_error_set(
						ARCHIVE_ERROR, "out of memory");
				s->cites = more;
			}
			s->cites[s->ncites++] = (struct cite){ dst, e };
		}
	}
	if (s->ncites)
		qsort(s->cites, s->ncites, sizeof(*s->cites), cmp_cite);
	return 0;
}

/* A binary search over the entries while they are sorted by id. */
static struct entry *find_sorted(struct site *s, const char *id)
{
	archive_public key = { .id = (char *)id };
	struct entry k = { .p = &key };

	return bsearch(&k, s->e, s->n, sizeof(*s->e), cmp_entry_id);
}

/* Keeps only the ids of public dossiers in a list. */
static void only_public(struct site *s, char **ids, size_t *n, int in_place)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++) {
		if (find_sorted(s, ids[i]))
			ids[k++] = ids[i];
		else if (!in_place)
			free(ids[i]);
	}
	*n = k;
}

static int cmp_year_desc(const void *x, const void *y)
{
	return ((const struct year_stats *)y)->year -
	       ((const struct year_stats *)x)->year;
}

static int sorted(const void *base, size_t n, size_t size,
		  int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		if (cmp((const char *)base + (i - 1) * size,
			(const char *)base + i * size) > 0)
			return 0;
	return 1;
}

static int pass_one(struct site *s)
{
	int rc = site_model_read(s);

	if (rc != 0)
		return rc;
	/* qsort may not be given NULL, which an empty archive has; the
	 * model comes mostly in this order already */
	if (s->n && !sorted(s->e, s->n, sizeof(*s->e), cmp_entry_id))
		qsort(s->e, s->n, sizeof(*s->e), cmp_entry_id);
	for (size_t i = 0; i < s->n; i++) {
		only_public(s, s->e[i].p->related, &s->e[i].p->nrelated,
			    s->e[i].in_place);
		only_public(s, s->e[i].mentions, &s->e[i].nmentions,
			    s->e[i].in_place);
		s->e[i].num = i; /* its place by id, for index_entries() */
	}
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), cmp_entry_new);
	if (s->nyears)
		qsort(s->years, s->nyears, sizeof(*s->years), cmp_year_desc);
	return index_entries(s);
}

/* ---- pass 2: the reflection pages --------------------------------------- */

/* Eight bytes a step: a build hashes every summary and title for its
 * keys, which byte by byte took a tenth of a build after a change. The
 * text's end is hashed too, so that "ab" then "c" differs from "a" then
 * "bc"; NULL hashes as "". */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

void site_hash_str(uint64_t *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	uint64_t x = *h, w = 0;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		x = mix(x, w);
	}
	w = 0;
	if (n)
		memcpy(&w, s, n);
	*h = mix(x, w ^ ((uint64_t)(n + 1) << 56));
}

void site_hash_u64(uint64_t *h, uint64_t v)
{
	*h = mix(*h, v);
}

/* The page of a reflection depends on its files (the id of its folder),
 * on what it shows of the reflections it links to and of those that cite
 * it, on the labels of its values and on the frame. */
static void page_key(struct site *s, struct entry *e)
{
	uint64_t h = s->frame;
	const struct cite *cites;
	size_t n;

	site_hash_str(&h, e->tree);
	for (size_t i = 0; i < e->p->nrelated; i++) {
		struct entry *r = site_find(s, e->p->related[i]);

		site_hash_u64(&h, r ? r->item : 0);
	}
	cites = site_cited_by(s, e->p->id, &n);
	for (size_t i = 0; i < n; i++)
		site_hash_u64(&h, cites[i].src->item);
	/* the labels of its values: those of the whole vocabulary, in the
	 * key of every page that shows one */
	if (e->p->nvalues)
		site_hash_u64(&h, s->labels);
	snprintf(e->key, sizeof(e->key), "%016llx", (unsigned long long)h);
}

/* Pages are made in more threads than one only when there are this many
 * to make: another handle on the archive costs a few milliseconds. */
#define PAGES_PER_THREAD 256

/* The page of reflection i: left as it is when the previous build made
 * it from the same inputs, else made anew. */
static int check_page(struct site *s, struct site_worker *w, size_t i,
		      void *ctx)
{
	struct entry *e = &s->e[i];
	size_t n = strlen(e->p->id);
	archive_dossier *d = NULL;
	archive *a;
	char path[64];
	int rc;

	(void)ctx;
	page_key(s, e);
	/* ids are short: no room to check (and no printf, 5,000 times
	 * over) */
	if (n > sizeof(path) - 23)
		return archive_error_set(ARCHIVE_EINVALID, "%s: not a dossier "
					 "id", e->p->id);
	memcpy(path, "reflecties/", 11);
	memcpy(path + 11, e->p->id, n);
	memcpy(path + 11 + n, "/index.html", 12);
	if (site_unchanged(s, path, e->key))
		return 0;
	if ((rc = site_worker_archive(&a, w)) != 0 ||
	    (rc = archive_dossier_load(&d, archive_snapshot(a), e->p->id)) != 0)
		return rc;
	rc = site_page_reflection(s, e, d);
	archive_dossier_free(d);
	return rc;
}

/* Pass two: the reflection pages, in threads; a thread opens the archive
 * only when it has a page to make. */
static int pass_two(struct site *s)
{
	return site_parallel(s, s->n, PAGES_PER_THREAD, check_page, NULL);
}

/* ---- the build ----------------------------------------------------------- */

static void load_manifest(struct site *s, char **text)
{
	char path[4096];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", s->out, MANIFEST);
	*text = NULL;
	if (archive_file_slurp(text, &len, path) != 0) {
		archive_error_clear();
		return;
	}
	s->old_keys = manifest_lines(*text, &s->nold);
}

static void site_free(struct site *s)
{
	/* the model's writer reads from the old file mapped below */
	site_model_finish(s);
	for (size_t i = 0; i < s->n; i++)
		site_entry_free(&s->e[i]);
	free(s->e);
	cache_close(&s->model);
	free(s->by_id);
	free(s->cites);
	for (size_t i = 0; i < s->nyears; i++)
		free(s->years[i].days);
	free(s->years);
	archive_vocab_free(s->vocab);
	sb_free(&s->manifest);
	free(s->old_keys);
	if (s->out_fd >= 0)
		close(s->out_fd);
	pthread_mutex_destroy(&s->lock);
}

static const char *setting(archive *a, const char *key, const char *dflt)
{
	const archive_node *site = archive_node_get(archive_settings(a), "site");
	const char *v = site ? archive_node_get_scalar(site, key) : NULL;

	return v && *v ? v : dflt;
}

char *site_base_path(archive *a)
{
	const char *url = setting(a, "base_url", NULL), *host, *path;
	size_t n;

	host = url ? strstr(url, "://") : NULL;
	path = host ? strchr(host + 3, '/') : NULL;
	if (!path)
		return NULL;
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	return n ? strndup(path, n) : NULL;
}

/* The search shards, written by a thread of their own while this one
 * writes the pages: the two share no work. The thread reads only the
 * search index, which is brought up to date before it starts and then
 * frozen, so that the thread never reads the archive. */
struct shards_job {
	search_index *ix;
	struct site_aside aside;
};

static int make_shards(struct site *s, void *ix)
{
	return site_search_shards(s, ix);
}

static int shards_start(struct shards_job *j, struct site *s)
{
	int rc;

	if ((rc = search_open(&j->ix, s->a)) != 0 ||
	    (rc = search_update(j->ix, 0, NULL)) != 0)
		return rc;
	search_freeze(j->ix);
	return site_aside_start(&j->aside, s, make_shards, j->ix);
}

/* Waits for the shards; rc is the build's own result so far, which wins. */
static int shards_finish(struct shards_job *j, int rc)
{
	rc = site_aside_finish(&j->aside, rc);
	search_close(j->ix);
	return rc;
}

/* The listings, reports, fixed pages and feeds: made by a thread of
 * their own while this one makes the reflection pages, since the two
 * share nothing but the manifest (under its lock). */
static int make_lists(struct site *s, void *ctx)
{
	int rc = site_pages_lists(s);

	(void)ctx;
	rc = rc ? rc : site_pages_reports(s);
	rc = rc ? rc : site_pages_fixed(s);
	return rc ? rc : site_feeds(s);
}

int site_build(archive *a, const char *out, site_stats *st)
{
	struct site s = { 0 };
	struct shards_job shards = { 0 };
	struct site_aside lists = { 0 };
	site_stats none;
	char *manifest_text = NULL;
	int rc;

	st = st ? st : &none;
	memset(st, 0, sizeof(*st));
	s.a = a;
	s.out = out;
	s.out_fd = -1;
	s.st = st;
	s.code = archive_code(a);
	s.name = archive_name(a);
	s.title = setting(a, "title", s.name);
	s.base_url = setting(a, "base_url", NULL);
	s.theme_class = setting(a, "theme_class", "voorbeeld-theme");
	s.frame = SITE_HASH_START;
	site_hash_str(&s.frame, SITE_VERSION);
	site_hash_str(&s.frame, s.name);
	site_hash_str(&s.frame, s.title);
	site_hash_str(&s.frame, s.base_url);
	site_hash_str(&s.frame, s.code);
	site_hash_str(&s.frame, s.theme_class);
	pthread_mutex_init(&s.lock, NULL);
	archive_date_today(s.today);
	rc = archive_vocab_load(&s.vocab, archive_snapshot(a));
	s.labels = SITE_HASH_START;
	for (size_t i = 0; rc == 0 && i < archive_vocab_count(s.vocab); i++) {
		const archive_node *v = archive_vocab_at(s.vocab, i);

		site_hash_str(&s.labels, archive_node_get_scalar(v, "id"));
		site_hash_str(&s.labels, archive_node_get_scalar(v, "label"));
	}
	/* nothing is written before every dossier has been read */
	rc = rc ? rc : pass_one(&s);
	if (rc == 0 && mkdir(out, 0755) != 0 && errno != EEXIST)
		rc = archive_error_set(ARCHIVE_ERROR, "%s: %s", out,
				       strerror(errno));
	if (rc == 0 && (s.out_fd = open(out, O_RDONLY | O_DIRECTORY |
					 O_CLOEXEC)) < 0)
		rc = archive_error_set(ARCHIVE_ERROR, "%s: %s", out,
				       strerror(errno));
	if (rc == 0)
		load_manifest(&s, &manifest_text);
	/* cmark-gfm registers its extensions once, not safely in threads */
	cmark_gfm_core_extensions_ensure_registered();
	rc = rc ? rc : shards_start(&shards, &s);
	rc = rc ? rc : site_aside_start(&lists, &s, make_lists, NULL);
	rc = rc ? rc : pass_two(&s);
	rc = site_aside_finish(&lists, rc);
	rc = shards_finish(&shards, rc);
	rc = rc ? rc : site_assets(&s);
	rc = rc ? rc : site_sitemap(&s);
	if (rc == 0 && s.manifest.oom)
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	rc = rc ? rc : finish_manifest(&s);
	st->reflections = s.n;
	site_free(&s);
	free(manifest_text);
	return rc;
}
