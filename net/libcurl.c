/*
 * libcurl.c: libcurl, opened by the first command that goes on the
 * network (archive_dynlib_open). The functions here carry libcurl's own
 * names and pass each call on, so the rest of mores reads as ordinary
 * libcurl code while `mores case new` and the other local commands start
 * without libcurl and the TLS libraries it brings.
 */
#define CURL_DISABLE_TYPECHECK /* the macros would rename the definitions */
#include "net_int.h"

#include <stdarg.h>

enum {
	GLOBAL_INIT, GLOBAL_CLEANUP, EASY_INIT, EASY_SETOPT, EASY_GETINFO,
	EASY_PERFORM, EASY_CLEANUP, EASY_STRERROR, SLIST_APPEND,
	SLIST_FREE_ALL, MULTI_INIT, MULTI_ADD_HANDLE, MULTI_REMOVE_HANDLE,
	MULTI_PERFORM, MULTI_POLL, MULTI_INFO_READ, MULTI_CLEANUP, URL,
	URL_SET, URL_GET, URL_CLEANUP, FREE, COUNT
};

static const char *const names[COUNT + 1] = {
	"curl_global_init", "curl_global_cleanup", "curl_easy_init",
	"curl_easy_setopt", "curl_easy_getinfo", "curl_easy_perform",
	"curl_easy_cleanup", "curl_easy_strerror", "curl_slist_append",
	"curl_slist_free_all", "curl_multi_init", "curl_multi_add_handle",
	"curl_multi_remove_handle", "curl_multi_perform", "curl_multi_poll",
	"curl_multi_info_read", "curl_multi_cleanup", "curl_url",
	"curl_url_set", "curl_url_get", "curl_url_cleanup", "curl_free", NULL
};

static void *fns[COUNT];

static struct archive_dynlib lib = { "libcurl.so.4", "libcurl4", names, fns };

/* The library's function number i, as type T; NULL when libcurl could
 * not be opened (the error is then in the archive error channel). */
#define FN(i, T) (archive_dynlib_open(&lib) == 0 ? (T)fns[i] : NULL)

int net_curl_open(void)
{
	return archive_dynlib_open(&lib);
}

CURLcode curl_global_init(long flags)
{
	CURLcode (*f)(long) = FN(GLOBAL_INIT, CURLcode (*)(long));

	return f ? f(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	void (*f)(void) = FN(GLOBAL_CLEANUP, void (*)(void));

	if (f)
		f();
}

CURL *curl_easy_init(void)
{
	CURL *(*f)(void) = FN(EASY_INIT, CURL *(*)(void));

	return f ? f() : NULL;
}

/* Every option takes one argument, whose type the option's number says. */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode (*f)(CURL *, CURLoption, ...) =
		FN(EASY_SETOPT, CURLcode (*)(CURL *, CURLoption, ...));
	CURLcode rc;
	va_list ap;

	if (!f)
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = f(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = f(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = f(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = f(h, opt, va_arg(ap, curl_off_t));
	else
		rc = f(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every item is read into the one pointer that follows it. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode (*f)(CURL *, CURLINFO, ...) =
		FN(EASY_GETINFO, CURLcode (*)(CURL *, CURLINFO, ...));
	CURLcode rc;
	va_list ap;

	if (!f)
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = f(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
	CURLcode (*f)(CURL *) = FN(EASY_PERFORM, CURLcode (*)(CURL *));

	return f ? f(h) : CURLE_FAILED_INIT;
}

void curl_easy_cleanup(CURL *h)
{
	void (*f)(CURL *) = FN(EASY_CLEANUP, void (*)(CURL *));

	if (f)
		f(h);
}

const char *curl_easy_strerror(CURLcode code)
{
	const char *(*f)(CURLcode) =
		FN(EASY_STRERROR, const char *(*)(CURLcode));

	return f ? f(code) : archive_error_last();
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	struct curl_slist *(*f)(struct curl_slist *, const char *) =
		FN(SLIST_APPEND,
		   struct curl_slist *(*)(struct curl_slist *, const char *));

	return f ? f(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	void (*f)(struct curl_slist *) =
		FN(SLIST_FREE_ALL, void (*)(struct curl_slist *));

	if (f)
		f(list);
}

CURLM *curl_multi_init(void)
{
	CURLM *(*f)(void) = FN(MULTI_INIT, CURLM *(*)(void));

	return f ? f() : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	CURLMcode (*f)(CURLM *, CURL *) =
		FN(MULTI_ADD_HANDLE, CURLMcode (*)(CURLM *, CURL *));

	return f ? f(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	CURLMcode (*f)(CURLM *, CURL *) =
		FN(MULTI_REMOVE_HANDLE, CURLMcode (*)(CURLM *, CURL *));

	return f ? f(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	CURLMcode (*f)(CURLM *, int *) =
		FN(MULTI_PERFORM, CURLMcode (*)(CURLM *, int *));

	return f ? f(m, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[],
			  unsigned int nextra, int timeout_ms, int *ret)
{
	CURLMcode (*f)(CURLM *, struct curl_waitfd *, unsigned int, int,
		       int *) =
		FN(MULTI_POLL, CURLMcode (*)(CURLM *, struct curl_waitfd *,
					     unsigned int, int, int *));

	return f ? f(m, extra, nextra, timeout_ms, ret) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	CURLMsg *(*f)(CURLM *, int *) =
		FN(MULTI_INFO_READ, CURLMsg *(*)(CURLM *, int *));

	return f ? f(m, left) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	CURLMcode (*f)(CURLM *) = FN(MULTI_CLEANUP, CURLMcode (*)(CURLM *));

	return f ? f(m) : CURLM_INTERNAL_ERROR;
}

CURLU *curl_url(void)
{
	CURLU *(*f)(void) = FN(URL, CURLU *(*)(void));

	return f ? f() : NULL;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part,
		       unsigned int flags)
{
	CURLUcode (*f)(CURLU *, CURLUPart, const char *, unsigned int) =
		FN(URL_SET, CURLUcode (*)(CURLU *, CURLUPart, const char *,
					  unsigned int));

	return f ? f(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part,
		       unsigned int flags)
{
	CURLUcode (*f)(CURLU *, CURLUPart, char **, unsigned int) =
		FN(URL_GET, CURLUcode (*)(CURLU *, CURLUPart, char **,
					  unsigned int));

	return f ? f(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

void curl_url_cleanup(CURLU *u)
{
	void (*f)(CURLU *) = FN(URL_CLEANUP, void (*)(CURLU *));

	if (f)
		f(u);
}

void curl_free(void *p)
{
	void (*f)(void *) = FN(FREE, void (*)(void *));

	if (f)
		f(p);
}
