/*
 * threads.c: the threads of a build. Work on many dossiers at once is
 * numbered; each thread takes the next number in turn and, when the work
 * needs the archive, does it with a handle of its own (a libgit2
 * repository is used by one thread at a time), opened then; the calling
 * thread uses the build's own. A piece of a build that shares nothing
 * with the rest (the search shards, the listings) runs in a thread of its
 * own beside it. The first failure stops the others taking more, and its
 * message crosses back to the caller (the error channel is per thread).
 */
#include "site_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 8

struct job {
	struct site *s;
	site_work_fn fn;
	void *ctx;
	size_t n, next;
	pthread_mutex_t lock;
	int rc;
	char error[1024];
};

static void fail(struct job *j, int rc)
{
	pthread_mutex_lock(&j->lock);
	if (j->rc == 0) {
		j->rc = rc;
		snprintf(j->error, sizeof(j->error), "%s", archive_error_last());
	}
	pthread_mutex_unlock(&j->lock);
}

int site_worker_archive(archive **out, struct site_worker *w)
{
	int rc = 0;

	if (!w->a && (rc = archive_open_at(&w->own, w->s->a)) == 0)
		w->a = w->own;
	*out = w->a;
	return rc;
}

/* Takes works in turn, a handle on the archive opened when one needs it
 * (this thread's: the build's own). */
static void work(struct job *j, archive *a)
{
	struct site_worker w = { j->s, a, NULL };

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&j->lock);
		i = j->rc == 0 && j->next < j->n ? j->next++ : SIZE_MAX;
		pthread_mutex_unlock(&j->lock);
		if (i == SIZE_MAX)
			break;
		if ((rc = j->fn(j->s, &w, i, j->ctx)) != 0) {
			fail(j, rc);
			break;
		}
	}
	archive_free(w.own);
}

static void *thread_main(void *arg)
{
	work(arg, NULL);
	return NULL;
}

int site_parallel(struct site *s, size_t n, size_t per_thread,
		  site_work_fn fn, void *ctx)
{
	struct job j = { .s = s, .fn = fn, .ctx = ctx, .n = n };
	pthread_t threads[MAX_THREADS];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = per_thread ? n / per_thread : 1, started = 0;
	int rc = 0;

	if (want > (size_t)(cores > 1 ? cores : 1))
		want = (size_t)(cores > 1 ? cores : 1);
	if (want > MAX_THREADS)
		want = MAX_THREADS;
	pthread_mutex_init(&j.lock, NULL);
	/* this thread is one of them */
	for (; started + 1 < want; started++)
		if (pthread_create(&threads[started], NULL, thread_main, &j) != 0)
			break;
	work(&j, s->a);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (j.rc != 0)
		rc = archive_error_set(j.rc, "%s", j.error);
	pthread_mutex_destroy(&j.lock);
	return rc;
}

/* ---- a piece of work beside the build ---------------------------------- */

static void *aside_main(void *arg)
{
	struct site_aside *j = arg;

	if ((j->rc = j->fn(j->s, j->ctx)) != 0)
		snprintf(j->error, sizeof(j->error), "%s", archive_error_last());
	return NULL;
}

int site_aside_start(struct site_aside *j, struct site *s,
		     int (*fn)(struct site *s, void *ctx), void *ctx)
{
	j->s = s;
	j->fn = fn;
	j->ctx = ctx;
	j->started = 0;
	j->rc = 0;
	/* without a thread to be had, the work is done here and now */
	if (pthread_create(&j->thread, NULL, aside_main, j) != 0)
		return fn(s, ctx);
	j->started = 1;
	return 0;
}

int site_aside_finish(struct site_aside *j, int rc)
{
	if (!j->started)
		return rc;
	pthread_join(j->thread, NULL);
	j->started = 0;
	if (rc == 0 && j->rc != 0)
		rc = archive_error_set(j->rc, "%s", j->error);
	return rc;
}
