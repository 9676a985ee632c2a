/* The container's side of the user-mode network: a tap device in its new
 * network namespace, addressed and routed, whose fd goes to rc over the
 * sync socket (rc runs libslirp on it).  Made by the child itself, before
 * pivot_root, while /dev/net/tun is still the host's: no extra process and
 * no setns are needed for it. */
/* net/if.h first: linux/if.h then leaves libc's definitions alone */
#include <net/if.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/internal.h"

static int set_addr(int s, unsigned long req, const char *name, struct in_addr a)
{
        struct ifreq ifr = { 0 };
        struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        sin->sin_family = AF_INET;
        sin->sin_addr = a;
        return ioctl(s, req, &ifr);
}

static int configure(const struct rc_spec_tap *t, struct rc_child_error *e)
{
        struct ifreq ifr = { 0 };
        struct rtentry rt = { 0 };
        struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst, *gw = (struct sockaddr_in *)&rt.rt_gateway,
                           *mask = (struct sockaddr_in *)&rt.rt_genmask;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

        if (s < 0)
                return rc_child_fail(e, errno, "socket");
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
        ifr.ifr_mtu = (int)t->mtu;
        if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
                rc_child_fail(e, errno, "set the MTU of %s to %u", t->name, t->mtu);
                goto out;
        }
        if (set_addr(s, SIOCSIFADDR, t->name, t->addr) < 0 || set_addr(s, SIOCSIFNETMASK, t->name, t->netmask) < 0) {
                rc_child_fail(e, errno, "address %s", t->name);
                goto out;
        }
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
                rc_child_fail(e, errno, "bring up %s", t->name);
                goto out;
        }
        dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
        gw->sin_addr = t->gateway;
        rt.rt_flags = RTF_UP | RTF_GATEWAY;
        rt.rt_dev = (char *)t->name;
        if (ioctl(s, SIOCADDRT, &rt) < 0) {
                rc_child_fail(e, errno, "add the default route through %s", t->name);
                goto out;
        }
        r = 0;
out:
        close(s);
        return r;
}

int rc_child_setup_tap(const struct rc_spec_tap *t, int sync_fd, struct rc_child_error *e)
{
        struct ifreq ifr = { 0 };
        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

        if (fd < 0)
                return rc_child_fail(e, errno,
                                     "open /dev/net/tun for the container's network (it must be usable by you: mode "
                                     "0666; or run with --network none)");
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
        ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                rc_child_fail(e, errno, "create the tap device %s", t->name);
                close(fd);
                return -1;
        }
        /* Persistent: closing rc's fd then does not unregister the device
         * (its unregistering waits for RCU grace periods, ~20 ms at the
         * end of every rc run); it goes with the namespace instead, which
         * the kernel dismantles in the background. */
        if (ioctl(fd, TUNSETPERSIST, 1) < 0) {
                rc_child_fail(e, errno, "make the tap device %s persistent", t->name);
                close(fd);
                return -1;
        }
        if (configure(t, e) < 0) {
                close(fd);
                return -1;
        }
        /* an address of the network's own needs no duplicate detection,
         * which would hold IPv6 back for a second (best effort: no IPv6) */
        {
                char path[96];
                int dad;
                snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad", t->name);
                dad = open(path, O_WRONLY | O_CLOEXEC);
                if (dad >= 0) {
                        if (write(dad, "0", 1) < 0) {
                                /* IPv6 still works, a second later */
                        }
                        close(dad);
                }
        }
        if (rc_sync_send_fd(sync_fd, RC_SYNC_TAP, fd) < 0) {
                rc_child_fail(e, errno, "send the tap device to rc");
                close(fd);
                return -1;
        }
        close(fd);
        return 0;
}
