/* SHA-256 through libcrypto's EVP interface; see sha256.h. */
#include "util/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

#include "util/input_file.h"

void gk_hex(const unsigned char *digest, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", digest[i]);
}

bool gk_sha256_fd(int fd, char out[65], long long *size)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return false;
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    long long total = 0;
    bool ok = true;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += n;
    }
    unsigned char md[32];
    EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    gk_hex(md, 32, out);
    if (size)
        *size = total;
    return ok;
}

bool gk_sha256_file(const char *path, char out[65], long long *size)
{
    int fd;
    size_t expected;
    if (gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &expected, NULL) != GK_OK)
        return false; /* missing, unreadable, or not a regular file (a FIFO would block) */
    bool ok = gk_sha256_fd(fd, out, size);
    close(fd);
    return ok;
}
