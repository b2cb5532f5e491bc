/*
 * net_int.h: what the files of the net module share: curl set-up,
 * messages, small string helpers and the derived files they keep
 * (written whole to a temporary file, then renamed into place).
 */
#ifndef MORES_NET_INT_H
#define MORES_NET_INT_H

#include "net.h"

#include <curl/curl.h>

/* Opens libcurl (libcurl.c); 0, or an error saying what to install. */
int net_curl_open(void);

/* libcurl opened and curl_global_init run, once per process. */
int net_init(void);

/* User-Agent, timeouts, no signals, $MORES_CA_FILE. */
void net_easy_common(CURL *h, long timeout_ms);

/* One sentence for a curl failure. Caller frees. */
char *net_describe(CURLcode code, const char *errbuf, long timeout_ms);

/* printf into a new string; NULL when memory runs out. */
char *net_strprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A copy of s with control characters (and DEL) removed; line breaks
 * and tabs become spaces unless keep_lines; at most max bytes, cut at
 * a character boundary; "" for NULL. Caller frees. */
char *net_clean_text(const char *s, size_t max, int keep_lines);

/* DERIVED/name, the derived folder created when missing. Caller frees. */
char *net_derived_path(archive *a, const char *name);

/* Reads a JSON file; *out is NULL (and 0 returned) when it is missing or
 * unreadable as JSON: derived data is rebuilt, not trusted. */
int net_json_load(json_t **out, const char *path);

/* Writes JSON to path through a temporary file and a rename. */
int net_json_save(const json_t *j, const char *path);

/* Today as days since 1970 ($MORES_TODAY respected). */
long net_today_days(char today[11]);

#endif
