/* Go's fmt.Sprintf, Sprint and Sprintln for template values: the verbs
 * %v %s %q %d %x %X %o %b %c %e %E %f %F %g %G %t %T %%, flags "+- #0",
 * width and precision (numbers or '*'), and Go's "%!verb(type=value)"
 * notes for mismatches, missing and extra operands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/internal.h"
#include "util/xalloc.h"

struct spec {
        bool minus, plus, sharp, space, zero;
        int width, prec; /* -1: none */
        char verb;
};

/* Pad s[0..n) to the width in characters. */
static void pad(struct sbuf *b, const char *s, size_t n, const struct spec *sp, bool numeric)
{
        size_t chars = utf8_count(s, n);
        size_t fill = sp->width > 0 && (size_t)sp->width > chars ? (size_t)sp->width - chars : 0;

        if (sp->minus) {
                sb_putn(b, s, n);
                for (size_t k = 0; k < fill; k++)
                        sb_putc(b, ' ');
                return;
        }
        if (sp->zero && numeric && n > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
                sb_putc(b, s[0]); /* zeros go after the sign */
                s++;
                n--;
        }
        for (size_t k = 0; k < fill; k++)
                sb_putc(b, sp->zero ? '0' : ' ');
        sb_putn(b, s, n);
}

static void bad_verb(struct sbuf *b, const struct spec *sp, const struct val *v)
{
        sb_printf(b, "%%!%c(%s=", sp->verb, val_type(v));
        val_print(b, v);
        sb_putc(b, ')');
}

static void fmt_int(struct sbuf *b, int64_t v, const struct spec *sp)
{
        static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
        char digits[80];
        struct sbuf t = { 0 };
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        int base = 10, nd = 0;
        const char *set = lower;

        switch (sp->verb) {
        case 'x': base = 16; break;
        case 'X': base = 16; set = upper; break;
        case 'o': base = 8; break;
        case 'b': base = 2; break;
        default: break;
        }
        do {
                digits[nd++] = set[u % (uint64_t)base];
                u /= (uint64_t)base;
        } while (u && nd < (int)sizeof(digits));
        if (v < 0)
                sb_putc(&t, '-');
        else if (sp->plus)
                sb_putc(&t, '+');
        else if (sp->space)
                sb_putc(&t, ' ');
        if (sp->sharp)
                sb_puts(&t, base == 16 ? (set == upper ? "0X" : "0x") : base == 8 ? "0" : base == 2 ? "0b" : "");
        for (int k = nd; k < sp->prec; k++)
                sb_putc(&t, '0');
        while (nd > 0)
                sb_putc(&t, digits[--nd]);
        pad(b, t.s, t.len, sp, sp->prec < 0);
        free(t.s);
}

static void fmt_float(struct sbuf *b, double d, const struct spec *sp)
{
        char cfmt[32], out[512];
        char verb = sp->verb == 'v' ? 'g' : sp->verb;
        int n;

        if (verb == 'g' && sp->prec < 0) {
                struct sbuf t = { 0 };
                if (sp->plus && d >= 0)
                        sb_putc(&t, '+');
                go_float(&t, d);
                pad(b, t.s, t.len, sp, true);
                free(t.s);
                return;
        }
        n = snprintf(cfmt, sizeof(cfmt), "%%%s%s%s.%d%c", sp->plus ? "+" : "", sp->space ? " " : "",
                     sp->sharp ? "#" : "", sp->prec < 0 ? 6 : sp->prec, verb);
        if (n < 0 || (size_t)n >= sizeof(cfmt))
                return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        n = snprintf(out, sizeof(out), cfmt, d);
#pragma GCC diagnostic pop
        if (n < 0)
                return;
        pad(b, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1, sp, true);
}

/* Precision on a string: at most that many characters. */
static size_t clip(const char *s, size_t n, int prec)
{
        size_t chars = 0, k;

        if (prec < 0)
                return n;
        for (k = 0; k < n; k++) {
                if (((unsigned char)s[k] & 0xC0) != 0x80) {
                        if (chars == (size_t)prec)
                                break;
                        chars++;
                }
        }
        return k;
}

static void fmt_value(struct sbuf *b, const struct spec *sp, const struct val *v);

static void fmt_array(struct sbuf *b, const struct spec *sp, const struct val *v)
{
        sb_putc(b, '[');
        for (size_t k = 0; k < json_object_array_length(v->j); k++) {
                struct val e = val_json(json_object_array_get_idx(v->j, k));
                if (k)
                        sb_putc(b, ' ');
                fmt_value(b, sp, &e);
                val_free(&e);
        }
        sb_putc(b, ']');
}

static void fmt_value(struct sbuf *b, const struct spec *sp, const struct val *v)
{
        json_type t = v->kind == V_JSON && v->j ? json_object_get_type(v->j) : json_type_null;
        struct sbuf tmp = { 0 };

        if (sp->verb == 'T') {
                pad(b, val_type(v), strlen(val_type(v)), sp, false);
                return;
        }
        if (t == json_type_array && sp->verb != 'v' && sp->verb != 's') {
                fmt_array(b, sp, v);
                return;
        }
        switch (sp->verb) {
        case 'v':
        case 's':
                if (t == json_type_double && sp->verb == 'v') {
                        fmt_float(b, json_object_get_double(v->j), sp);
                        return;
                }
                if (t == json_type_int && sp->verb == 'v') {
                        fmt_int(b, json_object_get_int64(v->j), sp);
                        return;
                }
                val_print(&tmp, v);
                pad(b, tmp.s ? tmp.s : "", clip(tmp.s ? tmp.s : "", tmp.len, sp->prec), sp, false);
                break;
        case 'q':
                if (t == json_type_string) {
                        const char *s = json_object_get_string(v->j);
                        go_quote(&tmp, s, clip(s, (size_t)json_object_get_string_len(v->j), sp->prec));
                        pad(b, tmp.s, tmp.len, sp, false);
                } else if (t == json_type_int) {
                        char c = (char)json_object_get_int64(v->j);
                        sb_putc(&tmp, '\'');
                        sb_putc(&tmp, c);
                        sb_putc(&tmp, '\'');
                        pad(b, tmp.s, tmp.len, sp, false);
                } else {
                        bad_verb(b, sp, v);
                }
                break;
        case 'd':
        case 'o':
        case 'b':
        case 'x':
        case 'X':
                if (t == json_type_int) {
                        fmt_int(b, json_object_get_int64(v->j), sp);
                } else if (t == json_type_string && (sp->verb == 'x' || sp->verb == 'X')) {
                        const unsigned char *s = (const unsigned char *)json_object_get_string(v->j);
                        size_t n = clip((const char *)s, (size_t)json_object_get_string_len(v->j), sp->prec);
                        for (size_t k = 0; k < n; k++)
                                sb_printf(&tmp, sp->verb == 'x' ? "%02x" : "%02X", s[k]);
                        pad(b, tmp.s ? tmp.s : "", tmp.len, sp, false);
                } else {
                        bad_verb(b, sp, v);
                }
                break;
        case 'c':
                if (t == json_type_int) {
                        int64_t c = json_object_get_int64(v->j);
                        sb_putc(&tmp, (char)(c >= 0 && c < 128 ? c : '?'));
                        pad(b, tmp.s, tmp.len, sp, false);
                } else {
                        bad_verb(b, sp, v);
                }
                break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
                if (t == json_type_double)
                        fmt_float(b, json_object_get_double(v->j), sp);
                else
                        bad_verb(b, sp, v);
                break;
        case 't':
                if (t == json_type_boolean) {
                        const char *s = json_object_get_boolean(v->j) ? "true" : "false";
                        pad(b, s, strlen(s), sp, false);
                } else {
                        bad_verb(b, sp, v);
                }
                break;
        default:
                bad_verb(b, sp, v);
        }
        free(tmp.s);
}

/* A width or precision written as '*': the next operand, an integer. */
static bool star(const struct val *args, size_t n, size_t *argi, int *out)
{
        if (*argi >= n || args[*argi].kind != V_JSON || !json_object_is_type(args[*argi].j, json_type_int))
                return false;
        int64_t v = json_object_get_int64(args[(*argi)++].j);
        *out = (int)(v < -TPL_MAX_WIDTH ? -TPL_MAX_WIDTH : v > TPL_MAX_WIDTH ? TPL_MAX_WIDTH : v);
        return true;
}

static int number(const char *f, size_t len, size_t *i)
{
        int v = 0;

        while (*i < len && f[*i] >= '0' && f[*i] <= '9') {
                if (v < TPL_MAX_WIDTH)
                        v = v * 10 + (f[*i] - '0');
                (*i)++;
        }
        return v > TPL_MAX_WIDTH ? TPL_MAX_WIDTH : v;
}

void go_sprintf(struct sbuf *b, const char *f, size_t len, const struct val *args, size_t n)
{
        size_t argi = 0, i = 0;

        while (i < len) {
                struct spec sp = { .width = -1, .prec = -1 };

                if (f[i] != '%') {
                        sb_putc(b, f[i++]);
                        continue;
                }
                i++;
                for (; i < len && strchr("+- #0", f[i]); i++) {
                        sp.plus |= f[i] == '+';
                        sp.minus |= f[i] == '-';
                        sp.sharp |= f[i] == '#';
                        sp.space |= f[i] == ' ';
                        sp.zero |= f[i] == '0';
                }
                if (i < len && f[i] == '*') {
                        i++;
                        if (!star(args, n, &argi, &sp.width))
                                sb_puts(b, "%!(BADWIDTH)");
                        if (sp.width < 0) {
                                sp.minus = true;
                                sp.width = -sp.width;
                        }
                } else {
                        sp.width = number(f, len, &i);
                }
                if (i < len && f[i] == '.') {
                        i++;
                        if (i < len && f[i] == '*') {
                                i++;
                                if (!star(args, n, &argi, &sp.prec) || sp.prec < 0) {
                                        sb_puts(b, "%!(BADPREC)");
                                        sp.prec = -1;
                                }
                        } else {
                                sp.prec = number(f, len, &i);
                        }
                }
                if (sp.minus)
                        sp.zero = false; /* Go: '-' wins over '0' */
                if (i >= len) {
                        sb_puts(b, "%!(NOVERB)");
                        break;
                }
                sp.verb = f[i++];
                if (sp.verb == '%') {
                        sb_putc(b, '%');
                        continue;
                }
                if (argi >= n) {
                        sb_printf(b, "%%!%c(MISSING)", sp.verb);
                        continue;
                }
                fmt_value(b, &sp, &args[argi++]);
        }
        if (argi < n) {
                sb_puts(b, "%!(EXTRA ");
                for (size_t k = argi; k < n; k++) {
                        if (k > argi)
                                sb_puts(b, ", ");
                        sb_printf(b, "%s=", val_type(&args[k]));
                        val_print(b, &args[k]);
                }
                sb_putc(b, ')');
        }
}

void go_sprint(struct sbuf *b, const struct val *args, size_t n, bool ln)
{
        for (size_t k = 0; k < n; k++) {
                /* Sprint: a space between operands when neither is a string;
                 * Sprintln: always */
                if (k > 0 && (ln || (!val_is_string(&args[k - 1]) && !val_is_string(&args[k]))))
                        sb_putc(b, ' ');
                val_print(b, &args[k]);
        }
        if (ln)
                sb_putc(b, '\n');
}
