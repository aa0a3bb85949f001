/* The `names` rule (docs/checks.md): names in the narrative as the booklet prints it — the
 * unit's and its department's (units.csv), and 科目 names next to their codes or in the
 * （类）（款）（项） form (the unit's tables) — against where they are stated. */
#ifndef GONGKAI_NAMES_H
#define GONGKAI_NAMES_H

#include "check/check.h"

/* Appends the findings of rule (kind names) on the narrative of doc, the unit's booklet. */
gk_status gk_check_names(const gk_package *pkg, const gk_rule *rule, size_t unit,
                         const gk_document *doc, gk_findings *findings, gk_diag *diag);

#endif
