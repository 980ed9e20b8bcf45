/* harness-abi -- ABI manifests of the object header: extract them from the
 * probe objects, compare them with the committed baselines and check the
 * invariants between targets, compilers and versions (docs/abi-audit.md).
 *
 *   harness-abi extract --configuration NAME --abi KEY --quadrant Q [--built-elsewhere WHERE]
 *                       PROBES.TXT OUT.json
 *   harness-abi audit [--invariants FILE] [--report FILE.md] BASELINE_DIR RUN_DIR
 *   harness-abi compare OLD.json NEW.json
 *
 * Exit status is abidiff's bit field: 0 nothing changed, 1 error, 2 usage
 * error, 4 a change, 8 an incompatible change (always with 4).
 * A host program: it reads objects of any target as bytes, and JSON with
 * jansson. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <jansson.h>

enum {
    ABI_OK = 0,
    ABI_ERROR = 1,
    ABI_USAGE = 2,
    ABI_CHANGE = 4,
    ABI_INCOMPATIBLE = 8,
};

#define SCHEMA "harness-abi-manifest/1"

static const char *usage_text =
    "usage: harness-abi extract --configuration NAME --abi KEY --quadrant Q [--built-elsewhere WHERE] PROBES.TXT OUT.json\n"
    "       harness-abi audit [--invariants FILE] [--report FILE.md] BASELINE_DIR RUN_DIR\n"
    "       harness-abi compare OLD.json NEW.json\n";

static int usage(const char *why)
{
    fprintf(stderr, "harness-abi: %s\n%s", why, usage_text);
    return ABI_USAGE;
}

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("harness-abi: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return ABI_ERROR;
}

/* ---- extract ------------------------------------------------------------- */

/* The probe's record: (key[48], value[17]) entries, abi/probe/probe.c. */
enum { KEY_BYTES = 48, VALUE_BYTES = 17, ENTRY_BYTES = KEY_BYTES + VALUE_BYTES, TAG_BYTES = 16 };

typedef struct blob { unsigned char *data; size_t size; } blob;

static bool read_file(const char *path, blob *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    out->data = NULL;
    out->size = 0;
    size_t cap = 0;
    for (;;) {
        if (out->size == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            unsigned char *grown = realloc(out->data, cap);
            if (!grown) {
                fclose(f);
                return false;
            }
            out->data = grown;
        }
        size_t n = fread(out->data + out->size, 1, cap - out->size, f);
        out->size += n;
        if (n == 0)
            break;
    }
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

/* The one place where NEEDLE (n bytes) occurs; NULL if none, and *count
 * says how many there are. */
static const unsigned char *find_unique(const blob *b, const void *needle, size_t n, int *count)
{
    const unsigned char *found = NULL;
    *count = 0;
    for (size_t i = 0; i + n <= b->size; i++) {
        if (b->data[i] == *(const unsigned char *)needle && !memcmp(b->data + i, needle, n)) {
            if (!found)
                found = b->data + i;
            ++*count;
        }
    }
    return found;
}

/* Sets KEY ("a.b.c") in OBJECT, making the intermediate objects. */
static void set_path(json_t *object, const char *key, json_t *value)
{
    char path[KEY_BYTES + 1];
    snprintf(path, sizeof path, "%s", key);
    char *part = path, *dot;
    while ((dot = strchr(part, '.'))) {
        *dot = 0;
        json_t *child = json_object_get(object, part);
        if (!json_is_object(child)) {
            child = json_object();
            json_object_set_new(object, part, child);
        }
        object = child;
        part = dot + 1;
    }
    json_object_set_new(object, part, value);
}

static char *hex_bytes(const unsigned char *p, size_t n)
{
    char *s = malloc(3 * n + 1);
    if (!s)
        return NULL;
    s[0] = 0;
    for (size_t i = 0, at = 0; i < n; i++)
        at += (size_t)sprintf(s + at, "%s%02x", i ? " " : "", p[i]);
    return s;
}

static int read_image(const blob *b, const char *object, const char *tag, size_t size, bool required,
                      json_t *impl, const char *name)
{
    char padded[TAG_BYTES] = { 0 };
    memcpy(padded, tag, strlen(tag));
    int count;
    const unsigned char *at = find_unique(b, padded, TAG_BYTES, &count);
    if (count == 0 && !required)
        return ABI_OK;
    if (count != 1)
        return fail("%s: %d copies of the image tag '%s' (want one)", object, count, tag);
    if ((size_t)(at - b->data) + TAG_BYTES + size > b->size)
        return fail("%s: the image after '%s' runs past the end of the file", object, tag);
    char *hex = hex_bytes(at + TAG_BYTES, size);
    if (!hex)
        return fail("out of memory");
    json_object_set_new(impl, name, json_string(hex));
    free(hex);
    return ABI_OK;
}

/* One probe object's record and images, as an implementation's manifest. */
static int extract_object(const char *object, json_t *impl)
{
    blob b;
    if (!read_file(object, &b))
        return fail("cannot read the probe object %s: %s", object, strerror(errno));
    char begin[KEY_BYTES] = "HARNESS-ABI-PROBE-BEGIN";
    int count;
    const unsigned char *at = find_unique(&b, begin, KEY_BYTES, &count);
    int rc = ABI_OK;
    int lto;
    find_unique(&b, ".gnu.lto_", 9, &lto);
    if (count != 1) {
        rc = fail("%s: %d probe records (want one): %s", object, count,
                  lto ? "an LTO object (-flto), which holds intermediate code, not the record's bytes"
                      : "not a probe object, or built by a compiler that does not keep the record");
        goto out;
    }
    bool ended = false;
    for (int i = 1; i < 256 && !ended; i++) {
        const unsigned char *e = at + (size_t)i * ENTRY_BYTES;
        if ((size_t)(e - b.data) + ENTRY_BYTES > b.size) {
            rc = fail("%s: the probe record runs past the end of the file", object);
            goto out;
        }
        char key[KEY_BYTES + 1] = { 0 }, value[VALUE_BYTES] = { 0 };
        memcpy(key, e, KEY_BYTES);
        memcpy(value, e + KEY_BYTES, VALUE_BYTES);
        bool sane = key[0] && memchr(e, 0, KEY_BYTES) && value[16] == 0 && strspn(value, "0123456789abcdef") == 16;
        for (const char *k = key; sane && *k; k++)
            sane = (*k >= '0' && *k <= '9') || (*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
                   *k == '_' || *k == '.' || *k == '-';
        if (!sane) {
            rc = fail("%s: entry %d of the probe record is malformed", object, i);
            goto out;
        }
        if (!strcmp(key, "HARNESS-ABI-PROBE-END")) {
            ended = true;
            break;
        }
        unsigned long long v = strtoull(value, NULL, 16);
        if (!strcmp(key, "free_threaded"))
            set_path(impl, key, json_boolean(v));
        else
            set_path(impl, key, json_integer((json_int_t)v));
    }
    if (!ended) {
        rc = fail("%s: the probe record has no end", object);
        goto out;
    }
    /* 3.15's PySlot with sl_ptr 1 (abi/probe/probe.c), where there is one. */
    json_int_t slot = json_integer_value(json_object_get(json_object_get(impl, "PySlot"), "size"));
    if (slot < 0 || slot > 64) {
        rc = fail("%s: PySlot.size %lld is not plausible", object, (long long)slot);
        goto out;
    }
    if (slot > 0 && (rc = read_image(&b, object, "HARNESS-PYSLOT:", (size_t)slot, true, impl, "pyslot_image")))
        goto out;
    /* Under abi3t PyObject is opaque: no size, no images. */
    if (json_object_get(json_object_get(impl, "PyObject"), "opaque"))
        goto out;
    json_int_t size = json_integer_value(json_object_get(json_object_get(impl, "PyObject"), "size"));
    if (size <= 0 || size > 64) {
        rc = fail("%s: PyObject.size %lld is not plausible", object, (long long)size);
        goto out;
    }
    rc = read_image(&b, object, "HARNESS-STATIC:", (size_t)size, true, impl, "static_image");
    if (rc == ABI_OK)
        rc = read_image(&b, object, "HARNESS-RUNTIME", (size_t)size, false, impl, "runtime_image");
out:
    free(b.data);
    return rc;
}

static int cmd_extract(int argc, char **argv)
{
    const char *configuration = NULL, *abi = NULL, *quadrant = NULL, *probes = NULL, *out = NULL;
    const char *elsewhere = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--configuration") && i + 1 < argc)
            configuration = argv[++i];
        else if (!strcmp(argv[i], "--built-elsewhere") && i + 1 < argc)
            elsewhere = argv[++i];
        else if (!strcmp(argv[i], "--abi") && i + 1 < argc)
            abi = argv[++i];
        else if (!strcmp(argv[i], "--quadrant") && i + 1 < argc)
            quadrant = argv[++i];
        else if (argv[i][0] == '-')
            return usage("extract: unknown option or missing value");
        else if (!probes)
            probes = argv[i];
        else if (!out)
            out = argv[i];
        else
            return usage("extract: too many arguments");
    }
    if (!configuration || !abi || !quadrant || !probes || !out)
        return usage("extract needs --configuration, --abi, --quadrant, PROBES.TXT and OUT.json");
    FILE *f = fopen(probes, "r");
    if (!f)
        return fail("cannot read %s: %s (is the configuration built?)", probes, strerror(errno));
    json_t *manifest = json_object(), *impls = json_object();
    json_object_set_new(manifest, "schema", json_string(SCHEMA));
    json_object_set_new(manifest, "configuration", json_string(configuration));
    json_object_set_new(manifest, "abi", json_string(abi));
    json_object_set_new(manifest, "quadrant", json_string(quadrant));
    if (elsewhere) /* where it was built, and so where its baseline would come from */
        json_object_set_new(manifest, "built_elsewhere", json_string(elsewhere));
    char line[4096];
    int rc = ABI_OK, probed = 0;
    while (rc == ABI_OK && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0])
            continue;
        if (line[0] == '#') {
            char *eq = strchr(line, '=');
            if (eq) {
                *eq = 0;
                json_object_set_new(manifest, line + 1, json_string(eq + 1));
            }
            continue;
        }
        char *field[5] = { 0 }, *p = line;
        for (int k = 0; k < 5; k++) {
            field[k] = p;
            p = strchr(p, '|');
            if (!p) {
                if (k != 4)
                    rc = fail("%s: malformed line (want name|kind|object|library|skip reason)", probes);
                break;
            }
            *p++ = 0;
        }
        if (rc != ABI_OK)
            break;
        json_t *impl = json_object();
        json_object_set_new(impl, "source", json_string(field[1]));
        if (field[4][0])
            json_object_set_new(impl, "skipped", json_string(field[4]));
        else {
            rc = extract_object(field[2], impl);
            probed++;
        }
        json_object_set_new(impls, field[0], impl);
    }
    fclose(f);
    if (rc == ABI_OK && probed == 0)
        rc = fail("%s lists no probe", probes);
    json_object_set_new(manifest, "implementations", impls);
    if (rc == ABI_OK && json_dump_file(manifest, out, JSON_INDENT(1)) != 0)
        rc = fail("cannot write %s", out);
    json_decref(manifest);
    return rc;
}

/* ---- flattened manifests ---------------------------------------------------- */

/* An implementation's manifest as sorted "path = value" pairs, with the
 * header images also decoded field by field ("static.ob_refcnt"), so that
 * byte images can be compared across byte orders and word sizes. */
typedef struct pair { char *key; char *value; } pair;
typedef struct flat { pair *p; size_t n, cap; } flat;

static void flat_add(flat *f, const char *key, const char *value)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->p = realloc(f->p, f->cap * sizeof *f->p);
        if (!f->p) {
            fputs("harness-abi: out of memory\n", stderr);
            exit(ABI_ERROR);
        }
    }
    f->p[f->n].key = strdup(key);
    f->p[f->n].value = strdup(value);
    f->n++;
}

static void flat_free(flat *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->p[i].key);
        free(f->p[i].value);
    }
    free(f->p);
    f->p = NULL;
    f->n = f->cap = 0;
}

static const char *flat_get(const flat *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->p[i].key, key))
            return f->p[i].value;
    return NULL;
}

static int pair_cmp(const void *a, const void *b) { return strcmp(((const pair *)a)->key, ((const pair *)b)->key); }

static void flatten_into(flat *f, const char *prefix, json_t *v)
{
    char key[256], value[64];
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child) {
            snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
            flatten_into(f, key, child);
        }
        return;
    }
    if (json_is_integer(v))
        snprintf(value, sizeof value, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(value, sizeof value, "%s", json_is_true(v) ? "true" : "false");
    if (json_is_string(v))
        flat_add(f, prefix, json_string_value(v));
    else
        flat_add(f, prefix, value);
}

/* An image's fields, as the structure TYPE of the manifest lays them out,
 * read in the target's byte order: "PREFIX.<field>" = value. */
static void decode_image(flat *f, json_t *impl, const char *image, const char *type, const char *prefix)
{
    const char *hex = json_string_value(json_object_get(impl, image));
    json_t *fields = json_object_get(json_object_get(impl, type), "fields");
    if (!hex || !fields)
        return;
    unsigned char bytes[64];
    size_t n = 0;
    for (const char *p = hex; *p && n < sizeof bytes; p += p[2] ? 3 : 2)
        bytes[n++] = (unsigned char)strtoul((char[3]){ p[0], p[1], 0 }, NULL, 16);
    bool big = json_integer_value(json_object_get(json_object_get(impl, "data_model"), "compiler_big_endian"));
    const char *name;
    json_t *field;
    json_object_foreach(fields, name, field) {
        json_int_t off = json_integer_value(json_object_get(field, "offset"));
        json_int_t size = json_integer_value(json_object_get(field, "size"));
        if (size < 1 || size > 8 || off < 0 || (size_t)(off + size) > n)
            continue;
        uint64_t v = 0;
        for (json_int_t i = 0; i < size; i++)
            v |= (uint64_t)bytes[off + (big ? size - 1 - i : i)] << (8 * i);
        char key[128], value[32];
        snprintf(key, sizeof key, "%s.%s", prefix, name);
        snprintf(value, sizeof value, "%llu", (unsigned long long)v);
        flat_add(f, key, value);
    }
}

static flat flatten(json_t *impl)
{
    flat f = { 0 };
    flatten_into(&f, "", impl);
    decode_image(&f, impl, "static_image", "PyObject", "static");
    decode_image(&f, impl, "runtime_image", "PyObject", "runtime");
    decode_image(&f, impl, "pyslot_image", "PySlot", "pyslot");
    qsort(f.p, f.n, sizeof *f.p, pair_cmp);
    return f;
}

/* Layout, images and constant values: what compiled extensions rely on.
 * A change there is incompatible; an addition is only a change. */
static bool is_binding(const char *key)
{
    return strcmp(key, "source") != 0;
}

/* ---- reporting ------------------------------------------------------------------ */

typedef struct audit {
    int status;
    FILE *report; /* markdown, or NULL */
    int lines, invariant_failures, checks;
    int same_abi, stable_abi, module_structs, byte_order, word_size, model_vs_real; /* comparisons per invariant */
    char unreferenced[1024]; /* configurations (c)/(d) could not check */
} audit;

static void note(audit *a, int bits, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    a->status |= bits;
    a->lines += bits != 0;
    printf("%s\n", line);
    if (a->report)
        fprintf(a->report, "- %s\n", line);
}

/* Differences between two flattened manifests; SKIP_KEY ignores keys. */
typedef bool skip_fn(const char *key);

static int diff_flat(audit *a, const char *what, const flat *old, const flat *new, skip_fn *skip)
{
    int diffs = 0;
    size_t i = 0, j = 0;
    while (i < old->n || j < new->n) {
        int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->p[i].key, new->p[j].key);
        if (c < 0) {
            if (!skip || !skip(old->p[i].key)) {
                note(a, ABI_CHANGE | (is_binding(old->p[i].key) ? ABI_INCOMPATIBLE : 0), "%s: %s: %s -> (removed)%s",
                     what, old->p[i].key, old->p[i].value, is_binding(old->p[i].key) ? " [incompatible]" : "");
                diffs++;
            }
            i++;
        } else if (c > 0) {
            if (!skip || !skip(new->p[j].key)) {
                note(a, ABI_CHANGE, "%s: %s: (absent) -> %s", what, new->p[j].key, new->p[j].value);
                diffs++;
            }
            j++;
        } else {
            if (strcmp(old->p[i].value, new->p[j].value) && (!skip || !skip(old->p[i].key))) {
                note(a, ABI_CHANGE | (is_binding(old->p[i].key) ? ABI_INCOMPATIBLE : 0), "%s: %s: %s -> %s%s", what,
                     old->p[i].key, old->p[i].value, new->p[j].value, is_binding(old->p[i].key) ? " [incompatible]" : "");
                diffs++;
            }
            i++;
            j++;
        }
    }
    return diffs;
}

static json_t *load_manifest(const char *path, int *rc)
{
    json_error_t error;
    json_t *m = json_load_file(path, 0, &error);
    if (!m) {
        *rc = fail("%s: not JSON: %s (line %d, column %d)", path, error.text, error.line, error.column);
        return NULL;
    }
    const char *schema = json_string_value(json_object_get(m, "schema"));
    if (!schema || strcmp(schema, SCHEMA) || !json_is_object(json_object_get(m, "implementations")) ||
        !json_is_string(json_object_get(m, "configuration"))) {
        *rc = fail("%s: not a harness ABI manifest (want schema \"%s\", a configuration and implementations)", path,
                   SCHEMA);
        json_decref(m);
        return NULL;
    }
    const char *name;
    json_t *impl;
    json_object_foreach(json_object_get(m, "implementations"), name, impl) {
        if (json_object_get(impl, "skipped"))
            continue;
        json_t *object = json_object_get(impl, "PyObject");
        if (json_is_integer(json_object_get(object, "opaque")))
            continue; /* abi3t: an opaque PyObject (abi/probe/probe.c) */
        if (!json_is_integer(json_object_get(object, "size")) ||
            !json_is_object(json_object_get(object, "fields")) || !json_is_string(json_object_get(impl, "static_image"))) {
            *rc = fail("%s: implementation %s has no PyObject size, fields or static image", path, name);
            json_decref(m);
            return NULL;
        }
    }
    return m;
}

/* Two manifests of one configuration, implementation by implementation. */
static void compare_manifests(audit *a, json_t *old, json_t *new)
{
    const char *config = json_string_value(json_object_get(new, "configuration"));
    json_t *old_impls = json_object_get(old, "implementations"), *new_impls = json_object_get(new, "implementations");
    const char *name;
    json_t *o;
    json_object_foreach(old_impls, name, o) {
        json_t *n = json_object_get(new_impls, name);
        char what[256];
        snprintf(what, sizeof what, "%s %s", config, name);
        a->checks++;
        if (!n) {
            note(a, ABI_CHANGE, "%s: in the baseline, not in this run", what);
            continue;
        }
        const char *os = json_string_value(json_object_get(o, "skipped")), *ns = json_string_value(json_object_get(n, "skipped"));
        if (os || ns) {
            if (!os != !ns)
                note(a, ABI_CHANGE, "%s: %s", what, ns ? "skipped in this run, measured in the baseline"
                                                        : "measured in this run, skipped in the baseline");
            continue;
        }
        flat fo = flatten(o), fn = flatten(n);
        diff_flat(a, what, &fo, &fn, NULL);
        flat_free(&fo);
        flat_free(&fn);
    }
    json_object_foreach(new_impls, name, o) {
        if (json_object_get(old_impls, name))
            continue;
        /* Headers of your own (-DHARNESS_CPYTHON_INCLUDE) and an install
         * found on this machine (real-3.12) have no baseline: the invariants
         * judge them, (e) against the model's version. */
        const char *source = json_string_value(json_object_get(o, "source"));
        if (source && !strcmp(source, "user"))
            note(a, 0, "%s %s: your own headers, checked by the invariants, not against a baseline", config, name);
        else if (source && !strcmp(source, "local"))
            note(a, 0, "%s %s: headers installed on this machine, checked by the invariants, not against a baseline",
                 config, name);
        else
            note(a, ABI_CHANGE, "%s %s: new implementation, not in the baseline", config, name);
    }
}

/* ---- invariants ------------------------------------------------------------------ */

static bool skip_identity(const char *key) { return !strcmp(key, "source"); }

/* Raw images differ with byte order and word size; their decoded fields
 * ("static.*", "runtime.*") are compared instead. */
static bool skip_raw(const char *key)
{
    return !strcmp(key, "source") || !strcmp(key, "static_image") || !strcmp(key, "runtime_image") ||
           !strcmp(key, "pyslot_image");
}

/* The version an implementation's manifest is of: "3.14", "3.14t". */
static void version_of(json_t *impl, char *out, size_t n)
{
    json_t *python = json_object_get(impl, "python");
    snprintf(out, n, "%d.%d%s", (int)json_integer_value(json_object_get(python, "major")),
             (int)json_integer_value(json_object_get(python, "minor")),
             json_is_true(json_object_get(impl, "free_threaded")) ? "t" : "");
}

/* Differences an invariant allows, from abi/invariants.json: for each
 * version, "key": [value on the first side, value on the second] (null: the
 * key is absent on that side). */
static bool allowed(json_t *table, const char *version, const char *key, const char *left, const char *right)
{
    json_t *sets[2] = { json_object_get(table, version), json_object_get(table, "*") };
    for (int s = 0; s < 2; s++) {
        json_t *pairs = json_object_get(sets[s], key);
        if (!json_is_array(pairs) || json_array_size(pairs) != 2)
            continue;
        const char *want[2] = { left, right };
        bool ok = true;
        for (int k = 0; k < 2; k++) {
            json_t *w = json_array_get(pairs, (size_t)k);
            char buf[32];
            if (json_is_null(w))
                ok = ok && want[k] == NULL;
            else if (json_is_integer(w)) {
                snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(w));
                ok = ok && want[k] && !strcmp(want[k], buf);
            } else if (json_is_string(w))
                ok = ok && want[k] && !strcmp(want[k], json_string_value(w));
            else
                ok = false;
        }
        if (ok)
            return true;
    }
    return false;
}

/* Compares LEFT and RIGHT, implementation by implementation; every
 * difference must be one TABLE (and QUIRKS, for RIGHT's ABI) allows. */
static void check_pair(audit *a, const char *invariant, json_t *left, json_t *right, bool across, json_t *table,
                       json_t *quirks)
{
    const char *lc = json_string_value(json_object_get(left, "configuration"));
    const char *rc = json_string_value(json_object_get(right, "configuration"));
    json_t *rimpls = json_object_get(right, "implementations");
    const char *name;
    json_t *li;
    json_object_foreach(json_object_get(left, "implementations"), name, li) {
        json_t *ri = json_object_get(rimpls, name);
        if (!ri || json_object_get(li, "skipped") || json_object_get(ri, "skipped"))
            continue;
        char version[16];
        version_of(li, version, sizeof version);
        flat fl = flatten(li), fr = flatten(ri);
        a->checks++;
        if (!strcmp(invariant, "same-abi"))
            a->same_abi++;
        else if (!strcmp(invariant, "byte-order"))
            a->byte_order++;
        else
            a->word_size++;
        size_t i = 0, j = 0;
        while (i < fl.n || j < fr.n) {
            int c = i == fl.n ? 1 : j == fr.n ? -1 : strcmp(fl.p[i].key, fr.p[j].key);
            const char *key = c <= 0 ? fl.p[i].key : fr.p[j].key;
            const char *lv = c <= 0 ? fl.p[i].value : NULL, *rv = c >= 0 ? fr.p[j].value : NULL;
            if (c <= 0)
                i++;
            if (c >= 0)
                j++;
            /* Across byte orders and word sizes the decoded images are compared. */
            if ((across && skip_raw(key)) || skip_identity(key) || (lv && rv && !strcmp(lv, rv)))
                continue;
            if (across && (allowed(table, version, key, lv, rv) || allowed(quirks, version, key, lv, rv)))
                continue;
            /* Between compilers of one ABI a difference is a divergence the
             * table names (either way round), and shown even so. */
            if (!across && (allowed(quirks, version, key, lv, rv) || allowed(quirks, version, key, rv, lv))) {
                note(a, 0, "known divergence (abi/invariants.json same_abi): %s %s vs %s: %s: %s vs %s", name, lc, rc,
                     key, lv ? lv : "(absent)", rv ? rv : "(absent)");
                continue;
            }
            a->invariant_failures++;
            note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "invariant %s: %s %s vs %s: %s: %s vs %s, which the fact sheet does "
                 "not allow (abi/invariants.json)", invariant, name, lc, rc, key, lv ? lv : "(absent)",
                 rv ? rv : "(absent)");
        }
        flat_free(&fl);
        flat_free(&fr);
    }
}

/* Whether a manifest has any module struct to check (1) or none (0). */
static int info_or_slot_or_base(const flat *f)
{
    return flat_get(f, "PyABIInfo.size") || flat_get(f, "PySlot.size") || flat_get(f, "PyModuleDef_Base.size") ||
           flat_get(f, "PyModuleDef_Base.absent");
}

/* (b'): 3.15's module ABI structs (fact sheet §9), wherever a manifest has
 * them: PyABIInfo is 12 bytes and PySlot 16 on every data model; a pointer
 * in PySlot fills sl_uint64 on 64-bit, its low half on 32-bit
 * little-endian and its high half on 32-bit big-endian (the PySlot image
 * has sl_ptr = 1); under abi3t PyModuleDef_Base is absent, elsewhere
 * present. */
static void check_module_structs(audit *a, const char *config, const char *name, json_t *impl)
{
    flat f = flatten(impl);
    char what[256];
    snprintf(what, sizeof what, "invariant module-structs: %s %s", config, name);
    a->module_structs += info_or_slot_or_base(&f);
    const char *info = flat_get(&f, "PyABIInfo.size"), *slot = flat_get(&f, "PySlot.size");
    const char *word = flat_get(&f, "data_model.sizeof_void_p"), *big = flat_get(&f, "data_model.PY_BIG_ENDIAN");
    const char *value = flat_get(&f, "pyslot.sl_uint64");
    bool opaque = flat_get(&f, "PyObject.opaque") != NULL, absent = flat_get(&f, "PyModuleDef_Base.absent") != NULL;
    a->checks++;
    if (info && strcmp(info, "12")) {
        a->invariant_failures++;
        note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "%s: PyABIInfo is %s bytes, not 12", what, info);
    }
    if (slot) {
        const char *want = word && big && !strcmp(word, "4") && !strcmp(big, "1") ? "4294967296" : "1";
        if (strcmp(slot, "16") || !value || strcmp(value, want)) {
            a->invariant_failures++;
            note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "%s: PySlot is %s bytes (16 wanted), and sl_ptr = 1 reads %s in "
                 "sl_uint64 (%s wanted: %s)", what, slot, value ? value : "absent", want,
                 !strcmp(want, "1") ? "the low half, or all of it" : "the high half, on 32-bit big-endian");
        }
    }
    if (opaque != absent || (!opaque && !flat_get(&f, "PyModuleDef_Base.size"))) {
        a->invariant_failures++;
        note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "%s: PyObject is %s, and PyModuleDef_Base %s", what,
             opaque ? "opaque" : "complete", absent ? "absent" : "present");
    }
    flat_free(&f);
}

/* (b): the stable ABI's promises, across the versions of one build kind
 * in one configuration. */
static void check_stable_abi(audit *a, json_t *m)
{
    const char *config = json_string_value(json_object_get(m, "configuration"));
    json_t *impls = json_object_get(m, "implementations"), *base[2] = { NULL, NULL };
    const char *base_name[2] = { NULL, NULL }, *name;
    json_t *impl;
    /* The reference of each build kind: the oldest version measured. */
    json_object_foreach(impls, name, impl) {
        if (json_object_get(impl, "skipped") || json_object_get(json_object_get(impl, "PyObject"), "opaque"))
            continue;
        int ft = json_is_true(json_object_get(impl, "free_threaded"));
        json_int_t v = json_integer_value(json_object_get(json_object_get(impl, "python"), "minor"));
        if (!base[ft] || v < json_integer_value(json_object_get(json_object_get(base[ft], "python"), "minor"))) {
            base[ft] = impl;
            base_name[ft] = name;
        }
    }
    json_object_foreach(impls, name, impl) {
        if (json_object_get(impl, "skipped"))
            continue;
        check_module_structs(a, config, name, impl);
        if (json_object_get(json_object_get(impl, "PyObject"), "opaque"))
            continue; /* abi3t: no header to hold to the stable ABI's layout */
        int ft = json_is_true(json_object_get(impl, "free_threaded"));
        flat f = flatten(impl), b = flatten(base[ft]);
        const char *w = flat_get(&f, "data_model.sizeof_Py_ssize_t");
        char what[256];
        snprintf(what, sizeof what, "invariant stable-abi: %s %s", config, name);
        a->checks++;
        a->stable_abi++;
        /* ob_refcnt's word: at 0, as wide as Py_ssize_t (3.14+ 64-bit spell it ob_refcnt_full). */
        const char *word = flat_get(&f, "PyObject.fields.ob_refcnt_full.size") ? "ob_refcnt_full" : "ob_refcnt";
        char k_off[96], k_size[96];
        snprintf(k_off, sizeof k_off, "PyObject.fields.%s.offset", word);
        snprintf(k_size, sizeof k_size, "PyObject.fields.%s.size", word);
        if (!ft && (!flat_get(&f, k_off) || strcmp(flat_get(&f, k_off), "0") || !flat_get(&f, k_size) ||
                    !w || strcmp(flat_get(&f, k_size), w))) {
            a->invariant_failures++;
            note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "%s: %s is not a Py_ssize_t (%s bytes) at offset 0 (offset %s, size %s)",
                 what, word, w ? w : "?", flat_get(&f, k_off) ? flat_get(&f, k_off) : "absent",
                 flat_get(&f, k_size) ? flat_get(&f, k_size) : "absent");
        }
        const char *type_off = flat_get(&f, "PyObject.fields.ob_type.offset");
        if (!ft && (!type_off || !w || strcmp(type_off, w))) {
            a->invariant_failures++;
            note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "%s: ob_type at %s, not right after ob_refcnt (%s)", what,
                 type_off ? type_off : "absent", w ? w : "?");
        }
        /* Unchanged since the oldest version of the build kind. */
        static const char *const kept[] = {
            "PyObject.size", "PyVarObject.size", "PyVarObject.fields.ob_size.offset", "PyVarObject.fields.ob_size.size",
            "PyObject.fields.ob_type.offset", "PyObject.fields.ob_type.size",
            /* free-threaded */
            "PyObject.fields.ob_tid.offset", "PyObject.fields.ob_ref_local.offset", "PyObject.fields.ob_ref_local.size",
            "PyObject.fields.ob_ref_shared.offset", "PyObject.fields.ob_ref_shared.size",
        };
        for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++) {
            const char *now = flat_get(&f, kept[k]), *then = flat_get(&b, kept[k]);
            if ((now || then) && (!now || !then || strcmp(now, then))) {
                a->invariant_failures++;
                note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "%s: %s is %s, %s in %s", what, kept[k], now ? now : "absent",
                     then ? then : "absent", base_name[ft]);
            }
        }
        flat_free(&f);
        flat_free(&b);
    }
}

/* (e): the model's declarations of a version equal its real headers' in
 * the same configuration ("real-3.14" and "user-3.14" against "3.14"); and
 * the headers' byte order (pyconfig.h's) is the compiler's. */
static void check_model_vs_real(audit *a, json_t *m)
{
    const char *config = json_string_value(json_object_get(m, "configuration"));
    json_t *impls = json_object_get(m, "implementations");
    const char *name;
    json_t *impl;
    json_object_foreach(impls, name, impl) {
        if (json_object_get(impl, "skipped"))
            continue;
        json_t *dm = json_object_get(impl, "data_model");
        json_int_t py = json_integer_value(json_object_get(dm, "PY_BIG_ENDIAN"));
        json_int_t cc = json_integer_value(json_object_get(dm, "compiler_big_endian"));
        if (py != cc) {
            a->invariant_failures++;
            note(a, ABI_CHANGE | ABI_INCOMPATIBLE, "invariant byte-order: %s %s: the headers say %s-endian "
                 "(PY_BIG_ENDIAN, from pyconfig.h), the compiler builds %s-endian: a pyconfig.h of another target",
                 config, name, py ? "big" : "little", cc ? "big" : "little");
        }
        const char *dash = strchr(name, '-');
        if (!dash)
            continue;
        json_t *model = json_object_get(impls, dash + 1);
        if (!model || json_object_get(model, "skipped"))
            continue;
        char what[256];
        snprintf(what, sizeof what, "invariant model-vs-real: %s %s vs %s", config, dash + 1, name);
        flat fm = flatten(model), fr = flatten(impl);
        a->checks++;
        a->model_vs_real++;
        int before = a->invariant_failures;
        a->invariant_failures += diff_flat(a, what, &fm, &fr, skip_identity);
        if (a->invariant_failures != before)
            a->status |= ABI_CHANGE | ABI_INCOMPATIBLE;
        flat_free(&fm);
        flat_free(&fr);
    }
}

typedef struct manifest_set { json_t **m; size_t n; } manifest_set;

static const char *str_of(json_t *m, const char *key) { return json_string_value(json_object_get(m, key)); }

/* The first configuration of SYSTEM and QUADRANT whose ABI the references
 * list names, in the list's order. */
static json_t *reference(const manifest_set *run, json_t *refs, const char *system, const char *quadrant)
{
    json_t *list = json_object_get(json_object_get(refs, system), quadrant);
    size_t i;
    json_t *abi;
    json_array_foreach(list, i, abi) {
        for (size_t k = 0; k < run->n; k++)
            if (!strcmp(str_of(run->m[k], "abi"), json_string_value(abi)))
                return run->m[k];
    }
    return NULL;
}

static void unreferenced(audit *a, json_t *m, const char *quadrant)
{
    size_t at = strlen(a->unreferenced);
    snprintf(a->unreferenced + at, sizeof a->unreferenced - at, "%s%s (no %s reference)", at ? ", " : "",
             str_of(m, "configuration"), quadrant);
}

static void check_invariants(audit *a, const manifest_set *run, json_t *inv)
{
    /* (a) configurations of one ABI (compilers of one target) are equal. */
    for (size_t i = 0; i < run->n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(str_of(run->m[i], "abi"), str_of(run->m[k], "abi")))
                continue;
            check_pair(a, "same-abi", run->m[k], run->m[i], false, NULL,
                       json_object_get(json_object_get(inv, "same_abi"), str_of(run->m[i], "abi")));
            break; /* against the first of its ABI */
        }
        check_stable_abi(a, run->m[i]);
        check_model_vs_real(a, run->m[i]);
    }
    /* (c) byte order and (d) word size: each configuration against the
     * reference of its system's other quadrant. */
    json_t *refs = json_object_get(inv, "references");
    for (size_t i = 0; i < run->n; i++) {
        json_t *m = run->m[i];
        const char *q = str_of(m, "quadrant"), *sys = str_of(m, "system");
        if (!q || strlen(q) != 4 || !sys)
            continue;
        json_t *quirks = json_object_get(json_object_get(inv, "target_quirks"), str_of(m, "abi"));
        if (!strcmp(q + 2, "be")) {
            char le[5] = { q[0], q[1], 'l', 'e', 0 };
            json_t *ref = reference(run, refs, sys, le);
            if (!ref)
                unreferenced(a, m, le);
            else
                check_pair(a, "byte-order", ref, m, true, json_object_get(json_object_get(inv, "byte_order"), q),
                           json_object_get(quirks, "byte_order"));
        }
        if (!strncmp(q, "32", 2)) {
            char wide[5] = { '6', '4', q[2], q[3], 0 };
            json_t *ref = reference(run, refs, sys, wide);
            if (!ref)
                unreferenced(a, m, wide);
            else
                check_pair(a, "word-size", m, ref, true, json_object_get(json_object_get(inv, "word_size"), q + 2),
                           json_object_get(quirks, "word_size"));
        }
    }
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_dir(const char *dir, manifest_set *set, bool missing_ok)
{
    DIR *d = opendir(dir);
    set->m = NULL;
    set->n = 0;
    if (!d) {
        if (missing_ok && errno == ENOENT)
            return ABI_OK;
        return fail("cannot read the directory %s: %s", dir, strerror(errno));
    }
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int rc = ABI_OK;
    set->m = calloc(n ? n : 1, sizeof *set->m);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        json_t *m = rc == ABI_OK ? load_manifest(path, &rc) : NULL;
        if (m) {
            char want[512];
            snprintf(want, sizeof want, "%s.json", str_of(m, "configuration"));
            if (strcmp(want, names[i])) {
                rc = fail("%s: its configuration is %s", path, str_of(m, "configuration"));
                json_decref(m);
            } else
                set->m[set->n++] = m;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static json_t *find_config(const manifest_set *set, const char *config)
{
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(str_of(set->m[i], "configuration"), config))
            return set->m[i];
    return NULL;
}

static int cmd_audit(int argc, char **argv)
{
    const char *inv_path = NULL, *report_path = NULL, *dirs[2] = { NULL, NULL };
    int ndirs = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--invariants") && i + 1 < argc)
            inv_path = argv[++i];
        else if (!strcmp(argv[i], "--report") && i + 1 < argc)
            report_path = argv[++i];
        else if (argv[i][0] == '-')
            return usage("audit: unknown option or missing value");
        else if (ndirs < 2)
            dirs[ndirs++] = argv[i];
        else
            return usage("audit: too many arguments");
    }
    if (ndirs != 2)
        return usage("audit needs BASELINE_DIR and RUN_DIR");
    json_t *inv = json_object();
    if (inv_path) {
        json_error_t error;
        json_decref(inv);
        inv = json_load_file(inv_path, 0, &error);
        if (!inv)
            return fail("%s: not JSON: %s (line %d, column %d)", inv_path, error.text, error.line, error.column);
    }
    manifest_set base, run;
    int rc = load_dir(dirs[0], &base, true);
    if (rc == ABI_OK)
        rc = load_dir(dirs[1], &run, false);
    if (rc != ABI_OK)
        return rc;
    if (run.n == 0)
        return fail("%s holds no manifest (did the configurations build?)", dirs[1]);
    audit a = { 0 };
    if (report_path && !(a.report = fopen(report_path, "w")))
        return fail("cannot write %s: %s", report_path, strerror(errno));
    if (a.report)
        fprintf(a.report, "### Against the baselines in %s\n\n", dirs[0]);
    int missing = 0;
    char *verdicts = calloc(run.n, 64);
    for (size_t i = 0; i < run.n; i++) {
        json_t *b = find_config(&base, str_of(run.m[i], "configuration"));
        int before = a.lines, status = a.status;
        a.status = 0;
        const char *elsewhere = json_string_value(json_object_get(run.m[i], "built_elsewhere"));
        if (!b && elsewhere) {
            /* Built on another host (real MSVC on a Windows runner): no
             * baseline can be made here, the invariants judge it. */
            note(&a, 0, "%s: built %s, no baseline here: checked by the invariants", str_of(run.m[i], "configuration"),
                 elsewhere);
        } else if (!b) {
            missing++;
            note(&a, ABI_CHANGE, "%s: no baseline (a new configuration: refresh the baselines, docs/abi-audit.md)",
                 str_of(run.m[i], "configuration"));
        } else
            compare_manifests(&a, b, run.m[i]);
        snprintf(verdicts + 64 * i, 64, "%s", !b ? (elsewhere ? "invariants only" : "no baseline")
                                          : (a.status & ABI_INCOMPATIBLE) ? "INCOMPATIBLE"
                                          : a.status ? "changed" : "equal");
        if (a.lines != before)
            snprintf(verdicts + 64 * i + strlen(verdicts + 64 * i), 64 - strlen(verdicts + 64 * i), " (%d)",
                     a.lines - before);
        a.status |= status;
    }
    int changes = a.status;
    if (a.report) {
        fprintf(a.report, "%s\n| configuration | ABI | quadrant | measured | skipped | against the baseline |\n"
                          "|---|---|---|---|---|---|\n", changes ? "" : "- no difference\n");
        for (size_t i = 0; i < run.n; i++) {
            int measured = 0, skipped = 0;
            const char *name;
            json_t *impl;
            json_object_foreach(json_object_get(run.m[i], "implementations"), name, impl) {
                if (json_object_get(impl, "skipped"))
                    skipped++;
                else
                    measured++;
            }
            fprintf(a.report, "| %s | %s | %s | %d | %d | %s |\n", str_of(run.m[i], "configuration"),
                    str_of(run.m[i], "abi"), str_of(run.m[i], "quadrant"), measured, skipped, verdicts + 64 * i);
        }
        /* Every skip with its reason, once. */
        json_t *reasons = json_object();
        for (size_t i = 0; i < run.n; i++) {
            const char *name;
            json_t *impl;
            json_object_foreach(json_object_get(run.m[i], "implementations"), name, impl) {
                const char *why = json_string_value(json_object_get(impl, "skipped"));
                if (!why)
                    continue;
                json_t *who = json_object_get(reasons, why);
                if (!who)
                    json_object_set_new(reasons, why, who = json_array());
                char entry[256];
                snprintf(entry, sizeof entry, "%s %s", str_of(run.m[i], "configuration"), name);
                json_array_append_new(who, json_string(entry));
            }
        }
        const char *why;
        json_t *who;
        json_object_foreach(reasons, why, who) {
            fprintf(a.report, "\nSkipped (%zu): %s: ", json_array_size(who), why);
            size_t k;
            json_t *entry;
            json_array_foreach(who, k, entry) fprintf(a.report, "%s%s", k ? ", " : "", json_string_value(entry));
            fprintf(a.report, ".\n");
        }
        json_decref(reasons);
        fprintf(a.report, "\n### Invariants\n\n");
    }
    free(verdicts);
    int before = a.invariant_failures;
    check_invariants(&a, &run, inv);
    if (a.report) {
        if (a.invariant_failures == before)
            fprintf(a.report, "- all hold\n");
        fprintf(a.report,
                "- (a) one ABI, every compiler: %d implementation comparisons\n"
                "- (b) stable-ABI promises across versions: %d implementations\n"
                "- (b') module structs (PyABIInfo, PySlot, PyModuleDef_Base): %d implementations\n"
                "- (c) little- against big-endian, only the documented field order: %d implementation comparisons\n"
                "- (d) 32- against 64-bit, only where the fact sheet says: %d implementation comparisons\n"
                "- (e) the model's declarations against CPython's real headers: %d implementation comparisons\n",
                a.same_abi, a.stable_abi, a.module_structs, a.byte_order, a.word_size, a.model_vs_real);
        if (a.unreferenced[0])
            fprintf(a.report, "- not checked for (c)/(d): %s\n", a.unreferenced);
    }
    size_t only_base = 0;
    for (size_t i = 0; i < base.n; i++)
        only_base += !find_config(&run, str_of(base.m[i], "configuration"));
    char summary[512];
    snprintf(summary, sizeof summary,
             "abi-audit: %zu configurations against %zu baselines (%zu not in this run, %d without one); "
             "%d comparisons; baselines %s; invariants %s; exit %d",
             run.n, base.n, only_base, missing, a.checks,
             (changes & ABI_INCOMPATIBLE) ? "INCOMPATIBLE" : changes ? "CHANGED" : "unchanged",
             a.invariant_failures ? "FAIL" : "hold", a.status);
    printf("%s\n", summary);
    if (a.report) {
        fprintf(a.report, "\n%s\n", summary);
        fclose(a.report);
    }
    for (size_t i = 0; i < base.n; i++)
        json_decref(base.m[i]);
    for (size_t i = 0; i < run.n; i++)
        json_decref(run.m[i]);
    free(base.m);
    free(run.m);
    json_decref(inv);
    return a.status;
}

static int cmd_compare(int argc, char **argv)
{
    if (argc != 2)
        return usage("compare needs OLD.json and NEW.json");
    int rc = ABI_OK;
    json_t *old = load_manifest(argv[0], &rc);
    json_t *new = old ? load_manifest(argv[1], &rc) : NULL;
    if (!new) {
        json_decref(old);
        return rc;
    }
    audit a = { 0 };
    compare_manifests(&a, old, new);
    json_decref(old);
    json_decref(new);
    return a.status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage("no command");
    if (!strcmp(argv[1], "extract"))
        return cmd_extract(argc - 2, argv + 2);
    if (!strcmp(argv[1], "audit"))
        return cmd_audit(argc - 2, argv + 2);
    if (!strcmp(argv[1], "compare"))
        return cmd_compare(argc - 2, argv + 2);
    return usage("unknown command");
}
