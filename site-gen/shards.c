/*
 * shards.c: search in the browser. mores writes the index in small
 * script files that call a function of zoeken.js, so that search works
 * from a web server and from a folder on disk alike, and a query loads
 * only the few files it needs:
 *
 *   zoeken/index.js       moresIndex({...}): the shard prefixes (in
 *                         hex), the number of reflections, value labels;
 *                         the search page holds only zoeken.js, which
 *                         loads this file first
 *   zoeken/t/HEX.js       moresShard("HEX", {"word": [doc, weight,
 *                         doc - previous doc, weight, ...], ...}) for the
 *                         indexed word forms that start with the prefix
 *                         (HEX: its bytes in hex)
 *   zoeken/d/K.js         moresDocs(K, [[id, title, kind, year, [values],
 *                         summary], ...]) for reflections K*CHUNK ...;
 *                         other committees' (harvest.c) follow the own
 *
 * The word forms are those of `mores search --public` (the same Dutch
 * tokenizer over the same public rows), and documents are numbered by
 * id. A prefix is two bytes; a shard that grows too large is split into
 * three-byte prefixes.
 */
#include "site_int.h"
#include "search/search.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reflections per document file. A query shows its 20 best, which lie
 * anywhere in the collection, so it loads up to 20 of these files: with
 * 500 a query fetched 1.8 MB of summaries from 10,000 dossiers, with 16
 * about 110 KB, while the number of files stays a sixteenth of the
 * reflections. */
#define CHUNK 16
#define SHARD_MAX (48 * 1024)

/* One word form's postings (in the group's arrays), and the JSON member
 * they make. */
struct term {
	char *word;
	size_t at, n;
	char *json; /* "word":[...], made when the group is written */
};

struct shards {
	struct site *s;
	struct term *t;   /* the current two-byte group */
	size_t n, cap;
	size_t *nums;     /* the group's postings, one form after another */
	int *w;
	size_t np, capp, capw;
	char group[3];
	uint64_t h;       /* what the group holds, hashed */
	json_t *prefixes; /* every prefix written */
};

static void hex(char *out, const char *prefix)
{
	for (; *prefix; prefix++, out += 2)
		sprintf(out, "%02x", (unsigned char)*prefix);
	*out = '\0';
}

static int write_shard(struct shards *sh, const char *prefix, size_t from,
		       size_t to, const char *key)
{
	struct sbuf b = { 0 };
	char name[64], path[96];
	int rc;

	/* prefixes go by their bytes in hex: a prefix may end inside a
	 * multi-byte character */
	hex(name, prefix);
	sb_printf(&b, "moresShard(\"%s\",{", name);
	for (size_t i = from; i < to; i++) {
		if (i > from)
			sb_puts(&b, ",");
		sb_puts(&b, sh->t[i].json);
	}
	sb_puts(&b, "});\n");
	snprintf(path, sizeof(path), "zoeken/t/%s.js", name);
	json_array_append_new(sh->prefixes, json_string(name));
	rc = b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		   : site_write(sh->s, path, b.s, b.len, key);
	sb_free(&b);
	return rc;
}

/* Appends v in decimal, which sb_printf() would do at many times the
 * cost: a shard holds hundreds of thousands of numbers. */
static void put_num(struct sbuf *b, size_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	size_t n;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = (size_t)(tmp + sizeof(tmp) - p);
	if (sb_reserve(b, n) == 0) {
		memcpy(b->s + b->len, p, n);
		b->len += n;
		b->s[b->len] = '\0';
	}
}

/* "word":[doc, weight, doc - previous doc, weight, ...] */
static char *member(const struct shards *sh, const struct term *t)
{
	struct sbuf b = { 0 };
	size_t prev = 0;
	json_t *key = json_string(t->word);
	char *quoted;

	quoted = key ? json_dumps(key, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH)
		     : NULL;
	json_decref(key);
	sb_json(&b, quoted ? quoted : "\"\"");
	sb_puts(&b, ":[");
	free(quoted);
	for (size_t i = t->at; i < t->at + t->n; i++) {
		if (i > t->at)
			sb_put(&b, ",", 1);
		put_num(&b, sh->nums[i] - prev);
		sb_put(&b, ",", 1);
		put_num(&b, (size_t)sh->w[i]);
		prev = sh->nums[i];
	}
	sb_puts(&b, "]");
	if (b.oom) {
		sb_free(&b);
		return NULL;
	}
	return b.s;
}

uint64_t site_shard_hash_start(void)
{
	uint64_t h = SITE_HASH_START;

	site_hash_str(&h, SITE_VERSION);
	return h;
}

void site_shard_hash_term(uint64_t *h, const char *term, const size_t *nums,
			  const int *weights, size_t n)
{
	site_hash_str(h, term);
	/* one multiply a posting */
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ (nums[i] * 0x9e3779b97f4a7c15ull +
			    (uint64_t)weights[i])) *
		     1099511628211ull;
}

static void group_clear(struct shards *sh)
{
	for (size_t i = 0; i < sh->n; i++) {
		free(sh->t[i].word);
		free(sh->t[i].json);
	}
	sh->n = 0;
	sh->np = 0;
	sh->h = site_shard_hash_start();
}

static void add_prefix(const char *name, void *ctx)
{
	struct shards *sh = ctx;

	json_array_append_new(sh->prefixes, json_string(name));
}

/* Writes the group as one shard, or as one per three-byte prefix when it
 * is too large to load for a single word; leaves it as it is when the
 * last build wrote the same postings. */
static int flush_group(struct shards *sh)
{
	size_t size = 0;
	char name[8], key[17];
	int rc = 0;

	if (!sh->n)
		return 0;
	hex(name, sh->group);
	snprintf(key, sizeof(key), "%016llx", (unsigned long long)sh->h);
	if (site_unchanged_shards(sh->s, name, key, add_prefix, sh)) {
		group_clear(sh);
		return 0;
	}
	for (size_t i = 0; i < sh->n; i++) {
		if (!(sh->t[i].json = member(sh, &sh->t[i]))) {
			group_clear(sh);
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		}
		size += strlen(sh->t[i].json) + 1;
	}
	if (size <= SHARD_MAX) {
		rc = write_shard(sh, sh->group, 0, sh->n, key);
	} else {
		for (size_t i = 0; i < sh->n && rc == 0;) {
			char prefix[4];
			size_t j = i;

			snprintf(prefix, sizeof(prefix), "%.3s", sh->t[i].word);
			while (j < sh->n && !strncmp(sh->t[j].word, prefix,
						     strlen(prefix)) &&
			       (strlen(prefix) == 3 ||
				strlen(sh->t[j].word) == strlen(prefix)))
				j++;
			rc = write_shard(sh, prefix, i, j, key);
			i = j;
		}
	}
	group_clear(sh);
	return rc;
}

static int on_term(const char *term, const size_t *nums, const int *weights,
		   size_t n, void *ctx)
{
	struct shards *sh = ctx;
	struct term *t;
	int rc = 0;

	if (!n)
		return 0;
	if (strncmp(term, sh->group, 2) || strlen(sh->group) != (strlen(term) < 2 ? strlen(term) : 2)) {
		rc = flush_group(sh);
		snprintf(sh->group, sizeof(sh->group), "%.2s", term);
	}
	if (archive_grow(&sh->t, &sh->cap, sh->n + 1, sizeof(*sh->t)) != 0)
		return archive_error_code();
	if (archive_grow(&sh->nums, &sh->capp, sh->np + n, sizeof(*sh->nums)) ||
	    archive_grow(&sh->w, &sh->capw, sh->np + n, sizeof(*sh->w)))
		return archive_error_code();
	t = &sh->t[sh->n];
	memset(t, 0, sizeof(*t));
	if (!(t->word = strdup(term)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	sh->n++;
	memcpy(sh->nums + sh->np, nums, n * sizeof(*nums));
	memcpy(sh->w + sh->np, weights, n * sizeof(*weights));
	t->at = sh->np;
	t->n = n;
	sh->np += n;
	site_shard_hash_term(&sh->h, term, nums, weights, n);
	return rc;
}

/* A group as the last build had it: its shards stand when they are still
 * there, as they were written. */
static int same_group(const char *group, uint64_t hash, void *ctx)
{
	struct shards *sh = ctx;
	char name[8], key[17];
	int rc = flush_group(sh);

	if (rc != 0)
		return rc;
	hex(name, group);
	snprintf(key, sizeof(key), "%016llx", (unsigned long long)hash);
	if (!site_unchanged_shards(sh->s, name, key, add_prefix, sh))
		return 0;
	snprintf(sh->group, sizeof(sh->group), "%s", group);
	return 1;
}

static json_t *strings(char *const *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static int doc_chunks(struct site *s)
{
	int rc = 0;

	size_t total = s->n + site_harvest_count(s);

	for (size_t k = 0; rc == 0 && k * CHUNK < total; k++) {
		json_t *docs;
		struct sbuf b = { 0 };
		char path[64], key[17], *text;
		uint64_t h = SITE_HASH_START;
		size_t i;

		/* a file of the committee's own reflections is made again only
		 * when one of them changed */
		for (i = k * CHUNK; i < s->n && i < (k + 1) * CHUNK; i++) {
			const struct entry *e = s->by_id[i];

			site_hash_str(&h, e->p->id);
			site_hash_str(&h, e->p->title);
			site_hash_str(&h, e->p->kind);
			site_hash_u64(&h, (uint64_t)e->year);
			for (size_t v = 0; v < e->p->nvalues; v++)
				site_hash_str(&h, e->p->values[v]);
			site_hash_str(&h, "");
			site_hash_str(&h, e->p->summary);
		}
		snprintf(path, sizeof(path), "zoeken/d/%zu.js", k);
		snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
		if ((k + 1) * CHUNK <= s->n && site_unchanged(s, path, key))
			continue;
		docs = json_array();
		for (i = k * CHUNK; i < total && i < (k + 1) * CHUNK; i++) {
			const struct entry *e;

			if (i >= s->n) {
				json_array_append_new(docs,
						      site_harvest_doc(s, i - s->n));
				continue;
			}
			e = s->by_id[i];

			json_array_append_new(
				docs,
				json_pack("[s,s,s,i,o,s]", e->p->id,
					  e->p->title ? e->p->title : "",
					  e->p->kind ? e->p->kind : "", e->year,
					  strings(e->p->values, e->p->nvalues),
					  e->p->summary ? e->p->summary : ""));
		}
		text = json_dumps(docs, JSON_COMPACT | JSON_ESCAPE_SLASH);
		json_decref(docs);
		if (!text)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		sb_printf(&b, "moresDocs(%zu,", k);
		sb_json(&b, text);
		sb_puts(&b, ");\n");
		free(text);
		rc = b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
			   : site_write(s, path, b.s, b.len,
					(k + 1) * CHUNK <= s->n ? key : NULL);
		sb_free(&b);
	}
	return rc;
}

static int index_file(struct site *s, json_t *prefixes)
{
	json_t *o = json_object(), *values = json_object();
	struct sbuf b = { 0 };
	char *text;
	int rc;

	for (size_t i = 0; i < archive_vocab_count(s->vocab); i++) {
		const archive_node *v = archive_vocab_at(s->vocab, i);

		json_object_set_new(values, archive_node_get_scalar(v, "id"),
				    json_string(archive_node_get_scalar(v,
									"label")));
	}
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "code", json_string(s->code));
	json_object_set_new(o, "count",
			    json_integer((json_int_t)(s->n +
						      site_harvest_count(s))));
	json_object_set_new(o, "chunk", json_integer(CHUNK));
	json_object_set_new(o, "prefixes", json_incref(prefixes));
	json_object_set_new(o, "values", values);
	text = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH |
				     JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	sb_puts(&b, "moresIndex(");
	sb_json(&b, text);
	sb_puts(&b, ");\n");
	free(text);
	rc = b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
		   : site_write(s, "zoeken/index.js", b.s, b.len, NULL);
	sb_free(&b);
	return rc;
}

int site_search_shards(struct site *s, search_index *ix)
{
	struct shards sh = { .s = s, .prefixes = json_array() };
	int rc;

	group_clear(&sh);
	rc = site_harvest_terms(s, ix, on_term, same_group, &sh);
	rc = rc ? rc : flush_group(&sh);
	rc = rc ? rc : doc_chunks(s);
	rc = rc ? rc : index_file(s, sh.prefixes);
	group_clear(&sh);
	free(sh.t);
	free(sh.nums);
	free(sh.w);
	json_decref(sh.prefixes);
	site_harvest_free(s);
	return rc;
}
