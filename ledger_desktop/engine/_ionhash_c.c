/* Ion Hash (SHA-256) straight from Ion binary: the C accelerator of ion_binary_hash.py.
 *
 * hash_binary(data) returns the 32-byte Ion Hash of the single Ion value in `data` (Ion 1.0
 * binary with its version marker, local symbol tables allowed, including the
 * `imports: $ion_symbol_table` append form), or None for anything this reader leaves to the
 * Python path: shared symbol table imports, unusual encodings, nesting deeper than MAX_DEPTH,
 * numbers too large for 64 bits, and every kind of malformed data. It never reads outside
 * `data`, never loops without consuming input, and owns every allocation it frees.
 *
 * Strict framing: whenever it returns a hash, ion_framing.check_binary_framing(data) passes
 * (every value fits its container, containers are filled exactly, annotation wrappers hold a
 * value); local symbol tables are checked with the same rules before they are read.
 *
 * The hashing rules are those of ion_hash.py (the Ion Hash 1.0 spec): s(v) = 0x0B TQ
 * escape(representation) 0x0E, with 0x0B/0x0E/0x0C escaped by 0x0C; scalars re-encoded in
 * their minimal form; struct fields hashed one by one, sorted and escaped; annotations wrap.
 *
 * SHA-256 follows FIPS 180-4; on x86-64 CPUs with the SHA extensions the compression function
 * uses them (chosen at run time), elsewhere the portable version runs.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86_SHA 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* ------------------------------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4)                                                                        */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static const uint32_t H256_INIT[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

typedef struct {
    uint32_t h[8];
    uint64_t total; /* bytes fed so far */
    size_t used;    /* bytes waiting in buf */
    uint8_t buf[64];
} Sha;

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void compress_portable(uint32_t *h, const uint8_t *blocks, size_t n) {
    for (; n; n--, blocks += 64) {
        uint32_t w[64];
        for (int t = 0; t < 16; t++) w[t] = load_be32(blocks + 4 * t);
        for (int t = 16; t < 64; t++) {
            uint32_t s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                 hh = h[7];
        for (int t = 0; t < 64; t++) {
            uint32_t t1 = hh + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) +
                          K256[t] + w[t];
            uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }
}

#ifdef HAVE_X86_SHA
/* The SHA extensions keep the state as two vectors, ABEF and CDGH (A in the top lane).
 * SHA256RNDS2 runs two rounds: after them the new C,D,G,H are the old A,B,E,F, so the two
 * state vectors swap roles every two rounds. SHA256MSG1/MSG2 compute the message schedule
 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] four words at a time. */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress_shani(uint32_t *h,
                                                                       const uint8_t *blocks,
                                                                       size_t n) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i abef = _mm_set_epi32((int)h[0], (int)h[1], (int)h[4], (int)h[5]);
    __m128i cdgh = _mm_set_epi32((int)h[2], (int)h[3], (int)h[6], (int)h[7]);
    for (; n; n--, blocks += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        __m128i w[4];
        for (int i = 0; i < 16; i++) {
            __m128i cur;
            if (i < 4) {
                cur = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)),
                                       byteswap);
            } else {
                /* w[i-4] + s0(...) from MSG1, plus W[t-7] (words 1..4 of w[i-2]:w[i-1]), then
                 * MSG2 adds s1 of the two previous words (the second pair from its own result) */
                __m128i t = _mm_sha256msg1_epu32(w[(i - 4) & 3], w[(i - 3) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(w[(i - 1) & 3], w[(i - 2) & 3], 4));
                cur = _mm_sha256msg2_epu32(t, w[(i - 1) & 3]);
            }
            w[i & 3] = cur;
            __m128i wk = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)(K256 + 4 * i)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk); /* new ABEF; old ABEF is now CDGH */
            wk = _mm_shuffle_epi32(wk, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
            /* after the pair of calls: abef holds ABEF again, cdgh holds CDGH */
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }
    uint32_t x[4], y[4];
    _mm_storeu_si128((__m128i *)x, abef);
    _mm_storeu_si128((__m128i *)y, cdgh);
    h[0] = x[3];
    h[1] = x[2];
    h[4] = x[1];
    h[5] = x[0];
    h[2] = y[3];
    h[3] = y[2];
    h[6] = y[1];
    h[7] = y[0];
}

static int cpu_has_sha(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int sse41 = (c >> 19) & 1, ssse3 = (c >> 9) & 1;
    return sha && sse41 && ssse3;
}
#endif

static void (*compress)(uint32_t *, const uint8_t *, size_t) = compress_portable;

static inline void sha_init(Sha *s) {
    memcpy(s->h, H256_INIT, sizeof s->h);
    s->total = 0;
    s->used = 0;
}

static void sha_update(Sha *s, const uint8_t *p, size_t n) {
    s->total += n;
    if (s->used) {
        size_t take = 64 - s->used;
        if (take > n) take = n;
        memcpy(s->buf + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used < 64) return;
        compress(s->h, s->buf, 1);
        s->used = 0;
    }
    if (n >= 64) {
        compress(s->h, p, n / 64);
        p += n & ~(size_t)63;
        n &= 63;
    }
    if (n) {
        memcpy(s->buf, p, n);
        s->used = n;
    }
}

static inline void sha_byte(Sha *s, uint8_t b) {
    s->total++;
    s->buf[s->used++] = b;
    if (s->used == 64) {
        compress(s->h, s->buf, 1);
        s->used = 0;
    }
}

static inline void sha_2bytes(Sha *s, uint8_t a, uint8_t b) {
    sha_byte(s, a);
    sha_byte(s, b);
}

static void sha_final(Sha *s, uint8_t out[32]) {
    uint64_t bits = s->total * 8;
    s->buf[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->buf + s->used, 0, 64 - s->used);
        compress(s->h, s->buf, 1);
        s->used = 0;
    }
    memset(s->buf + s->used, 0, 56 - s->used);
    for (int i = 0; i < 8; i++) s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(s->h, s->buf, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

static inline int is_marker(uint8_t b) { return b == 0x0B || b == 0x0C || b == 0x0E; }

/* Non-zero when one of the 8 bytes of `v` is zero (the classic SWAR test). */
#define HAS_ZERO_BYTE(v) (((v)-0x0101010101010101ULL) & ~(v) & 0x8080808080808080ULL)

/* Feed `p[0:n]` with every marker byte (0x0B, 0x0C, 0x0E) preceded by 0x0C. Markers are rare:
 * eight bytes at a time are tested for all three at once. */
static void sha_escaped(Sha *s, const uint8_t *p, size_t n) {
    size_t run = 0, i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(HAS_ZERO_BYTE(w ^ 0x0B0B0B0B0B0B0B0BULL) | HAS_ZERO_BYTE(w ^ 0x0C0C0C0C0C0C0C0CULL) |
                  HAS_ZERO_BYTE(w ^ 0x0E0E0E0E0E0E0E0EULL))) {
                i += 8;
                continue;
            }
        }
        size_t stop = n - i >= 8 ? i + 8 : n;
        for (; i < stop; i++) {
            if (is_marker(p[i])) {
                if (i > run) sha_update(s, p + run, i - run);
                sha_byte(s, 0x0C);
                run = i; /* the marker itself starts the next run */
            }
        }
    }
    if (n > run) sha_update(s, p + run, n - run);
}

/* ------------------------------------------------------------------------------------------ */
/* Reader state                                                                                */

#define MAX_DEPTH 100
#define FAIL (-1)

typedef struct {
    const uint8_t *text; /* NULL: unknown text (symbol zero only is allowed to be used) */
    size_t len;
} Sym;

static const char *const SYSTEM_TEXTS[] = {
    NULL, "$ion", "$ion_1_0", "$ion_symbol_table", "name", "version", "imports", "symbols",
    "max_id", "$ion_shared_symbol_table"};
#define N_SYSTEM 10
#define SID_ION_SYMBOL_TABLE 3
#define SID_IMPORTS 6
#define SID_SYMBOLS 7

typedef struct {
    const uint8_t *d; /* the data; every index below is checked against `n` or a smaller end */
    size_t n;
    Sym *syms; /* the current symbol table: system symbols, then local ones */
    size_t nsyms, capsyms;
    uint8_t *dig; /* a stack of struct field digests, 32 bytes each */
    size_t ndig, capdig;
    int depth;
    /* block_facts: also refuse what amazon.ion's reader refuses or reads otherwise (invalid
     * or non-minimal timestamps, decimals outside ion-c's range, annotations on annotations,
     * an empty sorted struct), which hash_binary hashes as written. */
    int strict;
} Reader;

static const uint8_t IVM[4] = {0xE0, 0x01, 0x00, 0xEA};

/* VarUInt in [*pos, end), at most 63 bits (leading zero groups allowed). */
static int read_var_uint(const Reader *r, size_t *pos, size_t end, uint64_t *out) {
    uint64_t v = 0;
    size_t p = *pos;
    while (p < end) {
        uint8_t b = r->d[p++];
        if (v >> 56) return FAIL;
        v = (v << 7) | (b & 0x7F);
        if (b & 0x80) {
            *pos = p;
            *out = v;
            return 0;
        }
    }
    return FAIL;
}

/* VarInt in [*pos, end): magnitude and sign flag (a negative zero keeps its flag). */
/* A symbol id (a field name, an annotation): ion-c reads these as 32-bit VarUInts into a
 * signed SID and fails on more than 2^31 - 1, even for a padding field that names nothing. */
static int read_sid(const Reader *r, size_t *pos, size_t end, uint64_t *out) {
    if (read_var_uint(r, pos, end, out)) return FAIL;
    return *out > 0x7FFFFFFFu ? FAIL : 0;
}

static int read_var_int(const Reader *r, size_t *pos, size_t end, uint64_t *mag, int *neg) {
    size_t p = *pos;
    if (p >= end) return FAIL;
    uint8_t b = r->d[p++];
    *neg = (b & 0x40) != 0;
    uint64_t v = b & 0x3F;
    while (!(b & 0x80)) {
        if (p >= end) return FAIL;
        b = r->d[p++];
        if (v >> 56) return FAIL;
        v = (v << 7) | (b & 0x7F);
    }
    *pos = p;
    *mag = v;
    return 0;
}

/* The VarInt at p starts with a zero group it does not need: the magnitude would fit without
 * it (the next byte leaves the sign bit's place free). ion-c refuses some such timestamp
 * offsets (00 00 85) and reads others; strict reading refuses them all. */
static int var_int_padded(const Reader *r, size_t p, size_t end) {
    return (r->d[p] & 0xBF) == 0 && (p + 1 >= end || !(r->d[p + 1] & 0x40));
}

/* Minimal VarUInt / VarInt encodings (out needs 10 bytes). */
static size_t write_var_uint(uint64_t v, uint8_t *out) {
    uint8_t tmp[10];
    size_t k = 0;
    do {
        tmp[k++] = v & 0x7F;
        v >>= 7;
    } while (v);
    for (size_t i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
    out[k - 1] |= 0x80;
    return k;
}

static size_t write_var_int(uint64_t mag, int neg, uint8_t *out) {
    uint8_t tmp[11];
    size_t k = 0;
    tmp[k++] = mag & 0x7F;
    mag >>= 7;
    while (mag) {
        tmp[k++] = mag & 0x7F;
        mag >>= 7;
    }
    if (tmp[k - 1] & 0x40) tmp[k++] = 0; /* no room for the sign bit */
    for (size_t i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
    if (neg) out[0] |= 0x40;
    out[k - 1] |= 0x80;
    return k;
}

/* The value header at *pos (type descriptor, then a VarUInt length when the low nibble is 14,
 * or for a struct with low nibble 1): sets the type, low nibble and the body's [start, end),
 * which must lie within `end`. The rules are check_binary_framing's. */
static int read_header(const Reader *r, size_t *pos, size_t end, int *t, int *low,
                       size_t *body_end) {
    size_t p = *pos;
    if (p >= end) return FAIL;
    uint8_t td = r->d[p++];
    *t = td >> 4;
    *low = td & 0x0F;
    uint64_t len;
    if (*t == 1 || *low == 15) {
        len = 0;
    } else if (*low == 14 || (*t == 13 && *low == 1)) {
        if (read_var_uint(r, &p, end, &len)) return FAIL;
    } else {
        len = (uint64_t)*low;
    }
    if (len > end - p) return FAIL;
    *pos = p;
    *body_end = p + (size_t)len;
    return 0;
}

/* Check one value's framing as check_binary_framing does (containers filled exactly, every
 * annotation wrapper holding something) and move past it. */
static int frame_value(Reader *r, size_t *pos, size_t end, int depth) {
    int t, low;
    size_t body_end;
    if (depth > MAX_DEPTH) return FAIL;
    if (read_header(r, pos, end, &t, &low, &body_end)) return FAIL;
    size_t p = *pos;
    if (t == 1 || low == 15) return 0; /* no body */
    if (t == 11 || t == 12 || t == 13) {
        while (p < body_end) {
            if (t == 13) {
                uint64_t sid;
                if (read_sid(r, &p, body_end, &sid)) return FAIL;
            }
            if (frame_value(r, &p, body_end, depth + 1)) return FAIL;
        }
    } else if (t == 14) {
        uint64_t annot_len;
        if (read_var_uint(r, &p, body_end, &annot_len)) return FAIL;
        if (annot_len >= body_end - p) return FAIL; /* no room for a value */
        p += (size_t)annot_len;
        while (p < body_end)
            if (frame_value(r, &p, body_end, depth + 1)) return FAIL;
    }
    *pos = body_end;
    return 0;
}

/* Strict UTF-8 (what Python's bytes.decode("utf-8") accepts). */
static int valid_utf8(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t chunk;
            memcpy(&chunk, s + i, 8);
            if (!(chunk & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF; /* range of the first continuation byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return 0;
        }
        if (need > n - i - 1) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += need + 1;
    }
    return 1;
}

static int emit_symbol(const Reader *r, uint64_t sid, Sha *out) {
    if (sid >= r->nsyms) return FAIL;
    const Sym *sym = &r->syms[sid];
    if (sym->text == NULL) {
        if (sid != 0) return FAIL; /* a symbol with unknown text */
        sha_byte(out, 0x0B);
        sha_2bytes(out, 0x71, 0x0E); /* symbol zero: no representation */
        return 0;
    }
    sha_2bytes(out, 0x0B, 0x70);
    sha_escaped(out, sym->text, sym->len);
    sha_byte(out, 0x0E);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */

static int ser_value(Reader *r, size_t *pos, size_t end, Sha *out);

/* Coefficient (Ion Int, sign-magnitude) of a decimal or a fraction in [p, end). */
typedef struct {
    int neg;
    const uint8_t *mag; /* first non-zero magnitude byte (bit 7 of mag[0] to be masked) */
    size_t len;         /* magnitude bytes; 0 means zero */
    int first_masked;   /* mag[0] is the sign-carrying byte: mask its top bit */
} Coef;

static void read_coef(const Reader *r, size_t p, size_t end, Coef *c) {
    c->neg = 0;
    c->mag = NULL;
    c->len = 0;
    c->first_masked = 0;
    if (p >= end) return;
    c->neg = (r->d[p] & 0x80) != 0;
    if (r->d[p] & 0x7F) {
        c->mag = r->d + p;
        c->len = end - p;
        c->first_masked = 1;
        return;
    }
    p++;
    while (p < end && r->d[p] == 0) p++;
    if (p < end) {
        c->mag = r->d + p;
        c->len = end - p;
    }
}

/* The minimal Ion Int of a coefficient, fed escaped. */
static void emit_coef(const Coef *c, Sha *out) {
    if (!c->len) {
        if (c->neg) {
            uint8_t b = 0x80;
            sha_escaped(out, &b, 1);
        }
        return;
    }
    uint8_t first = c->first_masked ? (uint8_t)(c->mag[0] & 0x7F) : c->mag[0];
    uint8_t head[2];
    size_t k = 0;
    if (first & 0x80) { /* no room for the sign bit */
        head[k++] = c->neg ? 0x80 : 0x00;
        head[k++] = first;
    } else {
        head[k++] = (uint8_t)(first | (c->neg ? 0x80 : 0x00));
    }
    sha_escaped(out, head, k);
    sha_escaped(out, c->mag + 1, c->len - 1);
}

/* Strict reading of a decimal: ion-c reads exponents past 6111 otherwise (5d6112 as
 * 5.0d6112) and refuses larger ones; kept well inside that, with at most 14 coefficient bytes
 * (33 digits, within ion-c's 34), both encoded without leading zero groups. */
static int strict_decimal(const Reader *r, size_t p, size_t end) {
    uint64_t emag;
    int eneg;
    if (p == end) return 0;
    if (var_int_padded(r, p, end)) return FAIL;
    if (read_var_int(r, &p, end, &emag, &eneg) || emag > 6000) return FAIL;
    size_t n = end - p;
    const uint8_t *c = r->d + p;
    if (n > 14 || (n > 1 && (c[0] & 0x7F) == 0 && c[1] < 0x80)) return FAIL;
    return 0;
}

static int ser_decimal(Reader *r, size_t p, size_t end, Sha *out) {
    if (r->strict && strict_decimal(r, p, end)) return FAIL;
    if (p == end) {
        sha_byte(out, 0x0B);
        sha_2bytes(out, 0x50, 0x0E);
        return 0;
    }
    uint64_t emag;
    int eneg;
    if (read_var_int(r, &p, end, &emag, &eneg)) return FAIL;
    if (emag == 0) eneg = 0; /* an exponent of -0 is 0 */
    Coef c;
    read_coef(r, p, end, &c);
    if (emag == 0 && !c.len && !c.neg) { /* 0d0 has no representation */
        sha_byte(out, 0x0B);
        sha_2bytes(out, 0x50, 0x0E);
        return 0;
    }
    uint8_t v[11];
    size_t k = write_var_int(emag, eneg, v);
    sha_2bytes(out, 0x0B, 0x50);
    sha_escaped(out, v, k);
    emit_coef(&c, out);
    sha_byte(out, 0x0E);
    return 0;
}

/* A timestamp as amazon.ion reads it, for block_facts (its text) and for strict reading. */
typedef struct {
    int nf;                               /* fields: 1 year, 2 month, 3 day, 5 minute, 6 second */
    int year, month, day, hour, minute, second; /* local time (UTC shifted by the offset) */
    int offset;                           /* minutes east of UTC */
    int unknown_offset;                   /* -00:00 */
    int digits;                           /* fraction digits (0: none) */
    uint32_t fraction;                    /* the fraction is fraction / 10^digits */
} Ts;

static const uint32_t POW10[10] = {1,      10,      100,      1000,      10000,
                                   100000, 1000000, 10000000, 100000000, 1000000000};

static int days_in_month(int year, int month) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* The timestamp body [p, end) as amazon.ion reads it, or FAIL for any form whose reading or
 * text this code does not reproduce exactly. amazon.ion (ion-c) refuses invalid dates and
 * times (it reads some, 24:00 or a minute 60, as the next hour), offsets of a day or more
 * and local times outside years 1-9999; it refuses or misreads fields with a leading zero
 * group (a seconds field 0x00 0x90 reads as 00) and keeps only 9 fraction digits, so those
 * are refused too, with fractions of 1 or more, negative coefficients (a negative zero
 * included), positive exponents and non-minimal encodings. */
static int ts_read(const Reader *r, size_t p, size_t end, Ts *ts) {
    uint64_t omag, f[6];
    int oneg, nf = 0;
    if (p >= end || var_int_padded(r, p, end)) return FAIL;
    if (read_var_int(r, &p, end, &omag, &oneg)) return FAIL;
    while (p < end && nf < 6) {
        if (r->d[p] == 0) return FAIL; /* a VarUInt's leading zero group */
        if (read_var_uint(r, &p, end, &f[nf])) return FAIL;
        nf++;
    }
    if (nf == 0 || nf == 4) return FAIL;
    for (int i = nf; i < 6; i++) f[i] = i < 3; /* month and day 1, the time 00:00:00 */
    if (f[0] < 1 || f[0] > 9999 || f[1] < 1 || f[1] > 12 || f[2] < 1 ||
        f[2] > (uint64_t)days_in_month((int)f[0], (int)f[1]) || f[3] > 23 || f[4] > 59 ||
        f[5] > 59)
        return FAIL;
    if (omag >= 1440) return FAIL;
    ts->nf = nf;
    ts->year = (int)f[0];
    ts->month = (int)f[1];
    ts->day = (int)f[2];
    ts->hour = (int)f[3];
    ts->minute = (int)f[4];
    ts->second = (int)f[5];
    ts->unknown_offset = nf < 5 || (oneg && omag == 0); /* dates have no offset */
    ts->offset = ts->unknown_offset ? 0 : oneg ? -(int)omag : (int)omag;
    if (ts->offset) {
        /* local = UTC + offset: less than a day, so at most one day either way */
        int minutes = ts->hour * 60 + ts->minute + ts->offset;
        if (minutes < 0) {
            minutes += 1440;
            if (--ts->day == 0) {
                if (--ts->month == 0) {
                    ts->month = 12;
                    ts->year--;
                }
                ts->day = days_in_month(ts->year, ts->month);
            }
        } else if (minutes >= 1440) {
            minutes -= 1440;
            if (++ts->day > days_in_month(ts->year, ts->month)) {
                ts->day = 1;
                if (++ts->month == 13) {
                    ts->month = 1;
                    ts->year++;
                }
            }
        }
        if (ts->year < 1 || ts->year > 9999) return FAIL;
        ts->hour = minutes / 60;
        ts->minute = minutes % 60;
    }
    ts->digits = 0;
    ts->fraction = 0;
    if (p < end) {
        uint64_t emag, coef = 0;
        int eneg;
        if (nf < 6 || var_int_padded(r, p, end)) return FAIL;
        if (read_var_int(r, &p, end, &emag, &eneg)) return FAIL;
        size_t n = end - p;
        const uint8_t *c = r->d + p;
        if (n > 5 || (n && (c[0] & 0x80)) || (n > 1 && c[0] == 0 && c[1] < 0x80)) return FAIL;
        for (size_t i = 0; i < n; i++) coef = (coef << 8) | c[i];
        if (emag == 0) {
            if (eneg || coef) return FAIL; /* only a zero fraction without digits: none */
        } else {
            if (!eneg || emag > 9 || coef >= POW10[emag]) return FAIL;
            ts->digits = (int)emag;
            ts->fraction = (uint32_t)coef;
        }
    }
    return 0;
}

static char *put_digits(char *o, unsigned v, int width) {
    for (int i = width - 1; i >= 0; i--, v /= 10) o[i] = (char)('0' + v % 10);
    return o + width;
}

/* The text amazon.ion's text writer gives a timestamp: 2026T, 2026-11T, 2026-11-27,
 * 2026-11-27T16:59Z, 2026-11-27T16:59:16.117+01:00 (local time; -00:00 for an unknown offset,
 * Z for +00:00; fraction digits as stored). `out` holds 40 bytes; returns the length. */
static size_t ts_format(const Ts *ts, char *out) {
    char *o = put_digits(out, (unsigned)ts->year, 4);
    if (ts->nf >= 2) {
        *o++ = '-';
        o = put_digits(o, (unsigned)ts->month, 2);
    }
    if (ts->nf >= 3) {
        *o++ = '-';
        o = put_digits(o, (unsigned)ts->day, 2);
    }
    if (ts->nf < 3) *o++ = 'T';
    if (ts->nf < 5) return (size_t)(o - out);
    *o++ = 'T';
    o = put_digits(o, (unsigned)ts->hour, 2);
    *o++ = ':';
    o = put_digits(o, (unsigned)ts->minute, 2);
    if (ts->nf == 6) {
        *o++ = ':';
        o = put_digits(o, (unsigned)ts->second, 2);
        if (ts->digits) {
            *o++ = '.';
            o = put_digits(o, ts->fraction, ts->digits);
        }
    }
    if (ts->unknown_offset) {
        memcpy(o, "-00:00", 6);
        o += 6;
    } else if (ts->offset == 0) {
        *o++ = 'Z';
    } else {
        int m = ts->offset < 0 ? -ts->offset : ts->offset;
        *o++ = ts->offset < 0 ? '-' : '+';
        o = put_digits(o, (unsigned)(m / 60), 2);
        *o++ = ':';
        o = put_digits(o, (unsigned)(m % 60), 2);
    }
    return (size_t)(o - out);
}

static int ser_timestamp(Reader *r, size_t p, size_t end, Sha *out) {
    uint64_t omag;
    int oneg;
    Ts checked;
    if (r->strict && ts_read(r, p, end, &checked)) return FAIL;
    if (read_var_int(r, &p, end, &omag, &oneg)) return FAIL;
    uint64_t fields[6];
    int nf = 0;
    while (p < end && nf < 6) {
        if (read_var_uint(r, &p, end, &fields[nf])) return FAIL;
        nf++;
    }
    if (nf == 0 || nf == 4) return FAIL; /* no year; an hour without a minute */
    uint8_t rep[80];
    size_t k = 0;
    if (nf < 4 || (oneg && omag == 0)) {
        rep[k++] = 0xC0; /* dates carry no offset; -00:00 is the unknown offset */
    } else {
        k += write_var_int(omag, oneg && omag, rep + k);
    }
    for (int i = 0; i < nf; i++) k += write_var_uint(fields[i], rep + k);
    sha_2bytes(out, 0x0B, 0x60);
    sha_escaped(out, rep, k);
    if (p < end) {
        if (nf < 6) return FAIL; /* fractional seconds without seconds */
        uint64_t fmag;
        int fneg;
        if (read_var_int(r, &p, end, &fmag, &fneg)) return FAIL;
        if (fmag == 0) fneg = 0;
        Coef c;
        read_coef(r, p, end, &c);
        if (c.neg && c.len) return FAIL; /* negative fractional seconds */
        uint8_t v[11];
        size_t vk = write_var_int(fmag, fneg, v);
        if (c.len) {
            sha_escaped(out, v, vk);
            c.neg = 0;
            emit_coef(&c, out);
        } else if (fneg) { /* a zero fraction keeps a negative exponent (.000) */
            sha_escaped(out, v, vk);
        }
    }
    sha_byte(out, 0x0E);
    return 0;
}

static int cmp_digest(const void *a, const void *b) { return memcmp(a, b, 32); }

/* Field digests in unsigned byte order: insertion sort for the usual few, qsort beyond. */
static void sort_digests(uint8_t *d, size_t n) {
    if (n > 16) {
        qsort(d, n, 32, cmp_digest);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        if (memcmp(d + 32 * (i - 1), d + 32 * i, 32) <= 0) continue;
        uint8_t tmp[32];
        size_t j = i;
        memcpy(tmp, d + 32 * i, 32);
        while (j > 0 && memcmp(d + 32 * (j - 1), tmp, 32) > 0) {
            memcpy(d + 32 * j, d + 32 * (j - 1), 32);
            j--;
        }
        memcpy(d + 32 * j, tmp, 32);
    }
}

static int push_digest(Reader *r, const uint8_t d[32]) {
    if (r->ndig == r->capdig) {
        size_t cap = r->capdig ? r->capdig * 2 : 64;
        uint8_t *grown = PyMem_RawRealloc(r->dig, cap * 32);
        if (!grown) return FAIL;
        r->dig = grown;
        r->capdig = cap;
    }
    memcpy(r->dig + 32 * r->ndig, d, 32);
    r->ndig++;
    return 0;
}

static int skip_padding(Reader *r, size_t *pos, size_t end) {
    int t, low;
    size_t body_end;
    if (read_header(r, pos, end, &t, &low, &body_end)) return FAIL;
    *pos = body_end;
    return 0;
}

static inline int is_padding(uint8_t td) { return (td >> 4) == 0 && td != 0x0F; }

/* s(struct) from its n field digests: sorted, escaped, between the struct markers. */
static void emit_struct(Sha *out, uint8_t *digs, size_t n) {
    sha_2bytes(out, 0x0B, 0xD0);
    if (n) {
        sort_digests(digs, n);
        sha_escaped(out, digs, 32 * n);
    }
    sha_byte(out, 0x0E);
}

static int ser_struct(Reader *r, size_t p, size_t end, Sha *out) {
    size_t base = r->ndig;
    while (p < end) {
        uint64_t sid;
        if (read_sid(r, &p, end, &sid)) return FAIL;
        if (p >= end) return FAIL; /* a field name without a value */
        if (is_padding(r->d[p])) {
            if (skip_padding(r, &p, end)) return FAIL;
            continue;
        }
        Sha field;
        uint8_t digest[32];
        sha_init(&field);
        if (emit_symbol(r, sid, &field)) return FAIL;
        if (ser_value(r, &p, end, &field)) return FAIL;
        sha_final(&field, digest);
        if (push_digest(r, digest)) return FAIL;
    }
    size_t count = r->ndig - base;
    emit_struct(out, count ? r->dig + 32 * base : NULL, count);
    r->ndig = base;
    return 0;
}

static int ser_annotated(Reader *r, size_t p, size_t end, Sha *out) {
    uint64_t annot_len;
    if (read_var_uint(r, &p, end, &annot_len)) return FAIL;
    if (annot_len == 0 || annot_len >= end - p) return FAIL; /* no annotation, or no value */
    size_t annot_end = p + (size_t)annot_len;
    if (r->strict && r->d[annot_end] >> 4 == 14) return FAIL; /* ion-c refuses it */
    sha_2bytes(out, 0x0B, 0xE0);
    while (p < annot_end) {
        uint64_t sid;
        if (read_sid(r, &p, annot_end, &sid)) return FAIL;
        if (emit_symbol(r, sid, out)) return FAIL;
    }
    if (ser_value(r, &p, end, out)) return FAIL;
    if (p != end) return FAIL; /* exactly one value fills the wrapper */
    sha_byte(out, 0x0E);
    return 0;
}

/* s(value) for the value at *pos, which must lie within `end`; moves *pos past it. */
static int ser_value(Reader *r, size_t *pos, size_t end, Sha *out) {
    int t, low;
    size_t body_end;
    if (read_header(r, pos, end, &t, &low, &body_end)) return FAIL;
    size_t p = *pos;
    *pos = body_end;
    if (low == 15) {
        if (t >= 14) return FAIL; /* reserved */
        sha_byte(out, 0x0B);
        sha_2bytes(out, t == 3 ? 0x2F : (uint8_t)(t << 4 | 0x0F), 0x0E);
        return 0;
    }
    switch (t) {
    case 1: /* bool */
        if (low > 1) return FAIL;
        sha_byte(out, 0x0B);
        sha_2bytes(out, low ? 0x11 : 0x10, 0x0E);
        return 0;
    case 2:
    case 3: { /* int: magnitude without leading zeros */
        while (p < body_end && r->d[p] == 0) p++;
        if (t == 3 && p == body_end) return FAIL; /* negative zero */
        sha_2bytes(out, 0x0B, (uint8_t)(t << 4));
        sha_escaped(out, r->d + p, body_end - p);
        sha_byte(out, 0x0E);
        return 0;
    }
    case 4: { /* float */
        uint8_t raw[8];
        if (low == 0) {
            memset(raw, 0, 8);
        } else if (low == 8) {
            memcpy(raw, r->d + p, 8);
        } else if (low == 4) {
            uint32_t bits = load_be32(r->d + p);
            float f;
            memcpy(&f, &bits, 4);
            double dbl = (double)f;
            uint64_t u;
            memcpy(&u, &dbl, 8);
            for (int i = 0; i < 8; i++) raw[i] = (uint8_t)(u >> (56 - 8 * i));
        } else {
            return FAIL;
        }
        uint64_t u = 0;
        for (int i = 0; i < 8; i++) u = (u << 8) | raw[i];
        if (u == 0) { /* positive zero has no representation */
            sha_byte(out, 0x0B);
            sha_2bytes(out, 0x40, 0x0E);
            return 0;
        }
        if ((u & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL &&
            (u & 0x000FFFFFFFFFFFFFULL)) { /* every NaN hashes as the canonical quiet NaN */
            static const uint8_t nan[8] = {0x7F, 0xF8, 0, 0, 0, 0, 0, 0};
            memcpy(raw, nan, 8);
        }
        sha_2bytes(out, 0x0B, 0x40);
        sha_escaped(out, raw, 8);
        sha_byte(out, 0x0E);
        return 0;
    }
    case 5:
        return ser_decimal(r, p, body_end, out);
    case 6:
        return ser_timestamp(r, p, body_end, out);
    case 7: { /* symbol: a big-endian SID */
        while (p < body_end && r->d[p] == 0) p++;
        if (body_end - p > 8) return FAIL;
        uint64_t sid = 0;
        for (; p < body_end; p++) sid = (sid << 8) | r->d[p];
        return emit_symbol(r, sid, out);
    }
    case 8: /* string */
        if (!valid_utf8(r->d + p, body_end - p)) return FAIL;
        sha_2bytes(out, 0x0B, 0x80);
        sha_escaped(out, r->d + p, body_end - p);
        sha_byte(out, 0x0E);
        return 0;
    case 9:
    case 10: /* clob, blob */
        sha_2bytes(out, 0x0B, t == 9 ? 0x90 : 0xA0);
        sha_escaped(out, r->d + p, body_end - p);
        sha_byte(out, 0x0E);
        return 0;
    case 11:
    case 12: { /* list, sexp */
        if (++r->depth > MAX_DEPTH) return FAIL;
        sha_2bytes(out, 0x0B, t == 11 ? 0xB0 : 0xC0);
        while (p < body_end) {
            if (is_padding(r->d[p])) {
                if (skip_padding(r, &p, body_end)) return FAIL;
            } else if (ser_value(r, &p, body_end, out)) {
                return FAIL;
            }
        }
        sha_byte(out, 0x0E);
        r->depth--;
        return 0;
    }
    case 13: {
        if (++r->depth > MAX_DEPTH) return FAIL;
        if (r->strict && low == 1 && p == body_end) return FAIL; /* ion-c refuses it */
        if (ser_struct(r, p, body_end, out)) return FAIL;
        r->depth--;
        return 0;
    }
    case 14: {
        if (++r->depth > MAX_DEPTH) return FAIL;
        if (ser_annotated(r, p, body_end, out)) return FAIL;
        r->depth--;
        return 0;
    }
    default: /* padding where a value belongs, reserved type 15 */
        return FAIL;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Symbol tables                                                                               */

static int push_symbol(Reader *r, const uint8_t *text, size_t len) {
    if (r->nsyms == r->capsyms) {
        size_t cap = r->capsyms * 2;
        Sym *grown = PyMem_RawRealloc(r->syms, cap * sizeof(Sym));
        if (!grown) return FAIL;
        r->syms = grown;
        r->capsyms = cap;
    }
    r->syms[r->nsyms].text = text;
    r->syms[r->nsyms].len = len;
    r->nsyms++;
    return 0;
}

/* Read the local symbol table struct at `at`, which must end exactly at `end` (the wrapper's
 * end; the wrapper's framing has been checked). `imports: $ion_symbol_table` appends to the
 * current table; any other import is left to the Python path. */
static int read_local_table(Reader *r, size_t at, size_t end) {
    int t, low;
    size_t stop, p = at;
    if (read_header(r, &p, end, &t, &low, &stop)) return FAIL;
    if (t != 13 || low == 15 || stop != end) return FAIL;
    int seen_imports = 0, seen_symbols = 0, append = 0;
    size_t list_at = 0, list_end = 0;
    while (p < stop) {
        uint64_t sid;
        if (read_sid(r, &p, stop, &sid)) return FAIL;
        int vt, vlow;
        size_t vend, vp = p;
        if (read_header(r, &vp, stop, &vt, &vlow, &vend)) return FAIL;
        p = vend;
        if (vlow == 15) continue; /* a null field says nothing */
        if (sid == SID_IMPORTS) {
            if (seen_imports++) return FAIL;
            if (vt == 7) {
                uint64_t isid = 0;
                while (vp < vend && r->d[vp] == 0) vp++;
                if (vend - vp > 8) return FAIL;
                for (; vp < vend; vp++) isid = (isid << 8) | r->d[vp];
                if (isid != SID_ION_SYMBOL_TABLE) return FAIL;
                append = 1;
            } else if (vt != 11 || vend != vp) {
                return FAIL; /* shared symbol table imports */
            }
        } else if (sid == SID_SYMBOLS && vt == 11) {
            if (seen_symbols++) return FAIL;
            list_at = vp;
            list_end = vend;
        }
    }
    if (!append) r->nsyms = N_SYSTEM;
    p = list_at;
    while (p < list_end) {
        int st, slow;
        size_t send, sp = p;
        if (read_header(r, &sp, list_end, &st, &slow, &send)) return FAIL;
        if (st == 8 && slow != 15) {
            if (!valid_utf8(r->d + sp, send - sp)) return FAIL;
            if (push_symbol(r, r->d + sp, send - sp)) return FAIL;
        } else if (push_symbol(r, NULL, 0)) { /* not a string: a symbol with unknown text */
            return FAIL;
        }
        p = send;
    }
    return 0;
}

/* Is the top-level annotation wrapper at `pos` a local symbol table? Sets where its struct
 * starts and where the wrapper ends. */
static int is_local_table(const Reader *r, size_t pos, size_t *value_at, size_t *wrapper_end) {
    int t, low;
    size_t p = pos, body_end;
    if (read_header(r, &p, r->n, &t, &low, &body_end) || t != 14) return 0;
    uint64_t annot_len, first;
    if (read_var_uint(r, &p, body_end, &annot_len)) return 0;
    if (annot_len == 0 || annot_len >= body_end - p) return 0;
    size_t at = p + (size_t)annot_len;
    if (read_sid(r, &p, at, &first)) return 0;
    if (first != SID_ION_SYMBOL_TABLE || r->d[at] >> 4 != 13) return 0;
    *value_at = at;
    *wrapper_end = body_end;
    return 1;
}

/* A top-level symbol `$ion_1_0` is a version marker to amazon.ion, not a value. */
static int is_version_symbol(const Reader *r, size_t pos) {
    int t, low;
    size_t body_end, p = pos;
    if (read_header(r, &p, r->n, &t, &low, &body_end) || low == 15) return 0;
    while (p < body_end && r->d[p] == 0) p++;
    if (body_end - p > 8) return 0;
    uint64_t sid = 0;
    for (; p < body_end; p++) sid = (sid << 8) | r->d[p];
    return sid < r->nsyms && r->syms[sid].text && r->syms[sid].len == 8 &&
           memcmp(r->syms[sid].text, "$ion_1_0", 8) == 0;
}

/* The top-level values of an Ion binary stream, with version markers and local symbol tables
 * between them. One value (`many` 0: amazon.ion's single_value reading, into `top`), or any
 * number, each hashed and dropped (`many` 1: a walk that tells whether all can be read). */
static int stream_values(Reader *r, Sha *top, int many) {
    if (r->n < 4 || memcmp(r->d, IVM, 4) != 0) return FAIL;
    size_t pos = 4;
    int found = 0;
    while (pos < r->n) {
        uint8_t td = r->d[pos];
        if (td == 0xE0 && r->n - pos >= 4 && memcmp(r->d + pos, IVM, 4) == 0) {
            r->nsyms = N_SYSTEM;
            pos += 4;
            continue;
        }
        if (is_padding(td)) {
            if (skip_padding(r, &pos, r->n)) return FAIL;
            continue;
        }
        size_t value_at, wrapper_end;
        if ((td >> 4) == 14 && is_local_table(r, pos, &value_at, &wrapper_end)) {
            size_t check = pos;
            if (frame_value(r, &check, r->n, 0) || check != wrapper_end) return FAIL;
            if (read_local_table(r, value_at, wrapper_end)) return FAIL;
            pos = wrapper_end;
            continue;
        }
        Sha one;
        if (many) {
            sha_init(&one);
            top = &one;
        } else {
            if (found) return FAIL; /* more than one top-level value */
            if ((td >> 4) == 7 && is_version_symbol(r, pos)) return FAIL; /* amazon.ion skips it */
        }
        found = 1;
        if (ser_value(r, &pos, r->n, top)) return FAIL;
    }
    return found || many ? 0 : FAIL;
}

static int hash_stream(Reader *r, uint8_t digest[32]) {
    Sha top;
    sha_init(&top);
    if (stream_values(r, &top, 0)) return FAIL;
    sha_final(&top, digest);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Python functions                                                                            */

/* A reader over data[0:n] with the system symbol table; -1 and MemoryError if it cannot
 * allocate. The symbol table lives in a heap block so push_symbol can grow it with realloc. */
static int reader_open(Reader *r, const uint8_t *data, size_t n, int strict) {
    r->d = data;
    r->n = n;
    r->nsyms = N_SYSTEM;
    r->dig = NULL;
    r->ndig = r->capdig = 0;
    r->depth = 0;
    r->strict = strict;
    r->syms = PyMem_RawMalloc(64 * sizeof(Sym));
    if (!r->syms) {
        PyErr_NoMemory();
        return -1;
    }
    r->capsyms = 64;
    for (int i = 0; i < N_SYSTEM; i++) {
        r->syms[i].text = (const uint8_t *)SYSTEM_TEXTS[i];
        r->syms[i].len = SYSTEM_TEXTS[i] ? strlen(SYSTEM_TEXTS[i]) : 0;
    }
    return 0;
}

static void reader_close(Reader *r) {
    PyMem_RawFree(r->syms);
    PyMem_RawFree(r->dig);
}

PyDoc_STRVAR(hash_binary_doc,
             "hash_binary(data, /)\n--\n\n"
             "Ion Hash (SHA-256, 32 bytes) of the single Ion value in Ion binary `data`, or None\n"
             "when this reader leaves it to the Python path (shared symbol table imports,\n"
             "unusual encodings, deep nesting, malformed data). A hash is only returned when\n"
             "ion_framing.check_binary_framing(data) would pass.");

typedef int (*ReaderWalk)(Reader *r, void *out);

/* Runs `walk` over the Ion binary in `view` (the buffer of `obj`). 1 << 16 bytes and more of
 * an immutable bytes object (a stored block of megabytes, a whole export object) are read
 * without the GIL: one call held it for 100-145 ms, stalling the GUI thread. The reader
 * touches no Python object and allocates with PyMem_Raw*, which need no GIL; a mutable
 * buffer keeps the GIL, so no other thread can change it mid-read. Returns walk's result,
 * or -2 with an exception set when the reader cannot start. */
static int walk_buffer(PyObject *obj, const Py_buffer *view, int strict, ReaderWalk walk,
                       void *out) {
    Reader r;
    if (reader_open(&r, view->buf, (size_t)view->len, strict) < 0) return -2;
    int rc;
    if (PyBytes_CheckExact(obj) && view->len >= (1 << 16)) {
        Py_BEGIN_ALLOW_THREADS
        rc = walk(&r, out);
        Py_END_ALLOW_THREADS
    } else {
        rc = walk(&r, out);
    }
    reader_close(&r);
    return rc;
}

static int hash_walk(Reader *r, void *out) { return hash_stream(r, (uint8_t *)out); }

static int readable_walk(Reader *r, void *out) {
    (void)out;
    return stream_values(r, NULL, 1);
}

static PyObject *hash_binary(PyObject *module, PyObject *arg) {
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    uint8_t digest[32];
    int rc = walk_buffer(arg, &view, 0, hash_walk, digest);
    PyBuffer_Release(&view);
    if (rc == -2) return NULL;
    if (rc != 0) Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)digest, 32);
}

PyDoc_STRVAR(binary_readable_doc,
             "binary_readable(data, strict, /)\n--\n\n"
             "Whether this reader reads every value of the Ion binary stream `data`. With\n"
             "`strict`, also False where amazon.ion's C reader (ion-c) would refuse a value or\n"
             "read it otherwise than written: timestamps with more than 9 fractional digits,\n"
             "decimals outside ion-c's range, and the other cases block_facts refuses.");

static PyObject *binary_readable(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *data;
    int strict = 0;
    if (!PyArg_ParseTuple(args, "Op:binary_readable", &data, &strict)) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) return NULL;
    int rc = walk_buffer(data, &view, strict, readable_walk, NULL);
    PyBuffer_Release(&view);
    if (rc == -2) return NULL;
    return PyBool_FromLong(rc == 0);
}

PyDoc_STRVAR(sha256_doc,
             "sha256(data, portable=False, /)\n--\n\n"
             "SHA-256 of `data` by this module's own implementation (for tests): the one in\n"
             "use (SHA256_IMPL), or the portable one.");

static PyObject *sha256(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer view;
    int portable = 0;
    if (!PyArg_ParseTuple(args, "y*|p:sha256", &view, &portable)) return NULL;
    void (*saved)(uint32_t *, const uint8_t *, size_t) = compress;
    if (portable) compress = compress_portable; /* under the GIL: no other caller runs */
    Sha s;
    uint8_t digest[32];
    sha_init(&s);
    /* fed in uneven pieces so the buffering paths are exercised too */
    const uint8_t *p = view.buf;
    size_t n = (size_t)view.len, step = 1;
    while (n) {
        size_t k = step < n ? step : n;
        sha_update(&s, p, k);
        p += k;
        n -= k;
        step = step * 3 + 1;
    }
    sha_final(&s, digest);
    compress = saved;
    PyBuffer_Release(&view);
    return PyBytes_FromStringAndSize((const char *)digest, 32);
}

/* ------------------------------------------------------------------------------------------ */
/* Ion Hash of Python values: the light values a commit builds (light_values.py) and plain    */
/* dict/list/str/int/bytes. Anything else (timestamps, IonPy values, big ints, bools, tuples, */
/* non-str field names) is serialised by the Python hasher's `serialize` (s(v) as bytes), so  */
/* the result is always ion_hash(value).                                                      */

static PyTypeObject *light_types[5]; /* Struct, Text, Int, Blob, List */
static PyObject *py_serialize;       /* ion_hash.serialize */

static inline void sha_scalar(Sha *out, uint8_t tq, const uint8_t *p, size_t n) {
    sha_2bytes(out, 0x0B, tq);
    sha_escaped(out, p, n);
    sha_byte(out, 0x0E);
}

static int light_ser(PyObject *v, Sha *out, int depth);

/* s(v) from the Python serializer. */
static int light_fallback(PyObject *v, Sha *out) {
    if (!py_serialize) {
        PyErr_SetString(PyExc_RuntimeError, "hash_value: set_light_types was not called");
        return -1;
    }
    PyObject *b = PyObject_CallOneArg(py_serialize, v);
    if (!b) return -1;
    if (!PyBytes_Check(b)) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_TypeError, "serialize must return bytes");
        return -1;
    }
    sha_update(out, (const uint8_t *)PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
    Py_DECREF(b);
    return 0;
}

static int light_text(PyObject *v, uint8_t tq, Sha *out) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(v, &len); /* UnicodeEncodeError on a lone surrogate */
    if (!s) return -1;
    sha_scalar(out, tq, (const uint8_t *)s, (size_t)len);
    return 0;
}

static int light_int(PyObject *v, Sha *out) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow) return light_fallback(v, out);
    if (x == -1 && PyErr_Occurred()) return -1;
    uint64_t mag = x < 0 ? (uint64_t)(-(x + 1)) + 1 : (uint64_t)x;
    uint8_t buf[8];
    size_t n = 0;
    for (int i = 7; i >= 0; i--) {
        uint8_t b = (uint8_t)(mag >> (8 * i));
        if (n || b) buf[n++] = b;
    }
    sha_scalar(out, x < 0 ? 0x30 : 0x20, buf, n);
    return 0;
}

/* H(s(name) || s(value)) of one struct field. */
static int field_digest(PyObject *name, PyObject *value, int depth, uint8_t digest[32]) {
    Sha f;
    sha_init(&f);
    if (light_text(name, 0x70, &f) < 0) return -1;
    Py_INCREF(value); /* the serializer runs Python code; keep the value alive */
    int rc = light_ser(value, &f, depth + 1);
    Py_DECREF(value);
    if (rc == 0) sha_final(&f, digest);
    return rc;
}

static int struct_changed(void) {
    PyErr_SetString(PyExc_RuntimeError, "a struct changed while it was hashed");
    return -1;
}

/* s(struct) from its `n` field digests once `filled` were computed; a struct whose size
 * changed meanwhile (Python code in the serializer) is an error. */
static int emit_light_struct(Sha *out, uint8_t *digs, size_t n, size_t filled) {
    if (filled != n) return struct_changed();
    emit_struct(out, digs, n);
    return 0;
}

static int light_struct(PyObject *d, Sha *out, int depth) {
    Py_ssize_t pos = 0;
    PyObject *k, *val;
    while (PyDict_Next(d, &pos, &k, &val)) {
        if (!PyUnicode_CheckExact(k)) return light_fallback(d, out); /* symbols, IonPy names */
    }
    size_t n = (size_t)PyDict_GET_SIZE(d);
    uint8_t local[32 * 16];
    uint8_t *digs = n <= 16 ? local : PyMem_Malloc(32 * n);
    if (!digs) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = 0;
    size_t i = 0;
    pos = 0;
    while (rc == 0 && PyDict_Next(d, &pos, &k, &val))
        rc = i < n ? field_digest(k, val, depth, digs + 32 * i++) : struct_changed();
    if (rc == 0) rc = emit_light_struct(out, digs, n, i);
    if (digs != local) PyMem_Free(digs);
    return rc;
}

/* amazon.ion's IonPy values (what its reader returns), hashed in C when they carry no
 * annotations: IonPyDict through its {name: [values]} store, IonPyList (list or sexp),
 * IonPyText (string or symbol), IonPyInt (int), IonPyBytes (blob or clob). Annotated values and
 * the other types (null, bool, float, decimal, timestamp, symbol tokens) go to `serialize`. */

static PyTypeObject *ionpy_types[5]; /* IonPyDict, IonPyList, IonPyText, IonPyInt, IonPyBytes */
static PyObject *ion_t_string, *ion_t_symbol, *ion_t_list, *ion_t_sexp, *ion_t_int, *ion_t_blob,
    *ion_t_clob;
static PyObject *s_ion_type, *s_ion_annotations, *s_store;

/* 1 and a new reference to its ion_type when `v` has no annotations; 0 when it has (or looks
 * unusual): the Python serializer handles it; -1 on error. */
static int ionpy_plain(PyObject *v, PyObject **ion_type) {
    PyObject *ann = PyObject_GetAttr(v, s_ion_annotations);
    if (!ann) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
        return 0;
    }
    int annotated = PyObject_IsTrue(ann);
    Py_DECREF(ann);
    if (annotated != 0) return annotated < 0 ? -1 : 0;
    *ion_type = PyObject_GetAttr(v, s_ion_type);
    if (!*ion_type) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
        return 0;
    }
    return 1;
}

static int ionpy_dict(PyObject *v, Sha *out, int depth) {
    PyObject *store = PyObject_GetAttr(v, s_store);
    if (!store) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
        return light_fallback(v, out);
    }
    int rc = 0;
    uint8_t local[32 * 16];
    uint8_t *digs = local;
    size_t n = 0;
    Py_ssize_t pos = 0;
    PyObject *k, *xs;
    if (!PyDict_CheckExact(store)) goto fallback;
    while (PyDict_Next(store, &pos, &k, &xs)) { /* names are str, values lists */
        if (!PyUnicode_CheckExact(k) || !PyList_CheckExact(xs)) goto fallback;
        n += (size_t)PyList_GET_SIZE(xs);
    }
    if (n > 16 && !(digs = PyMem_Malloc(32 * n))) {
        Py_DECREF(store);
        PyErr_NoMemory();
        return -1;
    }
    size_t i = 0;
    pos = 0;
    while (rc == 0 && PyDict_Next(store, &pos, &k, &xs)) {
        Py_INCREF(xs);
        for (Py_ssize_t j = 0; rc == 0 && j < PyList_GET_SIZE(xs); j++)
            rc = i < n ? field_digest(k, PyList_GET_ITEM(xs, j), depth, digs + 32 * i++)
                       : struct_changed();
        Py_DECREF(xs);
    }
    if (rc == 0) rc = emit_light_struct(out, digs, n, i);
    if (digs != local) PyMem_Free(digs);
    Py_DECREF(store);
    return rc;
fallback:
    Py_DECREF(store);
    return light_fallback(v, out);
}

/* IonPy values other than dicts; 1 when it is not one of them. */
static int ionpy_ser(PyObject *v, PyTypeObject *t, Sha *out, int depth) {
    PyObject *it = NULL;
    int plain = ionpy_plain(v, &it);
    if (plain <= 0) return plain < 0 ? -1 : light_fallback(v, out);
    int rc;
    if (t == ionpy_types[1] && (it == ion_t_list || it == ion_t_sexp)) {
        sha_2bytes(out, 0x0B, it == ion_t_list ? 0xB0 : 0xC0);
        rc = 0;
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(v); i++) {
            PyObject *item = PyList_GET_ITEM(v, i);
            Py_INCREF(item);
            rc = light_ser(item, out, depth + 1);
            Py_DECREF(item);
        }
        if (rc == 0) sha_byte(out, 0x0E);
    } else if (t == ionpy_types[2] && (it == ion_t_string || it == ion_t_symbol)) {
        rc = light_text(v, it == ion_t_string ? 0x80 : 0x70, out);
    } else if (t == ionpy_types[3] && it == ion_t_int) {
        rc = light_int(v, out);
    } else if (t == ionpy_types[4] && (it == ion_t_blob || it == ion_t_clob)) {
        sha_scalar(out, it == ion_t_blob ? 0xA0 : 0x90, (const uint8_t *)PyBytes_AS_STRING(v),
                   (size_t)PyBytes_GET_SIZE(v));
        rc = 0;
    } else {
        rc = light_fallback(v, out);
    }
    Py_DECREF(it);
    return rc;
}

PyDoc_STRVAR(set_ionpy_types_doc,
             "set_ionpy_types(dict, list, text, int, bytes, types, /)\n--\n\n"
             "amazon.ion's IonPyDict, IonPyList, IonPyText, IonPyInt and IonPyBytes, and a dict\n"
             "of the IonType members STRING, SYMBOL, LIST, SEXP, INT, BLOB, CLOB, for\n"
             "hash_value to hash them in C.");

static PyObject *set_ionpy_types(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *types[5], *members;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!:set_ionpy_types", &PyType_Type, &types[0],
                          &PyType_Type, &types[1], &PyType_Type, &types[2], &PyType_Type,
                          &types[3], &PyType_Type, &types[4], &PyDict_Type, &members))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)types[1], &PyList_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[2], &PyUnicode_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[3], &PyLong_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[4], &PyBytes_Type)) {
        PyErr_SetString(PyExc_TypeError, "IonPy types must extend list, str, int, bytes");
        return NULL;
    }
    static const char *names[7] = {"STRING", "SYMBOL", "LIST", "SEXP", "INT", "BLOB", "CLOB"};
    PyObject **slots[7] = {&ion_t_string, &ion_t_symbol, &ion_t_list, &ion_t_sexp,
                           &ion_t_int, &ion_t_blob, &ion_t_clob};
    for (int i = 0; i < 7; i++) {
        PyObject *m = PyDict_GetItemString(members, names[i]);
        if (!m) {
            PyErr_Format(PyExc_KeyError, "missing IonType %s", names[i]);
            return NULL;
        }
        Py_INCREF(m);
        Py_XSETREF(*slots[i], m);
    }
    if (!s_ion_type && !(s_ion_type = PyUnicode_InternFromString("ion_type"))) return NULL;
    if (!s_ion_annotations && !(s_ion_annotations = PyUnicode_InternFromString("ion_annotations")))
        return NULL;
    if (!s_store && !(s_store = PyUnicode_InternFromString("_IonPyDict__store"))) return NULL;
    for (int i = 0; i < 5; i++) {
        Py_INCREF(types[i]);
        Py_XSETREF(ionpy_types[i], (PyTypeObject *)types[i]);
    }
    Py_RETURN_NONE;
}

static int light_ser(PyObject *v, Sha *out, int depth) {
    PyTypeObject *t = Py_TYPE(v);
    if (depth > MAX_DEPTH) return light_fallback(v, out); /* Python reports too deep */
    if (t == light_types[0] || t == &PyDict_Type) return light_struct(v, out, depth);
    if (t == light_types[1] || t == &PyUnicode_Type) return light_text(v, 0x80, out);
    if (t == light_types[2] || t == &PyLong_Type) return light_int(v, out);
    if (t == light_types[3] || t == &PyBytes_Type) {
        sha_scalar(out, 0xA0, (const uint8_t *)PyBytes_AS_STRING(v),
                   (size_t)PyBytes_GET_SIZE(v));
        return 0;
    }
    if (t == light_types[4] || t == &PyList_Type) {
        sha_2bytes(out, 0x0B, 0xB0);
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++) {
            PyObject *item = PyList_GET_ITEM(v, i);
            Py_INCREF(item);
            int rc = light_ser(item, out, depth + 1);
            Py_DECREF(item);
            if (rc < 0) return -1;
        }
        sha_byte(out, 0x0E);
        return 0;
    }
    if (ionpy_types[0]) {
        if (t == ionpy_types[0]) {
            PyObject *it = NULL;
            int plain = ionpy_plain(v, &it);
            Py_XDECREF(it);
            if (plain <= 0) return plain < 0 ? -1 : light_fallback(v, out);
            return ionpy_dict(v, out, depth);
        }
        if (t == ionpy_types[1] || t == ionpy_types[2] || t == ionpy_types[3] ||
            t == ionpy_types[4])
            return ionpy_ser(v, t, out, depth);
    }
    return light_fallback(v, out);
}

PyDoc_STRVAR(hash_value_doc,
             "hash_value(value, /)\n--\n\n"
             "Ion Hash (32 bytes) of a Python value, as ion_hash.ion_hash computes it: light\n"
             "values and plain dict/list/str/int/bytes here, anything else through the Python\n"
             "serializer given to set_light_types.");

static PyObject *hash_value(PyObject *module, PyObject *v) {
    (void)module;
    Sha s;
    uint8_t digest[32];
    sha_init(&s);
    if (light_ser(v, &s, 0) < 0) return NULL;
    sha_final(&s, digest);
    return PyBytes_FromStringAndSize((const char *)digest, 32);
}

PyDoc_STRVAR(set_light_types_doc,
             "set_light_types(struct, text, int, blob, list, serialize, /)\n--\n\n"
             "The light value classes hash_value handles directly, and the serializer for\n"
             "everything else.");

static PyObject *set_light_types(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *types[5], *ser;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O:set_light_types", &PyType_Type, &types[0],
                          &PyType_Type, &types[1], &PyType_Type, &types[2], &PyType_Type,
                          &types[3], &PyType_Type, &types[4], &ser))
        return NULL;
    if (!PyType_IsSubtype((PyTypeObject *)types[0], &PyDict_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[1], &PyUnicode_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[2], &PyLong_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[3], &PyBytes_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[4], &PyList_Type)) {
        PyErr_SetString(PyExc_TypeError, "light types must extend dict, str, int, bytes, list");
        return NULL;
    }
    if (!PyCallable_Check(ser)) {
        PyErr_SetString(PyExc_TypeError, "serialize must be callable");
        return NULL;
    }
    for (int i = 0; i < 5; i++) {
        Py_INCREF(types[i]);
        Py_XDECREF((PyObject *)light_types[i]);
        light_types[i] = (PyTypeObject *)types[i];
    }
    Py_INCREF(ser);
    Py_XDECREF(py_serialize);
    py_serialize = ser;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(dot_doc,
             "dot(a, b, /)\n--\n\n"
             "QLDB's hash combiner (ion_hash.dot): an empty side passes the other through;\n"
             "else SHA-256 of both 32-byte hashes, the smaller first, compared as signed bytes\n"
             "from the last byte to the first.");

/* dot of two 32-byte hashes; `out` may be one of the inputs (both are read before it is
 * written), which lets merkle_root compute each level in place. */
static void dot_into(const uint8_t *x, const uint8_t *y, uint8_t out[32]) {
    int x_first = 1;
    for (int i = 31; i >= 0; i--) {
        if (x[i] != y[i]) {
            x_first = (int8_t)x[i] < (int8_t)y[i];
            break;
        }
    }
    Sha s;
    sha_init(&s);
    sha_update(&s, x_first ? x : y, 32);
    sha_update(&s, x_first ? y : x, 32);
    sha_final(&s, out);
}

static PyObject *dot(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "dot takes two hashes");
        return NULL;
    }
    /* None counts as empty, as `if not a` does in the Python version */
    if (args[0] == Py_None || args[1] == Py_None) {
        PyObject *other = args[0] == Py_None ? args[1] : args[0];
        return PyBytes_FromObject(other); /* TypeError for two Nones, as bytes(None) */
    }
    Py_buffer a, b;
    if (PyObject_GetBuffer(args[0], &a, PyBUF_SIMPLE) < 0) return NULL;
    if (PyObject_GetBuffer(args[1], &b, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&a);
        return NULL;
    }
    PyObject *result = NULL;
    if (a.len == 0 || b.len == 0) {
        Py_buffer *other = a.len == 0 ? &b : &a;
        result = PyBytes_FromStringAndSize(other->buf, other->len);
    } else if (a.len != 32 || b.len != 32) {
        PyErr_Format(PyExc_ValueError, "dot needs two 32-byte hashes, got %zd and %zd bytes",
                     a.len, b.len);
    } else {
        uint8_t digest[32];
        dot_into(a.buf, b.buf, digest);
        result = PyBytes_FromStringAndSize((const char *)digest, 32);
    }
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* The hashes every commit computes besides its values: a revision's metadata hash from its   */
/* field hashes (metadata_hash.py) and Merkle roots (ion_hash.merkle_root). Only the usual    */
/* arguments are handled here; anything else (keywords, subclasses, other lengths, iterators) */
/* is passed to the Python version given to set_fallbacks, so results and errors are its own. */

static PyObject *py_merkle_root, *py_metadata_hash, *py_block_field_hashes, *py_timestamp;

static PyObject *call_python(PyObject *fn, const char *name, PyObject *const *args,
                             size_t nargs, PyObject *kwnames) {
    if (!fn) {
        PyErr_Format(PyExc_RuntimeError, "%s: set_fallbacks was not called", name);
        return NULL;
    }
    Py_INCREF(fn); /* set_fallbacks may replace it while it runs */
    PyObject *r = PyObject_Vectorcall(fn, args, nargs, kwnames);
    Py_DECREF(fn);
    return r;
}

/* Starts H(s(name) || s(value)) of a field whose name is ASCII without marker bytes. */
static void field_start(Sha *f, const char *name) {
    sha_init(f);
    sha_scalar(f, 0x70, (const uint8_t *)name, strlen(name));
}

static inline int is_hash(PyObject *h) {
    return PyBytes_CheckExact(h) && PyBytes_GET_SIZE(h) == 32;
}

PyDoc_STRVAR(metadata_hash_doc,
             "metadata_hash(doc_id, version, block_fields)\n--\n\n"
             "H({id, version, txTime, txId}) from the block's txTime and txId field hashes, as\n"
             "metadata_hash.metadata_hash_py computes it.");

static PyObject *metadata_hash(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames) {
    (void)module;
    PyObject *bf = nargs == 3 ? args[2] : NULL;
    /* exact types: a subclass may compare, encode or serialise otherwise in Python */
    if (kwnames || !bf || !PyUnicode_CheckExact(args[0]) ||
        !(PyLong_CheckExact(args[1]) || PyBool_Check(args[1])) || !PyTuple_CheckExact(bf) ||
        PyTuple_GET_SIZE(bf) != 2 || !is_hash(PyTuple_GET_ITEM(bf, 0)) ||
        !is_hash(PyTuple_GET_ITEM(bf, 1)))
        return call_python(py_metadata_hash, "metadata_hash", args, (size_t)nargs, kwnames);
    uint8_t digs[4 * 32];
    Sha f;
    field_start(&f, "version"); /* first, as in Python: its errors come before the id's */
    if (light_int(args[1], &f) < 0) return NULL; /* ints past 64 bits: the Python serializer */
    sha_final(&f, digs);
    field_start(&f, "id");
    if (light_text(args[0], 0x80, &f) < 0) return NULL;
    sha_final(&f, digs + 32);
    memcpy(digs + 64, PyBytes_AS_STRING(PyTuple_GET_ITEM(bf, 0)), 32);
    memcpy(digs + 96, PyBytes_AS_STRING(PyTuple_GET_ITEM(bf, 1)), 32);
    sha_init(&f);
    emit_struct(&f, digs, 4);
    sha_final(&f, digs);
    return PyBytes_FromStringAndSize((const char *)digs, 32);
}

PyDoc_STRVAR(block_field_hashes_doc,
             "block_field_hashes(tx_time, tx_id)\n--\n\n"
             "The txTime and txId field hashes shared by a block's revisions, as\n"
             "metadata_hash.block_field_hashes_py computes them; s(tx_time) comes from the\n"
             "timestamp function given to set_fallbacks.");

static PyObject *block_field_hashes(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames) {
    (void)module;
    if (kwnames || nargs != 2 || !PyUnicode_CheckExact(args[1]))
        return call_python(py_block_field_hashes, "block_field_hashes", args, (size_t)nargs,
                           kwnames);
    PyObject *ts = call_python(py_timestamp, "block_field_hashes", args, 1, NULL);
    if (!ts) return NULL;
    if (!PyBytes_Check(ts)) {
        Py_DECREF(ts);
        PyErr_SetString(PyExc_TypeError, "the timestamp function must return bytes");
        return NULL;
    }
    uint8_t d[64];
    Sha f;
    field_start(&f, "txTime");
    sha_update(&f, (const uint8_t *)PyBytes_AS_STRING(ts), (size_t)PyBytes_GET_SIZE(ts));
    Py_DECREF(ts);
    sha_final(&f, d);
    field_start(&f, "txId");
    if (light_text(args[1], 0x80, &f) < 0) return NULL;
    sha_final(&f, d + 32);
    return Py_BuildValue("(y#y#)", (const char *)d, (Py_ssize_t)32, (const char *)d + 32,
                         (Py_ssize_t)32);
}

static inline const uint8_t *hash_bytes(PyObject *h) {
    return (const uint8_t *)(PyBytes_CheckExact(h) ? PyBytes_AS_STRING(h)
                                                   : PyByteArray_AS_STRING(h));
}

PyDoc_STRVAR(merkle_root_doc,
             "merkle_root(hashes)\n--\n\n"
             "ion_hash.merkle_root_py in C for lists and tuples of 32-byte bytes or bytearrays:\n"
             "pairwise dot level by level, an unpaired last hash carried up; [] -> b\"\".");

static PyObject *merkle_root(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames) {
    (void)module;
    PyObject *hashes = nargs == 1 ? args[0] : NULL;
    if (kwnames || !hashes || (!PyList_CheckExact(hashes) && !PyTuple_CheckExact(hashes)))
        return call_python(py_merkle_root, "merkle_root", args, (size_t)nargs, kwnames);
    size_t n = (size_t)PySequence_Fast_GET_SIZE(hashes);
    PyObject **items = PySequence_Fast_ITEMS(hashes);
    if (n == 0) return PyBytes_FromStringAndSize(NULL, 0);
    if (n == 1) return Py_NewRef(items[0]); /* as is, whatever it is, as in Python */
    /* Other lengths are passed through or refused by dot depending on where they sit: Python. */
    for (size_t i = 0; i < n; i++) {
        PyObject *h = items[i];
        if (!is_hash(h) && !(PyByteArray_CheckExact(h) && PyByteArray_GET_SIZE(h) == 32))
            return call_python(py_merkle_root, "merkle_root", args, 1, NULL);
    }
    /* No Python code runs from here: the items stay as they are. Level one is read from them,
     * the next levels are computed in place, node j of a level in slot j. */
    uint8_t local[32 * 32];
    size_t slots = (n + 1) / 2;
    uint8_t *level = slots <= 32 ? local : PyMem_Malloc(32 * slots);
    if (!level) return PyErr_NoMemory();
    for (size_t i = 0; i + 1 < n; i += 2)
        dot_into(hash_bytes(items[i]), hash_bytes(items[i + 1]), level + 16 * i);
    if (n % 2) memcpy(level + 32 * (n / 2), hash_bytes(items[n - 1]), 32);
    for (size_t m = slots; m > 1; m = (m + 1) / 2) {
        for (size_t i = 0; i + 1 < m; i += 2)
            dot_into(level + 32 * i, level + 32 * (i + 1), level + 16 * i);
        if (m % 2) memmove(level + 32 * (m / 2), level + 32 * (m - 1), 32);
    }
    PyObject *root = PyBytes_FromStringAndSize((const char *)level, 32);
    if (level != local) PyMem_Free(level);
    return root;
}

PyDoc_STRVAR(set_fallbacks_doc,
             "set_fallbacks(*, merkle_root=None, metadata_hash=None, block_field_hashes=None,\n"
             "              timestamp=None)\n--\n\n"
             "The Python versions merkle_root, metadata_hash and block_field_hashes hand the\n"
             "arguments they do not handle to, and the function giving s(timestamp) (ion_hash.\n"
             "_timestamp); those not given are kept.");

static PyObject *set_fallbacks(PyObject *module, PyObject *args, PyObject *kw) {
    (void)module;
    static char *names[] = {"merkle_root", "metadata_hash", "block_field_hashes", "timestamp",
                            NULL};
    PyObject *fns[4] = {NULL, NULL, NULL, NULL};
    PyObject **slots[4] = {&py_merkle_root, &py_metadata_hash, &py_block_field_hashes,
                           &py_timestamp};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOO:set_fallbacks", names, &fns[0], &fns[1],
                                     &fns[2], &fns[3]))
        return NULL;
    for (int i = 0; i < 4; i++) {
        if (fns[i] && fns[i] != Py_None && !PyCallable_Check(fns[i])) {
            PyErr_Format(PyExc_TypeError, "set_fallbacks: %s must be callable", names[i]);
            return NULL;
        }
    }
    for (int i = 0; i < 4; i++)
        if (fns[i] && fns[i] != Py_None) Py_XSETREF(*slots[i], Py_NewRef(fns[i]));
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* block_facts(blob): what full verification compares for one stored block body, read in one  */
/* pass over its Ion binary instead of amazon.ion's parse, a field split, a header hash and   */
/* amazon.ion's timestamp text (block_facts.py; block_facts_py there is the reference). It    */
/* answers for a version marker, plain local symbol tables and one plain struct, with every   */
/* value read strictly (Reader.strict) so that it only answers where amazon.ion reads the     */
/* same values; anything else gives None and verification reads that block the general way.  */

#define ERR (-2) /* a Python exception is set (MemoryError) */

/* A local symbol table as the writers (ours, amazon.ion's) write it: the one annotation
 * `$ion_symbol_table` on a struct of `imports: $ion_symbol_table` and `symbols: [strings]`,
 * nothing null. ion-c reads other forms (max_id, symbols that are not strings, shared imports)
 * by rules read_local_table does not follow; they are refused here. */
static int plain_local_table(const Reader *r, size_t pos, size_t value_at, size_t wrapper_end) {
    int t, low;
    size_t p = pos, stop;
    uint64_t annot_len;
    if (read_header(r, &p, wrapper_end, &t, &low, &stop)) return FAIL;
    if (read_var_uint(r, &p, stop, &annot_len) || annot_len != 1) return FAIL;
    p = value_at;
    if (read_header(r, &p, wrapper_end, &t, &low, &stop) || t != 13 || low == 1 || low == 15)
        return FAIL;
    while (p < stop) {
        uint64_t sid;
        int vt, vlow;
        size_t vend;
        if (read_sid(r, &p, stop, &sid)) return FAIL;
        if (read_header(r, &p, stop, &vt, &vlow, &vend) || vlow == 15) return FAIL;
        if (sid == SID_IMPORTS) {
            if (vt != 7 || vend - p != 1 || r->d[p] != SID_ION_SYMBOL_TABLE) return FAIL;
        } else if (sid == SID_SYMBOLS && vt == 11) {
            for (size_t q = p; q < vend;) {
                int st, slow;
                size_t send;
                if (read_header(r, &q, vend, &st, &slow, &send) || st != 8 || slow == 15)
                    return FAIL;
                q = send;
            }
        } else {
            return FAIL;
        }
        p = vend;
    }
    return 0;
}

/* The fields of a struct body [p, end), padding skipped as ser_struct skips it. */
typedef struct {
    size_t p, end;
} Fields;

/* 1 and the next field's name SID and value position, 0 at the end, FAIL. Each value is only
 * checked to fit the struct: its contents are read (and checked) by the caller. */
static int next_field(const Reader *r, Fields *it, uint64_t *sid, size_t *value_at) {
    while (it->p < it->end) {
        int t, low;
        size_t at, vend;
        if (read_sid(r, &it->p, it->end, sid)) return FAIL;
        if (it->p >= it->end) return FAIL; /* a field name without a value */
        at = it->p;
        if (read_header(r, &it->p, it->end, &t, &low, &vend)) return FAIL;
        it->p = vend;
        if (!is_padding(r->d[at])) {
            *value_at = at;
            return 1;
        }
    }
    return 0;
}

/* A field name with known text (amazon.ion gives the others as symbol tokens, not str). */
static int field_name(const Reader *r, uint64_t sid, Sym *name) {
    if (sid >= r->nsyms || !r->syms[sid].text) return FAIL;
    *name = r->syms[sid];
    return 0;
}

static inline int name_is(const Sym *name, const char *text) {
    size_t n = strlen(text);
    return name->len == n && memcmp(name->text, text, n) == 0;
}

/* Adds `name` to names[0:*n] (room for `cap`): FAIL if it is there already (text compared,
 * two SIDs may share one) or there is no room; the structs checked this way have a few. */
static int add_distinct(Sym *names, size_t *n, size_t cap, const Sym *name) {
    for (size_t i = 0; i < *n; i++)
        if (names[i].len == name->len && memcmp(names[i].text, name->text, name->len) == 0)
            return FAIL;
    if (*n == cap) return FAIL;
    names[(*n)++] = *name;
    return 0;
}

/* The value at `at` (within `end`) is a non-null value of `type` without annotations; sets
 * its body [*body, *body_end). */
static int plain_value(const Reader *r, size_t at, size_t end, int type, size_t *body,
                       size_t *body_end) {
    int t, low;
    if (read_header(r, &at, end, &t, &low, body_end) || t != type || low == 15) return FAIL;
    *body = at;
    return 0;
}

/* H(s(name) || s(value)) of a field `name` (ASCII) holding the stored value at `at`. */
static int field_digest_at(Reader *r, const char *name, size_t at, size_t end, uint8_t out[32]) {
    Sha f;
    field_start(&f, name);
    if (ser_value(r, &at, end, &f)) return FAIL;
    sha_final(&f, out);
    return 0;
}

/* str of stored UTF-8 (checked already, so only MemoryError can happen: ERR). */
static int text_object(const uint8_t *p, size_t n, PyObject **out) {
    *out = PyUnicode_DecodeUTF8((const char *)p, (Py_ssize_t)n, "strict");
    if (*out) return 0;
    if (PyErr_ExceptionMatches(PyExc_MemoryError)) return ERR;
    PyErr_Clear(); /* not reached: the text was checked */
    return FAIL;
}

enum {
    B_ADDRESS, B_TX_ID, B_TIMESTAMP, B_BLOCK_HASH, B_ENTRIES_HASH, B_PREV_HASH, B_ENTRIES,
    B_TX_INFO, B_REDACTION, N_BLOCK_FIELDS
};
static const char *const BLOCK_FIELDS[N_BLOCK_FIELDS] = {
    "blockAddress",      "transactionId",   "blockTimestamp",  "blockHash",    "entriesHash",
    "previousBlockHash", "entriesHashList", "transactionInfo", "redactionInfo"};

typedef struct {
    size_t at[N_BLOCK_FIELDS]; /* where each field's value starts; 0: absent (never a value) */
    size_t strand, strand_end, seq_at, seq_end, tx_id, tx_id_end;
    size_t hash[3], hash_end[3]; /* blockHash, entriesHash, previousBlockHash bodies */
    size_t entries, entries_end, n_entries; /* entriesHashList body, its blobs */
    Ts ts;
    uint8_t header[32], fields[64], tx_info[32];
} Facts;

/* transactionInfo.documents (struct body [p, end)) into `docs`: at most one such field, a
 * struct of distinct document ids, each a struct with exactly one `tableId`, a string. All
 * field names must have text. */
static int read_documents(const Reader *r, size_t p, size_t end, PyObject *docs) {
    Fields it = {p, end};
    uint64_t sid;
    size_t at, docs_at = 0;
    int more;
    while ((more = next_field(r, &it, &sid, &at)) == 1) {
        Sym name;
        if (field_name(r, sid, &name)) return FAIL;
        if (name_is(&name, "documents")) {
            if (docs_at) return FAIL;
            docs_at = at;
        }
    }
    if (more || !docs_at) return more;
    size_t b, be;
    if (plain_value(r, docs_at, end, 13, &b, &be)) return FAIL;
    Fields di = {b, be};
    while ((more = next_field(r, &di, &sid, &at)) == 1) {
        Sym doc_id;
        size_t eb, ee, table_at = 0, fat;
        int tables = 0, rc;
        if (field_name(r, sid, &doc_id) || plain_value(r, at, be, 13, &eb, &ee)) return FAIL;
        Fields ei = {eb, ee};
        while ((rc = next_field(r, &ei, &sid, &fat)) == 1) {
            Sym name;
            if (field_name(r, sid, &name)) return FAIL;
            if (name_is(&name, "tableId")) {
                tables++;
                table_at = fat;
            }
        }
        size_t tb, te;
        if (rc || tables != 1 || plain_value(r, table_at, ee, 8, &tb, &te)) return FAIL;
        PyObject *key, *value;
        if ((rc = text_object(doc_id.text, doc_id.len, &key))) return rc;
        if ((rc = text_object(r->d + tb, te - tb, &value))) {
            Py_DECREF(key);
            return rc;
        }
        int dup = PyDict_Contains(docs, key); /* str keys: no Python code runs */
        rc = dup < 0 ? ERR : dup ? FAIL : PyDict_SetItem(docs, key, value) < 0 ? ERR : 0;
        Py_DECREF(key);
        Py_DECREF(value);
        if (rc) return rc;
    }
    return more;
}

/* blockAddress (struct body [p, end)): distinct names with text, `strandId` a string and
 * `sequenceNo` a non-negative int of at most 64 bits. */
static int read_address(const Reader *r, size_t p, size_t end, Facts *f) {
    Sym names[32];
    size_t n = 0, at, strand_at = 0, seq_at = 0;
    uint64_t sid;
    int more;
    Fields it = {p, end};
    while ((more = next_field(r, &it, &sid, &at)) == 1) {
        Sym name;
        if (field_name(r, sid, &name) || add_distinct(names, &n, 32, &name)) return FAIL;
        if (name_is(&name, "strandId")) strand_at = at;
        if (name_is(&name, "sequenceNo")) seq_at = at;
    }
    if (more || !strand_at || !seq_at) return FAIL;
    if (plain_value(r, strand_at, end, 8, &f->strand, &f->strand_end)) return FAIL;
    if (plain_value(r, seq_at, end, 2, &f->seq_at, &f->seq_end)) return FAIL;
    while (f->seq_at < f->seq_end && r->d[f->seq_at] == 0) f->seq_at++;
    return f->seq_end - f->seq_at > 8 ? FAIL : 0;
}

/* Everything but the Python tuple: 0, FAIL (None) or ERR. */
static int read_block(Reader *r, Facts *f, PyObject *docs) {
    if (r->n < 4 || memcmp(r->d, IVM, 4) != 0) return FAIL;
    size_t pos = 4, p, end, value_at, wrapper_end;
    /* Only symbol tables before the struct, as split_struct_fields requires */
    while (pos < r->n && r->d[pos] >> 4 == 14) {
        size_t check = pos;
        if (!is_local_table(r, pos, &value_at, &wrapper_end)) return FAIL; /* annotations */
        if (frame_value(r, &check, r->n, 0) || check != wrapper_end ||
            plain_local_table(r, pos, value_at, wrapper_end) ||
            read_local_table(r, value_at, wrapper_end))
            return FAIL;
        pos = wrapper_end;
    }
    if (plain_value(r, pos, r->n, 13, &p, &end) || end != r->n) return FAIL;
    memset(f->at, 0, sizeof f->at);
    r->depth = 1; /* inside the top-level struct, as ser_value counts */
    Sym names[32];
    size_t n = 0, at;
    uint64_t sid;
    int more;
    Fields it = {p, end};
    while ((more = next_field(r, &it, &sid, &at)) == 1) {
        Sym name;
        if (field_name(r, sid, &name) || add_distinct(names, &n, 32, &name)) return FAIL;
        int which = 0;
        while (which < N_BLOCK_FIELDS && !name_is(&name, BLOCK_FIELDS[which])) which++;
        if (which == B_REDACTION) return FAIL;
        /* A field outside the block's layout is covered by no hash: the general checks
         * report it */
        if (which == N_BLOCK_FIELDS) return FAIL;
        f->at[which] = at;
    }
    if (more) return FAIL;
    for (int i = 0; i <= B_ENTRIES; i++)
        if (!f->at[i] && i != B_PREV_HASH) return FAIL;

    /* The header entry H({blockAddress, transactionId, blockTimestamp}) from the stored values,
     * and the block's txTime and txId field hashes, from the same values. */
    size_t b, be;
    uint8_t digs[96];
    if (plain_value(r, f->at[B_ADDRESS], end, 13, &b, &be) ||
        field_digest_at(r, "blockAddress", f->at[B_ADDRESS], end, digs) ||
        read_address(r, b, be, f))
        return FAIL;
    if (plain_value(r, f->at[B_TX_ID], end, 8, &f->tx_id, &f->tx_id_end) ||
        field_digest_at(r, "transactionId", f->at[B_TX_ID], end, digs + 32) ||
        field_digest_at(r, "txId", f->at[B_TX_ID], end, f->fields + 32))
        return FAIL;
    if (plain_value(r, f->at[B_TIMESTAMP], end, 6, &b, &be) || ts_read(r, b, be, &f->ts) ||
        field_digest_at(r, "blockTimestamp", f->at[B_TIMESTAMP], end, digs + 64) ||
        field_digest_at(r, "txTime", f->at[B_TIMESTAMP], end, f->fields))
        return FAIL;
    Sha h;
    sha_init(&h);
    emit_struct(&h, digs, 3);
    sha_final(&h, f->header);

    /* The hashes: blobs (any length), entriesHashList a list of them (padding skipped) */
    for (int i = 0; i < 3; i++) {
        f->hash[i] = f->hash_end[i] = 0;
        at = f->at[B_BLOCK_HASH + i];
        if (at && plain_value(r, at, end, 10, &f->hash[i], &f->hash_end[i])) return FAIL;
    }
    if (plain_value(r, f->at[B_ENTRIES], end, 11, &f->entries, &f->entries_end)) return FAIL;
    f->n_entries = 0;
    for (size_t q = f->entries; q < f->entries_end;) {
        if (is_padding(r->d[q])) {
            if (skip_padding(r, &q, f->entries_end)) return FAIL;
        } else if (plain_value(r, q, f->entries_end, 10, &b, &q)) {
            return FAIL;
        } else {
            f->n_entries++;
        }
    }

    /* transactionInfo: H(value) from the stored span (hash_binary of the split field), then
     * its documents; a value that is not a struct has no documents to give */
    if (f->at[B_TX_INFO]) {
        at = f->at[B_TX_INFO];
        if (plain_value(r, at, end, 13, &b, &be)) return FAIL;
        sha_init(&h);
        if (ser_value(r, &at, end, &h)) return FAIL;
        sha_final(&h, f->tx_info);
        return read_documents(r, b, be, docs);
    }
    return 0;
}

static PyObject *bytes_of(const Reader *r, size_t p, size_t end) {
    return PyBytes_FromStringAndSize((const char *)r->d + p, (Py_ssize_t)(end - p));
}

/* The 12-tuple of block_facts_py; `docs` is taken as item 11. */
static PyObject *facts_tuple(const Reader *r, const Facts *f, PyObject *docs) {
    PyObject *t = PyTuple_New(12);
    if (!t) return NULL;
    PyTuple_SET_ITEM(t, 11, Py_NewRef(docs)); /* set first: DECREF(t) frees whatever is set */
    uint64_t seq = 0;
    for (size_t i = f->seq_at; i < f->seq_end; i++) seq = (seq << 8) | r->d[i];
    char text[40];
    size_t text_len = ts_format(&f->ts, text);
    PyObject *items[11];
    items[0] = PyUnicode_DecodeUTF8((const char *)r->d + f->strand,
                                    (Py_ssize_t)(f->strand_end - f->strand), "strict");
    items[1] = PyLong_FromUnsignedLongLong(seq);
    items[2] = PyUnicode_DecodeUTF8((const char *)r->d + f->tx_id,
                                    (Py_ssize_t)(f->tx_id_end - f->tx_id), "strict");
    items[3] = PyUnicode_FromStringAndSize(text, (Py_ssize_t)text_len);
    for (int i = 0; i < 3; i++) items[4 + i] = bytes_of(r, f->hash[i], f->hash_end[i]);
    items[7] = PyList_New((Py_ssize_t)f->n_entries);
    items[8] = PyBytes_FromStringAndSize((const char *)f->header, 32);
    items[9] = Py_BuildValue("(y#y#)", (const char *)f->fields, (Py_ssize_t)32,
                             (const char *)f->fields + 32, (Py_ssize_t)32);
    items[10] = f->at[B_TX_INFO] ? PyBytes_FromStringAndSize((const char *)f->tx_info, 32)
                                 : Py_NewRef(Py_None);
    int ok = 1;
    for (int i = 0; i < 11; i++) {
        if (!items[i]) ok = 0;
        PyTuple_SET_ITEM(t, i, items[i]); /* NULL items are skipped by the tuple's dealloc */
    }
    if (!ok) goto fail;
    /* the list's blobs, walked as read_block checked it: blobs and padding */
    size_t k = 0;
    for (size_t q = f->entries; q < f->entries_end;) {
        int tt, low;
        size_t body = q, body_end;
        if (read_header(r, &body, f->entries_end, &tt, &low, &body_end)) goto fail;
        if (tt == 10) {
            if (k == f->n_entries) goto fail;
            PyObject *h = bytes_of(r, body, body_end);
            if (!h) goto fail;
            PyList_SET_ITEM(items[7], (Py_ssize_t)k++, h);
        }
        q = body_end;
    }
    if (k != f->n_entries) goto fail;
    return t;
fail:
    Py_DECREF(t);
    if (PyErr_Occurred()) return NULL; /* MemoryError */
    return Py_NewRef(Py_None);          /* not reached: read_block checked the list */
}

PyDoc_STRVAR(block_facts_doc,
             "block_facts(blob, /)\n--\n\n"
             "What verification compares for one stored block body (bytes), as\n"
             "block_facts.block_facts_py returns it: (strand_id, seq, tx_id, ts_text, block_hash,\n"
             "entries_hash, prev_hash, entries, header_entry, block_fields, tx_info_hash,\n"
             "documents), or None for anything but the plain shape our commits write.");

static PyObject *block_facts(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyBytes_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "block_facts needs bytes, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    Reader r;
    if (reader_open(&r, (const uint8_t *)PyBytes_AS_STRING(arg), (size_t)PyBytes_GET_SIZE(arg),
                    1) < 0)
        return NULL;
    PyObject *docs = PyDict_New(), *result = NULL;
    if (docs) {
        Facts f;
        int rc = read_block(&r, &f, docs);
        if (rc == 0)
            result = facts_tuple(&r, &f, docs);
        else if (rc == FAIL)
            result = Py_NewRef(Py_None);
        Py_DECREF(docs);
    }
    reader_close(&r);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* Ion binary writer for light values (light_values.py) and plain dict/list/str/int/bytes,    */
/* with timestamps through a Python function giving their binary representation. It writes    */
/* the block body of every commit: amazon.ion's writer costs about 12 us for it, and several  */
/* times that right after a commit's fsync. write_document also takes amazon.ion's IonPy      */
/* values (the documents a commit writes) with their annotations, None, bool, float, Decimal  */
/* and symbols, byte for byte as amazon.ion (ion-c) writes them: symbol table order, decimal  */
/* and float encodings, typed nulls. Anything else makes it return None, and the caller       */
/* writes the value with amazon.ion.                                                          */

/* Starts on a caller's stack array (heap == 0): a document or block body needs no allocation,
 * which matters right after a commit's fsync, when malloc is slow (engine/allocator.py). */
typedef struct {
    uint8_t *p;
    size_t len, cap;
    int heap; /* p is PyMem memory, freed by buf_free */
} Buf;

#define BUF_ON(array) {(array), 0, sizeof(array), 0}

static int buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra) cap *= 2;
    uint8_t *grown = b->heap ? PyMem_Realloc(b->p, cap) : PyMem_Malloc(cap);
    if (!grown) {
        PyErr_NoMemory();
        return -1;
    }
    if (!b->heap && b->len) memcpy(grown, b->p, b->len);
    b->p = grown;
    b->cap = cap;
    b->heap = 1;
    return 0;
}

static void buf_free(Buf *b) {
    if (b->heap) PyMem_Free(b->p);
}

static int buf_put(Buf *b, const void *src, size_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->p + b->len, src, n);
    b->len += n;
    return 0;
}

/* Type descriptor and length (VarUInt when 14 or more) of a value of `len` bytes. */
static size_t value_header(int type, size_t len, uint8_t out[11]) {
    if (len < 14) {
        out[0] = (uint8_t)(type << 4 | len);
        return 1;
    }
    out[0] = (uint8_t)(type << 4 | 14);
    return 1 + write_var_uint(len, out + 1);
}

/* Put the header of the value whose content starts at `start` in front of it. */
static int close_value(Buf *b, size_t start, int type) {
    uint8_t head[11];
    size_t n = value_header(type, b->len - start, head);
    if (buf_reserve(b, n) < 0) return -1;
    memmove(b->p + start + n, b->p + start, b->len - start);
    memcpy(b->p + start, head, n);
    b->len += n;
    return 0;
}

static int put_scalar(Buf *b, int type, const void *src, size_t n) {
    uint8_t head[11];
    size_t h = value_header(type, n, head);
    if (buf_put(b, head, h) < 0) return -1;
    return buf_put(b, src, n);
}

/* Symbol texts -> SIDs: open addressing on the str hash, at most half full. A dict and a list
 * cost about 80 ns per new field name; this about a fifth of that. */
typedef struct {
    PyObject *text; /* an exact str; NULL: empty slot */
    Py_hash_t hash;
    uint64_t sid;
} SymSlot;

#define SYM_INLINE 64 /* slots on the stack: up to 32 local symbols without allocating */

typedef struct {
    SymSlot *tab;   /* local symbols; cap slots */
    size_t cap;
    PyObject **syms; /* local symbols in SID order (references held), capsyms room */
    size_t nsyms, capsyms;
    PyObject *ts_rep; /* timestamp -> its binary representation, None for anything else */
    int doc;          /* write_document: IonPy values, None, bool, float, Decimal, symbols too */
    SymSlot tab0[SYM_INLINE];
    PyObject *syms0[SYM_INLINE / 2];
} WriteCtx;

#define W_UNSUPPORTED 1 /* not an error: the caller falls back to amazon.ion */
#define NO_WRAP ((size_t)-1)

static SymSlot system_tab[16]; /* the system symbols ($ion .. $ion_shared_symbol_table) */

/* Equal texts have equal canonical representations (kind, length, code units). */
static int same_text(PyObject *a, PyObject *b) {
    if (a == b) return 1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    int kind = PyUnicode_KIND(a);
    return n == PyUnicode_GET_LENGTH(b) && kind == PyUnicode_KIND(b) &&
           !memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)n * (size_t)kind);
}

/* The slot of `text` in a table of `cap` slots (a power of two), or the empty one for it. */
static SymSlot *sym_probe(SymSlot *tab, size_t cap, PyObject *text, Py_hash_t h) {
    for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!tab[i].text || (tab[i].hash == h && same_text(tab[i].text, text))) return &tab[i];
}

static int init_system_tab(void) {
    if (system_tab[0].text || system_tab[1].text) return 0;
    for (int i = 1; i < N_SYSTEM; i++) {
        PyObject *t = PyUnicode_InternFromString(SYSTEM_TEXTS[i]); /* kept for good */
        Py_hash_t h = t ? PyObject_Hash(t) : -1;
        if (h == -1) return -1;
        SymSlot *s = sym_probe(system_tab, 16, t, h);
        s->text = t;
        s->hash = h;
        s->sid = (uint64_t)i;
    }
    return 0;
}

/* The SID of a symbol text (field name, annotation or symbol value): a system symbol keeps its
 * own; any other text gets the next local SID the first time it is seen, which is how ion-c
 * (amazon.ion's writer) numbers them, so the local symbol table comes out in the same order. */
static int symbol_sid(WriteCtx *w, PyObject *name, uint64_t *sid) {
    /* a str subclass (IonPyText) as the exact str it equals: its own __hash__ plays no part */
    PyObject *text = PyUnicode_FromObject(name); /* the str itself, new reference, or a copy */
    Py_hash_t h = text ? PyObject_Hash(text) : -1;
    if (h == -1) goto error;
    SymSlot *s = sym_probe(system_tab, 16, text, h);
    if (!s->text) s = sym_probe(w->tab, w->cap, text, h);
    if (s->text) {
        *sid = s->sid;
        Py_DECREF(text);
        return 0;
    }
    if (!PyUnicode_AsUTF8AndSize(text, NULL)) goto error; /* no lone surrogates */
    if (w->nsyms == w->capsyms) { /* room for one more, and the table stays half empty */
        size_t cap = w->cap * 2;
        SymSlot *tab = PyMem_Calloc(cap, sizeof *tab);
        PyObject **syms = PyMem_Malloc(cap / 2 * sizeof *syms);
        if (!tab || !syms) {
            PyMem_Free(tab);
            PyMem_Free(syms);
            PyErr_NoMemory();
            goto error;
        }
        for (size_t i = 0; i < w->cap; i++)
            if (w->tab[i].text) *sym_probe(tab, cap, w->tab[i].text, w->tab[i].hash) = w->tab[i];
        memcpy(syms, w->syms, w->nsyms * sizeof *syms);
        if (w->tab != w->tab0) PyMem_Free(w->tab);
        if (w->syms != w->syms0) PyMem_Free(w->syms);
        w->tab = tab;
        w->syms = syms;
        w->cap = cap;
        w->capsyms = cap / 2;
        s = sym_probe(w->tab, w->cap, text, h);
    }
    s->text = text; /* the reference moves to syms */
    s->hash = h;
    s->sid = *sid = N_SYSTEM + w->nsyms;
    w->syms[w->nsyms++] = text;
    return 0;
error:
    Py_XDECREF(text);
    return -1;
}

/* amazon.ion's IonType members, indexed by their values, and the Ion binary type codes. */
enum { IT_NULL, IT_BOOL, IT_INT, IT_FLOAT, IT_DECIMAL, IT_TIMESTAMP, IT_SYMBOL, IT_STRING,
       IT_CLOB, IT_BLOB, IT_LIST, IT_SEXP, IT_STRUCT, N_ION_TYPES };
#define K_TYPED_NULL N_ION_TYPES /* a write kind besides the types: IonPyNull of some type */
static PyObject *ion_types[N_ION_TYPES];
static const uint8_t TYPE_CODE[N_ION_TYPES] = {0x0, 0x1, 0x2, 0x4, 0x5, 0x6, 0x7,
                                               0x8, 0x9, 0xA, 0xB, 0xC, 0xD};
/* The other classes write_document knows, besides ionpy_types (set_document_types). */
enum { D_NULL, D_BOOL, D_FLOAT, D_DECIMAL, D_TIMESTAMP, D_SYMBOL, D_TOKEN, D_DEC, N_DOC_TYPES };
static PyTypeObject *doc_types[N_DOC_TYPES];
static PyObject *s_text, *s_sid;
#define MAX_ANNOTATIONS 50 /* amazon.ion's writer option: more raise IERR_TOO_MANY_ANNOTATIONS */
#define MAX_INT_BITS 14000 /* ion_values.MAX_INT_BITS: amazon.ion cannot write wider ints */

/* An IonPy value's ion_type (IT_*, -1 when it has none) and its annotations (a new reference,
 * NULL when it has none or they are empty, as amazon.ion treats a falsy value). W_UNSUPPORTED
 * for an ion_type that is no IonType member (amazon.ion indexes a table with it) and for
 * annotations that are not a tuple or a list. */
static int ionpy_attrs(PyObject *v, int *it, PyObject **ann) {
    *it = -1;
    *ann = NULL;
    PyObject *a = PyObject_GetAttr(v, s_ion_type);
    if (!a) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
    } else {
        for (int i = 0; i < N_ION_TYPES; i++)
            if (a == ion_types[i]) *it = i;
        Py_DECREF(a);
        if (*it < 0) return W_UNSUPPORTED;
    }
    a = PyObject_GetAttr(v, s_ion_annotations);
    if (!a) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
        return 0;
    }
    int empty = PyObject_Not(a);
    if (empty != 0 || (!PyTuple_CheckExact(a) && !PyList_CheckExact(a))) {
        Py_DECREF(a);
        return empty < 0 ? -1 : empty ? 0 : W_UNSUPPORTED;
    }
    *ann = a;
    return 0;
}

/* What amazon.ion writes an IonPy value of class `t` and ion_type `it` (-1: none) as: an IT_*
 * or K_TYPED_NULL (of type *null_of), -1 for the pairs it rejects (it raises, and so does the
 * fallback). The Python class picks the branch, as in amazon.ion, and ion_type the type. */
static int ionpy_kind(PyTypeObject *t, int it, int *null_of) {
#define EITHER(dflt, other) (it < 0 ? (dflt) : it == (dflt) || it == (other) ? it : -1)
    if (t == ionpy_types[0]) return EITHER(IT_STRUCT, IT_STRUCT);
    if (t == ionpy_types[1]) return EITHER(IT_LIST, IT_SEXP);
    if (t == ionpy_types[2]) return EITHER(IT_STRING, IT_SYMBOL);
    if (t == ionpy_types[3] || t == doc_types[D_BOOL]) return EITHER(IT_INT, IT_BOOL);
    if (t == ionpy_types[4]) return EITHER(IT_BLOB, IT_CLOB);
    if (t == doc_types[D_FLOAT]) return EITHER(IT_FLOAT, IT_FLOAT);
    if (t == doc_types[D_DECIMAL]) return EITHER(IT_DECIMAL, IT_DECIMAL);
    if (t == doc_types[D_SYMBOL]) return EITHER(IT_SYMBOL, IT_SYMBOL);
    if (t == doc_types[D_NULL]) {
        *null_of = it < 0 ? IT_NULL : it;
        return K_TYPED_NULL;
    }
    /* IonPyTimestamp, datetimes and anything else: timestamp_rep tells timestamps apart */
    return EITHER(IT_TIMESTAMP, IT_TIMESTAMP);
#undef EITHER
}

/* What precedes a value: its field name's SID inside a struct, then the start of an annotation
 * wrapper when it has annotations; *wrap is where that starts, for end_value. */
static int begin_value(WriteCtx *w, Buf *b, PyObject *field, PyObject *ann, int depth,
                       size_t *wrap) {
    uint8_t vu[10];
    uint64_t sid;
    *wrap = NO_WRAP;
    if (field) {
        if (symbol_sid(w, field, &sid) < 0) return -1;
        if (buf_put(b, vu, write_var_uint(sid, vu)) < 0) return -1;
    }
    if (!ann) return 0;
    uint8_t sids[MAX_ANNOTATIONS * 10];
    size_t len = 0;
    if (PySequence_Fast_GET_SIZE(ann) > MAX_ANNOTATIONS) return W_UNSUPPORTED;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(ann); i++) {
        PyObject *a = PySequence_Fast_GET_ITEM(ann, i), *text;
        if (PyUnicode_Check(a)) {
            text = a;
            Py_INCREF(text);
        } else if (PyObject_TypeCheck(a, doc_types[D_TOKEN])) {
            if (!(text = PyObject_GetAttr(a, s_text))) return -1;
        } else {
            return W_UNSUPPORTED; /* amazon.ion skips such an annotation */
        }
        int rc = PyUnicode_Check(text) ? symbol_sid(w, text, &sid) : W_UNSUPPORTED; /* SIDs */
        Py_DECREF(text);
        if (rc) return rc;
        /* a top-level $ion_symbol_table:: value is a symbol table to amazon.ion: not written */
        if (depth == 0 && sid == SID_ION_SYMBOL_TABLE) return W_UNSUPPORTED;
        len += write_var_uint(sid, sids + len);
    }
    *wrap = b->len;
    if (buf_put(b, vu, write_var_uint(len, vu)) < 0) return -1;
    return buf_put(b, sids, len);
}

static int end_value(Buf *b, size_t wrap) {
    return wrap == NO_WRAP ? 0 : close_value(b, wrap, 0xE);
}

/* Ints beyond 64 bits (write_document only): the magnitude's minimal big-endian bytes, as for
 * the small ones; `neg` is the sign PyLong_AsLongLongAndOverflow reported. */
static int put_big_int(Buf *b, PyObject *v, int neg) {
    PyObject *mag = PyNumber_Absolute(v), *bits = NULL, *bytes = NULL;
    int rc = -1;
    if (!mag || !(bits = PyObject_CallMethod(mag, "bit_length", NULL))) goto done;
    size_t n = PyLong_AsSize_t(bits);
    if (n == (size_t)-1 && PyErr_Occurred()) goto done;
    if (n > MAX_INT_BITS) {
        rc = W_UNSUPPORTED;
        goto done;
    }
    if (!(bytes = PyObject_CallMethod(mag, "to_bytes", "ns", (Py_ssize_t)((n + 7) / 8), "big")))
        goto done;
    rc = put_scalar(b, neg ? 0x3 : 0x2, PyBytes_AS_STRING(bytes),
                    (size_t)PyBytes_GET_SIZE(bytes));
done:
    Py_XDECREF(mag);
    Py_XDECREF(bits);
    Py_XDECREF(bytes);
    return rc;
}

static int put_int(WriteCtx *w, Buf *b, PyObject *v) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow) return w->doc ? put_big_int(b, v, overflow < 0) : W_UNSUPPORTED;
    if (x == -1 && PyErr_Occurred()) return -1;
    uint64_t mag = x < 0 ? (uint64_t)(-(x + 1)) + 1 : (uint64_t)x;
    uint8_t be[8];
    size_t n = 0;
    for (int i = 7; i >= 0; i--) {
        uint8_t byte = (uint8_t)(mag >> (8 * i));
        if (n || byte) be[n++] = byte;
    }
    return put_scalar(b, x < 0 ? 0x3 : 0x2, be, n);
}

/* ion-c writes every float as 64 bits (the bits as they are: -0.0, NaN payloads), except +0.0,
 * which has no representation bytes. */
static int put_float(Buf *b, double d) {
    uint64_t bits;
    uint8_t be[8];
    memcpy(&bits, &d, 8);
    for (int i = 0; i < 8; i++) be[i] = (uint8_t)(bits >> (56 - 8 * i));
    return put_scalar(b, 0x4, be, bits ? 8 : 0);
}

/* A Decimal from its str(), as amazon.ion reads it (into an ion-c decQuad): exponent VarInt,
 * then the coefficient as a sign-magnitude Int; 0d0 has no bytes, a negative zero keeps its
 * sign byte. Only what a decQuad holds exactly and unchanged: at most 34 digits and exponents
 * in [-6176, 6111] (beyond, ion-c rounds, clamps or switches representation): the rest, and
 * NaN and infinities, go to amazon.ion. */
static int put_decimal(Buf *b, PyObject *v) {
    PyObject *str = PyObject_Str(v);
    if (!str) return -1;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(str, &n);
    if (!s) {
        Py_DECREF(str);
        return -1;
    }
    uint32_t limb[4] = {0, 0, 0, 0}; /* the coefficient, little-endian 32-bit limbs: < 10^34 */
    int neg = 0, digits = 0, any = 0, dot = 0, rc = W_UNSUPPORTED;
    long exp = 0, frac = 0;
    Py_ssize_t i = 0;
    if (i < n && s[i] == '-') neg = 1, i++;
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') break;
        any = 1;
        frac += dot;
        if (!digits && s[i] == '0') continue; /* leading zeros of 0.00x */
        if (++digits > 34) goto done;
        uint64_t carry = (uint64_t)(s[i] - '0');
        for (int k = 0; k < 4; k++) {
            uint64_t t = (uint64_t)limb[k] * 10 + carry;
            limb[k] = (uint32_t)t;
            carry = t >> 32;
        }
    }
    if (!any) goto done; /* NaN, Infinity */
    if (i < n && (s[i] == 'E' || s[i] == 'e')) {
        int eneg = 0, edigits = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (++edigits > 6) goto done; /* far outside the range below */
            exp = exp * 10 + (s[i] - '0');
        }
        if (!edigits) goto done;
        if (eneg) exp = -exp;
    }
    if (i != n) goto done;
    exp -= frac;
    if (exp < -6176 || exp > 6111) goto done;
    uint8_t rep[1 + 3 + 16]; /* exponent VarInt (3 bytes at most here), sign byte, 16 bytes */
    if (!digits && !neg && !exp) {
        rc = put_scalar(b, 0x5, rep, 0);
        goto done;
    }
    size_t len = write_var_int((uint64_t)(exp < 0 ? -exp : exp), exp < 0, rep);
    uint8_t be[16];
    size_t m = 0;
    for (int k = 15; k >= 0; k--) {
        uint8_t byte = (uint8_t)(limb[k / 4] >> (8 * (k % 4)));
        if (m || byte) be[m++] = byte;
    }
    if (m && !(be[0] & 0x80)) {
        be[0] |= neg ? 0x80 : 0;
    } else if (m || neg) {
        rep[len++] = neg ? 0x80 : 0x00; /* sign byte: no room in the top byte, or -0 */
    }
    memcpy(rep + len, be, m);
    rc = put_scalar(b, 0x5, rep, len + m);
done:
    Py_DECREF(str);
    return rc;
}

static int write_any(WriteCtx *w, PyObject *v, PyObject *field, Buf *b, int depth);

/* Struct fields from a dict (names must be str; amazon.ion writes a None name as SID 0 and
 * skips others) or from an IonPyDict's {name: [values]} store: a name's values one after the
 * other, in the store's order, as amazon.ion writes them. */
static int write_fields(WriteCtx *w, PyObject *d, int store, Buf *b, int depth) {
    Py_ssize_t pos = 0;
    PyObject *k, *val;
    while (PyDict_Next(d, &pos, &k, &val)) {
        if (!PyUnicode_CheckExact(k) || (store && !PyList_CheckExact(val))) return W_UNSUPPORTED;
        int rc = 0;
        Py_INCREF(k); /* timestamp_rep runs Python code; keep what is in use alive */
        Py_INCREF(val);
        if (!store) rc = write_any(w, val, k, b, depth + 1);
        for (Py_ssize_t i = 0; store && rc == 0 && i < PyList_GET_SIZE(val); i++) {
            PyObject *x = PyList_GET_ITEM(val, i);
            Py_INCREF(x);
            rc = write_any(w, x, k, b, depth + 1);
            Py_DECREF(x);
        }
        Py_DECREF(val);
        Py_DECREF(k);
        if (rc) return rc;
    }
    return 0;
}

static int write_items(WriteCtx *w, PyObject *list, Buf *b, int depth) {
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        Py_INCREF(item);
        int rc = write_any(w, item, NULL, b, depth + 1);
        Py_DECREF(item);
        if (rc) return rc;
    }
    return 0;
}

/* The text of a symbol value (a new reference; NULL with *sid0 set for SymbolToken(None, 0)),
 * W_UNSUPPORTED for other unknown texts. */
static int symbol_text(PyObject *v, PyObject **text, int *sid0) {
    *text = NULL;
    *sid0 = 0;
    if (PyUnicode_Check(v)) { /* IonPyText of type SYMBOL */
        Py_INCREF(v);
        *text = v;
        return 0;
    }
    PyObject *x = PyObject_GetAttr(v, s_text);
    if (!x) return -1;
    if (PyUnicode_Check(x)) {
        *text = x;
        return 0;
    }
    Py_DECREF(x);
    if (x != Py_None || !(x = PyObject_GetAttr(v, s_sid))) return x ? W_UNSUPPORTED : -1;
    int overflow;
    long long sid = PyLong_Check(x) ? PyLong_AsLongLongAndOverflow(x, &overflow) : -1;
    Py_DECREF(x);
    if (sid == -1 && PyErr_Occurred()) return -1;
    *sid0 = sid == 0; /* symbol zero; another SID without text is left to amazon.ion */
    return *sid0 ? 0 : W_UNSUPPORTED;
}

/* Write `v` (a struct field when `field` is set) as amazon.ion does. The order in which symbols
 * get their SIDs is ion-c's: a container's field name and annotations before its contents; for
 * a scalar, a symbol value's own text first, then the field name, then the annotations. */
static int write_any(WriteCtx *w, PyObject *v, PyObject *field, Buf *b, int depth) {
    if (depth > MAX_DEPTH) return W_UNSUPPORTED; /* amazon.ion writes it or says too deep */
    PyTypeObject *t = Py_TYPE(v);
    PyObject *ann = NULL, *obj = NULL;
    int kind, null_of = IT_NULL, rc = 0;
    size_t wrap = NO_WRAP;
    /* light values and plain values: the class is the type, no annotations */
    if (t == light_types[0] || t == &PyDict_Type) kind = IT_STRUCT;
    else if (t == light_types[4] || t == &PyList_Type) kind = IT_LIST;
    else if (t == light_types[1] || t == &PyUnicode_Type) kind = IT_STRING;
    else if (t == light_types[2] || t == &PyLong_Type) kind = IT_INT;
    else if (t == light_types[3] || t == &PyBytes_Type) kind = IT_BLOB;
    else if (!w->doc) kind = IT_TIMESTAMP; /* write_value: timestamps, nothing else */
    else if (v == Py_None) kind = K_TYPED_NULL;
    else if (t == &PyBool_Type) kind = IT_BOOL;
    else if (t == &PyFloat_Type) kind = IT_FLOAT;
    else if (t == doc_types[D_DEC]) kind = IT_DECIMAL;
    else if (t == doc_types[D_TOKEN]) kind = IT_SYMBOL;
    else {
        int it;
        if ((rc = ionpy_attrs(v, &it, &ann))) return rc;
        if ((kind = ionpy_kind(t, it, &null_of)) < 0) rc = W_UNSUPPORTED;
    }
    if (rc) goto done;
    switch (kind) {
    case IT_STRUCT:
    case IT_LIST:
    case IT_SEXP: {
        int store = kind == IT_STRUCT && t == ionpy_types[0];
        if (store && !(obj = PyObject_GetAttr(v, s_store))) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) goto error;
            PyErr_Clear();
            rc = W_UNSUPPORTED;
            goto done;
        }
        if (store && !PyDict_CheckExact(obj)) {
            rc = W_UNSUPPORTED;
            goto done;
        }
        if ((rc = begin_value(w, b, field, ann, depth, &wrap))) goto done;
        size_t start = b->len;
        rc = kind == IT_STRUCT ? write_fields(w, store ? obj : v, store, b, depth)
                               : write_items(w, v, b, depth);
        if (!rc) rc = close_value(b, start, TYPE_CODE[kind]);
        break;
    }
    case IT_SYMBOL: {
        int sid0;
        uint64_t sid = 0;
        if ((rc = symbol_text(v, &obj, &sid0))) goto done;
        if (obj && (rc = symbol_sid(w, obj, &sid))) goto done;
        /* amazon.ion takes a top-level $ion_1_0 for a version marker and writes nothing */
        if (depth == 0 && sid == 2) {
            rc = W_UNSUPPORTED;
            goto done;
        }
        if ((rc = begin_value(w, b, field, ann, depth, &wrap))) goto done;
        uint8_t be[8];
        size_t n = 0;
        for (int i = 7; i >= 0; i--)
            if (n || (uint8_t)(sid >> (8 * i))) be[n++] = (uint8_t)(sid >> (8 * i));
        rc = put_scalar(b, 0x7, be, n);
        break;
    }
    case IT_TIMESTAMP: /* timestamp_rep: its representation, None for anything else */
        if (!(obj = PyObject_CallOneArg(w->ts_rep, v))) goto error;
        if (!PyBytes_Check(obj)) {
            rc = W_UNSUPPORTED;
            goto done;
        }
        if ((rc = begin_value(w, b, field, ann, depth, &wrap))) goto done;
        rc = put_scalar(b, 0x6, PyBytes_AS_STRING(obj), (size_t)PyBytes_GET_SIZE(obj));
        break;
    default:
        if ((rc = begin_value(w, b, field, ann, depth, &wrap))) goto done;
        if (kind == IT_STRING) {
            Py_ssize_t len;
            const char *s = PyUnicode_AsUTF8AndSize(v, &len); /* UnicodeEncodeError */
            rc = s ? put_scalar(b, 0x8, s, (size_t)len) : -1;
        } else if (kind == IT_INT) {
            rc = put_int(w, b, v);
        } else if (kind == IT_BLOB || kind == IT_CLOB) {
            rc = put_scalar(b, TYPE_CODE[kind], PyBytes_AS_STRING(v),
                            (size_t)PyBytes_GET_SIZE(v));
        } else if (kind == IT_BOOL) {
            /* amazon.ion passes an int of type BOOL to ion-c as a C int: 0 and 1 are written
             * here, other ints (truncated there) are left to it */
            int overflow = 0;
            long long x = t == &PyBool_Type ? v == Py_True
                                            : PyLong_AsLongLongAndOverflow(v, &overflow);
            if (x == -1 && PyErr_Occurred()) goto error;
            uint8_t td = (uint8_t)(0x10 | x);
            rc = !overflow && (x == 0 || x == 1) ? buf_put(b, &td, 1) : W_UNSUPPORTED;
        } else if (kind == IT_FLOAT) {
            rc = put_float(b, PyFloat_AS_DOUBLE(v));
        } else if (kind == IT_DECIMAL) {
            rc = put_decimal(b, v);
        } else { /* K_TYPED_NULL */
            uint8_t null = (uint8_t)(TYPE_CODE[null_of] << 4 | 0xF);
            rc = buf_put(b, &null, 1);
        }
    }
    if (!rc) rc = end_value(b, wrap);
done:
    Py_XDECREF(ann);
    Py_XDECREF(obj);
    return rc;
error:
    rc = -1;
    goto done;
}

static PyObject *write_stream(PyObject *value, PyObject *ts_rep, int doc) {
    if (!light_types[0] || (doc && (!ionpy_types[0] || !doc_types[0]))) {
        PyErr_SetString(PyExc_RuntimeError,
                        "write_value needs set_light_types; write_document set_ionpy_types and "
                        "set_document_types too");
        return NULL;
    }
    if (init_system_tab() < 0) return NULL;
    WriteCtx w;
    w.tab = w.tab0;
    w.cap = SYM_INLINE;
    w.syms = w.syms0;
    w.nsyms = 0;
    w.capsyms = SYM_INLINE / 2;
    w.ts_rep = ts_rep;
    w.doc = doc;
    memset(w.tab0, 0, sizeof w.tab0);
    PyObject *result = NULL;
    uint8_t body_space[1024], table_space[512];
    Buf body = BUF_ON(body_space), table = BUF_ON(table_space);
    int rc = write_any(&w, value, NULL, &body, 0);
    if (rc < 0) goto done;
    if (rc == W_UNSUPPORTED) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    if (w.nsyms) { /* $ion_symbol_table::{symbols: [...]} */
        for (size_t i = 0; i < w.nsyms; i++) {
            Py_ssize_t len;
            const char *s = PyUnicode_AsUTF8AndSize(w.syms[i], &len);
            if (!s || put_scalar(&table, 0x8, s, (size_t)len) < 0) goto done;
        }
        if (close_value(&table, 0, 0xB) < 0) goto done;
        uint8_t symbols_field = 0x87; /* SID 7: symbols */
        if (buf_reserve(&table, 1) < 0) goto done;
        memmove(table.p + 1, table.p, table.len);
        table.p[0] = symbols_field;
        table.len++;
        if (close_value(&table, 0, 0xD) < 0) goto done;
        uint8_t annot[2] = {0x81, 0x83}; /* one annotation byte: SID 3, $ion_symbol_table */
        if (buf_reserve(&table, 2) < 0) goto done;
        memmove(table.p + 2, table.p, table.len);
        memcpy(table.p, annot, 2);
        table.len += 2;
        if (close_value(&table, 0, 0xE) < 0) goto done;
    }
    /* version marker, symbol table, value */
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(4 + table.len + body.len));
    if (!result) goto done;
    char *dst = PyBytes_AS_STRING(result);
    memcpy(dst, IVM, 4);
    if (table.len) memcpy(dst + 4, table.p, table.len);
    if (body.len) memcpy(dst + 4 + table.len, body.p, body.len);
done:
    for (size_t i = 0; i < w.nsyms; i++) Py_DECREF(w.syms[i]);
    if (w.tab != w.tab0) PyMem_Free(w.tab);
    if (w.syms != w.syms0) PyMem_Free(w.syms);
    buf_free(&body);
    buf_free(&table);
    return result;
}

PyDoc_STRVAR(write_value_doc,
             "write_value(value, timestamp_rep, /)\n--\n\n"
             "Ion binary (version marker, local symbol table, value) of a light value, or\n"
             "None when it holds something this writer leaves to amazon.ion. timestamp_rep(v)\n"
             "returns a timestamp's binary representation, or None for anything else.");

static PyObject *write_value(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *value, *ts_rep;
    if (!PyArg_ParseTuple(args, "OO:write_value", &value, &ts_rep)) return NULL;
    return write_stream(value, ts_rep, 0);
}

PyDoc_STRVAR(write_document_doc,
             "write_document(value, timestamp_rep, /)\n--\n\n"
             "What write_value writes, for amazon.ion's IonPy values too (every type, typed\n"
             "nulls, annotations, repeated field names) and plain None, bool, float, Decimal\n"
             "and SymbolToken: the bytes amazon.ion writes, or None where this writer cannot\n"
             "be sure of them. timestamp_rep(v) must ignore annotations (written here).");

static PyObject *write_document(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *value, *ts_rep;
    if (!PyArg_ParseTuple(args, "OO:write_document", &value, &ts_rep)) return NULL;
    return write_stream(value, ts_rep, 1);
}

PyDoc_STRVAR(set_document_types_doc,
             "set_document_types(null, bool, float, decimal, timestamp, symbol, symbol_token,\n"
             "                   Decimal, types, /)\n--\n\n"
             "amazon.ion's IonPyNull, IonPyBool, IonPyFloat, IonPyDecimal, IonPyTimestamp,\n"
             "IonPySymbol, SymbolToken, decimal.Decimal and a dict of every IonType member by\n"
             "name, for write_document (which needs set_ionpy_types too).");

static PyObject *set_document_types(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *types[N_DOC_TYPES], *members;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!O!O!O!:set_document_types", &PyType_Type,
                          &types[0], &PyType_Type, &types[1], &PyType_Type, &types[2],
                          &PyType_Type, &types[3], &PyType_Type, &types[4], &PyType_Type,
                          &types[5], &PyType_Type, &types[6], &PyType_Type, &types[7],
                          &PyDict_Type, &members))
        return NULL;
    /* the C accessors used on them: PyLong, PyFloat_AS_DOUBLE */
    if (!PyType_IsSubtype((PyTypeObject *)types[D_BOOL], &PyLong_Type) ||
        !PyType_IsSubtype((PyTypeObject *)types[D_FLOAT], &PyFloat_Type)) {
        PyErr_SetString(PyExc_TypeError, "IonPyBool must extend int, IonPyFloat float");
        return NULL;
    }
    static const char *names[N_ION_TYPES] = {"NULL", "BOOL", "INT", "FLOAT", "DECIMAL",
                                             "TIMESTAMP", "SYMBOL", "STRING", "CLOB", "BLOB",
                                             "LIST", "SEXP", "STRUCT"};
    for (int i = 0; i < N_ION_TYPES; i++) {
        PyObject *m = PyDict_GetItemString(members, names[i]);
        if (!m) {
            PyErr_Format(PyExc_KeyError, "missing IonType %s", names[i]);
            return NULL;
        }
        Py_INCREF(m);
        Py_XSETREF(ion_types[i], m);
    }
    if (!s_text && !(s_text = PyUnicode_InternFromString("text"))) return NULL;
    if (!s_sid && !(s_sid = PyUnicode_InternFromString("sid"))) return NULL;
    for (int i = 0; i < N_DOC_TYPES; i++) {
        Py_INCREF(types[i]);
        Py_XSETREF(doc_types[i], (PyTypeObject *)types[i]);
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Chain-only verification's walk (verify.py): the checks a healthy block passes, the running */
/* Merkle frontier, in C. Any block it cannot vouch for is handed back to the Python loop,   */
/* which checks it and writes the report, so reports are the same with and without this.     */

PyDoc_STRVAR(chain_walk_doc,
             "chain_walk(rows, expected_seq, prev_hash, nodes, count, stops, max_rows, /)\n--\n\n"
             "Consume rows (seq, blockHash, entriesHash, previousBlockHash, ...) from the\n"
             "iterator `rows` while each is the block expected next (`expected_seq`, not in\n"
             "`stops`), all three hashes are 32-byte bytes, previousBlockHash equals the\n"
             "previous blockHash and blockHash = dot(entriesHash, previousBlockHash); push each\n"
             "blockHash onto the Merkle frontier `nodes` (a list of (level, hash), updated in\n"
             "place) holding `count` leaves. Stops at `max_rows` blocks, at the end, or at a\n"
             "row it does not vouch for (returned unprocessed; also when prev_hash is None).\n"
             "Returns (row or None, blocks consumed, expected_seq, prev_hash, count, ended).");

#define FRONTIER_MAX 65

static int hash32(PyObject *v, const uint8_t **out) {
    if (!PyBytes_CheckExact(v) || PyBytes_GET_SIZE(v) != 32) return 0;
    *out = (const uint8_t *)PyBytes_AS_STRING(v);
    return 1;
}

static PyObject *chain_walk(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 7 || !PyList_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "chain_walk(rows, expected_seq, prev_hash, nodes: list, count, stops, "
                        "max_rows)");
        return NULL;
    }
    PyObject *rows = args[0], *prev = args[2], *nodes = args[3], *stops = args[5];
    long long expected = PyLong_AsLongLong(args[1]);
    unsigned long long count = PyLong_AsUnsignedLongLong(args[4]);
    Py_ssize_t max_rows = PyLong_AsSsize_t(args[6]);
    if (PyErr_Occurred()) return NULL;
    if (stops != Py_None && !PyAnySet_Check(stops)) {
        PyErr_SetString(PyExc_TypeError, "stops must be a set or None");
        return NULL;
    }
    /* the frontier, as verify._Frontier keeps it: perfect subtrees, largest first */
    Py_ssize_t n = PyList_GET_SIZE(nodes);
    if (n >= FRONTIER_MAX) {
        PyErr_SetString(PyExc_ValueError, "frontier too large");
        return NULL;
    }
    long levels[FRONTIER_MAX];
    uint8_t hashes[FRONTIER_MAX][32];
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *node = PyList_GET_ITEM(nodes, i);
        const uint8_t *h;
        if (!PyTuple_Check(node) || PyTuple_GET_SIZE(node) != 2 ||
            !hash32(PyTuple_GET_ITEM(node, 1), &h)) {
            PyErr_SetString(PyExc_TypeError, "frontier nodes are (level, 32-byte hash)");
            return NULL;
        }
        levels[i] = PyLong_AsLong(PyTuple_GET_ITEM(node, 0));
        if (levels[i] == -1 && PyErr_Occurred()) return NULL;
        memcpy(hashes[i], h, 32);
    }
    const Py_ssize_t n_before = n;
    Py_ssize_t same = n; /* nodes[:same] are unchanged */
    const uint8_t *prev_h = NULL;
    if (prev != Py_None && !hash32(prev, &prev_h)) prev_h = NULL;
    Py_INCREF(prev);
    PyObject *handed = NULL; /* a row for the Python loop */
    Py_ssize_t consumed = 0;
    int ended = 0;
    while (consumed < max_rows) {
        PyObject *row = PyIter_Next(rows);
        if (row == NULL) {
            if (PyErr_Occurred()) goto fail;
            ended = 1;
            break;
        }
        const uint8_t *bh, *eh, *ph;
        long long seq = -1;
        int ok = prev_h != NULL && PyTuple_Check(row) && PyTuple_GET_SIZE(row) >= 4 &&
                 PyLong_CheckExact(PyTuple_GET_ITEM(row, 0)) &&
                 hash32(PyTuple_GET_ITEM(row, 1), &bh) && hash32(PyTuple_GET_ITEM(row, 2), &eh) &&
                 hash32(PyTuple_GET_ITEM(row, 3), &ph);
        if (ok) {
            seq = PyLong_AsLongLong(PyTuple_GET_ITEM(row, 0));
            if (seq == -1 && PyErr_Occurred()) PyErr_Clear(); /* out of range: Python's */
            ok = seq == expected && memcmp(ph, prev_h, 32) == 0;
        }
        if (ok && stops != Py_None) {
            int hit = PySet_Contains(stops, PyTuple_GET_ITEM(row, 0));
            if (hit < 0) {
                Py_DECREF(row);
                goto fail;
            }
            ok = !hit;
        }
        if (ok) {
            uint8_t computed[32];
            dot_into(eh, ph, computed);
            ok = memcmp(computed, bh, 32) == 0;
        }
        if (!ok) {
            handed = row;
            break;
        }
        /* push the leaf: each trailing 1 bit of the leaf count is a subtree to join */
        uint8_t cur[32];
        memcpy(cur, bh, 32);
        long level = 0;
        for (unsigned long long c = count; c & 1; c >>= 1) {
            dot_into(hashes[n - 1], cur, cur);
            n--;
            level++;
        }
        if (n < same) same = n;
        memcpy(hashes[n], cur, 32);
        levels[n] = level;
        n++;
        count++;
        expected++;
        Py_SETREF(prev, Py_NewRef(PyTuple_GET_ITEM(row, 1)));
        prev_h = bh; /* held by `prev` */
        Py_DECREF(row);
        consumed++;
    }
    /* write the frontier back: keep the unchanged prefix, rebuild the rest */
    if (same < n_before || n != n_before) {
        if (PyList_SetSlice(nodes, same, PyList_GET_SIZE(nodes), NULL) < 0) goto fail;
        for (Py_ssize_t i = same; i < n; i++) {
            PyObject *node = Py_BuildValue("(ly#)", levels[i], (const char *)hashes[i],
                                           (Py_ssize_t)32);
            if (node == NULL) goto fail;
            int rc = PyList_Append(nodes, node);
            Py_DECREF(node);
            if (rc < 0) goto fail;
        }
    }
    PyObject *result = Py_BuildValue("(OnLOKO)", handed ? handed : Py_None, consumed, expected,
                                     prev, count, ended ? Py_True : Py_False);
    Py_XDECREF(handed);
    Py_DECREF(prev);
    return result;
fail:
    Py_XDECREF(handed);
    Py_DECREF(prev);
    return NULL;
}

static PyMethodDef methods[] = {
    {"hash_binary", hash_binary, METH_O, hash_binary_doc},
    {"binary_readable", binary_readable, METH_VARARGS, binary_readable_doc},
    {"sha256", sha256, METH_VARARGS, sha256_doc},
    {"hash_value", hash_value, METH_O, hash_value_doc},
    {"set_light_types", set_light_types, METH_VARARGS, set_light_types_doc},
    {"dot", (PyCFunction)(void (*)(void))dot, METH_FASTCALL, dot_doc},
    {"metadata_hash", (PyCFunction)(void (*)(void))metadata_hash, METH_FASTCALL | METH_KEYWORDS,
     metadata_hash_doc},
    {"block_field_hashes", (PyCFunction)(void (*)(void))block_field_hashes,
     METH_FASTCALL | METH_KEYWORDS, block_field_hashes_doc},
    {"merkle_root", (PyCFunction)(void (*)(void))merkle_root, METH_FASTCALL | METH_KEYWORDS,
     merkle_root_doc},
    {"set_fallbacks", (PyCFunction)(void (*)(void))set_fallbacks, METH_VARARGS | METH_KEYWORDS,
     set_fallbacks_doc},
    {"write_value", write_value, METH_VARARGS, write_value_doc},
    {"set_ionpy_types", set_ionpy_types, METH_VARARGS, set_ionpy_types_doc},
    {"write_document", write_document, METH_VARARGS, write_document_doc},
    {"set_document_types", set_document_types, METH_VARARGS, set_document_types_doc},
    {"block_facts", block_facts, METH_O, block_facts_doc},
    {"chain_walk", (PyCFunction)(void (*)(void))chain_walk, METH_FASTCALL, chain_walk_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_ionhash_c",
    "Ion Hash (SHA-256) straight from Ion binary, in C (see ion_binary_hash.py).", -1, methods,
    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__ionhash_c(void) {
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    const char *impl = "portable";
#ifdef HAVE_X86_SHA
    if (cpu_has_sha()) {
        compress = compress_shani;
        impl = "x86-sha";
    }
#endif
    if (PyModule_AddStringConstant(m, "SHA256_IMPL", impl) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
