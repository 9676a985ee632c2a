/* The runtime spec model: defaults, freeing, config.json output. */
#include <json-c/json.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime/runtime.h"
#include "seccomp/seccomp.h"
#include "util/xalloc.h"

static const char *const default_caps[] = {
        "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",           "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",     "CAP_SETFCAP",          "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

static const char *const default_masked[] = {
        "/proc/acpi",        "/proc/kcore",       "/proc/keys",        "/proc/latency_stats",
        "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware",     "/sys/devices/virtual/powercap", NULL,
};

static const char *const default_readonly[] = {
        "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const struct {
        const char *destination, *type, *source;
        const char *options[8];
} default_mounts[] = {
        { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev", NULL } },
        { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
        { "/dev/pts", "devpts", "devpts", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
        { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
        { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
        { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
};

void rc_spec_init_default(struct rc_spec *spec)
{
        size_t n = sizeof(default_mounts) / sizeof(default_mounts[0]);

        memset(spec, 0, sizeof(*spec));
        spec->cwd = xstrdup("/");
        spec->umask = 022;
        spec->no_new_privileges = true;
        spec->cap_bounding = strv_dup((char *const *)default_caps);
        spec->cap_effective = strv_dup((char *const *)default_caps);
        spec->cap_permitted = strv_dup((char *const *)default_caps);
        spec->cap_inheritable = xcalloc(1, sizeof(char *));
        spec->cap_ambient = xcalloc(1, sizeof(char *));
        spec->mounts = xcalloc(n, sizeof(*spec->mounts));
        for (size_t i = 0; i < n; i++) {
                spec->mounts[i].destination = xstrdup(default_mounts[i].destination);
                spec->mounts[i].type = xstrdup(default_mounts[i].type);
                spec->mounts[i].source = xstrdup(default_mounts[i].source);
                spec->mounts[i].options = strv_dup((char *const *)default_mounts[i].options);
        }
        spec->n_mounts = n;
        spec->masked_paths = strv_dup((char *const *)default_masked);
        spec->readonly_paths = strv_dup((char *const *)default_readonly);
        spec->rlimits = xcalloc(1, sizeof(*spec->rlimits));
        spec->rlimits[0] = (struct rc_spec_rlimit){ RLIMIT_NOFILE, 1048576, 1048576 };
        spec->n_rlimits = 1;
        spec->namespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWNET;
}

void rc_spec_free(struct rc_spec *spec)
{
        strv_free(spec->args);
        strv_free(spec->env);
        free(spec->cwd);
        free(spec->additional_gids);
        strv_free(spec->cap_bounding);
        strv_free(spec->cap_effective);
        strv_free(spec->cap_permitted);
        strv_free(spec->cap_inheritable);
        strv_free(spec->cap_ambient);
        free(spec->rlimits);
        free(spec->root_path);
        free(spec->hostname);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                free(spec->mounts[i].destination);
                free(spec->mounts[i].type);
                free(spec->mounts[i].source);
                strv_free(spec->mounts[i].options);
        }
        free(spec->mounts);
        free(spec->uid_mappings);
        free(spec->gid_mappings);
        strv_free(spec->masked_paths);
        strv_free(spec->readonly_paths);
        strv_free(spec->sysctls);
        rc_seccomp_filter_free(spec->seccomp);
        memset(spec, 0, sizeof(*spec));
}

bool rc_sysctl_key_ok(const char *key)
{
        size_t n = strlen(key);

        if (n == 0 || n > 128 || key[0] == '.' || key[0] == '/' || key[n - 1] == '.' || key[n - 1] == '/')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = key[i];
                bool sep = c == '.' || c == '/';
                if (sep && (key[i + 1] == '.' || key[i + 1] == '/'))
                        return false;
                if (!sep && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_' && c != '-')
                        return false;
        }
        return true;
}

struct json_object *rc_sysctls_json(char *const *kv)
{
        json_object *o = json_object_new_object();

        for (size_t i = 0; kv && kv[i]; i++) {
                const char *eq = strchr(kv[i], '=');
                cleanup_free char *key = eq ? xstrndup(kv[i], (size_t)(eq - kv[i])) : NULL;
                if (key)
                        json_object_object_add(o, key, json_object_new_string(eq + 1));
        }
        return o;
}

const char *rc_sysctl_namespace(const char *key)
{
        static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
                                           "kernel.sem",    "kernel.shmall", "kernel.shmmax",
                                           "kernel.shmmni", "kernel.shm_rmid_forced" };

        if (!rc_sysctl_key_ok(key))
                return NULL;
        if (strncmp(key, "net.", 4) == 0 || strncmp(key, "net/", 4) == 0)
                return "net";
        if (strncmp(key, "fs.mqueue.", 10) == 0 || strncmp(key, "fs/mqueue/", 10) == 0)
                return "ipc";
        for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
                if (strcmp(key, ipc[i]) == 0)
                        return "ipc";
        return NULL;
}

static json_object *strv_json(char *const *v)
{
        json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static json_object *mappings_json(const struct rc_spec_id_mapping *m, size_t n)
{
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "containerID", json_object_new_int64(m[i].container_id));
                json_object_object_add(o, "hostID", json_object_new_int64(m[i].host_id));
                json_object_object_add(o, "size", json_object_new_int64(m[i].size));
                json_object_array_add(a, o);
        }
        return a;
}

static const char *rlimit_name(int type)
{
        static const char *const names[] = {
                [RLIMIT_CPU] = "RLIMIT_CPU",         [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
                [RLIMIT_DATA] = "RLIMIT_DATA",       [RLIMIT_STACK] = "RLIMIT_STACK",
                [RLIMIT_CORE] = "RLIMIT_CORE",       [RLIMIT_RSS] = "RLIMIT_RSS",
                [RLIMIT_NPROC] = "RLIMIT_NPROC",     [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
                [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS",
                [RLIMIT_LOCKS] = "RLIMIT_LOCKS",     [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
                [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
                [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",   [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
        };
        if (type >= 0 && (size_t)type < sizeof(names) / sizeof(names[0]) && names[type])
                return names[type];
        return "RLIMIT_UNKNOWN";
}

int rc_spec_to_json(const struct rc_spec *spec, char **out, rc_error **err)
{
        static const struct {
                unsigned flag;
                const char *name;
        } ns[] = { { CLONE_NEWPID, "pid" },   { CLONE_NEWNET, "network" }, { CLONE_NEWIPC, "ipc" },
                   { CLONE_NEWUTS, "uts" },   { CLONE_NEWNS, "mount" },    { CLONE_NEWCGROUP, "cgroup" } };
        json_object *root = json_object_new_object(), *process = json_object_new_object();
        json_object *user = json_object_new_object(), *caps = json_object_new_object();
        json_object *rl = json_object_new_array(), *r = json_object_new_object(), *mounts = json_object_new_array();
        json_object *linux_ = json_object_new_object(), *nss = json_object_new_array(), *gids = json_object_new_array();

        (void)err;
        json_object_object_add(root, "ociVersion", json_object_new_string("1.0.2"));
        json_object_object_add(process, "terminal", json_object_new_boolean(0));
        json_object_object_add(user, "uid", json_object_new_int64(spec->uid));
        json_object_object_add(user, "gid", json_object_new_int64(spec->gid));
        json_object_object_add(user, "umask", json_object_new_int64(spec->umask));
        for (size_t i = 0; i < spec->n_additional_gids; i++)
                json_object_array_add(gids, json_object_new_int64(spec->additional_gids[i]));
        json_object_object_add(user, "additionalGids", gids);
        json_object_object_add(process, "user", user);
        json_object_object_add(process, "args", strv_json(spec->args));
        json_object_object_add(process, "env", strv_json(spec->env));
        json_object_object_add(process, "cwd", json_object_new_string(spec->cwd ? spec->cwd : "/"));
        json_object_object_add(caps, "bounding", strv_json(spec->cap_bounding));
        json_object_object_add(caps, "effective", strv_json(spec->cap_effective));
        json_object_object_add(caps, "permitted", strv_json(spec->cap_permitted));
        json_object_object_add(caps, "inheritable", strv_json(spec->cap_inheritable));
        json_object_object_add(caps, "ambient", strv_json(spec->cap_ambient));
        json_object_object_add(process, "capabilities", caps);
        for (size_t i = 0; i < spec->n_rlimits; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "type", json_object_new_string(rlimit_name(spec->rlimits[i].type)));
                json_object_object_add(o, "hard", json_object_new_uint64(spec->rlimits[i].hard));
                json_object_object_add(o, "soft", json_object_new_uint64(spec->rlimits[i].soft));
                json_object_array_add(rl, o);
        }
        json_object_object_add(process, "rlimits", rl);
        json_object_object_add(process, "noNewPrivileges", json_object_new_boolean(spec->no_new_privileges));
        json_object_object_add(root, "process", process);
        json_object_object_add(r, "path", json_object_new_string(spec->root_path ? spec->root_path : ""));
        json_object_object_add(r, "readonly", json_object_new_boolean(spec->root_readonly));
        json_object_object_add(root, "root", r);
        if (spec->hostname)
                json_object_object_add(root, "hostname", json_object_new_string(spec->hostname));
        for (size_t i = 0; i < spec->n_mounts; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "destination", json_object_new_string(spec->mounts[i].destination));
                json_object_object_add(o, "type", json_object_new_string(spec->mounts[i].type));
                json_object_object_add(o, "source", json_object_new_string(spec->mounts[i].source));
                json_object_object_add(o, "options", strv_json(spec->mounts[i].options));
                json_object_array_add(mounts, o);
        }
        json_object_object_add(root, "mounts", mounts);
        json_object_array_add(nss, json_object_new_object());
        json_object_object_add(json_object_array_get_idx(nss, 0), "type", json_object_new_string("user"));
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                json_object *o;
                if (!(spec->namespaces & ns[i].flag))
                        continue;
                o = json_object_new_object();
                json_object_object_add(o, "type", json_object_new_string(ns[i].name));
                json_object_array_add(nss, o);
        }
        json_object_object_add(linux_, "namespaces", nss);
        json_object_object_add(linux_, "uidMappings", mappings_json(spec->uid_mappings, spec->n_uid_mappings));
        json_object_object_add(linux_, "gidMappings", mappings_json(spec->gid_mappings, spec->n_gid_mappings));
        json_object_object_add(linux_, "maskedPaths", strv_json(spec->masked_paths));
        json_object_object_add(linux_, "readonlyPaths", strv_json(spec->readonly_paths));
        if (spec->sysctls && spec->sysctls[0])
                json_object_object_add(linux_, "sysctl", rc_sysctls_json(spec->sysctls));
        if (spec->seccomp)
                json_object_object_add(linux_, "seccomp", rc_seccomp_filter_to_json(spec->seccomp));
        json_object_object_add(root, "linux", linux_);
        *out = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
        return 0;
}
