#include "CTun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* struct in6_ifreq from <linux/ipv6.h>, which clashes with glibc's <netinet/in.h>. */
struct ctun_in6_ifreq {
    struct in6_addr ifr6_addr;
    uint32_t ifr6_prefixlen;
    int ifr6_ifindex;
};

static int copy_name(struct ifreq *request, const char *name) {
    if (name == NULL || strlen(name) >= IFNAMSIZ) {
        errno = EINVAL;
        return -1;
    }
    strncpy(request->ifr_name, name, IFNAMSIZ - 1);
    return 0;
}

int ctun_open(const char *name, int vnet_hdr, char *actual_name) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    if (copy_name(&request, name) != 0) return -1;
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (vnet_hdr) request.ifr_flags |= IFF_VNET_HDR;

    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    if (ioctl(fd, TUNSETIFF, &request) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (actual_name != NULL) {
        memcpy(actual_name, request.ifr_name, IFNAMSIZ);
        actual_name[IFNAMSIZ - 1] = 0;
    }
    return fd;
}

int ctun_set_offload(int fd, unsigned int flags) {
    return ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0 ? -1 : 0;
}

static int with_control_socket(int family, unsigned long operation, void *argument) {
    int sock = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -1;
    int result = ioctl(sock, operation, argument);
    int saved = errno;
    close(sock);
    errno = saved;
    return result < 0 ? -1 : 0;
}

int ctun_set_mtu(const char *name, int mtu) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    if (copy_name(&request, name) != 0) return -1;
    request.ifr_mtu = mtu;
    return with_control_socket(AF_INET6, SIOCSIFMTU, &request);
}

int ctun_set_up(const char *name) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    if (copy_name(&request, name) != 0) return -1;
    int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -1;
    int result = ioctl(sock, SIOCGIFFLAGS, &request);
    if (result == 0) {
        request.ifr_flags |= IFF_UP | IFF_RUNNING;
        result = ioctl(sock, SIOCSIFFLAGS, &request);
    }
    int saved = errno;
    close(sock);
    errno = saved;
    return result < 0 ? -1 : 0;
}

int ctun_add_ipv6_address(const char *name, const uint8_t *address, uint32_t prefix_length) {
    if (address == NULL || prefix_length > 128) {
        errno = EINVAL;
        return -1;
    }
    unsigned int index = if_nametoindex(name);
    if (index == 0) return -1;
    struct ctun_in6_ifreq request;
    memset(&request, 0, sizeof(request));
    memcpy(&request.ifr6_addr, address, 16);
    request.ifr6_prefixlen = prefix_length;
    request.ifr6_ifindex = (int)index;
    return with_control_socket(AF_INET6, SIOCSIFADDR, &request);
}
