/*
 * validate.c: the rules of design section 3 for dossier.md, advies.md,
 * reactie.md and mores.yml. Each problem is reported as file, field and a
 * message naming the value at fault; validation goes on after a problem so
 * that one run shows them all.
 */
#include "archive_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

const char *const archive_instruments[] = {
	"deda", "begeleidingsethiek", "moreel-beraad", "iama", "dpia",
	"codio", "elsa", "waardentabel", "other", NULL
};

const char *const archive_statuses[] = {
	"registered", "intake", "deliberation", "draft", "adopted",
	"delivered", "published", "closed", NULL
};

static const char *const dossier_keys[] = {
	"id", "title", "kind", "requester", "received", "question", "status",
	"visibility", "embargo_until", "values", "instruments", "topics",
	"related", "rapporteur", "deadline", "follow_up", "closed_reason",
	"triage", NULL
};

struct check {
	const char *file;
	archive_problem_fn report;
	void *ctx;
	int problems;
};

static void problem(struct check *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct check *c, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->report)
		c->report(c->file, field, msg, c->ctx);
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The scalar under key, reporting a list or map where text belongs. */
static const char *text_field(struct check *c, const archive_node *front,
			      const char *key, int required)
{
	archive_node *n = archive_node_get(front, key);
	const char *v = archive_node_scalar(n);

	if (n && archive_node_kind_of(n) != ARCHIVE_NODE_SCALAR) {
		problem(c, key, "must be text, not a list or map");
		return NULL;
	}
	if (v && !*v)
		v = NULL;
	if (!v && required)
		problem(c, key, "missing");
	if (v && strchr(v, '\n') && strcmp(key, "question") != 0 &&
	    strcmp(key, "summary") != 0 && strcmp(key, "closed_reason") != 0)
		problem(c, key, "must be one line");
	return v;
}

static const char *date_field(struct check *c, const archive_node *front,
			      const char *key, int required)
{
	const char *v = text_field(c, front, key, required);

	if (v && archive_date_parse(v, NULL, NULL, NULL) != 0) {
		problem(c, key, "'%s' is not a real date (YYYY-MM-DD)", v);
		return NULL;
	}
	return v;
}

/* Checks a list of text entries; `accept` says whether an entry is good. */
static void list_field(struct check *c, const archive_node *front,
		       const char *key,
		       int (*accept)(const char *, const void *),
		       const void *arg, const char *what)
{
	archive_node *n = archive_node_get(front, key);

	if (!n || (archive_node_kind_of(n) == ARCHIVE_NODE_SCALAR &&
		   !archive_node_scalar(n)))
		return;
	if (archive_node_kind_of(n) != ARCHIVE_NODE_LIST) {
		problem(c, key, "must be a list, e.g. [a, b]");
		return;
	}
	for (size_t i = 0; i < archive_node_count(n); i++) {
		const char *v = archive_node_scalar(archive_node_at(n, i));

		if (!v || !*v)
			problem(c, key, "entry %zu is empty or not text", i + 1);
		else if (accept && !accept(v, arg))
			problem(c, key, "'%s' is not %s", v, what);
	}
}

static int accept_value(const char *v, const void *vocab)
{
	return vocab == NULL || archive_vocab_find(vocab, v) != NULL;
}

static int accept_instrument(const char *v, const void *unused)
{
	(void)unused;
	return in_list(archive_instruments, v);
}

static int accept_id(const char *v, const void *self)
{
	return archive_id_parse(v, NULL, NULL) == 0 &&
	       (!self || strcmp(v, self) != 0);
}

static int accept_topic(const char *v, const void *unused)
{
	(void)unused;
	return strlen(v) <= 80 && !strchr(v, '\n');
}

static int has_body(const archive_doc *doc)
{
	for (const char *p = archive_doc_body(doc); *p; p++)
		if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
			return 1;
	return 0;
}

int archive_dossier_validate(const archive_dossier *d, const archive_vocab *v,
			     archive_problem_fn report, void *ctx)
{
	archive_doc *doc = archive_dossier_doc(d);
	archive_node *front = archive_doc_front(doc);
	struct check c = { archive_doc_path(doc), report, ctx, 0 };
	const char *id, *kind, *status, *vis, *received, *folder;
	int idyear = 0, ry = 0;

	for (size_t i = 0; i < archive_node_count(front); i++) {
		const char *key = archive_node_key_at(front, i);

		if (!in_list(dossier_keys, key))
			problem(&c, key, "unknown field (see design: id, title, "
					 "kind, status, ...)");
	}
	id = text_field(&c, front, "id", 1);
	folder = archive_dossier_id(d);
	if (id && archive_id_parse(id, &idyear, NULL) != 0)
		problem(&c, "id", "'%s' is not a dossier id (YYYY-NNN)", id);
	else if (id && strcmp(id, folder) != 0)
		problem(&c, "id", "'%s' differs from its folder name '%s'", id,
			folder);
	text_field(&c, front, "title", 1);
	kind = text_field(&c, front, "kind", 1);
	if (kind && strcmp(kind, "asked") && strcmp(kind, "unasked")) {
		problem(&c, "kind", "'%s' is not asked or unasked", kind);
		kind = NULL;
	}
	text_field(&c, front, "requester", kind && !strcmp(kind, "asked"));
	text_field(&c, front, "question", kind && !strcmp(kind, "asked"));
	received = date_field(&c, front, "received", 1);
	if (received && idyear && archive_date_parse(received, &ry, 0, 0) == 0 &&
	    ry != idyear)
		problem(&c, "received", "'%s' lies outside %d, the year of id %s",
			received, idyear, id);
	status = text_field(&c, front, "status", 1);
	if (status && !in_list(archive_statuses, status)) {
		problem(&c, "status", "'%s' is not a status (registered, "
				      "intake, deliberation, draft, adopted, "
				      "delivered, published, closed)",
			status);
		status = NULL;
	}
	vis = text_field(&c, front, "visibility", 1);
	if (vis && strcmp(vis, "public") && strcmp(vis, "confidential")) {
		problem(&c, "visibility", "'%s' is not public or confidential",
			vis);
		vis = NULL;
	}
	date_field(&c, front, "embargo_until", 0);
	date_field(&c, front, "deadline", 0);
	date_field(&c, front, "follow_up", 0);
	text_field(&c, front, "rapporteur", 0);
	list_field(&c, front, "values", accept_value, v,
		   "a value of the vocabulary (values.yml)");
	list_field(&c, front, "instruments", accept_instrument, NULL,
		   "an instrument (deda, begeleidingsethiek, moreel-beraad, "
		   "iama, dpia, codio, elsa, waardentabel, other)");
	list_field(&c, front, "topics", accept_topic, NULL, "a short topic");
	list_field(&c, front, "related", accept_id, folder,
		   "another dossier's id (YYYY-NNN)");
	text_field(&c, front, "closed_reason",
		   status && !strcmp(status, "closed"));
	if (archive_node_get(front, "triage") &&
	    archive_node_kind_of(archive_node_get(front, "triage")) !=
		    ARCHIVE_NODE_MAP)
		problem(&c, "triage", "must be a map of answers");
	if (status && (!strcmp(status, "adopted") ||
		       !strcmp(status, "delivered") ||
		       !strcmp(status, "published"))) {
		archive_doc *advice = archive_dossier_advice(d);

		if (!advice || !has_body(advice))
			problem(&c, "status",
				"'%s' needs an advies.md with the advice text",
				status);
		else if (!archive_node_get_scalar(archive_doc_front(advice),
						  "adopted"))
			problem(&c, "status",
				"'%s' needs the adoption date in advies.md "
				"(adopted: YYYY-MM-DD)",
				status);
	}
	if (status && !strcmp(status, "published") && vis &&
	    strcmp(vis, "public") != 0)
		problem(&c, "status", "'published' needs visibility: public");
	if (archive_dossier_advice(d))
		c.problems += archive_advice_validate(archive_dossier_advice(d),
						      report, ctx);
	if (archive_dossier_response(d))
		c.problems += archive_response_validate(
			archive_dossier_response(d), report, ctx);
	return c.problems;
}

int archive_advice_validate(const archive_doc *doc, archive_problem_fn report,
			    void *ctx)
{
	archive_node *front = archive_doc_front(doc);
	struct check c = { archive_doc_path(doc), report, ctx, 0 };
	archive_node *actions = archive_node_get(front, "actions");

	date_field(&c, front, "adopted", 0);
	text_field(&c, front, "summary", 0);
	if (actions && !(archive_node_kind_of(actions) == ARCHIVE_NODE_SCALAR &&
			 !archive_node_scalar(actions))) {
		if (archive_node_kind_of(actions) != ARCHIVE_NODE_LIST) {
			problem(&c, "actions", "must be a list of action "
					       "points {what, owner, due, done}");
			return c.problems;
		}
		for (size_t i = 0; i < archive_node_count(actions); i++) {
			archive_node *a = archive_node_at(actions, i);
			const char *done, *due;
			char field[48];

			snprintf(field, sizeof(field), "actions[%zu]", i + 1);
			if (archive_node_kind_of(a) != ARCHIVE_NODE_MAP) {
				problem(&c, field, "must be {what, owner, due, "
						   "done}");
				continue;
			}
			if (!archive_node_get_scalar(a, "what"))
				problem(&c, field, "what: missing");
			due = archive_node_get_scalar(a, "due");
			if (due && archive_date_parse(due, 0, 0, 0) != 0)
				problem(&c, field,
					"due: '%s' is not a real date "
					"(YYYY-MM-DD)",
					due);
			done = archive_node_get_scalar(a, "done");
			if (done && strcmp(done, "true") && strcmp(done, "false"))
				problem(&c, field,
					"done: '%s' is not true or false", done);
		}
	}
	return c.problems;
}

int archive_response_validate(const archive_doc *doc,
			      archive_problem_fn report, void *ctx)
{
	archive_node *front = archive_doc_front(doc);
	struct check c = { archive_doc_path(doc), report, ctx, 0 };

	date_field(&c, front, "received", 1);
	text_field(&c, front, "from", 1);
	if (!has_body(doc))
		problem(&c, "body", "the response text is empty");
	return c.problems;
}

/* ---- notify: and harvest: ------------------------------------------------- */

static int is_address(const char *v)
{
	const char *at = strchr(v, '@');

	if (!at || at == v || !at[1] || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.'))
		return 0;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("<>,;\"()[]\\", *p))
			return 0;
	return 1;
}

static int has_prefix(const char *v, const char *const *prefixes)
{
	for (; *prefixes; prefixes++) {
		size_t n = strlen(*prefixes);

		if (!strncmp(v, *prefixes, n) && v[n] && v[n] != '/' &&
		    !strpbrk(v, " \t\r\n"))
			return 1;
	}
	return 0;
}

static int is_secret_key(const char *key)
{
	static const char *const secrets[] = { "password", "pass", "secret",
					       "token", "passwd", NULL };

	return in_list(secrets, key);
}

/* Reports keys of map that are not in `known`; secrets get their own
 * message naming the environment variable that holds them. */
static void known_keys(struct check *c, const archive_node *map,
		       const char *prefix, const char *const *known,
		       const char *secret_env)
{
	for (size_t i = 0; i < archive_node_count(map); i++) {
		const char *key = archive_node_key_at(map, i);
		char field[128];

		snprintf(field, sizeof(field), "%s.%s", prefix, key);
		if (is_secret_key(key) && secret_env)
			problem(c, field,
				"secrets do not belong in the archive; set "
				"$%s in the environment instead",
				secret_env);
		else if (!in_list(known, key))
			problem(c, field, "unknown setting");
	}
}

/* The scalar under key of a settings map, reporting lists and maps. */
static const char *setting(struct check *c, const archive_node *map,
			   const char *prefix, const char *key, int required)
{
	archive_node *n = archive_node_get(map, key);
	const char *v = archive_node_scalar(n);
	char field[128];

	snprintf(field, sizeof(field), "%s.%s", prefix, key);
	if (n && archive_node_kind_of(n) != ARCHIVE_NODE_SCALAR) {
		problem(c, field, "must be text, not a list or map");
		return NULL;
	}
	if (v && !*v)
		v = NULL;
	if (!v && required)
		problem(c, field, "missing");
	return v;
}

static void notify_smtp_validate(struct check *c, const archive_node *smtp)
{
	static const char *const known[] = { "url", "from", "to", "user",
					     "starttls", NULL };
	static const char *const schemes[] = { "smtp://", "smtps://", NULL };
	const char *url, *from, *user, *tls;
	archive_node *to;

	if (archive_node_kind_of(smtp) != ARCHIVE_NODE_MAP) {
		problem(c, "notify.smtp", "must be a map with url, from and to");
		return;
	}
	known_keys(c, smtp, "notify.smtp", known, "MORES_SMTP_PASSWORD");
	url = setting(c, smtp, "notify.smtp", "url", 1);
	if (url && !has_prefix(url, schemes))
		problem(c, "notify.smtp.url",
			"'%s' is not an smtp:// or smtps:// address with a "
			"host (e.g. smtp://mail.example.org:587)",
			url);
	from = setting(c, smtp, "notify.smtp", "from", 1);
	if (from && !is_address(from))
		problem(c, "notify.smtp.from", "'%s' is not an e-mail address",
			from);
	to = archive_node_get(smtp, "to");
	if (!to || (archive_node_kind_of(to) == ARCHIVE_NODE_SCALAR &&
		    !archive_node_scalar(to)))
		problem(c, "notify.smtp.to", "missing");
	else if (archive_node_kind_of(to) == ARCHIVE_NODE_MAP)
		problem(c, "notify.smtp.to",
			"must be an address or a list of addresses");
	else if (archive_node_kind_of(to) == ARCHIVE_NODE_SCALAR) {
		if (!is_address(archive_node_scalar(to)))
			problem(c, "notify.smtp.to",
				"'%s' is not an e-mail address",
				archive_node_scalar(to));
	} else {
		if (archive_node_count(to) == 0)
			problem(c, "notify.smtp.to", "the list is empty");
		for (size_t i = 0; i < archive_node_count(to); i++) {
			const char *v =
				archive_node_scalar(archive_node_at(to, i));

			if (!v || !is_address(v))
				problem(c, "notify.smtp.to",
					"'%s' is not an e-mail address",
					v ? v : "");
		}
	}
	user = setting(c, smtp, "notify.smtp", "user", 0);
	(void)user;
	tls = setting(c, smtp, "notify.smtp", "starttls", 0);
	if (tls && strcmp(tls, "true") && strcmp(tls, "false") &&
	    strcmp(tls, "yes") && strcmp(tls, "no"))
		problem(c, "notify.smtp.starttls", "'%s' is not true or false",
			tls);
	if (tls && url && (!strcmp(tls, "true") || !strcmp(tls, "yes")) &&
	    !strncmp(url, "smtps://", 8))
		problem(c, "notify.smtp.starttls",
			"smtps:// is TLS from the start; STARTTLS goes with "
			"smtp://");
}

static void notify_validate(struct check *c, const archive_node *notify)
{
	static const char *const known[] = { "within", "smtp", "webhook",
					     NULL };
	static const char *const http[] = { "http://", "https://", NULL };
	archive_node *smtp, *hook;
	const char *within;

	if (archive_node_kind_of(notify) != ARCHIVE_NODE_MAP) {
		problem(c, "notify", "must be a map with smtp and/or webhook");
		return;
	}
	known_keys(c, notify, "notify", known, NULL);
	within = setting(c, notify, "notify", "within", 0);
	if (within) {
		char *end;
		long days = strtol(within, &end, 10);

		if (*end || days < 0 || days > 365)
			problem(c, "notify.within",
				"'%s' is not a number of days from 0 to 365",
				within);
	}
	smtp = archive_node_get(notify, "smtp");
	hook = archive_node_get(notify, "webhook");
	if (!smtp && !hook)
		problem(c, "notify", "give smtp and/or webhook");
	if (smtp)
		notify_smtp_validate(c, smtp);
	if (hook && archive_node_kind_of(hook) != ARCHIVE_NODE_MAP)
		problem(c, "notify.webhook", "must be a map with url");
	else if (hook) {
		static const char *const hook_keys[] = { "url", NULL };
		const char *url;

		known_keys(c, hook, "notify.webhook", hook_keys,
			   "MORES_WEBHOOK_TOKEN");
		/* the address may come from $MORES_WEBHOOK_URL instead */
		url = setting(c, hook, "notify.webhook", "url", 0);
		if (url && !has_prefix(url, http))
			problem(c, "notify.webhook.url",
				"'%s' is not an http(s) address", url);
	}
}

static void harvest_validate(struct check *c, const archive_node *list)
{
	static const char *const known[] = { "name", "url", NULL };
	static const char *const http[] = { "http://", "https://", NULL };

	if (archive_node_kind_of(list) != ARCHIVE_NODE_LIST) {
		problem(c, "harvest",
			"must be a list of sites, each with name and url");
		return;
	}
	for (size_t i = 0; i < archive_node_count(list); i++) {
		archive_node *site = archive_node_at(list, i);
		char prefix[64];
		const char *url;

		snprintf(prefix, sizeof(prefix), "harvest[%zu]", i + 1);
		if (archive_node_kind_of(site) != ARCHIVE_NODE_MAP) {
			problem(c, prefix, "must be a map with name and url");
			continue;
		}
		known_keys(c, site, prefix, known, NULL);
		setting(c, site, prefix, "name", 1);
		url = setting(c, site, prefix, "url", 1);
		if (url && !has_prefix(url, http)) {
			char field[96];

			snprintf(field, sizeof(field), "%s.url", prefix);
			problem(c, field, "'%s' is not an http(s) address",
				url);
			continue;
		}
		for (size_t k = 0; url && k < i; k++) {
			const char *other = archive_node_get_scalar(
				archive_node_at(list, k), "url");

			if (other && !strcmp(other, url)) {
				char field[96];

				snprintf(field, sizeof(field), "%s.url",
					 prefix);
				problem(c, field, "'%s' is listed twice", url);
			}
		}
	}
}

int archive_settings_validate(const archive_node *settings, const char *file,
			      archive_problem_fn report, void *ctx)
{
	struct check c = { file, report, ctx, 0 };
	const char *code = text_field(&c, settings, "code", 1);
	const char *lang, *theme;
	archive_node *site = archive_node_get(settings, "site");

	text_field(&c, settings, "name", 1);
	if (code) {
		int ok = strlen(code) <= 12 && code[0] >= 'A' && code[0] <= 'Z';

		for (const char *p = code; *p && ok; p++)
			ok = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
		if (!ok)
			problem(&c, "code",
				"'%s' is not a citation code (capital letters "
				"and digits, e.g. ECE)",
				code);
	}
	lang = text_field(&c, settings, "language", 0);
	if (lang && strcmp(lang, "nl") && strcmp(lang, "en"))
		problem(&c, "language", "'%s' is not nl or en", lang);
	if (site && archive_node_kind_of(site) != ARCHIVE_NODE_MAP)
		problem(&c, "site", "must be a map with title and base_url");
	else if (site) {
		const char *url = archive_node_get_scalar(site, "base_url");

		if (url && *url && strncmp(url, "https://", 8) &&
		    strncmp(url, "http://", 7))
			problem(&c, "site.base_url",
				"'%s' is not an http(s) address", url);
		theme = archive_node_get_scalar(site, "theme");
		if (theme && (archive_path_check(theme) != 0 ||
			      strlen(theme) < 5 ||
			      strcmp(theme + strlen(theme) - 4, ".css"))) {
			archive_error_clear();
			problem(&c, "site.theme",
				"'%s' is not a .css file in the archive", theme);
		}
	}
	if (archive_node_get(settings, "notify"))
		notify_validate(&c, archive_node_get(settings, "notify"));
	if (archive_node_get(settings, "harvest"))
		harvest_validate(&c, archive_node_get(settings, "harvest"));
	return c.problems;
}
