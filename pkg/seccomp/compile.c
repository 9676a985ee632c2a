/* Profile -> classic BPF with libseccomp, exported through a memfd. */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void ctx_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

static bool cond_holds(const struct rc_seccomp_cond *c, char *const *caps, uint32_t native, unsigned kernel)
{
        for (size_t i = 0; c->caps && c->caps[i]; i++)
                if (!rc_seccomp_caps_have(caps, c->caps[i]))
                        return false;
        if (c->arches && c->arches[0] && !rc_seccomp_arches_match(c->arches, native))
                return false;
        return c->min_kernel == 0 || kernel >= c->min_kernel;
}

static bool cond_any(const struct rc_seccomp_cond *c, char *const *caps, uint32_t native)
{
        for (size_t i = 0; c->caps && c->caps[i]; i++)
                if (rc_seccomp_caps_have(caps, c->caps[i]))
                        return true;
        return c->arches && rc_seccomp_arches_match(c->arches, native);
}

/* Does the rule apply to this container?  includes: all must hold;
 * excludes: any one excludes (its minKernel excludes newer kernels). */
static bool rule_applies(const struct rc_seccomp_rule *r, char *const *caps, uint32_t native, unsigned kernel)
{
        if (!cond_holds(&r->includes, caps, native, kernel))
                return false;
        if (cond_any(&r->excludes, caps, native))
                return false;
        return r->excludes.min_kernel == 0 || kernel < r->excludes.min_kernel;
}

/* The architectures p covers besides the native one: its archMap entry for
 * the native architecture, else "architectures", else the compat arches. */
static size_t pick_arches(const struct rc_seccomp_profile *p, uint32_t native, uint32_t defaults[4],
                          const uint32_t **list)
{
        for (size_t i = 0; i < p->n_arch_map; i++) {
                if (p->arch_map[i].arch == native) {
                        *list = p->arch_map[i].subs;
                        return p->arch_map[i].n_subs;
                }
        }
        if (p->n_arches > 0) {
                *list = p->arches;
                return p->n_arches;
        }
        *list = defaults;
        return rc_seccomp_default_arches(native, defaults);
}

char **rc_seccomp_arch_names(const struct rc_seccomp_profile *p, uint32_t native)
{
        uint32_t defaults[4];
        const uint32_t *list;
        size_t n = pick_arches(p, native, defaults, &list);
        char **v = xcalloc(1, sizeof(char *));

        strv_push(&v, rc_seccomp_arch_name(native));
        for (size_t i = 0; i < n; i++)
                if (!strv_contains(v, rc_seccomp_arch_name(list[i])))
                        strv_push(&v, rc_seccomp_arch_name(list[i]));
        return v;
}

static int add_arches(scmp_filter_ctx ctx, const struct rc_seccomp_profile *p, uint32_t native, rc_error **err)
{
        uint32_t defaults[4];
        const uint32_t *list;
        size_t n = pick_arches(p, native, defaults, &list);

        /* The native architecture is always in the filter (libseccomp's
         * context starts with it); the others are added. */
        for (size_t i = 0; i < n; i++) {
                int r = seccomp_arch_add(ctx, list[i]);
                if (r < 0 && r != -EEXIST)
                        return rc_error_set(err, -r, "add architecture %s", rc_seccomp_arch_name(list[i]));
        }
        return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct rc_seccomp_rule *r, int nr, const char *name, rc_error **err)
{
        struct scmp_arg_cmp cmp[6];
        bool same_index = false;
        int rc;

        for (size_t i = 0; i < r->n_args; i++) {
                cmp[i] = (struct scmp_arg_cmp){ .arg = r->args[i].index,
                                                .op = (enum scmp_compare)r->args[i].op,
                                                .datum_a = r->args[i].value,
                                                .datum_b = r->args[i].value_two };
                for (size_t j = 0; j < i; j++)
                        same_index |= r->args[j].index == r->args[i].index;
        }
        if (!same_index) {
                rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)r->n_args, cmp);
        } else {
                /* two comparisons of one argument: either may match (one rule each) */
                rc = 0;
                for (size_t i = 0; i < r->n_args && rc == 0; i++)
                        rc = seccomp_rule_add_array(ctx, r->action, nr, 1, &cmp[i]);
        }
        if (rc < 0)
                return rc_error_set(err, -rc, "system call %s: libseccomp refused the rule", name);
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog, rc_error **err)
{
        cleanup_close int fd = memfd_create("rc-seccomp", MFD_CLOEXEC);
        cleanup_free char *buf = NULL;
        size_t len;
        int rc;

        if (fd < 0)
                return rc_error_set(err, errno, "memfd_create");
        rc = seccomp_export_bpf(ctx, fd);
        if (rc < 0)
                return rc_error_set(err, -rc, "export the BPF program");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return rc_error_set(err, errno, "lseek");
        if (rc_read_fd(fd, &buf, &len, err) < 0)
                return rc_error_wrap(err, "read the BPF program");
        if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return rc_error_set(err, E2BIG, "the BPF program has %zu bytes: not %d instructions or fewer", len,
                                    BPF_MAXINSNS);
        prog->len = (unsigned short)(len / sizeof(struct sock_filter));
        prog->filter = xmalloc(len);
        memcpy(prog->filter, buf, len);
        return 0;
}

int rc_seccomp_compile(const struct rc_seccomp_profile *p, char *const *caps, struct rc_seccomp_filter **out,
                       rc_error **err)
{
        __attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = NULL;
        struct rc_seccomp_filter *f;
        uint32_t native = seccomp_arch_native();
        unsigned kernel = rc_seccomp_kernel_version();
        bool allowish = p->default_action == SCMP_ACT_ALLOW || p->default_action == SCMP_ACT_LOG;
        int rc;

        ctx = seccomp_init(p->default_action);
        if (ctx == NULL)
                return rc_error_set(err, EINVAL, "seccomp profile %s: libseccomp refused the default action", p->name);
        /* A system call of an architecture the filter does not cover gets the
         * default action, or EPERM when that would allow it: never a kill,
         * never a way around the rules. */
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, allowish ? SCMP_ACT_ERRNO(EPERM) : p->default_action);
        if (rc == 0)
                rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); /* binary tree: fewer jumps per call */
        if (rc < 0)
                return rc_error_set(err, -rc, "seccomp profile %s: filter attributes", p->name);
        if (add_arches(ctx, p, native, err) < 0)
                return rc_error_wrap(err, "seccomp profile %s", p->name);
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct rc_seccomp_rule *r = &p->rules[i];

                /* a rule that repeats the default changes nothing (libseccomp refuses it) */
                if (r->action == p->default_action || !rule_applies(r, caps, native, kernel))
                        continue;
                for (size_t j = 0; r->names[j]; j++) {
                        int nr = seccomp_syscall_resolve_name(r->names[j]);
                        if (nr == __NR_SCMP_ERROR)
                                continue; /* unknown to this libseccomp on every architecture */
                        if (add_rule(ctx, r, nr, r->names[j], err) < 0)
                                return rc_error_wrap(err, "seccomp profile %s: syscalls[%zu]", p->name, i);
                }
        }
        f = xcalloc(1, sizeof(*f));
        if (export_bpf(ctx, &f->prog, err) < 0) {
                rc_seccomp_filter_free(f);
                return rc_error_wrap(err, "seccomp profile %s", p->name);
        }
        f->profile = xstrdup(p->name);
        f->default_action = p->default_action;
        f->architectures = rc_seccomp_arch_names(p, native);
        *out = f;
        return 0;
}

int rc_seccomp_load(const struct rc_seccomp_filter *f)
{
        /* No flags on purpose: the child is single-threaded (no TSYNC), the
         * kernel's speculative-store-bypass policy stays as it is (no
         * SPEC_ALLOW), and denials are not logged (no LOG). */
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &f->prog, 0, 0) < 0 ? -1 : 0;
}

void rc_seccomp_filter_free(struct rc_seccomp_filter *f)
{
        if (f == NULL)
                return;
        free(f->prog.filter);
        free(f->profile);
        strv_free(f->architectures);
        free(f);
}

json_object *rc_seccomp_filter_to_json(const struct rc_seccomp_filter *f)
{
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        uint32_t act = f->default_action;

        json_object_object_add(o, "defaultAction", json_object_new_string(rc_seccomp_action_name(act)));
        if ((act & 0xffff0000U) == SCMP_ACT_ERRNO(0))
                json_object_object_add(o, "defaultErrnoRet", json_object_new_int((int)(act & 0xffff)));
        for (size_t i = 0; f->architectures && f->architectures[i]; i++)
                json_object_array_add(a, json_object_new_string(f->architectures[i]));
        json_object_object_add(o, "architectures", a);
        json_object_object_add(o, "profile", json_object_new_string(f->profile ? f->profile : ""));
        json_object_object_add(o, "bpfInstructions", json_object_new_int(f->prog.len));
        return o;
}
