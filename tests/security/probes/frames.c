/* frames IFACE: writes hostile Ethernet frames to IFACE through an
 * AF_PACKET socket (the container's tap: rc reads them): every length from
 * 0 to 200, IPv4/UDP headers whose lengths lie (to the DNS forwarder's
 * address and elsewhere), then random frames up to the MTU.  Exits 0 once
 * they are all sent. */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock;
static struct sockaddr_ll to;

static void send_frame(const unsigned char *f, size_t len)
{
        /* errors (a length the kernel refuses) are expected: go on */
        sendto(sock, f, len, 0, (struct sockaddr *)&to, sizeof(to));
}

int main(int argc, char **argv)
{
        static unsigned char f[65536];
        unsigned seed = 1;

        if (argc != 2)
                return 2;
        sock = socket(AF_PACKET, SOCK_RAW, htons(0x0800));
        if (sock < 0) {
                perror("socket");
                return 1;
        }
        to.sll_family = AF_PACKET;
        to.sll_ifindex = (int)if_nametoindex(argv[1]);
        to.sll_halen = 6;
        memset(to.sll_addr, 0xff, 6);
        for (size_t len = 0; len <= 200; len++) {
                memset(f, 0xff, len);
                send_frame(f, len);
        }
        /* IPv4 + UDP to 10.0.2.3:53 and 10.0.2.2:53 with every lie in the lengths */
        for (int dst = 2; dst <= 3; dst++) {
                for (int ihl = 0; ihl < 16; ihl++) {
                        for (int total = 0; total < 70000; total += 997) {
                                for (int ulen = 0; ulen < 70000; ulen += 4999) {
                                        size_t len = 14 + 20 + 8 + 12 + (size_t)(total % 64);
                                        memset(f, 0, sizeof(f));
                                        memset(f, 0xff, 6);
                                        f[12] = 0x08;
                                        f[14] = (unsigned char)(0x40 | ihl);
                                        f[16] = (unsigned char)(total >> 8);
                                        f[17] = (unsigned char)total;
                                        f[22] = 64;
                                        f[23] = 17;
                                        f[26] = 10, f[27] = 0, f[28] = 2, f[29] = 100;
                                        f[30] = 10, f[31] = 0, f[32] = 2, f[33] = (unsigned char)dst;
                                        f[34] = 0x30, f[35] = 0x39;
                                        f[36] = 0, f[37] = 53;
                                        f[38] = (unsigned char)(ulen >> 8);
                                        f[39] = (unsigned char)ulen;
                                        send_frame(f, len);
                                }
                        }
                }
        }
        for (int i = 0; i < 20000; i++) {
                size_t len = (size_t)(rand_r(&seed) % 1600);
                for (size_t j = 0; j < len; j++)
                        f[j] = (unsigned char)rand_r(&seed);
                if (len > 14)
                        f[12] = 0x08, f[13] = i % 3 == 0 ? 0x06 : 0x00; /* IPv4 and ARP */
                send_frame(f, len);
        }
        return 0;
}
