/* A UDP server for the network tests (busybox has none): answers each
 * datagram on PORT with "echo:" and the datagram. Static, so it runs in
 * the busybox test image. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
        struct sockaddr_in sa = { .sin_family = AF_INET };
        char buf[2048];
        int fd = socket(AF_INET, SOCK_DGRAM, 0);

        if (argc != 2 || fd < 0)
                return 2;
        sa.sin_port = htons((unsigned short)atoi(argv[1]));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                perror("bind");
                return 1;
        }
        for (;;) {
                struct sockaddr_in from;
                socklen_t len = sizeof(from);
                ssize_t n = recvfrom(fd, buf + 5, sizeof(buf) - 5, 0, (struct sockaddr *)&from, &len);
                if (n < 0)
                        continue;
                memcpy(buf, "echo:", 5);
                sendto(fd, buf, (size_t)n + 5, 0, (struct sockaddr *)&from, len);
        }
}
