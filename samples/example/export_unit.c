/* An example of the gongkai library, using only its public header: load a budget package,
 * check its first unit, and export that unit's workbook into memory.
 *   cc export_unit.c $(pkg-config --cflags --libs gongkai) -o export_unit
 *   ./export_unit PACKAGE */
#include <stdio.h>
#include <stdlib.h>

#include <gongkai/gongkai.h>

static void print_finding(void *user, int is_error, const char *rule, const char *text)
{
    (void)user;
    (void)rule;
    printf("%s %s\n", is_error ? "E" : "W", text);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PACKAGE\n", argv[0]);
        return 2;
    }
    gk_diag diag;
    gk_session *session = NULL;
    if (gk_open(argv[1], NULL, &session, &diag) != GK_OK) {
        fprintf(stderr, "%s:%d:%d: %s\n", diag.file, diag.line, diag.column, diag.message);
        return 1;
    }
    printf("gongkai %s: %zu unit(s), the first is %s %s\n", gk_version(),
           gk_unit_count(session), gk_unit_code(session, 0), gk_unit_name(session, 0));
    size_t errors = 0, warnings = 0;
    if (gk_check(session, 0, &errors, &warnings, print_finding, NULL, &diag) != GK_OK)
        fprintf(stderr, "check: %s\n", diag.message);
    printf("%zu error(s), %zu warning(s)\n", errors, warnings);
    void *bytes = NULL;
    size_t len = 0;
    int status = 0;
    if (gk_export_memory(session, 0, "xlsx", &bytes, &len, &diag) != GK_OK) {
        fprintf(stderr, "export: %s\n", diag.message);
        status = 1;
    } else {
        printf("workbook: %zu bytes, starts with %c%c\n", len, ((char *)bytes)[0],
               ((char *)bytes)[1]);
    }
    free(bytes);
    gk_close(session);
    return status;
}
