/*
 * node.c: YAML as a small ordered tree of scalars, lists and maps. Front
 * matter and settings are read into it with libyaml's parser and written
 * back with libyaml's emitter, so quoting is never done by hand. Every
 * scalar stays text; the document model decides what a field means.
 */
#include "archive.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 32

struct archive_node {
	archive_node_kind kind;
	char *scalar; /* NULL for a null scalar */
	int line;
	size_t count, cap;
	char **keys;          /* maps only */
	archive_node **items; /* lists and maps */
};

archive_node *archive_node_new(archive_node_kind kind, const char *value)
{
	archive_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	if (kind == ARCHIVE_NODE_SCALAR && value) {
		n->scalar = strdup(value);
		if (!n->scalar) {
			free(n);
			return NULL;
		}
	}
	return n;
}

void archive_node_free(archive_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->count; i++) {
		if (n->keys)
			free(n->keys[i]);
		archive_node_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->scalar);
	free(n);
}

archive_node *archive_node_copy(const archive_node *n)
{
	archive_node *c;

	if (!n)
		return NULL;
	c = archive_node_new(n->kind, n->scalar);
	if (!c)
		return NULL;
	c->line = n->line;
	for (size_t i = 0; i < n->count; i++) {
		archive_node *item = archive_node_copy(n->items[i]);
		int rc = n->kind == ARCHIVE_NODE_MAP
				 ? archive_node_put(c, n->keys[i], item)
				 : archive_node_append(c, item);

		if (rc != 0) {
			archive_node_free(c);
			return NULL;
		}
	}
	return c;
}

archive_node_kind archive_node_kind_of(const archive_node *n)
{
	return n->kind;
}

const char *archive_node_scalar(const archive_node *n)
{
	return n && n->kind == ARCHIVE_NODE_SCALAR ? n->scalar : NULL;
}

size_t archive_node_count(const archive_node *n)
{
	return n && n->kind != ARCHIVE_NODE_SCALAR ? n->count : 0;
}

archive_node *archive_node_at(const archive_node *n, size_t i)
{
	return n && i < n->count ? n->items[i] : NULL;
}

const char *archive_node_key_at(const archive_node *n, size_t i)
{
	return n && n->kind == ARCHIVE_NODE_MAP && i < n->count ? n->keys[i]
							        : NULL;
}

int archive_node_line(const archive_node *n)
{
	return n ? n->line : 0;
}

static long find_key(const archive_node *map, const char *key)
{
	if (!map || map->kind != ARCHIVE_NODE_MAP)
		return -1;
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->keys[i], key) == 0)
			return (long)i;
	return -1;
}

archive_node *archive_node_get(const archive_node *map, const char *key)
{
	long i = find_key(map, key);

	return i < 0 ? NULL : map->items[i];
}

const char *archive_node_get_scalar(const archive_node *map, const char *key)
{
	return archive_node_scalar(archive_node_get(map, key));
}

static int grow(archive_node *n)
{
	size_t cap;
	archive_node **items;

	if (n->count < n->cap)
		return 0;
	cap = n->cap ? n->cap * 2 : 8;
	items = realloc(n->items, cap * sizeof(*items));
	if (!items)
		return ARCHIVE_ERROR;
	n->items = items;
	if (n->kind == ARCHIVE_NODE_MAP) {
		char **keys = realloc(n->keys, cap * sizeof(*keys));

		if (!keys)
			return ARCHIVE_ERROR;
		n->keys = keys;
	}
	n->cap = cap;
	return 0;
}

int archive_node_put(archive_node *map, const char *key, archive_node *value)
{
	long i;
	char *k;

	if (!value || !map || map->kind != ARCHIVE_NODE_MAP) {
		archive_node_free(value);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	i = find_key(map, key);
	if (i >= 0) {
		archive_node_free(map->items[i]);
		map->items[i] = value;
		return 0;
	}
	k = strdup(key);
	if (!k || grow(map) != 0) {
		free(k);
		archive_node_free(value);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	map->keys[map->count] = k;
	map->items[map->count++] = value;
	return 0;
}

int archive_node_put_scalar(archive_node *map, const char *key, const char *v)
{
	return archive_node_put(map, key,
				archive_node_new(ARCHIVE_NODE_SCALAR, v));
}

int archive_node_append(archive_node *list, archive_node *item)
{
	if (!item || !list || list->kind != ARCHIVE_NODE_LIST ||
	    grow(list) != 0) {
		archive_node_free(item);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	list->items[list->count++] = item;
	return 0;
}

int archive_node_remove(archive_node *map, const char *key)
{
	long i = find_key(map, key);

	if (i < 0)
		return ARCHIVE_ENOTFOUND;
	free(map->keys[i]);
	archive_node_free(map->items[i]);
	memmove(map->keys + i, map->keys + i + 1,
		(map->count - (size_t)i - 1) * sizeof(*map->keys));
	memmove(map->items + i, map->items + i + 1,
		(map->count - (size_t)i - 1) * sizeof(*map->items));
	map->count--;
	return 0;
}

/* ---- parsing ---------------------------------------------------------- */

struct parse {
	yaml_parser_t parser;
	const char *file;
	int first_line;
};

static int parse_fail(struct parse *p, int line, const char *what)
{
	return archive_error_set(ARCHIVE_EINVALID, "%s:%d: yaml: %s", p->file,
				 p->first_line + line, what);
}

static int next_event(struct parse *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&p->parser, ev)) {
		const char *problem = p->parser.problem ? p->parser.problem
							: "cannot parse";

		return parse_fail(p, (int)p->parser.problem_mark.line, problem);
	}
	return 0;
}

/* The words that, unquoted, mean null in YAML. */
static int null_word(const char *v)
{
	return !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static int is_null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*v || null_word(v);
}

static int parse_node(struct parse *p, yaml_event_t *ev, archive_node **out,
		      int depth);

/* Parses the entries of a list or map whose start event was just read. */
static int parse_children(struct parse *p, archive_node *n, int depth)
{
	yaml_event_type_t end = n->kind == ARCHIVE_NODE_MAP
					? YAML_MAPPING_END_EVENT
					: YAML_SEQUENCE_END_EVENT;

	for (;;) {
		yaml_event_t ev;
		archive_node *child;
		char *key = NULL;
		int rc;

		if ((rc = next_event(p, &ev)) != 0)
			return rc;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (n->kind == ARCHIVE_NODE_MAP) {
			int line = (int)ev.start_mark.line;

			if (ev.type != YAML_SCALAR_EVENT) {
				yaml_event_delete(&ev);
				return parse_fail(p, line,
						  "a key must be plain text");
			}
			key = strdup((const char *)ev.data.scalar.value);
			yaml_event_delete(&ev);
			if (!key)
				return archive_error_set(ARCHIVE_ERROR,
							 "out of memory");
			if (find_key(n, key) >= 0) {
				char msg[160];

				snprintf(msg, sizeof(msg),
					 "duplicate key '%.100s'", key);
				free(key);
				return parse_fail(p, line, msg);
			}
			if ((rc = next_event(p, &ev)) != 0) {
				free(key);
				return rc;
			}
		}
		rc = parse_node(p, &ev, &child, depth + 1);
		yaml_event_delete(&ev);
		if (rc == 0)
			rc = n->kind == ARCHIVE_NODE_MAP
				     ? archive_node_put(n, key, child)
				     : archive_node_append(n, child);
		free(key);
		if (rc != 0)
			return rc;
	}
}

static int parse_node(struct parse *p, yaml_event_t *ev, archive_node **out,
		      int depth)
{
	archive_node *n;
	int line = (int)ev->start_mark.line;
	int rc;

	*out = NULL;
	if (depth > MAX_DEPTH)
		return parse_fail(p, line, "nested too deeply");
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = archive_node_new(ARCHIVE_NODE_SCALAR,
				     is_null_scalar(ev)
					     ? NULL
					     : (const char *)ev->data.scalar.value);
		if (!n)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		if (ev->data.scalar.anchor)
			break;
		n->line = p->first_line + line;
		*out = n;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = archive_node_new(ev->type == YAML_MAPPING_START_EVENT
					     ? ARCHIVE_NODE_MAP
					     : ARCHIVE_NODE_LIST,
				     NULL);
		if (!n)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		n->line = p->first_line + line;
		if ((ev->type == YAML_MAPPING_START_EVENT &&
		     ev->data.mapping_start.anchor) ||
		    (ev->type == YAML_SEQUENCE_START_EVENT &&
		     ev->data.sequence_start.anchor))
			break;
		rc = parse_children(p, n, depth);
		if (rc != 0) {
			archive_node_free(n);
			return rc;
		}
		*out = n;
		return 0;
	case YAML_ALIAS_EVENT:
		return parse_fail(p, line, "aliases (*name) are not supported");
	default:
		return parse_fail(p, line, "unexpected content");
	}
	archive_node_free(n);
	return parse_fail(p, line, "anchors (&name) are not supported");
}

int archive_yaml_parse(archive_node **out, const char *file, const char *text,
		       size_t len, int first_line)
{
	struct parse p = { .file = file, .first_line = first_line };
	archive_node *root = NULL;
	yaml_event_t ev;
	int rc, docs = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&p.parser))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	yaml_parser_set_input_string(&p.parser, (const unsigned char *)text,
				     len);
	for (;;) {
		if ((rc = next_event(&p, &ev)) != 0)
			break;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_STREAM_START_EVENT ||
		    ev.type == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			int line = (int)ev.start_mark.line;

			yaml_event_delete(&ev);
			if (++docs > 1) {
				rc = parse_fail(&p, line,
						"more than one document");
				break;
			}
			continue;
		}
		rc = parse_node(&p, &ev, &root, 0);
		yaml_event_delete(&ev);
		if (rc != 0)
			break;
	}
	yaml_parser_delete(&p.parser);
	if (rc != 0) {
		archive_node_free(root);
		return rc;
	}
	if (!root || (root->kind == ARCHIVE_NODE_SCALAR && !root->scalar)) {
		/* An empty document is an empty map. */
		archive_node_free(root);
		root = archive_node_new(ARCHIVE_NODE_MAP, NULL);
		if (!root)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	*out = root;
	return 0;
}

/* ---- emitting --------------------------------------------------------- */

struct sink {
	char *buf;
	size_t len, cap;
	int failed;
};

static int sink_write(void *data, unsigned char *bytes, size_t size)
{
	struct sink *s = data;

	if (s->len + size + 1 > s->cap) {
		size_t cap = (s->len + size + 1) * 2;
		char *nb = realloc(s->buf, cap);

		if (!nb) {
			s->failed = 1;
			return 0;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, bytes, size);
	s->len += size;
	s->buf[s->len] = '\0';
	return 1;
}

static int all_scalars(const archive_node *n)
{
	for (size_t i = 0; i < n->count; i++)
		if (n->items[i]->kind != ARCHIVE_NODE_SCALAR)
			return 0;
	return 1;
}

/* A null scalar is written as nothing after a block key, and as "~" in
 * a flow collection, where libyaml would otherwise quote the empty text
 * and turn the null into an empty string. The text "~" or "null" is
 * quoted, or it would be read back as null. */
static int emit_scalar(yaml_emitter_t *e, const char *v, int is_null,
		       int flow)
{
	yaml_event_t ev;
	const char *text = is_null ? (flow ? "~" : "") : v;

	yaml_scalar_event_initialize(
		&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
		is_null		      ? YAML_PLAIN_SCALAR_STYLE
		: *v && !null_word(v) ? YAML_ANY_SCALAR_STYLE
				      : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return yaml_emitter_emit(e, &ev);
}

static int emit_node(yaml_emitter_t *e, const archive_node *n, int in_list,
		     int flow)
{
	yaml_event_t ev;
	int flow_children;

	if (n->kind == ARCHIVE_NODE_SCALAR)
		return emit_scalar(e, n->scalar ? n->scalar : "", !n->scalar,
				   flow);
	if (n->kind == ARCHIVE_NODE_LIST) {
		flow_children = flow || all_scalars(n);
		yaml_sequence_start_event_initialize(
			&ev, NULL, NULL, 1,
			flow_children ? YAML_FLOW_SEQUENCE_STYLE
				      : YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		for (size_t i = 0; i < n->count; i++)
			if (!emit_node(e, n->items[i], 1, flow_children))
				return 0;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	/* Small maps inside lists (action points) read best on one line. */
	flow_children = flow || (in_list && all_scalars(n) && n->count <= 4);
	yaml_mapping_start_event_initialize(
		&ev, NULL, NULL, 1,
		flow_children ? YAML_FLOW_MAPPING_STYLE
			      : YAML_BLOCK_MAPPING_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return 0;
	for (size_t i = 0; i < n->count; i++) {
		if (!emit_scalar(e, n->keys[i], 0, flow_children) ||
		    !emit_node(e, n->items[i], 0, flow_children))
			return 0;
	}
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev);
}

int archive_yaml_emit(char **out, size_t *len, const archive_node *n)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	struct sink s = { 0 };
	int ok;

	*out = NULL;
	if (!yaml_emitter_initialize(&e))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	yaml_emitter_set_output(&e, sink_write, &s);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && emit_node(&e, n, 0, 0);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
	if (!ok || s.failed) {
		free(s.buf);
		return archive_error_set(ARCHIVE_ERROR, "cannot write YAML");
	}
	if (!s.buf) {
		s.buf = strdup("");
		if (!s.buf)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	*out = s.buf;
	if (len)
		*len = s.len;
	return 0;
}
