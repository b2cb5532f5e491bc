/*
 * advice.c: the advice (advies.md) and the executive's response
 * (reactie.md) of a dossier, and the method templates an advice starts
 * from. Shipped templates live in the data folder; a committee adds or
 * overrides them in its archive under templates/advice/NAME.md.
 */
#include "casework_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int template_name_ok(const char *name)
{
	if (!*name || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* Reads template `name`: the archive's own first, then the shipped one. */
static int template_read(char **out, size_t *len, archive_snap *s,
			 const char *name)
{
	char path[4300];
	int rc;

	if (!template_name_ok(name))
		return archive_error_set(ARCHIVE_EINVALID,
					 "--template: '%s' is not a template "
					 "name (see mores template list)",
					 name);
	snprintf(path, sizeof(path), "templates/advice/%s.md", name);
	rc = archive_snap_read(out, len, s, path);
	if (rc != ARCHIVE_ENOTFOUND)
		return rc;
	snprintf(path, sizeof(path), "%s/templates/advice/%s.md",
		 archive_datadir(), name);
	rc = archive_file_slurp(out, len, path);
	if (rc == ARCHIVE_ENOTFOUND)
		return archive_error_set(rc,
					 "--template: no template '%s' (see "
					 "mores template list)",
					 name);
	return rc;
}

static int has_instrument(const archive_dossier *d, const char *name)
{
	archive_node *list = archive_node_get(
		archive_doc_front(archive_dossier_doc(d)), "instruments");

	for (size_t i = 0; i < archive_node_count(list); i++) {
		const char *v = archive_node_scalar(archive_node_at(list, i));

		if (v && !strcmp(v, name))
			return 1;
	}
	return 0;
}

/* The template that fits a dossier: its method, else its kind. */
static const char *template_for(const archive_dossier *d)
{
	static const char *const methods[] = { "deda", "begeleidingsethiek",
					       "moreel-beraad", NULL };
	const char *kind = archive_dossier_get(d, "kind");

	for (int i = 0; methods[i]; i++)
		if (has_instrument(d, methods[i]))
			return methods[i];
	return kind && !strcmp(kind, "unasked") ? "ongevraagd" : "reflectie";
}

/* Appends src to a growing buffer. */
static int append(char **buf, size_t *len, size_t *cap, const char *src,
		  size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t cap2 = (*len + n + 1) * 2;
		char *nb = realloc(*buf, cap2);

		if (!nb)
			return -1;
		*buf = nb;
		*cap = cap2;
	}
	memcpy(*buf + *len, src, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* The body with {{title}}, {{id}}, {{citation}}, {{question}},
 * {{requester}} and {{committee}} filled in from the dossier. */
static char *fill(const char *body, const archive_dossier *d, archive *a)
{
	char *cite = archive_id_citation(archive_code(a), archive_dossier_id(d));
	const char *names[] = { "title", "id", "citation", "question",
				"requester", "committee", NULL };
	const char *values[] = { archive_dossier_get(d, "title"),
				 archive_dossier_id(d), cite,
				 archive_dossier_get(d, "question"),
				 archive_dossier_get(d, "requester"),
				 archive_name(a) };
	char *out = NULL;
	size_t len = 0, cap = 0;
	const char *p = body;
	int failed = append(&out, &len, &cap, "", 0);

	while (!failed && *p) {
		const char *open = strstr(p, "{{"), *close;
		int hit = 0;

		if (!open) {
			failed = append(&out, &len, &cap, p, strlen(p));
			break;
		}
		failed = append(&out, &len, &cap, p, (size_t)(open - p));
		close = strstr(open, "}}");
		for (int i = 0; !failed && close && names[i]; i++) {
			if ((size_t)(close - open - 2) == strlen(names[i]) &&
			    !strncmp(open + 2, names[i], strlen(names[i]))) {
				const char *v = values[i] ? values[i] : "";

				failed = append(&out, &len, &cap, v, strlen(v));
				hit = 1;
			}
		}
		if (!failed && !hit)
			failed = append(&out, &len, &cap, open, 2);
		p = hit ? close + 2 : open + 2;
	}
	free(cite);
	if (failed) {
		free(out);
		return NULL;
	}
	return out;
}

static char *doc_path(const char *id, const char *file)
{
	char *dir = archive_id_dir(id), *path = NULL;

	if (dir && asprintf(&path, "%s/%s", dir, file) < 0)
		path = NULL;
	free(dir);
	return path;
}

/* The advies.md a dossier's advice starts from. */
static int advice_from_template(archive_doc **out, archive *a,
				archive_snap *s, const archive_dossier *d,
				const char *name)
{
	char *text, *body, *path;
	size_t len;
	archive_doc *tpl;
	int rc;

	*out = NULL;
	if ((rc = template_read(&text, &len, s, name ? name : template_for(d))))
		return rc;
	path = doc_path(archive_dossier_id(d), "advies.md");
	rc = path ? archive_doc_parse(&tpl, path, text, len)
		  : archive_error_set(ARCHIVE_ERROR, "out of memory");
	free(text);
	free(path);
	if (rc != 0)
		return rc;
	body = fill(archive_doc_body(tpl), d, a);
	rc = body ? archive_doc_set_body(tpl, body)
		  : archive_error_set(ARCHIVE_ERROR, "out of memory");
	free(body);
	if (rc != 0) {
		archive_doc_free(tpl);
		return rc;
	}
	*out = tpl;
	return 0;
}

/* ---- writing advies.md and reactie.md ----------------------------------- */

enum part { PART_ADVICE, PART_RESPONSE };

struct put_ctx {
	archive *a;
	const char *id, *template_name;
	const char *text;
	size_t len;
	enum part part;
	int create; /* advice new: from a template, refusing to overwrite */
};

static int starts_with_front_matter(const char *text, size_t len)
{
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		len -= 3;
	}
	return len >= 3 && !memcmp(text, "---", 3) &&
	       (len == 3 || text[3] == '\n' || text[3] == '\r' ||
		text[3] == ' ');
}

/* The new document from the text a user gave. */
static int doc_from_text(archive_doc **out, const struct put_ctx *c,
			 const archive_dossier *d, const char *path)
{
	archive_doc *old = c->part == PART_ADVICE ? archive_dossier_advice(d)
						  : archive_dossier_response(d);
	archive_doc *doc;
	char *body;
	int bad_line, rc;

	if (starts_with_front_matter(c->text, c->len))
		return archive_doc_parse(out, path, c->text, c->len);
	if (archive_utf8_check(c->text, c->len, &bad_line) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "%s:%d: not valid UTF-8 text", path,
					 bad_line);
	doc = old ? casework_doc_copy(old) : archive_doc_new(path);
	if (!doc)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	rc = 0;
	if (!old && c->part == PART_ADVICE)
		rc = archive_node_put_scalar(archive_doc_front(doc), "summary",
					     "");
	if (!old && c->part == PART_RESPONSE) {
		char today[11];
		const char *from = archive_dossier_get(d, "requester");

		archive_date_today(today);
		rc = archive_node_put_scalar(archive_doc_front(doc),
					     "received", today);
		if (rc == 0 && from)
			rc = archive_node_put_scalar(archive_doc_front(doc),
						     "from", from);
	}
	body = malloc(c->len + 2);
	if (rc == 0 && body) {
		body[0] = '\n';
		memcpy(body + 1, c->text, c->len);
		body[c->len + 1] = '\0';
		rc = archive_doc_set_body(doc, body);
	} else if (rc == 0)
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	free(body);
	if (rc != 0) {
		archive_doc_free(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

struct first_problem {
	int seen;
};

static void first_problem(const char *file, const char *field,
			  const char *msg, void *ctx)
{
	struct first_problem *p = ctx;

	if (!p->seen++)
		archive_error_set(ARCHIVE_EINVALID, "%s: %s: %s", file, field,
				  msg);
}

static int stage_put(archive_txn *t, void *ctx)
{
	struct put_ctx *c = ctx;
	archive_snap *s = archive_txn_base(t);
	archive_dossier *before, *after = NULL;
	archive_doc *doc = NULL;
	struct first_problem fp = { 0 };
	const char *file = c->part == PART_ADVICE ? "advies.md" : "reactie.md";
	char *path;
	int rc;

	if ((rc = casework_load(&before, s, c->id)) != 0)
		return rc;
	path = doc_path(c->id, file);
	if (!path)
		rc = archive_error_set(ARCHIVE_ERROR, "out of memory");
	else if (c->create && archive_dossier_advice(before))
		rc = archive_error_set(ARCHIVE_EEXISTS,
				       "%s: already has an advice; edit it with "
				       "mores advice edit %s",
				       path, c->id);
	else if (c->create)
		rc = advice_from_template(&doc, c->a, s, before,
					  c->template_name);
	else
		rc = doc_from_text(&doc, c, before, path);
	free(path);
	if (rc == 0) {
		if (c->part == PART_ADVICE)
			archive_advice_validate(doc, first_problem, &fp);
		else
			archive_response_validate(doc, first_problem, &fp);
		if (fp.seen)
			rc = ARCHIVE_EINVALID;
	}
	if (rc == 0) {
		archive_doc *dcopy = casework_doc_copy(archive_dossier_doc(before));
		archive_doc *acopy =
			c->part == PART_ADVICE
				? casework_doc_copy(doc)
				: casework_doc_copy(archive_dossier_advice(before));
		archive_doc *rcopy =
			c->part == PART_RESPONSE
				? casework_doc_copy(doc)
				: casework_doc_copy(archive_dossier_response(before));

		rc = archive_dossier_from_docs(&after, c->id, dcopy, acopy, rcopy);
	}
	if (rc == 0)
		rc = casework_validate_change(before, after, s);
	if (rc == 0)
		rc = casework_stage(t, doc);
	if (rc == 0)
		rc = archive_txn_message(
			t, "%s: %s %s\n", c->id,
			c->part == PART_ADVICE ? "advice" : "response",
			c->create ? "drafted from a template" : "updated");
	archive_doc_free(doc);
	archive_dossier_free(before);
	archive_dossier_free(after);
	return rc;
}

int casework_advice_new(archive *a, const char *author, const char *id,
			const char *template_name)
{
	struct put_ctx c = { a, id, template_name, NULL, 0, PART_ADVICE, 1 };

	return archive_write(a, author, stage_put, &c);
}

int casework_advice_put(archive *a, const char *author, const char *id,
			const char *text, size_t len)
{
	struct put_ctx c = { a, id, NULL, text, len, PART_ADVICE, 0 };

	return archive_write(a, author, stage_put, &c);
}

int casework_response_put(archive *a, const char *author, const char *id,
			  const char *text, size_t len)
{
	struct put_ctx c = { a, id, NULL, text, len, PART_RESPONSE, 0 };

	return archive_write(a, author, stage_put, &c);
}

int casework_advice_text(char **out, archive *a, const char *id)
{
	archive_snap *s = archive_snapshot(a);
	archive_dossier *d;
	archive_doc *doc = NULL;
	int rc;

	*out = NULL;
	if ((rc = casework_load(&d, s, id)) != 0)
		return rc;
	if (archive_dossier_advice(d))
		rc = archive_doc_format(out, NULL, archive_dossier_advice(d));
	else if ((rc = advice_from_template(&doc, a, s, d, NULL)) == 0)
		rc = archive_doc_format(out, NULL, doc);
	archive_doc_free(doc);
	archive_dossier_free(d);
	return rc;
}

/* ---- listing templates --------------------------------------------------- */

/* The first Markdown heading of a template, as its title. */
static char *template_title(const char *text, size_t len)
{
	archive_doc *doc;
	const char *p;
	char *title = NULL;

	if (archive_doc_parse(&doc, "template", text, len) != 0) {
		archive_error_clear();
		return NULL;
	}
	for (p = archive_doc_body(doc); p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (*p == '#') {
			while (*p == '#' || *p == ' ')
				p++;
			/* "Reflectie: {{title}}" lists as "Reflectie" */
			title = strndup(p, strcspn(p, "\n"));
			if (title && strstr(title, "{{")) {
				char *end = strstr(title, "{{");

				while (end > title && strchr(" :-", end[-1]))
					end--;
				*end = '\0';
			}
			break;
		}
	}
	archive_doc_free(doc);
	return title;
}

static void add_template(json_t *list, const char *name, const char *text,
			 size_t len, const char *source)
{
	char *title = template_title(text, len);
	json_t *row = json_object();
	size_t i;
	json_t *old;

	json_object_set_new(row, "name", json_string(name));
	json_object_set_new(row, "title", title ? json_string(title)
						: json_string(""));
	json_object_set_new(row, "source", json_string(source));
	free(title);
	json_array_foreach(list, i, old)
	{
		if (!strcmp(json_string_value(json_object_get(old, "name")),
			    name)) {
			json_array_set_new(list, i, row);
			return;
		}
	}
	json_array_append_new(list, row);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int casework_template_list(json_t **out, archive *a)
{
	char dir[4200], **names = NULL;
	size_t n = 0, cap = 0;
	json_t *list = json_array();
	DIR *dh;
	struct dirent *e;

	*out = NULL;
	snprintf(dir, sizeof(dir), "%s/templates/advice", archive_datadir());
	dh = opendir(dir);
	while (dh && (e = readdir(dh))) {
		size_t l = strlen(e->d_name);

		if (l > 3 && !strcmp(e->d_name + l - 3, ".md")) {
			if (n == cap) {
				char **g = realloc(names, (cap = cap * 2 + 8) *
								  sizeof(*g));
				if (!g)
					break;
				names = g;
			}
			names[n++] = strndup(e->d_name, l - 3);
		}
	}
	if (dh)
		closedir(dh);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		char path[8500], *text;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s.md", dir, names[i]);
		if (names[i] && archive_file_slurp(&text, &len, path) == 0) {
			add_template(list, names[i], text, len, "mores");
			free(text);
		}
		archive_error_clear();
	}
	archive_names_free(names, n);
	if (archive_snap_list(&names, &n, archive_snapshot(a),
			      "templates/advice") == 0) {
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(names[i]);
			char path[600], *text, *name;

			if (l <= 3 || strcmp(names[i] + l - 3, ".md"))
				continue;
			snprintf(path, sizeof(path), "templates/advice/%s",
				 names[i]);
			name = strndup(names[i], l - 3);
			if (name && template_name_ok(name) &&
			    archive_snap_read(&text, &l, archive_snapshot(a),
					      path) == 0) {
				add_template(list, name, text, l, "archive");
				free(text);
			}
			free(name);
		}
		archive_names_free(names, n);
	}
	archive_error_clear();
	*out = list;
	return 0;
}
