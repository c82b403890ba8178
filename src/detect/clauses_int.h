/*
 * clauses_int.h — what clauses_load.c (rule files, tables, the prefilter
 * automaton) and clauses.c (the detector) share.  Not part of any API.
 */
#ifndef TGPL_CLAUSES_INT_H
#define TGPL_CLAUSES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <stddef.h>
#include <stdint.h>

#include <pcre2.h>

#include "detect/clauses.h"

#define CL_MAX_SLOTS    16
#define CL_MAX_KEYS     64                 /* keys per rule */

/* The clause ids of DESIGN.md §4; the first CLAUSES_N_TGPL are the TGPL's. */
extern const char *const clauses_ids[];
#define CLAUSES_N_IDS  6
#define CLAUSES_N_TGPL 5

typedef struct {
	char *name;
	pcre2_code *re;
	int where;           /* -1: before the anchor; 0: anywhere in the region; 1: after */
} slot;

typedef struct {
	char *id;
	char *target;        /* clause id, or licence id */
	int is_license;
	int text;            /* kind text (else paraphrase) */
	char *group;
	const char *file;    /* borrowed from cd->files */
	uint32_t line;
	int section;         /* scope: section (else sentence) */
	uint32_t before, after;
	double min;
	pcre2_code *re, *unless, *exclude, *stop;
	slot slots[CL_MAX_SLOTS];
	size_t n_slots;
	uint32_t required;   /* bit i: slots[i] must be found */
	uint32_t *keys;      /* indices into cd->keys: one must occur */
	size_t n_keys;
	uint32_t *also;      /* ... and, if any, one of these too */
	size_t n_also;
} crule;

typedef struct {
	char *name;
	char *pattern;       /* expanded */
} cdefine;

typedef struct {
	char *id, *name, *category, *url;
} ai_license;

typedef struct {
	char *kw, *id;
} hf_entry;

struct clause_data {
	pcre2_general_context *gctx;
	pcre2_compile_context *cctx;
	pcre2_match_context *mctx;
	crule *rules;
	size_t n_rules, cap_rules;
	cdefine *defs;
	size_t n_defs, cap_defs;
	char **files;
	size_t n_files, cap_files;
	char **keys;
	size_t n_keys, cap_keys, key_bytes;
	/* Aho-Corasick over the keys: a dense DFA on byte classes, ASCII case folded. */
	unsigned char cls[256];
	uint32_t n_cls, n_states;
	uint32_t *delta;
	int32_t *term;
	uint32_t *dict;
	unsigned char *has_out;
	ai_license *ai;
	size_t n_ai, cap_ai;
	hf_entry *hf;
	size_t n_hf, cap_hf;
};

/* Mark in found[] the keys occurring in s[0..n) (ASCII case folded); returns
 * how many were not marked before. */
size_t clauses_scan_keys(const struct clause_data *cd, const char *s, size_t n,
			 unsigned char *found);

#endif
