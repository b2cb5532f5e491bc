/*
 * check_casework.c: the life of a dossier through the casework module:
 * registration and ids, fields, the status machine and its rules, lists,
 * history, triage, advice templates, responses, what is due, and the
 * validation of a whole archive. Every write is checked in git as well.
 */
#include "casework/casework.h"
#include "tests/fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;
static archive *a;

static void setup(void)
{
	setenv("MORES_TODAY", "2026-11-23", 1);
	dir = fixture_tmpdir();
	a = fixture_archive(dir);
}

static void teardown(void)
{
	archive_free(a);
	fixture_rmdir(dir);
	unsetenv("MORES_TODAY");
}

/* Registers an asked case received on `received`; returns its id. */
static char *new_asked(const char *title, const char *received)
{
	casework_new_opts o = { .kind = "asked",
				.title = title,
				.requester = "Gemeente Test, afdeling Wonen",
				.question = "Mogen we sensoren ophangen?",
				.received = received };
	char *id;

	ck_assert_msg(casework_case_new(&id, a, FIXTURE_AUTHOR, &o) == 0, "%s",
		      archive_error_last());
	return id;
}

/* The dossier's front matter field as a string, or NULL. */
static const char *field(json_t *dossier, const char *key)
{
	return json_string_value(json_object_get(dossier, key));
}

static json_t *show(const char *id)
{
	json_t *j;

	ck_assert_msg(casework_case_show(&j, a, id) == 0, "%s",
		      archive_error_last());
	return j;
}

static void set1(const char *id, const char *assignment)
{
	char *one[] = { (char *)assignment };

	ck_assert_msg(casework_case_set(a, FIXTURE_AUTHOR, id, one, 1) == 0,
		      "%s: %s", assignment, archive_error_last());
}

static void move(const char *id, const char *status)
{
	ck_assert_msg(casework_case_move(a, FIXTURE_AUTHOR, id, status, NULL) ==
			      0,
		      "%s -> %s: %s", id, status, archive_error_last());
}

/* ---- registration ------------------------------------------------------ */

START_TEST(new_numbers_per_year)
{
	char *x = new_asked("Eerste", "2025-12-30");
	char *y = new_asked("Tweede", "2026-01-02");
	char *z = new_asked("Derde", "2026-02-10");
	char *w = new_asked("Vierde", "2025-12-31");
	json_t *j;

	ck_assert_str_eq(x, "2025-001");
	ck_assert_str_eq(y, "2026-001");
	ck_assert_str_eq(z, "2026-002");
	ck_assert_str_eq(w, "2025-002");
	ck_assert_int_eq(fixture_commit_count(a), 5);
	ck_assert(fixture_file_in_head(a, "dossiers/2026/2026-002/dossier.md"));
	j = show("2026-002");
	ck_assert_str_eq(field(j, "status"), "registered");
	ck_assert_str_eq(field(j, "visibility"), "public");
	ck_assert_str_eq(field(j, "received"), "2026-02-10");
	ck_assert_str_eq(field(j, "citation"), "ECT:2026:2");
	ck_assert_str_eq(field(j, "requester"), "Gemeente Test, afdeling Wonen");
	json_decref(j);
	ck_assert_int_eq(fixture_git(archive_path(a),
				     "fsck --strict --no-progress"),
			 0);
	free(x);
	free(y);
	free(z);
	free(w);
}
END_TEST

START_TEST(new_unasked_confidential_defaults)
{
	const char *values[] = { "privacy", "vertrouwen" };
	const char *topics[] = { "camera" };
	casework_new_opts o = { .kind = "unasked",
				.title = "Gezichtsherkenning bij evenementen",
				.values = values,
				.nvalues = 2,
				.topics = topics,
				.ntopics = 1,
				.confidential = 1,
				.deadline = "2027-01-15" };
	char *id;
	json_t *j;

	ck_assert_int_eq(casework_case_new(&id, a, FIXTURE_AUTHOR, &o), 0);
	ck_assert_str_eq(id, "2026-001"); /* received: today, 2026 */
	j = show(id);
	ck_assert_str_eq(field(j, "received"), "2026-11-23");
	ck_assert_str_eq(field(j, "visibility"), "confidential");
	ck_assert_str_eq(field(j, "deadline"), "2027-01-15");
	ck_assert_ptr_null(json_object_get(j, "requester"));
	ck_assert_int_eq(json_array_size(json_object_get(j, "values")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(j, "topics"), 0)),
			 "camera");
	json_decref(j);
	free(id);
}
END_TEST

START_TEST(new_refuses_bad_input)
{
	static const struct {
		casework_new_opts o;
		const char *names;
	} bad[] = {
		{ { .kind = "asked", .title = "T", .question = "Q?" },
		  "requester" },
		{ { .kind = "asked", .title = "T", .requester = "R" },
		  "question" },
		{ { .kind = "gevraagd", .title = "T" }, "kind" },
		{ { .kind = "unasked", .title = "" }, "title" },
		{ { .kind = "unasked", .title = "T", .received = "2026-02-30" },
		  "2026-02-30" },
		{ { .kind = "unasked", .title = "T", .deadline = "morgen" },
		  "morgen" },
	};
	const char *geluk[] = { "geluk" };
	casework_new_opts unknown_value = { .kind = "unasked",
					    .title = "T",
					    .values = geluk,
					    .nvalues = 1 };
	char *id = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_int_eq(casework_case_new(&id, a, FIXTURE_AUTHOR,
						   &bad[i].o),
				 ARCHIVE_EINVALID);
		ck_assert_msg(strstr(archive_error_last(), bad[i].names),
			      "case %zu: %s", i, archive_error_last());
	}
	ck_assert_int_eq(casework_case_new(&id, a, FIXTURE_AUTHOR,
					   &unknown_value),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "geluk"));
	ck_assert_ptr_null(id);
	ck_assert_int_eq(fixture_commit_count(a), 1); /* nothing written */
}
END_TEST

/* ---- fields -------------------------------------------------------------- */

START_TEST(set_fields)
{
	char *old = new_asked("Oud", "2024-05-01");
	char *id = new_asked("Nieuw", "2026-05-01");
	char *many[] = { "values=privacy, transparantie", "topics=sensoren",
			 "related=2024-001", "rapporteur=An de Vries" };
	json_t *j;

	ck_assert_int_eq(casework_case_set(a, FIXTURE_AUTHOR, id, many, 4), 0);
	ck_assert_int_eq(fixture_commit_count(a), 4); /* one commit for all */
	j = show(id);
	ck_assert_int_eq(json_array_size(json_object_get(j, "values")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(j, "values"), 1)),
			 "transparantie");
	ck_assert_str_eq(field(j, "rapporteur"), "An de Vries");
	json_decref(j);
	j = casework_cited_by(a, old);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(json_string_value(json_array_get(j, 0)), id);
	json_decref(j);
	j = casework_cited_by(a, id);
	ck_assert_int_eq(json_array_size(j), 0);
	json_decref(j);
	set1(id, "rapporteur=");
	j = show(id);
	ck_assert_ptr_null(json_object_get(j, "rapporteur"));
	json_decref(j);
	free(old);
	free(id);
}
END_TEST

START_TEST(set_refuses)
{
	char *id = new_asked("Titel", "2026-05-01");
	static const char *const bad[][2] = {
		{ "status=published", "case move" },
		{ "id=2026-009", "id" },
		{ "values=privacy,geluk", "geluk" },
		{ "related=2026-404", "2026-404" },
		{ "related=2026-001", "2026-001" }, /* itself */
		{ "deadline=2026-11-31", "2026-11-31" },
		{ "kind=beide", "beide" },
		{ "visibility=geheim", "geheim" },
		{ "title=", "title" },
		{ "zonder-is-teken", "KEY=VALUE" },
		{ "colour=blue", "colour" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *one[] = { (char *)bad[i][0] };

		ck_assert_msg(casework_case_set(a, FIXTURE_AUTHOR, id, one, 1) ==
				      ARCHIVE_EINVALID,
			      "%s accepted", bad[i][0]);
		ck_assert_msg(strstr(archive_error_last(), bad[i][1]),
			      "%s: %s", bad[i][0], archive_error_last());
	}
	ck_assert_int_eq(casework_case_set(a, FIXTURE_AUTHOR, "2026-404",
					   (char *[]){ "title=x" }, 1),
			 ARCHIVE_ENOTFOUND);
	ck_assert_int_eq(fixture_commit_count(a), 2);
	free(id);
}
END_TEST

/* ---- statuses ------------------------------------------------------------- */

START_TEST(move_asked_through_all_statuses)
{
	char *id = new_asked("Slimme lantaarnpalen", "2026-03-01");
	json_t *j;

	move(id, "intake");
	move(id, "deliberation");
	move(id, "draft");
	move(id, "deliberation"); /* back for more discussion */
	move(id, "draft");
	/* adopted needs an advice with a body */
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, id, "adopted",
					    NULL),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "advi"));
	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, id, NULL), 0);
	move(id, "adopted");
	j = show(id);
	ck_assert_str_eq(field(json_object_get(j, "advice"), "adopted"),
			 "2026-11-23");
	json_decref(j);
	/* asked advice is delivered before it is published */
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, id, "published",
					    NULL),
			 ARCHIVE_EINVALID);
	move(id, "delivered");
	move(id, "published");
	/* nothing moves after publication, not even closing */
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, id, "closed",
					    "ingetrokken"),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(fixture_commit_count(a), 11);
	free(id);
}
END_TEST

START_TEST(move_rules)
{
	casework_new_opts o = { .kind = "unasked",
				.title = "Ongevraagd over drones",
				.received = "2026-04-01",
				.confidential = 1 };
	char *u, *x = new_asked("Wordt ingetrokken", "2026-03-01");
	json_t *j;

	ck_assert_int_eq(casework_case_new(&u, a, FIXTURE_AUTHOR, &o), 0);
	/* no skipping ahead, no unknown statuses */
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, x, "draft", NULL),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "registered"));
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, x, "klaar", NULL),
			 ARCHIVE_EINVALID);
	/* closed needs a reason, which is stored */
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, x, "closed", NULL),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "reason"));
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, x, "closed",
					    "ingetrokken door de aanvrager"),
			 0);
	j = show(x);
	ck_assert_str_eq(field(j, "closed_reason"),
			 "ingetrokken door de aanvrager");
	json_decref(j);
	/* unasked advice goes from adopted straight to published, but a
	 * confidential one is never published */
	move(u, "intake");
	move(u, "deliberation");
	move(u, "draft");
	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, u, NULL), 0);
	move(u, "adopted");
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, u, "published",
					    NULL),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "public"));
	set1(u, "visibility=public");
	move(u, "published");
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, "2026-404",
					    "intake", NULL),
			 ARCHIVE_ENOTFOUND);
	free(u);
	free(x);
}
END_TEST

/* ---- reading ---------------------------------------------------------- */

START_TEST(list_filters_and_log)
{
	casework_new_opts o = { .kind = "unasked", .title = "Ongevraagd",
				.received = "2026-01-05" };
	char *x = new_asked("A", "2025-03-01"), *y = new_asked("B", "2026-03-01");
	char *z;
	json_t *j;

	ck_assert_int_eq(casework_case_new(&z, a, FIXTURE_AUTHOR, &o), 0);
	move(y, "intake");
	ck_assert_int_eq(casework_case_list(&j, a, NULL, NULL), 0);
	ck_assert_int_eq(json_array_size(j), 3);
	ck_assert_str_eq(field(json_array_get(j, 0), "id"), "2025-001");
	ck_assert_str_eq(field(json_array_get(j, 1), "id"), "2026-001");
	ck_assert_str_eq(field(json_array_get(j, 2), "citation"), "ECT:2026:2");
	json_decref(j);
	ck_assert_int_eq(casework_case_list(&j, a, "intake", NULL), 0);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(field(json_array_get(j, 0), "id"), y);
	json_decref(j);
	ck_assert_int_eq(casework_case_list(&j, a, NULL, "unasked"), 0);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(field(json_array_get(j, 0), "id"), z);
	json_decref(j);
	ck_assert_int_eq(casework_case_list(&j, a, "klaar", NULL),
			 ARCHIVE_EINVALID);

	ck_assert_int_eq(casework_case_log(&j, a, y), 0);
	ck_assert_int_eq(json_array_size(j), 2); /* newest first */
	ck_assert_ptr_nonnull(strstr(field(json_array_get(j, 0), "message"),
				     "intake"));
	ck_assert_str_eq(field(json_array_get(j, 1), "author"),
			 "Test Secretaris");
	ck_assert_str_eq(field(json_array_get(j, 1), "email"),
			 "secretaris@example.org");
	json_decref(j);
	free(x);
	free(y);
	free(z);
}
END_TEST

START_TEST(plain_git_edits_are_read)
{
	char *id = new_asked("Met de hand bewerkt", "2026-03-01");
	char path[512];
	json_t *j;

	snprintf(path, sizeof(path), "%s/arch/dossiers/2026/%s/dossier.md",
		 dir, id);
	fixture_write_file(path,
			   "---\nid: 2026-001\ntitle: Nieuwe titel\nkind: "
			   "unasked\nreceived: 2026-03-01\nstatus: intake\n"
			   "visibility: public\n---\nMet de hand.\n");
	ck_assert_int_eq(fixture_git(archive_path(a), "-c user.name=X -c "
						       "user.email=x@y commit "
						       "-qam hand"),
			 0);
	archive_free(a);
	a = fixture_open(dir);
	j = show(id);
	ck_assert_str_eq(field(j, "title"), "Nieuwe titel");
	ck_assert_str_eq(field(j, "status"), "intake");
	json_decref(j);
	move(id, "deliberation");
	free(id);
}
END_TEST

START_TEST(refuses_to_overwrite_uncommitted_edit)
{
	char *id = new_asked("Bewerkt", "2026-03-01");
	char path[512];
	const char *edit = "---\nid: 2026-001\ntitle: Half af\n---\n";

	snprintf(path, sizeof(path), "%s/arch/dossiers/2026/%s/dossier.md",
		 dir, id);
	fixture_write_file(path, edit);
	ck_assert_int_eq(casework_case_move(a, FIXTURE_AUTHOR, id, "intake",
					    NULL),
			 ARCHIVE_EDIRTY);
	ck_assert(fixture_file_equals(dir, path + strlen(dir) + 1, edit));
	ck_assert_int_eq(fixture_commit_count(a), 2);
	free(id);
}
END_TEST

/* ---- triage --------------------------------------------------------------- */

static int suggests(json_t *list, const char *instrument)
{
	size_t i;
	json_t *row;

	json_array_foreach(list, i, row)
	{
		if (!strcmp(field(row, "instrument"), instrument))
			return 1;
	}
	return 0;
}

/* Answers by key, index-aligned with the questions. */
static void answers_for(const char **out, const char *const *pairs)
{
	for (int i = 0; casework_triage_questions[i].key; i++) {
		out[i] = NULL;
		for (int k = 0; pairs[k]; k += 2)
			if (!strcmp(pairs[k], casework_triage_questions[i].key))
				out[i] = pairs[k + 1];
	}
}

START_TEST(triage_suggests_and_stores)
{
	char *id = new_asked("Camera's met tellende software", "2026-03-01");
	const char *ans[16];
	static const char *const camera[] = {
		"phase",	"start",	    "public_space", "ja",
		"automated",	"ja",		    "scale",	    "veel",
		"data",		"persoonsgegevens", NULL
	};
	static const char *const light[] = { "phase", "afronding", "complexity",
					     "laag", "public_space", "nee",
					     "automated", "nee", "data",
					     "geen-persoonsgegevens", "impact",
					     "nee", "parties", "intern", NULL };
	json_t *j, *d;

	answers_for(ans, camera);
	ck_assert_int_eq(casework_triage(&j, a, FIXTURE_AUTHOR, id, ans), 0);
	ck_assert(suggests(j, "dpia"));
	ck_assert(suggests(j, "iama"));
	ck_assert(suggests(j, "deda"));
	ck_assert(suggests(j, "begeleidingsethiek"));
	ck_assert(!suggests(j, "waardentabel"));
	ck_assert_ptr_nonnull(field(json_array_get(j, 0), "reason"));
	json_decref(j);
	d = show(id);
	ck_assert_str_eq(field(json_object_get(d, "triage"), "public_space"),
			 "ja");
	ck_assert_str_eq(field(json_object_get(d, "triage"), "date"),
			 "2026-11-23");
	json_decref(d);

	answers_for(ans, light);
	ck_assert_int_eq(casework_triage(&j, a, FIXTURE_AUTHOR, id, ans), 0);
	ck_assert(!suggests(j, "dpia"));
	ck_assert(!suggests(j, "iama"));
	ck_assert(suggests(j, "moreel-beraad")); /* a project nearly done */
	json_decref(j);

	answers_for(ans, (const char *const[]){ "phase", "nooit", NULL });
	ck_assert_int_eq(casework_triage(&j, a, FIXTURE_AUTHOR, id, ans),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "--phase"));
	ck_assert_int_eq(fixture_commit_count(a), 4);
	free(id);
}
END_TEST

/* ---- advice, response, templates ----------------------------------------- */

START_TEST(advice_from_template)
{
	char *id = new_asked("Algoritmeregister", "2026-03-01");
	char *text, own[512];
	json_t *j;
	size_t i;
	int archive_own = 0;

	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, id, NULL), 0);
	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, id, NULL),
			 ARCHIVE_EEXISTS);
	ck_assert_int_eq(casework_advice_text(&text, a, id), 0);
	ck_assert_ptr_nonnull(strstr(text, "Algoritmeregister"));
	ck_assert_ptr_nonnull(strstr(text, "Mogen we sensoren ophangen?"));
	ck_assert_ptr_null(strstr(text, "{{"));
	free(text);

	/* plain text keeps the front matter, replaces the body */
	casework_advice_put(a, FIXTURE_AUTHOR, id, "Ons advies.\n", 12);
	ck_assert_int_eq(casework_advice_text(&text, a, id), 0);
	ck_assert_ptr_nonnull(strstr(text, "summary"));
	ck_assert_ptr_nonnull(strstr(text, "\nOns advies.\n"));
	ck_assert_ptr_null(strstr(text, "Reflectie"));
	free(text);
	/* front matter that breaks the rules is refused */
	ck_assert_int_eq(casework_advice_put(a, FIXTURE_AUTHOR, id,
					     "---\nadopted: 2026-02-30\n---\nx\n",
					     30),
			 ARCHIVE_EINVALID);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "2026-02-30"));

	/* a committee's own template wins over the shipped one */
	snprintf(own, sizeof(own), "---\nsummary: \"\"\n---\n# Eigen "
				   "sjabloon voor {{id}}\n");
	fixture_commit_text(a, "templates/advice/deda.md", own);
	ck_assert_int_eq(casework_template_list(&j, a), 0);
	ck_assert_int_ge(json_array_size(j), 5);
	for (i = 0; i < json_array_size(j); i++) {
		json_t *row = json_array_get(j, i);

		if (!strcmp(field(row, "name"), "deda")) {
			archive_own = strcmp(field(row, "source"), "archive") == 0;
			ck_assert_str_eq(field(row, "title"),
					 "Eigen sjabloon voor");
		}
		if (!strcmp(field(row, "name"), "reflectie"))
			ck_assert_str_eq(field(row, "title"), "Reflectie");
	}
	ck_assert(archive_own);
	json_decref(j);
	free(id);
	id = new_asked("Workshop", "2026-04-01");
	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, id, "../x"),
			 ARCHIVE_EINVALID);
	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, id, "geen"),
			 ARCHIVE_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(archive_error_last(), "template list"));
	ck_assert_int_eq(casework_advice_new(a, FIXTURE_AUTHOR, id, "deda"), 0);
	ck_assert_int_eq(casework_advice_text(&text, a, id), 0);
	ck_assert_ptr_nonnull(strstr(text, "# Eigen sjabloon voor 2026-002"));
	free(text);
	free(id);
}
END_TEST

START_TEST(response_defaults)
{
	char *id = new_asked("Met reactie", "2026-03-01");
	json_t *j, *r;

	ck_assert_int_eq(casework_response_put(a, FIXTURE_AUTHOR, id,
					       "Het college neemt het over.\n",
					       28),
			 0);
	j = show(id);
	r = json_object_get(j, "response");
	ck_assert_str_eq(field(r, "received"), "2026-11-23");
	ck_assert_str_eq(field(r, "from"), "Gemeente Test, afdeling Wonen");
	/* a blank line separates the front matter from the text */
	ck_assert_str_eq(field(r, "body") + strspn(field(r, "body"), "\n"),
			 "Het college neemt het over.\n");
	json_decref(j);
	ck_assert_int_eq(casework_response_put(a, FIXTURE_AUTHOR, id,
					       "---\nfrom: College\n---\n", 22),
			 ARCHIVE_EINVALID);
	free(id);
}
END_TEST

/* ---- due and check -------------------------------------------------------- */

START_TEST(due_items)
{
	char *x = new_asked("Met deadline", "2026-03-01");
	char *y = new_asked("Met vervolg", "2026-03-02");
	const char *advice = "---\nsummary: Kort.\nactions:\n  - {what: Register "
			     "bijwerken, owner: Team Data, due: 2026-12-01, "
			     "done: false}\n  - {what: Klaar, owner: X, due: "
			     "2026-11-30, done: true}\n---\nAdvies.\n";
	json_t *j;

	set1(x, "deadline=2026-11-20");
	set1(y, "follow_up=2027-06-01");
	ck_assert_int_eq(casework_advice_put(a, FIXTURE_AUTHOR, y, advice,
					     strlen(advice)),
			 0);
	ck_assert_int_eq(casework_due(&j, a, -1), 0);
	ck_assert_int_eq(json_array_size(j), 3); /* done actions are not due */
	ck_assert_str_eq(field(json_array_get(j, 0), "what"), "deadline");
	ck_assert(json_is_true(json_object_get(json_array_get(j, 0),
					       "overdue")));
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_array_get(j, 0), "days")),
			 -3);
	ck_assert_str_eq(field(json_array_get(j, 1), "action"),
			 "Register bijwerken");
	ck_assert_str_eq(field(json_array_get(j, 1), "owner"), "Team Data");
	ck_assert_str_eq(field(json_array_get(j, 2), "id"), y);
	json_decref(j);
	ck_assert_int_eq(casework_due(&j, a, 30), 0);
	ck_assert_int_eq(json_array_size(j), 2); /* follow-up is months away */
	json_decref(j);
	free(x);
	free(y);
}
END_TEST

static void note(const char *file, const char *field, const char *msg,
		 void *ctx)
{
	(void)msg;
	strncat(ctx, file, 1023 - strlen(ctx));
	strncat(ctx, ":", 1023 - strlen(ctx));
	fixture_note_problem(ctx, field);
}

START_TEST(check_reports_every_problem)
{
	char problems[1024] = "";
	char *id = new_asked("Goed", "2026-03-01");

	ck_assert_int_eq(casework_check(a, note, problems), 0);
	fixture_commit_text(a, "dossiers/2026/2026-002/dossier.md",
			    "---\nid: 2026-002\ntitle: x\nkind: unasked\n"
			    "received: 2026-02-30\nstatus: intake\n"
			    "visibility: public\nrelated: [2025-007]\n---\n");
	fixture_commit_text(a, "dossiers/2026/2026-003/dossier.md",
			    "---\nid: 2026-003\ntitle: [niet, tekst]\n---\n");
	/* mores never writes broken UTF-8, but plain git does */
	fixture_git_commit(a, "dossiers/2026/2026-004/dossier.md",
			   "---\nid: 2026-004\ntitle: \xff\n---\n");
	fixture_commit_text(a, "dossiers/2026/losse-map/dossier.md", "x\n");
	ck_assert_int_ge(casework_check(a, note, problems), 6);
	ck_assert_ptr_nonnull(strstr(problems, "dossiers/2026/2026-002/"
					       "dossier.md:received,"));
	ck_assert_ptr_nonnull(strstr(problems, "dossiers/2026/2026-002/"
					       "dossier.md:related,"));
	ck_assert_ptr_nonnull(strstr(problems, "2026-003/dossier.md:title,"));
	ck_assert_ptr_nonnull(strstr(problems, "2026-003/dossier.md:kind,"));
	ck_assert_ptr_nonnull(strstr(problems, "2026-004/dossier.md:"));
	ck_assert_ptr_nonnull(strstr(problems, "losse-map"));
	free(id);
}
END_TEST

/* Notes "file|field|message;" for each problem. */
static void note_all(const char *file, const char *field, const char *msg,
		     void *ctx)
{
	char *buf = ctx;

	snprintf(buf + strlen(buf), 2048 - strlen(buf), "%s|%s|%s;", file,
		 field, msg);
}

START_TEST(check_names_file_field_and_line)
{
	char problems[2048] = "";
	char *id = new_asked("Goed", "2026-03-01");
	archive *b;

	/* broken UTF-8 in a title hides none of the file's other problems */
	fixture_git_commit(a, "dossiers/2026/2026-002/dossier.md",
			   "---\nid: 2026-002\ntitle: Kapot \xff\nkind: unasked\n"
			   "received: 2026-03-01\nstatus: intake\n"
			   "visibility: public\nvalues: [geluk]\n---\nTekst\n");
	/* a problem of advies.md is reported for advies.md, with its line */
	fixture_git_commit(a, "dossiers/2026/2026-001/advies.md",
			   "---\nsummary: [open\n---\nTekst\n");
	fixture_git_commit(a, "dossiers/2026/2026-001/reactie.md",
			   "geen voorpagina\n");
	/* read the archive afresh, as the next mores would */
	b = fixture_open(dir);
	ck_assert_int_eq(casework_check(b, note_all, problems), 4);
	archive_free(b);
	ck_assert_msg(strstr(problems, "dossiers/2026/2026-002/dossier.md|title|"
				       "not valid UTF-8 text (line 3);"),
		      "%s", problems);
	ck_assert_msg(strstr(problems, "dossiers/2026/2026-002/dossier.md|"
				       "values|'geluk'"),
		      "%s", problems);
	ck_assert_msg(strstr(problems, "dossiers/2026/2026-001/advies.md|yaml|"),
		      "%s", problems);
	ck_assert_msg(strstr(problems, "(line 3);"), "%s", problems);
	ck_assert_msg(strstr(problems, "dossiers/2026/2026-001/reactie.md|"
				       "line 1|front matter: "),
		      "%s", problems);
	ck_assert_ptr_null(strstr(problems, "||"));
	free(id);
}
END_TEST

Suite *casework_suite(void)
{
	Suite *s = suite_create("casework");
	TCase *t = tcase_create("casework");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, new_numbers_per_year);
	tcase_add_test(t, new_unasked_confidential_defaults);
	tcase_add_test(t, new_refuses_bad_input);
	tcase_add_test(t, set_fields);
	tcase_add_test(t, set_refuses);
	tcase_add_test(t, move_asked_through_all_statuses);
	tcase_add_test(t, move_rules);
	tcase_add_test(t, list_filters_and_log);
	tcase_add_test(t, plain_git_edits_are_read);
	tcase_add_test(t, refuses_to_overwrite_uncommitted_edit);
	tcase_add_test(t, triage_suggests_and_stores);
	tcase_add_test(t, advice_from_template);
	tcase_add_test(t, response_defaults);
	tcase_add_test(t, due_items);
	tcase_add_test(t, check_reports_every_problem);
	tcase_add_test(t, check_names_file_field_and_line);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(casework_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
