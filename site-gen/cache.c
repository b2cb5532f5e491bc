/*
 * cache.c: the files a build keeps in the archive's derived folder for
 * the next one (the model of pass one, the postings of the search
 * shards). Each is written to a temporary name and renamed, ends in a
 * checksum of everything before it, and is read back only when it is
 * whole: a damaged or half-written cache is set aside, never trusted,
 * and the build then does the work itself. Numbers are little-endian
 * varints; a text is its length and its bytes, or a marker for none.
 */
#include "site_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NONE 0xffffffffu
#define FLUSH_AT (1u << 20)

/* Four lanes of eight bytes a step, so that the lanes' multiplications
 * overlap (one lane took 2.4 ms for the model of 10,000 dossiers), the
 * rest one by one; a writer that hands over its bytes in runs of a
 * multiple of 32 gets what a reader of the whole file gets. */
#define CHECKSUM_STEP 32
#define CHECKSUM_START 1469598103934665603ull

static void checksum(uint64_t lane[4], const unsigned char *p, size_t n)
{
	for (; n >= CHECKSUM_STEP; p += CHECKSUM_STEP, n -= CHECKSUM_STEP)
		for (int i = 0; i < 4; i++) {
			uint64_t w, h;

			memcpy(&w, p + 8 * i, 8);
			h = (lane[i] ^ w) * 0x100000001b3ull;
			lane[i] = h ^ (h >> 29);
		}
	while (n--)
		lane[0] = (lane[0] ^ *p++) * 1099511628211ull;
}

static uint64_t sum_of(const uint64_t lane[4])
{
	uint64_t h = lane[0];

	for (int i = 1; i < 4; i++)
		h = (h ^ lane[i]) * 0x9e3779b97f4a7c15ull;
	return h;
}

static void sum_start(uint64_t lane[4])
{
	for (int i = 0; i < 4; i++)
		lane[i] = CHECKSUM_START + (uint64_t)i;
}


/* ---- writing ------------------------------------------------------------- */

/* Writes what is buffered, but for the last len % 8 bytes unless this
 * is the end. */
static void flush(struct cache_out *o, int end)
{
	size_t n;

	if (o->b.oom)
		o->bad = 1;
	if (o->bad)
		return;
	n = end ? o->b.len : o->b.len & ~(size_t)(CHECKSUM_STEP - 1);
	checksum(o->h, (const unsigned char *)o->b.s, n);
	if (n && fwrite(o->b.s, 1, n, o->f) != n)
		o->bad = 1;
	o->written += n;
	if (n && o->b.len > n)
		memmove(o->b.s, o->b.s + n, o->b.len - n);
	o->b.len -= n;
}

int cache_create(struct cache_out *o, const char *path, const char *magic,
		 const char *key)
{
	memset(o, 0, sizeof(*o));
	sum_start(o->h);
	/* what writers of this cache that were killed left: path.tmp-PID */
	if (path)
		archive_remove_left_behind(path, ".tmp-", NULL);
	if (!path || asprintf(&o->tmp, "%s.tmp-%d", path, (int)getpid()) < 0) {
		o->tmp = NULL;
		return -1;
	}
	if (!(o->path = strdup(path)) || !(o->f = fopen(o->tmp, "wb"))) {
		free(o->path);
		free(o->tmp);
		memset(o, 0, sizeof(*o));
		return -1;
	}
	sb_put(&o->b, magic, 8);
	cache_put_str(o, key);
	return 0;
}

void cache_put_uint(struct cache_out *o, uint64_t v)
{
	unsigned char *p;

	if ((!o->f && !o->memory) || sb_reserve(&o->b, 10) != 0)
		return;
	p = (unsigned char *)o->b.s + o->b.len;
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	o->b.len = (size_t)(p - (unsigned char *)o->b.s);
	if (o->f && o->b.len >= FLUSH_AT)
		flush(o, 0);
}

void cache_put_str(struct cache_out *o, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	cache_put_uint(o, s ? n : NONE);
	/* with its NUL, so that a reader can use it where it lies */
	if (s && (o->f || o->memory))
		sb_put(&o->b, s, n + 1);
}

void cache_put_bytes(struct cache_out *o, const char *p, size_t n)
{
	if (!o->f && !o->memory)
		return;
	sb_put(&o->b, p, n);
	if (o->f && o->b.len >= FLUSH_AT)
		flush(o, 0);
}

void cache_put_list(struct cache_out *o, char *const *list, size_t n)
{
	cache_put_uint(o, n);
	for (size_t i = 0; i < n; i++)
		cache_put_str(o, list[i]);
}

void cache_abort(struct cache_out *o)
{
	if (o->f) {
		fclose(o->f);
		unlink(o->tmp);
	}
	sb_free(&o->b);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

int cache_commit(struct cache_out *o)
{
	unsigned char sum[8];
	uint64_t h;
	int rc;

	if (!o->f)
		return -1;
	flush(o, 1);
	h = sum_of(o->h);
	for (int i = 0; i < 8; i++)
		sum[i] = (unsigned char)(h >> (8 * i));
	if (!o->bad && fwrite(sum, 1, sizeof(sum), o->f) != sizeof(sum))
		o->bad = 1;
	rc = fclose(o->f);
	o->f = NULL;
	if (o->bad || rc != 0 || rename(o->tmp, o->path) != 0) {
		unlink(o->tmp);
		rc = -1;
	}
	sb_free(&o->b);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return rc ? -1 : 0;
}

/* ---- reading ------------------------------------------------------------- */

int cache_get_bytes(struct cache_in *in, const char **out, size_t *len)
{
	uint64_t n;

	*out = NULL;
	*len = 0;
	if (cache_get_uint(in, &n) != 0)
		return -1;
	if (n == NONE)
		return 0;
	if (n >= in->len - in->at || in->p[in->at + n] != '\0')
		return in->bad = 1, -1;
	*out = (const char *)in->p + in->at;
	*len = (size_t)n;
	in->at += (size_t)n + 1;
	return 0;
}

int cache_get_str(struct cache_in *in, char **out)
{
	const char *p;
	size_t n;

	*out = NULL;
	if (cache_get_bytes(in, &p, &n) != 0)
		return -1;
	if (p && !(*out = strndup(p, n)))
		return in->bad = 1, -1;
	return 0;
}

/* Memory handed out a piece at a time and given back at once: the
 * records of a model file are thousands of small arrays. */
struct cache_chunk {
	struct cache_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define CHUNK_SIZE (256u << 10)

void *cache_alloc(struct cache_in *in, size_t size)
{
	struct cache_chunk *c = in->pool;
	void *p;

	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->size - c->used < size) {
		size_t room = size > CHUNK_SIZE ? size : CHUNK_SIZE;

		if (!(c = calloc(1, sizeof(*c) + room))) {
			in->bad = 1;
			return NULL;
		}
		c->size = room;
		c->next = in->pool;
		in->pool = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

int cache_get_list_in_place(struct cache_in *in, char ***out, size_t *count)
{
	uint64_t n;

	*out = NULL;
	*count = 0;
	if (cache_get_uint(in, &n) != 0)
		return -1;
	if (n > in->len - in->at)
		return in->bad = 1, -1;
	if (n && !(*out = cache_alloc(in, (size_t)n * sizeof(**out))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *p;
		size_t len;

		if (cache_get_bytes(in, &p, &len) != 0 || !p) {
			*out = NULL;
			return in->bad = 1, -1;
		}
		(*out)[i] = (char *)p;
	}
	*count = (size_t)n;
	return 0;
}

int cache_open(struct cache_in *in, const char *path, const char *magic,
	       const char *key)
{
	const unsigned char *map;
	const char *stored;
	uint64_t lane[4];
	struct stat st;
	size_t len, n;
	uint64_t h = 0;
	int fd;

	memset(in, 0, sizeof(*in));
	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < 17) {
		close(fd);
		return -1;
	}
	len = (size_t)st.st_size;
	/* all of it is read at once for its checksum: faulted in at once */
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	for (int i = 0; i < 8; i++)
		h |= (uint64_t)map[len - 8 + i] << (8 * i);
	in->p = map;
	in->len = len - 8;
	in->map_len = len;
	in->at = 8;
	sum_start(lane);
	checksum(lane, map, len - 8);
	if (memcmp(map, magic, 8) != 0 || h != sum_of(lane) ||
	    cache_get_bytes(in, &stored, &n) != 0 || !stored ||
	    n != strlen(key) || memcmp(stored, key, n) != 0) {
		cache_close(in);
		return -1;
	}
	return 0;
}

void cache_close(struct cache_in *in)
{
	if (in->p)
		munmap((void *)in->p, in->map_len);
	while (in->pool) {
		struct cache_chunk *next = in->pool->next;

		free(in->pool);
		in->pool = next;
	}
	memset(in, 0, sizeof(*in));
}

char *cache_path(struct site *s, const char *name)
{
	const char *dir = archive_derived_dir(s->a);
	char *path;

	if (!dir || (mkdir(dir, 0755) != 0 && errno != EEXIST))
		return NULL;
	return asprintf(&path, "%s/%s", dir, name) < 0 ? NULL : path;
}
