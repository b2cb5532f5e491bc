/*
 * postings.c: the committee's own postings for the search shards, word
 * form by word form: the reflections that hold the form (by document
 * number, ascending) and a weight for each. A build with nothing to go
 * on streams them from the index (search_public_terms). It keeps them in
 * site-postings.bin in the derived folder, with the folder id of every
 * reflection they came from, and the next build takes the postings of
 * each unchanged reflection from there and asks the index only about the
 * reflections that are new or changed (search_public_doc_terms): after
 * one change, one row is tokenized instead of every instance of every
 * word being read back. Both ways give the same postings, since both
 * come from the same public rows through the same tokenizer.
 *
 * The file holds the forms in the groups the shards are made of (their
 * first two bytes), each with the key of the shard it makes: a group
 * that no changed reflection touches, under the same numbering, is
 * offered to the caller as a whole (same), and when the caller still has
 * its shard it is neither read nor passed on, and is copied as it is. So
 * is a group in which each changed reflection has the postings it had:
 * after a change of a few words, most of the groups a long advice has
 * postings in. Those are walked once to see that, not gathered.
 */
#include "site_int.h"
#include "search/search.h"

#include <stdlib.h>
#include <string.h>

#define POSTINGS_MAGIC "MORESPS5"
/* Which groups a reflection has postings in, as bits of a hash of the
 * group's name (two groups may share a bit: then both are read). */
#define GROUP_BYTES 64
#define POSTINGS_FILE "site-postings.bin"
#define GONE SIZE_MAX

/* A form of the group being gathered. */
struct gterm {
	size_t word; /* offset in words */
	size_t at, n; /* its postings in gnums and gw */
};

/* A posting of a new or changed reflection. */
struct fresh {
	char *term;
	size_t num;
	int w;
};

struct own {
	struct site *s;
	site_term_fn fn;
	site_group_fn same;
	void *ctx;
	/* the file for the next build, when it is written */
	struct cache_out out;
	struct sbuf body; /* the group being written */
	/* the group being gathered: its forms (in words) and postings */
	char group[3];
	struct gterm *gt;
	size_t ngt, capgt;
	struct sbuf words;
	size_t *gnums;
	int *gw;
	size_t ngp, capgp, capgw;
	/* the old file's group of the same name, if any: written again as
	 * it was when the group came out the same */
	struct {
		char group[3];
		uint64_t hash;
		const char *body;
		size_t len;
	} old;
	/* one form's postings */
	size_t *nums;
	int *w;
	size_t n, cap;
	/* the postings of new and changed reflections, by form */
	struct fresh *f;
	size_t nf, capf;
	size_t now; /* the reflection whose row is being read */
	/* the groups of each reflection (by number), for the next build,
	 * and those of every one that changed, before or now */
	unsigned char (*bits)[GROUP_BYTES];
	unsigned char touched[GROUP_BYTES];
};

/* The postings depend on the index's word forms and on the vocabulary,
 * whose labels and synonyms the public rows hold. */
static char *postings_key(struct site *s)
{
	uint64_t h = SITE_HASH_START;
	char *key;

	for (size_t i = 0; i < archive_vocab_count(s->vocab); i++) {
		const archive_node *v = archive_vocab_at(s->vocab, i);
		archive_node *syn = archive_node_get(v, "synonyms");

		site_hash_str(&h, archive_node_get_scalar(v, "id"));
		site_hash_str(&h, archive_node_get_scalar(v, "label"));
		for (size_t k = 0; k < archive_node_count(syn); k++)
			site_hash_str(&h, archive_node_scalar(archive_node_at(syn, k)));
		site_hash_str(&h, "");
	}
	if (asprintf(&key, "%s|%s|%016llx", SITE_VERSION, search_version(),
		     (unsigned long long)h) < 0)
		return NULL;
	return key;
}

/* The group of a form: its first two bytes (or the form, when shorter). */
static void group_of(char out[3], const char *term, size_t len)
{
	size_t n = len < 2 ? len : 2;

	memcpy(out, term, n);
	out[n] = '\0';
}

static unsigned group_bit(const char *group)
{
	uint64_t h = SITE_HASH_START;

	site_hash_str(&h, group);
	return (unsigned)(h % (GROUP_BYTES * 8));
}

/* Marks the group of a form in a reflection's bits. */
static void mark_form(unsigned char *bits, const char *term)
{
	char group[3];
	unsigned b;

	group_of(group, term, strlen(term));
	b = group_bit(group);
	bits[b >> 3] |= (unsigned char)(1u << (b & 7));
}

/* ---- writing the file ------------------------------------------------------- */

/* Appends v as a varint; the caller made room (10 bytes). */
static inline void put_varint(unsigned char **at, uint64_t v)
{
	unsigned char *p = *at;

	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	*at = p;
}

static void begin_file(struct own *o, const char *path, const char *key)
{
	struct site *s = o->s;

	cache_create(&o->out, path, POSTINGS_MAGIC, key);
	cache_put_uint(&o->out, s->n);
	for (size_t i = 0; i < s->n; i++) {
		cache_put_str(&o->out, s->by_id[i]->p->id);
		cache_put_str(&o->out, s->by_id[i]->tree);
	}
}

/* Puts a group into the file: name, key, length, then the bytes. */
static void put_group(struct own *o, const char *group, uint64_t h,
		      const char *body, size_t len)
{
	cache_put_str(&o->out, group);
	cache_put_uint(&o->out, h);
	cache_put_uint(&o->out, len);
	cache_put_bytes(&o->out, body, len);
}

/* The group gathered so far, done: offered whole to the caller, passed on
 * form by form when the caller wants that, and kept for the next build. */
static int finish_group(struct own *o)
{
	uint64_t h = site_shard_hash_start();
	int rc = 0, done = 0;

	if (!o->ngt)
		return 0;
	if (o->words.oom)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (size_t i = 0; i < o->ngt; i++)
		site_shard_hash_term(&h, o->words.s + o->gt[i].word,
				     o->gnums + o->gt[i].at, o->gw + o->gt[i].at,
				     o->gt[i].n);
	if (o->same && (done = o->same(o->group, h, o->ctx)) < 0)
		return done;
	for (size_t i = 0; !done && rc == 0 && i < o->ngt; i++)
		rc = o->fn(o->words.s + o->gt[i].word, o->gnums + o->gt[i].at,
			   o->gw + o->gt[i].at, o->gt[i].n, o->ctx);
	if (rc == 0 && o->out.f && o->old.body && o->old.hash == h &&
	    !strcmp(o->old.group, o->group)) {
		/* the same postings: the same bytes */
		put_group(o, o->group, h, o->old.body, o->old.len);
	} else if (rc == 0 && o->out.f) {
		o->body.len = 0;
		for (size_t i = 0; i < o->ngt; i++) {
			const char *term = o->words.s + o->gt[i].word;
			size_t prev = 0, len = strlen(term);
			unsigned char *at;

			/* at most ten bytes a number, two a posting */
			if (sb_reserve(&o->body, 20 + len + 20 * o->gt[i].n) != 0)
				break;
			at = (unsigned char *)o->body.s + o->body.len;
			put_varint(&at, len);
			memcpy(at, term, len);
			at += len;
			put_varint(&at, o->gt[i].n);
			for (size_t k = o->gt[i].at; k < o->gt[i].at + o->gt[i].n;
			     k++) {
				put_varint(&at, o->gnums[k] - prev);
				put_varint(&at, (uint64_t)o->gw[k]);
				prev = o->gnums[k];
			}
			o->body.len = (size_t)(at - (unsigned char *)o->body.s);
		}
		if (o->body.oom)
			o->out.bad = 1;
		else
			put_group(o, o->group, h, o->body.s, o->body.len);
	}
	o->ngt = o->ngp = 0;
	o->words.len = 0;
	return rc;
}

/* Makes room for a form's n postings at the end of the group being
 * gathered, finishing the group before when the form starts another, and
 * points o->nums and o->w there (o->n = 0). */
static int room(struct own *o, const char *term, size_t n)
{
	char group[3];
	int rc;

	group_of(group, term, strlen(term));
	if (o->ngt && strcmp(group, o->group) && (rc = finish_group(o)) != 0)
		return rc;
	memcpy(o->group, group, sizeof(group));
	if (archive_grow(&o->gnums, &o->capgp, o->ngp + n, sizeof(*o->gnums)) ||
	    archive_grow(&o->gw, &o->capgw, o->ngp + n, sizeof(*o->gw)))
		return archive_error_code();
	o->nums = o->gnums + o->ngp;
	o->w = o->gw + o->ngp;
	o->n = 0;
	return 0;
}

/* Adds the form whose o->n postings room() placed to the group. */
static int emit(struct own *o, const char *term)
{
	size_t len = strlen(term);

	if (!o->n)
		return 0;
	if (archive_grow(&o->gt, &o->capgt, o->ngt + 1, sizeof(*o->gt)) != 0)
		return archive_error_code();
	o->gt[o->ngt] = (struct gterm){ o->words.len, o->ngp, o->n };
	sb_put(&o->words, term, len + 1);
	o->ngp += o->n;
	o->ngt++;
	return 0;
}

/* ---- from the index, everything ------------------------------------------- */

/* The public rows' forms turned around: every form met gets a number
 * (table, an open-addressing table of them), every posting is kept as
 * (form, document, weight), and at the end the forms are put in byte
 * order and the postings in that order, each form's by document. */
struct invert {
	struct own *o;
	char *words;                /* the forms, NUL-terminated */
	size_t nwords, capwords;
	uint32_t *at;               /* a form's offset in words, by number */
	uint32_t *table;            /* 1 + form number, 0: empty */
	size_t nforms, capforms, mask;
	struct posting {
		uint32_t form, num;
		int w;
	} *p;
	size_t np, capp;
	char id[32];                /* the row being read */
	size_t num;
};

static uint64_t hash_form(const char *t)
{
	uint64_t h = SITE_HASH_START;

	site_hash_str(&h, t);
	return h;
}

static int grow_table(struct invert *v)
{
	size_t cap = v->mask ? (v->mask + 1) * 2 : 1 << 16;
	uint32_t *table = calloc(cap, sizeof(*table));

	if (!table)
		return -1;
	for (size_t k = 0; k < v->nforms; k++) {
		size_t i = hash_form(v->words + v->at[k]) & (cap - 1);

		while (table[i])
			i = (i + 1) & (cap - 1);
		table[i] = (uint32_t)k + 1;
	}
	free(v->table);
	v->table = table;
	v->mask = cap - 1;
	return 0;
}

/* The number of a form, given one when it is new; UINT32_MAX when out of
 * memory. */
static uint32_t form_of(struct invert *v, const char *term)
{
	size_t i, n = strlen(term);

	if ((v->nforms + 1) * 2 > v->mask && grow_table(v) != 0)
		return UINT32_MAX;
	for (i = hash_form(term) & v->mask; v->table[i];
	     i = (i + 1) & v->mask)
		if (!strcmp(v->words + v->at[v->table[i] - 1], term))
			return v->table[i] - 1;
	if (archive_grow(&v->at, &v->capforms, v->nforms + 1, sizeof(*v->at)) ||
	    archive_grow(&v->words, &v->capwords, v->nwords + n + 1, 1))
		return UINT32_MAX;
	memcpy(v->words + v->nwords, term, n + 1);
	v->at[v->nforms] = (uint32_t)v->nwords;
	v->nwords += n + 1;
	v->table[i] = (uint32_t)++v->nforms;
	return (uint32_t)(v->nforms - 1);
}

static int take_row(const char *id, const char *term, int w, void *ctx)
{
	struct invert *v = ctx;
	uint32_t form;

	/* a new row: its document number, once */
	if (strcmp(id, v->id)) {
		struct entry *e = site_find(v->o->s, id);

		snprintf(v->id, sizeof(v->id), "%s", id);
		v->num = e ? e->num : GONE;
	}
	/* only reflections of this very build are searchable */
	if (v->num == GONE)
		return 0;
	if ((form = form_of(v, term)) == UINT32_MAX)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (archive_grow(&v->p, &v->capp, v->np + 1, sizeof(*v->p)) != 0)
		return archive_error_code();
	v->p[v->np++] = (struct posting){ form, (uint32_t)v->num, w };
	mark_form(v->o->bits[v->num], term);
	return 0;
}

static int cmp_forms(const void *x, const void *y, void *words)
{
	return strcmp((const char *)words + *(const uint32_t *)x,
		      (const char *)words + *(const uint32_t *)y);
}

/* The forms in byte order, each with its postings, to emit(). */
static int pass_inverted(struct invert *v)
{
	struct own *o = v->o;
	uint32_t *order = malloc((v->nforms + 1) * sizeof(*order));
	uint32_t *rank = malloc((v->nforms + 1) * sizeof(*rank));
	size_t *start = calloc(v->nforms + 2, sizeof(*start));
	struct posting *sorted = malloc((v->np + 1) * sizeof(*sorted));
	int rc = 0;

	if (!order || !rank || !start || !sorted) {
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
		goto done;
	}
	/* the forms, by their offsets, in byte order */
	for (size_t k = 0; k < v->nforms; k++)
		order[k] = v->at[k];
	if (v->nforms > 1)
		qsort_r(order, v->nforms, sizeof(*order), cmp_forms, v->words);
	for (size_t r = 0; r < v->nforms; r++) {
		const char *w = v->words + order[r];
		size_t i = hash_form(w) & v->mask;

		while (strcmp(v->words + v->at[v->table[i] - 1], w))
			i = (i + 1) & v->mask;
		rank[v->table[i] - 1] = (uint32_t)r;
	}
	/* counted into place: the rows came by document, so each form's
	 * postings stay by document */
	for (size_t i = 0; i < v->np; i++)
		start[rank[v->p[i].form] + 1]++;
	for (size_t r = 0; r < v->nforms; r++)
		start[r + 1] += start[r];
	for (size_t i = 0; i < v->np; i++)
		sorted[start[rank[v->p[i].form]]++] = v->p[i];
	for (size_t r = 0, i = 0; rc == 0 && r < v->nforms; r++) {
		const char *term = v->words + order[r];
		size_t n = 0;

		if ((rc = room(o, term, start[r] - i)) != 0)
			break;
		for (; i < start[r]; i++) {
			o->nums[n] = sorted[i].num;
			o->w[n++] = sorted[i].w;
		}
		o->n = n;
		rc = emit(o, term);
	}
done:
	free(order);
	free(rank);
	free(start);
	free(sorted);
	return rc;
}

/* Every form of every public row from the index, none tokenized anew. */
static int from_index(struct own *o, search_index *ix)
{
	struct invert *v = calloc(1, sizeof(*v));
	int rc;

	if (!v)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	v->o = o;
	rc = grow_table(v) != 0 ? archive_error_set(ARCHIVE_ERROR,
						    "out of memory")
				: search_public_rows(ix, take_row, v);
	rc = rc ? rc : pass_inverted(v);
	free(v->words);
	free(v->at);
	free(v->table);
	free(v->p);
	free(v);
	return rc;
}

/* ---- from the last build, with the changed rows anew ------------------------ */

static int add_fresh(const char *term, int weight, void *ctx)
{
	struct own *o = ctx;

	if (archive_grow(&o->f, &o->capf, o->nf + 1, sizeof(*o->f)) != 0)
		return archive_error_code();
	if (!(o->f[o->nf].term = strdup(term)))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	o->f[o->nf].num = o->now;
	o->f[o->nf].w = weight;
	o->nf++;
	mark_form(o->bits[o->now], term);
	mark_form(o->touched, term);
	return 0;
}

static int cmp_fresh(const void *x, const void *y)
{
	const struct fresh *a = x, *b = y;
	int c = strcmp(a->term, b->term);

	return c ? c : (a->num > b->num) - (a->num < b->num);
}

static void fresh_free(struct own *o)
{
	for (size_t i = 0; i < o->nf; i++)
		free(o->f[i].term);
	free(o->f);
	o->f = NULL;
	o->nf = o->capf = 0;
}

/* Compares a stored text (not NUL-terminated) with a text. */
static int cmp_stored(const char *p, size_t n, const char *t)
{
	size_t m = strlen(t);
	int c = memcmp(p, t, n < m ? n : m);

	return c ? c : (n > m) - (n < m);
}

/* Moves the fresh postings of term (those from k on) in among the kept
 * ones of o, by number, and returns where the next form's start. Mostly
 * one reflection changed: each fresh posting finds its place by halving,
 * and the ones after it move up at once. */
static size_t mix_fresh(struct own *o, const char *term, size_t k)
{
	size_t to = k;

	while (to < o->nf && !strcmp(o->f[to].term, term))
		to++;
	for (size_t f = k; f < to; f++) {
		size_t lo = 0, hi = o->n, num = o->f[f].num;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (o->nums[mid] < num)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(o->nums + lo + 1, o->nums + lo,
			(o->n - lo) * sizeof(*o->nums));
		memmove(o->w + lo + 1, o->w + lo, (o->n - lo) * sizeof(*o->w));
		o->nums[lo] = num;
		o->w[lo] = o->f[f].w;
		o->n++;
	}
	return to;
}

/* Emits the fresh forms from *k on that sort before the stored text
 * [p, p+n) (all of them when p is NULL). */
static int fresh_before(struct own *o, size_t *k, const char *p, size_t n)
{
	int rc = 0;

	while (rc == 0 && *k < o->nf &&
	       (!p || cmp_stored(p, n, o->f[*k].term) > 0)) {
		char term[256];

		snprintf(term, sizeof(term), "%s", o->f[*k].term);
		if ((rc = room(o, term, o->nf - *k)) != 0)
			break;
		*k = mix_fresh(o, term, *k);
		rc = emit(o, term);
	}
	return rc;
}

/* The next posting of a group: the distance to its document and its
 * weight; -1 when it does not read. */
static inline int next_posting(struct cache_in *g, uint64_t *d, uint64_t *w)
{
	/* mostly a byte each */
	if (g->at + 1 < g->len && g->p[g->at] < 0x80 &&
	    g->p[g->at + 1] < 0x80) {
		*d = g->p[g->at];
		*w = g->p[g->at + 1];
		g->at += 2;
		return 0;
	}
	return cache_get_uint(g, d) != 0 || cache_get_uint(g, w) != 0 ||
			       *w > INT32_MAX
		       ? -1
		       : 0;
}

/* One group of the old file: its forms merged with the fresh postings
 * (those from *k on); map gives each of the old file's reflections its
 * number now, or GONE. Sets *damaged when it does not read as it was
 * written. */
static int merge_group(struct own *o, struct cache_in *g, const size_t *map,
		       size_t nold, size_t *k, int *damaged)
{
	char term[256];
	int rc = 0;

	while (rc == 0 && g->at < g->len) {
		const char *p;
		size_t plen, at = 0;
		uint64_t n, d, w;

		if (cache_get_uint(g, &n) != 0 || n >= sizeof(term) ||
		    n > g->len - g->at)
			return *damaged = 1, -1;
		p = (const char *)g->p + g->at;
		plen = (size_t)n;
		g->at += plen;
		if ((rc = fresh_before(o, k, p, plen)) != 0)
			return rc;
		memcpy(term, p, plen);
		term[plen] = '\0';
		if (cache_get_uint(g, &n) != 0 || n > g->len)
			return *damaged = 1, -1;
		if ((rc = room(o, term, (size_t)n + o->nf - *k)) != 0)
			return rc;
		for (uint64_t i = 0; i < n; i++) {
			if (next_posting(g, &d, &w) != 0)
				return *damaged = 1, -1;
			if ((at += (size_t)d) >= nold)
				return *damaged = 1, -1;
			if (map[at] != GONE) {
				o->nums[o->n] = map[at];
				o->w[o->n++] = (int)w;
			}
		}
		if (*k < o->nf && !strcmp(o->f[*k].term, term))
			*k = mix_fresh(o, term, *k);
		rc = emit(o, term);
	}
	return rc;
}

/* Whether group g of the old file comes out as it was, though a changed
 * reflection has postings in it: the reflections kept their numbers, and
 * each changed one has the very postings in it now (the fresh ones, from
 * *k on) that it had (those of the old file its number maps to GONE). The
 * postings are walked, not kept; on 1 *k moves past the group's fresh
 * ones. 0 when the group changed, -1 when it does not read. */
static int group_same_as(struct own *o, struct cache_in g, const size_t *map,
			 size_t nold, size_t *k, const char *group)
{
	size_t q = *k;
	char last[3];

	while (g.at < g.len) {
		const char *p;
		size_t plen, at = 0;
		uint64_t n, d, w;

		if (cache_get_uint(&g, &n) != 0 || n >= 256 ||
		    n > g.len - g.at)
			return -1;
		p = (const char *)g.p + g.at;
		plen = (size_t)n;
		g.at += plen;
		if (cache_get_uint(&g, &n) != 0 || n > g.len)
			return -1;
		for (uint64_t i = 0; i < n; i++) {
			if (next_posting(&g, &d, &w) != 0)
				return -1;
			if ((at += (size_t)d) >= nold)
				return -1;
			if (map[at] != GONE)
				continue;
			if (q >= o->nf || cmp_stored(p, plen, o->f[q].term) ||
			    o->f[q].num != at || o->f[q].w != (int)w)
				return 0;
			q++;
		}
	}
	/* a fresh posting left over (of a form the group had or not) lies
	 * in the group: the walk met no old one to pair it with */
	if (q < o->nf) {
		group_of(last, o->f[q].term, strlen(o->f[q].term));
		if (!strcmp(last, group))
			return 0;
	}
	*k = q;
	return 1;
}

/* The groups of the old file, each offered whole when it can be: when
 * the reflections kept their numbers and no changed one has a posting
 * in it, before or now, or each has the same ones as before. */
static int merge(struct own *o, struct cache_in *in, const size_t *map,
		 size_t nold, int renumbered, int *damaged)
{
	size_t k = 0;
	int rc = 0;

	for (;;) {
		const char *name;
		size_t nlen;
		uint64_t hash, len;
		struct cache_in g;
		char group[3];
		unsigned bit;

		if (cache_get_bytes(in, &name, &nlen) != 0 || nlen > 2)
			return *damaged = 1, -1;
		if (!name)
			break;
		if (cache_get_uint(in, &hash) != 0 ||
		    cache_get_uint(in, &len) != 0 || len > in->len - in->at)
			return *damaged = 1, -1;
		g = (struct cache_in){ in->p + in->at, (size_t)len, 0, 0, 0 };
		in->at += (size_t)len;
		memcpy(group, name, nlen);
		group[nlen] = '\0';
		/* what came before is a group of its own */
		if ((rc = fresh_before(o, &k, name, nlen)) != 0 ||
		    (rc = finish_group(o)) != 0)
			return rc;
		memcpy(o->old.group, group, sizeof(group));
		o->old.hash = hash;
		o->old.body = (const char *)g.p;
		o->old.len = g.len;
		/* untouched by any change, under the same numbers: no
		 * reflection that changed has (or had) a posting in it */
		bit = group_bit(group);
		if (!renumbered && o->same &&
		    !(o->touched[bit >> 3] & (1u << (bit & 7)))) {
			if ((rc = o->same(group, hash, o->ctx)) < 0)
				return rc;
			if (rc == 1) {
				if (o->out.f)
					put_group(o, group, hash,
						  (const char *)g.p, g.len);
				continue;
			}
		}
		/* touched, but each changed reflection has the same postings
		 * in it as before: most groups after a small change */
		if (!renumbered && o->same) {
			size_t past = k;
			int same = group_same_as(o, g, map, nold, &past, group);

			if (same < 0)
				return *damaged = 1, -1;
			if (same && (rc = o->same(group, hash, o->ctx)) < 0)
				return rc;
			if (same && rc == 1) {
				k = past;
				if (o->out.f)
					put_group(o, group, hash,
						  (const char *)g.p, g.len);
				continue;
			}
		}
		if ((rc = merge_group(o, &g, map, nold, &k, damaged)) != 0)
			return rc;
	}
	rc = fresh_before(o, &k, NULL, 0);
	return rc ? rc : finish_group(o);
}

/* The postings of reflection j, asked of the index. */
static int ask_index(struct own *o, search_index *ix, size_t j)
{
	o->now = j;
	return search_public_doc_terms(ix, o->s->by_id[j]->p->id, add_fresh, o);
}

/* Takes what it can from the old file; 1 when it is of no use (the
 * caller then reads everything from the index), else 0 or an error. */
/* The groups of the old file's reflections: a table at the end of the
 * file, found by its offset in the last eight bytes; the file is read up
 * to it. NULL when it is not where it should be. */
static const unsigned char *bits_of(struct cache_in *in, size_t n)
{
	uint64_t off = 0;

	if (in->len < 8 + in->at)
		return NULL;
	for (int i = 0; i < 8; i++)
		off |= (uint64_t)in->p[in->len - 8 + i] << (8 * i);
	if (off < in->at || n > (in->len - 8 - off) / GROUP_BYTES ||
	    off + n * GROUP_BYTES + 8 != in->len)
		return NULL;
	in->len = (size_t)off;
	return in->p + off;
}

static int from_last_build(struct own *o, search_index *ix, const char *path,
			   const char *key)
{
	struct site *s = o->s;
	struct cache_in in;
	uint64_t nold;
	size_t *map = NULL, j = 0, i;
	const unsigned char *old_bits = NULL;
	int rc = 0, damaged = 0, changed, renumbered;

	if (cache_open(&in, path, POSTINGS_MAGIC, key) != 0)
		return 1;
	if (cache_get_uint(&in, &nold) != 0 || nold > in.len ||
	    !(map = malloc((nold ? (size_t)nold : 1) * sizeof(*map))) ||
	    !(old_bits = bits_of(&in, (size_t)nold))) {
		free(map);
		cache_close(&in);
		return 1;
	}
	changed = renumbered = nold != s->n;
	/* both lists are sorted by id: one walk pairs them */
	for (i = 0; i < nold && rc == 0; i++) {
		const char *id, *tree;
		size_t nid, ntree;

		if (cache_get_bytes(&in, &id, &nid) != 0 || !id ||
		    cache_get_bytes(&in, &tree, &ntree) != 0 || !tree)
			break;
		map[i] = GONE;
		while (rc == 0 && j < s->n &&
		       cmp_stored(id, nid, s->by_id[j]->p->id) > 0) {
			rc = ask_index(o, ix, j++);
			changed = renumbered = 1;
		}
		if (rc != 0 || j >= s->n ||
		    cmp_stored(id, nid, s->by_id[j]->p->id) != 0) {
			changed = renumbered = 1; /* no longer on the site */
			continue;
		}
		if (!cmp_stored(tree, ntree, s->by_id[j]->tree)) {
			map[i] = j;
			changed |= i != j;
			renumbered |= i != j;
		} else {
			rc = ask_index(o, ix, j);
			changed = 1;
		}
		j++;
	}
	if (rc == 0 && i < nold) {
		free(map);
		cache_close(&in);
		return 1;
	}
	for (; rc == 0 && j < s->n; j++) {
		rc = ask_index(o, ix, j);
		changed = renumbered = 1;
	}
	/* the groups of those kept, and of those changed or gone */
	for (i = 0; rc == 0 && i < nold; i++) {
		const unsigned char *b = old_bits + i * GROUP_BYTES;

		if (map[i] != GONE) {
			memcpy(o->bits[map[i]], b, GROUP_BYTES);
			continue;
		}
		for (size_t k = 0; k < GROUP_BYTES; k++)
			o->touched[k] |= b[k];
	}
	if (rc == 0 && o->nf > 1)
		qsort(o->f, o->nf, sizeof(*o->f), cmp_fresh);
	/* the file is written again only when its postings changed */
	if (rc == 0 && changed)
		begin_file(o, path, key);
	if (rc == 0 &&
	    (merge(o, &in, map, (size_t)nold, renumbered, &damaged) != 0 ||
	     (in.at != in.len && (damaged = 1))))
		rc = damaged ? archive_error_set(ARCHIVE_ERROR,
						 "%s: damaged; remove it and "
						 "build again",
						 path)
			     : archive_error_code();
	free(map);
	cache_close(&in);
	return rc;
}

int site_own_terms(struct site *s, search_index *ix, site_term_fn fn,
		   site_group_fn same, void *ctx)
{
	struct own *o = calloc(1, sizeof(*o));
	char *path = cache_path(s, POSTINGS_FILE), *key = postings_key(s);
	int rc;

	if (!key || !o) {
		free(o);
		free(path);
		free(key);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	o->s = s;
	o->fn = fn;
	o->same = same;
	o->ctx = ctx;
	if (!(o->bits = calloc(s->n + 1, GROUP_BYTES))) {
		free(o);
		free(path);
		free(key);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	if ((rc = search_update(ix, 0, NULL)) == 0) {
		rc = path ? from_last_build(o, ix, path, key) : 1;
		if (rc == 1) {
			/* of no use: nothing was passed on yet */
			fresh_free(o);
			memset(o->bits, 0, s->n * GROUP_BYTES);
			begin_file(o, path, key);
			rc = from_index(o, ix);
			rc = rc ? rc : finish_group(o);
		}
	}
	if (rc == 0 && o->out.f) {
		/* the groups' end, then the table of which reflection has
		 * postings in which, and where that table starts */
		unsigned char at[8];
		uint64_t off;

		cache_put_str(&o->out, NULL);
		off = o->out.written + o->out.b.len;
		cache_put_bytes(&o->out, (const char *)o->bits,
				s->n * GROUP_BYTES);
		for (int i = 0; i < 8; i++)
			at[i] = (unsigned char)(off >> (8 * i));
		cache_put_bytes(&o->out, (const char *)at, sizeof(at));
		cache_commit(&o->out);
	} else {
		cache_abort(&o->out);
	}
	sb_free(&o->body);
	sb_free(&o->words);
	free(o->gt);
	free(o->gnums);
	free(o->gw);
	fresh_free(o);
	free(o->bits);
	free(o);
	free(path);
	free(key);
	return rc;
}
