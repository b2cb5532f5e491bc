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

/* One word form's postings, rendered as a JSON member. */
struct term {
	char *word;
	char *json; /* "word":[...] */
};

struct shards {
	struct site *s;
	struct term *t;   /* the current two-byte group */
	size_t n, cap;
	char group[3];
	json_t *prefixes; /* every prefix written */
};

static void hex(char *out, const char *prefix)
{
	for (; *prefix; prefix++, out += 2)
		sprintf(out, "%02x", (unsigned char)*prefix);
	*out = '\0';
}

static int write_shard(struct shards *sh, const char *prefix, size_t from,
		       size_t to)
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
		   : site_write(sh->s, path, b.s, b.len, NULL);
	sb_free(&b);
	return rc;
}

/* Writes the group as one shard, or as one per three-byte prefix when it
 * is too large to load for a single word. */
static int flush_group(struct shards *sh)
{
	size_t size = 0;
	int rc = 0;

	for (size_t i = 0; i < sh->n; i++)
		size += strlen(sh->t[i].json) + 1;
	if (sh->n && size <= SHARD_MAX) {
		rc = write_shard(sh, sh->group, 0, sh->n);
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
			rc = write_shard(sh, prefix, i, j);
			i = j;
		}
	}
	for (size_t i = 0; i < sh->n; i++) {
		free(sh->t[i].word);
		free(sh->t[i].json);
	}
	sh->n = 0;
	return rc;
}

static int cmp_num(const void *x, const void *y)
{
	const size_t *a = x, *b = y;

	return (a[0] > b[0]) - (a[0] < b[0]);
}

static int on_term(const char *term, char *const *ids, const int *weights,
		   size_t n, void *ctx)
{
	struct shards *sh = ctx;
	size_t *pairs = malloc(2 * n * sizeof(*pairs)), k = 0, prev = 0;
	struct sbuf b = { 0 };
	json_t *key;
	char *quoted;
	int rc = 0;

	if (!pairs)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct entry *e = site_find(sh->s, ids[i]);
		size_t num = e ? e->num : site_harvest_num(sh->s, ids[i]);

		/* only reflections of this very build are searchable */
		if (num == SIZE_MAX)
			continue;
		pairs[2 * k] = num;
		pairs[2 * k + 1] = (size_t)weights[i];
		k++;
	}
	if (!k) {
		free(pairs);
		return 0;
	}
	qsort(pairs, k, 2 * sizeof(*pairs), cmp_num);
	if (strncmp(term, sh->group, 2) || strlen(sh->group) != (strlen(term) < 2 ? strlen(term) : 2)) {
		rc = flush_group(sh);
		snprintf(sh->group, sizeof(sh->group), "%.2s", term);
	}
	key = json_string(term);
	quoted = key ? json_dumps(key, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH)
		     : NULL;
	json_decref(key);
	sb_json(&b, quoted ? quoted : "\"\"");
	sb_puts(&b, ":[");
	free(quoted);
	for (size_t i = 0; i < k; i++) {
		sb_printf(&b, "%s%zu,%zu", i ? "," : "", pairs[2 * i] - prev,
			  pairs[2 * i + 1]);
		prev = pairs[2 * i];
	}
	sb_puts(&b, "]");
	free(pairs);
	if (sh->n == sh->cap) {
		struct term *more = realloc(sh->t, (sh->cap = sh->cap * 2 + 64) *
							   sizeof(*more));

		if (!more) {
			sb_free(&b);
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		}
		sh->t = more;
	}
	sh->t[sh->n].word = strdup(term);
	sh->t[sh->n].json = b.s;
	sh->n++;
	return rc || b.oom ? (rc ? rc : archive_error_set(ARCHIVE_ERROR,
							  "out of memory"))
			   : 0;
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
		json_t *docs = json_array();
		struct sbuf b = { 0 };
		char path[64], *text;

		for (size_t i = k * CHUNK; i < total && i < (k + 1) * CHUNK; i++) {
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
		snprintf(path, sizeof(path), "zoeken/d/%zu.js", k);
		rc = b.oom ? archive_error_set(ARCHIVE_ERROR, "out of memory")
			   : site_write(s, path, b.s, b.len, NULL);
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
	struct shards sh = { s, NULL, 0, 0, "", json_array() };
	int rc;

	rc = site_harvest_terms(s, ix, on_term, &sh);
	rc = rc ? rc : flush_group(&sh);
	rc = rc ? rc : doc_chunks(s);
	rc = rc ? rc : index_file(s, sh.prefixes);
	for (size_t i = 0; i < sh.n; i++) {
		free(sh.t[i].word);
		free(sh.t[i].json);
	}
	free(sh.t);
	json_decref(sh.prefixes);
	site_harvest_free(s);
	return rc;
}
