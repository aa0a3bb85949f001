/* SHA-256 of files, as lowercase hex (Nettle). */
#ifndef GONGKAI_SHA256_H
#define GONGKAI_SHA256_H

#include <stdbool.h>
#include <stddef.h>

/* Hashes the file at path into out (64 hex digits and a NUL); *size (may be NULL) gets its
 * length. False when the file cannot be read or is not a regular file of at most
 * GK_INPUT_MAX_BYTES (it is opened by gk_input_open, so a FIFO never blocks). */
bool gk_sha256_file(const char *path, char out[65], long long *size);

/* The same for what remains to be read of an open file (not closed). */
bool gk_sha256_fd(int fd, char out[65], long long *size);

/* The same for a large file read often (the fonts, 12.5 MB, at every start): the digest is
 * remembered in a stamp against the file's device, inode, size, modification and change
 * times, under $GONGKAI_CACHE_DIR (else $XDG_CACHE_HOME/gongkai, else ~/.cache/gongkai), and
 * the file is read again only when one of them changed. Without a usable cache folder it
 * hashes every time. */
enum { GK_STAMP_PATH_MAX = 4096 };
bool gk_sha256_file_stamped(const char *path, char out[65]);

/* A digest over many pieces: begin (NULL when out of memory), add each, end (which frees it). */
typedef struct gk_sha256 gk_sha256;
gk_sha256 *gk_sha256_begin(void);
void gk_sha256_add(gk_sha256 *hash, const void *data, size_t len);
void gk_sha256_end(gk_sha256 *hash, unsigned char digest[32]);

/* Hex of a digest. */
void gk_hex(const unsigned char *digest, size_t len, char *out);

#endif
