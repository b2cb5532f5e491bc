/*
 * triage.c: the ethical check at intake. The questions follow the points a
 * committee weighs to decide whether and how to look at a case (project
 * phase, complexity, data collection in public space, automated decisions,
 * reach, parties, nature of the data, consequences for the city); the
 * answers are stored in the dossier and lead to suggested instruments,
 * each with its reason.
 */
#include "casework_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const phases[] = { "start", "lopend", "afronding", NULL };
static const char *const levels[] = { "laag", "midden", "hoog", NULL };
static const char *const yesno[] = { "ja", "nee", NULL };
static const char *const scales[] = { "weinig", "veel", NULL };
static const char *const parties[] = { "intern", "extern", NULL };
static const char *const data[] = { "geen-persoonsgegevens",
				    "persoonsgegevens", "bijzonder",
				    "openbare-ruimte", NULL };

const casework_triage_question casework_triage_questions[] = {
	{ "phase", "--phase", "In welke fase is het project?", phases },
	{ "complexity", "--complexity",
	  "Hoe complex is het (techniek, partijen, belangen)?", levels },
	{ "public_space", "--public-space",
	  "Worden in de openbare ruimte systematisch gegevens verzameld "
	  "(camera's, sensoren, volgen)?",
	  yesno },
	{ "automated", "--automated",
	  "Neemt of ondersteunt de technologie besluiten over mensen "
	  "(algoritme, profilering)?",
	  yesno },
	{ "scale", "--scale", "Hoeveel mensen raakt het?", scales },
	{ "parties", "--parties",
	  "Werken alleen eigen mensen eraan, of ook externe partijen?",
	  parties },
	{ "data", "--data",
	  "Welke gegevens gaat het om (bijzonder: bijzondere of "
	  "strafrechtelijke persoonsgegevens; openbare-ruimte: fysieke "
	  "gegevens over de openbare ruimte)?",
	  data },
	{ "impact", "--impact",
	  "Heeft het gevolgen voor de gezondheid of veiligheid in de stad?",
	  yesno },
	{ NULL, NULL, NULL, NULL }
};

static int answer_ok(const casework_triage_question *q, const char *answer)
{
	for (const char *const *a = q->answers; *a; a++)
		if (!strcmp(*a, answer))
			return 1;
	return 0;
}

static const char *answer_of(const char *const *answers, const char *key)
{
	for (int i = 0; casework_triage_questions[i].key; i++)
		if (!strcmp(casework_triage_questions[i].key, key))
			return answers[i];
	return NULL;
}

static int is(const char *const *answers, const char *key, const char *value)
{
	const char *a = answer_of(answers, key);

	return a && !strcmp(a, value);
}

static void suggest(json_t *list, const char *instrument, const char *reason)
{
	json_t *row = json_object();

	json_object_set_new(row, "instrument", json_string(instrument));
	json_object_set_new(row, "reason", json_string(reason));
	json_array_append_new(list, row);
}

/* The instruments the answers point to, each with its reason. */
static json_t *suggestions(const char *const *answers)
{
	json_t *list = json_array();
	int personal = is(answers, "data", "persoonsgegevens") ||
		       is(answers, "data", "bijzonder");

	if (personal && (is(answers, "data", "bijzonder") ||
			 is(answers, "public_space", "ja") ||
			 is(answers, "scale", "veel") ||
			 is(answers, "automated", "ja")))
		suggest(list, "dpia",
			"persoonsgegevens met een hoog risico (bijzondere "
			"gegevens, volgen in de openbare ruimte, grote schaal of "
			"geautomatiseerde besluiten): een DPIA is dan wettelijk "
			"verplicht");
	if (is(answers, "automated", "ja"))
		suggest(list, "iama",
			"een algoritme dat besluiten over mensen neemt of "
			"voorbereidt: de IAMA brengt de gevolgen voor "
			"grondrechten in kaart voordat het wordt ingezet");
	if ((is(answers, "phase", "start") || is(answers, "phase", "lopend")) &&
	    !is(answers, "data", "geen-persoonsgegevens") &&
	    answer_of(answers, "data"))
		suggest(list, "deda",
			"een dataproject dat nog vorm krijgt: een DEDA-workshop "
			"legt het besluitvormingsproces vast en levert "
			"actiepunten op die het project moet opvolgen");
	if (is(answers, "public_space", "ja") ||
	    is(answers, "parties", "extern") || is(answers, "impact", "ja") ||
	    is(answers, "data", "openbare-ruimte"))
		suggest(list, "begeleidingsethiek",
			"technologie in de leefomgeving met verschillende "
			"betrokkenen: begeleidingsethiek zoekt in dialoog naar "
			"handelingsopties voor techniek, omgeving en gebruik");
	if (is(answers, "complexity", "hoog") || is(answers, "phase", "lopend") ||
	    is(answers, "phase", "afronding"))
		suggest(list, "moreel-beraad",
			"een concreet dilemma in een lopend of complex traject: "
			"een moreel beraad maakt de morele vraag scherp en laat "
			"ieder de waarde achter zijn keuze benoemen");
	if (json_array_size(list) == 0)
		suggest(list, "waardentabel",
			"geen zware risico's in de antwoorden: een lichte toets "
			"met een waardentabel (ethisch wenselijk / onwenselijk, "
			"per waarde) volstaat");
	return list;
}

struct triage_ctx {
	const char *id;
	const char *const *answers;
	json_t *suggested;
};

static int stage_triage(archive_txn *t, void *ctx)
{
	struct triage_ctx *c = ctx;
	archive_snap *s = archive_txn_base(t);
	archive_dossier *d;
	archive_doc *doc;
	archive_node *map, *old, *list;
	char today[11];
	size_t i;
	int rc;

	if ((rc = casework_load(&d, s, c->id)) != 0)
		return rc;
	doc = casework_doc_copy(archive_dossier_doc(d));
	archive_dossier_free(d);
	if (!doc)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	/* Answers given now replace earlier ones; the rest are kept. */
	old = archive_node_get(archive_doc_front(doc), "triage");
	map = old && archive_node_kind_of(old) == ARCHIVE_NODE_MAP
		      ? archive_node_copy(old)
		      : archive_node_new(ARCHIVE_NODE_MAP, NULL);
	rc = map ? 0 : archive_error_set(ARCHIVE_ERROR, "out of memory");
	for (i = 0; rc == 0 && casework_triage_questions[i].key; i++)
		if (c->answers[i])
			rc = archive_node_put_scalar(
				map, casework_triage_questions[i].key,
				c->answers[i]);
	if (rc == 0) {
		const char *merged[16] = { 0 };

		for (i = 0; casework_triage_questions[i].key; i++)
			merged[i] = archive_node_get_scalar(
				map, casework_triage_questions[i].key);
		json_decref(c->suggested);
		c->suggested = suggestions(merged);
		list = archive_node_new(ARCHIVE_NODE_LIST, NULL);
		for (i = 0; list && i < json_array_size(c->suggested); i++)
			archive_node_append(
				list,
				archive_node_new(
					ARCHIVE_NODE_SCALAR,
					json_string_value(json_object_get(
						json_array_get(c->suggested, i),
						"instrument"))));
		archive_date_today(today);
		rc = archive_node_put_scalar(map, "date", today);
		rc = rc ? rc : archive_node_put(map, "suggested", list);
	}
	if (rc == 0)
		rc = archive_node_put(archive_doc_front(doc), "triage", map);
	else
		archive_node_free(map);
	if (rc == 0)
		rc = casework_stage(t, doc);
	if (rc == 0)
		rc = archive_txn_message(t, "%s: triage (ethical check)\n",
					 c->id);
	archive_doc_free(doc);
	return rc;
}

int casework_triage(json_t **out, archive *a, const char *author,
		    const char *id, const char *const *answers)
{
	struct triage_ctx c = { id, answers, NULL };
	int rc;

	*out = NULL;
	for (int i = 0; casework_triage_questions[i].key; i++)
		if (answers[i] && !answer_ok(&casework_triage_questions[i],
					     answers[i]))
			return archive_error_set(
				ARCHIVE_EINVALID, "%s: '%s' is not one of the "
						  "answers",
				casework_triage_questions[i].flag, answers[i]);
	rc = archive_write(a, author, stage_triage, &c);
	if (rc != 0) {
		json_decref(c.suggested);
		return rc;
	}
	*out = c.suggested;
	return 0;
}
