/* Column alignment with the rules of Go's text/tabwriter (without its
 * flags), so tables line up exactly as podman's do. */
#include <stdlib.h>
#include <string.h>

#include "format/internal.h"
#include "util/xalloc.h"

struct cell {
        const char *text;
        size_t size;  /* bytes */
        size_t width; /* characters */
};

struct line {
        struct cell *cells;
        size_t n; /* the last cell is the text after the line's last tab */
};

struct tw {
        struct line *lines;
        size_t n_lines;
        size_t *widths; /* of the columns of the block being written */
        size_t n_widths;
        size_t minwidth, padding;
        struct sbuf out;
};

static void write_lines(struct tw *w, size_t line0, size_t line1)
{
        for (size_t i = line0; i < line1; i++) {
                const struct line *l = &w->lines[i];
                for (size_t j = 0; j < l->n; j++) {
                        const struct cell *c = &l->cells[j];
                        sb_putn(&w->out, c->text, c->size);
                        if (j < w->n_widths)
                                for (size_t k = c->width; k < w->widths[j]; k++)
                                        sb_putc(&w->out, ' ');
                }
                if (i + 1 < w->n_lines)
                        sb_putc(&w->out, '\n');
        }
}

/* Go's format(): lines line0..line1 share the columns left of `column`;
 * a run of lines that all have a cell in `column` (not counting their last
 * cell) is a block with one width for that column. */
static void format(struct tw *w, size_t line0, size_t line1)
{
        size_t column = w->n_widths;

        for (size_t i = line0; i < line1; i++) {
                if (column + 1 >= w->lines[i].n)
                        continue;
                /* a block starts here: write what came before it */
                write_lines(w, line0, i);
                line0 = i;
                size_t width = w->minwidth;
                for (; i < line1; i++) {
                        const struct line *l = &w->lines[i];
                        if (column + 1 >= l->n)
                                break;
                        if (l->cells[column].width + w->padding > width)
                                width = l->cells[column].width + w->padding;
                }
                w->widths = xrealloc(w->widths, (w->n_widths + 1) * sizeof(size_t));
                w->widths[w->n_widths++] = width;
                format(w, line0, i);
                w->n_widths--;
                line0 = i;
                if (i >= line1)
                        break;
        }
        write_lines(w, line0, line1);
}

char *rc_tabwriter_format(const char *text, size_t len, size_t minwidth, size_t padding)
{
        struct tw w = { .minwidth = minwidth, .padding = padding };
        size_t start = 0;

        /* lines and cells */
        for (size_t i = 0; i <= len; i++) {
                if (i < len && text[i] != '\n')
                        continue;
                struct line l = { 0 };
                size_t cs = start;
                for (size_t k = start; k <= i; k++) {
                        if (k < i && text[k] != '\t')
                                continue;
                        l.cells = xrealloc(l.cells, (l.n + 1) * sizeof(*l.cells));
                        l.cells[l.n++] = (struct cell){ .text = text + cs, .size = k - cs,
                                                        .width = utf8_count(text + cs, k - cs) };
                        cs = k + 1;
                }
                w.lines = xrealloc(w.lines, (w.n_lines + 1) * sizeof(*w.lines));
                w.lines[w.n_lines++] = l;
                start = i + 1;
        }
        format(&w, 0, w.n_lines);
        for (size_t i = 0; i < w.n_lines; i++)
                free(w.lines[i].cells);
        free(w.lines);
        free(w.widths);
        return sb_steal(&w.out);
}
