#ifndef CTUN_H
#define CTUN_H
#include <stdint.h>

/* Length of a Linux interface name buffer, including the terminating NUL (IFNAMSIZ). */
#define CTUN_IFNAMSIZ 16

/* Opens /dev/net/tun and attaches it to a layer-3 TUN interface without packet information.
   `name` is the requested name (may be empty for a kernel-chosen one); the actual name is written to
   `actual_name` (CTUN_IFNAMSIZ bytes). `vnet_hdr` non-zero asks for IFF_VNET_HDR (virtio-net header offloads).
   Returns the descriptor, or -1 with errno set. The interface vanishes when the descriptor closes. */
int ctun_open(const char *name, int vnet_hdr, char *actual_name);

/* Offload flags for ctun_set_offload (TUN_F_* from <linux/if_tun.h>). */
#define CTUN_F_CSUM 0x01
#define CTUN_F_TSO4 0x02
#define CTUN_F_TSO6 0x04
#define CTUN_F_TSO_ECN 0x08
#define CTUN_F_UFO 0x10
#define CTUN_F_USO4 0x20
#define CTUN_F_USO6 0x40

/* TUNSETOFFLOAD: which offloads the kernel may hand us on read (needs IFF_VNET_HDR). Returns 0, or -1 with errno set. */
int ctun_set_offload(int fd, unsigned int flags);

/* Sets the MTU of interface `name`. Returns 0, or -1 with errno set. */
int ctun_set_mtu(const char *name, int mtu);

/* Brings interface `name` up. Returns 0, or -1 with errno set. */
int ctun_set_up(const char *name);

/* Adds the IPv6 address `address` (16 bytes) with `prefix_length` to interface `name`.
   Returns 0, or -1 with errno set. */
int ctun_add_ipv6_address(const char *name, const uint8_t *address, uint32_t prefix_length);

#endif
