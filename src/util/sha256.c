/* SHA-256 through libcrypto's EVP interface; see sha256.h. */
#include "util/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>

void gk_hex(const unsigned char *digest, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", digest[i]);
}

bool gk_sha256_file(const char *path, char out[65], long long *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    long long total = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        EVP_DigestUpdate(ctx, buf, n);
        total += (long long)n;
    }
    bool ok = !ferror(f);
    fclose(f);
    unsigned char md[32];
    EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    gk_hex(md, 32, out);
    if (size)
        *size = total;
    return ok;
}
