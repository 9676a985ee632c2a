/* rc login, rc logout: credentials in podman's auth.json. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rc.h"
#include "registry/registry.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* What the user typed ("https://quay.io/", "quay.io/org/app") as an
 * auth.json key: no scheme, no trailing '/', docker.io's aliases folded. */
static char *credential_key(const char *arg)
{
        static const char *const docker_aliases[] = { "index.docker.io", "registry-1.docker.io" };
        const char *p = arg;
        char *key;
        size_t n;

        if (strncmp(p, "https://", 8) == 0)
                p += 8;
        else if (strncmp(p, "http://", 7) == 0)
                p += 7;
        key = xstrdup(p);
        n = strlen(key);
        while (n > 0 && key[n - 1] == '/')
                key[--n] = '\0';
        for (size_t i = 0; i < 2; i++) {
                size_t a = strlen(docker_aliases[i]);
                if (strncmp(key, docker_aliases[i], a) == 0 && (key[a] == '\0' || key[a] == '/')) {
                        char *folded = xasprintf("docker.io%s", key + a);
                        free(key);
                        key = folded;
                }
        }
        /* "docker.io/v1" and the like from old docker configs */
        if (strcmp(key, "docker.io/v1") == 0)
                key[strlen("docker.io")] = '\0';
        return key;
}

/* The registry part of a key ("quay.io/org/app" -> "quay.io"). */
static char *key_domain(const char *key)
{
        return xstrndup(key, strcspn(key, "/"));
}

/* A line from the terminal; echo off for secrets.  NULL on EOF. */
static char *prompt(const char *question, bool secret)
{
        cleanup_close int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        struct termios old, quiet;
        char buf[4096];
        size_t n = 0;
        bool restore = false;

        if (tty < 0)
                return NULL;
        if (rc_write_all(tty, question, strlen(question)) < 0)
                return NULL;
        if (secret && tcgetattr(tty, &old) == 0) {
                quiet = old;
                quiet.c_lflag &= ~(tcflag_t)ECHO;
                restore = tcsetattr(tty, TCSAFLUSH, &quiet) == 0;
        }
        while (n + 1 < sizeof(buf)) {
                char c;
                ssize_t k = read(tty, &c, 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0 || c == '\n')
                        break;
                buf[n++] = c;
        }
        buf[n] = '\0';
        if (restore) {
                tcsetattr(tty, TCSAFLUSH, &old);
                (void)!write(tty, "\n", 1);
        }
        {
                char *line = xstrdup(buf);
                explicit_bzero(buf, sizeof(buf));
                return line;
        }
}

/* The password on standard input, one trailing newline removed. */
static char *read_password_stdin(rc_error **err)
{
        char *data = NULL;
        size_t len = 0;

        if (rc_read_fd(STDIN_FILENO, &data, &len, err) < 0)
                return NULL;
        if (len > 0 && data[len - 1] == '\n')
                data[--len] = '\0';
        if (len > 0 && data[len - 1] == '\r')
                data[--len] = '\0';
        return data;
}

int cmd_login(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_PASSWORD_STDIN = 256, OPT_AUTHFILE, OPT_TLS_VERIFY, OPT_GET_LOGIN };
        static const struct option opts[] = {
                { "username", required_argument, NULL, 'u' },
                { "password", required_argument, NULL, 'p' },
                { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
                { "authfile", required_argument, NULL, OPT_AUTHFILE },
                { "tls-verify", required_argument, NULL, OPT_TLS_VERIFY },
                { "get-login", no_argument, NULL, OPT_GET_LOGIN },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_secret char *user = NULL, *pass = NULL, *stored_user = NULL, *stored_pass = NULL;
        cleanup_free char *key = NULL, *domain = NULL, *path = NULL;
        cleanup_registry struct rc_registry *reg = NULL;
        const char *authfile = NULL;
        bool password_stdin = false, get_login = false, skip_tls = false;
        rc_error *err = NULL;
        int c, found;

        while ((c = rc_cli_getopt("login", argc, argv, "u:p:h", opts)) != -1) {
                switch (c) {
                case 'u':
                        rc_secret_free(user);
                        user = xstrdup(optarg);
                        break;
                case 'p':
                        rc_secret_free(pass);
                        pass = xstrdup(optarg);
                        explicit_bzero(optarg, strlen(optarg)); /* out of ps output */
                        break;
                case OPT_PASSWORD_STDIN:
                        password_stdin = true;
                        break;
                case OPT_AUTHFILE:
                        authfile = optarg;
                        break;
                case OPT_TLS_VERIFY:
                        if (rc_cli_tls_verify("login", optarg, &skip_tls) != 0)
                                return 125;
                        break;
                case OPT_GET_LOGIN:
                        get_login = true;
                        break;
                case 'h':
                        printf("Log in to a container registry\n\n"
                               "Description:\n"
                               "  Log in to a registry (default: the first of [registries] search).  The\n"
                               "  credentials are checked with the registry, then stored in\n"
                               "  $XDG_RUNTIME_DIR/containers/auth.json (mode 0600), where podman finds them too.\n\n"
                               "Usage:\n"
                               "  rc login [options] [REGISTRY]\n\n"
                               "Options:\n"
                               "      --authfile FILE     credentials file (default: $REGISTRY_AUTH_FILE or the above)\n"
                               "      --get-login         print the user name stored for REGISTRY\n"
                               "  -p, --password PASS     password (visible to other users: prefer --password-stdin)\n"
                               "      --password-stdin    read the password from standard input\n"
                               "      --tls-verify=false  do not verify TLS; allow plain http\n"
                               "  -u, --username USER     user name (asked on the terminal if missing)\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind > 1)
                return rc_cli_usage_error("login", "login takes one registry");
        if (optind == argc && (cli->cfg.search == NULL || cli->cfg.search[0] == NULL))
                return rc_cli_usage_error("login", "give a registry ([registries] search is empty)");
        key = credential_key(optind < argc ? argv[optind] : cli->cfg.search[0]);
        domain = key_domain(key);

        found = rc_authfile_lookup(authfile, key, &stored_user, &stored_pass, &err);
        if (found < 0)
                return rc_cli_fail(err);
        if (get_login) {
                if (!found) {
                        fprintf(stderr, "Error: not logged into %s\n", key);
                        return 125;
                }
                printf("%s\n", stored_user);
                return 0;
        }
        if (pass != NULL && password_stdin)
                return rc_cli_usage_error("login", "--password and --password-stdin cannot be used together");
        if (pass != NULL)
                fprintf(stderr, "WARNING! a password on the command line can be seen by other users; "
                                "use --password-stdin\n");
        if (password_stdin) {
                if (user == NULL)
                        return rc_cli_usage_error("login", "--password-stdin needs --username");
                pass = read_password_stdin(&err);
                if (pass == NULL)
                        return rc_cli_fail(err);
        }
        if (user == NULL) {
                cleanup_free char *q = found ? xasprintf("Username (%s): ", stored_user) : xstrdup("Username: ");
                user = prompt(q, false);
                if (user != NULL && user[0] == '\0' && found) {
                        free(user);
                        user = xstrdup(stored_user);
                }
        }
        if (user != NULL && pass == NULL)
                pass = prompt("Password: ", true);
        if (user == NULL || pass == NULL) {
                fprintf(stderr, "Error: login %s: no terminal to ask for credentials: use -u USER --password-stdin\n",
                        key);
                return 125;
        }
        if (user[0] == '\0' || pass[0] == '\0') {
                fprintf(stderr, "Error: login %s: the user name and password must not be empty\n", key);
                return 125;
        }
        {
                struct rc_registry_opts ro = { .skip_tls_verify = skip_tls, .insecure = cli->cfg.insecure,
                                               .auth_file = authfile, .username = user, .password = pass };
                if (rc_registry_open(domain, &ro, &reg, &err) < 0 || rc_registry_ping(reg, &err) < 0) {
                        rc_error_wrap(&err, "login %s", key);
                        return rc_cli_fail(err);
                }
        }
        if (authfile != NULL)
                path = xstrdup(authfile);
        else if (rc_authfile_default_path(&path, &err) < 0)
                return rc_cli_fail(err);
        if (rc_authfile_store(path, key, user, pass, &err) < 0)
                return rc_cli_fail(err);
        printf("Login Succeeded!\n");
        return 0;
}

int cmd_logout(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_AUTHFILE = 256 };
        static const struct option opts[] = {
                { "authfile", required_argument, NULL, OPT_AUTHFILE },
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_free char *key = NULL, *path = NULL;
        bool all = false;
        rc_error *err = NULL;
        int c, removed;

        while ((c = rc_cli_getopt("logout", argc, argv, "ah", opts)) != -1) {
                switch (c) {
                case OPT_AUTHFILE:
                        path = xstrdup(optarg);
                        break;
                case 'a':
                        all = true;
                        break;
                case 'h':
                        printf("Log out of a container registry\n\n"
                               "Description:\n"
                               "  Remove the stored credentials for REGISTRY (default: the first of\n"
                               "  [registries] search), or all of them with --all.\n\n"
                               "Usage:\n"
                               "  rc logout [options] [REGISTRY]\n\n"
                               "Options:\n"
                               "  -a, --all             Remove the cached credentials for all registries in the auth file\n"
                               "      --authfile FILE   credentials file\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind > 1 || (all && optind < argc))
                return rc_cli_usage_error("logout", "logout takes one registry, or -a");
        if (!all) {
                if (optind == argc && (cli->cfg.search == NULL || cli->cfg.search[0] == NULL))
                        return rc_cli_usage_error("logout", "give a registry");
                key = credential_key(optind < argc ? argv[optind] : cli->cfg.search[0]);
        }
        if (path == NULL && rc_authfile_default_path(&path, &err) < 0)
                return rc_cli_fail(err);
        removed = rc_authfile_remove(path, key, &err);
        if (removed < 0)
                return rc_cli_fail(err);
        if (all) {
                printf("Removed login credentials for all registries\n");
                return 0;
        }
        if (removed == 0) {
                fprintf(stderr, "Error: not logged into %s (in %s)\n", key, path);
                return 125;
        }
        printf("Removed login credentials for %s\n", key);
        return 0;
}
