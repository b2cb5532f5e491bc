/*
 * net.h: mores beyond the machine, through libcurl. Three jobs share one
 * transfer engine:
 *
 *   links    every external link in the advice texts, checked in
 *            parallel (HEAD, else GET), with a cache of results by date
 *            under the derived folder (links.json);
 *   notify   a digest of what is due and of newly published reflections,
 *            by e-mail (SMTP) and/or a JSON POST to a webhook, sent once
 *            (notify-sent.json records what went out);
 *   harvest  other committees' published collections
 *            (SITE/data/reflecties.json), fetched with conditional
 *            requests, validated and stored under harvest/ in the derived
 *            folder, one file per site, for search and the site.
 *
 * Settings come from mores.yml (notify:, harvest:), secrets only from the
 * environment: $MORES_SMTP_PASSWORD, $MORES_WEBHOOK_TOKEN. $MORES_CA_FILE
 * names extra trusted certificates (a committee's own CA),
 * $MORES_NET_TIMEOUT the seconds one transfer may take (default 20), and
 * $MORES_NET_PARALLEL and $MORES_NET_PER_HOST how many transfers run at
 * once, in all and to one host (default 16 and 2).
 *
 * Failures return a negative ARCHIVE_E* code with the message in
 * archive_error_last(); problems with one address (a link, a site, a
 * channel) are results, not failures: they are reported and the rest goes
 * on.
 */
#ifndef MORES_NET_H
#define MORES_NET_H

#include "archive/archive.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* How mores introduces itself to servers. */
#define NET_USER_AGENT "mores/" MORES_VERSION

/* ---- transfers ---------------------------------------------------------- */

/* One HTTP(S) transfer: what to fetch, then what came back. The caller
 * fills the first part and zeroes the rest; net_fetch_clear() frees the
 * outcome. Only http and https are spoken, also after a redirect. */
typedef struct {
	const char *url;
	int head;                   /* HEAD first; GET when HEAD is refused */
	const char *const *headers; /* extra "Name: value" lines, NULL-ended */
	size_t max_body;            /* keep the body up to this size; 0: only
				     * the status is wanted */
	/* outcome */
	long status;                /* final HTTP status; 0: no response */
	long redirects;             /* redirects followed */
	char *final_url;            /* where the redirects ended */
	char *body;                 /* NUL-terminated, when max_body > 0 */
	size_t body_len;
	char *etag, *last_modified; /* validators of the final response */
	char *error;                /* NULL, or why there was no answer */
	int too_large;              /* the body passed max_body */
	int timed_out;
} net_fetch;

typedef struct {
	int parallel;     /* transfers at once; 0: $MORES_NET_PARALLEL or 16 */
	int per_host;     /* transfers at once to one host; 0:
			   * $MORES_NET_PER_HOST or 2 */
	long timeout_ms;  /* per transfer; 0: $MORES_NET_TIMEOUT or 20 s */
} net_opts;

/* Runs the transfers in parallel with the curl multi interface, never
 * more than o->per_host to one host at a time. Each transfer's outcome
 * is in its own struct; the return value is 0, or ARCHIVE_ERROR when the
 * engine itself could not run (out of memory). */
int net_fetch_all(net_fetch *f, size_t n, const net_opts *o);

/* Frees the outcome of a transfer and zeroes it; the request stays. */
void net_fetch_clear(net_fetch *f);

/* The timeout in milliseconds: $MORES_NET_TIMEOUT seconds, else 20 s. */
long net_timeout_ms(void);

/* ---- links in the advice texts ----------------------------------------- */

/* Calls fn for every external (http, https) link in a Markdown text with
 * its line (first_line for the first line of text). Lines inside internal
 * passages are skipped when skip_internal is set. fn returning non-zero
 * stops the scan and is returned. */
typedef int (*net_link_fn)(const char *url, int line, void *ctx);
int net_links_scan(const char *text, int first_line, int skip_internal,
		   net_link_fn fn, void *ctx);

/* Totals of a link check. */
typedef struct {
	size_t links;       /* occurrences (file and line) */
	size_t urls;        /* distinct addresses */
	size_t checked;     /* addresses asked over the network this run */
	size_t cached;      /* addresses answered from the cache */
	size_t ok, redirected, broken, unreachable; /* per occurrence */
	double seconds;     /* time spent on the network */
} net_link_stats;

/* How long a result stays fresh in the cache, in days. */
#define NET_LINKS_FRESH_OK 7
#define NET_LINKS_FRESH_BAD 1

/* Checks every external link of the advice texts (advies.md, front
 * matter included); with public_only, only those in the public view of
 * public reflections (archive_public_view). Results younger than the
 * freshness above come from the cache (links.json in the derived
 * folder), which is then updated. *out is an array, by file and line,
 * of {file, line, url, state (ok, redirected, broken, unreachable),
 * http, final_url, redirects, error, checked, cached}. */
int net_links_check(json_t **out, archive *a, int public_only,
		    const net_opts *o, net_link_stats *st);

/* ---- settings ------------------------------------------------------------ */

/* Validates mores.yml's notify: and harvest: sections (through
 * archive_settings_validate). On a problem: ARCHIVE_EINVALID with the
 * message "mores.yml: notify.smtp.url: ..." for the first one. */
int net_settings_check(archive *a);

/* ---- notify ---------------------------------------------------------------- */

/* An e-mail in RFC 5322 form with a UTF-8 plain text body: header values
 * lose line breaks and control characters (no header can be injected),
 * a subject that is not ASCII is encoded (RFC 2047), body lines end in
 * CRLF. date_rfc2822 and message_id are written as given. Caller frees. */
int net_mail_format(char **out, const char *from, const char *const *to,
		    size_t nto, const char *subject, const char *body,
		    const char *date_rfc2822, const char *message_id);

/* Reports one outcome line of notify or harvest: a channel sent, a site
 * harvested (ok), or what went wrong (not ok). */
typedef void (*net_report_fn)(int ok, const char *what, const char *message,
			      void *ctx);

/* Composes the digest of what is due within notify.within days (default
 * 14) and of reflections published since the last digest, leaving out
 * what was already sent over a channel. With dry_run the messages are
 * written to `dry` and nothing is sent or recorded; otherwise each
 * configured channel (notify.smtp, notify.webhook) gets its message, and
 * what went out is recorded in notify-sent.json so that a second run does
 * not repeat it. *sent counts the messages sent (or printed). Fails with
 * ARCHIVE_EINVALID for bad settings. Returns 0 when every channel
 * sent, 1 when one failed (reported, after the others were tried). */
int net_notify_run(archive *a, int dry_run, FILE *dry, int *sent,
		   net_report_fn report, void *ctx);

/* ---- harvest ------------------------------------------------------------------ */

/* Limits on what a peer may send. */
#define NET_HARVEST_MAX_BYTES (16u * 1024 * 1024)
#define NET_HARVEST_MAX_REFLECTIONS 20000

/* Validates a peer's data/reflecties.json (text of len bytes) fetched
 * from site (its base address, ending in '/'): a JSON array of
 * reflections. Each good reflection is kept with the public fields only
 * (id, citation, title, kind, requester, received, question, adopted,
 * summary, values, instruments, topics), texts without control
 * characters and cut to sane lengths, and url set to
 * SITE/reflecties/ID/. A reflection with a bad or repeated id, a
 * citation that does not match its id, or missing title is left out and
 * counted in *skipped, with the first reason in *why (caller frees).
 * Fails with ARCHIVE_EINVALID when the text is not a JSON array. */
int net_harvest_parse(json_t **out, const char *text, size_t len,
		      const char *site, size_t *skipped, char **why);

/* Harvests every site of mores.yml's harvest: list in parallel and keeps
 * harvest/ in the derived folder in step: a site that answers 304 keeps
 * its file, a site that fails keeps what was harvested before, a site no
 * longer listed is dropped. Reports one line per site. Returns 0 when
 * every site was harvested, 1 when one failed (reported, after the
 * others), or a negative code: ARCHIVE_EINVALID for bad settings. */
int net_harvest_run(archive *a, const net_opts *o, net_report_fn report,
		    void *ctx);

#endif
